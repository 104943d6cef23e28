"""The one place settings and secrets become connector clients, record streams and load specs."""

from __future__ import annotations

import functools
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Engine, text
from sqlalchemy.orm import Session

from flows.runtime import rate_limiter
from lookback.settings import Settings
from warehouse.slack_state import thread_marks
from warehouse.stream import Record, SourceSpec, github_spec, pagerduty_spec, slack_spec

SOURCES = ("github", "slack", "pagerduty")


@dataclass
class SourceStream:
    """Records of one run (or of one partition of it), how to load them, and how many requests they cost."""

    source: str
    records: Iterator[Record]
    spec: SourceSpec
    requests: Callable[[], int]
    details: dict[str, Any] = field(default_factory=dict)


@dataclass(eq=False)
class SourcePlan:
    """A source's run split into partitions.

    `listing()` reads what is read once per run, whatever the number of partitions (GitHub's
    repositories, Slack's team, users and channels), filling `partitions` as it goes; `open(partition)`
    then gives one partition's records, from its cursor (nightly) or over the window. Every stream is
    fresh, so a retry reads again; they share the plan's pacing and caches, and their requests add up here.
    """

    source: str
    partitions: list[str]
    lister: Callable[[], SourceStream]
    opener: Callable[[str], SourceStream]
    opened: list[SourceStream] = field(default_factory=list)

    def listing(self) -> SourceStream:
        self.partitions.clear()
        return self._track(self.lister())

    def open(self, partition: str) -> SourceStream:
        return self._track(self.opener(partition))

    def requests(self) -> int:
        """Every request of the run so far: the listings' and the partitions' (retried ones included)."""
        return sum(s.requests() for s in self.opened)

    def _track(self, stream: SourceStream) -> SourceStream:
        self.opened.append(stream)
        return stream


def cursors(engine: Engine, source: str) -> dict[str, str]:
    with engine.connect() as conn:
        rows = conn.execute(text("SELECT partition, value FROM ingest_cursor WHERE source = :s"), {"s": source})
        return {p: v for p, v in rows}


def cursor(engine: Engine, source: str, partition: str) -> str | None:
    """One partition's stored cursor, read when the partition starts (after any run it waited for)."""
    with engine.connect() as conn:
        return conn.execute(text("SELECT value FROM ingest_cursor WHERE source = :s AND partition = :p"),
                            {"s": source, "p": partition}).scalar()


def _ca(settings: Settings) -> str | None:
    """LOOKBACK_CA_BUNDLE *added* to the default CAs, as one file.

    The GitHub client hands its bundle to requests, where a bundle replaces the default CAs; a file
    holding both keeps github.com trusted next to a private CA (the other clients add it either way).
    """
    return _with_default_cas(str(settings.ca_bundle)) if settings.ca_bundle else None


@functools.cache
def _with_default_cas(path: str) -> str:
    import atexit
    import os
    import tempfile
    from pathlib import Path

    import certifi

    fd, combined = tempfile.mkstemp(prefix="lookback-ca-", suffix=".pem")
    with os.fdopen(fd, "wb") as out:
        out.write(Path(certifi.where()).read_bytes() + b"\n" + Path(path).read_bytes())
    atexit.register(lambda: Path(combined).unlink(missing_ok=True))
    return combined


# ------------------------------------------------------------------------------------------ GitHub


