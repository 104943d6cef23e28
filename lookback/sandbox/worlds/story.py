"""The generic story generator: a `StorySpec` (service, team, repos, changes, words) becomes a world and its truth."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from lookback.sandbox.worlds.builder import WorldBuilder, epoch, iso, patch_text
from lookback.sandbox.worlds.edits import make_edits
from lookback.sandbox.worlds.noise import (
    DAY,
    EXTRA_TEAMS,
    NOISE_TEAMS,
    NoiseTeam,
    TeamSpec,
    add_bots,
    add_chat,
    add_common_channels,
    add_incidents,
    add_pulls,
    add_team_noise,
    make_people,
    setup_teams,
)
from lookback.sandbox.worlds.truth import Truth

HOUR = 3600.0
Files = tuple[tuple[str, str], ...]  # (filename, patch)


@dataclass(frozen=True)
class Change:
    """A PR of the story: author key, title, body (may use `{{url:h}}` placeholders) and patches."""

    author: str
    title: str
    body: str
    files: Files
    reviewer: str
    labels: tuple[str, ...] = ()


@dataclass(frozen=True)
class StorySpec:
    """Everything that differs between stories; `build_story` supplies the timeline and the noise."""

    name: str
    seed: int
    org: str
    page_at: str  # when the incident is paged (manual, high urgency)
    impact_start: str
    noise_teams: tuple[str, ...]
    team: TeamSpec  # the affected team: its service, main repo (trigger), channel, words for its noise
    monitoring: TeamSpec  # the repo where detection lives (weakening change)
    people: tuple[tuple[str, str], ...]  # (key, full name) of the affected team; first ones are on call
    outsiders: tuple[tuple[str, str], ...]  # (key, full name): early-signal person, customer-facing people
    noisy_titles: tuple[str, ...]
    noisy_note: str
    grumbles: tuple[tuple[str, str], ...]  # (who, text) in the team channel while the pages are noisy
    weakening: Change
    weakening_why: str
    contributor: Change | None  # a PR weeks before (e.g. a lowered setting), else a bot/change event
    contributor_event: str  # summary of the change event (or bot line) that contributes
    contributor_why: str
    trigger: Change
    trigger_why: str
    deploy_words: str  # e.g. "payments-api v2.14.0"
    silent_titles: tuple[str, ...]
    silent_why: str
    early_channel: str
    early_person: str
    early_lines: tuple[str, ...]  # the second is the must-see early signal
    customer_channel: str
    customer_lines: tuple[tuple[str, str], ...]  # (who, text); the first is the must-see report
    page_title: str
    page_description: str
    pager: str
    notes: tuple[tuple[str, str, float], ...]
    incident_channel: str
    incident_chat: tuple[tuple[float, str, str], ...]  # (seconds after page, who, text); "{{url:trigger}}" marks the link
    fix: Change
    follow_up: Change


def _files(files: Files) -> list[dict[str, Any]]:
    out = []
    for name, patch in files:
        lines = patch.splitlines()
        adds = sum(1 for x in lines if x.startswith("+"))
        dels = sum(1 for x in lines if x.startswith("-"))
        status = "added" if patch.startswith("@@ -0,0") else "modified"
        out.append({"filename": name, "status": status, "additions": adds, "deletions": dels,
                    "patch": patch_text(name, patch)})
    return out


def _pull(b: WorldBuilder, repo: str, change: Change, created: float, merged: float, handle: str) -> dict[str, Any]:
    return b.pull(repo, change.author, change.title, change.body, created, merged=merged, merged_by=change.reviewer,
                  files=_files(change.files), labels=list(change.labels),
                  reviews=[(change.reviewer, "APPROVED", "", merged - 0.2 * HOUR)], handle=handle,
                  template="{{" in change.body)


def _team_by_key(key: str) -> TeamSpec:
    return next(t for t in NOISE_TEAMS + EXTRA_TEAMS if t.key == key)


def build_story(spec: StorySpec, scale: int = 1) -> tuple[dict[str, Any], dict[str, Any]]:
    """Lay the story's evidence on a timeline around `page_at` and bury it in `scale` x noise."""
    T = epoch(spec.page_at)
    start, end = T - 100 * DAY, T + 14 * DAY
    b = WorldBuilder(name=spec.name, seed=spec.seed, org=spec.org, domain=spec.org, team_name=spec.team.name)
    tr = Truth(b, spec.impact_start)
    add_bots(b)
    people = make_people(b, 30)
    for key, full in spec.people + spec.outsiders:
        b.person(key, full, login=f"{key}-{full.split()[-1].lower()}", github=(key, full) in spec.people)
    mine = [k for k, _ in spec.people]
    teams = setup_teams(b, tuple(_team_by_key(k) for k in spec.noise_teams), people, start)
    everyone = people + mine + [k for k, _ in spec.outsiders]
    common = add_common_channels(b, everyone, teams, start, end, scale)
    add_team_noise(b, teams, common, start, end, scale, pr_per_team=60)

    pd_team = b.team(spec.team.name)
    policy = b.policy(f"{spec.team.name} on-call", pd_team, mine[:4])
    svc = b.service(spec.team.service, f"{spec.team.name} production service", policy, pd_team, iso(start - 300 * DAY))
    team_ch = b.channel(spec.team.channel, f"{spec.team.name} team", f"{spec.team.name} engineering", start - 400 * DAY, mine[0])
    alerts_ch = b.channel(f"{spec.team.key}-alerts", f"Pages of {spec.team.service}", "PagerDuty notifications",
                          start - 300 * DAY, mine[0])
    channels = {name: cid for cid, name in ((c["id"], c["name"]) for c in b.channels.values())}
    for name in (spec.early_channel, spec.customer_channel):
        if name not in channels:
            channels[name] = b.channel(name, name.replace("-", " "), name.replace("-", " "), start - 500 * DAY, mine[0])
    repo = b.repo(spec.team.repo, f"{spec.team.name}: {', '.join(spec.team.areas)}", iso(start - 500 * DAY))
    mon_repo = b.repo(spec.monitoring.repo, f"{spec.monitoring.name}: {', '.join(spec.monitoring.areas)}", iso(start - 450 * DAY))
    team = NoiseTeam(spec.team, mine, repo, team_ch, svc, policy)
    mon = NoiseTeam(spec.monitoring, mine + people[:8], mon_repo, common["alerts"], svc, policy)
    add_pulls(b, team, 90 * scale, start - 60 * DAY, end)
    add_pulls(b, mon, 45 * scale, start - 60 * DAY, end)
    links = [h[3:] for h in b.handles if h.startswith("pr:") and b.handles[h]["repo"] in (repo, mon_repo)][-150:]
    add_chat(b, team_ch, mine, spec.team.nouns + spec.monitoring.nouns, int(100 * 2 * scale), start, end, links=links)
    add_incidents(b, team, 10 * scale, start, T - 30 * DAY, alerts_ch)

    # Contributor weeks before: a PR or a bot-announced change ---------------------------------
    c_at = T - 27 * DAY
    if spec.contributor is not None:
        pr = _pull(b, repo, spec.contributor, c_at, c_at + 5 * HOUR, "contributor")
        tr.add("github", pr, "contributor", must_see=True, group="cause", why=spec.contributor_why)
        ev = b.change_event(svc, spec.contributor_event, c_at + 6 * HOUR, "ci-deploy")
        tr.add("pagerduty", ev, "contributor", must_see=False, group="cause", why=spec.contributor_why,
               same_fact_as=("github", pr))
    else:
        ev = b.change_event(svc, spec.contributor_event, c_at, "scheduler")
        tr.add("pagerduty", ev, "contributor", must_see=True, group="cause", why=spec.contributor_why)

    # Noisy pages, then the change that quiets them -------------------------------------------
    noisy_start = T - 22 * DAY
    for i, title in enumerate(spec.noisy_titles):
        t = noisy_start + i * (7 * DAY / len(spec.noisy_titles)) + b.rng.uniform(0, 5 * HOUR)
        who = mine[i % min(4, len(mine))]
        inc = b.incident(svc, title, t, responders=[who, mine[(i + 1) % len(mine)]], ack_after=120 + 30 * i,
                         resolve_after=1200 + 200 * i, handle=f"noisy{i}",
                         notes=[(who, spec.noisy_note, 500.0)] if i % 3 == 1 else None,
                         alert_key=f"{spec.team.service}/{title.split(']')[-1].strip()[:30]}")
        b.say(alerts_ch, t + 3, "pagerduty", f":rotating_light: Triggered <{{{{incurl:noisy{i}}}}}|#{{{{inc:noisy{i}}}}}> {title}",
              template=True)
        last = i == len(spec.noisy_titles) - 1
        tr.add("pagerduty", inc, "early_signal" if last else "context", must_see=last, group="detection",
               why="one of the noisy pages that the weakening change was written to silence")
    for i, (who, text) in enumerate(spec.grumbles):
        b.say(team_ch, noisy_start + (i + 0.5) * (7 * DAY / len(spec.grumbles)), who, text)
    w_at = T - 14 * DAY
    weak = _pull(b, mon_repo, spec.weakening, w_at, w_at + 20 * HOUR, "weakening")
    tr.add("github", weak, "detection_weakened", must_see=True, group="detection", why=spec.weakening_why)
    b.say(team_ch, w_at + 21 * HOUR, spec.weakening.author, "merged {{url:weakening}}, should be quieter now :zzz:", template=True)

    # The trigger, its deploy, and the errors nobody hears ------------------------------------
    t_at = T - 3 * DAY
    trig = _pull(b, repo, spec.trigger, t_at, t_at + 22 * HOUR, "trigger")
    tr.add("github", trig, "trigger", must_see=True, group="cause", why=spec.trigger_why)
    dep = b.change_event(svc, f"Deploy {spec.deploy_words} to production", t_at + 23 * HOUR, "ci-deploy",
                         links=[{"href": "{{url:trigger}}", "text": spec.trigger.title}])
    b.templated.append((dep["links"][0], "href"))
    tr.add("pagerduty", dep, "contributor", must_see=False, group="cause", why="the deploy that shipped the trigger")
    b.say(common["deploys"], t_at + 23 * HOUR + 5, "deploybot", f":rocket: {spec.deploy_words} deployed to production")
    for i, title in enumerate(spec.silent_titles):
        t = t_at + 24 * HOUR + i * (40 * HOUR / len(spec.silent_titles))
        inc = b.incident(svc, title, t, urgency="low", responders=[], notify=False, ack_after=None,
                         resolve_after=2 * HOUR, suppressed=i % 2 == 1, handle=f"silent{i}")
        tr.add("pagerduty", inc, "early_signal", must_see=i == 0, group="detection", why=spec.silent_why)

    # Early signal, customer reports, the manual page ----------------------------------------
    e_at = T - 20 * HOUR
    first = b.say(channels[spec.early_channel], e_at, spec.early_person, spec.early_lines[0])
    for j, line in enumerate(spec.early_lines[1:], start=1):
        m = b.say(channels[spec.early_channel], e_at + j * 300, spec.early_person, line, parent=first)
        if j == 1:
            tr.add("slack", m, "early_signal", must_see=True, group="reports",
                   why="someone outside the team notices the symptom before anyone is paged")
    for j, (who, text) in enumerate(spec.customer_lines):
        m = b.say(channels[spec.customer_channel], T - 2 * HOUR + j * 420, who, text)
        if j < 2:
            tr.add("slack", m, "customer_report", must_see=j == 0, group="reports", why="customers report the symptom")
    page = b.incident(svc, spec.page_title, T, responders=mine[:4], ack_after=100, resolve_after=50 * 60,
                      manual_by=spec.pager, notes=list(spec.notes), description=spec.page_description, handle="page")
    tr.incident = page
    tr.add("pagerduty", page, "response", must_see=True, group="reports", why="the manual page of the team")
    inc_ch = b.channel(spec.incident_channel, f"Incident: {spec.page_title}", "Incident response", T + 30, mine[0])
    for off, who, text in spec.incident_chat:
        m = b.say(inc_ch, T + 40 + off, who, text, template="{{" in text)
        if "{{url:trigger}}" in text:
            tr.add("slack", m, "response", must_see=True, group="cause", why="a responder ties the incident to the trigger PR")

    # Fix and follow-up --------------------------------------------------------------------
    fix = _pull(b, repo, spec.fix, T + 1.5 * HOUR, T + 3 * HOUR, "fix")
    tr.add("github", fix, "fix", must_see=True, group="cause", why="the fix of the trigger")
    follow = _pull(b, mon_repo, spec.follow_up, T + 26 * HOUR, T + 40 * HOUR, "follow")
    tr.add("github", follow, "fix", must_see=False, group="detection", why="restores the weakened detection")
    # Distractors: a different alert change and an unrelated revert near the incident, same repos.
    _pull(b, mon_repo, Change(mine[-1], f"Add runbook links to {spec.monitoring.nouns[0]}s",
                              "Every page should link its runbook.", (("README.md", "@@ -1,2 +1,3 @@\n # Alerts\n+Runbooks: see wiki"),),
                              mine[0]), T - 5 * DAY, T - 4.5 * DAY, "distractor1")
    world = b.finalize()
    world["edits"] = make_edits(b, world, [team_ch, channels[spec.customer_channel], common["deploys"]], svc, mine[:3], repo)
    return world, tr.to_dict()
