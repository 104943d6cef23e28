"""Before a run writes anything: can each selected service be reached, over verified TLS, with its token,
and do the repos, orgs, channels and services named in the settings exist? One cheap request per check.

A problem raises ``SettingsProblem`` naming the setting to fix; transient answers (429, 5xx, dropped
connections, truncated bodies) are retried a few times, so a flaky network does not pass for a bad setting.
"""

from __future__ import annotations

import fnmatch
import json
import ssl
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

import httpx

from connectors.errors import AuthError, ConnectorError

ATTEMPTS = 4
SLACK_AUTH_ERRORS = frozenset({"invalid_auth", "not_authed", "account_inactive", "token_revoked", "token_expired",
                               "no_permission", "missing_scope"})


class SettingsProblem(ConnectorError):
    """A setting that cannot work (URL, TLS, a repo or channel that does not exist); the message names it."""


@dataclass(frozen=True)
class Service:
    """One service to check: its base URL and token, with the names of the settings that hold them."""

    source: str
    url_setting: str
    base_url: str
    token_setting: str
    token: str = field(repr=False)


def _client(ca_bundle: str | None, timeout: float) -> httpx.Client:
    context = ssl.create_default_context()  # verification always on; a CA bundle adds to the system CAs
    if ca_bundle:
        context.load_verify_locations(cafile=ca_bundle)
    return httpx.Client(verify=context, timeout=timeout, follow_redirects=False)


def _request(svc: Service, send: Callable[[], httpx.Response], what: str,
             sleep: Callable[[float], None] = time.sleep) -> tuple[int, Any]:
    """Status and JSON body of one request, retrying transient failures; URL and TLS problems raise."""
    last = ""
    for attempt in range(ATTEMPTS):
        if attempt:
            sleep(0.2 * 2 ** (attempt - 1))
        try:
            resp = send()
        except httpx.ConnectError as exc:
            text = str(exc)
            if "CERTIFICATE_VERIFY_FAILED" in text or "certificate verify failed" in text:
                raise SettingsProblem(
                    f"{svc.url_setting} {svc.base_url}: TLS certificate verification failed ({_short(text)}); "
                    "if this server uses a private CA, set LOOKBACK_CA_BUNDLE to its CA file") from None
            last = f"cannot connect ({_short(text)})"
            continue
        except httpx.UnsupportedProtocol:
            raise SettingsProblem(f"{svc.url_setting} {svc.base_url}: not an https:// URL") from None
        except httpx.TransportError as exc:
            last = f"{type(exc).__name__} ({_short(str(exc))})"
            continue
        if resp.status_code == 429 or resp.status_code >= 500:
            last = f"HTTP {resp.status_code}"
            continue
        try:
            body = resp.json() if resp.content else None
        except (json.JSONDecodeError, UnicodeDecodeError):
            if resp.status_code == 200:  # a truncated body
                last = "unreadable answer"
                continue
            body = None
        return resp.status_code, body
    raise SettingsProblem(f"{svc.url_setting} {svc.base_url}: {what} failed {ATTEMPTS} times, last: {last}; "
                          f"check {svc.url_setting} and that the service is reachable")


def _short(text: str) -> str:
    return text.strip().splitlines()[0][:160] if text.strip() else "no detail"


def check_github(http: httpx.Client, svc: Service, repos: Sequence[str], owners: Sequence[str]) -> None:
    base = svc.base_url.rstrip("/")
    headers = {"Authorization": f"token {svc.token}", "Accept": "application/vnd.github+json",
               "User-Agent": "lookback"}

    def get(path: str) -> tuple[int, Any]:
        return _request(svc, lambda: http.get(base + path, headers=headers), f"GET {path}")

    status, _ = get("/rate_limit")
    if status == 404:  # GitHub Enterprise with rate limiting turned off has no /rate_limit: ask the API root
        status, _ = get("/")
    if status == 401:
        raise AuthError(svc.token_setting, "GitHub answered 401 Bad credentials")
    if status == 404:
        raise SettingsProblem(f"{svc.url_setting} {svc.base_url}: no GitHub API there (GET /rate_limit and / answered 404)")
    for repo in repos:
        status, _ = get(f"/repos/{repo}")
        if status in (403, 404):
            raise SettingsProblem(f"LOOKBACK_GITHUB_REPOS: {repo} does not exist or the token cannot see it")
    for owner in owners:
        if get(f"/orgs/{owner}")[0] in (403, 404) and get(f"/users/{owner}")[0] in (403, 404):
            raise SettingsProblem(f"LOOKBACK_GITHUB_ORGS: {owner} is neither an organization nor a user "
                                  "the token can see")


