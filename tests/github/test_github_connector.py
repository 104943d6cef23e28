"""GitHub connector through the real clients (PyGithub, requests) against the sandbox: budgets, faults, errors."""

from __future__ import annotations

import math
import random
import sys
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from connectors.errors import AuthError, RateLimitExhausted
from connectors.github import (
    FetchState,
    GithubSelection,
    GithubTransient,
    GraphQLUnavailable,
    PyGithubClient,
    graphql_url,
    iter_github_records,
    make_client,
)
from connectors.http import Backoff
from lookback.sandbox.serve import Sandbox
from lookback.sandbox.testing import SandboxFactory
from warehouse.map_github import map_pull_request

# The repo root is not on sys.path under plain `pytest` (no __init__.py in tests/).
sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
from tests.github.github_worlds import pull, world  # noqa: E402

pytestmark = pytest.mark.no_warehouse  # the PostgreSQL pass leaves it out (tests/conftest.py)

REPO = "shop/search-tools"


@pytest.fixture
def factory() -> Iterator[SandboxFactory]:
    f = SandboxFactory()
    yield f
    f.close()


def client(sb: Sandbox, token: str | None = None, base: str | None = None) -> PyGithubClient:
    env = sb.env()
    return make_client(token or env["GITHUB_TOKEN"], base or env["GITHUB_API_URL"], env["LOOKBACK_CA_BUNDLE"])


def fast_state(**kw: Any) -> FetchState:
    return FetchState(backoff=Backoff(attempts=12, base_s=0.01, cap_s=0.05, rng=random.Random(1)), **kw)


def run(sb: Sandbox, selection: GithubSelection, since: Any = None, state: FetchState | None = None,
        **kw: Any) -> list[tuple[str, dict[str, Any]]]:
    return list(iter_github_records(client(sb, **kw), selection, since or {}, state=state or fast_state()))


def prs(records: list[tuple[str, dict[str, Any]]]) -> list[dict[str, Any]]:
    return [p for k, p in records if k == "pull_request"]


def github_requests(sb: Sandbox) -> int:
    return int(sb.stats()["apis"].get("github", {}).get("total", 0))


def test_graphql_endpoint_is_derived_from_the_rest_base_url() -> None:
    assert graphql_url("https://api.github.com") == "https://api.github.com/graphql"
    assert graphql_url("https://ghe.example.com/api/v3") == "https://ghe.example.com/api/graphql"
    assert graphql_url("https://127.0.0.1:9/github/api/v3/") == "https://127.0.0.1:9/github/api/graphql"


def test_graphql_full_backfill_is_within_the_bound(factory: SandboxFactory) -> None:
    n = 60
    sb = factory(world(n))
    records = run(sb, GithubSelection(repos=(REPO,)))
    got = prs(records)
    assert sorted(p["pull"]["number"] for p in got) == list(range(1, n + 1))
    assert all(len(p["files"]) == 2 and len(p["reviews"]) == 1 and len(p["review_comments"]) == 1
               and len(p["comments"]) == 1 for p in got)
    assert [k for k, _ in records][0] == "repository" and records[-1] == ("cursor", {
        "partition": REPO, "value": got[0]["pull"]["updated_at"]})
    spent = github_requests(sb)
    assert spent <= math.ceil(n / 25) + 2, sb.stats()
    assert sb.stats()["apis"]["github"]["endpoints"] == {"POST /graphql": 3}


def test_nested_connections_are_paged_only_where_a_pr_has_more(factory: SandboxFactory) -> None:
    w = world(3)
    big = pull(REPO, 99, minutes=10_000, files=230, reviews=45, review_comments=35, comments=70, thread_replies=30)
    big["labels"] = [f"l{i}" for i in range(25)]
    w["github"]["pulls"].append(big)
    sb = factory(w)
    got = {p["pull"]["number"]: p for p in prs(run(sb, GithubSelection(repos=(REPO,))))}
    b = got[99]
    assert len(b["files"]) == 230 and len(b["reviews"]) == 45 and len(b["comments"]) == 70
    assert len(b["review_comments"]) == 35 + 30 and len(b["pull"]["labels"]) == 25
    # 1 page + files (2 more pages of 100) + reviews 1 + comments 1 + review threads 1 + the long thread 1 + labels 1
    assert github_requests(sb) == 1 + 2 + 1 + 1 + 1 + 1 + 1
    assert len(got[1]["files"]) == 2


