"""GitHub REST (2022-11-28) and GraphQL over a world's `github` section, as api.github.com sends them.

Served under `/github/...` and `/github/api/v3/...` (REST), `/github/graphql` and `/github/api/graphql`.
Follows QUIRKS.md: Link headers in the `/repositories/{id}/...` form and absent on a single page,
X-RateLimit-* on every response (reset as epoch seconds), `/rate_limit` free, simple list shape vs
full detail shape, comments at three endpoints, ETag / If-None-Match -> 304 (free).
"""

from __future__ import annotations

import hashlib
import json
import re
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlencode

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from lookback.sandbox.core import SandboxState
from lookback.sandbox.github_shapes import WEB, Index, Shapes, build_index, full_name

API = "github"
DOCS = "https://docs.github.com/rest"
_RATE_DOCS = "https://docs.github.com/rest/overview/rate-limits-for-the-rest-api"
_SECONDARY_MESSAGE = (
    "You have exceeded a secondary rate limit. Please wait a few minutes before you try again. "
    "If you reach out to GitHub Support for help, please include the request ID 0000:0000:000000:000000:00000000."
)
_WINDOW_S = 3600
_MAX_FILES = 3000  # GitHub's pull files endpoint stops at 3000 files


class ApiError(Exception):
    """An error response with GitHub's body."""

    def __init__(self, status: int, message: str, headers: dict[str, str] | None = None) -> None:
        super().__init__(message)
        self.status = status
        self.body: dict[str, Any] = {"message": message, "documentation_url": DOCS, "status": str(status)}
        self.headers = headers or {}


def not_found() -> ApiError:
    return ApiError(404, "Not Found")


# ---------------------------------------------------------------------------------------------- rate limits


@dataclass
class _Bucket:
    used: int = 0
    reset: int = 0


@dataclass
class RateLimits:
    """Primary limits per token and resource (`core`, `graphql`), and the secondary-limit counter."""

    buckets: dict[tuple[str, str], _Bucket] = field(default_factory=dict)
    requests: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock)

    def bucket(self, token: str, resource: str) -> _Bucket:
        now = int(time.time())
        b = self.buckets.setdefault((token, resource), _Bucket(0, now + _WINDOW_S))
        if now >= b.reset:
            b.used, b.reset = 0, now + _WINDOW_S
        return b

    def headers(self, token: str, resource: str, limit: int) -> dict[str, str]:
        with self.lock:
            b = self.bucket(token, resource)
            return {
                "X-RateLimit-Limit": str(limit),
                "X-RateLimit-Remaining": str(max(limit - b.used, 0)),
                "X-RateLimit-Reset": str(b.reset),
                "X-RateLimit-Used": str(b.used),
                "X-RateLimit-Resource": resource,
            }

    def spend(self, token: str, resource: str, limit: int, points: int = 1) -> bool:
        """Spend `points`; False (and nothing spent) when the bucket cannot pay."""
        with self.lock:
            b = self.bucket(token, resource)
            if b.used + points > limit:
                return False
            b.used += points
            return True

    def secondary_hit(self, every: int) -> bool:
        with self.lock:
            self.requests += 1
            return every > 0 and self.requests % every == 0


# ---------------------------------------------------------------------------------------------- request plumbing


@dataclass
class Ctx:
    """One request: where it came from, and the shapes and index to answer it with."""

    request: Request
    shapes: Shapes
    index: Index
    root: str  # https://host:port/github[/api/v3]
    query: dict[str, str]


@dataclass
class Page:
    """A list answer: all items, and the path (under the root) that the Link URLs use."""

    items: list[Any]
    link_path: str


Handler = Callable[[Ctx, dict[str, str]], Any]


def _time(value: str | None) -> datetime | None:
    if not value:
        return None
    return datetime.fromisoformat(value.replace("Z", "+00:00")).astimezone(UTC)


def _int_param(ctx: Ctx, name: str, default: int) -> int:
    raw = ctx.query.get(name)
    if raw is None or raw == "":
        return default
    try:
        return int(raw)
    except ValueError:
        raise ApiError(422, f"Invalid value for parameter '{name}'") from None


