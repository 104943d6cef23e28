"""Scaffolding for hand-written stories: the crowd, noise teams and common channels, story PRs, config-repo
PRs and bot feeds. Stories that do not fit `StorySpec`'s template build on this directly."""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from lookback.sandbox.worlds.builder import WorldBuilder, epoch
from lookback.sandbox.worlds.noise import (
    DAY,
    EXTRA_TEAMS,
    NOISE_TEAMS,
    NoiseTeam,
    TeamSpec,
    add_bots,
    add_common_channels,
    add_team_noise,
    make_people,
    setup_teams,
)
from lookback.sandbox.worlds.story import Change, Files
from lookback.sandbox.worlds.story import _files as story_files
from lookback.sandbox.worlds.truth import Truth

HOUR = 3600.0
# (title, body, files) of one generated config PR
ConfigChange = tuple[str, str, list[dict[str, Any]]]


@dataclass
class Scene:
    """A world under construction: builder, truth, the page time `T`, the noise window and the crowd."""

    b: WorldBuilder
    tr: Truth
    T: float
    start: float
    end: float
    scale: int
    crowd: list[str]
    teams: list[NoiseTeam]
    common: dict[str, str]

    def team(self, key: str) -> NoiseTeam:
        return next(t for t in self.teams if t.spec.key == key)


def team_spec(key: str) -> TeamSpec:
    return next(t for t in NOISE_TEAMS + EXTRA_TEAMS if t.key == key)


def open_scene(*, name: str, seed: int, org: str, team_name: str, page_at: str, impact_start: str,
               noise_teams: tuple[str, ...], staff: tuple[tuple[str, str], ...],
               outsiders: tuple[tuple[str, str], ...], scale: int) -> Scene:
    """Bots, 30 crowd people, the story's staff (GitHub + Slack) and outsiders (Slack only), the noise teams with
    their PRs, chat, pages and deploys, and the common channels; the window is 100 days before to 14 after."""
    T = epoch(page_at)
    start, end = T - 100 * DAY, T + 14 * DAY
    b = WorldBuilder(name=name, seed=seed, org=org, domain=org, team_name=team_name)
    tr = Truth(b, impact_start)
    add_bots(b)
    crowd = make_people(b, 30)
    for key, full in staff:
        b.person(key, full, login=f"{key}-{full.split()[-1].lower()}")
    for key, full in outsiders:
        b.person(key, full, github=False)
    teams = setup_teams(b, tuple(team_spec(k) for k in noise_teams), crowd, start)
    everyone = crowd + [k for k, _ in staff + outsiders]
    common = add_common_channels(b, everyone, teams, start, end, scale)
    add_team_noise(b, teams, common, start, end, scale, pr_per_team=60)
    return Scene(b, tr, T, start, end, scale, crowd, teams, common)


def change_files(files: Files) -> list[dict[str, Any]]:
    """`story._files`, plus status `removed` for a patch that deletes the whole file (`+0,0 @@`)."""
    out = story_files(files)
    for f in out:
        first = f["patch"].split("\n", 1)[0]
        if "+0,0 @@" in first:
            f["status"] = "removed"
    return out


def story_pull(b: WorldBuilder, repo: str, change: Change, created: float, merged: float | None, handle: str, *,
               review: str = "", reviewed: float | None = None, comments: tuple[tuple[str, str, float], ...] = (),
               review_comments: tuple[tuple[str, str, str, int, float], ...] = (),
               commits: tuple[tuple[str, float], ...] | None = None, head: str | None = None) -> dict[str, Any]:
    """A PR of the story: approved by `change.reviewer` (at `reviewed`, default shortly before the merge)."""
    at = reviewed if reviewed is not None else (merged if merged is not None else created + 4 * HOUR) - 0.2 * HOUR
    return b.pull(repo, change.author, change.title, change.body, created, merged=merged,
                  merged_by=change.reviewer if merged is not None else None, files=change_files(change.files),
                  labels=list(change.labels), reviews=[(change.reviewer, "APPROVED", review, at)],
                  comments=list(comments), review_comments=list(review_comments),
                  commits=list(commits) if commits else None, head=head, handle=handle,
                  template="{{" in change.body)


def ship_trigger(sc: Scene, svc: str, service: str, trig: dict[str, Any], change: Change, at: float,
                 deployer: str) -> None:
    """The trigger reaching production at `at`: a CI change event linking the PR and the deploy bot's line,
    both recorded in the truth as the same fact as the PR."""
    b, tr = sc.b, sc.tr
    sha7 = trig["merge_commit_sha"][:7]
    dep = b.change_event(svc, f"Deploy {service}@{sha7} to production", at, "ci-deploy",
                         links=[{"href": "{{url:trigger}}", "text": change.title}],
                         details={"deployer": deployer, "environment": "production"})
    b.templated.append((dep["links"][0], "href"))
    tr.add("pagerduty", dep, "trigger", must_see=False, group="cause", why="the deploy that shipped the trigger",
           same_fact_as=("github", trig))
    bot_line = b.say(sc.common["deploys"], at + 2, "deploybot",
                     f":rocket: {service} `{sha7}` deployed to production by <@{b.people[deployer].slack_id}>")
    tr.add("slack", bot_line, "trigger", must_see=False, group="cause", why="the deploy bot's line for the trigger",
           same_fact_as=("github", trig))


