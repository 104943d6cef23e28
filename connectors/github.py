"""GitHub connector: pull requests with files, reviews and comments, GraphQL first with a PyGithub REST fallback.

Entry points (the flows call these; nothing here reads settings or touches the database):

* ``make_client(token, base_url, ca_bundle=None) -> PyGithubClient`` builds the real client.
  ``base_url`` is ``GITHUB_API_URL`` (``https://api.github.com`` or ``https://ghe.example/api/v3``);
  GraphQL lives at ``.../api/graphql`` (Enterprise) or ``https://api.github.com/graphql``.
* ``list_partitions(client, selection, state) -> Iterator[dict]``: the selected repositories
  (``{"full_name", "id", "archived", ...}``); a partition is a repo's ``owner/name``.
* ``iter_github_records(client, selection, since, until=None, state=None) -> Iterator[tuple[str, dict]]``
  yields ``(kind, payload)``:

  - ``("repository", repo)`` once per repository that answered;
  - ``("pull_request", {"repo", "pull", "files", "reviews", "review_comments", "comments"})``, the same
    REST-shaped composite from both paths (``warehouse.map_github.map_pull_request`` maps it);
  - ``("cursor", {"partition": "owner/name", "value": "2022-12-06T14:30:00Z"})`` after a repository is
    complete (never for a backfill, i.e. when ``until`` is given): store it with the rows before it;
  - ``("skipped", {"partition": ..., "reason": ...})`` for a repository that cannot be read (404).

  ``since`` is either a mapping ``partition -> ISO cursor`` (nightly; an overlap is subtracted) or one
  datetime (a backfill window ``[since, until]``). Pull requests arrive newest-updated first and paging
  stops at the first one older than ``since``, as ``/pulls`` has no ``since`` parameter.
* ``iter_repo_records(client, selection, name, since, until=None, state=None)``: the same records for one
  repository (``since`` its stored cursor, or a window's start); a transient failure that outlived the
  retries is raised instead of becoming ``skipped``, so a caller can retry the partition as a whole.

Errors: ``AuthError("GITHUB_TOKEN")`` on 401/403-auth, ``RateLimitExhausted`` when the budget is spent
and the reset is further away than ``FetchState.max_wait_s``; transient faults (429/403 with
Retry-After, 5xx, dropped connections, truncated bodies) are retried with backoff and jitter.
"""

from __future__ import annotations

import fnmatch
import logging
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any, Protocol, TypeVar
from urllib.parse import urlparse, urlunparse

import requests
from github import Auth, Github, GithubException

from connectors.errors import AuthError, ConnectorError, PartitionSkipped, RateLimitExhausted, TransientError
from connectors.http import Backoff, parse_retry_after, with_system_cas

log = logging.getLogger(__name__)

SETTING = "GITHUB_TOKEN"
API = "github"
T = TypeVar("T")


# ---------------------------------------------------------------------------------------------- errors


class GithubTransient(TransientError):
    """A retryable GitHub failure, with the server's Retry-After when it sent one."""

    def __init__(self, message: str, retry_after: float | None = None) -> None:
        super().__init__(message)
        self.retry_after = retry_after


class RateLimited(ConnectorError):
    """The primary budget of `resource` is spent until `reset_at`."""

    def __init__(self, resource: str, reset_at: datetime | None) -> None:
        super().__init__(f"github {resource} rate limit exhausted")
        self.resource = resource
        self.reset_at = reset_at


class NotFound(ConnectorError):
    """404: the object (usually a repository) does not exist or the token cannot see it."""


class GraphQLUnavailable(ConnectorError):
    """The server has no GraphQL endpoint (404): use the REST path."""


# ---------------------------------------------------------------------------------------------- the client


@dataclass(frozen=True)
class RestResponse:
    headers: dict[str, str]  # lower-cased names
    data: Any


class GithubClient(Protocol):
    """One HTTP exchange per call, errors translated to the types above; retries live in `Fetcher`."""

    def rest(self, url: str, params: Mapping[str, Any] | None = None) -> RestResponse: ...

    def graphql(self, query: str, variables: Mapping[str, Any]) -> tuple[dict[str, str], dict[str, Any]]: ...


class _Secret:
    """Holds the token; its repr and str never show it."""

    __slots__ = ("_value",)

    def __init__(self, value: str) -> None:
        self._value = value

    def reveal(self) -> str:
        return self._value

    def __repr__(self) -> str:
        return "_Secret('***')"

    __str__ = __repr__


def graphql_url(base_url: str) -> str:
    """CONTRACTS §4: `.../api/v3` -> `.../api/graphql`; `https://api.github.com` -> `.../graphql`."""
    parsed = urlparse(base_url.rstrip("/"))
    path = parsed.path
    if path.endswith("/api/v3"):
        path = path.removesuffix("/v3") + "/graphql"
    else:
        path += "/graphql"
    return urlunparse(parsed._replace(path=path))


def _rate_reset(headers: Mapping[str, str]) -> datetime | None:
    raw = headers.get("x-ratelimit-reset")
    try:
        return datetime.fromtimestamp(int(raw), UTC) if raw else None
    except ValueError:
        return None


