"""Ranking and storylines: damp alike items, apply labels, group evidence and summarise each group."""

from __future__ import annotations

import hashlib
from collections import Counter
from collections.abc import Mapping, Sequence
from typing import Any

from warehouse.context import _clip
from warehouse.queries import apply_label
from warehouse.scoring import Item, Scorer

MAX_LINKS = 400

Ranked = list[tuple[Item, float, str, list[str]]]


def finish(scorer: Scorer, labels: Mapping[int, str]) -> Ranked:
    """Order by score, damp storylines that already fill the top, apply investigator labels, keep MAX_LINKS."""
    items = sorted(scorer.items.values(), key=lambda i: (-i.score, i.at, i.nid))
    assign_groups(scorer, items)
    seen: Counter[tuple[str, str, str]] = Counter()
    for it in items:
        if it.group:
            # Alike items of one story (same role, same source) compete; different parts of a story do not.
            keys = [(it.group, it.role, it.row["source"])]
            if it.row["source"] == "slack":  # lines of one role in one channel tell one part, whatever they name
                keys.append(("channel", it.role, it.row["container"]))
            n = max(seen[k] for k in keys)
            seen.update(keys)
            # Diversity: an investigator learns more from the next part of a story than from a second
            # copy of a part already shown, so every alike item after the first gives up a share.
            if n >= 1 and it.score > 0 and not it.row.get("_keystone"):
                cut = round(it.score * min(0.12 * n, 0.6), 4)
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


def group_key(prefix: str, seed: str) -> str:
    return f"{prefix}-{hashlib.sha1(seed.encode()).hexdigest()[:10]}"


def assign_groups(scorer: Scorer, items: Sequence[Item]) -> None:
    ctx = scorer.ctx
    by_pr: dict[str, str] = {}
    for nid in scorer.detection:
        it = scorer.by_nid[("github", nid)]
        if it.role == "detection_weakened":
            by_pr[nid] = group_key("detection", nid)
    for it in items:
        if it.role in ("trigger", "contributor", "fix") and it.pr is not None and it.nid not in by_pr:
            by_pr[it.nid] = group_key("change", it.nid)
    for it in items:
        culprit = it.row.get("_fixes") or it.row.get("_reverts")
        if culprit in by_pr and it.pr is not None:
            by_pr[it.nid] = by_pr[culprit]
    impact_key = group_key("impact", ctx.incident_id)
    response_key = group_key("response", ctx.incident_id)
    triggers = sorted((t.at, t.nid) for t in items if t.role == "trigger" and t.pr is not None and t.nid in by_pr)

    def trigger_before(at: Any) -> str | None:
        # What happened between a change and the page belongs to that change's story (the latest one before).
        before = [nid for t_at, nid in triggers if t_at <= at <= ctx.page_at]
        return before[-1] if before else None

    for it in items:
        r = it.row
        if it.pr is not None and it.nid in by_pr:
            it.group = by_pr[it.nid]
        elif r["source"] == "github" and r["parent_native_id"] in by_pr:
            it.group = by_pr[r["parent_native_id"]]
        elif r.get("_ships") in by_pr:
            it.group = by_pr[r["_ships"]]
        elif r.get("_run_of") in by_pr:
            it.group = by_pr[r["_run_of"]]
        elif r.get("_cited_by") in by_pr:
            it.group = by_pr[r["_cited_by"]]
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
        elif it.role == "contributor" and (trigger := trigger_before(it.at)) is not None:
            it.group = by_pr[trigger]
        else:
            it.group = group_key("context", f"{r['source']}:{r['container'] or r['kind']}")


def storylines(scorer: Scorer, ranked: Ranked) -> list[dict[str, Any]]:
    """One row per group: title and one-line summary built from its members, ranked by best member."""
    members: dict[str, list[tuple[int, Item, str]]] = {}
    for rank, (it, _, role, _) in enumerate(ranked, start=1):
        if it.group:
            members.setdefault(it.group, []).append((rank, it, role))
    out = []
    for key, ms in members.items():
        title, summary = describe(scorer, key, ms)
        times = [m[1].at for m in ms]
        out.append({"incident_id": scorer.ctx.incident_id, "group_key": key, "title": title, "summary": summary,
                    "rank": ms[0][0], "first_at": min(times), "last_at": max(times)})
    out.sort(key=lambda g: int(g["rank"]))  # type: ignore[call-overload]
    for i, g in enumerate(out, start=1):
        g["rank"] = i
    return out


def item_label(it: Item) -> str:
    r = it.row
    if it.pr is not None:
        return f"{it.nid} \u201c{_clip(it.pr['title'] or '', 60)}\u201d"
    if r["source"] == "slack":
        return f"{r['container_name'] or r['container']}: \u201c{_clip(r['text'] or r['title'] or '', 60)}\u201d"
    return _clip(r["title"] or r["text"] or it.nid, 70)


def describe(scorer: Scorer, key: str, ms: list[tuple[int, Item, str]]) -> tuple[str, str]:
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
        steps.append(f"{item_label(pr)} merged {pr.at:%b %d}")
        if silent:
            steps.append(f"{len(silent)} alert(s) that paged no one before the incident")
        return f"Detection weakened: {item_label(pr)}", " \u2192 ".join(steps)
    if kind == "change":
        contributors = sorted((m for m in ms if m[1].pr is None and m[2] == "contributor" and not m[1].row.get("_names")),
                              key=lambda m: m[0])[:1]  # the best ranked of what followed the change
        shown = [m for m in ordered if m[1].pr is not None or m[1].row.get("_names") or m in contributors]
        steps = [f"{item_label(m[1])} ({m[2]}, {m[1].at:%b %d})" for m in shown]
        head = next((m[1] for m in ms if m[1].pr is not None), ms[0][1])
        return f"Change: {item_label(head)}", " \u2192 ".join(steps[:5]) or item_label(head)
    if kind == "impact":
        first = ordered[0][1]
        reports = sum(1 for m in ms if m[2] == "customer_report")
        steps = [f"first sign {first.at:%b %d %H:%M} ({item_label(first)})"]
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
