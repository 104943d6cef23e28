"""Pure mappers from GitHub pull-request composites (REST-shaped dicts) to warehouse rows.

A composite is ``{"repo", "pull", "files", "reviews", "review_comments", "comments"}`` as
``connectors.github`` yields it from either path; raw REST objects map too (lenient, QUIRKS 5).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping
from datetime import UTC, datetime
from typing import Any

from warehouse.refs import URL, clean, plain_refs, url_refs

Batch = dict[str, list[dict[str, Any]]]

SOURCE = "github"
MAX_TEXT = 30_000  # evidence text: enough for search, bounded so one giant PR cannot swamp it
MAX_BODY = 200_000  # typed-table bodies
MAX_TITLE = 300
PATCH_EXCERPT = 1_500  # per file, in gh_pr_file and in the PR's evidence text
PATCH_FILES_IN_TEXT = 30  # files whose patch excerpt goes into the PR's evidence text
MAX_HUNK = 1_000
MAX_FILES_IN_TEXT = 300
MAX_REFS = 200  # per item


# ---------------------------------------------------------------------------------------------- small helpers


def gh_time(value: Any) -> datetime | None:
    """GitHub's ISO times (`Z` or an offset) as aware UTC; None for missing or unparsable."""
    if value is None or value == "":
        return None
    if isinstance(value, datetime):
        return value.astimezone(UTC) if value.tzinfo else value.replace(tzinfo=UTC)
    try:
        t = datetime.fromisoformat(str(value).replace("Z", "+00:00"))
    except ValueError:
        return None
    return t.astimezone(UTC) if t.tzinfo else t.replace(tzinfo=UTC)


def _int(value: Any) -> int | None:
    try:
        return int(value) if value is not None else None
    except (TypeError, ValueError):
        return None


def _login(user: Any) -> str | None:
    if isinstance(user, Mapping):
        return clean(user.get("login"))
    if isinstance(user, str):
        return clean(user)
    return None


def _sha(value: Any) -> str | None:
    text = clean(value)
    return text if text and re.fullmatch(r"[0-9a-fA-F]{7,40}", text) else None


# ---------------------------------------------------------------------------------------------- references

_REVERT_TITLE_START = re.compile(r"^\s*Revert\s+\"(.{3,300})\"\s*$", re.I)
_MENTION = re.compile(r"(?<![\w@./-])@([A-Za-z0-9](?:[A-Za-z0-9-]{0,38})(?:\[bot\])?)(?![\w@-])")
_CODE_FENCE = re.compile(r"```.*?```", re.S)


def extract_refs(text: str | None, repo: str | None = None, title: str | None = None) -> list[tuple[str, str, str]]:
    """References (ref_kind, target, label) in GitHub text; `repo` resolves a bare `#N` (CONTRACTS §2)."""
    out: dict[tuple[str, str], str] = {}

    def add(kind: str, target: str, label: str | None) -> None:
        if len(out) < MAX_REFS:
            out.setdefault((kind, target[:512]), (label or target)[:300])

    if title:
        m = _REVERT_TITLE_START.match(title)
        if m:
            add("revert", f"title:{m.group(1)}", m.group(0).strip())
    if not text and not title:
        return []
    body = _CODE_FENCE.sub(" ", text or "")  # code blocks are code, not references
    full = f"{title or ''}\n{body}"
    for m in URL.finditer(full):
        url_refs(m.group(0).rstrip(".,;:!?"), None, add)
    no_urls = URL.sub(" ", full)
    plain_refs(no_urls, add, repo)
    for m in _MENTION.finditer(no_urls):
        add("user", m.group(1), m.group(0))
    return [(kind, target, label) for (kind, target), label in out.items()]


def _ref_rows(native_id: str, refs: Iterable[tuple[str, str, str]]) -> list[dict[str, Any]]:
    return [
        {"from_source": SOURCE, "from_native_id": native_id, "ref_kind": kind, "target": target, "label": label}
        for kind, target, label in refs
        if not (kind == "pull_request" and target == native_id)  # a PR linking to itself says nothing
    ]


# ---------------------------------------------------------------------------------------------- rows


def _repo_of(payload: Mapping[str, Any]) -> dict[str, Any]:
    """The repository of a composite, or of a raw REST pull (its base.repo), or from its html_url."""
    repo = payload.get("repo")
    if isinstance(repo, Mapping) and repo.get("full_name"):
        return dict(repo)
    pull = payload.get("pull") or payload
    base_repo = ((pull.get("base") or {}).get("repo")) if isinstance(pull, Mapping) else None
    if isinstance(base_repo, Mapping) and base_repo.get("full_name"):
        return dict(base_repo)
    m = re.match(r"https?://[^/]+/([\w.-]+/[\w.-]+)/pull/\d+", str((pull or {}).get("html_url") or ""))
    if not m:
        raise ValueError("pull request payload names no repository (no repo, base.repo or html_url)")
    return {"id": None, "full_name": m.group(1)}