class PyGithubClient:
    """PyGithub's requester for REST (auth, base URL, Enterprise), requests for GraphQL."""

    def __init__(self, token: str, base_url: str, ca_bundle: str | None = None, timeout: int = 30) -> None:
        self._token = _Secret(token)
        self.base_url = base_url.rstrip("/")
        self.graphql_url = graphql_url(self.base_url)
        self._verify: bool | str = with_system_cas(ca_bundle) if ca_bundle else True
        self._timeout = timeout
        # Retries are ours (one policy for REST and GraphQL, truncated bodies included): retry=None.
        self._gh = Github(
            auth=Auth.Token(token),
            base_url=self.base_url,
            per_page=100,
            seconds_between_requests=None,
            seconds_between_writes=None,
            retry=None,
            verify=self._verify,
            timeout=timeout,
            lazy=True,
        )
        self._session = requests.Session()

    def __repr__(self) -> str:
        return f"PyGithubClient(base_url={self.base_url!r})"

    def close(self) -> None:
        self._gh.close()
        self._session.close()

    def rest(self, url: str, params: Mapping[str, Any] | None = None) -> RestResponse:
        try:
            headers, data = self._gh.requester.requestJsonAndCheck("GET", url, dict(params) if params else None)
        except GithubException as exc:
            headers = {k.lower(): v for k, v in (exc.headers or {}).items()}
            raise _classify(exc.status, headers, exc.data if isinstance(exc.data, dict) else {}) from None
        except ValueError as exc:  # a 200 whose JSON was cut short
            raise GithubTransient(f"truncated JSON body from {_path(url)}: {type(exc).__name__}") from None
        except (requests.ConnectionError, requests.Timeout, ConnectionError, OSError) as exc:
            raise GithubTransient(f"connection failed for {_path(url)}: {type(exc).__name__}") from None
        return RestResponse({k.lower(): v for k, v in headers.items()}, data)

    def graphql(self, query: str, variables: Mapping[str, Any]) -> tuple[dict[str, str], dict[str, Any]]:
        try:
            resp = self._session.post(
                self.graphql_url,
                json={"query": query, "variables": dict(variables)},
                headers={"Authorization": f"bearer {self._token.reveal()}", "Accept": "application/json",
                         "User-Agent": "lookback"},
                verify=self._verify,
                timeout=self._timeout,
            )
        except (requests.ConnectionError, requests.Timeout) as exc:
            raise GithubTransient(f"connection failed for graphql: {type(exc).__name__}") from None
        headers = {k.lower(): v for k, v in resp.headers.items()}
        if resp.status_code == 404:
            raise GraphQLUnavailable("no GraphQL endpoint at this GitHub")
        try:
            body = resp.json()
        except ValueError:
            if resp.status_code == 200:
                raise GithubTransient("truncated JSON body from graphql") from None
            body = {}
        if resp.status_code != 200:
            raise _classify(resp.status_code, headers, body if isinstance(body, dict) else {})
        errors = body.get("errors") or []
        if any(e.get("type") == "RATE_LIMITED" for e in errors):
            raise RateLimited("graphql", _rate_reset(headers))
        if errors and body.get("data") is None:
            raise ConnectorError(f"GitHub GraphQL error: {errors[0].get('message')}")
        return headers, body


def _path(url: str) -> str:
    return urlparse(url).path or url


def _classify(status: int, headers: Mapping[str, str], body: Mapping[str, Any]) -> ConnectorError:
    message = str(body.get("message") or "")
    retry_after = parse_retry_after(headers.get("retry-after"))
    if status == 401:
        return AuthError(SETTING, f"GitHub answered 401 {message}".strip())
    if status in (403, 429):
        if retry_after is not None or "secondary rate limit" in message.lower():
            wait = retry_after if retry_after is not None else 60.0  # GitHub: wait a minute when not told
            return GithubTransient(f"GitHub secondary rate limit ({status})", wait)
        if message.lower().startswith("api rate limit exceeded") or headers.get("x-ratelimit-remaining") == "0":
            return RateLimited(headers.get("x-ratelimit-resource", "core"), _rate_reset(headers))
        if status == 429:
            return GithubTransient("GitHub 429", retry_after)
        return AuthError(SETTING, f"GitHub answered 403 {message}".strip())
    if status == 404:
        return NotFound(message or "Not Found")
    if status >= 500:
        return GithubTransient(f"GitHub {status}", retry_after)
    return ConnectorError(f"GitHub answered {status}: {message}")


def make_client(token: str, base_url: str = "https://api.github.com", ca_bundle: str | None = None) -> PyGithubClient:
    """The real client; `ca_bundle` is a CA file to trust in addition (the sandbox's, or a company CA)."""
    if not token:
        raise AuthError(SETTING, "no token given")
    return PyGithubClient(token, base_url, ca_bundle)


# ---------------------------------------------------------------------------------------------- run state, retries, budget


