"""WorldBuilder: collects people, repos, PRs, channels, messages and PagerDuty objects, then numbers them."""

from __future__ import annotations

import random
import re
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

_ALNUM = "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"
_PLACEHOLDER = re.compile(r"\{\{(pr|url|num|inc|incurl):([A-Za-z0-9_.-]+)\}\}")


def epoch(text: str) -> float:
    """Epoch seconds of an ISO 8601 UTC string such as `2022-12-06T14:30:00Z`, or of a date's midnight UTC."""
    if len(text) == 10:
        text += "T00:00:00Z"
    return datetime.strptime(text, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=UTC).timestamp()


def iso(t: float) -> str:
    """ISO 8601 UTC string of epoch seconds."""
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(t))


@dataclass
class Person:
    """One human (or bot) who may appear on GitHub, Slack and PagerDuty with the same email."""

    key: str
    name: str
    login: str
    email: str
    slack_id: str | None = None
    pd_id: str | None = None
    github: bool = True
    is_bot: bool = False
    bot_id: str | None = None
    tz: str = "America/New_York"


@dataclass
class _Pin:
    repo: str
    number: int
    pull: dict[str, Any]


@dataclass
class WorldBuilder:
    """Accumulates a world; `finalize()` assigns GitHub ids/numbers and PagerDuty incident numbers by time."""

    name: str
    seed: int
    org: str
    domain: str
    team_name: str
    rng: random.Random = field(init=False)
    people: dict[str, Person] = field(default_factory=dict)
    repos: dict[str, dict[str, Any]] = field(default_factory=dict)
    pulls: list[dict[str, Any]] = field(default_factory=list)
    channels: dict[str, dict[str, Any]] = field(default_factory=dict)
    messages: list[dict[str, Any]] = field(default_factory=list)
    pd: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    handles: dict[str, dict[str, Any]] = field(default_factory=dict)
    templated: list[tuple[dict[str, Any], str]] = field(default_factory=list)
    pins: list[_Pin] = field(default_factory=list)
    _ts_used: dict[str, set[str]] = field(default_factory=dict)
    _pd_ids: set[str] = field(default_factory=set)
    _slack_ids: set[str] = field(default_factory=set)
    next_pull_id: int = 0
    next_comment_id: int = 0
    next_number: dict[str, int] = field(default_factory=dict)
    next_incident_number: int = 0

    def __post_init__(self) -> None:
        self.rng = random.Random(self.seed)
        self.pd = {k: [] for k in ("users", "teams", "escalation_policies", "services", "incidents", "change_events")}

    # ids -----------------------------------------------------------------
    def sha(self) -> str:
        return f"{self.rng.getrandbits(160):040x}"

    def pd_id(self, prefix: str = "P", length: int = 6) -> str:
        """A fresh PagerDuty-style id, unique across every PagerDuty object of the world."""
        choice = self.rng.choice
        while True:
            ident = prefix + "".join(choice(_ALNUM) for _ in range(length))
            if ident not in self._pd_ids:
                self._pd_ids.add(ident)
                return ident

    def log_id(self) -> str:
        return self.pd_id("R", 13)

    def slack_id(self, prefix: str) -> str:
        choice = self.rng.choice
        while True:
            ident = prefix + "0" + "".join(choice(_ALNUM) for _ in range(8))
            if ident not in self._slack_ids:
                self._slack_ids.add(ident)
                return ident

    def ts(self, channel: str, t: float) -> str:
        """A Slack ts for `t` that is unique in `channel` (bumps the microseconds on a clash)."""
        used = self._ts_used.setdefault(channel, set())
        sec = int(t)
        micro = int((t - sec) * 1_000_000) or self.rng.randrange(100, 999_000)
        while True:
            text = f"{sec:010d}.{micro:06d}"
            if text not in used:
                used.add(text)
                return text
            micro = (micro + 37) % 1_000_000

    # people --------------------------------------------------------------
    def person(
        self,
        key: str,
        name: str,
        *,
        login: str | None = None,
        slack: bool = True,
        github: bool = True,
        pagerduty: bool = False,
        is_bot: bool = False,
        tz: str = "America/New_York",
        email: str | None = None,
    ) -> Person:
        if key in self.people:
            return self.people[key]
        login = login or key
        mail = email or f"{key.replace('[bot]', '')}@{self.domain}.example"
        p = Person(key=key, name=name, login=login, email=mail, github=github, is_bot=is_bot, tz=tz)
        if slack:
            p.slack_id = self.slack_id("U")
            if is_bot:
                p.bot_id = self.slack_id("B")
        if pagerduty:
            p.pd_id = self.pd_id()
            self.pd["users"].append(
                {"id": p.pd_id, "name": name, "email": mail, "time_zone": tz, "role": "user"}
            )
        self.people[key] = p
        return p

    def ensure_pd(self, key: str) -> str:
        p = self.people[key]
        if p.pd_id is None:
            p.pd_id = self.pd_id()
            self.pd["users"].append(
                {"id": p.pd_id, "name": p.name, "email": p.email, "time_zone": p.tz, "role": "user"}
            )
        return p.pd_id

    # github --------------------------------------------------------------
    def repo(self, name: str, description: str, created_at: str) -> str:
        full = f"{self.org}/{name}"
        self.repos[full] = {
            "id": 0, "owner": self.org, "name": name, "private": False, "archived": False,
            "default_branch": "main", "description": description, "created_at": created_at,
        }
        return full

    def pull(
        self,
        repo: str,
        user: str,
        title: str,
        body: str,
        created: float,
        *,
        merged: float | None = None,
        closed: float | None = None,
        merged_by: str | None = None,
        files: list[dict[str, Any]] | None = None,
        labels: list[str] | None = None,
        head: str | None = None,
        reviews: list[tuple[str, str, str, float]] | None = None,
        review_comments: list[tuple[str, str, str, int, float]] | None = None,
        comments: list[tuple[str, str, float]] | None = None,
        commits: list[tuple[str, float]] | None = None,
        handle: str | None = None,
        pin: int | None = None,
        draft: bool = False,
        template: bool = False,
    ) -> dict[str, Any]:
        """Add a PR; ids and number come at `finalize`. Tuples: reviews (user, state, body, t),
        review comments (user, body, path, line, t), comments (user, body, t), commits (message, t)."""
        if merged is not None and closed is None:
            closed = merged
        user = self.login(user)
        merged_by = self.login(merged_by) if merged_by else None
        reviews = [(self.login(u), s, b, t) for u, s, b, t in reviews or []]
        comments = [(self.login(u), b, t) for u, b, t in comments or []]
        review_comments = [(self.login(u), b, p, n, t) for u, b, p, n, t in review_comments or []]
        head_sha = self.sha()
        last = max([created, closed or 0.0] + [r[3] for r in reviews or []] + [c[2] for c in comments or []])
        pull: dict[str, Any] = {
            "repo": repo, "number": 0, "id": 0, "node_id": "", "title": title, "body": body, "user": user,
            "state": "closed" if closed is not None else "open", "draft": draft,
            "created_at": iso(created), "updated_at": iso(last),
            "closed_at": iso(closed) if closed is not None else None,
            "merged_at": iso(merged) if merged is not None else None,
            "merged_by": (merged_by or user) if merged is not None else None,
            "merge_commit_sha": self.sha() if merged is not None else None,
            "base": "main", "head": head or _branch(title), "head_sha": head_sha, "labels": labels or [],
            "files": files or [],
            "reviews": [
                {"id": 0, "user": u, "state": s, "body": b, "submitted_at": iso(t), "commit_id": head_sha}
                for u, s, b, t in reviews or []
            ],
            "review_comments": [],
            "comments": [{"id": 0, "user": u, "body": b, "created_at": iso(t), "updated_at": iso(t)}
                         for u, b, t in comments or []],
            "commits": [
                {"sha": self.sha(), "message": m, "author": user, "date": iso(t)}
                for m, t in commits or [(title, created)]
            ],
            "_t": created,
        }
        if pull["commits"]:
            pull["commits"][-1]["sha"] = head_sha
        for u, b, path, line, t in review_comments or []:
            pull["review_comments"].append({
                "id": 0, "user": u, "body": b, "path": path, "line": line,
                "diff_hunk": _hunk_for(pull["files"], path), "created_at": iso(t), "updated_at": iso(t),
                "in_reply_to_id": None, "pull_request_review_id": None,
            })
        self.pulls.append(pull)
        if handle:
            self.handles["pr:" + handle] = pull
        if pin is not None:
            self.pins.append(_Pin(repo, pin, pull))
        if template:
            self.templated.append((pull, "body"))
        return pull

    def login(self, who: str) -> str:
        """The GitHub login of a person key (a login passes through)."""
        p = self.people.get(who)
        return p.login if p is not None else who

    # slack ---------------------------------------------------------------
    def channel(self, name: str, topic: str, purpose: str, created: float, creator: str) -> str:
        cid = self.slack_id("C")
        self.channels[cid] = {
            "id": cid, "name": name, "is_private": False, "is_member": True, "is_archived": False,
            "created": int(created), "creator": self.people[creator].slack_id or "", "topic": topic,
            "purpose": purpose,
        }
        return cid

    def channel_id(self, name: str) -> str:
        for cid, ch in self.channels.items():
            if ch["name"] == name:
                return cid
        raise KeyError(name)

    def say(
        self,
        channel: str,
        t: float,
        who: str,
        text: str,
        *,
        parent: dict[str, Any] | None = None,
        subtype: str | None = None,
        edited_after: float | None = None,
        handle: str | None = None,
        template: bool = False,
    ) -> dict[str, Any]:
        """Post a message (a reply when `parent` is given; its time is forced after the parent's)."""
        p = self.people[who]
        if parent is not None:
            floor = float(parent["ts"]) + 1.0
            if t < floor:
                t = floor
        ts = self.ts(channel, t)
        msg: dict[str, Any] = {
            "channel": channel, "ts": ts, "user": p.slack_id, "text": text,
            "thread_ts": parent["ts"] if parent is not None else None,
            "subtype": subtype, "bot_id": p.bot_id, "edited": None,
        }
        if edited_after is not None:
            msg["edited"] = {"user": p.slack_id, "ts": self.ts(channel, t + edited_after)}
        self.messages.append(msg)
        if handle:
            self.handles["msg:" + handle] = msg
        if template:
            self.templated.append((msg, "text"))
        return msg

    # pagerduty -----------------------------------------------------------
    def team(self, name: str) -> str:
        tid = self.pd_id()
        self.pd["teams"].append({"id": tid, "name": name})
        return tid

    def policy(self, name: str, team: str, users: list[str]) -> str:
        eid = self.pd_id()
        self.pd["escalation_policies"].append(
            {"id": eid, "name": name, "team_ids": [team], "user_ids": [self.ensure_pd(u) for u in users]}
        )
        return eid

    def service(self, name: str, description: str, policy: str, team: str, created_at: str) -> str:
        sid = self.pd_id()
        self.pd["services"].append({
            "id": sid, "name": name, "description": description, "status": "active",
            "escalation_policy": policy, "team_ids": [team], "created_at": created_at,
        })
        return sid

    def incident(
        self,
        service: str,
        title: str,
        created: float,
        *,
        urgency: str = "high",
        responders: list[str] | None = None,
        ack_after: float | None = 240.0,
        resolve_after: float | None = 1800.0,
        manual_by: str | None = None,
        alert_summary: str | None = None,
        alert_key: str | None = None,
        severity: str = "error",
        notify: bool = True,
        suppressed: bool = False,
        notes: list[tuple[str, str, float]] | None = None,
        handle: str | None = None,
        description: str | None = None,
    ) -> dict[str, Any]:
        """An incident with ordered log entries: trigger, notify (if paging), ack, notes, resolve."""
        svc = next(s for s in self.pd["services"] if s["id"] == service)
        responders = responders or []
        pd_users = [self.ensure_pd(r) for r in responders]
        inc_id = self.pd_id()
        entries: list[dict[str, Any]] = []
        if manual_by:
            agent = {"type": "user_reference", "id": self.ensure_pd(manual_by)}
            entries.append(self._log("trigger_log_entry", created, f"Triggered through the website by {self.people[manual_by].name}.", agent, {"type": "web_trigger"}))
        else:
            agent = {"type": "events_api_v2_inbound_integration_reference", "id": self.pd_id()}
            entries.append(self._log("trigger_log_entry", created, "Triggered through the API.", agent, {"type": "api"}))
        t = created
        if notify and urgency == "high":
            for i, (r, uid) in enumerate(zip(responders, pd_users, strict=True)):
                method = ("sms", "push_notification", "phone")[i % 3]
                e = self._log("notify_log_entry", created + 5 + 7 * i, f"Notified {self.people[r].name} by {method}.",
                              {"type": "user_reference", "id": uid}, {"type": method})
                e["user"] = uid
                entries.append(e)
        status = "triggered"
        acked_by = pd_users[0] if pd_users else None
        if ack_after is not None and acked_by:
            t = created + ack_after
            entries.append(self._log("acknowledge_log_entry", t, f"Acknowledged by {self.people[responders[0]].name}.",
                                     {"type": "user_reference", "id": acked_by}, {"type": "website"}))
            status = "acknowledged"
        note_objs = []
        for who, content, at in notes or []:
            uid = self.ensure_pd(who)
            note_objs.append({"id": self.pd_id(), "user": uid, "content": content, "created_at": iso(created + at)})
            entries.append(self._log("annotate_log_entry", created + at, "Note added.",
                                     {"type": "user_reference", "id": uid}, {"type": "note", "summary": content}))
        resolved_at = None
        if resolve_after is not None:
            rt = created + resolve_after
            resolved_at = iso(rt)
            agent = {"type": "user_reference", "id": acked_by} if acked_by else {"type": "service_reference", "id": service}
            entries.append(self._log("resolve_log_entry", rt, "Resolved.", agent, {"type": "website" if acked_by else "auto"}))
            status = "resolved"
        entries.sort(key=lambda e: e["created_at"])
        inc: dict[str, Any] = {
            "id": inc_id, "incident_number": 0, "title": title, "description": description or title,
            "service": service, "escalation_policy": svc["escalation_policy"], "status": status,
            "urgency": urgency, "priority": None, "created_at": iso(created), "resolved_at": resolved_at,
            "incident_key": None, "assigned_to": pd_users[:1] if status != "resolved" else [],
            "team_ids": list(svc["team_ids"]), "log_entries": entries,
            "alerts": [] if manual_by else [{
                "id": self.pd_id(), "summary": alert_summary or title,
                "status": "resolved" if resolved_at else "triggered", "severity": severity,
                "suppressed": suppressed, "alert_key": alert_key or title.lower()[:60],
                "created_at": iso(created), "resolved_at": resolved_at, "body": {"details": {}},
            }],
            "notes": note_objs, "_t": created,
        }
        self.pd["incidents"].append(inc)
        if handle:
            self.handles["inc:" + handle] = inc
        return inc

    def _log(self, kind: str, t: float, summary: str, agent: dict[str, Any], channel: dict[str, Any]) -> dict[str, Any]:
        return {"id": self.log_id(), "type": kind, "created_at": iso(t), "summary": summary,
                "agent": agent, "channel": channel}

    def change_event(self, service: str, summary: str, t: float, source: str,
                     links: list[dict[str, str]] | None = None, details: dict[str, Any] | None = None,
                     handle: str | None = None) -> dict[str, Any]:
        ev = {"id": self.pd_id(), "summary": summary, "timestamp": iso(t), "service_ids": [service],
              "source": source, "links": links or [], "custom_details": details or {}}
        self.pd["change_events"].append(ev)
        if handle:
            self.handles["chg:" + handle] = ev
        return ev

    # finishing -----------------------------------------------------------
    def finalize(self) -> dict[str, Any]:
        """Number PRs per repo and incidents by time, assign ids, resolve `{{pr:x}}` placeholders."""
        for i, full in enumerate(sorted(self.repos), start=1):
            self.repos[full]["id"] = 200_000_000 + i * 7919
        self.pulls.sort(key=lambda p: (p["_t"], p["repo"]))
        self.next_pull_id = 1_100_000_000
        self.next_comment_id = 1_200_000_000
        for pull in self.pulls:
            self.number_pull(pull)
        for pin in self.pins:
            if pin.pull["number"] != pin.number:
                raise ValueError(f"{pin.repo}: pinned PR {pin.number} got number {pin.pull['number']}")
        self.pd["incidents"].sort(key=lambda i: i["_t"])
        self.next_incident_number = 1000
        for inc in self.pd["incidents"]:
            self.next_incident_number += 1
            inc["incident_number"] = self.next_incident_number
            del inc["_t"]
        self.pd["change_events"].sort(key=lambda e: e["timestamp"])
        for obj, key in self.templated:
            obj[key] = self.render(obj[key])
        self.templated.clear()
        self.messages.sort(key=lambda m: (m["channel"], m["ts"]))
        return {
            "name": self.name,
            "github": {
                "users": self._github_users(),
                "orgs": [{"id": 100_001, "login": self.org}],
                "repos": [self.repos[k] for k in sorted(self.repos)],
                "pulls": self.pulls,
            },
            "slack": {
                "team": {"id": "T0" + self.name.upper().replace("-", "")[:6].ljust(6, "0"),
                         "name": self.org.title(), "domain": self.domain},
                "users": self._slack_users(),
                "channels": list(self.channels.values()),
                "messages": self.messages,
            },
            "pagerduty": self.pd,
            "edits": [],
        }

    def number_pull(self, pull: dict[str, Any]) -> None:
        """Give a PR its number (next in its repo), id, node id and comment/review ids."""
        repo = pull["repo"]
        self.next_number[repo] = self.next_number.get(repo, 0) + 1
        pull["number"] = self.next_number[repo]
        self.next_pull_id += 1 + (self.next_pull_id % 3)
        pull["id"] = self.next_pull_id
        pull["node_id"] = "PR_kwDO" + _b36(pull["id"] * 7 + 13).rjust(14, "A")
        for review in pull["reviews"]:
            self.next_comment_id += 1
            review["id"] = self.next_comment_id
        first_review = pull["reviews"][0]["id"] if pull["reviews"] else None
        for rc in pull["review_comments"]:
            self.next_comment_id += 1
            rc["id"] = self.next_comment_id
            rc["pull_request_review_id"] = first_review
        for c in pull["comments"]:
            self.next_comment_id += 1
            c["id"] = self.next_comment_id
        pull.pop("_t", None)

    def render(self, text: str) -> str:
        def sub(m: re.Match[str]) -> str:
            kind, key = m.group(1), m.group(2)
            if kind in ("inc", "incurl"):
                inc = self.handles["inc:" + key]
                if kind == "inc":
                    return str(inc["incident_number"])
                return f"https://{self.domain}.pagerduty.com/incidents/{inc['id']}"
            pull = self.handles["pr:" + key]
            if kind == "num":
                return str(pull["number"])
            if kind == "pr":
                return f"{pull['repo']}#{pull['number']}"
            return f"https://github.com/{pull['repo']}/pull/{pull['number']}"

        return _PLACEHOLDER.sub(sub, text)

    def _github_users(self) -> list[dict[str, Any]]:
        out = []
        for i, p in enumerate(sorted((p for p in self.people.values() if p.github), key=lambda p: p.login), start=1):
            out.append({"id": 5_000_000 + i * 131, "login": p.login, "name": p.name,
                        "email": None if p.is_bot else p.email, "type": "Bot" if p.login.endswith("[bot]") else "User"})
        return out

    def _slack_users(self) -> list[dict[str, Any]]:
        return [{"id": p.slack_id, "name": p.key.replace("[bot]", "-bot"), "real_name": p.name,
                 "email": None if p.is_bot else p.email, "is_bot": p.is_bot, "deleted": False, "tz": p.tz,
                 "updated": 1_650_000_000 + i * 3_600}
                for i, p in enumerate(self.people.values()) if p.slack_id]


def _b36(n: int) -> str:
    out = ""
    while n:
        n, r = divmod(n, 36)
        out = _ALNUM[r] + out
    return out or "A"


def _branch(title: str) -> str:
    words = re.sub(r"[^a-z0-9 ]", "", title.lower()).split()[:5]
    return "-".join(words) or "patch"


def patch_text(filename: str, patch: str) -> str:
    """Normalise a patch written in Python source: blank context lines get their space back, Go gets tabs."""
    lines = [line if line else " " for line in patch.split("\n")]
    if filename.endswith(".go"):
        lines = [line[:1] + re.sub(r"^( {4})+", lambda m: "\t" * (len(m.group(0)) // 4), line[1:]) for line in lines]
    return "\n".join(lines)


def _hunk_for(files: list[dict[str, Any]], path: str) -> str:
    for f in files:
        if f["filename"] == path:
            return str(f.get("patch", ""))[:400]
    return "@@ -1,3 +1,3 @@"
