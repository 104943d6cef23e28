"""GitHub mapper on recorded real payloads (lenient, QUIRKS 5) and on odd input; reference extraction."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

import pytest

from tests.conftest import REFERENCE  # noqa: E402
from warehouse.map_github import (
    MAX_TEXT,
    PATCH_EXCERPT,
    extract_refs,
    map_pull_request,
    map_repository,
    pull_request_native_id,
)

pytestmark = pytest.mark.no_warehouse  # the PostgreSQL pass leaves it out (tests/conftest.py)

RECORDED = REFERENCE / "github" / "recorded" / "pygithub-replaydata"
EXAMPLES = REFERENCE / "github" / "examples"


def exchange(name: str, url_part: str) -> Any:
    for ex in json.loads((RECORDED / name).read_text()):
        if ex["method"] == "GET" and url_part in ex["url"]:
            return ex["response_body"]
    raise LookupError(url_part)


def example(op: str) -> Any:
    return json.loads((EXAMPLES / f"{op}.200.default.json").read_text())




def test_recorded_pull_whose_head_fork_was_deleted_maps() -> None:
    pull = exchange("PullRequestComment.setUp.json", "/pulls/31")
    assert pull["head"]["repo"] is None  # QUIRKS 5
    comment = exchange("PullRequestComment.setUp.json", "/pulls/comments/")
    batch = map_pull_request({"pull": pull, "review_comments": [comment]})
    pr = batch["gh_pull_request"][0]
    assert pr["repo_full_name"] == "PyGithub/PyGithub" and pr["number"] == 31
    assert pr["created_at"].tzinfo is UTC
    assert batch["gh_review_comment"][0]["review_id"] is None  # 2011 comments predate reviews
    kinds = sorted(e["kind"] for e in batch["evidence"])
    assert kinds == ["pull_request", "review_comment"]
    assert pull_request_native_id({"pull": pull}) == "PyGithub/PyGithub#31"


def test_recorded_pull_list_without_auto_merge_maps_in_the_simple_shape() -> None:
    pulls = exchange("PullRequest1375.setUp.json", "/pulls")
    assert all("auto_merge" not in p for p in pulls)
    for p in pulls:
        batch = map_pull_request({"pull": p})
        row = batch["gh_pull_request"][0]
        assert row["additions"] is None  # the list shape has no counts (QUIRKS 3)
        assert batch["evidence"][0]["url"] == p["html_url"]


def test_recorded_review_comments_with_null_start_side_map() -> None:
    comments = exchange("PullRequest.testGetReviewComments.json", "/pulls/31/comments")
    pull = exchange("PullRequestComment.setUp.json", "/pulls/31")
    batch = map_pull_request({"pull": pull, "review_comments": comments})
    assert len(batch["gh_review_comment"]) == len(comments)


def test_recorded_reviews_and_issue_comments_map() -> None:
    reviews = [exchange("PullRequestReview1856.testDelete.json", "/pulls/4/reviews/631460061")]
    comments = exchange("PaginatedList.testCustomPerPageIteration.json", "/comments?per_page=3")
    repo = exchange("PullRequestComment.setUp.json", "/repos/PyGithub/PyGithub")
    pull = {"number": 4, "title": "t", "created_at": "2021-04-01T00:00:00Z", "updated_at": "2021-04-02T00:00:00Z",
            "state": "open", "html_url": "https://github.com/PyGithub/PyGithub/pull/4"}
    batch = map_pull_request({"repo": repo, "pull": pull, "reviews": reviews, "comments": comments})
    assert len(batch["gh_review"]) == len(reviews) and len(batch["gh_issue_comment"]) == len(comments)
    assert batch["gh_repository"][0]["id"] == 3544490
    assert {e["parent_native_id"] for e in batch["evidence"] if e["kind"] != "pull_request"} == {
        "PyGithub/PyGithub#4"}
    assert map_repository(repo)["gh_repository"][0]["full_name"] == "PyGithub/PyGithub"


def test_spec_examples_map() -> None:
    pull = example("pulls__get")
    batch = map_pull_request({"pull": pull, "files": example("pulls__list-files"),
                              "reviews": example("pulls__list-reviews"),
                              "review_comments": example("pulls__list-review-comments"),
                              "comments": example("issues__list-comments")})
    pr = batch["gh_pull_request"][0]
    assert pr["additions"] == pull["additions"] and pr["merged_by_login"] == (
        pull["merged_by"]["login"] if pull.get("merged_at") else None)
    assert batch["gh_pr_file"][0]["patch_excerpt"].startswith("@@")
    assert "file1.txt" in batch["evidence"][0]["text"]


def composite(**pull: Any) -> dict[str, Any]:
    base = {"number": 7, "title": "Fix", "body": "body", "state": "closed", "created_at": "2022-12-04T10:00:00+02:00",
            "updated_at": "2022-12-04T11:00:00Z", "merged_at": "2022-12-04T12:00:00Z", "user": {"login": "ana"},
            "merge_commit_sha": "a" * 40, "html_url": "https://github.com/shop/s/pull/7"}
    return {"repo": {"id": 1, "full_name": "shop/s"}, "pull": {**base, **pull}}


def test_offsets_nul_bytes_and_huge_text_are_handled() -> None:
    huge_patch = "@@ -1 +1 @@\n" + "+x\n" * 100_000
    payload = composite(body="a\x00b " + "y" * 100_000, title="T\x00itle 🚀 עברית")
    payload["files"] = [{"filename": f"f{i}.py", "status": "modified", "additions": 1, "deletions": 0,
                         "patch": huge_patch} for i in range(3000)]
    batch = map_pull_request(payload)
    pr = batch["gh_pull_request"][0]
    assert "\x00" not in pr["body"] and "\x00" not in pr["title"] and "🚀" in pr["title"]
    assert pr["created_at"] == datetime(2022, 12, 4, 8, 0, tzinfo=UTC)
    files = batch["gh_pr_file"]
    assert len(files) == 3000 and all(len(f["patch_excerpt"]) == PATCH_EXCERPT and f["patch_truncated"]
                                      for f in files)
    assert len(batch["evidence"][0]["text"]) <= MAX_TEXT
    assert batch["evidence"][0]["occurred_at"] == datetime(2022, 12, 4, 12, 0, tzinfo=UTC)  # when it merged


def test_missing_times_and_repo_fail_loudly_for_quarantine() -> None:
    with pytest.raises(ValueError):
        map_pull_request({"pull": {"number": 1, "title": "x"}})
    with pytest.raises((ValueError, KeyError)):
        map_pull_request(composite(created_at=None, merged_at=None, updated_at=None))


def test_references_follow_the_contract() -> None:
    text = (
        'Reverts shop/search-tools#23. See https://github.com/shop/search-tools/pull/22 and '
        'https://github.com/shop/infra/issues/5, PR 23, #24, other/repo#9, INC-1042, incident #1043, '
        'https://shop.pagerduty.com/incidents/PABC123, commit 0123abcd, thanks @bo, https://example.com/x. '
        'https://github.com/shop/search-tools/commit/0123456789abcdef0123456789abcdef01234567'
    )
    refs = {(k, t) for k, t, _ in extract_refs(text, "shop/search-tools", 'Revert "Update read aliases"')}
    expected = {
        ("revert", "title:Update read aliases"),
        ("revert", "shop/search-tools#23"),
        ("pull_request", "shop/search-tools#22"),
        ("issue", "shop/infra#5"),
        ("pr_number", "23"),
        ("pull_request", "shop/search-tools#24"),
        ("pull_request", "other/repo#9"),
        ("incident_number", "1042"),
        ("incident_number", "1043"),
        ("incident_id", "PABC123"),
        ("commit", "0123abcd"),
        ("commit", "0123456789abcdef0123456789abcdef01234567"),
        ("user", "bo"),
        ("url", "https://example.com/x"),
    }
    assert expected <= refs, expected - refs
    assert ("user", "example.com") not in refs and not any(k == "url" and "github.com" in t for k, t in refs)


def test_code_blocks_and_emails_make_no_references() -> None:
    refs = extract_refs("mail ana@shop.example\n```\n#123 @bo\n```", "shop/s")
    assert refs == []


def test_a_pr_does_not_reference_itself_and_merge_commits_are_references() -> None:
    batch = map_pull_request(composite(body="this is https://github.com/shop/s/pull/7, fixes #6"))
    refs = {(r["ref_kind"], r["target"]) for r in batch["evidence_ref"]}
    assert ("pull_request", "shop/s#7") not in refs
    assert ("pull_request", "shop/s#6") in refs and ("commit", "a" * 40) in refs