@dataclass(frozen=True)
class GithubSelection:
    """Which repositories, and how to fetch them."""

    repos: tuple[str, ...] = ()  # explicit "owner/name"; archived ones are read when named here
    owners: tuple[str, ...] = ()  # orgs or users whose repositories are listed
    include: tuple[str, ...] = ("*",)  # fnmatch globs on "owner/name"
    exclude: tuple[str, ...] = ()
    include_archived: bool = False
    mode: str = "auto"  # auto (GraphQL, REST when the server has none) | graphql | rest
    patches: bool = False  # GraphQL has no patches: True costs one REST files call per PR
    page_size: int = 25  # PRs per GraphQL page
    overlap: timedelta = timedelta(minutes=10)  # re-read this much before a cursor


@dataclass
class FetchState:
    """What a run spent and learnt; pass one in to read it afterwards (or to share a users cache)."""

    max_wait_s: float = 300.0  # wait for a rate-limit reset at most this long, else RateLimitExhausted
    pace: Callable[[], None] | None = None  # called before every request: a rate limit shared by several workers
    backoff: Backoff = field(default_factory=Backoff)
    mode: str | None = None  # the path actually used: graphql | rest
    requests: Counter[str] = field(default_factory=Counter)  # rest | graphql -> requests sent (retries included)
    retries: int = 0
    graphql_cost: int = 0
    remaining: dict[str, int] = field(default_factory=dict)  # resource -> last remaining seen
    reset_at: dict[str, datetime] = field(default_factory=dict)
    skipped: list[dict[str, str]] = field(default_factory=list)
    users: dict[str, dict[str, Any]] = field(default_factory=dict)  # login -> slim user (REST path); pre-fill from storage
    # (repo, number) -> the updated_at already stored: the REST path does not fetch a PR again that has not changed.
    stored_updated: Callable[[str, int], datetime | None] | None = None


class Fetcher:
    """Retries transient failures and keeps within the rate-limit budget; the one place that loops."""

    def __init__(self, client: GithubClient, state: FetchState) -> None:
        self.client = client
        self.state = state

    def _check_budget(self, resource: str) -> None:
        if self.state.remaining.get(resource, 1) > 0:
            return
        reset_at = self.state.reset_at.get(resource)
        now = datetime.now(UTC)
        if reset_at is None or reset_at <= now:
            self.state.remaining.pop(resource, None)
            return
        wait = (reset_at - now).total_seconds() + 1
        if wait > self.state.max_wait_s:
            raise RateLimitExhausted(API, reset_at)
        log.info("github %s budget spent; waiting %.0fs for the reset", resource, wait)
        self.state.backoff.sleep(wait)
        self.state.remaining.pop(resource, None)

    def _call(self, resource: str, fn: Callable[[], T]) -> T:
        attempt = 0
        limited = 0
        while True:
            self._check_budget(resource)
            attempt += 1
            if self.state.pace is not None:
                self.state.pace()
            self.state.requests[resource] += 1
            try:
                return fn()
            except RateLimited as exc:
                limited += 1
                if limited > 3:
                    raise RateLimitExhausted(API, exc.reset_at) from None
                self.state.remaining[resource] = 0
                if exc.reset_at:
                    self.state.reset_at[resource] = exc.reset_at
                attempt -= 1
            except GithubTransient as exc:
                if attempt >= self.state.backoff.attempts:
                    raise
                if exc.retry_after is not None and exc.retry_after > self.state.backoff.max_retry_after_s:
                    raise RateLimitExhausted(API, datetime.now(UTC) + timedelta(seconds=exc.retry_after)) from None
                self.state.retries += 1
                log.info("github: %s; retry %d", exc, attempt)
                self.state.backoff.wait(attempt, exc.retry_after)

    def _note(self, resource: str, remaining: Any, reset_at: datetime | None) -> None:
        try:
            self.state.remaining[resource] = int(remaining)
        except (TypeError, ValueError):
            return
        if reset_at:
            self.state.reset_at[resource] = reset_at

    def rest(self, url: str, params: Mapping[str, Any] | None = None) -> RestResponse:
        resp = self._call("rest", lambda: self.client.rest(url, params))
        self._note("rest", resp.headers.get("x-ratelimit-remaining"), _rate_reset(resp.headers))
        return resp

    def rest_pages(self, url: str, params: Mapping[str, Any] | None = None) -> Iterator[list[Any]]:
        """Every page of a list, following `Link: rel="next"` verbatim (QUIRKS 1)."""
        next_url: str | None = url
        next_params: Mapping[str, Any] | None = {"per_page": 100, **(params or {})}
        while next_url:
            resp = self.rest(next_url, next_params)
            yield list(resp.data or [])
            next_url, next_params = _next_link(resp.headers.get("link")), None

    def graphql(self, query: str, variables: Mapping[str, Any]) -> dict[str, Any]:
        headers, body = self._call("graphql", lambda: self.client.graphql(query, variables))
        data = body.get("data") or {}
        rate = data.get("rateLimit") or {}
        reset = rate.get("resetAt")
        self.state.graphql_cost += int(rate.get("cost") or 0)
        self._note("graphql", rate.get("remaining", headers.get("x-ratelimit-remaining")),
                   _iso_time(reset) if reset else _rate_reset(headers))
        errors = body.get("errors") or []
        if errors:
            # NOT_FOUND: no such repository; FORBIDDEN: e.g. an org's SAML policy hides it from this token.
            unreadable = [e for e in errors if e.get("type") in ("NOT_FOUND", "FORBIDDEN")]
            if unreadable:
                raise NotFound(f"{unreadable[0].get('type')}: {unreadable[0].get('message')}")
            raise ConnectorError(f"GitHub GraphQL error: {errors[0].get('message')}")
        return data


