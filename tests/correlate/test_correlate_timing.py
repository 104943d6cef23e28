"""Time around the impact: what landed just before it, what came too late to cause it, follow-ups after it."""

from __future__ import annotations

from sqlalchemy.orm import Session

from tests.correlate.conftest import World, at
from warehouse import queries
from warehouse.correlate import correlate

CLIENT_PATCH = "@@ -1,3 +1,3 @@\n-client = PaymentClient(version=1)\n+client = PaymentClient(version=2)\n"


def _story(session: Session, world: World) -> dict[str, dict]:
    svc = world.service("PS", "orders-api")
    world.repo("acme/orders")
    world.say("C2", "#support", at(-1), "U5", "customers say orders are failing at the payment step")
    ids = {
        "landed": world.pr("acme/orders", 21, "Orders: payment client v2", "switch the client", "ann", at(-1, -0.2),
                           files=[("orders/payment.py", CLIENT_PATCH)]),
        "earlier": world.pr("acme/orders", 22, "Orders: payment client v2 config", "client config", "bob", at(-1, -5),
                            files=[("orders/payment_config.py", CLIENT_PATCH)]),
        "late": world.pr("acme/orders", 23, "Orders: payment client v2 logging", "more logs", "cid", at(-1, 3),
                         files=[("orders/payment_log.py", CLIENT_PATCH)]),
    }
    world.incident("PI", 91, svc, "Orders failing at the payment step", at(0), manual_by="PU9")
    world.say("C1", "#inc-orders", at(0, 0.1), "U1", "orders-api: orders failing at payment. PR 21, 22 or 23?",
              refs=[("pr_number", n, f"PR {n}") for n in ("21", "22", "23")])
    ids["fix"] = world.pr("acme/orders", 24, "Orders: payment client back to v1", "Fixes incident 91.", "ann", at(0, 0.4),
                          files=[("orders/payment.py", CLIENT_PATCH)])
    ids["follow_up"] = world.pr("acme/orders", 25, "Orders: payment client v2 retries", "Follow-up to incident 91.",
                                "ann", at(1, 2), files=[("orders/payment.py", CLIENT_PATCH)])
    for key in ("fix", "follow_up"):
        world.ref("github", ids[key], "incident_number", "91", "incident 91")
    world.load(session)
    result = correlate(session, "91")
    assert result.impact_start == at(-1)
    items = {it["native_id"]: it for it in queries.evidence_items(session, "91")}
    return {k: items[nid] for k, nid in ids.items()}


def test_the_change_that_landed_just_before_impact_start_is_the_trigger(session: Session, world: World) -> None:
    items = _story(session, world)
    assert items["landed"]["role"] == "trigger"
    assert any("merged 12 min before impact start" in r for r in items["landed"]["reasons"])
    assert not any("merged" in r for r in items["earlier"]["reasons"])  # 5 h before: too far to count
    assert items["earlier"]["rank"] > items["landed"]["rank"]


def test_a_change_merged_after_impact_start_cannot_be_the_trigger(session: Session, world: World) -> None:
    late = _story(session, world)["late"]
    assert late["role"] != "trigger"
    assert any("after impact start, too late to have started it" in r for r in late["reasons"])


def test_a_fix_merged_a_day_after_resolution_is_a_follow_up(session: Session, world: World) -> None:
    items = _story(session, world)
    fix, follow_up = items["fix"], items["follow_up"]
    assert fix["role"] == follow_up["role"] == "fix"
    assert any("a follow-up, merged 26 h after the incident was resolved" in r for r in follow_up["reasons"])
    assert not any("follow-up" in r for r in fix["reasons"])
    assert fix["rank"] < follow_up["rank"]


