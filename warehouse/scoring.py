"""Scoring of correlation candidates: every signal, one reason per signal, and roles.

Score = sum of weighted signals, each in [0, 1] before weighting (see WEIGHTS); every signal that
moved the score writes one reason line.
"""

from __future__ import annotations

from collections import Counter
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy.orm import Session

from warehouse.affinity import Affinity
from warehouse.candidates import refs_from, resolve_pr_refs
from warehouse.context import (
    GENERIC_SERVICE_WORDS,
    STATED_LEEWAY,
    SYMPTOM_HORIZON,
    IncidentContext,
    Symptom,
    _clip,
    _subject,
    incident_texts,
)
from warehouse.item import Item
from warehouse.signals import (
    announces_change,
    answers_no,
    change_facts,
    customer_strength,
    is_paging_action,
    machine_failure,
    rules_out,
    symptom_strength,
)
from warehouse.sqlutil import rows
from warehouse.textsim import BM25, identifiers, template, tokenize

AFTER_RESOLUTION = timedelta(days=2)
LANDING_WITHIN_HOURS = 4  # a change that landed this close before impact start is a suspect (half-life 1 h)
LANDING_SLACK = timedelta(minutes=15)  # impact start is an estimate: a change a little after it still counts
LATE_CHANGE = timedelta(hours=1)  # a change merged this long after impact start cannot have started it
FOLLOW_UP_AFTER_HOURS = 6  # a fix merged later than this after resolution is a follow-up, not the fix of the outage

TIME_HALF_LIFE_DAYS = 14.0      # before impact start: 2 weeks halves the time signal
AFTER_HALF_LIFE_DAYS = 1.0      # after resolution, evidence fades fast
NOISY_RUN_WINDOW = timedelta(days=21)
NOISY_RUN_MIN = 3  # pages of one alert of another service that make a run
QUIET_SPELL = timedelta(days=7)  # a repeated message back after this long is news again
RULED_OUT_WITHIN = timedelta(hours=1)  # a hypothesis is dropped within this time of being put forward
ANSWERED_WITHIN = timedelta(minutes=10)  # a question about a change is answered by the next line within this time
FORERUNNER_WITHIN = timedelta(hours=12)  # an alert in the incident's words this long before impact start foretells it
OPENING_WITHIN = timedelta(minutes=30)  # a line linking the page this soon after it opens the response
DETAIL_LIMIT = 600  # candidates that get the costlier signals (identifiers, patch analysis)