def _next_link(link: str | None) -> str | None:
    if not link:
        return None
    for part in link.split(","):
        url, _, rel = part.partition(";")
        if 'rel="next"' in rel:
            return url.strip().strip("<>")
    return None


def _iso_time(value: str | None) -> datetime | None:
    if not value:
        return None
    return datetime.fromisoformat(value.replace("Z", "+00:00")).astimezone(UTC)


def _iso(value: str | None) -> str | None:
    """Times as GitHub's fixed-width `YYYY-MM-DDTHH:MM:SSZ`, whatever the source wrote."""
    t = _iso_time(value)
    return t.strftime("%Y-%m-%dT%H:%M:%SZ") if t else None


# ---------------------------------------------------------------------------------------------- repositories


def _selected(name: str, selection: GithubSelection) -> bool:
    return any(fnmatch.fnmatch(name, g) for g in selection.include) and not any(
        fnmatch.fnmatch(name, g) for g in selection.exclude
    )


def list_partitions(client: GithubClient, selection: GithubSelection,
                    state: FetchState | None = None) -> Iterator[dict[str, Any]]:
    """The selected repositories as `{"full_name", "id"?, "archived"?}`; owners are listed through REST."""
    state = state or FetchState()
    fetcher = Fetcher(client, state)
    seen: set[str] = set()
    for name in selection.repos:
        if name.lower() not in seen:
            seen.add(name.lower())
            yield {"full_name": name}
    # No selection at all means everything the token can see.
    owners: tuple[str | None, ...] = selection.owners or ((None,) if not selection.repos else ())
    for owner in owners:
        try:
            pages = list(_owner_repo_pages(fetcher, owner))
        except NotFound:
            state.skipped.append({"partition": owner or "(the token's repositories)", "reason": "owner not found (404)"})
            log.warning("github: owner %s not found; skipped", owner)
            continue
        for page in pages:
            for repo in page:
                name = repo["full_name"]
                if name.lower() in seen or not _selected(name, selection):
                    continue
                if repo.get("archived") and not selection.include_archived:
                    continue
                seen.add(name.lower())
                yield {"full_name": name, "id": repo.get("id"), "archived": bool(repo.get("archived"))}


def _owner_repo_pages(fetcher: Fetcher, owner: str | None) -> Iterator[list[Any]]:
    if owner is None:
        yield from fetcher.rest_pages("/user/repos", {"affiliation": "owner,collaborator,organization_member"})
        return
    try:
        yield from fetcher.rest_pages(f"/orgs/{owner}/repos", {"type": "all"})
    except NotFound:  # not an organization: a user
        yield from fetcher.rest_pages(f"/users/{owner}/repos", {"type": "owner"})


# ---------------------------------------------------------------------------------------------- slim shapes (both paths)


def _user(login: str | None, uid: Any = None, kind: str | None = None, name: str | None = None,
          email: str | None = None) -> dict[str, Any] | None:
    if not login:
        return None
    return {"login": login, "id": int(uid) if uid is not None else None, "type": kind or "User",
            "name": name or None, "email": email or None}


def _gql_user(actor: Mapping[str, Any] | None) -> dict[str, Any] | None:
    if not actor:
        return None
    kind = actor.get("__typename") or "User"
    login = actor.get("login")
    if kind == "Bot" and login and not login.endswith("[bot]"):
        login += "[bot]"  # REST names bots "x[bot]"; GraphQL drops the suffix
    return _user(login, actor.get("databaseId"), kind, actor.get("name"), actor.get("email"))


def _rest_user(user: Mapping[str, Any] | None, users: Mapping[str, Mapping[str, Any]]) -> dict[str, Any] | None:
    if not user or not user.get("login"):
        return None
    full = users.get(user["login"]) or {}
    return _user(user["login"], user.get("id"), user.get("type"), full.get("name"), full.get("email"))


def _slim_repo(repo: Mapping[str, Any]) -> dict[str, Any]:
    return {
        "id": int(repo["id"]),
        "full_name": repo["full_name"],
        "owner": {"login": repo["full_name"].split("/", 1)[0]},
        "name": repo["full_name"].split("/", 1)[1],
        "private": bool(repo.get("private")),
        "archived": bool(repo.get("archived")),
        "default_branch": repo.get("default_branch"),
        "description": repo.get("description") or None,
        "html_url": repo.get("html_url"),
        "created_at": _iso(repo.get("created_at")),
        "pushed_at": _iso(repo.get("pushed_at")),
    }


def _gql_repo(r: Mapping[str, Any]) -> dict[str, Any]:
    return _slim_repo({
        "id": r["databaseId"], "full_name": r["nameWithOwner"], "private": r.get("isPrivate"),
        "archived": r.get("isArchived"), "default_branch": (r.get("defaultBranchRef") or {}).get("name"),
        "description": r.get("description"), "html_url": r.get("url"), "created_at": r.get("createdAt"),
        "pushed_at": r.get("pushedAt"),
    })


