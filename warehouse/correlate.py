"""The correlation engine: rank the evidence of the weeks before an incident, with roles, reasons and storylines.

`correlate(session, incident)` resolves the PagerDuty incident, estimates impact start, fixes the
window, gathers candidates with indexed SQL (time window, full-text, service, references), scores them
in Python with every signal below and stores `investigation`, `evidence_link` and `evidence_group`
rows with idempotent upserts. It never commits: the caller owns the transaction.

Score = sum of weighted signals, each in [0, 1] before weighting (see WEIGHTS); every signal that
moved the score writes one reason line.
"""

from __future__ import annotations

import hashlib
import math
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy.orm import Session

from warehouse.affinity import Affinity, channel_affinity, repo_affinity
from warehouse.context import (
    EVIDENCE_COLUMNS,
    IncidentContext,
    _clip,
    build_query,
    estimate_impact_start,
    find_chat,
    fts_ids,
    fts_phrase_ids,
    load_context,
)
from warehouse.load import upsert
from warehouse.queries import UnknownIncident, apply_label, resolve_incident
from warehouse.signals import PatchFacts, change_facts, customer_strength, is_paging_action, symptom_strength
from warehouse.sqlutil import chunks, rows
from warehouse.textsim import BM25, identifiers, tokenize

DEFAULT_LOOKBACK = timedelta(weeks=6)
AFTER_RESOLUTION = timedelta(days=2)

# Weights of the signals (each signal is in [0, 1] before weighting). Set by reasoning about what each
# signal means, then checked on generated worlds other than the seed; not fitted to one story.
WEIGHTS: dict[str, float] = {
    "time": 1.0,          # slow decay from impact start
    "content": 2.0,       # BM25 against the incident's words
    "affinity": 1.0,      # repo/channel/service belongs to the affected service
    "reference": 2.0,     # explicit links: named in the incident chat, cites the incident, reverts
    "detection": 3.0,     # the change weakened detection right after a run of noisy pages
    "symptom": 2.0,       # an early report of user impact
    "incident": 2.0,      # part of the incident's own record (pages, notes, chat)
    "identifier": 1.5,    # shares a rare code identifier (max_open_conns, readAlias) with the incident's words
    "storyline": 1.0,     # a keystone of a storyline (the last noisy page, the line that named the cause)
}
TIME_HALF_LIFE_DAYS = 14.0      # before impact start: 2 weeks halves the time signal
AFTER_HALF_LIFE_DAYS = 1.0      # after resolution, evidence fades fast
NOISY_RUN_WINDOW = timedelta(days=21)
MAX_LINKS = 400
CANDIDATE_LIMIT = 1000
DETAIL_LIMIT = 600  # candidates that get the costlier signals (identifiers, patch analysis)


@dataclass
class Item:
    """One scored evidence item."""

    row: dict[str, Any]
    at: datetime
    doc: list[str] = field(default_factory=list)
    signals: dict[str, float] = field(default_factory=dict)  # signal -> weighted contribution
    values: dict[str, float] = field(default_factory=dict)  # signal -> raw value in [0, 1]
    notes: list[tuple[float, str, str]] = field(default_factory=list)  # (contribution, signal, reason line)
    role: str = "context"
    group: str | None = None
    found_by: set[str] = field(default_factory=set)
    pr: dict[str, Any] | None = None
    files: list[tuple[str, str | None]] = field(default_factory=list)
    facts: PatchFacts | None = None

    @property
    def id(self) -> int:
        return int(self.row["id"])

    @property
    def nid(self) -> str:
        return str(self.row["native_id"])

    @property
    def score(self) -> float:
        return round(sum(self.signals.values()), 4)

    def add(self, signal: str, value: float, reason: str | None) -> None:
        """Record a signal's raw value, its weighted contribution and its one reason line."""
        value = max(-1.0, min(1.0, value))
        if abs(value) < 1e-6:
            return
        contribution = round(WEIGHTS[signal] * value, 4)
        self.values[signal] = round(self.values.get(signal, 0.0) + value, 4)
        self.signals[signal] = round(self.signals.get(signal, 0.0) + contribution, 4)
        if reason:
            self.notes.append((contribution, signal, f"{reason} ({contribution:+.2f})"))

    @property
    def reasons(self) -> list[str]:
        """One line per signal that moved the score, the weightiest first."""
        # On a tie, the specific signals go before the ones most items share (time, affinity).
        return [n[2] for n in sorted(self.notes, key=lambda n: (-abs(n[0]), n[1] in ("time", "affinity")))]


@dataclass
class CorrelationResult:
    """What one correlation run decided and stored."""

    incident_id: str
    incident_number: int | None
    title: str | None
    impact_start: datetime
    impact_start_source: str
    window_start: datetime
    window_end: datetime
    items: list[dict[str, Any]]
    groups: list[dict[str, Any]]
    written: dict[str, int]


def correlate(
    session: Session,
    incident: str,
    *,
    lookback: timedelta = DEFAULT_LOOKBACK,
    impact_start: datetime | None = None,
    repo_hints: Sequence[str] = (),
    channel_hints: Sequence[str] = (),
    now: datetime | None = None,
) -> CorrelationResult:
    """Rank the evidence of one incident and store it (investigation, evidence_link, evidence_group).

    ``incident`` is a PagerDuty incident id or number. ``impact_start`` overrides the estimate.
    ``repo_hints``/``channel_hints`` are repos and channels that settings map to the service.
    """
    found = resolve_incident(session, incident)
    if found is None:
        raise UnknownIncident(f"no PagerDuty incident {incident!r} in the warehouse; run `lookback backfill` first")
    inc = rows(session, "SELECT * FROM pd_incident WHERE id = :i", {"i": found["id"]},
               times=("created_at", "resolved_at", "acknowledged_at", "last_status_change_at"),
               jsons=("team_ids", "assigned_user_ids"))[0]
    ctx = load_context(session, inc)
    find_chat(session, ctx)
    build_query(ctx)
    estimate, est_source, est_detail = estimate_impact_start(session, ctx)
    if impact_start is not None:
        if impact_start.tzinfo is None:
            raise ValueError("impact_start must be timezone-aware (UTC)")
        impact, source = impact_start.astimezone(UTC), "override"
    else:
        impact, source = estimate, est_source
    window_start = impact - lookback
    window_end = (ctx.resolved_at or now or datetime.now(UTC)) + AFTER_RESOLUTION
    if ctx.resolved_at is None:
        window_end = max(window_end, ctx.page_at + AFTER_RESOLUTION)

    repo_aff = repo_affinity(session, ctx, window_start, window_end, repo_hints)
    labels = {int(r["evidence_id"]): r["label"] for r in rows(
        session, "SELECT evidence_id, label FROM evidence_link WHERE incident_id = :i AND label IS NOT NULL",
        {"i": ctx.incident_id})}
    items = _gather(session, ctx, window_start, window_end, repo_aff, labels)
    chan_aff = channel_affinity(ctx, [it.row for it in items.values() if it.row["source"] == "slack"], channel_hints)
    scorer = _Scorer(session, ctx, impact, window_start, window_end, repo_aff, chan_aff, items)
    scorer.run()
    ranked = _finish(scorer, labels)
    groups = _storylines(scorer, ranked)
    written = _store(session, ctx, impact, source, window_start, window_end, lookback, est_detail, repo_aff,
                     ranked, groups, now)
    return CorrelationResult(
        incident_id=ctx.incident_id, incident_number=inc.get("incident_number"), title=inc.get("title"),
        impact_start=impact, impact_start_source=source, window_start=window_start, window_end=window_end,
        items=[{"rank": r, "native_id": it.nid, "score": s, "role": role, "reasons": reasons, "group": it.group}
               for r, (it, s, role, reasons) in enumerate(ranked, start=1)],
        groups=groups, written=written,
    )