class Scorer:
    """Applies every signal to the candidates and assigns roles."""

    def __init__(self, session: Session, ctx: IncidentContext, impact: datetime, start: datetime, end: datetime,
                 repo_aff: Affinity, chan_aff: Affinity, items: dict[int, Item]) -> None:
        self.session, self.ctx, self.impact, self.start, self.end = session, ctx, impact, start, end
        self.repo_aff, self.chan_aff, self.items = repo_aff, chan_aff, items
        self.by_nid = {(it.row["source"], it.nid): it for it in items.values()}
        self.detection: dict[str, dict[str, Any]] = {}  # PR native id -> run details
        self.trigger: Item | None = None
        self._other_pages: list[dict[str, Any]] | None = None  # high-urgency pages of other services, loaded once
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
        self._routine_instances()
        self._references()
        self._landings()
        self._ruled_out()
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

    def _routine_instances(self) -> None:
        """A routine announcement (a daily job, a bot) matters when this instance names what the incident is about."""
        for it in self.items.values():
            cut = it.row.get("_routine")
            if cut and it.values.get("identifier", 0) > 0:
                it.add("content", cut, "routine, but this instance names an identifier the incident is about")

    def _identifiers(self) -> None:
        """Rare code identifiers (snake_case, camelCase, dotted) shared with the incident's notes, chat and alerts."""
        ctx = self.ctx
        wanted = {i for t in incident_texts(ctx) for i in identifiers(t)}
        # Early signals name things too (a job, a partition): a weaker, second-hand match, except for
        # the first signal of each kind, which names what broke first.
        from_symptoms = {i for s in ctx.symptoms for i in identifiers(s.text)} - wanted
        firsts = []
        for group in ([s for s in ctx.symptoms if _machine(s)], [s for s in ctx.symptoms if not _machine(s)]):
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
        alike: dict[str, list[Item]] = {}
        for it in self.items.values():
            r = it.row
            if r["source"] == "slack" and r["text"]:
                body = r["text"]
            elif r["source"] == "pagerduty" and r["kind"] == "change_event" and r["title"]:
                body = r["title"]  # recurring jobs announce themselves with the same words every day
            else:
                continue
            k = r["source"] + ":" + template(body)
            if len(k) > 20:
                key[it.id] = k
                seen[k] += 1
                alike.setdefault(k, []).append(it)
        # A failure line that starts (again) just before the page, after a quiet spell, is news, not routine.
        back: dict[int, float] = {}
        for its in alike.values():
            its.sort(key=lambda i: (i.at, i.nid))
            for prev, it in zip([None, *its], its, strict=False):
                gap = (it.at - prev.at).days if prev else None
                if it.at >= self.ctx.page_at - SYMPTOM_HORIZON and (gap is None or gap >= QUIET_SPELL.days) \
                        and machine_failure(it.row["text"] or it.row["title"]):
                    back[it.id] = gap or 0
        for it in self.items.values():
            k = key.get(it.id, "")
            n = seen.get(k, 0)
            if it.id in back:
                if back[it.id]:
                    it.add("storyline", 0.3, f"posted again after {back[it.id]} quiet days, just before the page")
                continue
            if n >= 2 and it.values.get("content", 0) > 0:
                cut = min(it.values["content"], 0.5)
                it.add("content", -cut, f"the same text was posted {n} times in the window")
                it.row["_routine"] = cut

    def _time(self, it: Item) -> None:
        if it.at <= self.impact:
            days = (self.impact - it.at).total_seconds() / 86400
            value = 0.5 ** (days / TIME_HALF_LIFE_DAYS)
            it.add("time", value, f"{_days(days)} before impact start")
        elif it.pr is not None and it.at <= self.ctx.page_at and it.at > self.impact + LATE_CHANGE:
            # Merged once the harm had begun: it cannot have started it (a decoy the war room rules out).
            it.add("time", 0.3, f"merged {_days((it.at - self.impact).total_seconds() / 86400)} after impact start, "
                                "too late to have started it")
            it.row["_late"] = True
        elif it.at <= self.ctx.end_of_response:
            if it.row["kind"] == "change_event" and it.at > self.ctx.page_at:
                # A change made after the page cannot have caused it: it is part of the response.
                it.add("time", 0.5, "a change made during the response, after the page")
                it.row["_mitigation"] = True
            else:
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
        for pid, ref, pr_nid in resolve_pr_refs(self.session, refs_from(self.session, sources), self.repo_aff):
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
            if it is not None and (it.row["attributes"] or {}).get("bot"):
                it.add("reference", 0.1, "a bot relaying this incident")  # the page itself, said again
            elif it is not None and it.row["source"] == "slack" and not it.row.get("_names") \
                    and ctx.page_at <= it.at <= ctx.page_at + OPENING_WITHIN:
                # "opened <link>: customers in PT can't ..." retells the page; the page itself tells it.
                it.add("reference", 0.2, "links this incident as the response opens")
            elif it is not None:
                it.add("reference", 0.5, "cites this incident")
        # Reverts between candidates, in both directions.
        gh = [("github", it.nid) for it in self.items.values() if it.row["source"] == "github"]
        reverts = [r for r in refs_from(self.session, gh) if r["ref_kind"] == "revert"]
        for pid, ref, target_nid in resolve_pr_refs(self.session, reverts, self.repo_aff):
            src = self.by_nid.get((ref["from_source"], ref["from_native_id"]))
            dst = self.items.get(pid)
            if src is not None and dst is not None:
                src.add("reference", 0.5, f"reverts {target_nid}")
                dst.add("reference", 0.5, f"reverted by {src.nid}")
                src.row["_reverts"] = target_nid

    def _landings(self) -> None:
        """What reached production shortly before impact start is every responder's first suspect: a change
        merged, or deployed by a change event that links it, in the hours before; the closer, the stronger."""
        prs = {it.nid: it for it in self.items.values() if it.pr is not None and it.pr.get("merged_at")
               and it.at <= self.ctx.page_at}
        landed = {nid: [(it.at, "merged")] for nid, it in prs.items()}
        events = [it for it in self.items.values() if it.row["kind"] == "change_event"]
        for ref in refs_from(self.session, [("pagerduty", it.nid) for it in events]) if prs else []:
            pr = prs.get(str(ref["target"])) if ref["ref_kind"] == "pull_request" else None
            ev = self.by_nid.get((ref["from_source"], ref["from_native_id"]))
            if pr is not None and ev is not None and pr.at <= ev.at <= pr.at + timedelta(days=2):
                landed[pr.nid].append((ev.at, "deployed"))
        for nid, times in landed.items():
            before = [(t, how) for t, how in times if t <= self.impact + LANDING_SLACK]
            if not before:
                continue
            t, how = max(before)
            hours = max((self.impact - t).total_seconds() / 3600, 0.0)
            if hours <= LANDING_WITHIN_HOURS:
                prs[nid].add("time", 0.6 * 0.5 ** hours, f"{how} {_days(hours / 24)} before impact start")
                prs[nid].row["_landed"] = True

    def _ruled_out(self) -> None:
        """A change a responder put forward and then dropped ("rollback done, still failing. not the image")
        is a hypothesis ruled out: the line that drops it follows, within the hour and in the same channel,
        the line that named the change, from the same person or naming what that line was about."""
        chat = sorted((m for m in self.ctx.chat if m["occurred_at"] <= self.ctx.end_of_response),
                      key=lambda m: m["occurred_at"])
        for i, m in enumerate(chat):
            dropped = rules_out(m["text"])
            if dropped is None:
                self._answered_no(m, chat[:i])
                continue
            phrase, thing = dropped
            for h in reversed(chat[:i]):
                if m["occurred_at"] - h["occurred_at"] > RULED_OUT_WITHIN:
                    break
                speaker = self.by_nid.get(("slack", h["native_id"]))
                names = speaker.row.get("_names", []) if speaker else []
                if not names or h["container"] != m["container"]:
                    continue
                # "not the image" must be about what that line named; a bare "not it" about the speaker's own line.
                if not (set(tokenize(thing)) & set(tokenize(h["text"])) if thing else h["actor"] == m["actor"]):
                    continue
                self._rule_out(names, phrase, m)
                break

    def _answered_no(self, m: dict[str, Any], before: list[dict[str, Any]]) -> None:
        """A change asked about ("envoy 1.32 went out yesterday (PR 79), could the filter have changed?") and
        answered no by the next speaker in that channel within minutes ("don't think so, ...") is ruled out."""
        no = answers_no(m["text"])
        h = next((h for h in reversed(before) if h["container"] == m["container"]), None)
        if no is None or h is None or h["actor"] == m["actor"] or "?" not in (h["text"] or "") \
                or m["occurred_at"] - h["occurred_at"] > ANSWERED_WITHIN:
            return
        speaker = self.by_nid.get(("slack", h["native_id"]))
        self._rule_out(speaker.row.get("_names", []) if speaker else [], no, m)

    def _rule_out(self, names: list[str], phrase: str, m: dict[str, Any]) -> None:
        for nid in names:
            it = self.by_nid[("github", nid)]
            if not it.row.get("_ruled_out"):
                it.add("reference", -0.6, f"ruled out in the incident's chat: \u201c{phrase}\u201d, "
                                          f"{m['actor_name'] or m['actor']} said")
                it.row["_ruled_out"] = phrase

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
        ctx = self.ctx
        first_human = min((s for s in ctx.symptoms if not _machine(s)), key=lambda s: s.at, default=None)
        quiet = [s for s in ctx.symptoms if _machine(s)]
        # An incident and its alert arrive at the same instant: both are the first quiet signal. A bot's line in
        # chat and PagerDuty's own record of an alert that paged no one are told apart: each has a first.
        # A signal hours before impact start is about something else, unless it kept firing into the impact (the
        # same alert, or a bot's line on the same subject: `bookings-cdc` FAILED, still FAILED) or, within
        # FORERUNNER_WITHIN, is in the incident's own words (free storage low, before storage-full).
        since = {k for s in quiet if s.at >= self.impact - STATED_LEEWAY for k in (template(s.text), _subject(s.text)) if k}
        own = set(tokenize(ctx.incident.get("title"))) - GENERIC_SERVICE_WORDS - ctx.service_tokens
        kept = [s for s in quiet if s.at >= self.impact - STATED_LEEWAY or {template(s.text), _subject(s.text)} & since
                or s.at >= self.impact - FORERUNNER_WITHIN and {t for t in tokenize(s.text) if not t.isdigit()} & own
                ] or quiet
        first_quiet = {s.evidence_native_id for s in kept
                       if s.at == min(q.at for q in kept if q.source == s.source)}
        seen_titles: set[str] = set()
        # Incidents before their own alerts, so a repeat is judged incident against incident.
        ordered = sorted(self.items.values(), key=lambda i: (i.at, i.row["kind"] != "incident", i.nid))
        for it in ordered:
            r = it.row
            s = self.symptom_nids.get((r["source"], it.nid))
            if s is not None:
                value = 1.0 if s.kind == "customer_report" else 0.8
                why = f"early sign of impact before the page ({s.kind.replace('_', ' ')})"
                if r.get("_detail_of") and ("pagerduty", r["_detail_of"]) in self.symptom_nids:
                    value, why = value * 0.3, f"alert of {r['_detail_of']}, which paged no one"
                elif _machine(s):
                    title = template(r["title"])
                    if title in seen_titles:
                        value, why = value * 0.4, f"repeats an earlier alert that paged no one ({s.kind.replace('_', ' ')})"
                    elif first_quiet and it.nid not in first_quiet:
                        value = 0.45  # another alert that paged no one; the first one carries the story
                    else:
                        why = "the first alert that paged no one, before the page"
                    seen_titles.add(title)
                elif first_human is not None and s.evidence_native_id == first_human.evidence_native_id:
                    value, why = 1.0, "the first person to notice, before the page"
                    r["_keystone"] = True
                    it.add("storyline", 0.5, "the first sign of impact in chat")
                if _machine(s) and value >= 0.8:
                    r["_keystone"] = True
                    if ctx.first_sign is not None and s.at == ctx.first_sign.at:  # impact start is dated by it
                        it.add("storyline", 0.5, "the first sign of impact: impact start is dated by it")
                it.add("symptom", value, why)
                r["_symptom"] = s.kind
            elif r["source"] == "slack" and self.start <= it.at < ctx.page_at and it.at >= self.impact - timedelta(days=2):
                body = r["text"] or ""
                if symptom_strength(body) and set(it.doc) & ctx.key_terms and not (r["attributes"] or {}).get("bot") \
                        and not announces_change(body):
                    cust = customer_strength(body, r["container_name"])
                    it.add("symptom", 0.3 + 0.2 * cust, "reads like a report of something broken, near impact start")
                    r["_symptom"] = "customer_report" if cust >= 0.6 else "early_signal"
            elif (r["source"] == "pagerduty" and r["kind"] == "incident" and not r.get("_own")
                  and (r["attributes"] or {}).get("urgency") == "low" and self.impact - timedelta(days=2) <= it.at < ctx.page_at
                  and r["container"] != (ctx.service or {}).get("id") and it.values.get("content", 0) >= 0.1):
                # The harm shows up downstream too: another service's quiet alert in the incident's words.
                it.add("symptom", 0.4, "a low-urgency alert of another service, in the incident's words, near impact start")
                r["_symptom"] = "early_signal"
        # Replies right after a customer report in the same channel usually add more reports.
        reports = sorted((it.at, it.row["container"], it.nid) for it in self.items.values()
                         if it.row.get("_symptom") == "customer_report" and it.row["source"] == "slack")
        for it in self.items.values():
            r = it.row
            if r["source"] != "slack" or r.get("_symptom") == "customer_report" or (r["attributes"] or {}).get("bot"):
                continue
            first = next((n for t, c, n in reports if c == r["container"] and t < it.at <= t + timedelta(minutes=90)), None)
            if first is None or it.at > ctx.page_at + timedelta(hours=1) or is_paging_action(r["text"]):
                continue
            if r.get("_symptom"):
                r["_symptom"] = "customer_report"
            else:
                it.add("symptom", 0.25, "follows a customer report in the same channel")
            r["_follows_report"] = first

    # detection weakening
    def _detection(self) -> None:
        ctx = self.ctx
        pages = [i for i in ctx.service_incidents if i["id"] != ctx.incident_id]
        # Words in most of the service's distinct alert titles (its name, its namespace, "firing") tell no
        # alert apart; one alert paging often does not make its own words common.
        alerts = {template(p["title"]) for p in pages}
        title_words = Counter(t for a in alerts for t in set(a.split()))
        common = {t for t, n in title_words.items() if n >= max(2, len(alerts) / 2)} | GENERIC_SERVICE_WORDS
        common |= set(tokenize(ctx.service["name"])) if ctx.service else set()
        candidates = []
        for it in self.items.values():
            if not it.pr or not it.pr.get("merged_at") or it.pr["merged_at"] > ctx.page_at or it.id not in self.detailed:
                continue
            it.facts = facts = change_facts(it.pr["title"], it.pr["body"], it.files, it.pr.get("removed_paths", ()))
            if facts.strength > 0:
                candidates.append((it.pr["merged_at"], it.nid, it, facts))
        answered: set[str] = set()
        for merged, _, it, facts in sorted(candidates, key=lambda c: c[:2]):
            doc = set(it.doc) - common - {"error", "alert"}
            # The noisy pages of the alert this change touches: pages of other alerts are not its reason, and
            # pages an earlier weakening change tied to this incident answered are that change's reason.
            run = [p for p in pages if merged - NOISY_RUN_WINDOW <= p["created_at"] <= merged and p["urgency"] != "low"
                   and len(set(tokenize(p["title"])) & doc) >= 2 and p["id"] not in answered]
            ran_on = ctx.service["name"] if ctx.service else "the service"
            if not run:  # the alert it quieted may page another service (the edge's, the job runner's)
                run, ran_on = self._noisy_elsewhere(merged, doc, answered)
            quiet_after = [s for s in ctx.symptoms if s.source == "pagerduty" and s.at >= merged]
            # The PR 22 pattern: the alert this change quieted is the one that then fired and paged no one.
            same_alert = [s for s in quiet_after if len(set(tokenize(s.text)) & doc) >= 2]
            silent = sorted({s.at for s in quiet_after})
            page_words = set(tokenize(" ".join(p["title"] or "" for p in run)))
            overlap = len(page_words & doc)
            # Linked to this incident: by the affected service (its repos, its pages' words), or because
            # the incident's responders named the change or share its identifiers, whichever service paged.
            link = max(self.repo_aff.get(it.row["container"] or "", (0.0, ""))[0],
                       it.values.get("affinity", 0.0), min(1.0, overlap / 3),
                       1.0 if it.values.get("reference", 0.0) > 0 else 0.0,
                       0.8 * min(1.0, it.values.get("identifier", 0.0)))
            if not link:
                # A weakening change far from the affected service: mention it, weakly.
                it.add("detection", 0.1 * facts.strength, "changes detection, but not of the affected service")
                continue
            # Noisy pages of its alert before the change make the pattern surer, and so do responders naming it;
            # a change can weaken detection without either.
            sure = max(min(1.0, len(run) / 4), 0.7 if it.values.get("reference", 0) > 0 else 0.0)
            value = facts.strength * (0.45 + 0.35 * sure + 0.2 * min(1.0, link))
            if same_alert:
                value += 0.25
            elif silent:
                value += 0.05
            why = "; ".join(facts.facts)
            if run:
                first, last = run[0]["created_at"], run[-1]["created_at"]
                why += f"; merged after {len(run)} pages of {ran_on} ({first:%b %d}\u2013{last:%b %d})"
            if same_alert:
                why += f"; afterwards the alert it changed fired {len({s.at for s in same_alert})} time(s) and paged no one"
            elif silent:
                why += f"; afterwards {len(silent)} alert(s) of the service paged no one"
            # Weakening *this* incident's detection: the quieted alert then fired unheard, or the responders
            # named the change, or it shares the incident's identifiers or words. Else another alert's.
            tied = bool(same_alert) or it.values.get("reference", 0) > 0 or it.values.get("identifier", 0) > 0 \
                or it.values.get("content", 0) >= 0.3
            if tied:  # a change tied to this incident answered its noisy pages; a later change did not
                answered.update(p["id"] for p in run)
            else:
                value, why = value * 0.5, why + "; none of it ties to this incident's alerts or words"
            it.add("detection", min(1.0, value), f"weakens detection: {why}")
            silent_ids = {s.evidence_native_id for s in quiet_after}
            self.detection[it.nid] = {"run": run, "silent": silent, "silent_ids": silent_ids, "facts": facts,
                                      "tied": tied}
        # The pages behind a weakening change belong to its story.
        strongest = sorted((self.by_nid[("github", nid)].values.get("detection", 0), nid) for nid in self.detection)
        run_ids: dict[str, str] = {}
        last_page: dict[str, str] = {}
        for value, nid in strongest:  # the strongest change claims the pages last
            if value >= 0.35 and self.detection[nid]["run"] and self.detection[nid]["tied"]:
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
        self._quieted_elsewhere([nid for value, nid in strongest if value >= 0.35 and self.detection[nid]["tied"]])

    def _quieted_elsewhere(self, weakening: list[str]) -> None:
        """The PR 22 pattern on another service: a low-urgency incident near impact start whose alert a
        weakening change tied to this incident is about (re-routed, downgraded) fired and paged no one."""
        ctx = self.ctx
        for it in self.items.values():
            r = it.row
            if not (r["source"] == "pagerduty" and r["kind"] == "incident" and not r.get("_own")
                    and (r["attributes"] or {}).get("urgency") == "low" and r["container"] != (ctx.service or {}).get("id")
                    and self.impact - timedelta(hours=12) <= it.at < ctx.page_at):
                continue
            words = set(tokenize(r["title"])) - set(tokenize(r["container_name"])) - GENERIC_SERVICE_WORDS
            for nid in weakening:
                change = self.by_nid[("github", nid)]
                if change.pr and change.pr["merged_at"] < it.at and len(words & set(change.doc)) >= 2:
                    it.add("symptom", 0.8, f"the alert {nid} quieted, firing near impact start and paging no one")
                    r["_symptom"] = "early_signal"
                    self.detection[nid]["silent_ids"].add(it.nid)
                    break

    def _noisy_elsewhere(self, merged: datetime, doc: set[str], answered: set[str]) -> tuple[list[dict[str, Any]], str]:
        """The run of pages of one alert of another service before `merged` that the change names (the same
        alert at least NOISY_RUN_MIN times, its title sharing 2 of the change's distinctive words), and that
        service's name."""
        if self._other_pages is None:
            self._other_pages = rows(
                self.session, "SELECT i.id, i.title, i.urgency, i.created_at, s.name AS service FROM pd_incident i "
                "LEFT JOIN pd_service s ON s.id = i.service_id WHERE i.created_at >= :a AND i.created_at <= :b "
                "AND i.urgency <> 'low' AND (i.service_id IS NULL OR i.service_id <> :s) ORDER BY i.created_at",
                {"a": self.start - NOISY_RUN_WINDOW, "b": self.ctx.page_at,
                 "s": (self.ctx.service or {}).get("id") or ""}, times=("created_at",))
        runs: dict[str, list[dict[str, Any]]] = {}
        for p in self._other_pages:
            if merged - NOISY_RUN_WINDOW <= p["created_at"] <= merged and p["id"] not in answered:
                runs.setdefault(template(p["title"]), []).append(p)
        best = max((r for r in runs.values() if len(r) >= NOISY_RUN_MIN
                    and len(set(tokenize(r[0]["title"])) & (doc - set(tokenize(r[0]["service"])))) >= 2),
                   key=len, default=[])
        return best, (best[0]["service"] or "another service") if best else ""

    # roles
    def _roles(self) -> None:
        ctx = self.ctx
        prs = [it for it in self.items.values() if it.pr is not None]
        before = [it for it in prs if it.at <= ctx.page_at and it.pr and it.pr.get("merged_at")]
        for it in prs:
            found = self.detection.get(it.nid, {})
            # A change that landed just before impact start and weakens detection only by its patch (no noisy
            # pages before it, no word of less paging) is first a suspect for the trigger.
            by_patch_only = not found.get("run") and it.facts is not None and not it.facts.intent_strength
            if it.values.get("detection", 0) >= 0.35 and found.get("tied") and not (by_patch_only and it.row.get("_landed")):
                it.role = "detection_weakened"
        causes = sorted((it for it in before if it.role != "detection_weakened" and not it.row.get("_ruled_out")
                         and not it.row.get("_late")),
                        key=lambda i: (-(i.signals.get("content", 0) + i.signals.get("reference", 0)
                                         + i.signals.get("affinity", 0) + i.signals.get("time", 0)), i.nid))
        if causes and (causes[0].values.get("content", 0) >= 0.3 or causes[0].values.get("reference", 0) > 0):
            self.trigger = causes[0]
            causes[0].role = "trigger"
            causes[0].add("storyline", 0.5, "the strongest candidate change before the page")
        for it in causes[1:]:
            # Another change the responders named, or one close in content to the affected service's.
            if it.values.get("reference", 0) > 0 or (it.values.get("content", 0) >= 0.4 and it.values.get("affinity", 0) > 0):
                it.role = "contributor"
        # What happened between the trigger and the first sign of impact is how the change unfolded.
        if self.trigger is not None:
            t0, t1 = self.trigger.at, min(self.impact + timedelta(hours=6), ctx.page_at)
            for it in self.items.values():
                if it.pr is not None or it.row.get("_own") or it.row.get("_symptom") or not t0 < it.at <= t1:
                    continue
                if it.values.get("affinity", 0) > 0 and (it.values.get("identifier", 0) > 0
                                                         or it.values.get("content", 0) >= 0.3):
                    it.add("storyline", 0.5, f"happened between {self.trigger.nid} merging and the first sign of impact")
                    it.row["_unfolds"] = self.trigger.nid
        # The chat line that tied the incident to a change is the moment the cause was found.
        culprits = {it.nid for it in prs if it.role in ("trigger", "detection_weakened")}
        cause = self.trigger.nid if self.trigger is not None else None
        for it in self.items.values():
            named = [n for n in it.row.get("_names", []) if n in culprits]
            if cause in named:
                it.add("storyline", 1.0, f"ties the incident to {cause}")
                it.row["_keystone"] = True
            elif named:  # why nobody was paged: worth reading, yet a second copy of the weakening change's story
                it.add("storyline", 0.5, f"ties the incident's silence to {named[0]}")
        # What a culprit cites as its reason (a thread asking for it, a ticket) is part of its story.
        urls = {r["target"]: r["from_native_id"] for r in rows(
            self.session, "SELECT from_native_id, target FROM evidence_ref WHERE from_source = 'github' "
            "AND ref_kind = 'url' AND from_native_id IN :n", {"n": sorted(culprits)})} if culprits else {}
        for it in self.items.values():
            cited_by = urls.get(it.row["url"] or "")
            if cited_by and it.pr is None and it.at <= self.by_nid[("github", cited_by)].at:
                it.add("storyline", 1.0, f"{cited_by} cites it as the reason for the change")
                it.row["_cited_by"] = cited_by
                if self.by_nid[("github", cited_by)].role == "detection_weakened":
                    it.add("detection", 0.25, f"what {cited_by} answered by weakening detection")
        # A fix comes after the page and touches what a culprit touched, or names the culprit.
        culprit_items = [it for it in prs if it.nid in culprits]
        gh_refs = refs_from(self.session, [("github", it.nid) for it in prs if it.at > ctx.page_at])
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
            follow_up = False
            if culprit is not None or it.values.get("reference", 0) > 0 or it.values.get("content", 0) >= 0.3:
                it.role = "fix"
                late = (it.at - ctx.end_of_response).total_seconds() / 3600
                if ctx.resolved_at is not None and late > FOLLOW_UP_AFTER_HOURS:
                    follow_up = True
                    it.add("storyline", -0.5, f"a follow-up, merged {late:.0f} h after the incident was resolved")
            if culprit is not None:
                how = f"changes the same files as {culprit.nid} ({sorted(shared)[0]})" if shared else f"cites {culprit.nid}"
                # Restoring the detection a change weakened, once it is over, closes that story, not the incident.
                restores = follow_up and culprit.role == "detection_weakened"
                it.add("storyline", 0.2 if restores else 0.6, how + (", restoring the detection it weakened" if restores else ""))
                it.row["_fixes"] = culprit.nid
        self._shipments(prs)
        for it in self.items.values():
            r = it.row
            if it.pr is not None:
                continue
            if r["source"] == "github":
                parent = self.by_nid.get(("github", r["parent_native_id"] or ""))
                it.role = parent.role if parent and parent.role in ("trigger", "detection_weakened", "fix") else "context"
                it.add("incident", -0.3, f"a detail of {r['parent_native_id']}" if r["parent_native_id"] else None)
            elif r["source"] == "slack" and is_paging_action(r["text"]) and it.at >= ctx.page_at - timedelta(hours=2) \
                    and not (r.get("_symptom") == "customer_report" and it.at < ctx.page_at):
                it.role = "response"  # someone paging or escalating is already responding, unless relaying customers
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
            elif r.get("_mitigation"):
                it.role = "response"
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

    def _shipments(self, prs: list[Item]) -> None:
        """A change event that links a culprit or a fix, soon after it merged, is that change reaching
        production: the same fact, told by the deploy tool, so it joins that change's storyline."""
        ranked = {it.nid: it for it in prs if it.role in ("trigger", "detection_weakened", "fix")}
        events = [it for it in self.items.values() if it.row["kind"] == "change_event"]
        for ref in refs_from(self.session, [("pagerduty", it.nid) for it in events]):
            pr = ranked.get(str(ref["target"])) if ref["ref_kind"] == "pull_request" else None
            ev = self.by_nid.get((ref["from_source"], ref["from_native_id"]))
            if pr is None or ev is None or not pr.at - timedelta(hours=1) <= ev.at <= pr.at + timedelta(days=2):
                continue
            ev.row["_ships"] = pr.nid
            ev.add("storyline", 0.3, f"ships {pr.nid} ({pr.role.replace('_', ' ')})")


def _machine(s: Symptom) -> bool:
    """An alert or a bot's failure line, not a person noticing."""
    return s.source == "pagerduty" or s.automated


def _days(days: float) -> str:
    if days < 1 / 24:
        return f"{days * 24 * 60:.0f} min"
    if days < 1:
        return f"{days * 24:.0f} h"
    return f"{days:.1f} days"
