"""A tiny hand-made warehouse builder for correlation tests: rows shaped like the mappers' output."""

from __future__ import annotations

from collections import defaultdict
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy.orm import Session

from warehouse.load import load_batch

T0 = datetime(2022, 12, 6, 14, 30, tzinfo=UTC)  # the page


def at(days: float = 0.0, hours: float = 0.0) -> datetime:
    """A time relative to the page (negative: before)."""
    return T0 + timedelta(days=days, hours=hours)


class World:
    """Collects rows per table; `load(session)` writes them with the product's loader."""

    def __init__(self) -> None:
        self.rows: dict[str, list[dict[str, Any]]] = defaultdict(list)
        self.repo_ids: dict[str, int] = {}
        self.channels: dict[str, str] = {}

    def ev(self, source: str, kind: str, native_id: str, when: datetime, title: str | None, text: str | None,
           container: str, container_name: str, actor: str | None = None, parent: str | None = None,
           url: str | None = None, attributes: dict[str, Any] | None = None) -> None:
        self.rows["evidence"].append({
            "source": source, "kind": kind, "native_id": native_id, "occurred_at": when, "title": title, "text": text,
            "url": url or f"https://example.test/{source}/{native_id}", "actor": actor, "actor_name": actor,
            "container": container, "container_name": container_name, "parent_native_id": parent,
            "attributes": attributes})

    def ref(self, source: str, native_id: str, kind: str, target: str, label: str | None = None) -> None:
        self.rows["evidence_ref"].append({"from_source": source, "from_native_id": native_id, "ref_kind": kind,
                                          "target": target, "label": label or target})

    def service(self, sid: str, name: str) -> str:
        self.rows["pd_service"].append({"id": sid, "name": name, "description": None, "status": "active"})
        return sid

    def repo(self, full_name: str) -> str:
        rid = self.repo_ids.setdefault(full_name, 1000 + len(self.repo_ids))
        owner, name = full_name.split("/")
        self.rows["gh_repository"].append({"id": rid, "full_name": full_name, "owner": owner, "name": name})
        return full_name

    def pr(self, repo: str, number: int, title: str, body: str, author: str, merged: datetime,
           files: list[tuple[str, str]] | None = None, created: datetime | None = None) -> str:
        rid = self.repo_ids[repo]
        created = created or merged - timedelta(hours=5)
        nid = f"{repo}#{number}"
        self.rows["gh_pull_request"].append({
            "repo_id": rid, "number": number, "repo_full_name": repo, "title": title, "body": body, "state": "closed",
            "author_login": author, "created_at": created, "updated_at": merged, "merged_at": merged,
            "html_url": f"https://github.com/{repo}/pull/{number}"})
        for path, patch in files or []:
            self.rows["gh_pr_file"].append({"repo_id": rid, "pr_number": number, "path": path, "status": "modified",
                                            "additions": 1, "deletions": 1, "patch_excerpt": patch})
        self.ev("github", "pull_request", nid, merged, title, body, repo, repo, author,
                url=f"https://github.com/{repo}/pull/{number}")
        return nid

    def say(self, channel: str, name: str, when: datetime, user: str, text: str,
            refs: list[tuple[str, str, str]] | None = None, bot: bool = False) -> str:
        if channel not in self.channels:
            self.channels[channel] = name
            self.rows["slack_channel"].append({"id": channel, "name": name.lstrip("#")})
        ts = f"{when.timestamp():.6f}"
        nid = f"{channel}/{ts}"
        self.rows["slack_message"].append({"channel_id": channel, "ts": ts, "posted_at": when, "user_id": user,
                                           "text": text})
        self.ev("slack", "message", nid, when, None, text, channel, name, user, attributes={"bot": True} if bot else None)
        for kind, target, label in refs or []:
            self.ref("slack", nid, kind, target, label)
        return nid

    def incident(self, iid: str, number: int, service: str, title: str, created: datetime, *,
                 resolved_after: timedelta = timedelta(minutes=30), urgency: str = "high", notify: bool = True,
                 responders: tuple[str, ...] = ("PU1",), manual_by: str | None = None,
                 notes: tuple[str, ...] = ()) -> str:
        svc_name = next(s["name"] for s in self.rows["pd_service"] if s["id"] == service)
        self.rows["pd_incident"].append({
            "id": iid, "incident_number": number, "title": title, "description": title, "status": "resolved",
            "urgency": urgency, "service_id": service, "created_at": created, "resolved_at": created + resolved_after,
            "assigned_user_ids": list(responders), "html_url": f"https://pd.test/incidents/{iid}"})
        self.ev("pagerduty", "incident", iid, created, title, title, service, svc_name, attributes={"urgency": urgency})
        n = len(self.rows["pd_log_entry"])
        agent = ("user_reference", manual_by) if manual_by else ("events_api_v2_inbound_integration_reference", "PINT")
        self._log(f"L{n}T{iid}", iid, "trigger_log_entry", created, "Triggered", agent, service, svc_name)
        if notify and urgency == "high":
            for u in responders:
                self._log(f"L{n}N{u}{iid}", iid, "notify_log_entry", created + timedelta(seconds=5), f"Notified {u}",
                          ("user_reference", u), service, svc_name, user=u)
        if not manual_by:
            aid = f"A{iid}"
            self.rows["pd_alert"].append({"id": aid, "incident_id": iid, "service_id": service, "summary": title,
                                          "severity": "error", "suppressed": False, "alert_key": title.lower(),
                                          "created_at": created})
            self.ev("pagerduty", "alert", aid, created, title, title, service, svc_name, parent=iid)
        for i, content in enumerate(notes):
            nid = f"N{i}{iid}"
            when = created + timedelta(minutes=5 + i)
            self.rows["pd_note"].append({"id": nid, "incident_id": iid, "user_id": responders[0], "content": content,
                                         "created_at": when})
            self.ev("pagerduty", "note", nid, when, None, content, service, svc_name, parent=iid)
        return iid

    def _log(self, lid: str, iid: str, typ: str, when: datetime, summary: str, agent: tuple[str, str], service: str,
             svc_name: str, user: str | None = None) -> None:
        self.rows["pd_log_entry"].append({"id": lid, "incident_id": iid, "type": typ, "created_at": when,
                                          "summary": summary, "agent_type": agent[0], "agent_id": agent[1],
                                          "user_id": user, "service_id": service})
        self.ev("pagerduty", "log_entry", lid, when, summary, summary, service, svc_name, parent=iid)

    def load(self, session: Session) -> None:
        load_batch(session, dict(self.rows))