def test_a_start_said_long_before_anything_was_found_is_about_something_else(session: Session, world: World) -> None:
    svc = world.service("PS", "export-worker")
    world.incident("PQ", 5, svc, "Export retry queue above 100", at(0, -10), urgency="low", notify=False)
    world.incident("PI", 6, svc, "Scheduled exports not delivered", at(0))
    world.say("C1", "#inc-exports", at(0, 0.1), "U1", "export-worker: scheduled exports not delivered, looking")
    world.say("C1", "#inc-exports", at(0, 0.2), "U2", "export-worker: replicas cancel queries after 30s since yesterday 16:05")
    world.say("C1", "#inc-exports", at(0, 0.3), "U3", "export-worker: the export errors since 03:10 are UndefinedColumn")
    world.load(session)
    assert correlate(session, "6").impact_start == at(0, -11 - 1 / 3)  # 03:10, not yesterday 16:05


def test_a_bot_report_whose_figures_left_their_usual_level_is_an_early_signal(session: Session, world: World) -> None:
    svc = world.service("PS", "notify-gateway")
    for d in range(24, 5, -1):
        world.say("C7", "#push-stats", at(-d), "B1", f"*Push Pulse* 18:00-20:00 UTC · iOS {40 + d},155 pushes sent, "
                  f"97.{d % 10}% delivered, 0.{d % 5}% rejected", bot=True)
    odd = world.say("C7", "#push-stats", at(0, -8), "B1", "*Push Pulse* 20:00-22:00 UTC · iOS 46,155 pushes sent, "
                    "60.1% delivered, 39.6% rejected", bot=True)
    world.incident("PI", 7, svc, "iPhone push notifications not delivered", at(0), manual_by="PU9")
    world.say("C1", "#inc-push", at(0, 0.1), "U1", "notify-gateway: iPhone push notifications not delivered, looking")
    world.load(session)
    result = correlate(session, "7")
    assert result.impact_start == at(0, -8)
    item = next(it for it in queries.evidence_items(session, "7") if it["native_id"] == odd)
    assert item["role"] == "early_signal"


def test_a_change_that_landed_just_before_and_only_drops_an_alert_line_is_the_trigger(session: Session,
                                                                                       world: World) -> None:
    svc = world.service("PS", "notify-gateway")
    world.repo("acme/notify-gateway")
    world.incident("PQ", 8, svc, "APNs rejections above 5% of iOS sends", at(0, -10), urgency="low", notify=False)
    patch = "@@ -3,4 +3,2 @@ apns:\n-  cert_path: /etc/apns/prod.pem\n-  alert: cert-expiry\n+  auth: token\n"
    change = world.pr("acme/notify-gateway", 74, "APNs: token-based auth, retire the push certificates",
                      "moves APNs rejections to token auth", "kim", at(0, -10.5), files=[("config/production.yaml", patch)])
    world.incident("PI", 9, svc, "iPhone users get no APNs push notifications", at(0), manual_by="PU9")
    world.say("C1", "#inc-push", at(0, 0.1), "U1", "notify-gateway: APNs rejections, it's PR 74",
              refs=[("pr_number", "74", "PR 74")])
    world.load(session)
    correlate(session, "9")
    item = next(it for it in queries.evidence_items(session, "9") if it["native_id"] == change)
    assert any("weakens detection" in r for r in item["reasons"])
    assert item["role"] == "trigger"


def test_remarks_days_before_the_start_people_state_are_not_its_first_sign(session: Session, world: World) -> None:
    svc = world.service("PS", "orders-api")
    old = [world.say("C2", "#support", at(-d), "U5", f"a customer says an order is missing from history ({d})")
           for d in (3, 2, 1.2)]
    world.incident("PI", 11, svc, "Orders missing from history", at(0))
    world.say("C1", "#inc-orders", at(0, 0.1), "U1", "orders-api: orders missing from history, looking")
    world.say("C1", "#inc-orders", at(0, 0.2), "U2", "orders-api: orders missing from history since 10:00 today")
    world.load(session)
    assert correlate(session, "11").impact_start == at(0, -4.5)
    items = {it["native_id"]: it for it in queries.evidence_items(session, "11")}
    assert not any("first person to notice" in r for r in items[old[0]]["reasons"])


