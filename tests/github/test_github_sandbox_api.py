"""The sandbox's GitHub API: wire behaviour from QUIRKS.md, schema conformance, PyGithub paging, GraphQL."""

from __future__ import annotations

import json
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import requests
from github import Auth, Github

from lookback.sandbox.serve import Sandbox
from lookback.sandbox.testing import SandboxFactory

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
from tests.conftest import REFERENCE  # noqa: E402
from tests.github.github_worlds import pull, world  # noqa: E402

pytestmark = pytest.mark.no_warehouse  # the PostgreSQL pass leaves it out (tests/conftest.py)

SCHEMAS = REFERENCE / "github" / "schemas"
REPO = "shop/search-tools"
TOKEN = {"Authorization": "token sandbox-github-token"}


@pytest.fixture
def sb() -> Iterator[Sandbox]:
    from lookback.sandbox.testing import SandboxFactory

    f = SandboxFactory()
    w = world(7)
    w["github"]["pulls"].append(pull(REPO, 50, minutes=5, files=3, reviews=2, review_comments=2, comments=2))
    yield f(w)
    f.close()


def get(sb: Sandbox, path: str, headers: dict[str, str] | None = None, **params: Any) -> requests.Response:
    return requests.get(f"{sb.url}/github/api/v3{path}", params=params, headers={**TOKEN, **(headers or {})},
                        verify=sb.ca_file, timeout=10)


def links(resp: requests.Response) -> dict[str, str]:
    return {rel: link["url"] for rel, link in resp.links.items()}


def test_link_headers_use_repository_ids_and_vanish_on_a_single_page(sb: Sandbox) -> None:
    first = get(sb, f"/repos/{REPO}/pulls", state="all", per_page=3)
    assert set(links(first)) == {"next", "last"}
    assert "/github/api/v3/repositories/1001/pulls?" in links(first)["next"]
    middle = requests.get(links(first)["next"], headers=TOKEN, verify=sb.ca_file, timeout=10)
    assert set(links(middle)) == {"prev", "next", "last", "first"}
    last = requests.get(links(first)["last"], headers=TOKEN, verify=sb.ca_file, timeout=10)
    assert set(links(last)) == {"prev", "first"}
    single = get(sb, f"/repos/{REPO}/pulls", state="all", per_page=100)
    assert "link" not in single.headers and len(single.json()) == 8
    assert len(get(sb, f"/repos/{REPO}/pulls", state="all", per_page=500).json()) == 8  # capped at 100
    assert get(sb, "/repositories/1001/pulls", state="all").json() == single.json()


def test_list_is_the_simple_shape_and_detail_the_full_one(sb: Sandbox) -> None:
    listed = get(sb, f"/repos/{REPO}/pulls", state="all").json()[0]
    detail = get(sb, f"/repos/{REPO}/pulls/{listed['number']}").json()
    for key in ("additions", "deletions", "changed_files", "merged", "merged_by", "mergeable", "comments"):
        assert key not in listed and key in detail
    default = get(sb, f"/repos/{REPO}/pulls").json()  # GitHub's default: open only, newest created first
    assert all(p["state"] == "open" for p in default)


def test_rate_limit_headers_on_every_response_and_free_calls(sb: Sandbox) -> None:
    for resp in (get(sb, f"/repos/{REPO}"), get(sb, "/repos/shop/nope"), get(sb, "/rate_limit")):
        for h in ("X-RateLimit-Limit", "X-RateLimit-Remaining", "X-RateLimit-Used", "X-RateLimit-Resource",
                  "X-RateLimit-Reset"):
            assert h in resp.headers
        assert int(resp.headers["X-RateLimit-Reset"]) > time.time()
    used = get(sb, "/rate_limit").json()["resources"]["core"]["used"]
    assert get(sb, "/rate_limit").json()["rate"]["used"] == used  # /rate_limit costs nothing
    first = get(sb, f"/repos/{REPO}/pulls/1")
    again = get(sb, f"/repos/{REPO}/pulls/1", headers={"If-None-Match": first.headers["ETag"]})
    assert again.status_code == 304 and again.headers["X-RateLimit-Used"] == first.headers["X-RateLimit-Used"]