# --- gathering -------------------------------------------------------------------------------------

def _gather(session: Session, ctx: IncidentContext, start: datetime, end: datetime, repo_aff: Affinity,
            labels: Mapping[int, str]) -> dict[int, Item]:
    """Candidate evidence: full-text matches, the service's PagerDuty items, the incident's record and chat,
    referenced items, PRs of affine repos, PRs touching monitoring, and anything an investigator labeled."""
    found: dict[int, set[str]] = {}

    def add(ids: Any, how: str) -> None:
        for i in ids:
            found.setdefault(int(i), set()).add(how)

    terms = sorted(ctx.query, key=lambda t: (-ctx.query[t], t))[:16]
    add(fts_ids(session, terms, start, end, limit=CANDIDATE_LIMIT), "content")
    # Second pass: the exact identifiers of the incident's words and of its early signals.
    idents = sorted({i for t in _incident_texts(ctx) + [s.text for s in ctx.symptoms] for i in identifiers(t)})
    add(fts_phrase_ids(session, [i.split("_") for i in idents], start, end, limit=500), "identifier")
    if ctx.service:
        add((r["id"] for r in rows(session, "SELECT id FROM evidence WHERE source = 'pagerduty' AND container = :s "
                                   "AND occurred_at >= :a AND occurred_at <= :b ORDER BY occurred_at DESC LIMIT :k",
                                   {"s": ctx.service["id"], "a": start, "b": end, "k": CANDIDATE_LIMIT})), "service")
    iid = ctx.incident_id
    own = {iid} | {a["id"] for a in ctx.alerts} | {n["id"] for n in ctx.notes} | {le["id"] for le in ctx.log_entries}
    add(_ids_by_native(session, "pagerduty", own), "incident")
    add((m["id"] for m in ctx.chat), "chat")
    add(_ids_by_native(session, "pagerduty", {s.evidence_native_id for s in ctx.symptoms if s.source == "pagerduty"}),
        "symptom")
    add(_ids_by_native(session, "slack", {s.evidence_native_id for s in ctx.symptoms if s.source == "slack"}), "symptom")
    # Everything that cites the incident, wherever it lives.
    add((r["id"] for r in rows(
        session, "SELECT e.id FROM evidence_ref r JOIN evidence e ON e.source = r.from_source AND e.native_id = r.from_native_id "
        "WHERE r.ref_kind IN ('incident_number', 'incident_id') AND r.target IN :t",
        {"t": [iid, str(ctx.incident.get("incident_number"))]})), "cites_incident")
    # PRs named by the incident's chat and notes.
    add(_referenced_prs(session, ctx, repo_aff), "named")
    affine = sorted(repo for repo, (s, _) in repo_aff.items() if s >= 0.3)
    for batch in chunks(affine, 200):
        add((r["id"] for r in rows(session, "SELECT id FROM evidence WHERE source = 'github' AND kind = 'pull_request' "
                                   "AND container IN :c AND occurred_at >= :a AND occurred_at <= :b LIMIT :k",
                                   {"c": batch, "a": start, "b": end, "k": CANDIDATE_LIMIT})), "affine_repo")
    add(_monitoring_prs(session, start, ctx.page_at, ctx, affine), "monitoring")
    add(labels.keys(), "labeled")
    items = _load_items(session, found)
    # The window is the investigator's choice: only labeled items may live outside it.
    return {k: it for k, it in items.items() if start <= it.row["occurred_at"] <= end or "labeled" in it.found_by}


def _incident_texts(ctx: IncidentContext) -> list[str | None]:
    texts: list[str | None] = [ctx.incident.get("title"), ctx.incident.get("description")]
    texts += [a["summary"] for a in ctx.alerts] + [n["content"] for n in ctx.notes] + [m["text"] for m in ctx.chat]
    return texts


def _ids_by_native(session: Session, source: str, native_ids: set[str]) -> list[int]:
    out: list[int] = []
    for batch in chunks(sorted(native_ids)):
        out += [r["id"] for r in rows(session, "SELECT id FROM evidence WHERE source = :s AND native_id IN :n",
                                      {"s": source, "n": batch})]
    return out


def _referenced_prs(session: Session, ctx: IncidentContext, repo_aff: Affinity) -> list[int]:
    """PR evidence ids named by the incident's chat and notes ("it's related to PR 23", links, owner/repo#N)."""
    sources = [("slack", m["native_id"]) for m in ctx.chat] + [("pagerduty", n["id"]) for n in ctx.notes]
    refs = _refs_from(session, sources)
    return [pid for pid, _, _ in _resolve_pr_refs(session, refs, repo_aff)]


def _refs_from(session: Session, sources: Sequence[tuple[str, str]]) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    by_source: dict[str, list[str]] = {}
    for s, n in sources:
        by_source.setdefault(s, []).append(n)
    for s, nids in by_source.items():
        for batch in chunks(nids):
            out += rows(session, "SELECT from_source, from_native_id, ref_kind, target, label FROM evidence_ref "
                        "WHERE from_source = :s AND from_native_id IN :n AND ref_kind IN "
                        "('pull_request', 'pr_number', 'revert', 'commit')", {"s": s, "n": batch})
    return out