def test_times_are_read_in_the_zone_the_chat_gives_them(session: Session, world: World) -> None:
    # The page is at 03:30 on Dec 7 in Auckland (NZDT, UTC+13); the trouble began at 10:41 there the day before.
    svc = world.service("PS", "dispatch-svc")
    world.incident("PI", 7, svc, "Auckland deliveries late and cold", at(0))
    world.say("C1", "#inc-akl", at(0, 0.1), "U1", "dispatch-svc: akl has been on dispatch engine v2 since yesterday morning, 10:41 NZT. "
              "paged at 14:30 UTC")
    world.say("C1", "#inc-akl", at(0, 0.2), "U2", "dispatch-svc v2 planner logs: prep_source=fallback on every akl order since 10:41")
    world.say("C1", "#inc-akl", at(0, 0.3), "U3", "dispatch-svc: dinner rush fell over: 41% late since 17:30. it started at lunch")
    world.load(session)
    # 10:41 NZDT is 21:41 UTC; not 10:41 UTC, nor the dinner rush's 17:30, nor a lunch read in UTC.
    assert correlate(session, "7").impact_start == at(0, -16 - 49 / 60)


def test_in_the_part_of_the_day_named_the_first_alert_dates_the_start(session: Session, world: World) -> None:
    svc = world.service("PS", "evidence-api")
    world.incident("PA", 3, svc, "[evidence-api] 401 ratio above 5% of uploads", at(-2.5), urgency="low", notify=False)
    world.incident("PB", 4, svc, "[evidence-api] 415 ratio above 5% of uploads", at(-1, -4 - 50 / 60), urgency="low",
                   notify=False)
    world.incident("PI", 5, svc, "Photo uploads failing", at(0))
    world.say("C1", "#inc-uploads", at(0, 0.1), "U1", "evidence-api: photo uploads failing, looking")
    world.say("C1", "#inc-uploads", at(0, 0.2), "U2", "evidence-api: brokers say uploads fail since yesterday morning")
    world.load(session)
    # Not the start of the morning, nor the alert days before it: the first alert in the morning they named.
    assert correlate(session, "5").impact_start == at(-1, -4 - 50 / 60)


def test_a_follow_up_that_restores_weakened_detection_closes_that_story(session: Session, world: World) -> None:
    from tests.correlate.conftest import ALERT_RULE_PATCH, checkout_story

    ids = checkout_story(world)
    restore = world.pr("shop/infra-alerts", 8, "Page on rejected card tokens again after incident 77", "Follow-up.",
                       "dana", at(2), files=[("alerts/checkout.rules.yaml", ALERT_RULE_PATCH)])
    harden = world.pr("shop/checkout", 14, "Tax rate refresh: test the migration path after incident 77", "Follow-up.",
                      "fay", at(2), files=[("checkout/tax_rate.py", CLIENT_PATCH)])
    for nid in (restore, harden):
        world.ref("github", nid, "incident_number", "77", "incident 77")
    world.load(session)
    correlate(session, "77")
    items = {it["native_id"]: it for it in queries.evidence_items(session, "77")}
    assert items[ids["detection"]]["role"] == "detection_weakened"
    assert any("restoring the detection it weakened" in r for r in items[restore]["reasons"])
    assert not any("restoring" in r for r in items[harden]["reasons"])
    assert items[restore]["role"] == items[harden]["role"] == "fix"


def test_the_start_the_incident_itself_states_wins_over_a_cause_dated_in_chat(session: Session, world: World) -> None:
    svc = world.service("PS", "bookings-db")
    world.incident("PI", 7, svc, "bookings-db storage-full: clinics cannot book since 07:38", at(0))
    world.say("C1", "#inc-db", at(0, 0.1), "U1", "bookings-db: slot debezium_bookings inactive since 13:37 yesterday, "
              "it holds all the WAL")
    world.say("C1", "#inc-db", at(0, 0.2), "U2", "bookings-db: dropping the slot")
    world.load(session)
    assert correlate(session, "7").impact_start == at(0, -6 - 52 / 60)  # 07:38, not the connector's 13:37 the day before