def config_pulls(b: WorldBuilder, repo: str, members: list[str], count: int, start: float, end: float,
                 make: Callable[[random.Random], ConfigChange], revert_rate: float = 0.04,
                 on_merge: Callable[[dict[str, Any]], None] | None = None) -> None:
    """`count` PRs in a config repo, each drawn by `make`; a few are reverts of earlier ones, some stay open.
    `on_merge(pull)` runs for each merged PR (the sync's change event and bot line, as for the story's PRs)."""
    rng = b.rng
    mine: list[str] = []
    for _ in range(count):
        t = rng.uniform(start, end)
        author = rng.choice(members)
        if mine and rng.random() < revert_rate:
            target = rng.choice(mine[-20:])
            old = b.handles["pr:" + target]
            if old["merged_at"] and epoch(old["created_at"]) < t:
                title, body = f'Revert "{old["title"]}"', f"Reverts {{{{pr:{target}}}}}\n\nDidn't behave as expected, reverting."
                files = [dict(f) for f in old["files"]]
            else:
                title, body, files = make(rng)
        else:
            title, body, files = make(rng)
        others = [m for m in members if m != author]
        fate = rng.random()
        merged = closed = None
        if t > end - 7 * DAY and fate < 0.3:
            pass
        elif fate < 0.06:
            closed = t + rng.uniform(0.5, 6) * DAY
        else:
            merged = t + rng.uniform(0.03, 2) * DAY
        reviewer = rng.choice(others)
        reviews = [(reviewer, "APPROVED", rng.choice(("", "lgtm", "ship it", "LGTM :+1:")), t + rng.uniform(0.01, 0.5) * DAY)]
        if merged is not None and reviews[0][3] > merged:
            reviews = [(reviewer, "APPROVED", "", merged - 60)]
        comments = [(rng.choice(others), rng.choice(("validated on staging?", "does the owner know?", "thanks!",
                     "can we do this after the freeze?")), t + 0.01 * DAY)] if rng.random() < 0.15 else []
        handle = f"cfg{len(b.pulls)}"
        mine.append(handle)
        pull = b.pull(repo, author, title, body, t, merged=merged, closed=closed,
                      merged_by=reviewer if merged else None, files=files, labels=["config"], reviews=reviews,
                      comments=comments, handle=handle, template="{{" in body)
        if on_merge is not None and merged is not None:
            on_merge(pull)


def bot_feed(b: WorldBuilder, channel: str, bot: str, count: int, start: float, end: float,
             line: Callable[[random.Random, float], str]) -> None:
    """`count` lines of a bot in `channel` at random times in [start, end)."""
    rng = b.rng
    for _ in range(count):
        t = rng.uniform(start, end)
        b.say(channel, t, bot, line(rng, t))


def yaml_patch(start: int, context: str, lines: list[str]) -> str:
    """A hunk of a YAML file: `lines` are '-'/'+'/' '-prefixed; the header counts them."""
    old = sum(1 for x in lines if not x.startswith("+"))
    new = sum(1 for x in lines if not x.startswith("-"))
    return "\n".join([f"@@ -{start},{old} +{start},{new} @@{' ' + context if context else ''}", *lines])


def yaml_file(name: str, patch: str, status: str = "modified") -> dict[str, Any]:
    lines = patch.splitlines()[1:]
    return {"filename": name, "status": status, "additions": sum(1 for x in lines if x.startswith("+")),
            "deletions": sum(1 for x in lines if x.startswith("-")), "patch": patch}


def war_room(b: WorldBuilder, tr: Truth, channel: str, start: float, chat: tuple[tuple[float, str, str], ...], *,
             trigger: str, weakening: str, contributor: str,
             extra: tuple[tuple[str, str, str], ...] = ()) -> None:
    """Post the war room's lines (seconds after `start`, speaker, text with `{{...}}` references) and record in the
    truth the one that ties the incident to the trigger (must-see), the one that explains the weakening and the
    one that names the contributor, each with its reason; `extra` adds (text marker, group, reason) lines."""
    marks = (("{{url:trigger}}", True, "cause", trigger), ("{{num:weakening}}", False, "detection", weakening),
             ("{{pr:contributor}}", False, "cause", contributor), *((k, False, g, w) for k, g, w in extra))
    for off, who, text in chat:
        m = b.say(channel, start + off, who, text, template="{{" in text)
        mark = next((mk for mk in marks if mk[0] in text), None)
        if mark is not None:
            tr.add("slack", m, "response", must_see=mark[1], group=mark[2], why=mark[3])


def page_by_hand(b: WorldBuilder, tr: Truth, service: str, title: str, at: float, *, relay: str, why: str,
                 **incident: Any) -> dict[str, Any]:
    """The page the story is about (`incident` holds `b.incident`'s other arguments): the truth's incident and a
    must-see response, relayed by the PagerDuty bot to `relay` four seconds later with its title."""
    page = b.incident(service, title, at, **incident, handle="page")
    tr.incident = page
    tr.add("pagerduty", page, "response", must_see=True, group="reports", why=why)
    b.say(relay, at + 4, "pagerduty", f":rotating_light: Triggered <{{{{incurl:page}}}}|#{{{{inc:page}}}}> {title}",
          template=True)
    return page
