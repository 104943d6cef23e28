"""The PagerDuty connector through the real client against the sandbox: coverage, call counts, faults, limits."""

from __future__ import annotations

import logging
import math
import random
from collections import Counter
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

import connectors.pagerduty as pdc
import lookback.sandbox.pagerduty_api as pd_api
from connectors.errors import AuthError, RateLimitExhausted
from connectors.http import Backoff
from connectors.pagerduty import (
    RunState,
    Selection,
    fetch_incident,
    iter_incident_records,
    iter_pagerduty_records,
    make_client,
    search_incident_number,
    split_span,
)
from lookback.sandbox.serve import Sandbox
from tests.pagerduty.pagerduty_worlds import START, expected_ids, world
from tests.sandbox_fixtures import sandbox_factory  # noqa: F401

pytestmark = pytest.mark.no_warehouse  # the PostgreSQL pass leaves it out (tests/conftest.py)

SINCE = START - timedelta(days=1)
UNTIL = START + timedelta(days=60)
TOKEN = "sandbox-pagerduty-token"


def fast_backoff(attempts: int = 8) -> Backoff:
    return Backoff(attempts=attempts, base_s=0.001, cap_s=0.01, rng=random.Random(1))


def client(sandbox: Sandbox, token: str = TOKEN, attempts: int = 8) -> pdc.PagerDutyApi:
    return make_client(token, f"{sandbox.url}/pagerduty", sandbox.ca_file, backoff=fast_backoff(attempts))


def ids_by_kind(records: list[tuple[str, dict[str, Any]]]) -> dict[str, set[str]]:
    out: dict[str, set[str]] = {}
    for kind, payload in records:
        if kind != "cursor":
            out.setdefault(kind, set()).add(payload["id"])
    return out


def endpoints(sandbox: Sandbox) -> Counter[str]:
    return Counter(sandbox.stats()["apis"].get("pagerduty", {}).get("endpoints", {}))


def test_full_window_yields_everything_within_the_bound(sandbox_factory: Any) -> None:  # noqa: F811
    w = world(n_incidents=40, every=timedelta(hours=3))
    sandbox = sandbox_factory(w)
    api = client(sandbox)
    state = RunState()
    records = list(iter_pagerduty_records(api, Selection(), SINCE, UNTIL, state))
    got = ids_by_kind(records)
    for kind, ids in expected_ids(w).items():
        assert got.get(kind, set()) == ids, kind
    assert records[-1] == ("cursor", {"partition": "account", "value": "2023-01-19T00:00:00Z"})
    assert state.cursors == {"account": "2023-01-19T00:00:00Z"}
    # Calls: reference lists (4) + ceil(log entries / 100) + alerts per incident + notes where a note was added
    # + change events; the bound is ceil(incidents/100) + ceil(log entries/100) + one alerts call each.
    counts = endpoints(sandbox)
    n_entries = len(expected_ids(w)["log_entry"])
    assert counts["GET /log_entries"] == math.ceil(n_entries / 100)
    assert counts["GET /incidents/{id}/alerts"] == 40
    assert counts["GET /incidents/{id}/notes"] == 20  # the incidents with a note
    assert counts["GET /incidents"] == 0 and counts["GET /incidents/{id}"] == 0
    assert sum(counts.values()) == api.requests


def test_incremental_run_after_edit(sandbox_factory: Any) -> None:  # noqa: F811
    w = world(n_incidents=10, every=timedelta(hours=6))
    sandbox = sandbox_factory(w)
    api = client(sandbox)
    # The world's last incident starts at 54h; the edit step happens at 61h and 62h.
    first = list(iter_pagerduty_records(api, Selection(), SINCE, START + timedelta(hours=59)))
    cursor = first[-1][1]["value"]
    sandbox.reset_stats()
    # Nothing new: the run spends one log entries page and one change events page.
    since, until = pdc.window_from_cursor(cursor, START + timedelta(hours=60))
    quiet = list(iter_pagerduty_records(api, Selection(reference=False), since, until))
    assert [k for k, _ in quiet] == ["cursor"]
    assert sum(endpoints(sandbox).values()) == 2
    sandbox.edit()
    sandbox.reset_stats()
    since, until = pdc.window_from_cursor(quiet[-1][1]["value"], START + timedelta(days=6))
    changed = ids_by_kind(list(iter_pagerduty_records(api, Selection(reference=False), since, until)))
    assert changed["incident"] == {"PI00000", "PI00010"}  # the updated old one and the new one
    assert {"PN00000X", "PN000100"} <= changed["note"]
    assert "RX00000" in changed["log_entry"]
    counts = endpoints(sandbox)
    assert counts["GET /log_entries"] == 1 and counts["GET /incidents/{id}/alerts"] == 2
    assert counts["GET /incidents/{id}/notes"] == 2