_CHANGE_TYPES = {"ADDED": "added", "DELETED": "removed", "MODIFIED": "modified", "RENAMED": "renamed",
                 "COPIED": "copied", "CHANGED": "changed"}


def _slim_file(f: Mapping[str, Any], patches: bool) -> dict[str, Any]:
    out = {"filename": f["filename"], "status": f.get("status"), "additions": f.get("additions"),
           "deletions": f.get("deletions")}
    if patches and f.get("patch") is not None:
        out["patch"] = f["patch"]
    if f.get("previous_filename"):
        out["previous_filename"] = f["previous_filename"]
    return out


def _composite(repo: dict[str, Any], pull: dict[str, Any], files: list[dict[str, Any]],
               reviews: list[dict[str, Any]], review_comments: list[dict[str, Any]],
               comments: list[dict[str, Any]]) -> dict[str, Any]:
    return {
        "repo": repo,
        "pull": pull,
        "files": files,
        "reviews": sorted(reviews, key=lambda r: r["id"]),
        "review_comments": sorted(review_comments, key=lambda c: c["id"]),
        "comments": sorted(comments, key=lambda c: c["id"]),
    }


# ---------------------------------------------------------------------------------------------- GraphQL path

_ACTOR = "login __typename ... on User { databaseId name email } ... on Bot { databaseId }"
_PAGE = "pageInfo { hasNextPage endCursor }"
_NESTED: dict[str, tuple[str, str, int]] = {
    # connection -> (node type, node selection, first on the PR page)
    "labels": ("PullRequest", "name", 20),
    "files": ("PullRequest", "path additions deletions changeType", 100),
    "reviews": ("PullRequest",
                f"databaseId state body submittedAt url commit {{ oid }} author {{ {_ACTOR} }}", 30),
    "comments": ("PullRequest", f"databaseId body createdAt updatedAt url author {{ {_ACTOR} }}", 30),
    "reviewThreads": ("PullRequest", "id comments(first: 20) { %s nodes { %s } }", 30),
}
_REVIEW_COMMENT = (
    "databaseId body path line diffHunk createdAt updatedAt url replyTo { databaseId } "
    f"pullRequestReview {{ databaseId }} author {{ {_ACTOR} }}"
)


def _nested_selection(name: str, first: int, after: bool = False) -> str:
    _type, sel, _ = _NESTED[name]
    if name == "reviewThreads":
        sel = sel % (_PAGE, _REVIEW_COMMENT)
    args = f"first: {first}" + (", after: $after" if after else "")
    return f"{name}({args}) {{ {_PAGE} nodes {{ {sel} }} }}"


_PR_FIELDS = (
    "id databaseId number title body state isDraft createdAt updatedAt closedAt mergedAt url "
    "additions deletions changedFiles baseRefName headRefName headRefOid mergeCommit { oid } "
    f"author {{ {_ACTOR} }} mergedBy {{ {_ACTOR} }} "
    + " ".join(_nested_selection(n, f) for n, (_t, _s, f) in _NESTED.items())
)
_REPO_FIELDS = ("databaseId nameWithOwner isPrivate isArchived description url createdAt pushedAt "
                "defaultBranchRef { name }")
PULLS_QUERY = (
    "query($owner: String!, $name: String!, $first: Int!, $after: String) { "
    "rateLimit { cost remaining resetAt } "
    f"repository(owner: $owner, name: $name) {{ {_REPO_FIELDS} "
    "pullRequests(first: $first, after: $after, orderBy: {field: UPDATED_AT, direction: DESC}) { "
    f"{_PAGE} nodes {{ {_PR_FIELDS} }} }} }} }}"
)


def _node_query(type_name: str, selection: str) -> str:
    return (
        "query($id: ID!, $after: String) { rateLimit { cost remaining resetAt } "
        f"node(id: $id) {{ ... on {type_name} {{ {selection} }} }} }}"
    )


def _all_nodes(fetcher: Fetcher, node_id: str, type_name: str, name: str, conn: Mapping[str, Any],
                selection: str) -> list[dict[str, Any]]:
    """All nodes of a nested connection: what came with the page, then pages of 100 by node id."""
    nodes = list(conn.get("nodes") or [])
    page = conn.get("pageInfo") or {}
    while page.get("hasNextPage"):
        try:
            data = fetcher.graphql(_node_query(type_name, selection), {"id": node_id, "after": page.get("endCursor")})
        except NotFound:  # deleted since the page was read: keep what we have, the PR's next update re-reads it
            break
        more = ((data.get("node") or {}).get(name)) or {}
        nodes += more.get("nodes") or []
        page = more.get("pageInfo") or {}
    return nodes


