"""Candidate evidence of an incident: indexed SQL over its window (full text, service, references, changes)."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from warehouse.affinity import Affinity
from warehouse.context import EVIDENCE_COLUMNS, IncidentContext, fts_ids, fts_phrase_ids, incident_texts
from warehouse.item import Item
from warehouse.sqlutil import chunks, rows
from warehouse.textsim import identifiers

CANDIDATE_LIMIT = 1000  # per retrieval route; keeps Python work bounded on a large warehouse


def gather(session: Session, ctx: IncidentContext, start: datetime, end: datetime, repo_aff: Affinity,
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
    idents = sorted({i for t in incident_texts(ctx) + [s.text for s in ctx.symptoms] for i in identifiers(t)})
    add(fts_phrase_ids(session, [i.split("_") for i in idents], start, end, limit=500), "identifier")
    if ctx.service:
        add((r["id"] for r in rows(session, "SELECT id FROM evidence WHERE source = 'pagerduty' AND container = :s "
                                   "AND occurred_at >= :a AND occurred_at <= :b ORDER BY occurred_at DESC LIMIT :k",
                                   {"s": ctx.service["id"], "a": start, "b": end, "k": CANDIDATE_LIMIT})), "service")
    iid = ctx.incident_id
    own = {iid} | {a["id"] for a in ctx.alerts} | {n["id"] for n in ctx.notes} | {le["id"] for le in ctx.log_entries}
    add(ids_by_native(session, "pagerduty", own), "incident")
    add((m["id"] for m in ctx.chat), "chat")
    add(ids_by_native(session, "pagerduty", {s.evidence_native_id for s in ctx.symptoms if s.source == "pagerduty"}),
        "symptom")
    add(ids_by_native(session, "slack", {s.evidence_native_id for s in ctx.symptoms if s.source == "slack"}), "symptom")
    # Everything that cites the incident, wherever it lives.
    add((r["id"] for r in rows(
        session, "SELECT e.id FROM evidence_ref r JOIN evidence e ON e.source = r.from_source AND e.native_id = r.from_native_id "
        "WHERE r.ref_kind IN ('incident_number', 'incident_id') AND r.target IN :t",
        {"t": [iid, str(ctx.incident.get("incident_number"))]})), "cites_incident")
    # PRs named by the incident's chat and notes.
    add(referenced_prs(session, ctx, repo_aff), "named")
    affine = sorted(repo for repo, (s, _) in repo_aff.items() if s >= 0.3)
    for batch in chunks(affine, 200):
        add((r["id"] for r in rows(session, "SELECT id FROM evidence WHERE source = 'github' AND kind = 'pull_request' "
                                   "AND container IN :c AND occurred_at >= :a AND occurred_at <= :b LIMIT :k",
                                   {"c": batch, "a": start, "b": end, "k": CANDIDATE_LIMIT})), "affine_repo")
    add(monitoring_prs(session, start, ctx.page_at, ctx, affine), "monitoring")
    add(labels.keys(), "labeled")
    items = load_items(session, found)
    # The window is the investigator's choice: only labeled items may live outside it.
    return {k: it for k, it in items.items() if start <= it.row["occurred_at"] <= end or "labeled" in it.found_by}


def ids_by_native(session: Session, source: str, native_ids: set[str]) -> list[int]:
    out: list[int] = []
    for batch in chunks(sorted(native_ids)):
        out += [r["id"] for r in rows(session, "SELECT id FROM evidence WHERE source = :s AND native_id IN :n",
                                      {"s": source, "n": batch})]
    return out


def referenced_prs(session: Session, ctx: IncidentContext, repo_aff: Affinity) -> list[int]:
    """PR evidence ids named by the incident's chat and notes ("it's related to PR 23", links, owner/repo#N)."""
    sources = [("slack", m["native_id"]) for m in ctx.chat] + [("pagerduty", n["id"]) for n in ctx.notes]
    refs = refs_from(session, sources)
    return [pid for pid, _, _ in resolve_pr_refs(session, refs, repo_aff)]


def refs_from(session: Session, sources: Sequence[tuple[str, str]]) -> list[dict[str, Any]]:
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


def resolve_pr_refs(session: Session, refs: Sequence[Mapping[str, Any]],
                     repo_aff: Affinity) -> list[tuple[int, Mapping[str, Any], str]]:
    """(PR evidence id, the ref, the PR's native id) for refs that point at a PR; a bare number goes to the
    most affine repo that has a PR with that number."""
    out: list[tuple[int, Mapping[str, Any], str]] = []
    texts: dict[tuple[str, str], str] = {}
    for src in {r["from_source"] for r in refs if r["ref_kind"] == "pr_number"}:
        nids = sorted({r["from_native_id"] for r in refs if r["ref_kind"] == "pr_number" and r["from_source"] == src})
        for b in chunks(nids):
            for m in rows(session, "SELECT native_id, title, text FROM evidence WHERE source = :s AND native_id IN :n",
                          {"s": src, "n": b}):
                texts[(src, m["native_id"])] = f"{m['title'] or ''} {m['text'] or ''}"
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
            # "pager-config PR 39": the repo named just before the number wins over the most affine one.
            said = texts.get((ref["from_source"], ref["from_native_id"]), "")
            named = {w.lower() for w in re.findall(rf"([\w.-]+)\s+(?:(?:PR|pull request|pull)\s*#?\s*|#){target}\b",
                                                   said, re.I)}
            cands.sort(key=lambda c: (c["container"].split("/")[-1].lower() not in named,
                                      -repo_aff.get(c["container"], (0.0, ""))[0], c["native_id"]))
            hits = cands[:1]
        elif kind == "commit" and len(target) >= 7:
            hits = rows(session, "SELECT e.id, e.native_id FROM gh_pull_request p JOIN evidence e ON e.source = 'github' "
                        "AND e.kind = 'pull_request' AND e.native_id = p.repo_full_name || '#' || CAST(p.number AS VARCHAR(20)) "
                        "WHERE p.merge_commit_sha LIKE :s OR p.head_sha LIKE :s", {"s": target.lower() + "%"})[:1]
        else:
            hits = []
        out += [(int(h["id"]), ref, str(h["native_id"])) for h in hits]
    return out


def monitoring_prs(session: Session, start: datetime, end: datetime, ctx: IncidentContext,
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
    return ids_by_native(session, "github", wanted)


def load_items(session: Session, found: Mapping[int, set[str]]) -> dict[int, Item]:
    items: dict[int, Item] = {}
    for batch in chunks(sorted(found)):
        for r in rows(session, f"SELECT {EVIDENCE_COLUMNS} FROM evidence WHERE id IN :ids", {"ids": batch},  # noqa: S608 - constant SQL text; values are bound
                      times=("occurred_at",), jsons=("attributes",)):
            items[int(r["id"])] = Item(row=r, at=r["occurred_at"], found_by=set(found[int(r["id"])]))
    attach_prs(session, items)
    return items


def attach_prs(session: Session, items: dict[int, Item]) -> None:
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
                for f in rows(session, "SELECT pr_number, path, patch_excerpt, status FROM gh_pr_file WHERE repo_id = :r "
                              "AND pr_number IN :n ORDER BY path", {"r": rid, "n": batch}):
                    it = prs[f"{repo}#{f['pr_number']}"]
                    it.files.append((f["path"], f["patch_excerpt"]))
                    if f["status"] == "removed" and it.pr is not None:
                        it.pr.setdefault("removed_paths", []).append(f["path"])
    # Reviews and comments: the mapper folds their text into the PR's evidence text already.