def test_window_over_the_offset_cap_is_split(sandbox_factory: Any, monkeypatch: pytest.MonkeyPatch) -> None:  # noqa: F811
    # The real cap is 10,000 (bench/ runs that); a cap of 300 exercises the same code in a second.
    monkeypatch.setattr(pd_api, "OFFSET_CAP", 300)
    monkeypatch.setattr(pdc, "OFFSET_CAP", 300)
    w = world(n_incidents=200, every=timedelta(minutes=30))
    sandbox = sandbox_factory(w)
    api = client(sandbox)
    state = RunState()
    got = ids_by_kind(list(iter_pagerduty_records(api, Selection(reference=False, change_events=False),
                                                  SINCE, UNTIL, state)))
    assert got["log_entry"] == expected_ids(w)["log_entry"]  # nothing dropped at the cap
    assert got["incident"] == expected_ids(w)["incident"]
    assert state.splits >= 1
    n_entries = len(expected_ids(w)["log_entry"])
    pages = endpoints(sandbox)["GET /log_entries"]
    assert pages <= math.ceil(n_entries / 100) * 1.2 + 4, pages


def test_spans_over_six_months_are_split() -> None:
    windows = split_span(datetime(2022, 1, 1, tzinfo=UTC), datetime(2023, 1, 1, tzinfo=UTC))
    assert len(windows) == 3 and all(b - a <= timedelta(days=180) for a, b in windows)
    assert windows[0][0] == datetime(2022, 1, 1, tzinfo=UTC) and windows[-1][1] == datetime(2023, 1, 1, tzinfo=UTC)


def test_long_window_through_the_sandbox(sandbox_factory: Any) -> None:  # noqa: F811
    sandbox = sandbox_factory(world(n_incidents=4))
    records = list(iter_pagerduty_records(client(sandbox), Selection(reference=False),
                                          datetime(2022, 1, 1, tzinfo=UTC), datetime(2023, 6, 1, tzinfo=UTC)))
    assert len(ids_by_kind(records)["incident"]) == 4  # no 400 from the 6-month rule


@pytest.mark.parametrize("fault", ["rate_429", "rate_500", "rate_502", "rate_503", "rate_drop", "rate_truncate",
                                   "all"])
def test_faults_lose_nothing(sandbox_factory: Any, fault: str) -> None:  # noqa: F811
    w = world(n_incidents=25, every=timedelta(hours=2))
    names = ["rate_429", "rate_500", "rate_502", "rate_503", "rate_drop", "rate_truncate"]
    knobs = {name: 0.05 for name in names} if fault == "all" else {fault: 0.25}
    sandbox = sandbox_factory(w, retry_after=0, seed=7, **knobs)
    api = client(sandbox, attempts=12)
    records = list(iter_pagerduty_records(api, Selection(), SINCE, UNTIL))
    got = ids_by_kind(records)
    for kind, ids in expected_ids(w).items():
        assert got.get(kind, set()) == ids, kind
    assert sandbox.stats()["faults"]["total"] > 0


def test_429_waits_for_retry_after(sandbox_factory: Any) -> None:  # noqa: F811
    sandbox = sandbox_factory(world(2), pagerduty_rate_429=1.0, retry_after=1)
    waits: list[float] = []
    backoff = Backoff(attempts=3, base_s=0.001, rng=random.Random(1), sleep=waits.append)
    api = make_client(TOKEN, f"{sandbox.url}/pagerduty", sandbox.ca_file, backoff=backoff)
    with pytest.raises(RateLimitExhausted):
        api.get_json("services")
    assert len(waits) == 2 and all(1.0 <= w <= 1.01 for w in waits)
    sandbox.set_knobs(retry_after=3600)
    with pytest.raises(RateLimitExhausted) as info:
        api.get_json("services")  # an hour is longer than a run should block: stop and say when
    assert info.value.resume_at is not None


def test_pagerduty_rate_limit_is_waited_out(sandbox_factory: Any, monkeypatch: pytest.MonkeyPatch) -> None:  # noqa: F811
    monkeypatch.setattr(pd_api, "RATE_WINDOW_S", 0.3)
    sandbox = sandbox_factory(world(6), pagerduty_rate_per_min=3)
    waits: list[float] = []

    def sleep(seconds: float) -> None:
        waits.append(seconds)
        __import__("time").sleep(0.3)

    api = make_client(TOKEN, f"{sandbox.url}/pagerduty", sandbox.ca_file,
                      backoff=Backoff(attempts=5, base_s=0.001, sleep=sleep))
    records = list(iter_pagerduty_records(api, Selection(), SINCE, UNTIL))
    assert len(ids_by_kind(records)["incident"]) == 6
    assert waits and all(w >= 1 for w in waits)  # ratelimit-reset (relative seconds) when no Retry-After


def test_bad_token_is_fatal_and_never_leaks(sandbox_factory: Any, caplog: pytest.LogCaptureFixture) -> None:  # noqa: F811
    sandbox = sandbox_factory(world(2))
    secret = "bad-secret-token-123456"
    api = client(sandbox, token=secret)
    caplog.set_level(logging.DEBUG)
    with pytest.raises(AuthError) as info:
        list(iter_pagerduty_records(api, Selection(), SINCE, UNTIL))
    assert info.value.setting == "PAGERDUTY_API_TOKEN"
    text = f"{info.value} {info.value!r} {api!r} {caplog.text}"
    assert secret not in text and "123456" not in text
    assert info.value.__cause__ is None and info.value.__suppress_context__
    assert sum(endpoints(sandbox).values()) == 1  # no retry on a refused token