def _resolve_pr_refs(session: Session, refs: Sequence[Mapping[str, Any]],
                     repo_aff: Affinity) -> list[tuple[int, Mapping[str, Any], str]]:
    """(PR evidence id, the ref, the PR's native id) for refs that point at a PR; a bare number goes to the
    most affine repo that has a PR with that number."""
    out: list[tuple[int, Mapping[str, Any], str]] = []
    for ref in refs:
        kind, target = ref["ref_kind"], str(ref["target"])
        if kind in ("pull_request", "revert") and "#" in target:
            hits = rows(session, "SELECT id, native_id FROM evidence WHERE source = 'github' AND kind = 'pull_request' "
                        "AND native_id = :n", {"n": target})
        elif kind == "pr_number" and target.isdigit() and len(target) < 10:
            cands = rows(session, "SELECT e.id, e.native_id, e.container FROM evidence e JOIN gh_pull_request p "
                         "ON p.repo_full_name = e.container AND p.number = :n WHERE e.source = 'github' "
                         "AND e.kind = 'pull_request' AND e.native_id = p.repo_full_name || '#' || :t",
                         {"n": int(target), "t": target})
            cands.sort(key=lambda c: (-repo_aff.get(c["container"], (0.0, ""))[0], c["native_id"]))
            hits = cands[:1]
        elif kind == "commit" and len(target) >= 7:
            hits = rows(session, "SELECT e.id, e.native_id FROM gh_pull_request p JOIN evidence e ON e.source = 'github' "
                        "AND e.kind = 'pull_request' AND e.native_id = p.repo_full_name || '#' || CAST(p.number AS VARCHAR(20)) "
                        "WHERE p.merge_commit_sha LIKE :s OR p.head_sha LIKE :s", {"s": target.lower() + "%"})[:1]
        else:
            hits = []
        out += [(int(h["id"]), ref, str(h["native_id"])) for h in hits]
    return out


def _monitoring_prs(session: Session, start: datetime, end: datetime, ctx: IncidentContext,
                    affine: Sequence[str]) -> list[int]:
    """PRs merged in [start, end] that touch alert rules, monitoring or error handling, in an affine repo
    or on a path that names the service (alert rules usually live in a shared repo, per service)."""
    from warehouse.signals import path_kind

    found: list[dict[str, Any]] = []
    base = ("SELECT f.path, p.repo_full_name, p.number FROM gh_pull_request p JOIN gh_pr_file f "
            "ON f.repo_id = p.repo_id AND f.pr_number = p.number WHERE p.merged_at >= :a AND p.merged_at <= :b")
    for batch in chunks(sorted(affine), 200):
        found += rows(session, base + " AND p.repo_full_name IN :r", {"a": start, "b": end, "r": batch})
    for i, token in enumerate(sorted(ctx.service_tokens)[:4]):
        found += rows(session, base + f" AND lower(f.path) LIKE :t{i}", {"a": start, "b": end, f"t{i}": f"%{token}%"})
    wanted = {f"{r['repo_full_name']}#{r['number']}" for r in found if path_kind(r["path"])}
    return _ids_by_native(session, "github", wanted)


def _load_items(session: Session, found: Mapping[int, set[str]]) -> dict[int, Item]:
    items: dict[int, Item] = {}
    for batch in chunks(sorted(found)):
        for r in rows(session, f"SELECT {EVIDENCE_COLUMNS} FROM evidence WHERE id IN :ids", {"ids": batch},  # noqa: S608 - constant SQL text; values are bound
                      times=("occurred_at",), jsons=("attributes",)):
            items[int(r["id"])] = Item(row=r, at=r["occurred_at"], found_by=set(found[int(r["id"])]))
    _attach_prs(session, items)
    return items


def _attach_prs(session: Session, items: dict[int, Item]) -> None:
    """PR facts (merge time, author, files and patches, review and comment text) for PR candidates."""
    prs = {it.nid: it for it in items.values() if it.row["source"] == "github" and it.row["kind"] == "pull_request"}
    if not prs:
        return
    keys: dict[str, list[int]] = {}
    for nid in prs:
        repo, _, num = nid.rpartition("#")
        if num.isdigit():
            keys.setdefault(repo, []).append(int(num))
    for repo, nums in keys.items():
        for batch in chunks(sorted(nums)):
            for p in rows(session, "SELECT repo_id, repo_full_name, number, title, body, author_login, created_at, "
                          "merged_at, closed_at, state, merge_commit_sha FROM gh_pull_request "
                          "WHERE repo_full_name = :r AND number IN :n", {"r": repo, "n": batch},
                          times=("created_at", "merged_at", "closed_at")):
                it = prs[f"{repo}#{p['number']}"]
                it.pr = p
                it.at = p["merged_at"] or p["created_at"] or it.at
            repo_ids = {prs[f"{repo}#{n}"].pr["repo_id"] for n in batch if prs[f"{repo}#{n}"].pr}  # type: ignore[index]
            for rid in repo_ids:
                for f in rows(session, "SELECT pr_number, path, patch_excerpt FROM gh_pr_file WHERE repo_id = :r "
                              "AND pr_number IN :n ORDER BY path", {"r": rid, "n": batch}):
                    prs[f"{repo}#{f['pr_number']}"].files.append((f["path"], f["patch_excerpt"]))
    # Reviews and comments: the mapper folds their text into the PR's evidence text already.


# --- scoring ---------------------------------------------------------------------------------------