def repository_row(repo: Mapping[str, Any]) -> dict[str, Any]:
    full_name = clean(repo["full_name"]) or ""
    owner, _, name = full_name.partition("/")
    return {
        "id": int(repo["id"]),
        "full_name": full_name,
        "owner": owner,
        "name": name,
        "private": bool(repo.get("private")),
        "archived": bool(repo.get("archived")),
        "default_branch": clean(repo.get("default_branch")),
        "description": clean(repo.get("description"), MAX_BODY),
        "html_url": clean(repo.get("html_url")),
        "created_at": gh_time(repo.get("created_at")),
        "pushed_at": gh_time(repo.get("pushed_at")),
    }


def map_repository(payload: Mapping[str, Any]) -> Batch:
    """One repository (the connector's `repository` kind, or a REST repo object)."""
    return {"gh_repository": [repository_row(payload)]}


def repository_native_id(payload: Mapping[str, Any]) -> str:
    return str(payload["full_name"])


def _account(user: Any, seen: dict[str, dict[str, Any]]) -> None:
    login = _login(user)
    if not login:
        return
    u = user if isinstance(user, Mapping) else {}
    row = seen.setdefault(login, {"source": SOURCE, "native_id": login, "handle": login, "display_name": None,
                                  "email": None, "is_bot": False, "person_key": None})
    row["display_name"] = row["display_name"] or clean(u.get("name"))
    email = clean(u.get("email"))
    if email and "@" in email:
        row["email"] = row["email"] or email
        row["person_key"] = row["person_key"] or email.lower()
    row["is_bot"] = row["is_bot"] or u.get("type") == "Bot" or login.endswith("[bot]")


def _evidence(kind: str, native_id: str, occurred_at: datetime | None, title: str | None, text: str | None,
              url: str | None, user: Any, repo_name: str, parent: str | None,
              attributes: dict[str, Any]) -> dict[str, Any]:
    if occurred_at is None:
        raise ValueError(f"{native_id}: no time to place this {kind} at")
    return {
        "source": SOURCE,
        "kind": kind,
        "native_id": native_id,
        "occurred_at": occurred_at,
        "title": clean(title, MAX_TITLE),
        "text": clean(text, MAX_TEXT),
        "url": clean(url),
        "actor": _login(user),
        "actor_name": clean(user.get("name")) if isinstance(user, Mapping) else None,
        "container": repo_name,
        "container_name": repo_name,
        "parent_native_id": parent,
        "attributes": attributes,
    }


def _patch_excerpt(patch: Any) -> tuple[str | None, bool]:
    text = clean(patch)
    if text is None:
        return None, False
    if len(text) <= PATCH_EXCERPT:
        return text, False
    return text[:PATCH_EXCERPT], True


def _pr_text(pull: Mapping[str, Any], files: list[Mapping[str, Any]], reviews: list[Mapping[str, Any]],
             review_comments: list[Mapping[str, Any]], comments: list[Mapping[str, Any]]) -> str:
    """What an investigator searches for: body, labels, paths, bounded diffs, and what reviewers said."""
    parts = [clean(pull.get("title")) or "", clean(pull.get("body"), MAX_TEXT) or ""]
    labels = [lab.get("name") if isinstance(lab, Mapping) else str(lab) for lab in pull.get("labels") or []]
    if labels:
        parts.append("labels: " + ", ".join(clean(x) or "" for x in labels))
    if files:
        parts.append("files:\n" + "\n".join(clean(f.get("filename")) or "" for f in files[:MAX_FILES_IN_TEXT]))
        if len(files) > MAX_FILES_IN_TEXT:
            parts.append(f"... and {len(files) - MAX_FILES_IN_TEXT} more files")
    for f in files[:PATCH_FILES_IN_TEXT]:
        excerpt, _ = _patch_excerpt(f.get("patch"))
        if excerpt:
            parts.append(f"--- {clean(f.get('filename'))}\n{excerpt}")
    for r in reviews:
        if r.get("body"):
            parts.append(f"review by {_login(r.get('user'))} ({r.get('state')}): {clean(r.get('body'))}")
    for c in review_comments:
        if c.get("body"):
            parts.append(f"review comment by {_login(c.get('user'))} on {clean(c.get('path'))}: {clean(c.get('body'))}")
    for c in comments:
        if c.get("body"):
            parts.append(f"comment by {_login(c.get('user'))}: {clean(c.get('body'))}")
    return "\n\n".join(p for p in parts if p)