def test_one_incident_by_id_or_number(sandbox_factory: Any) -> None:  # noqa: F811
    sandbox = sandbox_factory(world(6))
    api = client(sandbox)
    assert fetch_incident(api, "1004")["id"] == "PI00004"
    assert fetch_incident(api, "#1004")["id"] == "PI00004"
    assert endpoints(sandbox)["GET /incidents/{id}"] == 2  # a number costs one request
    got = ids_by_kind(list(iter_incident_records(api, "PI00002")))
    assert got["incident"] == {"PI00002"} and got["note"] == {"PN000020"}
    assert {"RT00002", "RN00002", "RA00002", "RR00002"} <= got["log_entry"]
    assert len(got["alert"]) == 1


def test_number_search_when_the_api_refuses_numbers(sandbox_factory: Any) -> None:  # noqa: F811
    sandbox = sandbox_factory(world(300, every=timedelta(hours=1)))
    api = client(sandbox)
    incident = search_incident_number(api, 1123, now=START + timedelta(days=400))
    assert incident["id"] == "PI00123"
    # A few 180-day windows back, then halving: far fewer requests than listing 300 incidents.
    assert endpoints(sandbox)["GET /incidents"] <= 10  # measured: 9
    with pytest.raises(pdc.NotFound):
        search_incident_number(api, 99_999, now=START + timedelta(days=400))


def test_missing_incident_children_are_skipped_and_reported() -> None:
    class Fake:
        requests = 0

        def get_json(self, path: str, params: Any = None) -> dict[str, Any]:
            self.requests += 1
            if path == "log_entries":
                incident = {"id": "PGONE", "type": "incident", "alert_counts": {"all": 1},
                            "updated_at": "2030-01-01T00:00:00Z"}
                return {"log_entries": [{"id": "R1", "type": "trigger_log_entry", "incident": incident,
                                         "created_at": "2022-12-01T00:00:00Z"}],
                        "more": False, "limit": 100, "offset": 0, "total": 1}
            if path.startswith("incidents/"):
                raise pdc.NotFound(f"GET {path}: not found")
            return {"change_events": []}

    state = RunState()
    records = list(iter_pagerduty_records(Fake(), Selection(reference=False), SINCE, UNTIL, state))
    assert [k for k, _ in records] == ["incident", "log_entry", "cursor"]
    assert state.skipped and state.skipped[0]["partition"] == "incident:PGONE"


def test_service_selection_filters_and_keeps_one_cursor_per_service(sandbox_factory: Any) -> None:  # noqa: F811
    sandbox = sandbox_factory(world(4))
    records = list(iter_pagerduty_records(client(sandbox), Selection(service_ids=("PSVC002",), reference=False),
                                          SINCE, UNTIL))
    assert ids_by_kind(records) == {"change_event": {"PCHG001"}}  # every incident is on PSVC001
    assert [p["partition"] for k, p in records if k == "cursor"] == ["service:PSVC002"]


def test_unknown_service_is_skipped_and_reported(sandbox_factory: Any) -> None:  # noqa: F811
    sandbox = sandbox_factory(world(2))
    state = RunState()
    records = list(iter_pagerduty_records(client(sandbox), Selection(service_ids=("PSVC002", "PNOPE")),
                                          SINCE, UNTIL, state))
    assert state.skipped == [{"partition": "service:PNOPE", "reason": "service not found or not readable"}]
    assert [p["partition"] for k, p in records if k == "cursor"] == ["service:PSVC002"]


def test_services_are_selected_by_id_name_or_glob_minus_the_excluded(sandbox_factory: Any) -> None:  # noqa: F811
    w = world(n_incidents=20, every=timedelta(hours=3))
    for n, incident in enumerate(w["pagerduty"]["incidents"]):
        incident["service"] = ("PSVC001", "PSVC002")[n % 2]
    api = client(sandbox_factory(w))

    def incident_services(selection: Selection) -> set[str]:
        records = list(iter_pagerduty_records(api, selection, SINCE, UNTIL, RunState()))
        return {p["service"]["id"] for k, p in records if k == "incident"}

    assert incident_services(Selection(service_ids=("search-*",))) == {"PSVC001"}
    assert incident_services(Selection(exclude=("search-api",))) == {"PSVC002"}
    assert incident_services(Selection(service_ids=("PSVC00?",), exclude=("PSVC002",))) == {"PSVC001"}
    state = RunState()
    list(iter_pagerduty_records(api, Selection(service_ids=("nope-*",)), SINCE, UNTIL, state))
    assert state.skipped == [{"partition": "service:nope-*", "reason": "service not found or not readable"}]
