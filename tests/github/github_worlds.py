"""Small hand-made GitHub worlds for the GitHub tests (CONTRACTS §5 shape, `github` section only)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

T0 = datetime(2022, 11, 1, tzinfo=UTC)


def iso(t: datetime) -> str:
    return t.strftime("%Y-%m-%dT%H:%M:%SZ")


def pull(repo: str, number: int, *, minutes: int, files: int = 2, reviews: int = 1, review_comments: int = 1,
         comments: int = 1, merged: bool = True, body: str | None = None, user: str = "ana",
         thread_replies: int = 0, repo_index: int = 0) -> dict[str, Any]:
    """One PR updated `minutes` after T0, with the given numbers of children (ids derived from number)."""
    created = T0 + timedelta(minutes=minutes - 60)
    updated = T0 + timedelta(minutes=minutes)
    base_id = number * 1000 + repo_index * 10_000_000
    rid = [base_id + 100 + i for i in range(reviews)]
    rcs = []
    for i in range(review_comments):
        rcs.append({"id": base_id + 200 + i, "user": "bo", "body": f"nit {i} see #{number - 1}", "path": f"src/m{i}.py",
                    "line": i + 1, "diff_hunk": "@@ -1,2 +1,3 @@\n+x = 1", "created_at": iso(created),
                    "updated_at": iso(created), "in_reply_to_id": None,
                    "pull_request_review_id": rid[0] if rid else None})
    for i in range(thread_replies):  # replies in the first thread
        rcs.append({"id": base_id + 500 + i, "user": "ana", "body": f"reply {i}", "path": "src/m0.py", "line": 1,
                    "diff_hunk": "@@", "created_at": iso(created + timedelta(seconds=i + 1)),
                    "updated_at": iso(created + timedelta(seconds=i + 1)),
                    "in_reply_to_id": base_id + 200, "pull_request_review_id": rid[0] if rid else None})
    return {
        "repo": repo, "number": number, "id": base_id, "node_id": f"PR_{base_id}",
        "title": f"Change {number} in {repo}",
        "body": body if body is not None else f"Fixes INC-{1000 + number}. Follow-up to #{max(number - 1, 1)}.",
        "user": user, "state": "closed" if merged else "open", "draft": False,
        "created_at": iso(created), "updated_at": iso(updated),
        "closed_at": iso(updated) if merged else None, "merged_at": iso(updated) if merged else None,
        "merged_by": "bo" if merged else None, "merge_commit_sha": f"{number:040x}" if merged else None,
        "base": "main", "head": f"feature-{number}", "head_sha": f"{number + 7:040x}",
        "labels": ["bug"] if number % 2 else [],
        "files": [{"filename": f"src/f{number}_{i}.py", "status": "modified" if i else "added", "additions": i + 1,
                   "deletions": i, "patch": f"@@ -1 +1 @@\n-old{i}\n+new{i}"} for i in range(files)],
        "reviews": [{"id": r, "user": "bo", "state": "APPROVED" if j == 0 else "COMMENTED",
                     "body": "LGTM" if j == 0 else f"comment {j}", "submitted_at": iso(created + timedelta(minutes=5)),
                     "commit_id": f"{number + 7:040x}"} for j, r in enumerate(rid)],
        "review_comments": rcs,
        "comments": [{"id": base_id + 300 + i, "user": "dependabot[bot]" if i == 1 else "ana",
                      "body": f"comment {i}: related to PR 23 and https://example.com/runbook",
                      "created_at": iso(created + timedelta(minutes=10)),
                      "updated_at": iso(created + timedelta(minutes=10))} for i in range(comments)],
        "commits": [{"sha": f"{number + 7:040x}", "message": f"change {number}", "author": user,
                     "date": iso(created)}],
    }


def world(prs_per_repo: int = 30, repos: tuple[str, ...] = ("shop/search-tools",), **kw: Any) -> dict[str, Any]:
    """A world with `prs_per_repo` PRs in each repo, plus one edit step: a new PR and an updated old one."""
    pulls = []
    for r, name in enumerate(repos):
        for n in range(1, prs_per_repo + 1):
            pulls.append(pull(name, n, minutes=n * 60 + r, repo_index=r, **kw))
    first = repos[0]
    return {
        "name": "gh-test",
        "github": {
            "users": [
                {"id": 1, "login": "ana", "name": "Ana", "email": "ana@shop.example", "type": "User"},
                {"id": 2, "login": "bo", "name": "Bo", "email": "", "type": "User"},
                {"id": 3, "login": "dependabot[bot]", "name": None, "email": None, "type": "Bot"},
            ],
            "orgs": [{"id": 100, "login": "shop"}],
            "repos": [
                {"id": 1001 + i, "owner": name.split("/")[0], "name": name.split("/")[1], "private": False,
                 "archived": False, "default_branch": "main", "description": f"repo {name}",
                 "created_at": "2020-01-01T00:00:00Z"}
                for i, name in enumerate(repos)
            ],
            "pulls": pulls,
        },
        "edits": [[
            {"op": "add_pull", "pull": pull(first, prs_per_repo + 1, minutes=100_000)},
            {"op": "update_pull", "repo": first, "number": 1,
             "set": {"title": "Change 1, retitled", "updated_at": iso(T0 + timedelta(minutes=100_001))}},
        ]],
    }