def map_pull_request(payload: Mapping[str, Any]) -> Batch:
    """A pull request composite -> typed rows, evidence (PR, reviews, comments), references, accounts."""
    pull: Mapping[str, Any] = payload.get("pull") or payload  # a bare REST pull maps too
    repo = _repo_of(payload)
    repo_name = clean(repo["full_name"]) or ""
    repo_id = _int(repo.get("id"))
    if repo_id is None:
        raise ValueError(f"{repo_name}: repository id unknown")
    number = int(pull["number"])
    pr_nid = f"{repo_name}#{number}"
    files = [f for f in payload.get("files") or [] if isinstance(f, Mapping) and f.get("filename")]
    reviews = [r for r in payload.get("reviews") or [] if isinstance(r, Mapping) and r.get("id") is not None]
    review_comments = [c for c in payload.get("review_comments") or [] if isinstance(c, Mapping)
                       and c.get("id") is not None]
    comments = [c for c in payload.get("comments") or [] if isinstance(c, Mapping) and c.get("id") is not None]
    merged_at = gh_time(pull.get("merged_at"))
    created_at = gh_time(pull.get("created_at"))
    updated_at = gh_time(pull.get("updated_at")) or created_at
    labels = [clean(lab.get("name") if isinstance(lab, Mapping) else lab) for lab in pull.get("labels") or []]
    html_url = clean(pull.get("html_url")) or f"https://github.com/{repo_name}/pull/{number}"
    merged_by = pull.get("merged_by") if merged_at else None
    head = pull.get("head") or {}
    base = pull.get("base") or {}

    batch: Batch = {"gh_pull_request": [], "gh_pr_file": [], "gh_review": [], "gh_review_comment": [],
                    "gh_issue_comment": [], "evidence": [], "evidence_ref": [], "account": []}
    if repo.get("id") is not None:
        batch["gh_repository"] = [repository_row(repo)]
    accounts: dict[str, dict[str, Any]] = {}
    batch["gh_pull_request"].append({
        "repo_id": repo_id,
        "number": number,
        "id": _int(pull.get("id")),
        "node_id": clean(pull.get("node_id")),
        "repo_full_name": repo_name,
        "title": clean(pull.get("title"), MAX_BODY) or "",
        "body": clean(pull.get("body"), MAX_BODY) or None,
        "state": clean(pull.get("state")) or "open",
        "draft": bool(pull.get("draft")),
        "author_login": _login(pull.get("user")),
        "created_at": created_at,
        "updated_at": updated_at,
        "closed_at": gh_time(pull.get("closed_at")),
        "merged_at": merged_at,
        "merged_by_login": _login(merged_by),
        "merge_commit_sha": _sha(pull.get("merge_commit_sha")) if merged_at else None,
        "base_ref": clean(base.get("ref")),
        "head_ref": clean(head.get("ref")),
        "head_sha": _sha(head.get("sha")),
        "labels": [x for x in labels if x],
        "additions": _int(pull.get("additions")),
        "deletions": _int(pull.get("deletions")),
        "changed_files": _int(pull.get("changed_files")),
        "html_url": html_url,
    })
    _account(pull.get("user"), accounts)
    _account(merged_by, accounts)
    for f in files:
        excerpt, truncated = _patch_excerpt(f.get("patch"))
        batch["gh_pr_file"].append({
            "repo_id": repo_id, "pr_number": number, "path": clean(f["filename"], 1024) or "",
            "status": clean(f.get("status")), "previous_path": clean(f.get("previous_filename")),
            "additions": _int(f.get("additions")), "deletions": _int(f.get("deletions")),
            "patch_excerpt": excerpt, "patch_truncated": truncated,
        })

    title = clean(pull.get("title")) or ""
    pr_text = _pr_text(pull, files, reviews, review_comments, comments)
    batch["evidence"].append(_evidence(
        "pull_request", pr_nid, merged_at or created_at, f"{repo_name}#{number}: {title}", pr_text, html_url,
        pull.get("user"), repo_name, None,
        {"state": "merged" if merged_at else pull.get("state"), "draft": bool(pull.get("draft")),
         "created_at": _iso(created_at), "merged_at": _iso(merged_at), "updated_at": _iso(updated_at),
         "closed_at": _iso(gh_time(pull.get("closed_at"))), "merged_by": _login(merged_by),
         "labels": [x for x in labels if x], "base": clean(base.get("ref")), "head": clean(head.get("ref")),
         "additions": _int(pull.get("additions")), "deletions": _int(pull.get("deletions")),
         "files": [clean(f["filename"]) for f in files[:50]], "file_count": len(files),
         "merge_commit_sha": _sha(pull.get("merge_commit_sha")) if merged_at else None},
    ))
    refs = extract_refs(pull.get("body"), repo_name, title)
    batch["evidence_ref"] += _ref_rows(pr_nid, refs)
    sha = _sha(pull.get("merge_commit_sha")) if merged_at else None
    if sha:  # the merge commit is how deploy logs and reverts name this PR
        batch["evidence_ref"].append({"from_source": SOURCE, "from_native_id": pr_nid, "ref_kind": "commit",
                                      "target": sha.lower(), "label": "merge commit"})

    fallback_time = updated_at or created_at
    for r in reviews:
        rid = int(r["id"])
        nid = f"{pr_nid}/review/{rid}"
        submitted = gh_time(r.get("submitted_at"))
        batch["gh_review"].append({
            "id": rid, "repo_id": repo_id, "pr_number": number, "author_login": _login(r.get("user")),
            "state": clean(r.get("state")), "body": clean(r.get("body"), MAX_BODY) or None,
            "submitted_at": submitted, "commit_id": _sha(r.get("commit_id")), "html_url": clean(r.get("html_url")),
        })
        state = clean(r.get("state")) or "COMMENTED"
        batch["evidence"].append(_evidence(
            "review", nid, submitted or fallback_time, f"{state.lower().replace('_', ' ')} review of {pr_nid}: {title}",
            clean(r.get("body"), MAX_TEXT) or None, r.get("html_url"), r.get("user"), repo_name, pr_nid,
            {"state": state, "pending": submitted is None},
        ))
        batch["evidence_ref"] += _ref_rows(nid, extract_refs(r.get("body"), repo_name))
        _account(r.get("user"), accounts)
    for c in review_comments:
        cid = int(c["id"])
        nid = f"{pr_nid}/review_comment/{cid}"
        created = gh_time(c.get("created_at")) or fallback_time
        hunk = clean(c.get("diff_hunk"), MAX_HUNK)
        batch["gh_review_comment"].append({
            "id": cid, "repo_id": repo_id, "pr_number": number, "review_id": _int(c.get("pull_request_review_id")),
            "in_reply_to_id": _int(c.get("in_reply_to_id")), "author_login": _login(c.get("user")),
            "body": clean(c.get("body"), MAX_BODY) or None, "path": clean(c.get("path")),
            "line": _int(c.get("line") if c.get("line") is not None else c.get("original_line")),
            "diff_hunk": clean(c.get("diff_hunk"), MAX_BODY), "created_at": created,
            "updated_at": gh_time(c.get("updated_at")), "html_url": clean(c.get("html_url")),
        })
        text = "\n\n".join(x for x in (clean(c.get("body")), f"on {clean(c.get('path'))}", hunk) if x)
        batch["evidence"].append(_evidence(
            "review_comment", nid, created, f"review comment on {pr_nid} ({clean(c.get('path'))})", text,
            c.get("html_url"), c.get("user"), repo_name, pr_nid,
            {"path": clean(c.get("path")), "line": _int(c.get("line")), "in_reply_to_id": _int(c.get("in_reply_to_id"))},
        ))
        batch["evidence_ref"] += _ref_rows(nid, extract_refs(c.get("body"), repo_name))
        _account(c.get("user"), accounts)
    for c in comments:
        cid = int(c["id"])
        nid = f"{pr_nid}/comment/{cid}"
        created = gh_time(c.get("created_at")) or fallback_time
        batch["gh_issue_comment"].append({
            "id": cid, "repo_id": repo_id, "pr_number": number, "author_login": _login(c.get("user")),
            "body": clean(c.get("body"), MAX_BODY) or None, "created_at": created,
            "updated_at": gh_time(c.get("updated_at")), "html_url": clean(c.get("html_url")), "extra": None,
        })
        batch["evidence"].append(_evidence(
            "pr_comment", nid, created, f"comment on {pr_nid}: {title}", clean(c.get("body"), MAX_TEXT) or None,
            c.get("html_url"), c.get("user"), repo_name, pr_nid, {},
        ))
        batch["evidence_ref"] += _ref_rows(nid, extract_refs(c.get("body"), repo_name))
        _account(c.get("user"), accounts)
    batch["account"] = list(accounts.values())
    return {k: v for k, v in batch.items() if v}


def _iso(t: datetime | None) -> str | None:
    return t.strftime("%Y-%m-%dT%H:%M:%SZ") if t else None


def pull_request_native_id(payload: Mapping[str, Any]) -> str:
    """CONTRACTS §1 native id of a composite (or a raw REST pull)."""
    pull = payload.get("pull") or payload
    return f"{_repo_of(payload)['full_name']}#{int(pull['number'])}"


MAPPERS: dict[str, tuple[Callable[[Mapping[str, Any]], Batch], Callable[[Mapping[str, Any]], str]]] = {
    "repository": (map_repository, repository_native_id),
    "pull_request": (map_pull_request, pull_request_native_id),
}