def _gql_pull(fetcher: Fetcher, repo: dict[str, Any], pr: Mapping[str, Any], patches: bool) -> dict[str, Any]:
    nested: dict[str, list[dict[str, Any]]] = {}
    for name in _NESTED:
        nested[name] = _all_nodes(fetcher, pr["id"], "PullRequest", name, pr.get(name) or {},
                                   _nested_selection(name, 100, after=True))
    review_comments: list[dict[str, Any]] = []
    for thread in nested["reviewThreads"]:
        sel = f"comments(first: 100, after: $after) {{ {_PAGE} nodes {{ {_REVIEW_COMMENT} }} }}"
        for c in _all_nodes(fetcher, thread["id"], "PullRequestReviewThread", "comments",
                             thread.get("comments") or {}, sel):
            review_comments.append({
                "id": int(c["databaseId"]),
                "pull_request_review_id": (c.get("pullRequestReview") or {}).get("databaseId"),
                "in_reply_to_id": (c.get("replyTo") or {}).get("databaseId"),
                "user": _gql_user(c.get("author")),
                "body": c.get("body") or None,
                "path": c.get("path") or None,
                "line": c.get("line"),
                "diff_hunk": c.get("diffHunk") or None,
                "created_at": _iso(c.get("createdAt")),
                "updated_at": _iso(c.get("updatedAt")),
                "html_url": c.get("url"),
            })
    merged = bool(pr.get("mergedAt"))
    pull = {
        "id": pr.get("databaseId"),
        "node_id": pr.get("id"),
        "number": int(pr["number"]),
        "title": pr.get("title") or "",
        "body": pr.get("body") or None,
        "state": "open" if pr.get("state") == "OPEN" else "closed",
        "draft": bool(pr.get("isDraft")),
        "user": _gql_user(pr.get("author")),
        "created_at": _iso(pr.get("createdAt")),
        "updated_at": _iso(pr.get("updatedAt")),
        "closed_at": _iso(pr.get("closedAt")),
        "merged_at": _iso(pr.get("mergedAt")),
        "merged_by": _gql_user(pr.get("mergedBy")) if merged else None,
        "merge_commit_sha": (pr.get("mergeCommit") or {}).get("oid") if merged else None,
        "base": {"ref": pr.get("baseRefName")},
        "head": {"ref": pr.get("headRefName"), "sha": pr.get("headRefOid")},
        "labels": [{"name": lab["name"]} for lab in nested["labels"]],
        "additions": pr.get("additions"),
        "deletions": pr.get("deletions"),
        "changed_files": pr.get("changedFiles"),
        "html_url": pr.get("url"),
    }
    files = [
        {"filename": f["path"], "status": _CHANGE_TYPES.get(f.get("changeType") or "", "modified"),
         "additions": f.get("additions"), "deletions": f.get("deletions")}
        for f in nested["files"]
    ]
    if patches and files:
        files = _with_patches(fetcher, repo["full_name"], int(pr["number"]), files)
    reviews = [{
        "id": int(r["databaseId"]),
        "user": _gql_user(r.get("author")),
        "state": r.get("state"),
        "body": r.get("body") or None,
        "submitted_at": _iso(r.get("submittedAt")),
        "commit_id": (r.get("commit") or {}).get("oid"),
        "html_url": r.get("url"),
    } for r in nested["reviews"]]
    comments = [{
        "id": int(c["databaseId"]),
        "user": _gql_user(c.get("author")),
        "body": c.get("body") or None,
        "created_at": _iso(c.get("createdAt")),
        "updated_at": _iso(c.get("updatedAt")),
        "html_url": c.get("url"),
    } for c in nested["comments"]]
    return _composite(repo, pull, files, reviews, review_comments, comments)