class _Scorer:
    """Applies every signal to the candidates and assigns roles."""

    def __init__(self, session: Session, ctx: IncidentContext, impact: datetime, start: datetime, end: datetime,
                 repo_aff: Affinity, chan_aff: Affinity, items: dict[int, Item]) -> None:
        self.session, self.ctx, self.impact, self.start, self.end = session, ctx, impact, start, end
        self.repo_aff, self.chan_aff, self.items = repo_aff, chan_aff, items
        self.by_nid = {(it.row["source"], it.nid): it for it in items.values()}
        self.detection: dict[str, dict[str, Any]] = {}  # PR native id -> run details
        self.trigger: Item | None = None
        self.named: dict[str, list[str]] = {}  # PR native id -> labels that named it in the incident chat
        self.symptom_nids = {(s.source, s.evidence_native_id): s for s in ctx.symptoms}
        self.detailed: set[int] = set()

    def run(self) -> None:
        self._documents()
        iid = self.ctx.incident_id
        for it in self.items.values():
            r = it.row
            if r["source"] == "pagerduty" and (it.nid == iid or r["parent_native_id"] == iid or "incident" in it.found_by):
                r["_own"] = True  # its time and service are the incident's by definition: no credit for them
                if it.nid != iid:
                    continue
            self._time(it)
            self._affinity(it)
        self._content()
        self._boilerplate()
        # The costlier signals only for the candidates that already look related (keeps work bounded).
        pre = sorted(self.items.values(), key=lambda i: (-i.score, i.nid))
        self.detailed = {i.id for i in pre[:DETAIL_LIMIT]} | {
            i.id for i in self.items.values() if i.found_by & {"named", "monitoring", "labeled", "symptom", "chat"}}
        self._identifiers()
        self._references()
        self._incident_record()
        self._symptoms()
        self._detection()
        self._roles()

    # documents and content
    def _documents(self) -> None:
        for it in self.items.values():
            r = it.row
            parts = [r["title"], r["text"], r["container_name"]]
            if it.pr:
                # The mapper's PR text usually holds body, paths, patches and review text already.
                text = r["text"] or ""
                parts += [it.pr["title"]] if it.pr["title"] not in (r["title"] or "") else []
                parts += [it.pr["body"]] if it.pr["body"] and it.pr["body"][:200] not in text else []
                parts += [p for p, _ in it.files if p not in text]
                parts += [(patch or "")[:4000] for _, patch in it.files if patch and patch[:200] not in text]
            it.doc = tokenize("\n".join(p for p in parts if p))

    def _content(self) -> None:
        bm = BM25({it.id: it.doc for it in self.items.values()})
        scores = {it.id: bm.score(it.id, self.ctx.query) for it in self.items.values()}
        best = sorted((s for s, _ in scores.values() if s > 0), reverse=True)
        ref = best[min(4, len(best) - 1)] if best else 1.0  # the 5th best match counts as full relevance
        chat_ids = {m["id"] for m in self.ctx.chat}
        for it in self.items.values():
            s, parts = scores[it.id]
            if s <= 0:
                continue
            value = min(1.0, s / ref)
            if it.id in chat_ids or "incident" in it.found_by:
                value *= 0.4  # the query was built from these: their match is partly circular
            words = ", ".join(t for t, _ in parts[:4])
            it.add("content", value, f"matches the incident's words: {words}")

    def _identifiers(self) -> None:
        """Rare code identifiers (snake_case, camelCase, dotted) shared with the incident's notes, chat and alerts."""
        ctx = self.ctx
        wanted = {i for t in _incident_texts(ctx) for i in identifiers(t)}
        # Early signals name things too (a job, a partition): a weaker, second-hand match, except for
        # the first signal of each kind, which names what broke first.
        from_symptoms = {i for s in ctx.symptoms for i in identifiers(s.text)} - wanted
        firsts = []
        for group in ([s for s in ctx.symptoms if s.source == "pagerduty"], [s for s in ctx.symptoms if s.source == "slack"]):
            if group:  # an incident and its alert arrive together: both are the first signal
                first_at = min(s.at for s in group)
                firsts += [s for s in group if s.at == first_at]
        from_first = {i for s in firsts for i in identifiers(s.text)} & from_symptoms
        if not wanted and not from_symptoms:
            return
        symptom_ids = {s.evidence_native_id for s in ctx.symptoms}
        has: dict[str, list[Item]] = {}
        for it in self.items.values():
            if it.id not in self.detailed or it.row.get("_own") or "chat" in it.found_by or it.nid in symptom_ids \
                    or it.row["parent_native_id"] in symptom_ids:
                continue
            parts = [it.row["title"], it.row["text"]]
            if it.pr:
                parts += [p for p, _ in it.files] + [(patch or "")[:4000] for _, patch in it.files]
            for ident in identifiers("\n".join(p for p in parts if p)) & (wanted | from_symptoms):
                has.setdefault(ident, []).append(it)
        for ident, its in sorted(has.items()):
            if len(its) > 6:
                continue  # common in this window: not specific
            second_hand = ident in from_symptoms
            value = (1.0 if ident in from_first or not second_hand else 0.6) / max(1, len(its)) ** 0.5
            where = ("the first early signal" if ident in from_first else "an early signal") if second_hand \
                else "the incident's notes or chat"
            for it in its:
                if it.values.get("identifier", 0) < value:
                    it.add("identifier", value - it.values.get("identifier", 0),
                           f"shares the identifier `{ident}` with {where}")
                    if second_hand:
                        it.row["_shares_symptom"] = ident

    def _boilerplate(self) -> None:
        """Text repeated word for word across the window is boilerplate (templates, bots): its match means less."""
        seen: Counter[str] = Counter()
        key: dict[int, str] = {}
        for it in self.items.values():
            r = it.row
            if r["source"] == "slack" and r["text"]:
                body = r["text"]
            elif r["source"] == "pagerduty" and r["kind"] == "change_event" and r["title"]:
                body = r["title"]  # recurring jobs announce themselves with the same words every day
            else:
                continue
            k = r["source"] + ":" + " ".join(t for t in tokenize(body) if not any(c.isdigit() for c in t))
            if len(k) > 20:
                key[it.id] = k
                seen[k] += 1
        for it in self.items.values():
            n = seen.get(key.get(it.id, ""), 0)
            if n >= 2 and it.values.get("content", 0) > 0:
                it.add("content", -min(it.values["content"], 0.5), f"the same text was posted {n} times in the window")

    def _time(self, it: Item) -> None:
        if it.at <= self.impact:
            days = (self.impact - it.at).total_seconds() / 86400
            value = 0.5 ** (days / TIME_HALF_LIFE_DAYS)
            it.add("time", value, f"{_days(days)} before impact start")
        elif it.at <= self.ctx.end_of_response:
            it.add("time", 1.0, "during the impact")
        else:
            days = (it.at - self.ctx.end_of_response).total_seconds() / 86400
            it.add("time", 0.6 * 0.5 ** (days / AFTER_HALF_LIFE_DAYS), f"{_days(days)} after resolution")

    def _affinity(self, it: Item) -> None:
        r = it.row
        src, cont = r["source"], r["container"] or ""
        if src == "github":
            value, why = self.repo_aff.get(cont, (0.0, ""))
            if it.files and self.ctx.service_tokens:
                hit = [p for p, _ in it.files if self.ctx.service_tokens & set(tokenize(p))]
                if hit and 0.6 > value:
                    value, why = 0.6, f"touches {hit[0]}, named after the service"
            author = (it.pr or {}).get("author_login") or r["actor"]
            if author and author in self.ctx.responder_handles:
                value, why = min(1.0, value + 0.3), (why + "; " if why else "") + f"author {author} responds to the service"
            if value:
                it.add("affinity", value, why)
        elif src == "slack":
            value, why = self.chan_aff.get(cont, (0.0, ""))
            if value:
                it.add("affinity", value * 0.6, why)
        elif src == "pagerduty" and self.ctx.service:
            if cont == self.ctx.service["id"]:
                it.add("affinity", 1.0, f"same service ({self.ctx.service['name']})")

    # references
    def _references(self) -> None:
        ctx = self.ctx
        sources = [("slack", m["native_id"]) for m in ctx.chat] + [("pagerduty", n["id"]) for n in ctx.notes]
        for pid, ref, pr_nid in _resolve_pr_refs(self.session, _refs_from(self.session, sources), self.repo_aff):
            self.named.setdefault(pr_nid, []).append(str(ref.get("label") or ref["target"]))
            speaker = self.by_nid.get((ref["from_source"], ref["from_native_id"]))
            target = self.items.get(pid)
            if speaker is not None and target is not None:
                speaker.add("reference", 0.4, f"names {pr_nid}, a candidate change")
                speaker.row.setdefault("_names", []).append(pr_nid)
        for pr_nid, labels_ in self.named.items():
            it = self.by_nid.get(("github", pr_nid))
            if it is not None:
                it.add("reference", min(1.0, 0.6 + 0.2 * len(labels_)),
                       f"named in the incident's chat or notes: \u201c{_clip(labels_[0], 60)}\u201d")
        # Items that cite this incident (a fix PR, a postmortem link, a follow-up).
        targets = [ctx.incident_id, str(ctx.incident.get("incident_number"))]
        citing = rows(self.session, "SELECT DISTINCT from_source, from_native_id FROM evidence_ref WHERE "
                      "ref_kind IN ('incident_number', 'incident_id') AND target IN :t", {"t": targets})
        for c in citing:
            it = self.by_nid.get((c["from_source"], c["from_native_id"]))
            if it is not None:
                it.add("reference", 0.5, "cites this incident")
        # Reverts between candidates, in both directions.
        gh = [("github", it.nid) for it in self.items.values() if it.row["source"] == "github"]
        reverts = [r for r in _refs_from(self.session, gh) if r["ref_kind"] == "revert"]
        for pid, ref, target_nid in _resolve_pr_refs(self.session, reverts, self.repo_aff):
            src = self.by_nid.get((ref["from_source"], ref["from_native_id"]))
            dst = self.items.get(pid)
            if src is not None and dst is not None:
                src.add("reference", 0.5, f"reverts {target_nid}")
                dst.add("reference", 0.5, f"reverted by {src.nid}")
                src.row["_reverts"] = target_nid

    # the incident's own record
    def _incident_record(self) -> None:
        ctx = self.ctx
        for it in self.items.values():
            r = it.row
            if r.get("_own"):
                kind = r["kind"]
                entry = next((le for le in ctx.log_entries if le["id"] == it.nid), None)
                if entry and entry["type"] == "trigger_log_entry" and entry["agent_type"] in ("user_reference", "user"):
                    it.add("incident", 1.0, "paged by hand (manual trigger)")
                elif entry and entry["type"] in ("notify_log_entry", "annotate_log_entry"):
                    # Notifications repeat the page; annotations repeat the notes.
                    it.add("incident", 0.05, f"incident log: {entry['type'].replace('_log_entry', '')}")
                elif entry:
                    it.add("incident", 0.15, f"incident log: {entry['type'].replace('_log_entry', '')}")
                elif kind == "note":
                    it.add("incident", 0.6, "a responder's note on the incident")
                elif kind == "incident":
                    it.add("incident", 1.0, "the incident itself")
                else:
                    it.add("incident", 0.5, "alert of the incident")
            elif r["source"] == "pagerduty" and r["kind"] in ("alert", "log_entry", "note") and r["parent_native_id"]:
                # Another incident's parts: the incident itself carries the story, its parts follow it.
                it.add("incident", -0.5, f"a detail of incident {r['parent_native_id']}")
                it.row["_detail_of"] = r["parent_native_id"]
            elif r["source"] == "slack" and "chat" in it.found_by:
                it.add("incident", 0.25, f"said in {r['container_name'] or r['container']} while the incident was handled")

    # symptoms and impact start
    def _symptoms(self) -> None:
        first_human = min((s for s in self.ctx.symptoms if s.source == "slack"), key=lambda s: s.at, default=None)
        seen_titles: set[str] = set()
        quiet = sorted((s for s in self.ctx.symptoms if s.source == "pagerduty"), key=lambda s: (s.at, s.evidence_native_id))
        first_quiet = quiet[0].evidence_native_id if quiet else None
        # Incidents before their own alerts, so a repeat is judged incident against incident.
        ordered = sorted(self.items.values(), key=lambda i: (i.at, i.row["kind"] != "incident", i.nid))
        for it in ordered:
            s = self.symptom_nids.get((it.row["source"], it.nid))
            if s is not None:
                value = 1.0 if s.kind == "customer_report" else 0.8
                why = f"early sign of impact before the page ({s.kind.replace('_', ' ')})"
                if it.row.get("_detail_of") and ("pagerduty", it.row["_detail_of"]) in self.symptom_nids:
                    value, why = value * 0.3, f"alert of {it.row['_detail_of']}, which paged no one"
                elif it.row["source"] == "pagerduty":
                    title = " ".join(t for t in tokenize(it.row["title"]) if not any(c.isdigit() for c in t))
                    if title in seen_titles:
                        value, why = value * 0.4, f"repeats an earlier alert that paged no one ({s.kind.replace('_', ' ')})"
                    elif first_quiet is not None and it.nid != first_quiet:
                        value = 0.45  # another alert that paged no one; the first one carries the story
                    seen_titles.add(title)
                elif first_human is not None and s.evidence_native_id == first_human.evidence_native_id:
                    value, why = 1.0, "the first person to notice, before the page"
                    it.row["_keystone"] = True
                    it.add("storyline", 0.5, "the first sign of impact in chat")
                if it.row["source"] == "pagerduty" and value >= 0.8:
                    it.row["_keystone"] = True  # the first alert that paged no one
                it.add("symptom", value, why)
                it.row["_symptom"] = s.kind
        # Replies right after a customer report in the same channel usually add more reports.
        reports = [(it.row["container"], it.at, it.nid) for it in self.items.values()
                   if it.row.get("_symptom") == "customer_report" and it.row["source"] == "slack"]
        for it in self.items.values():
            r = it.row
            if r["source"] != "slack" or r.get("_symptom") == "customer_report" or (r["attributes"] or {}).get("bot"):
                continue
            first = next((n for c, t, n in sorted(reports, key=lambda x: x[1])
                          if c == r["container"] and t < it.at <= t + timedelta(minutes=90)), None)
            if first is not None and it.at <= self.ctx.page_at + timedelta(hours=1) and not is_paging_action(r["text"]):
                if not r.get("_symptom"):
                    it.add("symptom", 0.25, "follows a customer report in the same channel")
                r["_symptom"] = "customer_report" if r.get("_symptom") else None
                r["_follows_report"] = first
            elif it.row["source"] == "slack" and self.start <= it.at < self.ctx.page_at and it.at >= self.impact - timedelta(days=2):
                body = it.row["text"] or ""
                if symptom_strength(body) and set(it.doc) & self.ctx.key_terms:
                    cust = customer_strength(body, it.row["container_name"])
                    it.add("symptom", 0.3 + 0.2 * cust, "reads like a report of something broken, near impact start")
                    it.row["_symptom"] = "customer_report" if cust >= 0.6 else "early_signal"

    # detection weakening
    def _detection(self) -> None:
        ctx = self.ctx
        pages = [i for i in ctx.service_incidents if i["id"] != ctx.incident_id]
        for it in self.items.values():
            if not it.pr or not it.pr.get("merged_at") or it.pr["merged_at"] > ctx.page_at or it.id not in self.detailed:
                continue
            facts = change_facts(it.pr["title"], it.pr["body"], it.files)
            it.facts = facts
            if facts.strength <= 0:
                continue
            merged = it.pr["merged_at"]
            run = [p for p in pages if merged - NOISY_RUN_WINDOW <= p["created_at"] <= merged
                   and p["urgency"] != "low"]
            silent = sorted({s.at for s in ctx.symptoms if s.source == "pagerduty" and s.at >= merged})
            page_words = set(tokenize(" ".join(p["title"] or "" for p in run)))
            overlap = len(page_words & set(it.doc) - {"error", "alert"})
            link = max(self.repo_aff.get(it.row["container"] or "", (0.0, ""))[0],
                       it.values.get("affinity", 0.0), min(1.0, overlap / 3))
            if not link:
                # A weakening change far from the affected service: mention it, weakly.
                it.add("detection", 0.1 * facts.strength, "changes detection, but not of the affected service")
                continue
            run_strength = min(1.0, len(run) / 4)
            value = facts.strength * (0.35 + 0.45 * run_strength + 0.2 * min(1.0, link))
            if silent:
                value += 0.15
            why = "; ".join(facts.facts)
            if run:
                first, last = run[0]["created_at"], run[-1]["created_at"]
                why += (f"; merged after {len(run)} pages of {ctx.service['name'] if ctx.service else 'the service'} "
                        f"({first:%b %d}\u2013{last:%b %d})")
            if silent:
                why += f"; afterwards {len(silent)} alert(s) of the service paged no one"
            it.add("detection", min(1.0, value), f"weakens detection: {why}")
            silent_ids = {s.evidence_native_id for s in ctx.symptoms if s.source == "pagerduty" and s.at >= merged}
            self.detection[it.nid] = {"run": run, "silent": silent, "silent_ids": silent_ids, "facts": facts}
        # The pages behind a weakening change belong to its story.
        strongest = sorted((self.by_nid[("github", nid)].values.get("detection", 0), nid) for nid in self.detection)
        run_ids: dict[str, str] = {}
        last_page: dict[str, str] = {}
        for value, nid in strongest:  # the strongest change claims the pages last
            if value >= 0.35 and self.detection[nid]["run"]:
                run_ids.update({p["id"]: nid for p in self.detection[nid]["run"]})
                last_page[self.detection[nid]["run"][-1]["id"]] = nid
        for it in self.items.values():
            if it.row["source"] != "pagerduty":
                continue
            key = it.nid if it.nid in run_ids else (it.row["parent_native_id"] if it.row["parent_native_id"] in run_ids else None)
            if key is not None and not it.row.get("_own"):
                pr = run_ids[key]
                damp = 1.0 if it.row["kind"] == "incident" else 0.4
                if last_page.get(it.nid) == pr:
                    it.add("storyline", 1.0, f"the last noisy page before {pr} merged")
                    it.add("detection", 0.25, f"its alert is what {pr} then quieted")
                    it.row["_last_page"] = it.row["_keystone"] = True
                else:
                    it.add("storyline", damp * 0.8, f"one of the noisy pages before {pr}")
                it.row["_run_of"] = pr

    # roles
    def _roles(self) -> None:
        ctx = self.ctx
        prs = [it for it in self.items.values() if it.pr is not None]
        before = [it for it in prs if it.at <= ctx.page_at and it.pr and it.pr.get("merged_at")]
        for it in prs:
            if it.values.get("detection", 0) >= 0.35 and it.nid in self.detection:
                it.role = "detection_weakened"
        causes = sorted((it for it in before if it.role != "detection_weakened"),
                        key=lambda i: (-(i.signals.get("content", 0) + i.signals.get("reference", 0)
                                         + i.signals.get("affinity", 0) + i.signals.get("time", 0)), i.nid))
        if causes and (causes[0].values.get("content", 0) >= 0.3 or causes[0].values.get("reference", 0) > 0):
            self.trigger = causes[0]
            causes[0].role = "trigger"
            causes[0].add("storyline", 0.5, "the strongest candidate change before the page")
        for it in causes[1:]:
            if it.values.get("content", 0) >= 0.4 and it.values.get("affinity", 0) > 0:
                it.role = "contributor"
        # What happened between the trigger and the first sign of impact is how the change unfolded.
        if self.trigger is not None:
            t0, t1 = self.trigger.at, self.impact + timedelta(hours=6)
            for it in self.items.values():
                if it.pr is not None or it.row.get("_own") or it.row.get("_symptom") or not t0 < it.at <= t1:
                    continue
                if it.values.get("affinity", 0) > 0 and (it.values.get("identifier", 0) > 0
                                                         or it.values.get("content", 0) >= 0.3):
                    it.add("storyline", 0.5, f"happened between {self.trigger.nid} merging and the first sign of impact")
                    it.row["_unfolds"] = self.trigger.nid
        # The chat line that tied the incident to a change is the moment the cause was found.
        culprits = {it.nid for it in prs if it.role in ("trigger", "detection_weakened")}
        for it in self.items.values():
            named = [n for n in it.row.get("_names", []) if n in culprits]
            if named:
                it.add("storyline", 1.0, f"ties the incident to {named[0]}")
                it.row["_keystone"] = True
        # A fix comes after the page and touches what a culprit touched, or names the culprit.
        culprit_items = [it for it in prs if it.nid in culprits]
        gh_refs = _refs_from(self.session, [("github", it.nid) for it in prs if it.at > ctx.page_at])
        cites: dict[str, set[str]] = {}
        for ref in gh_refs:
            if ref["ref_kind"] in ("pull_request", "revert"):
                cites.setdefault(ref["from_native_id"], set()).add(str(ref["target"]))
        for it in prs:
            if not ctx.page_at < it.at <= ctx.end_of_response + AFTER_RESOLUTION:
                continue
            files = {p for p, _ in it.files}
            culprit = next((c for c in culprit_items if c.nid in cites.get(it.nid, set())), None)
            shared: set[str] = set()
            if culprit is None:
                culprit = next((c for c in culprit_items if files & {p for p, _ in c.files}), None)
                shared = files & {p for p, _ in culprit.files} if culprit else set()
            if culprit is not None or it.values.get("reference", 0) > 0 or it.values.get("content", 0) >= 0.3:
                it.role = "fix"
            if culprit is not None:
                how = f"changes the same files as {culprit.nid} ({sorted(shared)[0]})" if shared else f"cites {culprit.nid}"
                it.add("storyline", 0.6, how)
                it.row["_fixes"] = culprit.nid
        for it in self.items.values():
            r = it.row
            if it.pr is not None:
                continue
            if r["source"] == "github":
                parent = self.by_nid.get(("github", r["parent_native_id"] or ""))
                it.role = parent.role if parent and parent.role in ("trigger", "detection_weakened", "fix") else "context"
                it.add("incident", -0.3, f"a detail of {r['parent_native_id']}" if r["parent_native_id"] else None)
            elif r["source"] == "slack" and is_paging_action(r["text"]) and it.at >= ctx.page_at - timedelta(hours=2):
                it.role = "response"  # someone paging or escalating is already responding
            elif r.get("_symptom") and it.at < ctx.page_at:
                it.role = r["_symptom"]
            elif r.get("_follows_report"):
                it.role = "customer_report"
            elif r["source"] == "pagerduty" and r.get("_own"):
                it.role = "response"
            elif r.get("_last_page"):
                it.role = "early_signal"  # the signal the weakening change then silenced
            elif r.get("_unfolds") and it.at <= self.impact + timedelta(hours=6):
                it.role = "contributor"
            elif r["source"] == "pagerduty" and r["kind"] == "change_event":
                it.role = "contributor" if it.values.get("content", 0) >= 0.4 and it.at <= ctx.page_at else "context"
            elif r["source"] == "pagerduty" and self.impact <= it.at < ctx.page_at and r["container"] == (
                    ctx.service or {}).get("id"):
                it.role = "early_signal"
            elif ctx.page_at - timedelta(minutes=30) <= it.at <= ctx.end_of_response + timedelta(hours=12) and (
                    "chat" in it.found_by):
                it.role = "response"
            else:
                it.role = "context"