def check_slack(http: httpx.Client, svc: Service, channels: Sequence[str]) -> None:
    base = svc.base_url if svc.base_url.endswith("/") else svc.base_url + "/"
    headers = {"Authorization": f"Bearer {svc.token}", "User-Agent": "lookback"}

    def call(method: str, params: dict[str, Any]) -> dict[str, Any]:
        status, body = _request(svc, lambda: http.post(base + method, data=params, headers=headers), method)
        if status == 404 or not isinstance(body, dict):
            raise SettingsProblem(f"{svc.url_setting} {svc.base_url}: no Slack Web API there ({method} answered "
                                  f"HTTP {status})")
        if not body.get("ok") and body.get("error") in SLACK_AUTH_ERRORS:
            raise AuthError(svc.token_setting, f"Slack answered {body.get('error')} to {method}")
        return body

    call("auth.test", {})
    if not channels:
        return
    from connectors.slack import CONVERSATION_TYPES

    known: set[str] = set()
    cursor = ""
    while True:
        body = call("conversations.list", {"types": CONVERSATION_TYPES, "limit": 1000, "cursor": cursor})
        for ch in body.get("channels") or []:
            known |= {str(ch.get("id")), str(ch.get("name"))}
        cursor = ((body.get("response_metadata") or {}).get("next_cursor") or "").strip()
        if not cursor:
            break
    missing = [c for c in channels if not any(fnmatch.fnmatchcase(k, c.lstrip("#")) for k in known)]
    if missing:
        raise SettingsProblem(f"LOOKBACK_SLACK_CHANNELS: no channel {', '.join(missing)} visible to the bot "
                              "(check the id or name, and invite the bot to private channels)")


def check_pagerduty(http: httpx.Client, svc: Service, services: Sequence[str]) -> None:
    base = svc.base_url.rstrip("/")
    headers = {"Authorization": f"Token token={svc.token}", "Accept": "application/vnd.pagerduty+json;version=2",
               "User-Agent": "lookback"}

    def get(path: str) -> int:
        return _request(svc, lambda: http.get(base + path, headers=headers), f"GET {path}")[0]

    status = get("/services?limit=1")
    if status in (401, 403):
        raise AuthError(svc.token_setting, f"PagerDuty answered {status}")
    if status == 404:
        raise SettingsProblem(f"{svc.url_setting} {svc.base_url}: no PagerDuty API there (GET /services answered 404)")
    if not services:
        return
    known: set[str] = set()
    offset = 0
    while True:  # ids and names of every service, to match ids, names and globs
        url = f"{base}/services?limit=100&offset={offset}"
        page_status, body = _request(svc, lambda u=url: http.get(u, headers=headers), "GET /services")  # type: ignore[misc]
        for item in (body or {}).get("services") or [] if page_status == 200 else []:
            known |= {str(item.get("id")), str(item.get("name"))}
        if page_status != 200 or not (body or {}).get("more"):
            break
        offset += 100
    missing = [p for p in services if not any(fnmatch.fnmatchcase(k, p) for k in known)]
    if missing:
        raise SettingsProblem(f"LOOKBACK_PAGERDUTY_SERVICES: PagerDuty has no service {', '.join(missing)}")


def preflight(services: Iterable[Service], *, ca_bundle: str | None, github_repos: Sequence[str] = (),
              github_owners: Sequence[str] = (), slack_channels: Sequence[str] = (),
              pagerduty_services: Sequence[str] = (), timeout: float = 15.0) -> None:
    """Check every service; raise AuthError or SettingsProblem at the first setting that cannot work."""
    with _client(ca_bundle, timeout) as http:
        for svc in services:
            if svc.source == "github":
                check_github(http, svc, github_repos, github_owners)
            elif svc.source == "slack":
                check_slack(http, svc, slack_channels)
            elif svc.source == "pagerduty":
                check_pagerduty(http, svc, pagerduty_services)