@pytest.fixture
def world() -> World:
    return World()


ALERT_RULE_PATCH = """@@ -3,8 +3,8 @@ groups:
   - alert: CheckoutCardTokenRejected
-    expr: rate(card_token_rejected_total[5m]) > 5
-    for: 5m
+    expr: rate(card_token_rejected_total[5m]) > 500
+    for: 2h
     labels:
-      severity: critical
+      severity: warning
"""

TRIGGER_PATCH = """@@ -10,6 +10,9 @@ def refresh_tax_rates(region):
     rates = load_rates(region)
+    if migration_in_progress(region):
+        # the migration owns the table; refreshing now costs a minute
+        return
     store.write(rates)
"""


def checkout_story(w: World) -> dict[str, str]:
    """A story with other words than the seed: noisy pages -> alert rule loosened -> a change -> silent errors."""
    svc = w.service("PSVC1", "checkout-api")
    w.service("PSVC2", "marketing-web")
    w.repo("shop/checkout")
    w.repo("shop/infra-alerts")
    w.repo("shop/marketing-site")
    for i, d in enumerate((-20, -19, -18, -16, -15, -14)):
        w.incident(f"PNOISE{i}", 60 + i, svc, "Checkout card token rejected errors", at(d), responders=("PU1",))
    det = w.pr("shop/infra-alerts", 7, "Stop paging on rejected card tokens",
               "These pages are noisy; raise the threshold and downgrade to warning.", "dana", at(-13),
               files=[("alerts/checkout.rules.yaml", ALERT_RULE_PATCH)])
    unrelated = w.pr("shop/marketing-site", 40, "Update checkout button copy on the marketing site", "New banner text for the sale.", "eve", at(-1),
                     files=[("site/banner.html", "@@ -1 +1 @@\n-Sale\n+Holiday sale")])
    for i in range(6):
        w.pr("shop/marketing-site", 50 + i, f"Tweak landing page layout {i}", "css", "eve", at(-3 + i * 0.2),
             files=[(f"site/page{i}.css", "@@ -1 +1 @@\n-a\n+b")])
    trig = w.pr("shop/checkout", 12, "Skip taxRate refresh during currency migration",
                "Saves a minute of migration time.", "fay", at(-2.5),
                files=[("checkout/tax_rate.py", TRIGGER_PATCH)])
    w.incident("PQUIET1", 70, svc, "Checkout tax calculation errors", at(-1.5), urgency="low", notify=False)
    w.incident("PQUIET2", 71, svc, "Checkout tax calculation errors", at(-0.8), urgency="low", notify=False)
    report = w.say("C9", "#support", at(-1.2), "U7", "Several customers report checkout totals are wrong at payment")
    w.say("C8", "#random", at(-1.1), "U8", "lunch anyone?")
    inc = w.incident("PINC1", 77, svc, "Checkout totals wrong", at(0), manual_by="PU9",
                     notes=("tax rates look stale for new currencies",))
    w.say("C5", "#inc-77-checkout", at(0, 0.05), "U1", "checkout totals are wrong, tax_rate looks stale")
    named = w.say("C5", "#inc-77-checkout", at(0, 0.2), "U2", "it's related to PR 12",
                  refs=[("pr_number", "12", "PR 12")])
    w.say("C5", "#inc-77-checkout", at(0, 0.3), "U1", "refreshing the tax rates for checkout now")
    fix = w.pr("shop/checkout", 13, "Refresh tax_rate after currency migration", "Fixes incident 77.", "fay", at(0.5),
               files=[("checkout/tax_rate.py", "@@ -11,3 +11,1 @@\n-    if migration_in_progress(region):\n-        return")])
    w.ref("github", fix, "incident_number", "77", "incident 77")
    return {"incident": inc, "detection": det, "unrelated": unrelated, "trigger": trig, "report": report,
            "named": named, "fix": fix}