def _days(days: float) -> str:
    if days < 1:
        return f"{days * 24:.0f} h"
    return f"{days:.1f} days"


# --- ranking, storylines, storage -----------------------------------------------------------------

Ranked = list[tuple[Item, float, str, list[str]]]


def _finish(scorer: _Scorer, labels: Mapping[int, str]) -> Ranked:
    """Order by score, damp storylines that already fill the top, apply investigator labels, keep MAX_LINKS."""
    items = sorted(scorer.items.values(), key=lambda i: (-i.score, i.at, i.nid))
    _assign_groups(scorer, items)
    seen: Counter[tuple[str, str, str]] = Counter()
    for it in items:
        if it.group:
            # Alike items of one story (same role, same source) compete; different parts of a story do not.
            key = (it.group, it.role, it.row["source"])
            n = seen[key]
            seen[key] += 1
            if n >= 4 and it.score > 0 and not it.row.get("_keystone"):
                cut = round(it.score * (1 - 0.9 ** (n - 3)), 4)
                it.signals["storyline"] = round(it.signals.get("storyline", 0.0) - cut, 4)
                it.notes.append((-cut, "storyline", f"its storyline already has {n} alike items ranked higher (-{cut:.2f})"))
    items.sort(key=lambda i: (-i.score, i.at, i.nid))
    keep = items[:MAX_LINKS] + [i for i in items[MAX_LINKS:] if i.id in labels]
    floor = min((i.score for i in keep), default=0.0)
    out: Ranked = []
    for it in keep:
        score, role, reasons = apply_label(it.score, it.role, it.reasons, labels.get(it.id), floor)
        out.append((it, score, role, reasons))
    out.sort(key=lambda x: (-x[1], x[0].at, x[0].nid))
    return out