def github_plan(settings: Settings, engine: Engine, since: datetime | None, until: datetime | None) -> SourcePlan:
    """The selected repos (one listing), then per repo its pull requests from its cursor or over [since, until]."""
    from connectors import github

    selection = github.GithubSelection(
        repos=tuple(r for r in settings.github_repos if "*" not in r and "?" not in r),
        owners=tuple(settings.github_orgs),
        include=tuple(r for r in settings.github_repos if "*" in r or "?" in r) or ("*",),
        exclude=tuple(settings.github_exclude),
        include_archived=settings.github_include_archived,
        mode="auto" if settings.github_transport == "graphql" else "rest",
        # GraphQL has no diff text: patch excerpts cost one REST call per PR, so a backfill fetches
        # them afterwards for the PRs correlation ranks as candidates (flows.backfill), not for all.
        patches=False,
    )
    pace = rate_limiter("github")
    clients = threading.local()

    def client() -> Any:
        # One client per thread: it keeps its connection open from one repo to the next (a TLS handshake
        # costs more than a quiet repo's one request), and PyGithub's requester is not shared across threads.
        if not hasattr(clients, "client"):
            clients.client = github.make_client(settings.token("github"), settings.github_api_url, _ca(settings))
        return clients.client

    repos: list[str] = []

    def list_repos() -> SourceStream:
        state = github.FetchState(pace=pace)

        def records() -> Iterator[Record]:
            repos.extend(p["full_name"] for p in github.list_partitions(client(), selection, state))
            yield from (("skipped", s) for s in state.skipped)  # owners that could not be listed

        return SourceStream("github", records(), github_spec(), lambda: sum(state.requests.values()))

    # Shared by every repo of the run: logins whose names are known (stored, or fetched by another repo).
    users = stored_github_users(engine)
    stored = stored_pull_times(engine)

    def open_repo(name: str) -> SourceStream:
        state = github.FetchState(pace=pace, users=users, stored_updated=stored)
        start: str | datetime | None = since if since is not None else cursor(engine, "github", name)
        records = github.iter_repo_records(client(), selection, name, start, until, state)
        return SourceStream("github", records, github_spec(), lambda: sum(state.requests.values()), {"state": state})

    return SourcePlan("github", repos, list_repos, open_repo)


def stored_github_users(engine: Engine) -> dict[str, dict[str, Any]]:
    """Names and emails of the GitHub logins already stored: the REST path does not ask for them again."""
    with engine.connect() as conn:
        return {login: {"name": name, "email": email} for login, name, email in conn.execute(text(
            "SELECT native_id, display_name, email FROM account WHERE source = 'github'"))}


def stored_pull_times(engine: Engine) -> Callable[[str, int], datetime | None]:
    """(repo, number) -> the stored updated_at of that PR, read one repository at a time."""
    from warehouse.sqlutil import rows

    cache: dict[str, dict[int, datetime]] = {}

    def lookup(repo: str, number: int) -> datetime | None:
        if repo not in cache:
            with Session(engine) as session:
                cache[repo] = {int(r["number"]): r["updated_at"] for r in rows(
                    session, "SELECT number, updated_at FROM gh_pull_request WHERE repo_full_name = :r", {"r": repo},
                    times=("updated_at",))}
        return cache[repo].get(number)

    return lookup


def github_patches(settings: Settings, engine: Engine, native_ids: list[str]) -> int:
    """Fetch and store the patch excerpts of those stored PRs that lack them; returns the requests spent."""
    from connectors import github
    from flows.pipeline import load_records
    from warehouse.stream import pulls_without_patches

    with Session(engine) as session:
        payloads = pulls_without_patches(session, native_ids)
    if not payloads:
        return 0
    client = github.make_client(settings.token("github"), settings.github_api_url, _ca(settings))
    state = github.FetchState(pace=rate_limiter("github"))
    load_records(engine, github_spec(), github.iter_patched_pulls(client, payloads, state), run_id=None,
                 move_cursors=False)
    return sum(state.requests.values())


# ------------------------------------------------------------------------------------------ Slack