def test_nightly_with_nothing_new_spends_one_request_per_repo(factory: SandboxFactory) -> None:
    repos = (REPO, "shop/alerting")
    sb = factory(world(30, repos=repos))
    first = run(sb, GithubSelection(repos=repos))
    cursors = {p["partition"]: p["value"] for k, p in first if k == "cursor"}
    assert set(cursors) == set(repos)
    sb.reset_stats()
    second = run(sb, GithubSelection(repos=repos), since=cursors)
    assert github_requests(sb) <= len(repos)
    # Only the overlap window (10 minutes) is re-read: the newest PR of each repo.
    assert len(prs(second)) == len(repos)
    sb.reset_stats()
    rest = run(sb, GithubSelection(repos=repos, mode="rest"), since=cursors)
    assert len(prs(rest)) == len(repos)


def test_after_an_edit_new_and_changed_prs_appear(factory: SandboxFactory) -> None:
    sb = factory(world(30))
    first = run(sb, GithubSelection(repos=(REPO,)))
    cursors = {p["partition"]: p["value"] for k, p in first if k == "cursor"}
    sb.edit()
    sb.reset_stats()
    second = prs(run(sb, GithubSelection(repos=(REPO,)), since=cursors))
    numbers = [p["pull"]["number"] for p in second]
    assert numbers == [1, 31, 30]  # the retitled old PR (updated last), the new one, the overlap
    assert second[0]["pull"]["title"] == "Change 1, retitled"
    assert github_requests(sb) == 1


@pytest.mark.parametrize("mode", ["graphql", "rest"])
def test_rest_and_graphql_yield_the_same_payloads(factory: SandboxFactory, mode: str) -> None:
    sb = factory(world(7, thread_replies=2, comments=2))
    other = "rest" if mode == "graphql" else "graphql"
    a = prs(run(sb, GithubSelection(repos=(REPO,), mode=mode, patches=True)))
    b = prs(run(sb, GithubSelection(repos=(REPO,), mode=other, patches=True)))
    assert a == b
    assert [map_pull_request(x) for x in a] == [map_pull_request(x) for x in b]
    assert a[0]["files"][0]["patch"].startswith("@@")
    bot = [c["user"] for p in a for c in p["comments"] if c["user"]["type"] == "Bot"]
    assert bot and bot[0]["login"] == "dependabot[bot]"


def test_rest_path_spends_what_the_list_shape_lacks_only(factory: SandboxFactory) -> None:
    w = world(4)
    w["github"]["pulls"][0].update(merged_at=None, merged_by=None, state="open", closed_at=None)
    sb = factory(w)
    state = fast_state()
    got = prs(run(sb, GithubSelection(repos=(REPO,), mode="rest"), state=state))
    assert len(got) == 4
    endpoints = sb.stats()["apis"]["github"]["endpoints"]
    assert endpoints["GET /repos/{owner}/{repo}/pulls"] == 1
    assert endpoints["GET /repos/{owner}/{repo}/pulls/{pull_number}"] == 3  # merged ones only, for merged_by
    assert endpoints["GET /users/{login}"] == 2  # each login (ana, bo) once per run, for name and email
    assert state.mode == "rest"


FAULTS = {
    "429": {"rate_429": 0.25},
    "403-secondary": {"rate_429": 0.25, "github_fault_status": 403},
    "500": {"rate_500": 0.2},
    "502": {"rate_502": 0.2},
    "503": {"rate_503": 0.2},
    "drop": {"rate_drop": 0.2},
    "truncate": {"rate_truncate": 0.25},
    "all": {"rate_429": 0.05, "rate_500": 0.05, "rate_502": 0.05, "rate_503": 0.05, "rate_drop": 0.05,
            "rate_truncate": 0.05, "spike_rate": 0.05, "spike_ms": 20},
}


@pytest.mark.parametrize("fault", sorted(FAULTS))
def test_every_fault_knob_is_survived_with_nothing_lost(factory: SandboxFactory, fault: str) -> None:
    w = world(40)
    clean_sb = factory(w)
    expected = prs(run(clean_sb, GithubSelection(repos=(REPO,), page_size=10)))
    sb = factory(world(40), seed=7, retry_after=0, **FAULTS[fault])
    state = fast_state()
    got = prs(run(sb, GithubSelection(repos=(REPO,), page_size=10), state=state))
    assert got == expected
    assert sb.stats()["faults"]["total"] > 0 and state.retries > 0