def _key(prefix: str, seed: str) -> str:
    return f"{prefix}-{hashlib.sha1(seed.encode()).hexdigest()[:10]}"


def _assign_groups(scorer: _Scorer, items: Sequence[Item]) -> None:
    ctx = scorer.ctx
    by_pr: dict[str, str] = {}
    for nid in scorer.detection:
        it = scorer.by_nid[("github", nid)]
        if it.role == "detection_weakened":
            by_pr[nid] = _key("detection", nid)
    for it in items:
        if it.role in ("trigger", "contributor", "fix") and it.pr is not None and it.nid not in by_pr:
            by_pr[it.nid] = _key("change", it.nid)
    for it in items:
        culprit = it.row.get("_fixes") or it.row.get("_reverts")
        if culprit in by_pr and it.pr is not None:
            by_pr[it.nid] = by_pr[culprit]
    impact_key = _key("impact", ctx.incident_id)
    response_key = _key("response", ctx.incident_id)
    for it in items:
        r = it.row
        if it.pr is not None and it.nid in by_pr:
            it.group = by_pr[it.nid]
        elif r["source"] == "github" and r["parent_native_id"] in by_pr:
            it.group = by_pr[r["parent_native_id"]]
        elif r.get("_run_of") in by_pr:
            it.group = by_pr[r["_run_of"]]
        elif r.get("_names") and any(n in by_pr for n in r["_names"]):
            it.group = by_pr[next(n for n in r["_names"] if n in by_pr)]
        elif it.role in ("early_signal", "customer_report"):
            silent_of = next((nid for nid, d in scorer.detection.items() if nid in by_pr and by_pr[nid].startswith("detection")
                              and (it.nid in d["silent_ids"] or r["parent_native_id"] in d["silent_ids"])), None)
            it.group = by_pr[silent_of] if silent_of and r["source"] == "pagerduty" else impact_key
        elif r.get("_own") and r["kind"] == "log_entry" and it.values.get("incident", 0) >= 1.0:
            it.group = impact_key  # the manual page ends the impact story
        elif it.role == "response":
            it.group = response_key
        else:
            it.group = _key("context", f"{r['source']}:{r['container'] or r['kind']}")


