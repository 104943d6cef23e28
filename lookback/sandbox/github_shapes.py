"""The world's `github` section indexed, and REST objects built from it in GitHub's exact shapes."""

from __future__ import annotations

import hashlib
import zlib
from dataclasses import dataclass
from typing import Any

from lookback.sandbox.core import SandboxState

# html_url values look like github.com's so they match links people paste in chat and stay the same
# whichever base URL (/github or /github/api/v3) a client used.
WEB = "https://github.com"


# ---------------------------------------------------------------------------------------------- the world, indexed


@dataclass
class Index:
    """Lookups over the world's `github` section, rebuilt when an edit bumps `world_version`."""

    version: int
    users: dict[str, dict[str, Any]]
    orgs: dict[str, dict[str, Any]]
    repos: dict[str, dict[str, Any]]  # "owner/name" (lower) -> repo
    repos_by_id: dict[int, dict[str, Any]]
    pulls: dict[str, dict[int, dict[str, Any]]]  # full_name (lower) -> number -> pull
    nodes: dict[str, tuple[str, Any]]  # GraphQL node id -> (type, object)


def full_name(repo: dict[str, Any]) -> str:
    return f"{repo['owner']}/{repo['name']}"


def build_index(state: SandboxState) -> Index:
    gh = state.world.get("github") or {}
    repos = {full_name(r).lower(): r for r in gh.get("repos", [])}
    pulls: dict[str, dict[int, dict[str, Any]]] = {}
    nodes: dict[str, tuple[str, Any]] = {}
    for pull in gh.get("pulls", []):
        pulls.setdefault(pull["repo"].lower(), {})[int(pull["number"])] = pull
        nodes[pull_node_id(pull)] = ("PullRequest", pull)
        for review in pull.get("reviews") or []:
            nodes[review_node_id(review)] = ("PullRequestReview", (pull, review))
        for root, comments in review_threads(pull):
            nodes[f"PRRT_{root}"] = ("PullRequestReviewThread", (pull, root, comments))
    for repo in repos.values():
        nodes[repo_node_id(repo)] = ("Repository", repo)
    return Index(
        version=state.world_version,
        users={u["login"].lower(): u for u in gh.get("users", [])},
        orgs={o["login"].lower(): o for o in gh.get("orgs", [])},
        repos=repos,
        repos_by_id={int(r["id"]): r for r in repos.values()},
        pulls=pulls,
        nodes=nodes,
    )


def review_threads(pull: dict[str, Any]) -> list[tuple[int, list[dict[str, Any]]]]:
    """A PR's review comments grouped into threads by their root comment, oldest first."""
    by_id = {int(c["id"]): c for c in pull.get("review_comments") or []}

    def root(c: dict[str, Any]) -> int:
        seen = set()
        while c.get("in_reply_to_id") and int(c["in_reply_to_id"]) in by_id and int(c["id"]) not in seen:
            seen.add(int(c["id"]))
            c = by_id[int(c["in_reply_to_id"])]
        return int(c["id"])

    threads: dict[int, list[dict[str, Any]]] = {}
    for c in sorted(by_id.values(), key=lambda c: (c.get("created_at") or "", int(c["id"]))):
        threads.setdefault(root(c), []).append(c)
    return sorted(threads.items())


def user_record(index: Index, login: str) -> dict[str, Any]:
    """The world's user, or a stable made-up one for a login the world only mentions."""
    return index.users.get(login.lower()) or {"login": login, "id": 10_000_000 + zlib.crc32(login.encode())}


def pull_node_id(pull: dict[str, Any]) -> str:
    return str(pull.get("node_id") or f"PR_{pull['id']}")


def review_node_id(review: dict[str, Any]) -> str:
    return str(review.get("node_id") or f"PRR_{review['id']}")


def repo_node_id(repo: dict[str, Any]) -> str:
    return str(repo.get("node_id") or f"R_{repo['id']}")


def fake_sha(*parts: Any) -> str:
    return hashlib.sha1("/".join(map(str, parts)).encode()).hexdigest()


# ---------------------------------------------------------------------------------------------- object shapes


