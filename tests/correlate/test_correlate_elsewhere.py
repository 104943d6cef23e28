"""The PR 22 pattern across services: the noisy pages, the re-routed alert and its unheard firing live on
services other than the one paged for the incident."""

from __future__ import annotations

from sqlalchemy.orm import Session

from tests.correlate.conftest import World, at
from warehouse import queries
from warehouse.correlate import correlate
from warehouse.signals import change_facts

ROUTE_PATCH = """@@ -6,7 +6,7 @@ route:
       routes:
         - matchers:
             - alertname = "Edge5xxBurnRate"
-          receiver: pd-edge-gateway
+          receiver: pd-edge-notifications
           repeat_interval: 1h
"""
BURN = "Edge5xxBurnRate: edge availability SLO burning fast"


def test_a_re_route_after_another_services_noisy_pages_then_its_unheard_alert(session: Session, world: World) -> None:
    api = world.service("PAPI", "public-api")
    edge = world.service("PEDGE", "edge-gateway")
    notes = world.service("PNOTE", "edge-notifications")
    world.repo("acme/pager-config")
    world.repo("acme/public-api")
    for i in range(5):
        world.incident(f"PN{i}", 10 + i, edge, f"[edge-gateway] {BURN}", at(-25 + i))
    weak = world.pr("acme/pager-config", 39, "Route Edge5xxBurnRate to edge-notifications while the probe vendor flaps",
                    "Every flap of the probe vendor paged the traffic on-call.", "ben", at(-20),
                    files=[("alertmanager/routes/traffic.yaml", ROUTE_PATCH)])
    other = world.pr("acme/public-api", 39, "public-api: bump client timeouts", "api timeouts", "ann", at(-30))
    quiet = world.incident("PQ", 40, notes, f"[edge-notifications] {BURN}", at(0, -2), urgency="low", notify=False)
    world.incident("PI", 41, api, "EU customers get 504s from the public API", at(0), manual_by="PU9")
    world.say("C1", "#inc-eu", at(0, 0.1), "U1", "public-api: EU customers get 504s from the API, looking")
    world.say("C1", "#inc-eu", at(0, 0.3), "U2", "public-api: why no page? pager-config PR 39 sent Edge5xxBurnRate to "
              "edge-notifications, it fired two hours ago and nobody acked", refs=[("pr_number", "39", "PR 39")])
    world.load(session)
    correlate(session, "41")
    items = {it["native_id"]: it for it in queries.evidence_items(session, "41")}
    assert items[weak]["role"] == "detection_weakened"
    assert any("named in the incident's chat" in r for r in items[weak]["reasons"])  # the repo named, not public-api's #39
    assert other not in items or not any("named in the incident's chat" in r for r in items[other]["reasons"])
    assert any("merged after 5 pages of edge-gateway" in r for r in items[weak]["reasons"])
    assert items[quiet]["role"] == "early_signal"
    assert any(f"the alert {weak} quieted" in r for r in items[quiet]["reasons"])
    assert items[quiet]["group"] == items[weak]["group"]


def test_a_jobs_own_paging_config_and_no_longer_pages() -> None:
    patch = ("@@ -12,7 +12,7 @@ match:\n-  tolerance: {mode: absolute, minor_units: 1}\n"
             "+  tolerance: {mode: relative, ratio: 0.015}\n on_mismatch:\n   page: recon-runner\n")
    facts = change_facts("recon: relative tolerance", "so a late bank file no longer pages", [("jobs/recon/config.yaml", patch)])
    assert facts.path_strength > 0 and facts.intent_strength > 0 and facts.strength >= 0.35
    assert any("decides what pages" in f and "page: recon-runner" in f for f in facts.facts)
    assert change_facts("recon: tolerance", "", [("jobs/recon/config.yaml", "@@ -1 +1 @@\n-a: 1\n+a: 2\n")]).strength == 0
