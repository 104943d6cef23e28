"""A small GitHub GraphQL executor: parses queries and resolves the fields lookback's connector reads.

Honest enough to catch mistakes a real server would reject: unknown fields and types are errors,
connections need `first` (<= 100), cursors are opaque, and every query reports its point cost.
"""

from __future__ import annotations

import base64
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from lookback.sandbox.github_shapes import (
    WEB,
    Index,
    full_name,
    pull_node_id,
    repo_node_id,
    review_node_id,
    review_threads,
    user_record,
)


class GraphQLError(Exception):
    def __init__(self, message: str, kind: str | None = None) -> None:
        super().__init__(message)
        self.kind = kind


# ---------------------------------------------------------------------------------------------- parsing

_TOKEN = re.compile(
    r'(?P<ws>[\s,]+|#[^\n]*)|(?P<spread>\.\.\.)|(?P<punct>[{}()\[\]:!$=@])'
    r'|(?P<string>"(?:[^"\\]|\\.)*")|(?P<number>-?\d+(?:\.\d+)?)|(?P<name>[_A-Za-z][_0-9A-Za-z]*)'
)


@dataclass
class Var:
    name: str


@dataclass
class Enum:
    value: str


@dataclass
class Field:
    name: str
    alias: str | None
    args: dict[str, Any]
    selections: list[Any] = field(default_factory=list)


@dataclass
class Fragment:
    type_condition: str | None
    selections: list[Any]


def tokenize(text: str) -> list[tuple[str, str]]:
    out: list[tuple[str, str]] = []
    pos = 0
    while pos < len(text):
        m = _TOKEN.match(text, pos)
        if not m:
            raise GraphQLError(f"Parse error on \"{text[pos:pos + 10]}\" at {pos}", "PARSE")
        pos = m.end()
        kind = m.lastgroup or ""
        if kind != "ws":
            out.append((kind, m.group()))
    return out


class Parser:
    def __init__(self, text: str) -> None:
        self.tokens = tokenize(text)
        self.i = 0

    def peek(self) -> tuple[str, str]:
        return self.tokens[self.i] if self.i < len(self.tokens) else ("eof", "")

    def take(self, value: str | None = None, kind: str | None = None) -> str:
        k, v = self.peek()
        if (value is not None and v != value) or (kind is not None and k != kind) or k == "eof":
            raise GraphQLError(f"Parse error on \"{v}\" ({k.upper()}), expected {value or kind}", "PARSE")
        self.i += 1
        return v

    def document(self) -> tuple[list[Any], dict[str, Any]]:
        """The first operation's selections and its variable defaults."""
        defaults: dict[str, Any] = {}
        k, v = self.peek()
        if v in ("query", "mutation", "subscription"):
            if v != "query":
                raise GraphQLError(f"{v} operations are not supported by this sandbox")
            self.take()
            if self.peek()[0] == "name":
                self.take()
            if self.peek()[1] == "(":
                self.take("(")
                while self.peek()[1] != ")":
                    self.take("$")
                    name = self.take(kind="name")
                    self.take(":")
                    self._type()
                    if self.peek()[1] == "=":
                        self.take("=")
                        defaults[name] = self.value()
                self.take(")")
        selections = self.selection_set()
        if self.peek()[0] != "eof":
            raise GraphQLError("only one operation per document is supported", "PARSE")
        return selections, defaults

    def _type(self) -> None:
        if self.peek()[1] == "[":
            self.take("[")
            self._type()
            self.take("]")
        else:
            self.take(kind="name")
        if self.peek()[1] == "!":
            self.take("!")

    def selection_set(self) -> list[Any]:
        self.take("{")
        out: list[Any] = []
        while self.peek()[1] != "}":
            if self.peek()[0] == "spread":
                self.take()
                cond = None
                if self.peek()[1] == "on":
                    self.take()
                    cond = self.take(kind="name")
                elif self.peek()[0] == "name":
                    raise GraphQLError("named fragments are not supported by this sandbox")
                out.append(Fragment(cond, self.selection_set()))
                continue
            name = self.take(kind="name")
            alias = None
            if self.peek()[1] == ":":
                self.take(":")
                alias, name = name, self.take(kind="name")
            args: dict[str, Any] = {}
            if self.peek()[1] == "(":
                self.take("(")
                while self.peek()[1] != ")":
                    key = self.take(kind="name")
                    self.take(":")
                    args[key] = self.value()
                self.take(")")
            sub = self.selection_set() if self.peek()[1] == "{" else []
            out.append(Field(name, alias, args, sub))
        self.take("}")
        return out

    def value(self) -> Any:
        k, v = self.peek()
        if v == "$":
            self.take()
            return Var(self.take(kind="name"))
        if k == "string":
            self.take()
            return bytes(v[1:-1], "utf-8").decode("unicode_escape")
        if k == "number":
            self.take()
            return float(v) if "." in v else int(v)
        if v == "[":
            self.take()
            items = []
            while self.peek()[1] != "]":
                items.append(self.value())
            self.take("]")
            return items
        if v == "{":
            self.take()
            obj = {}
            while self.peek()[1] != "}":
                key = self.take(kind="name")
                self.take(":")
                obj[key] = self.value()
            self.take("}")
            return obj
        if k == "name":
            self.take()
            return {"true": True, "false": False, "null": None}.get(v, Enum(v))
        raise GraphQLError(f"Parse error on \"{v}\"", "PARSE")