def paginate(ctx: Ctx, page: Page) -> tuple[list[Any], dict[str, str]]:
    per_page = min(max(_int_param(ctx, "per_page", 30), 1), 100)
    number = max(_int_param(ctx, "page", 1), 1)
    total = len(page.items)
    last = max((total + per_page - 1) // per_page, 1)
    chunk = page.items[(number - 1) * per_page: number * per_page]
    if last == 1:
        return chunk, {}  # a response that fits on one page has no Link header at all

    def link(n: int, rel: str) -> str:
        params = {k: v for k, v in ctx.query.items() if k != "page"}
        params["page"] = str(n)
        return f'<{ctx.root}{page.link_path}?{urlencode(params)}>; rel="{rel}"'

    rels = []
    if number > 1:
        rels.append(link(number - 1, "prev"))
    if number < last:
        rels += [link(number + 1, "next"), link(last, "last")]
    if number > 1:
        rels.append(link(1, "first"))
    return chunk, {"Link": ", ".join(rels)}


def _repo(ctx: Ctx, p: dict[str, str]) -> dict[str, Any]:
    if "repo_id" in p:
        repo = ctx.index.repos_by_id.get(int(p["repo_id"])) if p["repo_id"].isdigit() else None
    else:
        repo = ctx.index.repos.get(f"{p['owner']}/{p['repo']}".lower())
    if repo is None:
        raise not_found()
    return repo


def _pull(ctx: Ctx, p: dict[str, str]) -> tuple[dict[str, Any], dict[str, Any]]:
    repo = _repo(ctx, p)
    pull = ctx.index.pulls.get(full_name(repo).lower(), {}).get(int(p["number"]))
    if pull is None:
        raise not_found()
    return repo, pull


def _since(ctx: Ctx, items: list[dict[str, Any]], key: str = "updated_at") -> list[dict[str, Any]]:
    since = ctx.query.get("since")
    if not since:
        return items
    try:
        cut = _time(since)
    except ValueError:
        raise ApiError(422, "Invalid value for parameter 'since'") from None
    return [i for i in items if (_time(i.get(key) or i.get("created_at")) or cut) >= cut]  # type: ignore[operator]


# ---------------------------------------------------------------------------------------------- REST handlers


def h_rate_limit(ctx: Ctx, p: dict[str, str]) -> Any:
    raise AssertionError("answered in dispatch")  # needs the token's buckets


def h_user(ctx: Ctx, p: dict[str, str]) -> Any:
    login = p["login"]
    if login.lower() in ctx.index.orgs:
        org = ctx.index.orgs[login.lower()]
        out = ctx.shapes.org(org)
        out["type"] = "Organization"
        return out
    if login.lower() not in ctx.index.users and not any(
        r["owner"].lower() == login.lower() for r in ctx.index.repos.values()
    ):
        raise not_found()
    return ctx.shapes.user_full(login)


def h_org(ctx: Ctx, p: dict[str, str]) -> Any:
    org = ctx.index.orgs.get(p["org"].lower())
    if org is None:
        raise not_found()
    return ctx.shapes.org(org)


def _owner_repos(ctx: Ctx, login: str) -> list[dict[str, Any]]:
    repos = [r for r in ctx.index.repos.values() if r["owner"].lower() == login.lower()]
    return [ctx.shapes.repo(r) for r in sorted(repos, key=lambda r: r["name"].lower())]


def h_org_repos(ctx: Ctx, p: dict[str, str]) -> Any:
    org = ctx.index.orgs.get(p["org"].lower())
    if org is None:
        raise not_found()
    return Page(_owner_repos(ctx, org["login"]), f"/organizations/{org['id']}/repos")


def h_org_repos_by_id(ctx: Ctx, p: dict[str, str]) -> Any:
    org = next((o for o in ctx.index.orgs.values() if str(o["id"]) == p["org_id"]), None)
    if org is None:
        raise not_found()
    return Page(_owner_repos(ctx, org["login"]), f"/organizations/{org['id']}/repos")


def h_auth_user_repos(ctx: Ctx, p: dict[str, str]) -> Any:
    """GET /user/repos: every repository the token can see (in the sandbox, the whole world)."""
    repos = sorted(ctx.index.repos.values(), key=lambda r: (r["owner"].lower(), r["name"].lower()))
    return Page([ctx.shapes.repo(r) for r in repos], "/user/repos")


def h_user_repos(ctx: Ctx, p: dict[str, str]) -> Any:
    login = p["login"]
    if login.lower() not in ctx.index.users and not _owner_repos(ctx, login):
        raise not_found()
    rec = ctx.shapes.user_record(login)
    return Page(_owner_repos(ctx, login), f"/user/{rec['id']}/repos")


def h_user_repos_by_id(ctx: Ctx, p: dict[str, str]) -> Any:
    login = next((u["login"] for u in ctx.index.users.values() if str(u["id"]) == p["user_id"]), None)
    if login is None:
        raise not_found()
    return Page(_owner_repos(ctx, login), f"/user/{p['user_id']}/repos")


def h_repo(ctx: Ctx, p: dict[str, str]) -> Any:
    return ctx.shapes.repo(_repo(ctx, p))


def h_pulls(ctx: Ctx, p: dict[str, str]) -> Any:
    repo = _repo(ctx, p)
    state = ctx.query.get("state", "open")
    if state not in ("open", "closed", "all"):
        raise ApiError(422, "Validation Failed")
    sort = ctx.query.get("sort", "created")
    # GitHub: desc when sorting by created (the default), asc otherwise, unless told.
    direction = ctx.query.get("direction") or ("desc" if sort == "created" else "asc")
    pulls = [q for q in ctx.index.pulls.get(full_name(repo).lower(), {}).values() if state in ("all", q.get("state"))]
    base = ctx.query.get("base")
    if base:
        pulls = [q for q in pulls if (q.get("base") or "main") == base]
    key: Callable[[dict[str, Any]], Any]
    if sort == "updated":
        key = lambda q: (q.get("updated_at") or "", q["number"])  # noqa: E731
    elif sort == "long-running":
        key = lambda q: (q.get("created_at") or "", q["number"])  # noqa: E731
    else:
        key = lambda q: (q.get("created_at") or "", q["number"])  # noqa: E731
    pulls.sort(key=key, reverse=direction == "desc")
    return Page([ctx.shapes.pull_simple(repo, q) for q in pulls], f"/repositories/{repo['id']}/pulls")


def h_pull(ctx: Ctx, p: dict[str, str]) -> Any:
    repo, pull = _pull(ctx, p)
    return ctx.shapes.pull_full(repo, pull)


def _sub(p: dict[str, str], repo: dict[str, Any], tail: str) -> str:
    return f"/repositories/{repo['id']}/{tail}"


def h_files(ctx: Ctx, p: dict[str, str]) -> Any:
    repo, pull = _pull(ctx, p)
    files = [ctx.shapes.file(repo, pull, f) for f in (pull.get("files") or [])[:_MAX_FILES]]
    return Page(files, _sub(p, repo, f"pulls/{pull['number']}/files"))


def h_reviews(ctx: Ctx, p: dict[str, str]) -> Any:
    repo, pull = _pull(ctx, p)
    reviews = sorted(pull.get("reviews") or [], key=lambda r: int(r["id"]))
    return Page([ctx.shapes.review(repo, pull, r) for r in reviews], _sub(p, repo, f"pulls/{pull['number']}/reviews"))


def h_review_comments(ctx: Ctx, p: dict[str, str]) -> Any:
    repo, pull = _pull(ctx, p)
    sort = ctx.query.get("sort", "created")
    comments = _since(ctx, list(pull.get("review_comments") or []))
    key = "updated_at" if sort == "updated" else "created_at"
    comments.sort(key=lambda c: (c.get(key) or c.get("created_at") or "", int(c["id"])),
                  reverse=ctx.query.get("direction", "asc") == "desc")
    return Page([ctx.shapes.review_comment(repo, pull, c) for c in comments],
                _sub(p, repo, f"pulls/{pull['number']}/comments"))


def h_issue_comments(ctx: Ctx, p: dict[str, str]) -> Any:
    repo, pull = _pull(ctx, p)
    comments = sorted(_since(ctx, list(pull.get("comments") or [])), key=lambda c: int(c["id"]))
    return Page([ctx.shapes.issue_comment(repo, pull, c) for c in comments],
                _sub(p, repo, f"issues/{pull['number']}/comments"))


def h_pull_commits(ctx: Ctx, p: dict[str, str]) -> Any:
    repo, pull = _pull(ctx, p)
    commits = [ctx.shapes.commit(repo, c) for c in (pull.get("commits") or [])[:250]]
    return Page(commits, _sub(p, repo, f"pulls/{pull['number']}/commits"))


def h_commits(ctx: Ctx, p: dict[str, str]) -> Any:
    repo = _repo(ctx, p)
    seen: dict[str, dict[str, Any]] = {}
    for pull in ctx.index.pulls.get(full_name(repo).lower(), {}).values():
        for c in pull.get("commits") or []:
            seen.setdefault(c["sha"], c)
    commits = list(seen.values())
    since, until = _time(ctx.query.get("since")), _time(ctx.query.get("until"))
    if since:
        commits = [c for c in commits if (_time(c.get("date")) or since) >= since]
    if until:
        commits = [c for c in commits if (_time(c.get("date")) or until) <= until]
    commits.sort(key=lambda c: c.get("date") or "", reverse=True)
    return Page([ctx.shapes.commit(repo, c) for c in commits], f"/repositories/{repo['id']}/commits")


_REPO = r"/repos/(?P<owner>[^/]+)/(?P<repo>[^/]+)"
_RID = r"/repositories/(?P<repo_id>[^/]+)"
_PULL = r"/pulls/(?P<number>\d+)"

# (regex, endpoint template for stats, handler); each repo route also answers at /repositories/{id}.
_REST: list[tuple[str, str, Handler]] = [
    (r"/rate_limit", "/rate_limit", h_rate_limit),
    (r"/user/repos", "/user/repos", h_auth_user_repos),
    (r"/users/(?P<login>[^/]+)", "/users/{login}", h_user),
    (r"/users/(?P<login>[^/]+)/repos", "/users/{login}/repos", h_user_repos),
    (r"/user/(?P<user_id>\d+)/repos", "/user/{id}/repos", h_user_repos_by_id),
    (r"/orgs/(?P<org>[^/]+)", "/orgs/{org}", h_org),
    (r"/orgs/(?P<org>[^/]+)/repos", "/orgs/{org}/repos", h_org_repos),
    (r"/organizations/(?P<org_id>\d+)/repos", "/organizations/{id}/repos", h_org_repos_by_id),
]
for _prefix, _tmpl in ((_REPO, "/repos/{owner}/{repo}"), (_RID, "/repositories/{id}")):
    _REST += [
        (_prefix, _tmpl, h_repo),
        (_prefix + r"/pulls", _tmpl + "/pulls", h_pulls),
        (_prefix + _PULL, _tmpl + "/pulls/{pull_number}", h_pull),
        (_prefix + _PULL + "/files", _tmpl + "/pulls/{pull_number}/files", h_files),
        (_prefix + _PULL + "/reviews", _tmpl + "/pulls/{pull_number}/reviews", h_reviews),
        (_prefix + _PULL + "/comments", _tmpl + "/pulls/{pull_number}/comments", h_review_comments),
        (_prefix + _PULL + "/commits", _tmpl + "/pulls/{pull_number}/commits", h_pull_commits),
        (_prefix + r"/issues/(?P<number>\d+)/comments", _tmpl + "/issues/{issue_number}/comments", h_issue_comments),
        (_prefix + r"/commits", _tmpl + "/commits", h_commits),
    ]
_COMPILED = [(re.compile(rx + "/?$"), tmpl, h) for rx, tmpl, h in _REST]


def _route(path: str) -> tuple[re.Match[str], str, Handler] | None:
    for rx, tmpl, handler in _COMPILED:
        m = rx.match(path)
        if m:
            return m, tmpl, handler
    return None


# ---------------------------------------------------------------------------------------------- the app


def _token(request: Request) -> str | None:
    auth = request.headers.get("authorization", "")
    scheme, _, value = auth.partition(" ")
    if scheme.lower() in ("token", "bearer") and value.strip():
        return value.strip()
    return None


def _json(status: int, body: Any, headers: dict[str, str]) -> Response:
    return Response(
        json.dumps(body, separators=(",", ":")),
        status_code=status,
        media_type="application/json; charset=utf-8",
        headers=headers,
    )


class GithubApi:
    """The GitHub routes of one sandbox: the indexed world, rate-limit buckets and handlers."""

    def __init__(self, state: SandboxState) -> None:
        self.state = state
        self.limits = RateLimits()
        self._index: Index | None = None

    def index(self) -> Index:
        with self.state.lock:
            if self._index is None or self._index.version != self.state.world_version:
                self._index = build_index(self.state)
            return self._index

    def _common(self, request: Request) -> tuple[str, str, str]:
        """(rest path, root URL, web root) for a request under /github or /github/api/v3."""
        rest = "/" + request.path_params.get("path", "").lstrip("/")
        mount = request.url.path[: len(request.url.path) - len(rest)] if request.url.path.endswith(rest) else ""
        if rest.startswith("/api/v3/") or rest == "/api/v3":
            mount += "/api/v3"
            rest = rest[len("/api/v3"):] or "/"
        origin = f"{request.url.scheme}://{request.url.netloc}"
        return rest, origin + mount, WEB

    def _limit_headers(self, token: str, resource: str) -> dict[str, str]:
        limit = self.state.knobs.github_rate_limit if token != "" else 60
        return self.limits.headers(token or "anonymous", resource, limit)

    def gate(self, request: Request, resource: str) -> tuple[str, dict[str, str]] | Response:
        """Auth and the secondary limit; returns (token, headers) or the error response."""
        token = _token(request)
        if token is not None and token.startswith("bad"):
            body = {"message": "Bad credentials", "documentation_url": DOCS, "status": "401"}
            return _json(401, body, self._limit_headers("", resource))
        token = token or ""
        headers = self._limit_headers(token, resource)
        if self.limits.secondary_hit(self.state.knobs.github_secondary_every):
            retry_after = str(self.state.knobs.faults_for(API).retry_after)
            body = {"message": _SECONDARY_MESSAGE, "documentation_url": _RATE_DOCS + "#about-secondary-rate-limits"}
            status = self.state.knobs.github_fault_status
            return _json(status if status in (403, 429) else 403, body, {**headers, "Retry-After": retry_after})
        return token, headers

    async def rest(self, request: Request) -> Response:
        rest, root, web = self._common(request)
        found = _route(rest)
        if found is None:
            self.state.stats.count(API, f"{request.method} (unknown)")
            return _json(404, ApiError(404, "Not Found").body, self._limit_headers("", "core"))
        m, tmpl, handler = found
        self.state.stats.count(API, f"{request.method} {tmpl}")
        if request.method not in ("GET", "HEAD"):
            return _json(404, ApiError(404, "Not Found").body, {})
        gated = self.gate(request, "core")
        if isinstance(gated, Response):
            return gated
        token, headers = gated
        if handler is h_rate_limit:  # free, and it reports every resource
            return _json(200, self._rate_limit_body(token), headers)
        limit = self.state.knobs.github_rate_limit if token else 60
        index = self.index()
        ctx = Ctx(request, Shapes(index, root, web), index, root, dict(request.query_params))
        try:
            result = handler(ctx, m.groupdict())
            link: dict[str, str] = {}
            if isinstance(result, Page):
                result, link = paginate(ctx, result)
        except ApiError as err:
            if not self.limits.spend(token or "anonymous", "core", limit):
                return self._exhausted(token, headers)
            return _json(err.status, err.body, {**self._limit_headers(token, "core"), **err.headers})
        body = json.dumps(result, separators=(",", ":"))
        etag = ('W/"%s"' if link or isinstance(result, list) else '"%s"') % hashlib.sha256(body.encode()).hexdigest()
        extra = {"ETag": etag, "Cache-Control": "private, max-age=60, s-maxage=60",
                 "Vary": "Accept, Authorization, Cookie, X-GitHub-OTP", "X-GitHub-Media-Type": "github.v3; format=json",
                 **link}
        inm = request.headers.get("if-none-match")
        if inm and etag in {t.strip() for t in inm.split(",")}:
            # A 304 costs nothing against the primary limit.
            return Response(status_code=304, headers={**headers, **extra})
        if not self.limits.spend(token or "anonymous", "core", limit):
            return self._exhausted(token, headers)
        return Response(body, status_code=200, media_type="application/json; charset=utf-8",
                        headers={**self._limit_headers(token, "core"), **extra})

    def _exhausted(self, token: str, headers: dict[str, str]) -> Response:
        body = {
            "message": "API rate limit exceeded for user ID 1. If you reach out to GitHub Support for help, "
            "please include the request ID 0000:0000:000000:000000:00000000.",
            "documentation_url": _RATE_DOCS + "#about-the-primary-rate-limit",
        }
        return _json(403, body, self._limit_headers(token, "core"))

    def _rate_limit_body(self, token: str) -> dict[str, Any]:
        def res(resource: str) -> dict[str, int]:
            h = self._limit_headers(token, resource)
            return {
                "limit": int(h["X-RateLimit-Limit"]),
                "used": int(h["X-RateLimit-Used"]),
                "remaining": int(h["X-RateLimit-Remaining"]),
                "reset": int(h["X-RateLimit-Reset"]),
            }

        core = res("core")
        return {"resources": {"core": core, "graphql": res("graphql"), "search": res("search")}, "rate": core}

    async def graphql(self, request: Request) -> Response:
        from lookback.sandbox.github_graphql import execute

        self.state.stats.count(API, "POST /graphql")
        gated = self.gate(request, "graphql")
        if isinstance(gated, Response):
            return gated
        token, _headers = gated
        if not token:
            unauthenticated = {"message": "This endpoint requires you to be authenticated.", "documentation_url": DOCS}
            return _json(401, unauthenticated, self._limit_headers("", "graphql"))
        try:
            payload = json.loads(await request.body())
            query = payload["query"]
            variables = payload.get("variables") or {}
        except (ValueError, KeyError, TypeError):
            return _json(400, {"message": "Problems parsing JSON", "documentation_url": DOCS}, {})
        index = self.index()
        limit = self.state.knobs.github_rate_limit
        result, cost = execute(query, variables, index, self.limits.headers(token, "graphql", limit))
        if "errors" in result and any(e.get("type") == "PARSE" for e in result["errors"]):
            return _json(200, result, self._limit_headers(token, "graphql"))
        if not self.limits.spend(token, "graphql", limit, cost):
            # GitHub answers an exhausted GraphQL budget with 200 and a RATE_LIMITED error.
            limited = {"errors": [{"type": "RATE_LIMITED", "message": "API rate limit exceeded for user ID 1."}]}
            return _json(200, limited, self._limit_headers(token, "graphql"))
        # rateLimit reports the budget after this query's cost, as GitHub does.
        h = self._limit_headers(token, "graphql")
        _patch_rate_limit(result, int(h["X-RateLimit-Remaining"]))
        return _json(200, result, h)


def _patch_rate_limit(result: dict[str, Any], remaining: int) -> None:
    rate = (result.get("data") or {}).get("rateLimit")
    if isinstance(rate, dict) and "remaining" in rate:
        rate["remaining"] = remaining


def make_routes(state: SandboxState) -> list[BaseRoute]:
    """The GitHub routes, mounted by the sandbox under `/github`."""
    api = GithubApi(state)
    return [
        Route("/graphql", api.graphql, methods=["POST"]),
        Route("/api/graphql", api.graphql, methods=["POST"]),
        Route("/{path:path}", api.rest, methods=["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE"]),
    ]