class Shapes:
    """Builds REST objects in GitHub's shapes; `api` is the API root URL, `web` the html root."""

    def __init__(self, index: Index, api: str, web: str) -> None:
        self.index = index
        self.api = api
        self.web = web

    def user_record(self, login: str) -> dict[str, Any]:
        return user_record(self.index, login)

    def user(self, login: str | None) -> dict[str, Any] | None:
        if not login:
            return None
        rec = self.user_record(login)
        login = rec["login"]
        uid = int(rec["id"])
        kind = rec.get("type") or ("Bot" if login.endswith("[bot]") else "User")
        url = f"{self.api}/users/{login}"
        return {
            "login": login,
            "id": uid,
            "node_id": f"U_{uid}",
            "avatar_url": f"https://avatars.githubusercontent.com/u/{uid}?v=4",
            "gravatar_id": "",
            "url": url,
            "html_url": f"{self.web}/{login}",
            "followers_url": f"{url}/followers",
            "following_url": f"{url}/following{{/other_user}}",
            "gists_url": f"{url}/gists{{/gist_id}}",
            "starred_url": f"{url}/starred{{/owner}}{{/repo}}",
            "subscriptions_url": f"{url}/subscriptions",
            "organizations_url": f"{url}/orgs",
            "repos_url": f"{url}/repos",
            "events_url": f"{url}/events{{/privacy}}",
            "received_events_url": f"{url}/received_events",
            "type": kind,
            "site_admin": False,
        }

    def user_full(self, login: str) -> dict[str, Any]:
        rec = self.user_record(login)
        out = self.user(login) or {}
        out.update(
            name=rec.get("name"),
            company=rec.get("company"),
            blog="",
            location=None,
            email=rec.get("email"),
            hireable=None,
            bio=None,
            twitter_username=None,
            public_repos=sum(1 for r in self.index.repos.values() if r["owner"].lower() == login.lower()),
            public_gists=0,
            followers=0,
            following=0,
            created_at=rec.get("created_at", "2015-01-01T00:00:00Z"),
            updated_at=rec.get("updated_at", "2022-01-01T00:00:00Z"),
        )
        return out

    def org(self, org: dict[str, Any]) -> dict[str, Any]:
        login = org["login"]
        url = f"{self.api}/orgs/{login}"
        return {
            "login": login,
            "id": int(org["id"]),
            "node_id": f"O_{org['id']}",
            "url": url,
            "repos_url": f"{url}/repos",
            "events_url": f"{url}/events",
            "hooks_url": f"{url}/hooks",
            "issues_url": f"{url}/issues",
            "members_url": f"{url}/members{{/member}}",
            "public_members_url": f"{url}/public_members{{/member}}",
            "avatar_url": f"https://avatars.githubusercontent.com/u/{org['id']}?v=4",
            "description": org.get("description"),
            "name": org.get("name"),
            "html_url": f"{self.web}/{login}",
            "type": "Organization",
            "created_at": org.get("created_at", "2015-01-01T00:00:00Z"),
            "updated_at": org.get("updated_at", "2022-01-01T00:00:00Z"),
        }

    def owner(self, login: str) -> dict[str, Any] | None:
        org = self.index.orgs.get(login.lower())
        if org is None:
            return self.user(login)
        out = self.user(login) or {}
        out.update(id=int(org["id"]), node_id=f"O_{org['id']}", type="Organization")
        return out

    def repo(self, repo: dict[str, Any]) -> dict[str, Any]:
        name = full_name(repo)
        url = f"{self.api}/repos/{name}"
        pushed = max((p.get("updated_at") or "" for p in self.index.pulls.get(name.lower(), {}).values()), default="")
        return {
            "id": int(repo["id"]),
            "node_id": repo_node_id(repo),
            "name": repo["name"],
            "full_name": name,
            "private": bool(repo.get("private")),
            "owner": self.owner(repo["owner"]),
            "html_url": f"{self.web}/{name}",
            "description": repo.get("description"),
            "fork": False,
            "url": url,
            "pulls_url": f"{url}/pulls{{/number}}",
            "issue_comment_url": f"{url}/issues/comments{{/number}}",
            "commits_url": f"{url}/commits{{/sha}}",
            "created_at": repo.get("created_at"),
            "updated_at": pushed or repo.get("created_at"),
            "pushed_at": repo.get("pushed_at") or pushed or repo.get("created_at"),
            **self._repo_urls(url, name),
            "homepage": None,
            "size": 1,
            "stargazers_count": 0,
            "watchers_count": 0,
            "language": repo.get("language"),
            "forks_count": 0,
            "archived": bool(repo.get("archived")),
            "disabled": False,
            "open_issues_count": sum(
                1 for p in self.index.pulls.get(name.lower(), {}).values() if p.get("state") == "open"
            ),
            "visibility": "private" if repo.get("private") else "public",
            "default_branch": repo.get("default_branch") or "main",
        }

    def _repo_urls(self, url: str, name: str) -> dict[str, Any]:
        """The URL templates every full repository object carries."""
        plain = ("contributors", "deployments", "downloads", "events", "forks", "hooks", "languages", "merges",
                 "stargazers", "subscribers", "subscription", "tags", "teams")
        templated = {
            "archive_url": "/{archive_format}{/ref}", "assignees_url": "/assignees{/user}",
            "blobs_url": "/git/blobs{/sha}", "branches_url": "/branches{/branch}",
            "collaborators_url": "/collaborators{/collaborator}", "comments_url": "/comments{/number}",
            "compare_url": "/compare/{base}...{head}", "contents_url": "/contents/{+path}",
            "git_commits_url": "/git/commits{/sha}", "git_refs_url": "/git/refs{/sha}",
            "git_tags_url": "/git/tags{/sha}", "issue_events_url": "/issues/events{/number}",
            "issues_url": "/issues{/number}", "keys_url": "/keys{/key_id}", "labels_url": "/labels{/name}",
            "milestones_url": "/milestones{/number}",
            "notifications_url": "/notifications{?since,all,participating}", "releases_url": "/releases{/id}",
            "statuses_url": "/statuses/{sha}", "trees_url": "/git/trees{/sha}",
        }
        out: dict[str, Any] = {f"{k}_url": f"{url}/{k}" for k in plain}
        out.update({k: url + v for k, v in templated.items()})
        out.update(git_url=f"git://github.com/{name}.git", ssh_url=f"git@github.com:{name}.git",
                   clone_url=f"{self.web}/{name}.git", svn_url=f"{self.web}/{name}", mirror_url=None,
                   forks=0, open_issues=0, watchers=0, has_issues=True, has_projects=True, has_wiki=True,
                   has_pages=False, has_downloads=True, license=None)
        return out

    def _branch(self, repo: dict[str, Any], ref: str, sha: str) -> dict[str, Any]:
        return {
            "label": f"{repo['owner']}:{ref}",
            "ref": ref,
            "sha": sha,
            "user": self.owner(repo["owner"]),
            "repo": self.repo(repo),
        }

    def label(self, repo: dict[str, Any], name: str) -> dict[str, Any]:
        lid = zlib.crc32(f"{repo['id']}/{name}".encode())
        return {
            "id": lid,
            "node_id": f"LA_{lid}",
            "url": f"{self.api}/repos/{full_name(repo)}/labels/{name}",
            "name": name,
            "color": "ededed",
            "default": name in ("bug", "enhancement", "documentation"),
            "description": None,
        }

    def pull_simple(self, repo: dict[str, Any], pull: dict[str, Any]) -> dict[str, Any]:
        name = full_name(repo)
        n = int(pull["number"])
        url = f"{self.api}/repos/{name}/pulls/{n}"
        html = f"{self.web}/{name}/pull/{n}"
        issue = f"{self.api}/repos/{name}/issues/{n}"
        head_sha = pull.get("head_sha") or fake_sha(name, n, "head")
        return {
            "url": url,
            "id": int(pull["id"]),
            "node_id": pull_node_id(pull),
            "html_url": html,
            "diff_url": f"{html}.diff",
            "patch_url": f"{html}.patch",
            "issue_url": issue,
            "number": n,
            "state": pull.get("state") or "open",
            "locked": False,
            "title": pull.get("title") or "",
            "user": self.user(pull.get("user")),
            "body": pull.get("body"),
            "created_at": pull.get("created_at"),
            "updated_at": pull.get("updated_at"),
            "closed_at": pull.get("closed_at"),
            "merged_at": pull.get("merged_at"),
            "merge_commit_sha": pull.get("merge_commit_sha"),
            "assignee": None,
            "assignees": [],
            "requested_reviewers": [],
            "requested_teams": [],
            "labels": [self.label(repo, lab) for lab in pull.get("labels") or []],
            "milestone": None,
            "draft": bool(pull.get("draft")),
            "commits_url": f"{url}/commits",
            "review_comments_url": f"{url}/comments",
            "review_comment_url": f"{self.api}/repos/{name}/pulls/comments{{/number}}",
            "comments_url": f"{issue}/comments",
            "statuses_url": f"{self.api}/repos/{name}/statuses/{head_sha}",
            "head": self._branch(repo, pull.get("head") or f"branch-{n}", head_sha),
            "base": self._branch(repo, pull.get("base") or repo.get("default_branch") or "main",
                                 fake_sha(name, n, "base")),
            "_links": {
                "self": {"href": url},
                "html": {"href": html},
                "issue": {"href": issue},
                "comments": {"href": f"{issue}/comments"},
                "review_comments": {"href": f"{url}/comments"},
                "review_comment": {"href": f"{self.api}/repos/{name}/pulls/comments{{/number}}"},
                "commits": {"href": f"{url}/commits"},
                "statuses": {"href": f"{self.api}/repos/{name}/statuses/{head_sha}"},
            },
            "author_association": "MEMBER",
            "auto_merge": None,
            "active_lock_reason": None,
        }

    def pull_full(self, repo: dict[str, Any], pull: dict[str, Any]) -> dict[str, Any]:
        out = self.pull_simple(repo, pull)
        files = pull.get("files") or []
        merged = bool(pull.get("merged_at"))
        out.update(
            merged=merged,
            mergeable=None if pull.get("state") == "open" else None,
            rebaseable=None,
            mergeable_state="unknown",
            merged_by=self.user(pull.get("merged_by")) if merged else None,
            comments=len(pull.get("comments") or []),
            review_comments=len(pull.get("review_comments") or []),
            maintainer_can_modify=False,
            commits=max(len(pull.get("commits") or []), 1),
            additions=sum(int(f.get("additions") or 0) for f in files),
            deletions=sum(int(f.get("deletions") or 0) for f in files),
            changed_files=len(files),
        )
        return out

    def file(self, repo: dict[str, Any], pull: dict[str, Any], f: dict[str, Any]) -> dict[str, Any]:
        name = full_name(repo)
        sha = pull.get("head_sha") or fake_sha(name, pull["number"], "head")
        adds, dels = int(f.get("additions") or 0), int(f.get("deletions") or 0)
        out: dict[str, Any] = {
            "sha": fake_sha(name, sha, f["filename"]),
            "filename": f["filename"],
            "status": f.get("status") or "modified",
            "additions": adds,
            "deletions": dels,
            "changes": adds + dels,
            "blob_url": f"{self.web}/{name}/blob/{sha}/{f['filename']}",
            "raw_url": f"{self.web}/{name}/raw/{sha}/{f['filename']}",
            "contents_url": f"{self.api}/repos/{name}/contents/{f['filename']}?ref={sha}",
        }
        if f.get("patch") is not None:  # binary and huge diffs come without a patch
            out["patch"] = f["patch"]
        if f.get("previous_filename"):
            out["previous_filename"] = f["previous_filename"]
        return out

    def review(self, repo: dict[str, Any], pull: dict[str, Any], r: dict[str, Any]) -> dict[str, Any]:
        name = full_name(repo)
        n = pull["number"]
        html = f"{self.web}/{name}/pull/{n}#pullrequestreview-{r['id']}"
        out = {
            "id": int(r["id"]),
            "node_id": review_node_id(r),
            "user": self.user(r.get("user")),
            "body": r.get("body") or "",
            "state": r.get("state") or "COMMENTED",
            "html_url": html,
            "pull_request_url": f"{self.api}/repos/{name}/pulls/{n}",
            "author_association": "MEMBER",
            "_links": {"html": {"href": html}, "pull_request": {"href": f"{self.api}/repos/{name}/pulls/{n}"}},
            "commit_id": r.get("commit_id") or pull.get("head_sha"),
        }
        if r.get("state") != "PENDING":  # a pending review has no submitted_at at all
            out["submitted_at"] = r.get("submitted_at")
        return out

    def review_comment(self, repo: dict[str, Any], pull: dict[str, Any], c: dict[str, Any]) -> dict[str, Any]:
        name = full_name(repo)
        n = pull["number"]
        url = f"{self.api}/repos/{name}/pulls/comments/{c['id']}"
        html = f"{self.web}/{name}/pull/{n}#discussion_r{c['id']}"
        line = c.get("line")
        out: dict[str, Any] = {
            "url": url,
            "pull_request_review_id": c.get("pull_request_review_id"),
            "id": int(c["id"]),
            "node_id": f"PRRC_{c['id']}",
            "diff_hunk": c.get("diff_hunk") or "",
            "path": c.get("path") or "",
            "commit_id": pull.get("head_sha"),
            "original_commit_id": pull.get("head_sha"),
            "user": self.user(c.get("user")),
            "body": c.get("body") or "",
            "created_at": c.get("created_at"),
            "updated_at": c.get("updated_at") or c.get("created_at"),
            "html_url": html,
            "pull_request_url": f"{self.api}/repos/{name}/pulls/{n}",
            "author_association": "MEMBER",
            "_links": {
                "self": {"href": url},
                "html": {"href": html},
                "pull_request": {"href": f"{self.api}/repos/{name}/pulls/{n}"},
            },
            "start_line": None,
            "original_start_line": None,
            "start_side": None,
            "line": line,
            "original_line": line,
            "side": "RIGHT",
            "original_position": line,
            "position": line,
            "subject_type": "line",
        }
        if c.get("in_reply_to_id"):  # GitHub omits the key on thread starters
            out["in_reply_to_id"] = c["in_reply_to_id"]
        return out

    def issue_comment(self, repo: dict[str, Any], pull: dict[str, Any], c: dict[str, Any]) -> dict[str, Any]:
        name = full_name(repo)
        n = pull["number"]
        return {
            "url": f"{self.api}/repos/{name}/issues/comments/{c['id']}",
            "html_url": f"{self.web}/{name}/pull/{n}#issuecomment-{c['id']}",
            "issue_url": f"{self.api}/repos/{name}/issues/{n}",
            "id": int(c["id"]),
            "node_id": f"IC_{c['id']}",
            "user": self.user(c.get("user")),
            "created_at": c.get("created_at"),
            "updated_at": c.get("updated_at") or c.get("created_at"),
            "author_association": "MEMBER",
            "body": c.get("body") or "",
            "reactions": {"url": f"{self.api}/repos/{name}/issues/comments/{c['id']}/reactions", "total_count": 0,
                          "+1": 0, "-1": 0, "laugh": 0, "confused": 0, "heart": 0, "hooray": 0, "eyes": 0,
                          "rocket": 0},
            "performed_via_github_app": None,
        }

    def commit(self, repo: dict[str, Any], c: dict[str, Any]) -> dict[str, Any]:
        name = full_name(repo)
        sha = c["sha"]
        author = self.user_record(c["author"]) if c.get("author") else {}
        person = {"name": author.get("name") or c.get("author"), "email": author.get("email"), "date": c.get("date")}
        return {
            "url": f"{self.api}/repos/{name}/commits/{sha}",
            "sha": sha,
            "node_id": f"C_{sha[:20]}",
            "html_url": f"{self.web}/{name}/commit/{sha}",
            "comments_url": f"{self.api}/repos/{name}/commits/{sha}/comments",
            "commit": {
                "url": f"{self.api}/repos/{name}/git/commits/{sha}",
                "author": person,
                "committer": person,
                "message": c.get("message") or "",
                "tree": {"url": f"{self.api}/repos/{name}/git/trees/{fake_sha(sha)}", "sha": fake_sha(sha)},
                "comment_count": 0,
                "verification": {"verified": False, "reason": "unsigned", "signature": None, "payload": None,
                                 "verified_at": None},
            },
            "author": self.user(c.get("author")),
            "committer": self.user(c.get("author")),
            "parents": [],
        }