def substitute(value: Any, variables: dict[str, Any]) -> Any:
    if isinstance(value, Var):
        return variables.get(value.name)
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, list):
        return [substitute(v, variables) for v in value]
    if isinstance(value, dict):
        return {k: substitute(v, variables) for k, v in value.items()}
    return value


# ---------------------------------------------------------------------------------------------- resolving


@dataclass
class Obj:
    """A typed value in the result tree; `value` is what this type's resolvers read."""

    type: str
    value: Any


def _cursor(offset: int) -> str:
    return base64.b64encode(f"cursor:v2:{offset}".encode()).decode()


def _offset(cursor: str | None) -> int:
    if not cursor:
        return 0
    try:
        text = base64.b64decode(cursor.encode(), validate=True).decode()
        return int(text.rsplit(":", 1)[1]) + 1
    except (ValueError, IndexError):
        raise GraphQLError(f"`{cursor}` does not appear to be a valid cursor.") from None


def connection(name: str, items: list[Obj], args: dict[str, Any], type_name: str) -> Obj:
    first = args.get("first")
    if first is None:
        raise GraphQLError(f"You must provide a `first` or `last` value to properly paginate the `{name}` connection.")
    if first > 100 or first < 0:
        raise GraphQLError(
            f"Requesting {first} records on the `{name}` connection exceeds the `first` limit of 100 records."
        )
    start = _offset(args.get("after"))
    chunk = items[start: start + first]
    end = start + len(chunk) - 1
    page = {
        "hasNextPage": start + len(chunk) < len(items),
        "hasPreviousPage": start > 0,
        "endCursor": _cursor(end) if chunk else None,
        "startCursor": _cursor(start) if chunk else None,
    }
    edges = [Obj(type_name + "Edge", {"node": n, "cursor": _cursor(start + i)}) for i, n in enumerate(chunk)]
    return Obj(type_name + "Connection", {"nodes": chunk, "edges": edges, "totalCount": len(items),
                                          "pageInfo": Obj("PageInfo", page)})


def _iso(value: str | None) -> str | None:
    if not value:
        return None
    return datetime.fromisoformat(value.replace("Z", "+00:00")).astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


