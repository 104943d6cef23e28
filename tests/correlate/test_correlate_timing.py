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