def slack_plan(settings: Settings, engine: Engine, since: datetime | None, until: datetime | None) -> SourcePlan:
    """Team, users and channels once (the listing), then per channel its messages and the threads that moved."""
    from connectors import slack

    api = slack.make_client(settings.token("slack"), settings.slack_api_url, _ca(settings),
                            pace=rate_limiter("slack"))
    spec = slack_spec()  # one spec for the run: mentions resolve to the users the listing stored
    team: dict[str, Any] = {}
    channels: dict[str, dict[str, Any]] = {}  # the channels to read, by id: the partitions

    def threads(channel: str) -> dict[str, tuple[str | None, int | None]]:
        with Session(engine) as session:
            return thread_marks(session, channel)

    pages = slack.HistoryPages()  # a page size the workspace caps (15 in 2025 mode) is learnt once

    def open_channel(cid: str) -> SourceStream:
        own = api.fork()
        stored = cursor(engine, "slack", cid) if since is None else None
        state = slack.SlackState(cursors={cid: stored} if stored else {}, threads=threads,
                                 overlap=settings.slack_overlap)
        records = slack.iter_channel_records(own, channels[cid], team, since, until, state, pages)
        return SourceStream("slack", records, spec, lambda: own.calls)

    def list_channels() -> SourceStream:
        own = api.fork()

        def records() -> Iterator[Record]:
            for kind, payload in slack.iter_slack_listing(own, settings.slack_channels or None, settings.slack_exclude):
                if kind == "team":
                    team.update(payload)
                elif kind == "channel" and payload.get("is_member") is not False:
                    channels[payload["id"]] = payload
                    partitions.append(payload["id"])
                yield kind, payload

        return SourceStream("slack", records(), spec, lambda: own.calls)

    partitions: list[str] = []
    return SourcePlan("slack", partitions, list_channels, open_channel)


# ------------------------------------------------------------------------------------------ PagerDuty


def pagerduty_client(settings: Settings) -> Any:
    from connectors import pagerduty

    return pagerduty.make_client(settings.token("pagerduty"), settings.pagerduty_api_url, _ca(settings),
                                 pace=rate_limiter("pagerduty"))


def pagerduty_plan(settings: Settings, engine: Engine, since: datetime | None, until: datetime | None) -> SourcePlan:
    """PagerDuty's partitions (`account`, or one per service) share one account-wide read of the log entries,
    which names every incident that changed: one stream for all of them, read from their oldest cursor."""
    from connectors import pagerduty

    selection = pagerduty.Selection(service_ids=tuple(settings.pagerduty_services),
                                    exclude=tuple(settings.pagerduty_exclude))
    names = pagerduty.partitions(selection)

    def open_all(_: str) -> SourceStream:
        client = pagerduty_client(settings)
        start, end, now = since, until, datetime.now(UTC)
        if start is None:
            stored = cursors(engine, "pagerduty")
            marks = [stored.get(p) for p in names]
            oldest = min((m for m in marks if m), default=None) if all(marks) else None
            start, end = pagerduty.window_from_cursor(oldest, now, initial_span=settings.history)
        state = pagerduty.RunState()
        records = pagerduty.iter_pagerduty_records(client, selection, start, end or now, state)
        return SourceStream("pagerduty", records, pagerduty_spec(), lambda: client.requests, {"state": state})

    def list_all() -> SourceStream:
        plan.partitions.append(", ".join(names))  # one partition stands for them all
        return SourceStream("pagerduty", iter(()), pagerduty_spec(), lambda: 0)

    plan = SourcePlan("pagerduty", [], list_all, open_all)
    return plan


PLANS: dict[str, Callable[[Settings, Engine, datetime | None, datetime | None], SourcePlan]] = {
    "github": github_plan, "slack": slack_plan, "pagerduty": pagerduty_plan,
}


def check_settings(settings: Settings, sources: list[str]) -> None:
    """One cheap request per selected service and per repo, org, channel or service named in the settings,
    before anything is written: a bad URL, CA, token or name fails here with the setting to fix."""
    from connectors.preflight import Service, preflight

    urls = {"github": ("GITHUB_API_URL", settings.github_api_url), "slack": ("SLACK_API_URL", settings.slack_api_url),
            "pagerduty": ("PAGERDUTY_API_URL", settings.pagerduty_api_url)}
    tokens = {"github": "GITHUB_TOKEN", "slack": "SLACK_BOT_TOKEN", "pagerduty": "PAGERDUTY_API_TOKEN"}
    services = [Service(s, urls[s][0], urls[s][1], tokens[s], settings.token(s)) for s in sources]
    preflight(services, ca_bundle=_ca(settings),
              github_repos=[r for r in settings.github_repos if "*" not in r and "?" not in r],
              github_owners=list(settings.github_orgs), slack_channels=list(settings.slack_channels),
              pagerduty_services=list(settings.pagerduty_services))