def test_error_bodies_as_github_sends_them(sb: Sandbox) -> None:
    bad = get(sb, f"/repos/{REPO}", headers={"Authorization": "token bad-token"})
    assert bad.status_code == 401 and bad.json()["message"] == "Bad credentials"
    missing = get(sb, f"/repos/{REPO}/pulls/9999")
    assert missing.status_code == 404 and missing.json() == {
        "message": "Not Found", "documentation_url": "https://docs.github.com/rest", "status": "404"}


def test_primary_and_secondary_limits(sb: Sandbox) -> None:
    sb.set_knobs(github_rate_limit=2)
    assert get(sb, f"/repos/{REPO}").status_code == 200
    assert get(sb, f"/repos/{REPO}").status_code == 200
    spent = get(sb, f"/repos/{REPO}")
    assert spent.status_code == 403 and spent.json()["message"].startswith("API rate limit exceeded")
    assert spent.headers["X-RateLimit-Remaining"] == "0"
    sb.set_knobs(github_rate_limit=5000, github_secondary_every=2, retry_after=0)
    statuses = [get(sb, f"/repos/{REPO}") for _ in range(4)]
    limited = [r for r in statuses if r.status_code in (403, 429)]
    assert len(limited) == 2 and limited[0].headers["Retry-After"] == "0"
    assert "secondary rate limit" in limited[0].json()["message"]


OPERATIONS = [
    ("pulls__list", "/repos/{repo}/pulls?state=all"),
    ("pulls__get", "/repos/{repo}/pulls/50"),
    ("pulls__list-files", "/repos/{repo}/pulls/50/files"),
    ("pulls__list-reviews", "/repos/{repo}/pulls/50/reviews"),
    ("pulls__list-review-comments", "/repos/{repo}/pulls/50/comments"),
    ("issues__list-comments", "/repos/{repo}/issues/50/comments"),
    ("pulls__list-commits", "/repos/{repo}/pulls/50/commits"),
    ("repos__list-commits", "/repos/{repo}/commits"),
    ("rate-limit__get", "/rate_limit"),
]


@pytest.mark.parametrize(("operation", "path"), OPERATIONS)
def test_responses_conform_to_the_reference_schemas(sb: Sandbox, operation: str, path: str) -> None:
    validator_mod = pytest.importorskip("openapi_schema_validator")
    schema_file = SCHEMAS / f"{operation}.200.schema.json"
    assert schema_file.is_file(), f"reference schema missing: {schema_file} (set LOOKBACK_REFERENCE_DIR)"
    resp = requests.get(f"{sb.url}/github/api/v3{path.format(repo=REPO)}", headers=TOKEN, verify=sb.ca_file,
                        timeout=10)
    assert resp.status_code == 200
    validator = validator_mod.OAS30Validator(json.loads(schema_file.read_text()))
    # Lenient as QUIRKS 5 says: real GitHub sends null where the spec says non-null (label descriptions,
    # start_side), so a null value is not held against the sandbox; everything else is.
    errors = [e for e in validator.iter_errors(resp.json()) if e.instance is not None]
    assert not errors, [f"{list(e.absolute_path)}: {e.message}" for e in errors[:5]]


def test_pygithub_lists_and_pages_through_everything(sb: Sandbox) -> None:
    gh = Github(auth=Auth.Token("sandbox-github-token"), base_url=f"{sb.url}/github/api/v3", per_page=2,
                verify=sb.ca_file, seconds_between_requests=None)
    repo = gh.get_repo(REPO)
    pulls = list(repo.get_pulls(state="all", sort="updated", direction="desc"))
    assert len(pulls) == 8 and pulls[0].updated_at >= pulls[-1].updated_at
    pr = repo.get_pull(50)
    assert pr.merged and pr.merged_by.login == "bo" and pr.additions == 1 + 2 + 3
    assert len(list(pr.get_files())) == 3 and len(list(pr.get_reviews())) == 2
    assert len(list(pr.get_review_comments())) == 2 and len(list(pr.get_issue_comments())) == 2
    assert len(list(pr.get_commits())) == 1
    assert [r.full_name for r in gh.get_organization("shop").get_repos()] == [REPO]
    assert gh.get_user("ana").email == "ana@shop.example"
    assert gh.get_rate_limit().resources.core.limit == 5000
    gh.close()