class Resolver:
    """Field resolvers per GraphQL type over the indexed world."""

    def __init__(self, index: Index, limit_headers: dict[str, str]) -> None:
        self.index = index
        self.limit_headers = limit_headers
        self.cost = 1

    def actor(self, login: str | None) -> Obj | None:
        if not login:
            return None
        rec = user_record(self.index, login)
        bot = (rec.get("type") == "Bot") or login.endswith("[bot]")
        # GraphQL names bots without the "[bot]" suffix that REST shows.
        return Obj("Bot" if bot else "User", {**rec, "login": login.removesuffix("[bot]")})

    def resolve(self, obj: Obj, f: Field, args: dict[str, Any]) -> Any:
        fn: Callable[[Any, dict[str, Any]], Any] | None = getattr(self, f"{obj.type}_{f.name}", None)
        if fn is not None:
            return fn(obj.value, args)
        if obj.type.endswith(("Connection", "Edge")) or obj.type in ("PageInfo", "RateLimit"):
            if f.name in obj.value:
                return obj.value[f.name]
        raise GraphQLError(f"Field '{f.name}' doesn't exist on type '{obj.type}'", "undefinedField")

    # Query
    def Query_rateLimit(self, _v: Any, _a: dict[str, Any]) -> Obj:
        h = self.limit_headers
        reset = datetime.fromtimestamp(int(h["X-RateLimit-Reset"]), UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
        return Obj("RateLimit", {"cost": self.cost, "limit": int(h["X-RateLimit-Limit"]),
                                 "remaining": int(h["X-RateLimit-Remaining"]) - self.cost,
                                 "used": int(h["X-RateLimit-Used"]) + self.cost, "resetAt": reset, "nodeCount": 0})

    def Query_repository(self, _v: Any, a: dict[str, Any]) -> Obj:
        repo = self.index.repos.get(f"{a.get('owner')}/{a.get('name')}".lower())
        if repo is None:
            raise GraphQLError(
                f"Could not resolve to a Repository with the name '{a.get('owner')}/{a.get('name')}'.", "NOT_FOUND"
            )
        return Obj("Repository", repo)

    def Query_node(self, _v: Any, a: dict[str, Any]) -> Obj:
        found = self.index.nodes.get(str(a.get("id")))
        if found is None:
            raise GraphQLError(f"Could not resolve to a node with the global id of '{a.get('id')}'", "NOT_FOUND")
        kind, value = found
        return Obj(kind, value)

    # Repository
    def Repository_id(self, r: Any, _a: dict[str, Any]) -> str:
        return repo_node_id(r)

    def Repository_databaseId(self, r: Any, _a: dict[str, Any]) -> int:
        return int(r["id"])

    def Repository_name(self, r: Any, _a: dict[str, Any]) -> str:
        return str(r["name"])

    def Repository_nameWithOwner(self, r: Any, _a: dict[str, Any]) -> str:
        return full_name(r)

    def Repository_owner(self, r: Any, _a: dict[str, Any]) -> Obj:
        org = r["owner"].lower() in self.index.orgs
        return Obj("Organization" if org else "User", {"login": r["owner"]})

    def Repository_isPrivate(self, r: Any, _a: dict[str, Any]) -> bool:
        return bool(r.get("private"))

    def Repository_isArchived(self, r: Any, _a: dict[str, Any]) -> bool:
        return bool(r.get("archived"))

    def Repository_description(self, r: Any, _a: dict[str, Any]) -> str | None:
        return r.get("description")

    def Repository_url(self, r: Any, _a: dict[str, Any]) -> str:
        return f"{WEB}/{full_name(r)}"

    def Repository_createdAt(self, r: Any, _a: dict[str, Any]) -> str | None:
        return _iso(r.get("created_at"))

    def Repository_pushedAt(self, r: Any, _a: dict[str, Any]) -> str | None:
        pulls = self.index.pulls.get(full_name(r).lower(), {}).values()
        return _iso(r.get("pushed_at") or max((p.get("updated_at") or "" for p in pulls), default="") or None)

    def Repository_defaultBranchRef(self, r: Any, _a: dict[str, Any]) -> Obj:
        return Obj("Ref", {"name": r.get("default_branch") or "main"})

    def Repository_pullRequest(self, r: Any, a: dict[str, Any]) -> Obj | None:
        pull = self.index.pulls.get(full_name(r).lower(), {}).get(int(a.get("number") or 0))
        return Obj("PullRequest", pull) if pull else None

    def Repository_pullRequests(self, r: Any, a: dict[str, Any]) -> Obj:
        pulls = list(self.index.pulls.get(full_name(r).lower(), {}).values())
        states = a.get("states")
        if states:
            pulls = [p for p in pulls if _pr_state(p) in states]
        order = a.get("orderBy") or {"field": "CREATED_AT", "direction": "ASC"}
        key = {"UPDATED_AT": "updated_at", "CREATED_AT": "created_at"}.get(str(order.get("field")), "created_at")
        pulls.sort(key=lambda p: (p.get(key) or "", int(p["number"])), reverse=order.get("direction") == "DESC")
        return connection("pullRequests", [Obj("PullRequest", p) for p in pulls], a, "PullRequest")

    def Ref_name(self, r: Any, _a: dict[str, Any]) -> str:
        return str(r["name"])

    # Actors
    def _login(self, u: Any, _a: dict[str, Any]) -> str:
        return str(u["login"])

    User_login = Bot_login = Organization_login = _login

    def _db_id(self, u: Any, _a: dict[str, Any]) -> int | None:
        return int(u["id"]) if u.get("id") is not None else None

    User_databaseId = Bot_databaseId = _db_id

    def User_name(self, u: Any, _a: dict[str, Any]) -> str | None:
        return u.get("name")

    def User_email(self, u: Any, _a: dict[str, Any]) -> str:
        return u.get("email") or ""  # GitHub gives "" for a private email

    def _actor_url(self, u: Any, _a: dict[str, Any]) -> str:
        return f"{WEB}/{u['login']}"

    User_url = Bot_url = Organization_url = _actor_url

    # PullRequest
    def PullRequest_id(self, p: Any, _a: dict[str, Any]) -> str:
        return pull_node_id(p)

    def PullRequest_databaseId(self, p: Any, _a: dict[str, Any]) -> int:
        return int(p["id"])

    def PullRequest_number(self, p: Any, _a: dict[str, Any]) -> int:
        return int(p["number"])

    def PullRequest_title(self, p: Any, _a: dict[str, Any]) -> str:
        return p.get("title") or ""

    def PullRequest_body(self, p: Any, _a: dict[str, Any]) -> str:
        return p.get("body") or ""  # GraphQL's body is non-null: "" where REST says null

    def PullRequest_state(self, p: Any, _a: dict[str, Any]) -> str:
        return _pr_state(p)

    def PullRequest_isDraft(self, p: Any, _a: dict[str, Any]) -> bool:
        return bool(p.get("draft"))

    def PullRequest_merged(self, p: Any, _a: dict[str, Any]) -> bool:
        return bool(p.get("merged_at"))

    def PullRequest_createdAt(self, p: Any, _a: dict[str, Any]) -> str | None:
        return _iso(p.get("created_at"))

    def PullRequest_updatedAt(self, p: Any, _a: dict[str, Any]) -> str | None:
        return _iso(p.get("updated_at"))

    def PullRequest_closedAt(self, p: Any, _a: dict[str, Any]) -> str | None:
        return _iso(p.get("closed_at"))

    def PullRequest_mergedAt(self, p: Any, _a: dict[str, Any]) -> str | None:
        return _iso(p.get("merged_at"))

    def PullRequest_url(self, p: Any, _a: dict[str, Any]) -> str:
        return f"{WEB}/{p['repo']}/pull/{p['number']}"

    PullRequest_permalink = PullRequest_url

    def PullRequest_additions(self, p: Any, _a: dict[str, Any]) -> int:
        return sum(int(f.get("additions") or 0) for f in p.get("files") or [])

    def PullRequest_deletions(self, p: Any, _a: dict[str, Any]) -> int:
        return sum(int(f.get("deletions") or 0) for f in p.get("files") or [])

    def PullRequest_changedFiles(self, p: Any, _a: dict[str, Any]) -> int:
        return len(p.get("files") or [])

    def PullRequest_baseRefName(self, p: Any, _a: dict[str, Any]) -> str:
        repo = self.index.repos.get(p["repo"].lower()) or {}
        return p.get("base") or repo.get("default_branch") or "main"

    def PullRequest_headRefName(self, p: Any, _a: dict[str, Any]) -> str:
        return p.get("head") or f"branch-{p['number']}"

    def PullRequest_headRefOid(self, p: Any, _a: dict[str, Any]) -> str | None:
        return p.get("head_sha")

    def PullRequest_mergeCommit(self, p: Any, _a: dict[str, Any]) -> Obj | None:
        sha = p.get("merge_commit_sha")
        return Obj("Commit", {"oid": sha}) if sha and p.get("merged_at") else None

    def Commit_oid(self, c: Any, _a: dict[str, Any]) -> str:
        return str(c["oid"])

    def PullRequest_author(self, p: Any, _a: dict[str, Any]) -> Obj | None:
        return self.actor(p.get("user"))

    def PullRequest_mergedBy(self, p: Any, _a: dict[str, Any]) -> Obj | None:
        return self.actor(p.get("merged_by")) if p.get("merged_at") else None

    def PullRequest_repository(self, p: Any, _a: dict[str, Any]) -> Obj:
        return Obj("Repository", self.index.repos[p["repo"].lower()])

    def PullRequest_labels(self, p: Any, a: dict[str, Any]) -> Obj:
        return connection("labels", [Obj("Label", {"name": n}) for n in p.get("labels") or []], a, "Label")

    def Label_name(self, lab: Any, _a: dict[str, Any]) -> str:
        return str(lab["name"])

    def PullRequest_files(self, p: Any, a: dict[str, Any]) -> Obj:
        files = [Obj("PullRequestChangedFile", f) for f in (p.get("files") or [])[:3000]]
        return connection("files", files, a, "PullRequestChangedFile")

    def PullRequestChangedFile_path(self, f: Any, _a: dict[str, Any]) -> str:
        return str(f["filename"])

    def PullRequestChangedFile_additions(self, f: Any, _a: dict[str, Any]) -> int:
        return int(f.get("additions") or 0)

    def PullRequestChangedFile_deletions(self, f: Any, _a: dict[str, Any]) -> int:
        return int(f.get("deletions") or 0)

    def PullRequestChangedFile_changeType(self, f: Any, _a: dict[str, Any]) -> str:
        status = f.get("status") or "modified"
        return {"removed": "DELETED"}.get(status, status.upper())

    def PullRequest_reviews(self, p: Any, a: dict[str, Any]) -> Obj:
        reviews = sorted(p.get("reviews") or [], key=lambda r: int(r["id"]))
        return connection("reviews", [Obj("PullRequestReview", (p, r)) for r in reviews], a, "PullRequestReview")

    def PullRequest_comments(self, p: Any, a: dict[str, Any]) -> Obj:
        comments = sorted(p.get("comments") or [], key=lambda c: int(c["id"]))
        return connection("comments", [Obj("IssueComment", (p, c)) for c in comments], a, "IssueComment")

    def PullRequest_reviewThreads(self, p: Any, a: dict[str, Any]) -> Obj:
        threads = [Obj("PullRequestReviewThread", (p, root, cs)) for root, cs in review_threads(p)]
        return connection("reviewThreads", threads, a, "PullRequestReviewThread")

    # Reviews, threads, comments
    def PullRequestReview_id(self, v: Any, _a: dict[str, Any]) -> str:
        return review_node_id(v[1])

    def PullRequestReview_databaseId(self, v: Any, _a: dict[str, Any]) -> int:
        return int(v[1]["id"])

    def PullRequestReview_author(self, v: Any, _a: dict[str, Any]) -> Obj | None:
        return self.actor(v[1].get("user"))

    def PullRequestReview_state(self, v: Any, _a: dict[str, Any]) -> str:
        return v[1].get("state") or "COMMENTED"

    def PullRequestReview_body(self, v: Any, _a: dict[str, Any]) -> str:
        return v[1].get("body") or ""

    def PullRequestReview_submittedAt(self, v: Any, _a: dict[str, Any]) -> str | None:
        return None if v[1].get("state") == "PENDING" else _iso(v[1].get("submitted_at"))

    def PullRequestReview_url(self, v: Any, _a: dict[str, Any]) -> str:
        p, r = v
        return f"{WEB}/{p['repo']}/pull/{p['number']}#pullrequestreview-{r['id']}"

    def PullRequestReview_commit(self, v: Any, _a: dict[str, Any]) -> Obj | None:
        oid = v[1].get("commit_id") or v[0].get("head_sha")
        return Obj("Commit", {"oid": oid}) if oid else None

    def PullRequestReviewThread_id(self, v: Any, _a: dict[str, Any]) -> str:
        return f"PRRT_{v[1]}"

    def PullRequestReviewThread_path(self, v: Any, _a: dict[str, Any]) -> str | None:
        return v[2][0].get("path") if v[2] else None

    def PullRequestReviewThread_isResolved(self, v: Any, _a: dict[str, Any]) -> bool:
        return False

    def PullRequestReviewThread_comments(self, v: Any, a: dict[str, Any]) -> Obj:
        p, _root, comments = v
        items = [Obj("PullRequestReviewComment", (p, c)) for c in comments]
        return connection("comments", items, a, "PullRequestReviewComment")

    def PullRequestReviewComment_id(self, v: Any, _a: dict[str, Any]) -> str:
        return f"PRRC_{v[1]['id']}"

    def PullRequestReviewComment_databaseId(self, v: Any, _a: dict[str, Any]) -> int:
        return int(v[1]["id"])

    def PullRequestReviewComment_author(self, v: Any, _a: dict[str, Any]) -> Obj | None:
        return self.actor(v[1].get("user"))

    def PullRequestReviewComment_body(self, v: Any, _a: dict[str, Any]) -> str:
        return v[1].get("body") or ""

    def PullRequestReviewComment_path(self, v: Any, _a: dict[str, Any]) -> str:
        return v[1].get("path") or ""

    def PullRequestReviewComment_line(self, v: Any, _a: dict[str, Any]) -> int | None:
        return v[1].get("line")

    PullRequestReviewComment_originalLine = PullRequestReviewComment_line

    def PullRequestReviewComment_diffHunk(self, v: Any, _a: dict[str, Any]) -> str:
        return v[1].get("diff_hunk") or ""

    def PullRequestReviewComment_createdAt(self, v: Any, _a: dict[str, Any]) -> str | None:
        return _iso(v[1].get("created_at"))

    def PullRequestReviewComment_updatedAt(self, v: Any, _a: dict[str, Any]) -> str | None:
        return _iso(v[1].get("updated_at") or v[1].get("created_at"))

    def PullRequestReviewComment_url(self, v: Any, _a: dict[str, Any]) -> str:
        p, c = v
        return f"{WEB}/{p['repo']}/pull/{p['number']}#discussion_r{c['id']}"

    def PullRequestReviewComment_replyTo(self, v: Any, _a: dict[str, Any]) -> Obj | None:
        parent = v[1].get("in_reply_to_id")
        return Obj("PullRequestReviewComment", (v[0], {"id": parent})) if parent else None

    def PullRequestReviewComment_pullRequestReview(self, v: Any, _a: dict[str, Any]) -> Obj | None:
        rid = v[1].get("pull_request_review_id")
        return Obj("PullRequestReview", (v[0], {"id": rid})) if rid else None

    def IssueComment_id(self, v: Any, _a: dict[str, Any]) -> str:
        return f"IC_{v[1]['id']}"

    def IssueComment_databaseId(self, v: Any, _a: dict[str, Any]) -> int:
        return int(v[1]["id"])

    def IssueComment_author(self, v: Any, _a: dict[str, Any]) -> Obj | None:
        return self.actor(v[1].get("user"))

    def IssueComment_body(self, v: Any, _a: dict[str, Any]) -> str:
        return v[1].get("body") or ""

    def IssueComment_createdAt(self, v: Any, _a: dict[str, Any]) -> str | None:
        return _iso(v[1].get("created_at"))

    def IssueComment_updatedAt(self, v: Any, _a: dict[str, Any]) -> str | None:
        return _iso(v[1].get("updated_at") or v[1].get("created_at"))

    def IssueComment_url(self, v: Any, _a: dict[str, Any]) -> str:
        p, c = v
        return f"{WEB}/{p['repo']}/pull/{p['number']}#issuecomment-{c['id']}"


def _pr_state(p: dict[str, Any]) -> str:
    if p.get("merged_at"):
        return "MERGED"
    return "CLOSED" if p.get("state") == "closed" else "OPEN"


_INTERFACES = {
    "User": {"Actor", "Node", "User"},
    "Bot": {"Actor", "Node", "Bot"},
    "Organization": {"Actor", "Node", "Organization", "RepositoryOwner"},
}


def _applies(type_condition: str | None, type_name: str) -> bool:
    if type_condition is None or type_condition == type_name:
        return True
    return type_condition in _INTERFACES.get(type_name, {"Node"} if type_condition == "Node" else set())


class Executor:
    def __init__(self, resolver: Resolver, variables: dict[str, Any]) -> None:
        self.resolver = resolver
        self.variables = variables

    def complete(self, value: Any, selections: list[Any]) -> Any:
        if isinstance(value, list):
            return [self.complete(v, selections) for v in value]
        if isinstance(value, Obj):
            if not selections:
                raise GraphQLError(f"Field must have selections (type '{value.type}')")
            return self.object(value, selections)
        return value

    def object(self, obj: Obj, selections: list[Any]) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for sel in selections:
            if isinstance(sel, Fragment):
                if _applies(sel.type_condition, obj.type):
                    out.update(self.object(obj, sel.selections))
                continue
            key = sel.alias or sel.name
            if sel.name == "__typename":
                out[key] = obj.type
                continue
            args = {k: substitute(v, self.variables) for k, v in sel.args.items()}
            out[key] = self.complete(self.resolver.resolve(obj, sel, args), sel.selections)
        return out


def query_cost(selections: list[Any], variables: dict[str, Any], multiplier: int = 1) -> int:
    """GitHub's rule: requests each connection may make, summed, over 100 (at least 1)."""

    def walk(sels: list[Any], mult: int) -> int:
        total = 0
        for sel in sels:
            if isinstance(sel, Fragment):
                total += walk(sel.selections, mult)
                continue
            first = substitute(sel.args.get("first"), variables) if "first" in sel.args else None
            if isinstance(first, int):
                total += mult
                total += walk(sel.selections, mult * max(first, 1))
            else:
                total += walk(sel.selections, mult)
        return total

    return max(1, walk(selections, multiplier) // 100)


def execute(query: str, variables: dict[str, Any], index: Index, limit_headers: dict[str, str]) -> tuple[dict[str, Any], int]:
    """Run one query; returns (the JSON response body, its point cost)."""
    try:
        selections, defaults = Parser(query).document()
    except GraphQLError as err:
        return {"errors": [{"type": err.kind or "PARSE", "message": str(err)}]}, 0
    variables = {**defaults, **variables}
    resolver = Resolver(index, limit_headers)
    resolver.cost = query_cost(selections, variables)
    executor = Executor(resolver, variables)
    data: dict[str, Any] = {}
    errors: list[dict[str, Any]] = []
    for sel in selections:
        key = sel.alias or sel.name if isinstance(sel, Field) else None
        try:
            if isinstance(sel, Fragment):
                data.update(executor.object(Obj("Query", None), [sel]))
            else:
                data.update(executor.object(Obj("Query", None), [sel]))
        except GraphQLError as err:
            if key:
                data[key] = None
            error: dict[str, Any] = {"message": str(err), "path": [key] if key else []}
            if err.kind:
                error["type"] = err.kind
            errors.append(error)
    body: dict[str, Any] = {"data": data}
    if errors:
        body["errors"] = errors
    return body, resolver.cost
