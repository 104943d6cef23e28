"""Patch semantics and path kinds behind the detection-weakening signal; symptom language."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from warehouse.signals import (
    analyse_patch,
    answers_no,
    change_facts,
    customer_strength,
    departs_from_usual,
    figures,
    header,
    path_kind,
    rules_out,
    symptom_strength,
)
from warehouse.stated import stated_start, stated_starts


def test_monitoring_and_error_handling_paths() -> None:
    assert path_kind("ops/alerting/rules/payments.yaml") == "monitoring"
    assert path_kind("deploy/prometheus/billing.rules") == "monitoring"
    assert path_kind("svc/errorHandler.ts") == "error_handling"
    assert path_kind("search/alias.py") is None


def test_raised_threshold_and_downgraded_severity() -> None:
    strength, facts = analyse_patch("-  threshold: 5\n+  threshold: 50\n-  severity: critical\n+  severity: warning\n")
    assert strength >= 0.8
    assert any("raises threshold from 5 to 50" in f for f in facts)
    assert any("downgrades a severity" in f for f in facts)


def test_removed_alert_call_and_early_return() -> None:
    patch = "     if not valid(key):\n-        notify_oncall('invalid key')\n+        return None\n"
    strength, facts = analyse_patch(patch, "app/keys.py")
    assert strength > 0.5
    assert any("early return" in f for f in facts)


def test_early_return_in_ordinary_code_is_not_weakening() -> None:
    patch = "+    if migration_running():\n+        return\n     store.write(rows)\n"
    assert analyse_patch(patch, "app/tax.py")[0] == 0.0
    assert analyse_patch(patch, "app/error_handlers.py")[0] > 0.0


def test_swallowed_exception() -> None:
    patch = "-    raise LookupError(key)\n+    try:\n+        lookup(key)\n+    except Exception:\n+        pass\n"
    strength, facts = analyse_patch(patch, "svc/lookup.py")
    assert strength > 0.5


def test_change_facts_combine_paths_patch_and_intent() -> None:
    facts = change_facts("Quiet the noisy disk alerts", "", [("monitoring/disk.yaml", "-  for: 5m\n+  for: 1h\n")])
    assert facts.path_strength == 1.0 and facts.intent_strength == 1.0 and facts.patch_strength > 0
    assert facts.strength >= 0.75
    plain = change_facts("Add pagination to the orders list", "", [("orders/list.py", "+    page = 1\n")])
    assert plain.strength == 0.0


def test_symptom_and_customer_language() -> None:
    assert symptom_strength("is checkout broken? totals look wrong") > 0
    assert symptom_strength("lunch anyone?") == 0
    assert symptom_strength("players say it goes 'Match found' -> back in the queue, over and over") > 0
    assert symptom_strength("the app keeps bouncing me to the login page") > 0
    assert customer_strength("customers report missing orders", "#general") >= 0.6
    assert customer_strength("hmm", "#customer-experience") >= 0.3
    assert customer_strength("weird, my test order took 28 seconds on the demo merchant", "#support") < 0.6


def test_deleting_a_check_file_weakens_detection():
    from warehouse.signals import change_facts

    kept = change_facts("Tidy checks", "", [("checks/orders.yml", None)])
    deleted = change_facts("Tidy checks", "", [("checks/orders.yml", None)], removed=["checks/orders.yml"])
    assert deleted.strength > kept.strength + 0.3
    assert any("deletes an alert or check definition" in f for f in deleted.facts)
    # Deleting an ordinary source file is not a detection change.
    assert change_facts("Tidy", "", [("src/orders.py", None)], removed=["src/orders.py"]).strength == 0


@pytest.mark.parametrize("lines, silent", [
    (["try {", "  send()", "} catch (t: Throwable) {", "  // never crash here", "} finally {"], True),
    (["try:", "    send()", "except Exception:", "    pass"], True),
    (["except:  # best effort", "    pass"], True),
    (["promise.catch(() => {})"], True),
    (["rescue => e", "  nil"], True),
    (["except Exception as exc:", "    log.error('send failed: %s', exc)"], False),
    (["except KeyError:", "    pass"], False),  # one expected error, not every error
    (["} catch (Exception e) {", "    throw new ReportError(e);", "}"], False),
    (["except Exception:", "    raise"], False),
])
def test_a_silent_catch_all_is_told_apart_from_handling(lines, silent):
    from warehouse.signals import _silent_catch_all, analyse_patch

    assert _silent_catch_all(lines) is silent
    score, facts = analyse_patch("\n".join("+" + ln for ln in lines), "src/telemetry/report.kt")
    assert ("adds a catch-all that drops every error silently" in facts) is silent


def test_intent_to_remove_a_flaky_check_reads_as_reducing_paging():
    from warehouse.signals import change_facts

    for title in ("Remove the flaky freshness check", "Drop the orders volume alert", "Delete flaky probes"):
        assert change_facts(title, "", []).intent_strength == 1.0, title
    assert change_facts("Remove the legacy checkout page", "", []).intent_strength == 0


def test_monitoring_words_inside_a_feature_name_are_not_monitoring() -> None:
    # `health`, `rule`, `check` name monitoring as a whole path component, not inside a feature's name.
    assert path_kind("flags/health_connect_import.yaml") is None
    assert path_kind("src/features/velocity_rule.py") is None
    assert path_kind("checks/orders/orders_events.yml") == "monitoring"
    assert path_kind("rules/search-api.rules.yml") == "monitoring"
    assert path_kind("svc/health.py") == "monitoring"


def test_a_higher_number_is_a_threshold_only_where_it_decides_what_pages() -> None:
    rollout = "-  rollout: 20\n+  rollout: 50\n"
    assert analyse_patch(rollout, "flags/offline_sync.yaml")[0] == 0.0
    assert analyse_patch(rollout, "alerting/offline_sync.yaml")[0] > 0.0
    assert analyse_patch("-  error_threshold: 5\n+  error_threshold: 50\n", "config/app.yaml")[0] > 0.0


def test_machine_failure_lines_and_change_announcements() -> None:
    from warehouse.signals import announces_change, machine_failure

    assert machine_failure("SLA miss: `orders.load` (run 2023-10-16) is still running after 6h")
    assert machine_failure("uploads 38% below same hour last week")
    assert not machine_failure("nightly export finished for shard 3")
    # States a scheduler or a load balancer reports when nothing can take the work.
    assert machine_failure("*UnAllocated* `eu-west-1` 212 allocation requests in 5m found no Ready server")
    assert machine_failure("upstream connect error: no healthy upstream")
    assert machine_failure("0/46 nodes are available: 38 Insufficient cpu")
    assert not machine_failure("fleet `ranked-s6` scaled to 40 ready servers")
    assert announces_change(":triangular_flag_on_post: sync_v2 is now on for 50% of Android")
    assert announces_change("deployed api 1.4.2 to prod")
    assert not announces_change("is search broken? nothing shows up")
    assert announces_change("SEC-214 is live, uploads are checked by sniffed type now. let me know if you see anything odd")
    assert not announces_change("is the new portal live? customers can't upload")


def test_a_count_of_tickets_is_customers_speaking() -> None:
    assert customer_strength("escalating: 212 Zendesk tickets tagged app-crash since yesterday", "#ops") >= 0.6
    assert customer_strength("3 flaky tests today", "#ops") == 0.0


def test_rerouting_an_alarm_to_the_low_urgency_integration_is_a_downgrade() -> None:
    patch = ("-  alarm_actions = [var.pagerduty_high_urgency_topic]\n"
             "+  alarm_actions = [var.pagerduty_low_urgency_topic]\n")
    strength, facts = analyse_patch(patch, "alarms/queue_dlq.tf")
    assert strength >= 0.5 and "downgrades a severity" in facts
    facts_ = change_facts("Send the DLQ alarm to the low-urgency integration", "it just doesn't wake anyone up",
                          [("alarms/queue_dlq.tf", patch)])
    assert facts_.intent_strength > 0


def test_a_figure_far_from_its_usual_level_is_a_machine_failure() -> None:
    from warehouse.signals import far_from_usual, machine_failure

    assert far_from_usual("pending > 1h: 1,317 (7-day avg 38)")
    assert far_from_usual("orders today: 40 (usual ~1,200)")
    assert not far_from_usual("orders today: 1,150 (usual ~1,200)")
    assert far_from_usual("last 15m: offload 41.3% (7d median 95.8%) · origin errors 8.7% (7d median 0.03%)")
    assert not far_from_usual("last 15m: offload 94.1% (7d median 95.8%)")
    assert machine_failure("daily: 11,962 confirmed, pending > 1h: 1,317 (7-day avg 38)")


def test_crashes_and_stuck_states_are_symptom_language() -> None:
    assert symptom_strength("the app keeps crashing after the update") > 0
    assert symptom_strength("bookings still say Pending on our side, did anything change?") > 0


def test_what_people_did_not_get_is_symptom_language() -> None:
    for text in ("35 people who bought this evening have no tickets in the app", "is something up on your side?",
                 "'paid, money gone, no ticket in the app'", "~2,400 orders miss their promised ship date today",
                 "anyone know why month-end pack links give 404?", "140+ tickets from workers not paid today",
                 "partners ask if we changed something today"):
        assert symptom_strength(text) > 0, text
    for text in ("we have no plans for the offsite", "no changes in the app this week", "got it, thanks"):
        assert symptom_strength(text) == 0, text


def test_a_partner_on_the_phone_is_a_customer_report() -> None:
    text = "LiveCo on the phone: fans on every tour date get 'We couldn't load the seat map'"
    assert customer_strength(text, "#partner-support") >= 0.6 and symptom_strength(text) > 0


def test_something_that_never_arrives_is_symptom_language() -> None:
    for text in ("the sign-in code doesn't arrive on a new phone", "the reset email never arrives",
                 "invoices not arriving since 09:00", "payments did not go through", "I never received the SMS"):
        assert symptom_strength(text) > 0, text
    for text in ("the deploy went through", "arriving at 5pm for the offsite", "received, thanks"):
        assert symptom_strength(text) == 0, text


def test_chats_and_contacts_from_customers_are_customers_speaking() -> None:
    assert customer_strength("escalating: 2,300+ chats and calls since yesterday evening", "#ops") >= 0.6
    assert customer_strength("a few chats from PT customers: the code doesn't arrive", "#ops") >= 0.6
    assert customer_strength("2,300 API calls from the batch job", "#ops") < 0.6


def test_skipping_work_in_ordinary_code_is_no_silence() -> None:
    hook = "@@ -1 +1 @@\n-  const q = usePriceQuote(sku);\n+  const q = usePriceQuote(sku, { skip: quote !== null });"
    assert analyse_patch(hook, "src/pages/product/PriceBlock.tsx") == (0.0, [])
    rule = "@@ -1 +1 @@\n-    notify: true\n+    skip_notify: true"
    assert analyse_patch(rule, "alerts/checkout.rules.yaml")[0] > 0


_SAID = datetime(2024, 5, 22, 15, 18, tzinfo=UTC)  # a Wednesday afternoon


@pytest.mark.parametrize(("text", "start", "hours"), [
    ("it's been in ALARM since Monday 13:41", datetime(2024, 5, 20, 13, 41, tzinfo=UTC), 0),
    ("passcodes don't go through since yesterday 15:31: https://example.com/x", datetime(2024, 5, 21, 15, 31, tzinfo=UTC), 0),
    ("rejections since 15:49 yesterday", datetime(2024, 5, 21, 15, 49, tzinfo=UTC), 0),
    ("640 contacts since yesterday ~15:00, 140 overnight", datetime(2024, 5, 21, 15, 0, tzinfo=UTC), 0),
    ("failures ~100% in eu-west-1 since 08:46", datetime(2024, 5, 22, 8, 46, tzinfo=UTC), 0),
    ("timeouts since 22:10", datetime(2024, 5, 21, 22, 10, tzinfo=UTC), 0),  # later than it was said: last night's
    ("since 3pm UTC", datetime(2024, 5, 22, 15, 0, tzinfo=UTC), 0),
    ("errors began at 2024-05-20 13:41", datetime(2024, 5, 20, 13, 41, tzinfo=UTC), 0),
    ("the problem started around 9:05 am", datetime(2024, 5, 22, 9, 5, tzinfo=UTC), 0),
    ("it's been red since tuesday afternoon", datetime(2024, 5, 21, 12, 0, tzinfo=UTC), 6),
    ("it's not all of them, but it's getting worse since lunch", datetime(2024, 5, 22, 12, 0, tzinfo=UTC), 2),
    ("nothing new since this morning", datetime(2024, 5, 22, 6, 0, tzinfo=UTC), 6),
    ("since Wednesday 16:00", datetime(2024, 5, 15, 16, 0, tzinfo=UTC), 0),  # today's 16:00 has not come yet
    # A zone people name is read in that zone, daylight saving included.
    ("late orders since 10:42 NZT", datetime(2024, 5, 21, 22, 42, tzinfo=UTC), 0),  # NZST, UTC+12, the day before
    ("it started around 19:45 Sydney time", datetime(2024, 5, 22, 9, 45, tzinfo=UTC), 0),  # said at 01:18 there
    ("since 9:00 PST", datetime(2024, 5, 21, 16, 0, tzinfo=UTC), 0),  # PDT in May; said at 08:18 there
    ("errors since yesterday 3pm ET", datetime(2024, 5, 21, 19, 0, tzinfo=UTC), 0),
    ("timeouts since 11:00 Amsterdam time", datetime(2024, 5, 22, 9, 0, tzinfo=UTC), 0),
    ("5xx since 14:05 GMT", datetime(2024, 5, 22, 14, 5, tzinfo=UTC), 0),
])
def test_the_start_people_state(text: str, start: datetime, hours: int) -> None:
    got = stated_start(text, _SAID)
    assert got is not None and (got.at, got.span) == (start, timedelta(hours=hours)), got


@pytest.mark.parametrize("text", [
    "CDN is back to baseline since 17:10 and tickets keep coming",  # fine since then
    "no 503s since 10:00",  # absent since then
    "errors since 10:00 IST",  # India, Ireland or Israel: not guessed at
    "it's been failing since 10:00 local time",
    "akl has been on dispatch engine v2 since Monday 09:00",  # a change in place, not trouble
    "v2 is live since 08:00",
    "since about 6",  # a bare number could be any hour
    "since Monday",  # a day alone
    "botkube has OOMKilled pods since yesterday's presale",
    "memory grows since v2.3.1",
    "broken since today 16:00",  # after it was said
    "the deploy began at 14:00",  # a deploy beginning is not trouble beginning
])
def test_what_is_not_a_stated_start(text: str) -> None:
    assert stated_start(text, _SAID) is None


@pytest.mark.parametrize(("text", "thing"), [
    ("customers without a hub are affected too. not hub-fw", "hub-fw"),
    ("TTL 300->60 only, same records. not DNS. looking at the edge", "DNS"),
    ("rollback done, pods still restarting. not the image", "image"),
])
def test_a_hypothesis_dropped_in_a_sentence_of_its_own(text: str, thing: str) -> None:
    got = rules_out(text)
    assert got is not None and got[1] == thing


@pytest.mark.parametrize("text", ["not sure, looking", "the code is not arriving on new phones", "well, not yet."])
def test_not_every_not_drops_a_hypothesis(text: str) -> None:
    assert rules_out(text) is None


def test_re_routing_an_alert_to_a_receiver_that_wakes_no_one() -> None:
    patch = "     - alertname = \"Edge5xxBurnRate\"\n-      receiver: pd-edge-gateway\n+      receiver: pd-edge-notifications\n"
    strength, facts = analyse_patch(patch, "alertmanager/routes/traffic.yaml")
    assert strength >= 0.5 and any("re-routes it (pd-edge-gateway" in f for f in facts)
    assert analyse_patch(patch.replace("notifications", "platform"), "alertmanager/routes/traffic.yaml")[0] == 0


@pytest.mark.parametrize(("text", "start"), [
    ("the stuck ones start 14:50 mon. and it's not 5xx", datetime(2024, 5, 20, 14, 50, tzinfo=UTC)),
    ("errors start 07:41, the deploy is 09:07", datetime(2024, 5, 22, 7, 41, tzinfo=UTC)),
    ("the first bad invoice is 14:47, 4h after that deploy", datetime(2024, 5, 22, 14, 47, tzinfo=UTC)),
])
def test_where_people_say_it_started(text: str, start: datetime) -> None:
    got = stated_start(text, _SAID)
    assert got is not None and got.at == start


@pytest.mark.parametrize("text", ["maintenance starts 22:00", "the first deploy was 14:00"])
def test_a_start_of_something_else(text: str) -> None:
    assert stated_start(text, _SAID) is None


def test_a_report_whose_figures_left_their_usual_level() -> None:
    usual = [f":white_check_mark: nightly run 2024-05-{d:02d} finished in 1h0{d % 9}m: 410 scheduled · 409 delivered · "
             f"{d % 3} skipped" for d in range(1, 8)]
    now = ":large_yellow_circle: nightly run 2024-05-15 finished in 1h41m: 414 scheduled · 291 delivered · 123 skipped"
    assert header(now) == header(usual[0])  # numbers and emoji aside, the same report
    assert departs_from_usual(now, usual) == "123 skipped, usually 1"
    pct = [f"Push Pulse 18:00-20:00 UTC · iOS {40 + d},155 sent, 97.{d}% delivered" for d in range(5)]
    assert departs_from_usual("Push Pulse 20:00-22:00 UTC · iOS 46,155 sent, 60.1% delivered", pct) == \
        "60.1% delivered, usually 97.2%"
    assert departs_from_usual("Push Pulse 20:00-22:00 UTC · iOS 44,155 sent, 96.1% delivered", pct) is None
    assert departs_from_usual(now, usual[:1]) is None  # one earlier report is no usual level
    assert figures("at 20:00-22:00 UTC: 8.6k rps") == {("rps", 0): (8600.0, False)}  # clock times are no figures


def test_a_report_that_flags_its_own_figure_left_its_usual_level() -> None:
    usual = [f":chart_with_upwards_trend: *Conversion Pulse* {h:02d}:00 · bookings {800 + h} vs 810 forecast · IT {100 + h}/110"
             for h in range(8, 20, 2)]
    now = ":chart_with_upwards_trend: *Conversion Pulse* 10:00 · bookings 702 vs 811 forecast · IT 28/110 :warning: -75%"
    assert departs_from_usual(now, usual) == "flagged :warning: -75%"
    flagged = [u + " :warning: -1%" for u in usual]  # a report that always flags something: no departure by its flag
    assert departs_from_usual(now, flagged) is None


def test_a_deploy_bot_announcing_a_change_is_no_report_of_trouble() -> None:
    from warehouse.signals import announces_change

    assert announces_change(":white_check_mark: *edgectl* deployed edge-config@1ac72fe to production (3 file(s))")
    assert not announces_change("we deployed 3.2 and checkout is failing")
    assert symptom_strength("the payment page spins, after ~10 min 'payment not completed'") > 0


def test_a_day_of_the_month_with_a_clock_time() -> None:
    got = stated_start("Sentry has had the UndefinedColumn issue since 02:04 on the 15th, 1,900 events", _SAID)
    assert got is not None and got.at == datetime(2024, 5, 15, 2, 4, tzinfo=UTC)
    got = stated_start("since 09:00 on the 30th", _SAID)
    assert got is not None and got.at == datetime(2024, 4, 30, 9, 0, tzinfo=UTC)


def test_quiet_hours_of_a_product_are_not_quieter_paging() -> None:
    assert change_facts("Marketing pushes: quiet hours 22:00-08:00", "", []).intent_strength == 0
    assert change_facts("Quiet the noisy pages of the nudge job", "", []).intent_strength > 0


def test_a_check_made_less_frequent_and_more_patient() -> None:
    patch = ("-  frequency: Frequency.EVERY_1M,\n-  alertEscalationPolicy: AlertEscalationBuilder.runBasedEscalation(1),\n"
             "+  frequency: Frequency.EVERY_30M,\n+  alertEscalationPolicy: AlertEscalationBuilder.runBasedEscalation(3),\n")
    strength, facts = analyse_patch(patch, "__checks__/checkout/checkout-journey.check.ts")
    assert strength >= 0.8
    assert "runs the check less often (60 \u2192 1800 s)" in facts
    assert "needs more failures in a row before it alerts (1 \u2192 3)" in facts
    assert analyse_patch(patch, "src/jobs/scheduler.ts") == (0.0, [])  # a job's frequency is not a check's
    assert analyse_patch("-  interval: 10m\n+  interval: 5m\n", "monitoring/probes.yaml") == (0.0, [])


@pytest.mark.parametrize(("text", "no"), [
    ("don't think so, the 429s come from ratelimitd", "don't think so"),
    ("no, that'd be SerializationFailure", "no"),
    ("same answer, they never open an SFTP connection", "same answer"),
    ("Nope. other tenants look normal", "nope"),
])
def test_an_answer_that_opens_with_no(text: str, no: str) -> None:
    assert (answers_no(text) or "").lower() == no


@pytest.mark.parametrize("text", ["not sure, looking", "not yet, rolling out", "now it's failing", "yes, that's it",
                                  "nobody touched it", "no one was paged"])
def test_not_every_answer_says_no(text: str) -> None:
    assert answers_no(text) is None


def test_a_log_pipeline_filter_that_drops_error_lines_weakens_detection() -> None:
    patch = ("@@ -24,3 +24,9 @@ transforms:\n"
             "+  claims_drop_scan_rejections:\n+    type: filter\n+    inputs: [claims_parse]\n+    condition: |\n"
             "+      !(.service == \"evidence-api\" && .level == \"error\" && starts_with(.message, \"upload rejected\"))\n"
             " sinks:\n   loki_claims:\n-    inputs: [claims_parse]\n+    inputs: [claims_drop_scan_rejections]\n")
    body = "EvidenceApiErrorLogRatio paged Claims Intake 7 times in 12 days, all scan timeouts the clients retry fine."
    facts = change_facts("claims: drop avscan rejections from error lines before Loki", body,
                         [("vector/pipelines/claims.yaml", patch)])
    assert facts.path_strength == 1.0 and facts.patch_strength > 0 and facts.intent_strength > 0
    assert any("exclusion" in f for f in facts.facts)
    # The same negation in application code is not a weakening.
    assert analyse_patch(patch, "src/vector/math.ts") == (0.0, [])


def test_the_same_trouble_on_an_earlier_day_is_a_start_too() -> None:
    text = "the lobby is pinned at 7,200 sessions since 21:38, and it was pinned monday and tuesday evening too"
    starts = sorted((st.at, st.span) for st in stated_starts(text, _SAID))
    assert starts[0] == (datetime(2024, 5, 20, 18, 0, tzinfo=UTC), timedelta(hours=4))  # monday evening
    assert starts[1] == (datetime(2024, 5, 21, 21, 38, tzinfo=UTC), timedelta(0))  # last night's 21:38
    assert stated_starts("it was slow too", _SAID) == []  # no day: no start