def test_rest_path_survives_all_faults_at_once(factory: SandboxFactory) -> None:
    expected = prs(run(factory(world(12)), GithubSelection(repos=(REPO,), mode="rest")))
    sb = factory(world(12), seed=3, retry_after=0, **FAULTS["all"])
    state = fast_state()
    got = prs(run(sb, GithubSelection(repos=(REPO,), mode="rest"), state=state))
    assert got == expected and state.retries > 0


def test_secondary_rate_limit_every_nth_request_is_waited_out(factory: SandboxFactory) -> None:
    sb = factory(world(12), github_secondary_every=3, retry_after=0)
    state = fast_state()
    got = prs(run(sb, GithubSelection(repos=(REPO,), mode="rest"), state=state))
    assert len(got) == 12 and state.retries > 0


def test_bad_token_is_an_auth_error_naming_the_setting_without_the_token(factory: SandboxFactory) -> None:
    sb = factory(world(2))
    token = "bad-secret-value-123"
    for mode in ("graphql", "rest"):
        c = client(sb, token=token)
        with pytest.raises(AuthError) as info:
            list(iter_github_records(c, GithubSelection(repos=(REPO,), mode=mode), {}, state=fast_state()))
        assert "GITHUB_TOKEN" in str(info.value)
        assert token not in str(info.value) and token not in repr(info.value) and token not in repr(c)


def test_a_missing_repository_is_skipped_and_reported(factory: SandboxFactory) -> None:
    sb = factory(world(3))
    for mode in ("graphql", "rest"):
        state = fast_state()
        records = run(sb, GithubSelection(repos=("shop/nope", REPO), mode=mode), state=state)
        assert [k for k, _ in records if k == "skipped"] == ["skipped"]
        assert state.skipped[0]["partition"] == "shop/nope"
        assert len(prs(records)) == 3


class FailingFor:
    """A client on which one repository keeps failing with 502, whatever the retries."""

    def __init__(self, inner: PyGithubClient, repo: str) -> None:
        self.inner, self.repo = inner, repo

    def rest(self, url: str, params: Any = None) -> Any:
        if f"/repos/{self.repo}/" in url or url.endswith(f"/repos/{self.repo}"):
            raise GithubTransient("HTTP 502 Bad Gateway")
        return self.inner.rest(url, params)

    def graphql(self, query: str, variables: Any) -> Any:
        if f"{variables.get('owner')}/{variables.get('name')}" == self.repo:
            raise GithubTransient("HTTP 502 Bad Gateway")
        return self.inner.graphql(query, variables)


@pytest.mark.parametrize("mode", ["graphql", "rest"])
def test_a_repository_that_keeps_failing_is_skipped_and_the_others_are_stored(factory: SandboxFactory, mode: str) -> None:
    sb = factory(world(4, repos=("shop/search-tools", "shop/alerting")))
    state = FetchState(backoff=Backoff(attempts=3, base_s=0.001, cap_s=0.002, rng=random.Random(1)))
    flaky = FailingFor(client(sb), "shop/search-tools")
    records = list(iter_github_records(flaky, GithubSelection(repos=("shop/search-tools", "shop/alerting"), mode=mode),  # type: ignore[arg-type]
                                       {}, state=state))
    assert {p["repo"]["full_name"] for p in prs(records)} == {"shop/alerting"} and len(prs(records)) == 4
    assert [p["partition"] for k, p in records if k == "cursor"] == ["shop/alerting"]  # the failing one keeps its cursor
    assert state.skipped[0]["partition"] == "shop/search-tools" and "502" in state.skipped[0]["reason"]


@pytest.mark.parametrize("mode", ["graphql", "rest"])
def test_budget_exhaustion_stops_cleanly_and_the_next_run_resumes(factory: SandboxFactory, mode: str) -> None:
    limit = 10 if mode == "graphql" else 12
    sb = factory(world(60), github_rate_limit=limit)
    state = fast_state(max_wait_s=0)
    out: list[tuple[str, dict[str, Any]]] = []
    with pytest.raises(RateLimitExhausted) as info:
        for rec in iter_github_records(client(sb), GithubSelection(repos=(REPO,), mode=mode), {}, state=state):
            out.append(rec)
    assert info.value.resume_at is not None and info.value.resume_at > datetime.now(UTC)
    assert "cursor" not in [k for k, _ in out]  # newest-first paging: no cursor until the repo is complete
    assert 0 < len(prs(out)) < 60
    sb.set_knobs(github_rate_limit=5000)
    again = run(sb, GithubSelection(repos=(REPO,), mode=mode))
    assert len(prs(again)) == 60 and again[-1][0] == "cursor"


