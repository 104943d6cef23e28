"""Affinity learned from the warehouse: which repos and channels belong to the incident's service.

A repo belongs to a service when its name carries the service's words, when the service's responders
write its PRs, or when its PRs are cited in chat near the service's pages; settings may add more.
"""

from __future__ import annotations

import bisect
from collections import Counter
from collections.abc import Mapping, Sequence
from datetime import datetime, timedelta

from sqlalchemy.orm import Session

from warehouse.context import IncidentContext
from warehouse.sqlutil import rows
from warehouse.textsim import tokenize

Affinity = dict[str, tuple[float, str]]  # container -> (strength 0..1, reason)


def _keep(aff: Affinity, key: str, value: float, why: str) -> None:
    if value > aff.get(key, (0.0, ""))[0]:
        aff[key] = (round(min(value, 1.0), 4), why)


def repo_affinity(session: Session, ctx: IncidentContext, start: datetime, end: datetime,
                  hints: Sequence[str] = ()) -> Affinity:
    """Repo full name -> (strength, reason) for the incident's service."""
    aff: Affinity = {}
    svc = ctx.service["name"] if ctx.service else "the service"
    for repo in hints:
        _keep(aff, repo, 1.0, f"settings map {repo} to {svc}")
    for r in rows(session, "SELECT full_name, name, description FROM gh_repository"):
        if ctx.service_tokens & set(tokenize(r["name"])):
            _keep(aff, r["full_name"], 1.0, f"repo name {r['name']} matches service {svc}")
    if ctx.responder_handles:
        totals: Counter[str] = Counter()
        by_resp: Counter[str] = Counter()
        for r in rows(session, "SELECT repo_full_name, author_login, count(*) AS n FROM gh_pull_request "
                      "WHERE created_at >= :a AND created_at <= :b GROUP BY repo_full_name, author_login",
                      {"a": start - timedelta(days=60), "b": end}):
            totals[r["repo_full_name"]] += int(r["n"])
            if r["author_login"] in ctx.responder_handles:
                by_resp[r["repo_full_name"]] += int(r["n"])
        for repo, n in by_resp.items():
            share = n / max(totals[repo], 1)
            if n >= 2:
                _keep(aff, repo, 0.8 * min(1.0, share * 1.5),
                      f"{n} of {totals[repo]} recent PRs in {repo} are by {svc}'s responders")
    pages = sorted(i["created_at"] for i in ctx.service_incidents if i["created_at"] <= ctx.page_at + timedelta(days=1))
    if pages:
        lo, hi = start - timedelta(days=90), end
        near: Counter[str] = Counter()
        total: Counter[str] = Counter()
        for r in rows(session, "SELECT r.target, e.occurred_at FROM evidence_ref r JOIN evidence e "
                      "ON e.source = r.from_source AND e.native_id = r.from_native_id "
                      "WHERE r.ref_kind = 'pull_request' AND r.from_source IN ('slack', 'pagerduty') "
                      "AND e.occurred_at >= :a AND e.occurred_at <= :b", {"a": lo, "b": hi},
                      times=("occurred_at",)):
            at, repo = r["occurred_at"], r["target"].split("#")[0]
            total[repo] += 1
            i = bisect.bisect_left(pages, at - timedelta(days=1))
            if i < len(pages) and pages[i] <= at + timedelta(days=1):
                near[repo] += 1
        # A noisy service is near everything: count a repo only when it is cited near pages more than chance.
        coverage = _coverage(pages, timedelta(days=1), lo, hi)
        for repo, n in near.items():
            lift = n / max(total[repo] * coverage, 1e-9)
            if n >= 2 and lift >= 2.0:
                _keep(aff, repo, 0.7 * min(1.0, n / 3) * min(1.0, lift / 4),
                      f"its PRs are cited {n}x in chat near {svc}'s pages ({lift:.1f}x chance)")
    return aff


def _coverage(points: Sequence[datetime], radius: timedelta, lo: datetime, hi: datetime) -> float:
    """Share of [lo, hi] within ``radius`` of some point (the chance that a random time is "near a page")."""
    span = (hi - lo).total_seconds()
    if span <= 0:
        return 1.0
    covered, cur_start, cur_end = 0.0, None, None
    for p in points:
        a, b = max(p - radius, lo), min(p + radius, hi)
        if b <= a:
            continue
        if cur_end is None or a > cur_end:
            if cur_end is not None and cur_start is not None:
                covered += (cur_end - cur_start).total_seconds()
            cur_start, cur_end = a, b
        else:
            cur_end = max(cur_end, b)
    if cur_end is not None and cur_start is not None:
        covered += (cur_end - cur_start).total_seconds()
    return min(1.0, covered / span)


def channel_affinity(ctx: IncidentContext, messages: Sequence[Mapping[str, object]],
                     hints: Sequence[str] = ()) -> Affinity:
    """Slack channel id -> (strength, reason): the incident chat, symptom channels, channels that name the service."""
    aff: Affinity = {}
    svc = ctx.service["name"] if ctx.service else "the service"
    for ch in hints:
        _keep(aff, ch, 1.0, f"settings map this channel to {svc}")
    for ch in ctx.chat_channels:
        _keep(aff, ch, 1.0, "channel where the incident was handled")
    named: Counter[str] = Counter()
    names: dict[str, str] = {}
    for m in messages:
        ch = str(m.get("container") or "")
        names[ch] = str(m.get("container_name") or ch)
        if ctx.service_tokens & set(tokenize(f"{m.get('text') or ''} {m.get('container_name') or ''}")):
            named[ch] += 1
    for ch, n in named.items():
        _keep(aff, ch, 0.6 * min(1.0, n / 4), f"{names[ch]} talks about {svc} ({n} messages)")
    return aff