def _storylines(scorer: _Scorer, ranked: Ranked) -> list[dict[str, Any]]:
    """One row per group: title and one-line summary built from its members, ranked by best member."""
    members: dict[str, list[tuple[int, Item, str]]] = {}
    for rank, (it, _, role, _) in enumerate(ranked, start=1):
        if it.group:
            members.setdefault(it.group, []).append((rank, it, role))
    out = []
    for key, ms in members.items():
        title, summary = _describe(scorer, key, ms)
        times = [m[1].at for m in ms]
        out.append({"incident_id": scorer.ctx.incident_id, "group_key": key, "title": title, "summary": summary,
                    "rank": ms[0][0], "first_at": min(times), "last_at": max(times)})
    out.sort(key=lambda g: int(g["rank"]))  # type: ignore[call-overload]
    for i, g in enumerate(out, start=1):
        g["rank"] = i
    return out


def _label(it: Item) -> str:
    r = it.row
    if it.pr is not None:
        return f"{it.nid} \u201c{_clip(it.pr['title'] or '', 60)}\u201d"
    if r["source"] == "slack":
        return f"{r['container_name'] or r['container']}: \u201c{_clip(r['text'] or r['title'] or '', 60)}\u201d"
    return _clip(r["title"] or r["text"] or it.nid, 70)