def test_enterprise_and_dotcom_style_base_urls_give_the_same_records(factory: SandboxFactory) -> None:
    sb = factory(world(5))
    ghe = run(sb, GithubSelection(repos=(REPO,)), base=f"{sb.url}/github/api/v3")
    dotcom = run(sb, GithubSelection(repos=(REPO,)), base=f"{sb.url}/github")
    assert ghe == dotcom and len(prs(ghe)) == 5
    rest_ghe = run(sb, GithubSelection(repos=(REPO,), mode="rest"), base=f"{sb.url}/github/api/v3")
    assert prs(rest_ghe) == prs(ghe)


class NoGraphQL:
    """A server without GraphQL (old Enterprise): REST answers, GraphQL 404s."""

    def __init__(self, inner: PyGithubClient) -> None:
        self.inner = inner
        self.rest = inner.rest

    def graphql(self, query: str, variables: Any) -> Any:
        raise GraphQLUnavailable("no GraphQL endpoint at this GitHub")


def test_auto_mode_falls_back_to_rest_when_graphql_is_missing(factory: SandboxFactory) -> None:
    sb = factory(world(5, repos=(REPO, "shop/alerting")))
    state = fast_state()
    records = list(iter_github_records(NoGraphQL(client(sb)), GithubSelection(repos=(REPO, "shop/alerting")), {},
                                       state=state))
    assert state.mode == "rest" and len(prs(records)) == 10
    assert "POST /graphql" not in sb.stats()["apis"]["github"]["endpoints"]


def test_owners_are_listed_with_globs_and_archived_repos_skipped(factory: SandboxFactory) -> None:
    w = world(2, repos=(REPO, "shop/alerting", "shop/old-thing"))
    w["github"]["repos"][2]["archived"] = True
    sb = factory(w)
    sel = GithubSelection(owners=("shop",), exclude=("*/alert*",))
    records = run(sb, sel)
    assert {p["repo"]["full_name"] for p in prs(records)} == {REPO}
    sel = GithubSelection(owners=("shop",), include_archived=True)
    assert {p["repo"]["full_name"] for p in prs(run(sb, sel))} == {REPO, "shop/alerting", "shop/old-thing"}
    state = fast_state()
    run(sb, GithubSelection(owners=("nobody-here",)), state=state)
    assert state.skipped and state.skipped[0]["partition"] == "nobody-here"


def test_backfill_window_takes_a_range_and_yields_no_cursor(factory: SandboxFactory) -> None:
    sb = factory(world(30))
    since = datetime(2022, 11, 1, 10, 30, tzinfo=UTC)
    until = datetime(2022, 11, 1, 20, 30, tzinfo=UTC)
    records = list(iter_github_records(client(sb), GithubSelection(repos=(REPO,)), since, until, state=fast_state()))
    assert sorted(p["pull"]["number"] for p in prs(records)) == list(range(11, 21))
    assert "cursor" not in [k for k, _ in records]


def test_tokens_never_reach_logs_or_reprs(factory: SandboxFactory, caplog: pytest.LogCaptureFixture) -> None:
    import logging

    secret = "sandbox-secret-token-value-42"
    sb = factory(world(6), seed=5, retry_after=0, rate_500=0.2, rate_drop=0.2)
    caplog.set_level(logging.DEBUG)
    state = fast_state()
    for mode in ("graphql", "rest"):
        c = client(sb, token=secret)
        list(iter_github_records(c, GithubSelection(repos=(REPO, "shop/nope"), mode=mode), {}, state=state))
        assert secret not in repr(c) and secret not in repr(c.__dict__)
    with pytest.raises(AuthError) as info:
        list(iter_github_records(client(sb, token="bad" + secret), GithubSelection(repos=(REPO,)), {},
                                 state=fast_state()))
    assert secret not in caplog.text and secret not in repr(state) and secret not in str(info.value)
