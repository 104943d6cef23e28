"""Correlation on small hand-made warehouses: each signal, roles, storylines, labels, idempotence, safety."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import text
from sqlalchemy.orm import Session

from tests.correlate.conftest import ALERT_RULE_PATCH, World, at, checkout_story
from warehouse import queries
from warehouse.correlate import correlate


def _ranks(session: Session, incident: str) -> dict[str, dict]:
    return {it["native_id"]: it for it in queries.evidence_items(session, incident)}


def test_weakening_change_weeks_before_outranks_an_unrelated_recent_change(session: Session, world: World) -> None:
    ids = checkout_story(world)
    world.load(session)
    correlate(session, "77")
    items = _ranks(session, "77")
    det, unrelated = items[ids["detection"]], items.get(ids["unrelated"])
    assert det["role"] == "detection_weakened"
    assert det["rank"] <= 5
    assert unrelated is None or unrelated["rank"] > det["rank"]
    assert any("weakens detection" in r and "pages of checkout-api" in r for r in det["reasons"])


def test_named_change_is_the_trigger_and_the_fix_follows_it(session: Session, world: World) -> None:
    ids = checkout_story(world)
    world.load(session)
    correlate(session, "PINC1")
    items = _ranks(session, "PINC1")
    trig = items[ids["trigger"]]
    assert trig["role"] == "trigger" and trig["rank"] <= 3
    assert any("named in the incident's chat" in r and "PR 12" in r for r in trig["reasons"])
    assert items[ids["fix"]]["role"] == "fix"
    assert items[ids["fix"]]["group"] == trig["group"] == items[ids["named"]]["group"]
    top5 = [it["native_id"] for it in queries.evidence_items(session, "77", limit=5)]
    assert ids["trigger"] in top5 and ids["detection"] in top5


def test_explicit_reference_raises_the_named_pr(session: Session, world: World) -> None:
    svc = world.service("PS", "billing-api")
    world.repo("acme/billing")
    a = world.pr("acme/billing", 5, "Refactor invoice module", "cleanup", "ann", at(-3))
    b = world.pr("acme/billing", 6, "Refactor invoice module", "cleanup", "ann", at(-3))
    world.incident("PI", 9, svc, "Invoices not sent", at(0))
    world.say("C1", "#inc-billing", at(0, 0.1), "U1", "billing invoices not sent, looking")
    world.say("C1", "#inc-billing", at(0, 0.2), "U1", "billing: I think it's related to PR 6", refs=[("pr_number", "6", "PR 6")])
    world.load(session)
    correlate(session, "PI")
    items = _ranks(session, "PI")
    assert items[b]["rank"] < items[a]["rank"]
    assert any("PR 6" in r for r in items[b]["reasons"])


def test_impact_start_from_a_customer_report_before_the_page(session: Session, world: World) -> None:
    svc = world.service("PS", "orders-api")
    report = world.say("C2", "#customer-care", at(-0.75), "U5", "customers say their orders are missing from history")
    world.say("C3", "#random", at(-3), "U6", "orders of pizza for friday?")
    world.incident("PI", 11, svc, "Orders missing from history", at(0))
    world.load(session)
    result = correlate(session, "11")
    assert result.impact_start_source == "estimated"
    assert result.impact_start == at(-0.75)
    assert result.window_start == at(-0.75) - timedelta(weeks=6)
    item = _ranks(session, "11")[report]
    assert item["role"] == "customer_report"
    inv = session.execute(text("SELECT impact_start_source FROM investigation WHERE incident_id = 'PI'")).scalar()
    assert inv == "estimated"


@pytest.mark.parametrize(("report_at", "expected"), [
    (at(-1.2), at(-1, 3.5)),  # a remark 8 h before the start they state: the statement dates it
    (at(-1, 2.8), at(-1, 2.8)),  # a remark 42 min before it: the remark is the first sign of that start
])
def test_impact_start_people_state_in_the_chat(session: Session, world: World, report_at, expected) -> None:
    svc = world.service("PS", "orders-api")
    world.say("C2", "#customer-care", report_at, "U5", "a customer says their orders are missing from history")
    world.incident("PI", 11, svc, "Orders missing from history", at(0))
    world.say("C1", "#inc-orders", at(0, 0.1), "U1", "orders-api: orders missing from history, looking")
    world.say("C1", "#inc-orders", at(0, 0.2), "U2", "orders-api: support has 300 tickets since yesterday 18:00")
    world.say("C1", "#inc-orders", at(0, 0.3), "U3", "orders-api: the cache is back to normal since 09:00")
    world.load(session)
    result = correlate(session, "11")
    assert (result.impact_start, result.impact_start_source) == (expected, "estimated")
    summary = str(session.execute(text("SELECT summary FROM investigation WHERE incident_id = 'PI'")).scalar())
    assert ("since yesterday 18:00" in summary) == (expected != report_at)


def test_a_clock_time_after_the_part_of_the_day_people_named_is_about_something_later(session: Session,
                                                                                     world: World) -> None:
    svc = world.service("PS", "orders-api")
    world.incident("PI", 11, svc, "Orders missing from history", at(0))
    world.say("C1", "#inc-orders", at(0, 0.1), "U1", "orders-api: orders missing from history since yesterday afternoon")
    world.say("C1", "#inc-orders", at(0, 0.2), "U2", "orders-api: and the queue alert is open since yesterday 19:10")
    world.load(session)
    assert correlate(session, "11").impact_start == at(-1, -2.5)  # yesterday 12:00, not 19:10


def test_impact_start_override_and_fallback_to_the_page(session: Session, world: World) -> None:
    svc = world.service("PS", "orders-api")
    world.incident("PI", 11, svc, "Orders missing", at(0))
    world.load(session)
    assert correlate(session, "PI").impact_start_source == "created"
    result = correlate(session, "PI", impact_start=at(-2), lookback=timedelta(days=7))
    assert (result.impact_start, result.impact_start_source, result.window_start) == (at(-2), "override", at(-9))


def test_quiet_alerts_of_the_service_are_early_signals(session: Session, world: World) -> None:
    ids = checkout_story(world)
    world.load(session)
    result = correlate(session, "77")
    # A person noticing is direct evidence of impact; the earlier quiet alert is kept as an early signal.
    assert result.impact_start == at(-1.2)
    summary = session.execute(text("SELECT summary FROM investigation WHERE incident_id = 'PINC1'")).scalar()
    assert "earliest_machine_signal" in str(summary)
    items = _ranks(session, "77")
    assert items["PQUIET1"]["role"] == "early_signal"
    assert items[ids["report"]]["role"] == "customer_report"


def test_impact_start_from_alerts_that_paged_no_one(session: Session, world: World) -> None:
    svc = world.service("PS", "ledger-api")
    world.incident("PQ1", 5, svc, "Ledger write errors", at(-1.0), urgency="low", notify=False)
    world.incident("PQ2", 6, svc, "Ledger write errors", at(-0.5), urgency="low", notify=False)
    world.incident("POLD", 4, svc, "Ledger write errors", at(-4.0), urgency="low", notify=False)  # too far back
    world.incident("PI", 7, svc, "Ledger balances wrong", at(0))
    world.load(session)
    result = correlate(session, "7")
    assert (result.impact_start, result.impact_start_source) == (at(-1.0), "estimated")
    items = _ranks(session, "7")
    assert items["PQ1"]["role"] == "early_signal"
    assert any("paged no one" in r or "early sign" in r for r in items["PQ1"]["reasons"])


def test_time_decays_slowly_before_impact_start(session: Session, world: World) -> None:
    svc = world.service("PS", "ledger-api")
    world.repo("acme/ledger")
    old = world.pr("acme/ledger", 1, "Change ledger rounding", "", "ann", at(-30))
    new = world.pr("acme/ledger", 2, "Change ledger rounding", "", "ann", at(-2))
    world.incident("PI", 3, svc, "Ledger rounding errors", at(0))
    world.load(session)
    correlate(session, "PI")
    items = _ranks(session, "PI")
    assert items[new]["rank"] < items[old]["rank"]
    assert items[old]["score"] > 0.5 * items[new]["score"]  # slow decay, not a cut-off


def test_rerun_is_idempotent_and_labels_survive(session: Session, world: World) -> None:
    ids = checkout_story(world)
    world.load(session)
    correlate(session, "77")
    before = queries.evidence_items(session, "77")
    again = correlate(session, "77")
    assert again.written == {"evidence_link": 0, "evidence_group": 0, "investigation": 0}
    assert queries.evidence_items(session, "77") == before

    report_before = _ranks(session, "77")[ids["report"]]
    queries.label(session, "77", ids["unrelated"], "irrelevant")
    queries.label(session, "77", ids["report"], "relevant")
    queries.label(session, "77", "PNOISE5", "early_signal")
    correlate(session, "77")
    items = _ranks(session, "77")
    last = max(it["rank"] for it in items.values())
    assert items[ids["unrelated"]]["rank"] == last and items[ids["unrelated"]]["label"] == "irrelevant"
    assert any("irrelevant" in r for r in items[ids["unrelated"]]["reasons"])
    assert items[ids["report"]]["label"] == "relevant"
    assert items[ids["report"]]["score"] == report_before["score"] + 1.0
    assert items[ids["report"]]["rank"] <= report_before["rank"]
    assert items["PNOISE5"]["role"] == "early_signal"
    assert correlate(session, "77").written == {"evidence_link": 0, "evidence_group": 0, "investigation": 0}


def test_stale_links_of_a_previous_run_are_removed(session: Session, world: World) -> None:
    checkout_story(world)
    world.load(session)
    correlate(session, "77")
    n = session.execute(text("SELECT count(*) FROM evidence_link WHERE incident_id = 'PINC1'")).scalar()
    result = correlate(session, "77", impact_start=at(-0.2), lookback=timedelta(days=1))
    m = session.execute(text("SELECT count(*) FROM evidence_link WHERE incident_id = 'PINC1'")).scalar()
    assert m < n and result.written["evidence_link_deleted"] == n - m
    assert all(it["occurred_at"] >= "2022-12-05" for it in queries.evidence_items(session, "77"))


def test_json_contract_and_explain(session: Session, world: World) -> None:
    ids = checkout_story(world)
    world.load(session)
    correlate(session, "77")
    items = queries.evidence_items(session, "77", limit=3)
    assert [it["rank"] for it in items] == [1, 2, 3]
    for it in items:
        assert {"rank", "score", "source", "kind", "url", "native_id", "occurred_at", "title", "role", "reasons",
                "group"} <= set(it)
        assert it["occurred_at"].endswith("Z") and isinstance(it["reasons"], list)
    prs = queries.evidence_items(session, "77", source="github", role="detection_weakened")
    assert [p["native_id"] for p in prs] == [ids["detection"]]
    assert prs[0]["url"] == "https://github.com/shop/infra-alerts/pull/7"
    ex = queries.explain(session, "77", ids["detection"])
    assert ex["breakdown"]["signals"]["detection"] > 0
    assert queries.explain(session, "PINC1", "1")["rank"] == 1
    gs = queries.groups(session, "77")
    assert gs[0]["rank"] == 1 and all(g["summary"] for g in gs)
    det_group = next(g for g in gs if g["key"].startswith("detection"))
    assert "noisy pages" in det_group["summary"] and ids["detection"] in {m["native_id"] for m in det_group["members"]}


@pytest.mark.parametrize("hostile", ["77' OR '1'='1", "1; DROP TABLE evidence_link; --", "PINC1\" --", "%", "_"])
def test_hostile_strings_are_bound_parameters(session: Session, world: World, hostile: str) -> None:
    checkout_story(world)
    world.load(session)
    correlate(session, "77")
    n = session.execute(text("SELECT count(*) FROM evidence_link")).scalar()
    assert queries.resolve_incident(session, hostile) is None
    with pytest.raises(LookupError):
        queries.evidence_items(session, hostile)
    with pytest.raises(LookupError):
        correlate(session, hostile)
    with pytest.raises(LookupError):
        queries.explain(session, "77", hostile)
    with pytest.raises((LookupError, ValueError)):
        queries.label(session, "77", hostile, "relevant")
    with pytest.raises(ValueError):
        queries.label(session, "77", "1", hostile)
    assert queries.evidence_items(session, "77", role=hostile, source=hostile) == []
    assert session.execute(text("SELECT count(*) FROM evidence_link")).scalar() == n


def test_views(session: Session, world: World) -> None:
    ids = checkout_story(world)
    world.load(session)
    correlate(session, "77")
    top = session.execute(text("SELECT native_id, role FROM incident_evidence WHERE incident_number = :n "
                               "ORDER BY rank LIMIT 5"), {"n": 77}).all()
    assert (ids["detection"], "detection_weakened") in top
    phases = dict(session.execute(text("SELECT native_id, phase FROM incident_timeline WHERE incident_id = 'PINC1'")).all())
    assert phases[ids["detection"]] == "before impact" and phases[ids["report"]] == "impact, before the page"
    groups = session.execute(text("SELECT group_key, members FROM incident_groups WHERE incident_id = 'PINC1' ORDER BY rank")).all()
    assert groups and all(m >= 1 for _, m in groups)


def _account(world: World, source: str, native_id: str, person: str) -> None:
    world.rows["account"].append({"source": source, "native_id": native_id, "handle": native_id,
                                  "display_name": None, "email": person, "is_bot": False, "person_key": person})


def test_affinity_learned_from_the_services_responders(session: Session, world: World) -> None:
    svc = world.service("PS", "ledger-api")
    world.repo("acme/bookkeeping")  # no service word in its name
    world.repo("acme/website")
    for i in range(3):  # the service's responders write the bookkeeping repo's PRs
        world.pr("acme/bookkeeping", 10 + i, f"Tidy journal module {i}", "", "ana", at(-20 + i))
    ours = world.pr("acme/bookkeeping", 20, "Change rounding of balances", "", "ana", at(-2))
    theirs = world.pr("acme/website", 20, "Change rounding of balances", "", "zed", at(-2))
    _account(world, "pagerduty", "PU1", "ana@acme.test")
    _account(world, "github", "ana", "ana@acme.test")
    world.incident("POLD", 1, svc, "Ledger slow", at(-30), responders=("PU1",))
    world.incident("PI", 2, svc, "Ledger balances rounding wrong", at(0), responders=("PU1",))
    world.load(session)
    correlate(session, "PI")
    items = _ranks(session, "PI")
    assert items[ours]["rank"] < items[theirs]["rank"]
    assert any("responders" in r or "responds to the service" in r for r in items[ours]["reasons"])


def test_shared_identifier_with_the_incident_notes(session: Session, world: World) -> None:
    svc = world.service("PS", "ledger-api")
    world.repo("acme/ledger")
    plain = world.pr("acme/ledger", 1, "Tune connection settings", "", "ann", at(-3))
    named = world.pr("acme/ledger", 2, "Tune connection settings", "sets maxOpenConns to 20", "ann", at(-3))
    world.incident("PI", 3, svc, "Ledger requests time out", at(0), notes=("pool exhausted: max_open_conns too low",))
    world.load(session)
    correlate(session, "PI")
    items = _ranks(session, "PI")
    assert items[named]["rank"] < items[plain]["rank"]
    assert any("`max_open_conns`" in r for r in items[named]["reasons"])


def test_boilerplate_messages_count_less(session: Session, world: World) -> None:
    svc = world.service("PS", "ledger-api")
    for i in range(3):
        world.say("C1", "#ledger-bots", at(-5 + i), "B1", "nightly ledger export finished for ledger shard")
    once = world.say("C2", "#ledger-team", at(-3.5), "U1", "ledger export looks odd for one shard")
    world.incident("PI", 3, svc, "Ledger export missing rows", at(0))
    world.load(session)
    correlate(session, "PI")
    items = _ranks(session, "PI")
    repeated = [it for nid, it in items.items() if nid.startswith("C1/")]
    assert repeated and all(any("posted 3 times" in r for r in it["reasons"]) for it in repeated)
    assert items[once]["rank"] < min(it["rank"] for it in repeated)


def test_bare_incident_without_service_or_resolution(session: Session, world: World) -> None:
    world.rows["pd_incident"].append({"id": "PBARE", "incident_number": 5, "title": "Something is off",
                                      "status": "triggered", "urgency": "high", "service_id": None,
                                      "created_at": at(0), "resolved_at": None})
    world.ev("pagerduty", "incident", "PBARE", at(0), "Something is off", None, None, None)  # type: ignore[arg-type]
    world.load(session)
    result = correlate(session, "5", now=at(1))
    assert result.impact_start_source == "created" and result.window_end >= at(2)
    items = queries.evidence_items(session, "PBARE")
    assert [it["native_id"] for it in items] == ["PBARE"] and items[0]["role"] == "response"
    assert queries.groups(session, "5")[0]["summary"]


def test_settings_map_repos_to_the_service(session: Session, world: World) -> None:
    svc = world.service("PS", "ledger-api")
    world.repo("acme/bookkeeping")
    world.repo("acme/website")
    ours = world.pr("acme/bookkeeping", 20, "Change rounding of balances", "", "ana", at(-2))
    theirs = world.pr("acme/website", 20, "Change rounding of balances", "", "zed", at(-2))
    world.incident("PI", 2, svc, "Ledger balances rounding wrong", at(0))
    world.load(session)
    correlate(session, "PI")
    before = _ranks(session, "PI")
    assert not any("settings map" in r for r in before[ours]["reasons"])
    correlate(session, "PI", service_map={"ledger-api": {"repos": ["acme/bookkeeping"]}})
    items = _ranks(session, "PI")
    assert items[ours]["rank"] < items[theirs]["rank"]
    assert any("settings map acme/bookkeeping to ledger-api" in r for r in items[ours]["reasons"])


def test_a_bots_failure_line_naming_the_incidents_job_is_an_early_signal(session: Session, world: World) -> None:
    svc = world.service("PS", "payouts")
    for day in range(3):  # what the bot says every day about other jobs is routine
        world.say("C1", "#etl-alerts", at(-3 + day), "B1", f"SLA miss: `fx_rates.load_daily` (run {day}) is still running",
                  bot=True)
    first = world.say("C1", "#etl-alerts", at(-1.5), "B1", "SLA miss: `orders_feed.load_daily` (run 16) is still running",
                      bot=True)
    relay = world.say("C9", "#pages", at(0, 0.01), "B2", "Triggered #9: payout file missing rows", bot=True,
                      refs=[("incident_number", "9", "#9")])
    world.incident("PI", 9, svc, "Payout file missing rows", at(0))
    world.say("C2", "#inc-payouts", at(0, 0.3), "U1", "payout file is missing rows: orders_feed.load_daily has not loaded")
    world.say("C2", "#inc-payouts", at(0, 0.4), "U2", "payout rows come from orders_feed.load_daily, it waits on a path")
    world.load(session)
    result = correlate(session, "9")
    # No person noticed before the page: the bot's line naming the incident's job marks impact start.
    assert result.impact_start == at(-1.5)
    items = _ranks(session, "9")
    assert items[first]["role"] == "early_signal"
    assert any("paged no one" in r for r in items[first]["reasons"])
    routine = [it for nid, it in items.items() if nid.startswith("C1/") and nid != first]
    assert all(it["role"] != "early_signal" for it in routine)
    # A bot relaying the page is the page said again: it earns almost nothing for citing it.
    assert not any("cites this incident" in r for r in items.get(relay, {"reasons": []})["reasons"])


def test_an_announcement_of_a_change_is_not_a_report_of_harm(session: Session, world: World) -> None:
    svc = world.service("PS", "mobile-apps")
    news = world.say("C1", "#releases", at(-1.0), "U1", "offline_sync is now on for 50% of Android, offline workouts "
                     "go through the new queue")
    report = world.say("C2", "#support", at(-0.5), "U2", "users say the Android app is broken, crashing after the update")
    world.incident("PI", 4, svc, "Android app crashing for many users", at(0))
    world.load(session)
    result = correlate(session, "4")
    assert result.impact_start == at(-0.5)
    items = _ranks(session, "4")
    assert items[report]["role"] == "customer_report"
    assert items.get(news, {"role": "context"})["role"] not in ("early_signal", "customer_report")


def test_a_quiet_alert_of_another_service_in_the_incidents_words(session: Session, world: World) -> None:
    svc = world.service("PS", "mobile-apps")
    other = world.service("PO", "sync-api")
    world.incident("PDOWN", 3, other, "Android workout uploads 38% below last week", at(-0.6), urgency="low", notify=False)
    world.incident("PFAR", 2, other, "Disk usage above 80% on sync db", at(-0.5), urgency="low", notify=False)
    world.incident("PI", 4, svc, "Android app crashing, workout uploads failing", at(0))
    world.load(session)
    correlate(session, "4")
    items = _ranks(session, "4")
    assert items["PDOWN"]["role"] == "early_signal"
    assert any("another service" in r for r in items["PDOWN"]["reasons"])
    assert items.get("PFAR", {"role": "context"})["role"] == "context"


def test_a_failure_line_back_after_weeks_of_quiet_is_news(session: Session, world: World) -> None:
    svc = world.service("PS", "payouts")
    line = "SLA miss: `orders_feed.load_daily` is still running after 6h"
    old = [world.say("C1", "#etl-alerts", at(-30 + 7 * w), "B1", line, bot=True) for w in range(2)]
    back = world.say("C1", "#etl-alerts", at(-1.2), "B1", line, bot=True)
    world.incident("PI", 9, svc, "Payout file missing rows", at(0))
    world.say("C2", "#inc-payouts", at(0, 0.3), "U1", "payout file is missing rows: orders_feed.load_daily never finished")
    world.say("C2", "#inc-payouts", at(0, 0.4), "U2", "payout rows come from orders_feed.load_daily, it is stuck")
    world.load(session)
    correlate(session, "9")
    items = _ranks(session, "9")
    assert not any("posted 3 times" in r for r in items[back]["reasons"])
    assert any("quiet days" in r for r in items[back]["reasons"])
    assert all(any("posted 3 times" in r for r in items[o]["reasons"]) for o in old if o in items)
    assert items[back]["rank"] < min(items[o]["rank"] for o in old if o in items)


def test_a_deploy_event_that_links_the_trigger_joins_its_storyline(session: Session, world: World) -> None:
    ids = checkout_story(world)
    trig = next(r for r in world.rows["evidence"] if r["native_id"] == ids["trigger"])
    world.ev("pagerduty", "change_event", "PCHG1", trig["occurred_at"] + timedelta(minutes=20),
             "deploy checkout: refresh tax rates", "deploy of " + trig["url"], "PSVC1", "checkout-api")
    world.ref("pagerduty", "PCHG1", "pull_request", ids["trigger"])
    world.load(session)
    correlate(session, "77")
    items = _ranks(session, "77")
    assert items["PCHG1"]["group"] == items[ids["trigger"]]["group"]
    assert any(f"ships {ids['trigger']}" in r for r in items["PCHG1"]["reasons"])


def test_support_paging_on_behalf_of_customers_is_a_customer_report(session: Session, world: World) -> None:
    svc = world.service("PS", "mobile-apps")
    escalation = world.say("C1", "#support-escalations", at(0, -0.2), "U1",
                           "escalating: 212 tickets since yesterday, the Android app is crashing on launch. paging mobile on-call now")
    world.incident("PI", 4, svc, "Android app crashing on launch", at(0), manual_by="U1")
    world.say("C2", "#inc-android", at(0, 0.2), "U2", "on it, paging the android app owners too")
    world.load(session)
    correlate(session, "4")
    items = _ranks(session, "4")
    assert items[escalation]["role"] == "customer_report"


def test_loosening_another_alert_of_the_service_is_not_this_incidents_weakening(session: Session, world: World) -> None:
    svc = world.service("PS", "booking-api")
    world.repo("acme/alarms")
    for i in range(4):  # two noisy alerts on one service
        world.incident(f"PDLQ{i}", 10 + i, svc, "booking queue dlq messages visible", at(-20 + i))
        world.incident(f"PMEM{i}", 20 + i, svc, "voucher renderer memory above 80%", at(-12 + i))
    quieted = world.pr("acme/alarms", 1, "Send the booking queue dlq alarm to low urgency", "", "ann", at(-15),
                       files=[("alarms/booking_queue_dlq.tf", "-  urgency: high\n+  urgency: low\n")])
    other = world.pr("acme/alarms", 2, "voucher renderer memory alarm: 80% -> 90%", "", "ann", at(-7),
                     files=[("alarms/voucher_renderer_memory.tf", "-  threshold = 80\n+  threshold = 90\n")])
    world.incident("PQ", 30, svc, "booking queue dlq messages visible", at(-1.0), urgency="low", notify=False)
    world.incident("PI", 40, svc, "Bookings stuck in pending", at(0), manual_by="U1")
    world.load(session)
    correlate(session, "40", repo_hints=["acme/alarms"])  # the team's alarms repo belongs to the service
    items = _ranks(session, "40")
    assert items[quieted]["role"] == "detection_weakened"
    assert any("the alert it changed fired" in r for r in items[quieted]["reasons"])
    assert any("weakens detection" in r for r in items[other]["reasons"])  # it does loosen an alert...
    assert items[other]["role"] != "detection_weakened"  # ...but not the one that then fired unheard
    assert items[other]["rank"] > items[quieted]["rank"]


def test_a_bot_failure_of_a_subject_that_fails_all_the_time_is_routine(session: Session, world: World) -> None:
    svc = world.service("PS", "seatmap-api")
    for day in range(20, 6, -1):  # the nightly job has been OOMKilled for weeks
        world.say("C1", "#k8s-events", at(-day), "B1",
                  f"OOMKilled `ticketing/seatmap-precompute-{day}x{day}` container precompute (limit 1Gi)", bot=True)
    old = world.say("C1", "#k8s-events", at(-1.5), "B1",
                    "BackOff `ticketing/seatmap-precompute-9q9q` back-off restarting failed container", bot=True)
    new = world.say("C1", "#k8s-events", at(-0.8), "B1",
                    "OOMKilled `ticketing/seatmap-api-7f7f` container seatmap-api (limit 768Mi)", bot=True)
    report = world.say("C1", "#k8s-events", at(-0.7), "B2", "seatmap-api daily: 5xx 4,210 (7-day avg 35)", bot=True)
    world.incident("PI", 9, svc, "seatmap-api seat selection failing", at(0))
    world.load(session)
    result = correlate(session, "9")
    assert result.impact_start == at(-0.8)  # not the routine precompute failures before it
    items = _ranks(session, "9")
    assert items[new]["role"] == "early_signal" and items[report]["role"] == "early_signal"
    assert items.get(old, {"role": "context"})["role"] != "early_signal"


def test_a_change_put_forward_then_dropped_in_the_chat_is_ruled_out(session: Session, world: World) -> None:
    svc = world.service("PS", "seatmap-api")
    world.repo("acme/deploy")
    image = world.pr("acme/deploy", 100, "seatmap-api: image v3.18.1 -> v3.18.2", "new labels", "wiki", at(-0.3),
                     files=[("apps/seatmap-api/values.yaml", "@@ -1 +1 @@\n-tag: v3.18.1\n+tag: v3.18.2")])
    limit = world.pr("acme/deploy", 98, "seatmap-api: memory limit 2Gi -> 768Mi", "right-size", "hye", at(-2),
                     files=[("apps/seatmap-api/values.yaml", "@@ -1 +1 @@\n-memory: 2Gi\n+memory: 768Mi")])
    world.incident("PI", 9, svc, "seatmap-api seat selection failing", at(0))
    world.say("C1", "#inc-seatmap", at(0, 0.05), "U1", "seatmap-api seat selection failing, pods restarting")
    world.say("C1", "#inc-seatmap", at(0, 0.1), "U2", "the only new seatmap-api image is PR 100, rolling back",
              refs=[("pr_number", "100", "PR 100")])
    world.say("C1", "#inc-seatmap", at(0, 0.3), "U2", "rollback done, seatmap-api pods still restarting. not the image")
    world.say("C1", "#inc-seatmap", at(0, 0.4), "U3", "seatmap-api limit is 768Mi since PR 98",
              refs=[("pr_number", "98", "PR 98")])
    world.load(session)
    correlate(session, "9")
    items = _ranks(session, "9")
    assert any("ruled out in the incident's chat" in r and "not the image" in r for r in items[image]["reasons"])
    assert items[image]["role"] not in ("trigger", "contributor")
    assert items[limit]["role"] == "trigger" and items[limit]["rank"] < items[image]["rank"]


def test_a_dropped_hypothesis_about_something_else_rules_out_nothing(session: Session, world: World) -> None:
    svc = world.service("PS", "seatmap-api")
    world.repo("acme/deploy")
    limit = world.pr("acme/deploy", 98, "seatmap-api: memory limit 2Gi -> 768Mi", "right-size", "hye", at(-2),
                     files=[("apps/seatmap-api/values.yaml", "@@ -1 +1 @@\n-memory: 2Gi\n+memory: 768Mi")])
    world.incident("PI", 9, svc, "seatmap-api seat selection failing", at(0))
    world.say("C1", "#inc-seatmap", at(0, 0.1), "U2", "seatmap-api limit is 768Mi since PR 98",
              refs=[("pr_number", "98", "PR 98")])
    world.say("C1", "#inc-seatmap", at(0, 0.2), "U2", "seatmap-api: the waiting room is at 2,500/min. not the waiting room")
    world.say("C1", "#inc-seatmap", at(0, 0.3), "U3", "checkout had a page too, related? no: not them")
    world.load(session)
    correlate(session, "9")
    items = _ranks(session, "9")
    assert not any("ruled out" in r for r in items[limit]["reasons"])
    assert items[limit]["role"] == "trigger"


def test_the_bot_line_that_dates_impact_start_and_the_first_quiet_incident_both_lead(session: Session,
                                                                                     world: World) -> None:
    svc = world.service("PS", "seatmap-api")
    first = world.say("C1", "#k8s-events", at(-1), "B1", "OOMKilled `ticketing/seatmap-api-7f7f` (limit 768Mi)", bot=True)
    world.incident("PQ1", 8, svc, "seatmap-api seat selection SLO burn", at(-0.9), urgency="low", notify=False)
    world.incident("PI", 9, svc, "seatmap-api seat selection failing", at(0))
    world.load(session)
    result = correlate(session, "9")
    assert result.impact_start == at(-1)
    items = _ranks(session, "9")
    assert any("impact start is dated by it" in r for r in items[first]["reasons"])
    # PagerDuty's first quiet incident is the first of its kind, not a follower of the chat line.
    assert any("the first alert that paged no one" in r for r in items["PQ1"]["reasons"])


def test_a_subject_that_failed_once_before_is_not_routine(session: Session, world: World) -> None:
    from warehouse.context import _subject

    assert _subject("*OOMKilled* `ticketing/seatmap-api-gb4lp5lw8m-qbstx` (prod)") == "ticketing/seatmap-api"
    svc = world.service("PS", "seatmap-api")
    world.say("C1", "#k8s-events", at(-10), "B1",
              "FailedScheduling `ticketing/seatmap-api-5d8f-kq2x`: 0/46 nodes are available, 31 Insufficient memory",
              bot=True)
    first = world.say("C1", "#k8s-events", at(-0.8), "B1", "OOMKilled `ticketing/seatmap-api-7f7f-qbstx` (limit 768Mi)",
                      bot=True)
    world.incident("PI", 9, svc, "seatmap-api seat selection failing", at(0))
    world.load(session)
    result = correlate(session, "9")
    # One scheduling failure ten days before does not make every later failure of the pod routine.
    assert result.impact_start == at(-0.8)
    assert _ranks(session, "9")[first]["role"] == "early_signal"


def test_the_war_room_line_naming_the_trigger_is_the_keystone(session: Session, world: World) -> None:
    ids = checkout_story(world)
    silence = world.say("C5", "#inc-77-checkout", at(0, 0.4), "U3",
                        "and nobody was paged because of PR 7: it raised the threshold", refs=[("pr_number", "7", "PR 7")])
    world.load(session)
    correlate(session, "77")
    items = _ranks(session, "77")
    assert items[ids["detection"]]["role"] == "detection_weakened" and items[ids["trigger"]]["role"] == "trigger"
    named, quiet = items[ids["named"]]["reasons"], items[silence]["reasons"]
    assert any(r.startswith(f"ties the incident to {ids['trigger']} (+1.00)") for r in named)
    # The line that explains the silence is worth less than the one that found the cause, and is not a keystone.
    assert any(r.startswith(f"ties the incident's silence to {ids['detection']} (+0.50)") for r in quiet)
    assert not any(r.startswith("ties the incident to") for r in quiet)
    assert items[ids["named"]]["rank"] < items[silence]["rank"]


def test_war_room_lines_of_one_role_are_alike_whatever_they_name(session: Session, world: World) -> None:
    ids = checkout_story(world)
    silence = world.say("C5", "#inc-77-checkout", at(0, 0.4), "U3",
                        "and nobody was paged because of PR 7: it raised the threshold", refs=[("pr_number", "7", "PR 7")])
    world.load(session)
    correlate(session, "77")
    items = _ranks(session, "77")
    chat = sorted((it for it in items.values() if it["native_id"].startswith("C5/") and it["role"] == "response"),
                  key=lambda it: it["rank"])
    # Lines of different storylines (the cause's, the silence's, the response's) still tell one part: the war room.
    assert len({it["group"] for it in chat}) == 3 and silence in {it["native_id"] for it in chat}
    damped = [any("alike items ranked higher" in r for r in it["reasons"]) for it in chat]
    assert damped == [i > 0 and it["native_id"] != ids["named"] for i, it in enumerate(chat)]


def test_only_what_came_before_the_page_unfolds_the_trigger(session: Session, world: World) -> None:
    svc = world.service("PS", "billing-api")
    world.repo("acme/billing")
    trig = world.pr("acme/billing", 6, "billing-api: send invoices through the batch_sender", "batch_sender for invoices",
                    "ann", at(-0.5))
    world.say("C1", "#billing-ops", at(0, -0.2), "U4", "billing-api batch_sender queue growing, invoices not sent")
    world.incident("PI", 9, svc, "billing-api invoices not sent", at(0))
    world.say("C1", "#billing-ops", at(0, -0.1), "U4", "billing-api batch_sender queue growing, invoices not sent")
    after = world.say("C1", "#billing-ops", at(0, 0.5), "U5", "billing-api batch_sender queue still growing after the page")
    world.load(session)
    correlate(session, "PI")
    items = _ranks(session, "PI")
    assert items[trig]["role"] == "trigger"
    assert not any("first sign of impact" in r for r in items[after]["reasons"])
    assert items[after]["role"] != "contributor"


def test_noisy_pages_are_the_reason_of_the_first_change_that_answered_them(session: Session, world: World) -> None:
    ids = checkout_story(world)  # six card-token pages, then shop/infra-alerts#7 raised that alert's threshold
    later = world.pr("shop/infra-alerts", 9, "Card token rejected dashboard: rename panels", "", "dana", at(-10),
                     files=[("alerts/checkout.rules.yaml", ALERT_RULE_PATCH.replace("500", "900"))])
    world.load(session)
    correlate(session, "77")
    items = _ranks(session, "77")
    assert any("merged after 6 pages of checkout-api" in r for r in items[ids["detection"]]["reasons"])
    assert any("weakens detection" in r for r in items[later]["reasons"])
    assert not any("pages of checkout-api" in r for r in items[later]["reasons"])


@pytest.mark.parametrize(("since", "impact"), [("08:30", at(0, -6)), ("08:10", at(0, -6 - 1 / 3))])
def test_the_feed_the_war_room_points_at_dates_impact_start(session: Session, world: World, since: str,
                                                            impact) -> None:
    svc = world.service("PS", "matchmaker")
    feed = "C7"
    usual = [world.say(feed, "#fleet-events", at(-2 + i * 0.3), "B1",
                       f"*UnAllocated* `eu-west-1` {3 + i} GameServerAllocation requests found no Ready GameServer "
                       "(fleet `custom-games`)", bot=True) for i in range(4)]
    first = world.say(feed, "#fleet-events", at(0, -6), "B1", "*UnAllocated* `apac-southeast-1` 212 GameServerAllocation "
                      "requests found no Ready GameServer (fleet `ranked-s7`)", bot=True)
    world.say(feed, "#fleet-events", at(0, -5), "B1", "*UnAllocated* `eu-west-1` 96 GameServerAllocation requests "
              "found no Ready GameServer (fleet `ranked-s7`)", bot=True)
    world.incident("PI", 9, svc, "Ranked matches fail to start", at(0), manual_by="U1")
    world.say("C1", "#inc-ranked", at(0, 0.1), "U2", "matchmaker: ranked matches fail to start, looking")
    world.say("C1", "#inc-ranked", at(0, 0.3), "U3", f"matchmaker: #fleet-events has UnAllocated for fleet ranked-s7 since {since}")
    world.load(session)
    result = correlate(session, "9")
    assert result.impact_start == impact  # the time they state, when it is earlier; the line is its first sign
    items = _ranks(session, "9")
    assert items[first]["role"] == "early_signal"
    assert any("impact start is dated by it" in r for r in items[first]["reasons"])
    assert all(items[u]["role"] == "context" for u in usual if u in items)  # the feed's usual traffic


def test_the_first_quiet_alert_is_the_first_since_impact_start(session: Session, world: World) -> None:
    svc = world.service("PS", "public-api")
    # Hours before the impact, another tenant's one-off alert; it does not fire again.
    world.incident("PAUTH", 4, svc, "[public-api] auth failures: ten_pelgrim 401 ratio above 90%", at(0, -6),
                   urgency="low", notify=False)
    world.incident("PTHR", 5, svc, "[public-api] throttle ratio: ten_hollis 429 ratio above 25%", at(0, -3.7),
                   urgency="low", notify=False)
    world.say("C1", "#support", at(0, -3), "U1", "Hollis says ~60% of their API calls get 429 since 13:00 UTC, "
              "customers can't dispatch")
    world.incident("PI", 7, svc, "Hollis: 429 on most public-api calls", at(0))
    world.load(session)
    correlate(session, "7", impact_start=at(0, -4))
    items = _ranks(session, "7")
    assert any("the first alert that paged no one" in r for r in items["PTHR"]["reasons"])
    assert not any("the first alert that paged no one" in r for r in items["PAUTH"]["reasons"])
    assert items["PTHR"]["rank"] < items["PAUTH"]["rank"]


def test_the_first_quiet_alert_may_precede_impact_start_when_it_keeps_firing(session: Session, world: World) -> None:
    svc = world.service("PS", "search-api")
    for day, iid in ((-2.5, "PJOB1"), (-1.5, "PJOB2"), (-0.5, "PJOB3")):  # a failing job before its effect is seen
        world.incident(iid, int(-day * 10), svc, "[search-api] cron: error in rotate_daily_index", at(day),
                       urgency="low", notify=False)
    world.incident("PI", 70, svc, "search-api results missing new items", at(0))
    world.load(session)
    correlate(session, "70", impact_start=at(-1))
    items = _ranks(session, "70")
    assert any("the first alert that paged no one" in r for r in items["PJOB1"]["reasons"])


def test_a_change_asked_about_and_answered_no_is_ruled_out(session: Session, world: World) -> None:
    svc = world.service("PS", "public-api")
    world.repo("acme/gateway")
    world.repo("acme/limits")
    envoy = world.pr("acme/gateway", 79, "public-api gateway: Envoy 1.31.5 -> 1.32.3", "upgrade", "obi", at(-1),
                     files=[("envoy/Dockerfile", "@@ -1 +1 @@\n-FROM envoy:v1.31.5\n+FROM envoy:v1.32.3")])
    limits = world.pr("acme/limits", 52, "public-api limits: plan tiers in plans.yaml", "refactor", "ana", at(-1.2),
                      files=[("plans.yaml", "@@ -1 +1 @@\n-enterprise: 5000\n+enterprise: 600")])
    world.incident("PI", 9, svc, "public-api: 429 on most calls of one tenant", at(0))
    world.say("C1", "#inc-429", at(0, 0.1), "U1", "gateway went to envoy 1.32 yesterday (acme/gateway#79), "
              "could the public-api ratelimit filter have changed?", refs=[("pull_request", "acme/gateway#79", "acme/gateway#79")])
    world.say("C1", "#inc-429", at(0, 0.12), "U2", "don't think so, the 429s come from the limits service, "
              "not envoy's local limiter")
    world.say("C1", "#inc-429", at(0, 0.2), "U3", "acme/limits#52 moved public-api tiers to plans.yaml, "
              "could the enterprise override be gone?", refs=[("pull_request", "acme/limits#52", "acme/limits#52")])
    world.say("C1", "#inc-429", at(0, 0.22), "U2", "yes, that's it: the enterprise tier is 600 now")
    world.load(session)
    correlate(session, "9")
    items = _ranks(session, "9")
    assert any("ruled out in the incident's chat" in r and "don't think so" in r for r in items[envoy]["reasons"])
    assert not any("ruled out" in r for r in items[limits]["reasons"])
    assert items[limits]["rank"] < items[envoy]["rank"]


def test_a_line_that_opens_the_response_by_linking_the_page_retells_it(session: Session, world: World) -> None:
    svc = world.service("PS", "courier")
    world.incident("PI", 9, svc, "courier: sign-in codes not arriving in PT", at(0))
    link = "https://acme.pagerduty.com/incidents/PI"
    opening = world.say("C1", "#inc-codes", at(0, 0.05), "U1", f"opened {link}: courier sign-in codes not arriving "
                        "in PT since last night", refs=[("incident_id", "PI", link)])
    later = world.say("C1", "#inc-codes", at(0, 3), "U2", f"courier: codes flowing again, timeline for {link} in the doc",
                      refs=[("incident_id", "PI", link)])
    world.load(session)
    correlate(session, "9")
    items = _ranks(session, "9")
    assert any("links this incident as the response opens" in r for r in items[opening]["reasons"])
    assert not any("cites this incident" in r for r in items[opening]["reasons"])
    assert any("cites this incident" in r for r in items[later]["reasons"])


def test_a_deploy_bot_line_is_no_failure_even_with_figures_far_from_usual(session: Session, world: World) -> None:
    svc = world.service("PS", "checkout-web")
    for day in range(16, 2, -1):
        world.say("C7", "#edge-changes", at(-day), "B1", f":white_check_mark: *edgectl* deployed edge-config@a{day}f "
                  "to production (1 file(s)): cache headers", bot=True)
    deploy = world.say("C7", "#edge-changes", at(-0.3), "B1", ":white_check_mark: *edgectl* deployed edge-config@b7c "
                       "to production (12 file(s)): checkout frame_src allowlist", bot=True)
    world.incident("PI", 9, svc, "checkout-web: 3DS challenge blocked by frame_src", at(0))
    world.say("C1", "#inc-3ds", at(0, 0.1), "U1", "checkout-web: the 3DS challenge frame is blocked by frame_src")
    world.say("C1", "#inc-3ds", at(0, 0.2), "U2", "checkout-web: cards stuck on the frame_src challenge since this morning")
    world.load(session)
    correlate(session, "9")
    item = _ranks(session, "9").get(deploy, {"role": "context", "reasons": []})
    assert item["role"] != "early_signal"
    assert not any("paged no one" in r for r in item["reasons"])


def test_an_alert_in_the_incident_words_hours_before_impact_start_foretells_it(session: Session, world: World) -> None:
    svc = world.service("PS", "bookings-db")
    world.incident("PFREE", 4, svc, "[bookings-db] free storage below 10% (1h)", at(0, -7), urgency="low", notify=False)
    world.incident("PCONN", 5, svc, "[bookings-db] connection errors above 2%", at(0, -3.5), urgency="low", notify=False)
    world.incident("PI", 7, svc, "bookings-db storage full: clinics cannot book", at(0))
    world.load(session)
    correlate(session, "7", impact_start=at(0, -4))
    items = _ranks(session, "7")
    assert any("the first alert that paged no one" in r for r in items["PFREE"]["reasons"])


def test_a_bot_failing_on_the_same_subject_into_the_impact_foretells_it(session: Session, world: World) -> None:
    svc = world.service("PS", "bookings-db")
    first = world.say("C7", "#data-alerts", at(-1, 4), "B1", ":x: `bookings-cdc` task 0 FAILED: cannot decode "
                      "hours_range[]", bot=True)
    world.say("C7", "#data-alerts", at(0, -2), "B1", ":red_circle: `bookings-cdc` still FAILED (18h), slot inactive",
              bot=True)
    world.incident("PI", 7, svc, "bookings-db storage full: clinics cannot book", at(0))
    world.say("C1", "#inc-db", at(0, 0.1), "U1", "bookings-db: the slot of bookings-cdc holds all the WAL")
    world.say("C1", "#inc-db", at(0, 0.2), "U2", "bookings-db: dropping the bookings-cdc slot")
    world.load(session)
    correlate(session, "7", impact_start=at(0, -4))
    items = _ranks(session, "7")
    assert any("the first alert that paged no one" in r for r in items[first]["reasons"])
