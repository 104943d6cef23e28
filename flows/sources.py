"""The one place settings and secrets become connector clients, record streams and load specs."""

from __future__ import annotations

import functools
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
    """A source's records for one run, how to load them, and how many requests they cost."""

    source: str
    records: Iterator[Record]
    spec: SourceSpec
    requests: Callable[[], int]
    details: dict[str, Any] = field(default_factory=dict)


def cursors(engine: Engine, source: str) -> dict[str, str]:
    with engine.connect() as conn:
        rows = conn.execute(text("SELECT partition, value FROM ingest_cursor WHERE source = :s"), {"s": source})
        return {p: v for p, v in rows}


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


def github_stream(settings: Settings, engine: Engine, since: datetime | None, until: datetime | None) -> SourceStream:
    """Pull requests of the selected repos: from each repo's cursor (nightly) or over [since, until] (window)."""
    from connectors import github

    client = github.make_client(settings.token("github"), settings.github_api_url, _ca(settings))
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
    state = github.FetchState(pace=rate_limiter("github"), users=stored_github_users(engine),
                              stored_updated=stored_pull_times(engine))
    window: Any = since if since is not None else cursors(engine, "github")
    records = github.iter_github_records(client, selection, window, until, state)
    return SourceStream("github", records, github_spec(), lambda: sum(state.requests.values()), {"state": state})


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


def slack_stream(settings: Settings, engine: Engine, since: datetime | None, until: datetime | None) -> SourceStream:
    """Messages and threads of the selected channels; replies only for threads that moved."""
    from connectors import slack

    api = slack.make_client(settings.token("slack"), settings.slack_api_url, _ca(settings),
                            pace=rate_limiter("slack"))

    def threads(channel: str) -> dict[str, tuple[str | None, int | None]]:
        with Session(engine) as session:
            return thread_marks(session, channel)

    state = slack.SlackState(cursors=cursors(engine, "slack") if since is None else {}, threads=threads,
                             overlap=settings.slack_overlap)
    records = slack.iter_slack_records(api, settings.slack_channels or None, since, until, state,
                                       exclude=settings.slack_exclude)
    return SourceStream("slack", records, slack_spec(), lambda: api.calls)


# ------------------------------------------------------------------------------------------ PagerDuty


def pagerduty_client(settings: Settings) -> Any:
    from connectors import pagerduty

    return pagerduty.make_client(settings.token("pagerduty"), settings.pagerduty_api_url, _ca(settings),
                                 pace=rate_limiter("pagerduty"))


def pagerduty_stream(settings: Settings, engine: Engine, since: datetime | None, until: datetime | None) -> SourceStream:
    """Everything that changed in PagerDuty in the window (account-wide log entries name the incidents)."""
    from connectors import pagerduty

    client = pagerduty_client(settings)
    selection = pagerduty.Selection(service_ids=tuple(settings.pagerduty_services),
                                    exclude=tuple(settings.pagerduty_exclude))
    now = datetime.now(UTC)
    if since is None:
        stored = cursors(engine, "pagerduty")
        marks = [stored.get(p) for p in pagerduty.partitions(selection)]
        cursor = min((m for m in marks if m), default=None) if all(marks) else None
        since, until = pagerduty.window_from_cursor(cursor, now, initial_span=settings.history)
    state = pagerduty.RunState()
    records = pagerduty.iter_pagerduty_records(client, selection, since, until or now, state)
    return SourceStream("pagerduty", records, pagerduty_spec(), lambda: client.requests, {"state": state})


STREAMS: dict[str, Callable[[Settings, Engine, datetime | None, datetime | None], SourceStream]] = {
    "github": github_stream, "slack": slack_stream, "pagerduty": pagerduty_stream,
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