def graphql(sb: Sandbox, query: str, variables: dict[str, Any] | None = None, token: str = "sandbox-github-token",
            path: str = "/github/api/graphql") -> requests.Response:
    return requests.post(f"{sb.url}{path}", json={"query": query, "variables": variables or {}},
                         headers={"Authorization": f"bearer {token}"}, verify=sb.ca_file, timeout=10)


PAGE = """query($after: String) { rateLimit { cost remaining resetAt }
  repository(owner: "shop", name: "search-tools") {
    pullRequests(first: 3, after: $after, orderBy: {field: UPDATED_AT, direction: DESC}) {
      totalCount pageInfo { hasNextPage endCursor } nodes { number updatedAt author { login } } } } }"""


def test_graphql_cursor_pagination_and_rate_limit(sb: Sandbox) -> None:
    seen, after, costs = [], None, []
    while True:
        body = graphql(sb, PAGE, {"after": after}).json()
        assert "errors" not in body
        conn = body["data"]["repository"]["pullRequests"]
        seen += [n["updatedAt"] for n in conn["nodes"]]
        costs.append(body["data"]["rateLimit"])
        if not conn["pageInfo"]["hasNextPage"]:
            break
        after = conn["pageInfo"]["endCursor"]
    assert len(seen) == 8 and seen == sorted(seen, reverse=True)
    assert costs[0]["cost"] >= 1 and costs[-1]["remaining"] < costs[0]["remaining"]
    assert graphql(sb, PAGE, path="/github/graphql").status_code == 200  # github.com-style path


def test_graphql_errors_as_github_reports_them(sb: Sandbox) -> None:
    unknown = graphql(sb, '{ repository(owner: "shop", name: "search-tools") { nope } }').json()
    assert "doesn't exist on type 'Repository'" in unknown["errors"][0]["message"]
    too_many = graphql(sb, '{ repository(owner: "shop", name: "search-tools") { pullRequests(first: 101) '
                           '{ nodes { number } } } }').json()
    assert "exceeds the `first` limit of 100" in too_many["errors"][0]["message"]
    missing = graphql(sb, '{ repository(owner: "shop", name: "gone") { databaseId } }').json()
    assert missing["errors"][0]["type"] == "NOT_FOUND" and missing["data"]["repository"] is None
    assert graphql(sb, PAGE, token="bad-token").status_code == 401
    parse = graphql(sb, "{ repository(owner: ").json()
    assert parse["errors"][0]["type"] == "PARSE"


def test_graphql_budget_runs_out_with_rate_limited(sb: Sandbox) -> None:
    sb.set_knobs(github_rate_limit=1)
    assert "errors" not in graphql(sb, PAGE).json()
    spent = graphql(sb, PAGE)
    assert spent.status_code == 200 and spent.json()["errors"][0]["type"] == "RATE_LIMITED"


def test_every_request_is_counted(sb: Sandbox, ) -> None:
    sb.reset_stats()
    get(sb, f"/repos/{REPO}/pulls")
    get(sb, "/repositories/1001/pulls/1/files")
    graphql(sb, PAGE)
    endpoints = sb.stats()["apis"]["github"]["endpoints"]
    assert endpoints == {"GET /repos/{owner}/{repo}/pulls": 1, "GET /repositories/{id}/pulls/{pull_number}/files": 1,
                         "POST /graphql": 1}


def test_sandbox_serves_the_github_api(factory_check: None = None) -> None:
    f = SandboxFactory()
    try:
        assert "github" not in f().skipped
    finally:
        f.close()