def _with_patches(fetcher: Fetcher, full_name: str, number: int, files: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The files with their diff text, which GraphQL does not have: REST, one call per 100 files."""
    by_name = {}
    for page in fetcher.rest_pages(f"/repos/{full_name}/pulls/{number}/files"):
        for f in page:
            by_name[f["filename"]] = f
    return [_slim_file({**f, **{k: v for k, v in by_name.get(f["filename"], {}).items()
                                if k in ("patch", "previous_filename")}}, True) for f in files]


def iter_patched_pulls(client: GithubClient, pulls: Iterable[Mapping[str, Any]],
                       state: FetchState | None = None) -> Iterator[tuple[str, dict[str, Any]]]:
    """Pull request composites (as stored) again, with the patch excerpts of their files.

    Patches cost one REST call per PR, so a backfill asks only for the PRs correlation ranks as
    candidates; the rest of the composite is not fetched again.
    """
    fetcher = Fetcher(client, state or FetchState())
    for payload in pulls:
        files = [dict(f) for f in payload.get("files") or []]
        if not files:
            continue
        number = int(payload["pull"]["number"])
        yield "pull_request", {**payload, "files": _with_patches(fetcher, payload["repo"]["full_name"], number, files)}


@dataclass(frozen=True)
class _Window:
    since: datetime | None
    until: datetime | None

    def too_old(self, updated: datetime | None) -> bool:
        return self.since is not None and updated is not None and updated < self.since

    def too_new(self, updated: datetime | None) -> bool:
        return self.until is not None and updated is not None and updated > self.until


def _graphql_partition(fetcher: Fetcher, full_name: str, window: _Window,
                       selection: GithubSelection) -> Iterator[tuple[str, dict[str, Any]]]:
    owner, name = full_name.split("/", 1)
    after: str | None = None
    repo: dict[str, Any] | None = None
    first = max(1, min(selection.page_size, 100))
    while True:
        data = fetcher.graphql(PULLS_QUERY, {"owner": owner, "name": name, "first": first, "after": after})
        r = data.get("repository")
        if r is None:
            raise NotFound(f"repository {full_name} not found")
        if repo is None:
            repo = _gql_repo(r)
            yield "repository", repo
        conn = r.get("pullRequests") or {}
        for pr in conn.get("nodes") or []:
            updated = _iso_time(pr.get("updatedAt"))
            if window.too_old(updated):
                return
            if window.too_new(updated):
                continue
            yield "pull_request", _gql_pull(fetcher, repo, pr, selection.patches)
        page = conn.get("pageInfo") or {}
        if not page.get("hasNextPage"):
            return
        after = page.get("endCursor")


# ---------------------------------------------------------------------------------------------- REST path


def _rest_users(fetcher: Fetcher, logins: set[str]) -> dict[str, dict[str, Any]]:
    """Name and email of each login, once per run (REST list shapes carry neither)."""
    for login in sorted(logins - set(fetcher.state.users)):
        try:
            data = fetcher.rest(f"/users/{login}").data or {}
        except NotFound:
            data = {}
        fetcher.state.users[login] = {"name": data.get("name"), "email": data.get("email")}
    return fetcher.state.users


def _rest_pull(fetcher: Fetcher, repo: dict[str, Any], simple: dict[str, Any], patches: bool) -> dict[str, Any]:
    base = f"/repos/{repo['full_name']}"
    n = int(simple["number"])
    files_raw = [f for page in fetcher.rest_pages(f"{base}/pulls/{n}/files") for f in page]
    reviews_raw = [r for page in fetcher.rest_pages(f"{base}/pulls/{n}/reviews") for r in page]
    rc_raw = [c for page in fetcher.rest_pages(f"{base}/pulls/{n}/comments") for c in page]
    ic_raw = [c for page in fetcher.rest_pages(f"{base}/issues/{n}/comments") for c in page]
    merged = bool(simple.get("merged_at"))
    detail: Mapping[str, Any] = simple
    if merged or len(files_raw) >= 3000:
        # Only the detail shape has merged_by (and the true counts past GitHub's 3000-file cap).
        detail = fetcher.rest(f"{base}/pulls/{n}").data or simple
    actors = [simple.get("user"), detail.get("merged_by") if merged else None]
    actors += [x.get("user") for x in reviews_raw + rc_raw + ic_raw]
    users = _rest_users(fetcher, {a["login"] for a in actors if a and a.get("login")})
    additions: int | None
    deletions: int | None
    changed: int | None
    if detail is simple:
        additions = sum(int(f.get("additions") or 0) for f in files_raw)
        deletions = sum(int(f.get("deletions") or 0) for f in files_raw)
        changed = len(files_raw)
    else:
        additions, deletions, changed = detail.get("additions"), detail.get("deletions"), detail.get("changed_files")
    pull = {
        "id": simple.get("id"),
        "node_id": simple.get("node_id"),
        "number": n,
        "title": simple.get("title") or "",
        "body": simple.get("body") or None,
        "state": simple.get("state"),
        "draft": bool(simple.get("draft")),
        "user": _rest_user(simple.get("user"), users),
        "created_at": _iso(simple.get("created_at")),
        "updated_at": _iso(simple.get("updated_at")),
        "closed_at": _iso(simple.get("closed_at")),
        "merged_at": _iso(simple.get("merged_at")),
        "merged_by": _rest_user(detail.get("merged_by"), users) if merged else None,
        "merge_commit_sha": simple.get("merge_commit_sha") if merged else None,
        "base": {"ref": (simple.get("base") or {}).get("ref")},
        "head": {"ref": (simple.get("head") or {}).get("ref"), "sha": (simple.get("head") or {}).get("sha")},
        "labels": [{"name": lab["name"]} for lab in simple.get("labels") or []],
        "additions": additions,
        "deletions": deletions,
        "changed_files": changed,
        "html_url": simple.get("html_url"),
    }
    files = [_slim_file(f, patches) for f in files_raw]
    reviews = [{
        "id": int(r["id"]), "user": _rest_user(r.get("user"), users), "state": r.get("state"),
        "body": r.get("body") or None, "submitted_at": _iso(r.get("submitted_at")),
        "commit_id": r.get("commit_id"), "html_url": r.get("html_url"),
    } for r in reviews_raw]
    review_comments = [{
        "id": int(c["id"]), "pull_request_review_id": c.get("pull_request_review_id"),
        "in_reply_to_id": c.get("in_reply_to_id"), "user": _rest_user(c.get("user"), users),
        "body": c.get("body") or None, "path": c.get("path") or None, "line": c.get("line"),
        "diff_hunk": c.get("diff_hunk") or None, "created_at": _iso(c.get("created_at")),
        "updated_at": _iso(c.get("updated_at")), "html_url": c.get("html_url"),
    } for c in rc_raw]
    comments = [{
        "id": int(c["id"]), "user": _rest_user(c.get("user"), users), "body": c.get("body") or None,
        "created_at": _iso(c.get("created_at")), "updated_at": _iso(c.get("updated_at")),
        "html_url": c.get("html_url"),
    } for c in ic_raw]
    return _composite(repo, pull, files, reviews, review_comments, comments)


def _rest_partition(fetcher: Fetcher, full_name: str, window: _Window,
                    selection: GithubSelection) -> Iterator[tuple[str, dict[str, Any]]]:
    repo: dict[str, Any] | None = None
    pages = fetcher.rest_pages(f"/repos/{full_name}/pulls",
                               {"state": "all", "sort": "updated", "direction": "desc"})
    for page in pages:
        for simple in page:
            if repo is None:  # the list's base.repo is the full repository: no extra request
                base_repo = (simple.get("base") or {}).get("repo")
                repo = _slim_repo(base_repo) if base_repo else {"id": None, "full_name": full_name}
                yield "repository", repo
            updated = _iso_time(simple.get("updated_at"))
            if window.too_old(updated):
                return  # sorted by updated desc: everything after this is older still
            if window.too_new(updated):
                continue
            known = fetcher.state.stored_updated
            if known is not None and updated is not None and known(full_name, int(simple["number"])) == updated:
                # Stored as it is now (re-read only because of the overlap): no files/reviews/comments calls,
                # but it still counts for the repository's cursor.
                yield "unchanged", {"partition": full_name, "number": int(simple["number"]),
                                    "updated_at": simple["updated_at"]}
                continue
            yield "pull_request", _rest_pull(fetcher, repo, simple, selection.patches)


# ---------------------------------------------------------------------------------------------- the entry point


def _cursor_since(value: str | None, overlap: timedelta) -> datetime | None:
    t = _iso_time(value)
    return t - overlap if t else None


def iter_github_records(
    client: GithubClient,
    selection: GithubSelection,
    since: Mapping[str, str | None] | datetime | None = None,
    until: datetime | None = None,
    state: FetchState | None = None,
) -> Iterator[tuple[str, dict[str, Any]]]:
    """Every selected repository's pull requests, newest-updated first; see the module docstring."""
    state = state or FetchState()
    for part in list_partitions(client, selection, state):
        name = part["full_name"]
        previous = since if isinstance(since, datetime) else (since or {}).get(name)
        try:
            yield from iter_repo_records(client, selection, name, previous, until, state)
        except GithubTransient as exc:
            # Still failing after every retry: the other repositories go on; its cursor stays, so the
            # next run reads it again.
            reason = f"still failing after {state.backoff.attempts} tries: {exc}"
            state.skipped.append({"partition": name, "reason": reason})
            log.warning("github: %s skipped: %s", name, reason)
            yield "skipped", {"partition": name, "reason": reason}


def iter_repo_records(
    client: GithubClient,
    selection: GithubSelection,
    name: str,
    since: str | datetime | None = None,
    until: datetime | None = None,
    state: FetchState | None = None,
) -> Iterator[tuple[str, dict[str, Any]]]:
    """One repository (a partition): its pull requests from its cursor `since` (a stored value, re-read
    with the overlap) or over the window [since, until], then its new cursor on a nightly run.

    A repository the token cannot read is a ``skipped`` record; a transient failure that outlived the
    retries is raised (`GithubTransient`), for the caller to retry the partition or report it.
    """
    state = state or FetchState()
    fetcher = Fetcher(client, state)
    if isinstance(since, datetime):
        window, previous = _Window(since, until), None
    else:
        window, previous = _Window(_cursor_since(since, selection.overlap), until), since
    newest = previous
    try:
        for kind, payload in _partition_records(fetcher, name, window, selection):
            if kind in ("pull_request", "unchanged"):
                updated = payload["pull"]["updated_at"] if kind == "pull_request" else payload["updated_at"]
                newest = max(newest or updated, updated)
                if kind == "unchanged":
                    continue
            yield kind, payload
    except (NotFound, PartitionSkipped) as exc:
        reason = f"not found or not visible to the token (404): {exc}"
        state.skipped.append({"partition": name, "reason": reason})
        log.warning("github: %s skipped: %s", name, reason)
        yield "skipped", {"partition": name, "reason": reason}
        return
    if until is None and not isinstance(since, datetime) and newest:  # a window (backfill) moves no cursor
        yield "cursor", {"partition": name, "value": newest}


def _partition_records(fetcher: Fetcher, name: str, window: _Window,
                       selection: GithubSelection) -> Iterator[tuple[str, dict[str, Any]]]:
    state = fetcher.state
    mode = state.mode or ("rest" if selection.mode == "rest" else "graphql")
    if mode == "graphql":
        try:
            state.mode = "graphql"
            yield from _graphql_partition(fetcher, name, window, selection)
            return
        except GraphQLUnavailable:
            if selection.mode == "graphql":
                raise ConnectorError("GitHub has no GraphQL endpoint at this URL; use the REST mode") from None
            log.info("github: no GraphQL endpoint; using REST")
    state.mode = "rest"
    yield from _rest_partition(fetcher, name, window, selection)


def pr_native_id(payload: Mapping[str, Any]) -> str:
    """CONTRACTS §1 native id of a pull_request composite (for `warehouse.load.ingest`)."""
    return f"{payload['repo']['full_name']}#{payload['pull']['number']}"


__all__ = [
    "PULLS_QUERY", "FetchState", "GithubClient", "GithubSelection", "PyGithubClient", "graphql_url",
    "iter_github_records", "iter_repo_records", "list_partitions", "make_client", "pr_native_id",
]