def _describe(scorer: _Scorer, key: str, ms: list[tuple[int, Item, str]]) -> tuple[str, str]:
    ctx = scorer.ctx
    kind = key.split("-", 1)[0]
    svc = ctx.service["name"] if ctx.service else "the service"
    ordered = sorted(ms, key=lambda m: m[1].at)
    if kind == "detection":
        pr = next(m[1] for m in ms if m[1].pr is not None)
        d = scorer.detection.get(pr.nid, {})
        run, silent = d.get("run", []), d.get("silent", [])
        steps = []
        if run:
            steps.append(f"{len(run)} noisy pages of {svc} ({run[0]['created_at']:%b %d}\u2013{run[-1]['created_at']:%b %d})")
        steps.append(f"{_label(pr)} merged {pr.at:%b %d}")
        if silent:
            steps.append(f"{len(silent)} alert(s) that paged no one before the incident")
        return f"Detection weakened: {_label(pr)}", " \u2192 ".join(steps)
    if kind == "change":
        steps = [f"{_label(m[1])} ({m[2]}, {m[1].at:%b %d})" for m in ordered if m[1].pr is not None or m[1].row.get("_names")]
        head = next((m[1] for m in ms if m[1].pr is not None), ms[0][1])
        return f"Change: {_label(head)}", " \u2192 ".join(steps[:4]) or _label(head)
    if kind == "impact":
        first = ordered[0][1]
        reports = sum(1 for m in ms if m[2] == "customer_report")
        steps = [f"first sign {first.at:%b %d %H:%M} ({_label(first)})"]
        if reports:
            steps.append(f"{reports} customer report(s)")
        steps.append(f"paged {ctx.page_at:%b %d %H:%M}")
        return f"Impact before the page on {svc}", " \u2192 ".join(steps)
    if kind == "response":
        chats = sum(1 for m in ms if m[1].row["source"] == "slack")
        notes = sum(1 for m in ms if m[1].row["kind"] == "note")
        end = f"resolved {ctx.resolved_at:%b %d %H:%M}" if ctx.resolved_at else "not resolved yet"
        return f"Response to {ctx.incident.get('title') or ctx.incident_id}", f"{chats} chat message(s), {notes} note(s), {end}"
    first = ordered[0][1]
    where = first.row["container_name"] or first.row["container"] or first.row["source"]
    return f"Context: {where}", f"{len(ms)} item(s) from {where}, {first.at:%b %d}\u2013{ordered[-1][1].at:%b %d}"


def _store(session: Session, ctx: IncidentContext, impact: datetime, source: str, start: datetime, end: datetime,
           lookback: timedelta, est_detail: dict[str, Any], repo_aff: Affinity, ranked: Ranked,
           groups: list[dict[str, Any]], now: datetime | None) -> dict[str, int]:
    """Upsert links and groups (labels untouched), delete stale ones, then the investigation row."""
    iid = ctx.incident_id
    written: Counter[str] = Counter()
    links = []
    for rank, (it, score, role, reasons) in enumerate(ranked, start=1):
        breakdown = {"signals": dict(sorted(it.signals.items())), "values": dict(sorted(it.values.items())),
                     "base_score": it.score, "base_role": it.role, "base_reasons": it.reasons,
                     "found_by": sorted(it.found_by), "at": it.at.isoformat()}
        links.append({"incident_id": iid, "evidence_id": it.id, "rank": rank, "score": round(score, 4), "role": role,
                      "reasons": reasons, "breakdown": breakdown, "group_key": it.group})
    keep = {lk["evidence_id"] for lk in links}
    old = {int(r["evidence_id"]) for r in rows(session, "SELECT evidence_id FROM evidence_link WHERE incident_id = :i", {"i": iid})}
    stale = sorted(old - keep)
    for batch in chunks(stale):
        rows_deleted = session.execute(_delete_links_stmt(), {"i": iid, "ids": batch}).rowcount  # type: ignore[attr-defined]
        written["evidence_link_deleted"] += max(rows_deleted or 0, 0)
    written["evidence_link"] += upsert(session, "evidence_link", links)
    old_groups = {r["group_key"] for r in rows(session, "SELECT group_key FROM evidence_group WHERE incident_id = :i", {"i": iid})}
    stale_groups = sorted(old_groups - {g["group_key"] for g in groups})
    for batch in chunks(stale_groups):
        result = session.execute(_delete_groups_stmt(), {"i": iid, "k": batch})
        written["evidence_group_deleted"] += max(result.rowcount or 0, 0)  # type: ignore[attr-defined]
    written["evidence_group"] += upsert(session, "evidence_group", groups)
    summary = {"impact_start": est_detail, "service": ctx.service, "chat_channels": sorted(ctx.chat_channels),
               "repo_affinity": {k: list(v) for k, v in sorted(repo_aff.items())},
               "query_terms": sorted(ctx.query, key=lambda t: (-ctx.query[t], t))[:30], "weights": WEIGHTS}
    inv = {"incident_id": iid, "incident_number": ctx.incident.get("incident_number"), "title": ctx.incident.get("title"),
           "impact_start": impact, "impact_start_source": source, "detected_at": ctx.page_at,
           "resolved_at": ctx.resolved_at, "window_start": start, "window_end": end,
           "lookback_seconds": int(lookback.total_seconds()), "summary": _jsonable(summary)}
    changed = upsert(session, "investigation", [inv])
    if changed or sum(written.values()):
        upsert(session, "investigation", [{"incident_id": iid, "correlated_at": now or datetime.now(UTC)}])
    written["investigation"] += changed
    return dict(written)


def _delete_links_stmt() -> Any:
    from sqlalchemy import bindparam, text

    return text("DELETE FROM evidence_link WHERE incident_id = :i AND evidence_id IN :ids").bindparams(
        bindparam("ids", expanding=True))


def _delete_groups_stmt() -> Any:
    from sqlalchemy import bindparam, text

    return text("DELETE FROM evidence_group WHERE incident_id = :i AND group_key IN :k").bindparams(
        bindparam("k", expanding=True))


def _jsonable(value: Any) -> Any:
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_jsonable(v) for v in value]
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, float) and math.isnan(value):
        return None
    return value
