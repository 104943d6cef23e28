"""World "dns-cutover": Lanyardly (event registration for B2B organisers: invitations, RSVPs, badges, check-in; Dublin
and Toronto) moves its last zone, lanyardly.com, from Terraform-managed Route 53 to octoDNS on Cloudflare on Tuesday 10
June 2025. The zone file is generated from Terraform and diffed against the live zone; six records exist only in Route 53
(created by hand in the console in 2023) and the author drops them as leftovers of Postbeam, the e-mail provider
Lanyardly left in 2023. Two of them, `rm1._domainkey` and `rm2._domainkey`, are the DKIM selectors of Relaymark, today's
provider (its hosts live under rmtx.net). The NS change is applied at 14:02 UTC; from 14:11 every invitation, reminder
and magic sign-in link Relaymark signs with d=lanyardly.com fails DKIM, SPF only passes for Relaymark's shared bounce
domain, so nothing aligns and DMARC fails. Security had tightened `_dmarc` from p=quarantine (50%) to p=reject five
weeks earlier, after a phishing run spoofing Lanyardly badge mails, so Gmail (550 5.7.26), Microsoft (550 5.7.509) and
Yahoo refuse the mail instead of spam-foldering it; and since Identity removed the SMS code fallback two weeks earlier,
an attendee without the link cannot sign in at all. Relaymark's API accepts everything, nothing in the app errors.
Three weeks earlier EmailBounceRateHigh had been moved from paging to the 08:00 UTC digest after six pages in five nights
from Expoline Group's sends to a rented list. So only Relaymark's delivery summary, a low-urgency sign-in click-through
alert, the DMARC report bot and the morning digest show it, and the organisers' tickets pile up in support, until the
support lead pages Messaging by hand the next day, 23.5 hours in, after Brightline Conferences' invitations for
FinTech Forward got a 3% RSVP rate. The war room rules out Monday's new invitation template, a client bump deployed 25
minutes before the page, a status CNAME added to the same zone that morning and a Relaymark outage, then finds the
missing selectors; the fix puts them back with a required-records check in the dns repo's CI."""

from __future__ import annotations

import dataclasses
import random
from datetime import date as _date
from typing import Any

from lookback.sandbox.worlds.builder import epoch, iso
from lookback.sandbox.worlds.edits import make_edits
from lookback.sandbox.worlds.noise import (
    DAY,
    NoiseTeam,
    TeamSpec,
    add_chat,
    add_deploys,
    add_incidents,
    add_joins,
    add_pulls,
)
from lookback.sandbox.worlds.scaffold import (
    HOUR,
    ConfigChange,
    bot_feed,
    config_pulls,
    open_scene,
    page_by_hand,
    story_pull,
    war_room,
    yaml_file,
    yaml_patch,
)
from lookback.sandbox.worlds.story import Change

MESSAGING = TeamSpec("messaging", "Messaging", "notify-svc", "notify", "messaging",
                     ("invitations", "reminders", "signin", "webhooks", "templates"),
                     ("invitation batch", "reminder scheduler", "sign-in link", "Relaymark webhook", "suppression list",
                      "MJML templates", "send window", "unsubscribe footer", "calendar .ics attachment",
                      "bounce handler", "per-tenant send rate", "sender name override"),
                     ("send queue age above 10m", "Relaymark API 5xx above 2%", "webhook consumer lag above 5m"), "go")
REGISTRATION = TeamSpec("registration", "Registration", "rsvp-api", "rsvp", "registration",
                        ("rsvp", "guest_lists", "ticket_types", "forms"),
                        ("guest list import", "RSVP form", "plus-one rule", "waitlist", "ticket type",
                         "custom question", "CSV import", "capacity counter", "RSVP deadline", "co-organiser invite"),
                        ("rsvp-api p99 above 1s", "guest import worker backlog", "rsvp-api 5xx above 1%"), "py")
ONSITE = TeamSpec("onsite", "Onsite", "badge-print", "onsite", "onsite", ("badges", "checkin", "printers", "kiosk"),
                  ("badge template", "Zebra printer driver", "QR check-in", "kiosk mode", "offline sync",
                   "lanyard colour rule", "badge reprint", "door scanner"),
                  ("badge print queue above 200", "check-in sync lag above 5m"), "ts")

STAFF = (("saoirse", "Saoirse Gallagher"), ("idris", "Idris Bellamy"), ("marisol", "Marisol Quintero"),
         ("tobiah", "Tobiah Lindgren"), ("oona", "Oona Harjula"), ("keren", "Keren Abramov"),
         ("ruairi", "Ruairi Doyle"), ("wanjiru", "Wanjiru Kamau"), ("priyanka", "Priyanka Venkataraman"),
         ("halvard", "Halvard Nygaard"))
OUTSIDERS = (("bridget", "Bridget Fairweather"), ("desmond", "Desmond Achterberg"), ("camille", "Camille Rousseau"),
             ("yusuf", "Yusuf Demir"))
MESSAGING_PEOPLE = ["saoirse", "idris", "marisol", "tobiah", "oona"]
ONCALL = ["idris", "marisol", "tobiah", "saoirse"]
SUPPORT = ["bridget", "desmond"]
CSM = ["camille", "yusuf"]

BOUNCE_TITLE = "[notify-svc] EmailBounceRateHigh: bounce rate above 5% (15m)"
BOUNCE_KEY = "prometheus/EmailBounceRateHigh"
CLICK_KEY = "prometheus/SigninLinkClickThroughLow"
DEFER_KEY = "prometheus/EmailDeferredBacklog"

# (slug, name, plan) of organisers that send through Lanyardly
TENANTS = (("brightline-conferences", "Brightline Conferences", "enterprise"),
           ("expoline-group", "Expoline Group", "enterprise"),
           ("tidewater-wine", "Tidewater Wine Festival", "pro"),
           ("ashford-alumni", "Ashford University Alumni Office", "pro"),
           ("kessel-biotech", "Kessel Biotech", "enterprise"),
           ("harbour-arts", "Harbour Arts Trust", "pro"),
           ("quillfest", "Quill & Ink Writers Festival", "starter"),
           ("palisade-capital", "Palisade Capital", "enterprise"),
           ("coldwater-marathon", "Coldwater Marathon", "pro"),
           ("northmoor-rotary", "Northmoor Rotary Club", "starter"))
_TENANT_NAMES = tuple(name for _, name, _ in TENANTS if name != "Expoline Group")
MICROSITES = ("fintechforward25", "tidewater-2025", "ashford-gala", "kessel-biosummit", "quillfest-25",
              "harbour-lates", "coldwater-10k", "palisade-lp-day", "rotary-dinner", "brightline-cx-summit")

_SUPPORT_LINES = (
    "{noun} asks why their badges print with the wrong font on the Zebra ZD421s, known issue?",
    "{noun}: guest list CSV import stuck at 'processing' for 40 min, anyone?",
    "{noun} moved their event date and the RSVP deadline didn't move with it. bug or feature?",
    "{noun} says the check-in app logged out three door staff mid-event yesterday",
    "{noun} cancelled a ticket type, do guests get told? they want a template",
    "{noun} asks for SSO for their staff accounts, is that enterprise only?",
    "{noun}: a guest got two reminder emails 5 min apart, screenshot in the ticket",
    "{noun} wants invitations from their own domain, what's the status of custom sending domains?",
    "{noun} asks if we can import RSVPs from their old Eventbrite export",
)
_CSM_LINES = (
    "{noun} renewal call went well, they want the onsite kiosk bundle",
    "{noun} QBR deck is in the drive, RSVP rates up 6 points on last year",
    "{noun} asking for a Salesforce sync of RSVPs again, any roadmap news?",
    "{noun} runs 4 events in september, heads up for onsite printers",
    "anyone have a university reference for {noun}'s procurement?",
    "{noun} unhappy about the badge reprint fee, taking it to pricing",
    "{noun} wants a walkthrough of waitlists before their next launch",
)
_DELIV_NOUNS = ("Brightline", "Tidewater", "Ashford alumni", "Kessel", "Harbour Arts", "Quillfest", "Palisade",
                "Coldwater", "Northmoor Rotary")
_DELIV_LINES = (
    "{noun}: complaint rate 0.09% on the 3rd reminder, suggested they drop it",
    "Relaymark account review thursday, anything for the list?",
    "{noun} imported a list with 8% role addresses (info@, events@), nudged them about double opt-in",
    "Google Postmaster: domain reputation High all week :white_check_mark:",
    "{noun} wants a dedicated IP, they send ~30k a month, not worth it yet",
    "suppression list at 212k entries, pruning soft bounces older than 2y next week",
    "{noun} asks why their reminders show 'via rmtx.net' in Gmail, that's the shared bounce domain",
)
_OBS_NOUNS = ("recording rules", "Alertmanager routes", "Grafana folders", "promtool tests", "silence policy",
              "on-call handbook", "alert digest", "runbook links")
_ISSUE_SUBJECTS = ("How do I add a plus-one field?", "Badge printer shows offline", "Can I export RSVPs to Excel?",
                   "Change the sender name on invitations", "RSVP button does nothing on iPhone", "Invoice for May",
                   "Check-in app stuck on 'syncing'", "Waitlist not promoting guests", "Add a co-organiser",
                   "Reminder went out at the wrong time", "Guest wants to change their dietary choice",
                   "Custom question not showing on the RSVP form")


def _added(lines: str) -> str:
    """The patch of a new file whose content is `lines`."""
    body = lines.strip("\n").split("\n")
    return "\n".join([f"@@ -0,0 +1,{len(body)} @@", *("+" + x for x in body)])


# --- generated PRs of the dns repo (other zones; lanyardly.com is still on Route 53 until the cut-over) ------------------

def _dns_change(rng: random.Random) -> ConfigChange:
    ticket = f"INFRA-{rng.randrange(480, 640)}"
    k = rng.random()
    if k < 0.30:
        slug = rng.choice(MICROSITES)
        return (f"lanyardly.events: microsite {slug}", rng.choice(("Organiser launch next week.", f"CSM request ({ticket}).",
                                                                   "Custom microsite for the event page.")),
                [yaml_file("zones/lanyardly.events.yaml", yaml_patch(rng.randrange(20, 140), f"{slug[:3]}", [
                    "   type: CNAME", "   value: microsites.lanyardly.net.", f"+{slug}:", "+  type: CNAME",
                    "+  value: microsites.lanyardly.net."]))])
    if k < 0.42:
        slug = rng.choice(MICROSITES)
        return (f"lanyardly.events: remove {slug} (event over)", "Microsites are kept 60 days after the event.",
                [yaml_file("zones/lanyardly.events.yaml", yaml_patch(rng.randrange(20, 140), "", [
                    f"-{slug}:", "-  type: CNAME", "-  value: microsites.lanyardly.net."]))])
    if k < 0.58:
        host = rng.choice(("grafana", "argocd", "backstage", "vault", "sentry", "unleash"))
        return (f"lanyardly.dev: {host} -> internal load balancer", f"Moving {host} behind the VPN LB ({ticket}).",
                [yaml_file("zones/lanyardly.dev.yaml", yaml_patch(rng.randrange(5, 60), "", [
                    f" {host}:", "   type: CNAME", "-  value: tools-lb-eu1.lanyardly.net.",
                    "+  value: internal-lb-eu1.lanyardly.net."]))])
    if k < 0.70:
        host = rng.choice(("api-prod-eu1", "app-prod-eu1", "api-prod-ca1", "app-prod-ca1", "ws-prod-eu1"))
        a, c = rng.randrange(2, 250), rng.randrange(2, 250)
        return (f"lanyardly.net: {host} to the new NLB", f"{ticket}: ALB -> NLB for websockets.",
                [yaml_file("zones/lanyardly.net.yaml", yaml_patch(rng.randrange(5, 80), "", [
                    f" {host}:", "   type: A", "   values:", f"-    - 52.48.{a}.{c}", f"+    - 34.250.{c}.{a}"]))])
    if k < 0.80:
        a, c = rng.choice(((3600, 300), (300, 3600), (86400, 3600)))
        return (f"lnyd.ly: TTL {a} -> {c}", "Short links, the redirector moves next sprint.",
                [yaml_file("zones/lnyd.ly.yaml", yaml_patch(3, "", [
                    "   - type: A", f"-    ttl: {a}", f"+    ttl: {c}"]))])
    if k < 0.90:
        zone = rng.choice(("lanyardly.dev", "lanyardly.events", "lanyardly.net"))
        return (f"{zone}: CAA for Let's Encrypt and Sectigo", f"Security baseline ({ticket}).",
                [yaml_file(f"zones/{zone}.yaml", yaml_patch(2, "", [
                    " '':", "+  - type: CAA", "+    values:", "+      - flags: 0", "+        tag: issue",
                    "+        value: letsencrypt.org", "+      - flags: 0", "+        tag: issue",
                    "+        value: sectigo.com"]))])
    minor = rng.randrange(7, 11)
    return (f"Bump octodns-cloudflare to 0.0.{minor + 1}", "Routine bump, validate passes.",
            [yaml_file("requirements.txt", yaml_patch(2, "", [f"-octodns-cloudflare==0.0.{minor}",
                                                               f"+octodns-cloudflare==0.0.{minor + 1}"]))])


_RULES = (("RsvpApiLatencyHigh", "rules/registration/rsvp.yaml"), ("GuestImportBacklog", "rules/registration/imports.yaml"),
          ("BadgePrintQueueHigh", "rules/onsite/badges.yaml"), ("CheckinSyncLag", "rules/onsite/checkin.yaml"),
          ("RelaymarkWebhookLag", "rules/messaging/webhooks.yaml"), ("SendQueueAge", "rules/messaging/queues.yaml"),
          ("TemplateRenderErrors", "rules/messaging/templates.yaml"), ("NodeDiskPressure", "rules/platform/nodes.yaml"))


def _alert_change(rng: random.Random) -> ConfigChange:
    """One generated PR of the alerting repo: other rules, routes, dashboards, tooling."""
    ticket = f"OBS-{rng.randrange(200, 320)}"
    name, path = rng.choice(_RULES)
    k = rng.random()
    if k < 0.25:
        a, c = rng.choice((("5m", "10m"), ("10m", "5m"), ("15m", "30m"), ("10m", "20m")))
        return (f"{name}: for {a} -> {c}", rng.choice((f"On-call review ({ticket}).", "Fires on blips.")),
                [yaml_file(path, yaml_patch(rng.randrange(4, 40), "rules:", [
                    f"       - alert: {name}", f"-        for: {a}", f"+        for: {c}"]))])
    if k < 0.45:
        was, now = rng.choice(((200, 300), (300, 200), (500, 800), (1000, 750)))
        return (f"{name}: threshold {was} -> {now}", f"Tuned after last week's pages ({ticket}).",
                [yaml_file(path, yaml_patch(rng.randrange(4, 40), "rules:", [
                    f"       - alert: {name}", f"-        expr: {name.lower()}_value > {was}",
                    f"+        expr: {name.lower()}_value > {now}"]))])
    if k < 0.60:
        return (f"{name}: add runbook link", "Every alert gets a runbook.",
                [yaml_file(path, yaml_patch(rng.randrange(4, 40), "annotations:", [
                    f"+          runbook: https://wiki.lanyardly.com/runbooks/{name.lower()}"]))])
    if k < 0.72:
        return (f"{name}: warning goes to Slack only", "Nobody acts on it at night.",
                [yaml_file(path, yaml_patch(rng.randrange(4, 40), "labels:", [
                    f"       - alert: {name}", "-          severity: page", "+          severity: warning"]))])
    if k < 0.88:
        board = rng.choice(("rsvp-api overview", "notify-svc sends", "onsite printers", "cluster capacity"))
        panel = rng.choice(("p99 by route", "queue depth", "webhook lag", "error ratio by tenant", "pod restarts"))
        return (f"Dashboard {board}: add '{panel}'", f"For the weekly ops review ({ticket}).",
                [yaml_file(f"dashboards/{board.replace(' ', '-')}.json", yaml_patch(rng.randrange(20, 300), "panels", [
                    f'+    {{"title": "{panel}", "type": "timeseries"}},']))])
    minor = rng.randrange(50, 54)
    return (f"CI: promtool 2.{minor} -> 2.{minor + 1}", "Routine bump.",
            [yaml_file(".github/workflows/ci.yaml", yaml_patch(14, "jobs:", [
                f"-      PROMTOOL_VERSION: 2.{minor}.0", f"+      PROMTOOL_VERSION: 2.{minor + 1}.0"]))])


# --- bot lines ---------------------------------------------------------------------------------------------------

def _alert_line(rng: random.Random, t: float) -> str:
    """Routine Alertmanager lines in #messaging-alerts (warnings that page nobody)."""
    k = rng.random()
    if k < 0.35:
        return (f":large_yellow_circle: *[FIRING:1]* RelaymarkWebhookLag notify-svc · consumer lag "
                f"{rng.randrange(3, 12)}m{rng.randrange(0, 60):02d}s (warning)")
    if k < 0.55:
        return ":large_green_circle: *[RESOLVED]* RelaymarkWebhookLag notify-svc"
    if k < 0.75:
        return (f":large_yellow_circle: *[FIRING:1]* SendQueueAge notify-svc · oldest {rng.randrange(320, 900)}s in "
                f"`{rng.choice(('invitations-bulk', 'reminders', 'digest-mails'))}` (warning)")
    tenant = rng.choice(TENANTS)[0]
    return (f":large_yellow_circle: *[FIRING:1]* TemplateRenderErrors notify-svc · {rng.randrange(3, 60)} errors/10m "
            f"(tenant `{tenant}`: missing variable guest.first_name)")


def _intercom_line(rng: random.Random, t: float) -> str:
    _, name, plan = rng.choice(TENANTS)
    return (f":speech_balloon: New conversation #{rng.randrange(81_000, 89_000)} · {name} ({plan}) · "
            f"\"{rng.choice(_ISSUE_SUBJECTS)}\"")


def _relaymark_event(rng: random.Random, t: float) -> str:
    """Relaymark's other webhook notices in #email-deliverability."""
    slug, _, _ = rng.choice(TENANTS[2:])
    k = rng.random()
    if k < 0.4:
        return (f":envelope_with_arrow: Relaymark: spam complaint via {rng.choice(('aol.com', 'yahoo.com', 'outlook.com'))}"
                f" feedback loop · tenant `{slug}` · stream `{rng.choice(('invitations', 'reminders'))}`")
    if k < 0.7:
        return f":no_entry_sign: Relaymark: {rng.randrange(40, 900)} addresses added to the suppression list (hard bounces, tenant `{slug}`)"
    return (f":hourglass: Relaymark: {rng.choice(('outlook.com', 'gmx.net', 'orange.fr', 'comcast.net'))} throttling "
            f"(`421 4.7.0`), {rng.randrange(200, 1900)} messages deferred, retrying")


def _summary(t0: float, sent: int, delivered: float, deferred: float, bounced: float, complaints: float,
             top: str) -> str:
    return (f":bar_chart: *Relaymark* `lanyardly.com` {iso(t0)[5:10]} {iso(t0)[11:16]}-{iso(t0 + 3 * HOUR)[11:16]} UTC · "
            f"{sent:,} processed · delivered {delivered:.1f}% · deferred {deferred:.1f}% · bounced {bounced:.1f}% · "
            f"complaints {complaints:.2f}% · {top}")


# --- the story's PRs ------------------------------------------------------------------------------------------------

_ZONE = r"""---
# lanyardly.com: generated from infra/terraform/dns/lanyardly_com.tf by tools/tf2octodns.py (INFRA-611),
# then diffed against `octodns-dump` of the live Route 53 zone. Route 53 stays as a rollback until 2025-06-17.
'':
  - type: ALIAS
    value: lanyardly-web.pages.dev.
  - type: MX
    values:
      - exchange: aspmx.l.google.com.
        preference: 1
      - exchange: alt1.aspmx.l.google.com.
        preference: 5
      - exchange: alt2.aspmx.l.google.com.
        preference: 5
  - type: TXT
    values:
      - atlassian-domain-verification=Zx81PqLmN0vC3bRtY6
      - google-site-verification=Qm4v0n8cZr1kH2yT7pXw3sLd9aEfBgUj
      - stripe-verification=4b1c0d9e77f2a8c1
      - v=spf1 include:_spf.google.com include:spf.rmtx.net ~all
_dmarc:
  type: TXT
  value: v=DMARC1\; p=reject\; pct=100\; rua=mailto:rua@dmarc.lanyardly.com\; ruf=mailto:ruf@dmarc.lanyardly.com\; fo=1\; adkim=r\; aspf=r
api:
  type: CNAME
  value: api-prod-eu1.lanyardly.net.
app:
  octodns:
    cloudflare:
      proxied: true
  type: CNAME
  value: app-prod-eu1.lanyardly.net.
ca.api:
  type: CNAME
  value: api-prod-ca1.lanyardly.net.
checkin:
  type: CNAME
  value: checkin-prod-eu1.lanyardly.net.
dmarc:
  type: MX
  value:
    exchange: rua.dmarc-reports.net.
    preference: 10
google._domainkey:
  type: TXT
  value: v=DKIM1\; k=rsa\; p=MIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEAu3kq0Xo8g1w6Zb
help:
  octodns:
    cloudflare:
      proxied: true
  type: CNAME
  value: lanyardly.zendesk.com.
links:
  type: CNAME
  value: track.rmtx.net.
status:
  type: CNAME
  value: lanyardly.statuspage.io.
ws:
  type: CNAME
  value: ws-prod-eu1.lanyardly.net.
www:
  octodns:
    cloudflare:
      proxied: true
  type: CNAME
  value: lanyardly-web.pages.dev.
"""

_TRIGGER = Change(
    author="keren", reviewer="ruairi", labels=("dns", "migration"),
    title="Move lanyardly.com to Cloudflare: octoDNS zone + registrar NS (INFRA-611)",
    body="Last zone on Route 53. Same approach as lanyardly.dev ({{pr:dev_move}}) and lanyardly.events:\n\n"
         "- `zones/lanyardly.com.yaml` is generated from the Terraform in infra (`terraform/dns/lanyardly_com.tf`, "
         "204 records) with `tools/tf2octodns.py`, then diffed against a live `octodns-dump` of the Route 53 zone.\n"
         "- `octodns/production.yaml` adds the zone with Cloudflare as the only target. Proxied stays off except "
         "`app`, `www` and `help`.\n"
         "- `registrar/lanyardly_com.tf` points the delegation at Cloudflare. NS TTL is 300 since {{pr:ttl_lower}}, "
         "so resolvers follow within minutes. The Route 53 zone stays untouched for a week as the rollback (flip "
         "the NS back).\n\n"
         "**Only in Route 53, not carried over.** Six records are in the live zone but not in Terraform: created in "
         "the console in 2023, no owner tag, nothing references them. They date "
         "from the Postbeam days (we left Postbeam in 2023); asked in #messaging, nobody owns them:\n\n"
         "| name | type | value |\n|---|---|---|\n"
         "| `em2231` | CNAME | `u2231.wl.postbeam.net.` |\n"
         "| `pb1._domainkey` | CNAME | `pb1.domainkey.u2231.wl.postbeam.net.` |\n"
         "| `pb2._domainkey` | CNAME | `pb2.domainkey.u2231.wl.postbeam.net.` |\n"
         "| `rm1._domainkey` | CNAME | `rm1.lanyardly-com.dkim.rmtx.net.` |\n"
         "| `rm2._domainkey` | CNAME | `rm2.lanyardly-com.dkim.rmtx.net.` |\n"
         "| `postbeam-verification` | TXT | `pbv=9f2c1e07aa` |\n\n"
         "Mail records that are in Terraform are carried over as they are: MX (Google), SPF, `google._domainkey`, "
         "`_dmarc` (p=reject), `links` (click tracking).\n\n"
         "## Plan\n`octodns-sync` dry run, see the bot comment: lanyardly.com -> cloudflare, 204 creates.\n\n"
         "## Rollout\nMerge Tuesday after 13:30 UTC, watch `app`/`api` 5xx and certificate renewals for an hour.",
    files=(("zones/lanyardly.com.yaml", _added(_ZONE)),
           ("octodns/production.yaml", yaml_patch(18, "zones:", [
               "   lanyardly.events.:", "     sources: [config]", "     targets: [cloudflare]",
               "+  lanyardly.com.:", "+    sources: [config]", "+    targets: [cloudflare]",
               "+    # Route 53 is no longer a target: the old zone stays, frozen, as a rollback until 2025-06-17.",
               "   lnyd.ly.:", "     sources: [config]", "     targets: [cloudflare]"])),
           ("registrar/lanyardly_com.tf", yaml_patch(1, "", [
               " # Delegation of lanyardly.com at Gandi. Changing this moves the whole zone: read the README first.",
               ' resource "gandi_nameservers" "lanyardly_com" {', '   domain = "lanyardly.com"', "   nameservers = [",
               '-    "ns-1187.awsdns-20.org",', '-    "ns-1832.awsdns-37.co.uk",', '-    "ns-402.awsdns-50.com",',
               '-    "ns-712.awsdns-25.net",', '+    "kate.ns.cloudflare.com",', '+    "rob.ns.cloudflare.com",',
               "   ]", " }"]))),
)

_DEV_MOVE = Change(
    author="keren", reviewer="ruairi", labels=("dns", "migration"),
    title="Move lanyardly.dev to Cloudflare (octoDNS), first zone off Route 53 (INFRA-598)",
    body="Internal tools zone, 31 records, generated from Terraform with the new `tools/tf2octodns.py`. Live dump "
         "matched Terraform exactly. If this goes fine, lanyardly.events and lanyardly.com follow.",
    files=(("zones/lanyardly.dev.yaml", _added("""---
'':
  - type: NS
    values: [kate.ns.cloudflare.com., rob.ns.cloudflare.com.]
argocd:
  type: CNAME
  value: tools-lb-eu1.lanyardly.net.
grafana:
  type: CNAME
  value: tools-lb-eu1.lanyardly.net."""),),
           ("tools/tf2octodns.py", _added('''"""Convert aws_route53_record resources of a Terraform plan (JSON) into an octoDNS zone file."""
import json, sys, yaml

def convert(plan: dict) -> dict:
    out: dict = {}
    for res in plan["planned_values"]["root_module"]["resources"]:
        if res["type"] != "aws_route53_record":
            continue
        v = res["values"]
        name = v["name"].removesuffix("." + v["zone_name"]).removesuffix(v["zone_name"])
        out.setdefault(name, []).append({"type": v["type"], "ttl": v["ttl"], "values": v["records"]})
    return out'''))),
)

_TTL = Change(
    author="keren", reviewer="ruairi", labels=("dns",),
    title="lanyardly.com: NS and SOA TTLs down to 300 ahead of the Cloudflare move (INFRA-611)",
    body="So the delegation change next week is picked up in minutes instead of two days. Goes back up once the "
         "zone is on Cloudflare.",
    files=(("terraform/dns/lanyardly_com.tf", yaml_patch(9, 'resource "aws_route53_record" "ns" {', [
        '   name    = "lanyardly.com"', '   type    = "NS"', "-  ttl     = 172800", "+  ttl     = 300",
        "   records = aws_route53_zone.lanyardly_com.name_servers"])),),
)

_DMARC = Change(
    author="wanjiru", reviewer="ruairi", labels=("security", "dns"),
    title="DMARC for lanyardly.com: p=quarantine pct=50 -> p=reject pct=100 (SEC-388)",
    body="Since mid-April someone sends fake 'Your badge is ready, complete your registration payment' mails as "
         "`events@lanyardly.com` from ~200 residential IPs: 9-14k a day in the aggregate reports, and three organisers "
         "forwarded copies their guests had paid into. With quarantine at 50% half of them still reach the inbox.\n\n"
         "Our own senders have been 100% aligned for 30 days in the aggregate reports: Google Workspace (SPF and "
         "DKIM `google`) and Relaymark (DKIM `rm1`/`rm2`, d=lanyardly.com; its return path is Relaymark's own "
         "bounce domain, so SPF never aligns for it). Nothing legitimate fails DMARC, so reject is safe. Also adds "
         "`ruf` and `fo=1` to get failure samples.\n\nRollback: p back to quarantine, TTL 3600.",
    files=(("terraform/dns/lanyardly_com.tf", yaml_patch(88, 'resource "aws_route53_record" "dmarc" {', [
        "   zone_id = aws_route53_zone.lanyardly_com.zone_id", '   name    = "_dmarc.lanyardly.com"',
        '   type    = "TXT"', "   ttl     = 3600",
        '-  records = ["v=DMARC1; p=quarantine; pct=50; rua=mailto:rua@dmarc.lanyardly.com; adkim=r; aspf=r"]',
        '+  # SEC-388: spoofed "badge ready / payment" mails as events@lanyardly.com; our senders align since April.',
        '+  records = ["v=DMARC1; p=reject; pct=100; rua=mailto:rua@dmarc.lanyardly.com; ruf=mailto:ruf@dmarc.lanyardly.com; fo=1; adkim=r; aspf=r"]',
        " }"])),),
)

_SMS = Change(
    author="priyanka", reviewer="", labels=("signin", "fraud"),
    title="Sign-in: remove the SMS one-time-code fallback, magic link only (ID-517)",
    body="The 'text me a code instead' link on the check-your-inbox page is being pumped: 41k SMS to premium ranges "
         "in April (mostly +996, +252, +371), $11.8k on the Twilio bill, and the rate limit per number doesn't help "
         "because every request uses a new number. 0.9% of real sign-ins used it last quarter, all of them could "
         "also use the link.\n\nRemoves the fallback and the `/signin/sms` endpoints; the page now says to check "
         "spam and offers 'send the link again' (max 3 per 10 min).",
    files=(("internal/signin/methods.go", yaml_patch(22, "func availableMethods(acct *Account) []Method {", [
        "     methods := []Method{MagicLink}", "-    if acct.Phone != \"\" && featureflags.Enabled(\"signin-sms-fallback\") {",
        "-        methods = append(methods, SMSCode)", "-    }", "     return methods"])),
           ("internal/signin/sms.go", "@@ -1,6 +0,0 @@\n-package signin\n-\n-// SMSCode sends a 6-digit code by "
            "Twilio when the magic link does not arrive.\n-func (s *Service) SendSMSCode(ctx context.Context, acct "
            "*Account) error {\n-    return s.twilio.Send(ctx, acct.Phone, s.codeMessage(acct))\n-}"),
           ("web/templates/signin/check_inbox.html", yaml_patch(14, "", [
               '   <p>We sent a sign-in link to <strong>{{ .Email }}</strong>. It works for 15 minutes.</p>',
               '-  <a href="/signin/sms">Didn\'t get it? Text me a code instead</a>',
               '+  <p>Nothing yet? Check your spam folder, or <a href="/signin/resend">send the link again</a>.</p>'])),),
)

_WEAKENING = Change(
    author="marisol", reviewer="saoirse", labels=("alerting", "on-call"),
    title="EmailBounceRateHigh: morning digest instead of paging (MSG-902)",
    body="EmailBounceRateHigh paged us six times in five days, four of them between 02:00 and 02:40 UTC, and every "
         "one was Expoline Group's 'Build & Construct Week' sends to a rented list (hard bounces 11-16%, `550 5.1.1`). "
         "There is nothing on call can do about a customer's list at 2am: Relaymark throttles and suspends a sender "
         "above 10% on its own, and list hygiene is Deliverability's, with the customer, in working hours.\n\n"
         "The rule now has `severity: digest`, so it goes to the 08:00 UTC alert digest in #messaging-alerts with "
         "the top tenants by bounces, and Oona picks it up from there. EmailDeferredBacklog and "
         "SigninLinkClickThroughLow stay as they are (low urgency).",
    files=(("rules/messaging/email.yaml", yaml_patch(1, "", [
        " groups:", "   - name: messaging-email", "     rules:", "       - alert: EmailBounceRateHigh",
        "         expr: |", '           sum(rate(relaymark_events_total{event="bounce"}[15m]))',
        '             / sum(rate(relaymark_events_total{event="processed"}[15m])) > 0.05', "         for: 15m",
        "         labels:", "           team: messaging", "-          severity: page",
        "+          # MSG-902: six pages in five nights, all Expoline's rented list. A customer's list is Deliverability's",
        "+          # in working hours; Relaymark throttles and suspends a sender above 10% by itself.",
        "+          severity: digest", "         annotations:",
        '           summary: "Bounce rate {{ $value | humanizePercentage }} above 5% (15m)"',
        "           runbook: https://wiki.lanyardly.com/runbooks/email-bounce-rate"])),
           ("tests/messaging/email_test.yaml", yaml_patch(12, "", [
               "       - exp_alerts:", "           - exp_labels:", "               alertname: EmailBounceRateHigh",
               "               team: messaging", "-              severity: page", "+              severity: digest"]))),
)

_TEMPLATE = Change(
    author="marisol", reviewer="oona", labels=("templates", "invitations"),
    title="Invitation e-mail: MJML rewrite, bulletproof RSVP buttons, plain-text part (MSG-874)",
    body="The invitation was a 2019 table layout that Outlook mangles. Rewritten in MJML: the organiser's banner, "
         "event card, three bulletproof buttons (Yes / Maybe / No) that RSVP in one click, and a real plain-text "
         "part (we sent an auto-generated one). Litmus: renders in all 92 clients we test, spam tests pass "
         "(SpamAssassin 0.4). Same subject and sender as before.",
    files=(("templates/invitation/invitation.mjml", _added("""<mjml>
  <mj-head><mj-preview>{{ .Organiser }} invites you to {{ .Event.Name }}</mj-preview></mj-head>
  <mj-body background-color="#f4f5f7">
    <mj-section><mj-column><mj-image src="{{ .Event.BannerURL }}" alt="{{ .Event.Name }}" /></mj-column></mj-section>
    <mj-section><mj-column>
      <mj-text font-size="20px">{{ .Event.Name }}</mj-text>
      <mj-text>{{ .Event.When }} · {{ .Event.Venue }}</mj-text>
      <mj-button href="{{ .RSVPURL "yes" }}">Yes, I'll be there</mj-button>
      <mj-button href="{{ .RSVPURL "maybe" }}" background-color="#6b7280">Maybe</mj-button>
      <mj-button href="{{ .RSVPURL "no" }}" background-color="#6b7280">Can't make it</mj-button>
    </mj-column></mj-section>
  </mj-body>
</mjml>""")),
           ("templates/invitation/invitation.txt.tmpl", _added("""{{ .Organiser }} invites you to {{ .Event.Name }}
{{ .Event.When }}, {{ .Event.Venue }}

RSVP: {{ .RSVPURL "yes" }} (yes) · {{ .RSVPURL "maybe" }} (maybe) · {{ .RSVPURL "no" }} (no)""")),
           ("internal/render/invitation.go", yaml_patch(41, "func (r *Renderer) Invitation(inv Invitation) (Message, error) {", [
               '-    html, err := r.legacy.Execute("invitation.html", inv)',
               '+    html, err := r.mjml.Render("invitation/invitation.mjml", inv)', "     if err != nil {",
               "         return Message{}, err", "     }",
               '+    text, err := r.text.Execute("invitation/invitation.txt.tmpl", inv)']))),
)

_CLIENT = Change(
    author="tobiah", reviewer="idris", labels=("dependencies",),
    title="relaymark-go v2.6.3 -> v2.7.1 (HTTP/2 keep-alive, retries on batch sends)",
    body="2.7 keeps HTTP/2 connections to api.relaymark.com alive between batches (we open ~3k TLS connections an "
         "hour today) and retries a batch send on 502/503 with backoff. No API change for us; the webhook "
         "signature helper moved package.",
    files=(("go.mod", yaml_patch(9, "require (", ["-    github.com/relaymark/relaymark-go/v2 v2.6.3",
                                                  "+    github.com/relaymark/relaymark-go/v2 v2.7.1"])),
           ("internal/relay/webhook.go", yaml_patch(12, "import (", [
               '-    "github.com/relaymark/relaymark-go/v2/webhooks"',
               '+    webhooks "github.com/relaymark/relaymark-go/v2/events/signature"']))),
)

_STATUS = Change(
    author="ruairi", reviewer="keren", labels=("dns",),
    title="lanyardly.com: status -> Instatus (Statuspage contract ends June 30)",
    body="Status page moves to Instatus; they verify the custom domain by CNAME. Old target stays reachable until "
         "the 30th, so no gap.",
    files=(("zones/lanyardly.com.yaml", yaml_patch(66, "links:", [
        " status:", "   type: CNAME", "-  value: lanyardly.statuspage.io.", "+  value: lanyardly.instatus.com."])),),
)

_FIX = Change(
    author="keren", reviewer="ruairi", labels=("dns", "incident"),
    title="lanyardly.com: restore Relaymark DKIM rm1/rm2._domainkey (dropped in the Cloudflare move)",
    body="Fixes {{incurl:page}}.\n\n{{url:trigger}} did not carry over the six records that existed only in the Route "
         "53 console. Four were Postbeam's; `rm1._domainkey` and `rm2._domainkey` are Relaymark's DKIM selectors "
         "(rmtx.net is Relaymark's sending infrastructure). Since the NS change on Tuesday at 14:02 UTC every message "
         "Relaymark signs with `d=lanyardly.com; s=rm1` fails DKIM. SPF passes only for Relaymark's bounce domain, "
         "which does not align, so DMARC fails, and with p=reject Gmail (`550 5.7.26`), Microsoft (`550 5.7.509`) "
         "and Yahoo (`554 5.7.9`) refuse the mail.\n\n"
         "Also adds `required-records.yaml`: CI resolves every entry against the zone file and fails a PR that "
         "drops one. Messaging owns the mail entries.",
    files=(("zones/lanyardly.com.yaml", yaml_patch(61, "links:", [
        "   type: CNAME", "   value: track.rmtx.net.",
        "+# Relaymark DKIM (invitations, reminders, sign-in links). Owner: #messaging. Were console-only in Route 53.",
        "+rm1._domainkey:", "+  type: CNAME", "+  value: rm1.lanyardly-com.dkim.rmtx.net.", "+rm2._domainkey:",
        "+  type: CNAME", "+  value: rm2.lanyardly-com.dkim.rmtx.net.", " status:"])),
           ("required-records.yaml", _added("""# Records that must exist; CI fails a zone PR that drops one. owner: who to ask before changing it.
lanyardly.com.:
  - {name: rm1._domainkey, type: CNAME, owner: messaging, why: Relaymark DKIM, DMARC is p=reject}
  - {name: rm2._domainkey, type: CNAME, owner: messaging, why: Relaymark DKIM, DMARC is p=reject}
  - {name: google._domainkey, type: TXT, owner: it, why: Google Workspace DKIM}
  - {name: _dmarc, type: TXT, owner: security}
  - {name: links, type: CNAME, owner: messaging, why: click tracking}
  - {name: '', type: MX, owner: it}""")),
           (".github/workflows/validate.yaml", yaml_patch(21, "jobs:", [
               "       - run: octodns-validate --config-file=octodns/production.yaml",
               "+      - run: python tools/check_required.py required-records.yaml zones/"]))),
)

_FOLLOW = Change(
    author="saoirse", reviewer="idris", labels=("alerting", "incident"),
    title="Email: page on platform-wide bounces and on DMARC/auth refusals; single-tenant list bounces stay in the digest",
    body="Follow-up of {{incurl:page}}. Since {{url:weakening}} EmailBounceRateHigh only reached the 08:00 digest, so "
         "27% of all our mail bouncing for 17 hours looked like one more customer's list.\n\n"
         "- `EmailBounceRateHigh` pages again, but only when the bounce rate is high *without* the top tenant "
         "(`topk` excluded), so one rented list doesn't page.\n- `TenantListBounceRate` (per tenant) is the one "
         "that goes to the digest.\n- New `EmailAuthRefusals`: pages when `550 5.7.26`, `550 5.7.509` or "
         "`554 5.7.9` are above 1% of processed mail for 10m. Those are never the customer's list.",
    files=(("rules/messaging/email.yaml", yaml_patch(4, "", [
        "       - alert: EmailBounceRateHigh", "         expr: |",
        '-          sum(rate(relaymark_events_total{event="bounce"}[15m]))',
        '-            / sum(rate(relaymark_events_total{event="processed"}[15m])) > 0.05',
        '+          (sum(rate(relaymark_events_total{event="bounce"}[15m]))',
        '+            - max(sum by (tenant) (rate(relaymark_events_total{event="bounce"}[15m]))))',
        '+            / sum(rate(relaymark_events_total{event="processed"}[15m])) > 0.03', "         for: 15m",
        "         labels:", "           team: messaging", "-          severity: digest", "+          severity: page",
        "+      - alert: EmailAuthRefusals",
        '+        expr: sum(rate(relaymark_events_total{event="bounce", smtp_code=~"5.7.26|5.7.509|5.7.9"}[10m]))',
        '+          / sum(rate(relaymark_events_total{event="processed"}[10m])) > 0.01', "+        for: 10m",
        "+        labels: {team: messaging, severity: page}"])),),
)

_RESEND = Change(
    author="idris", reviewer="tobiah", labels=("incident",),
    title="One-off: re-send invitations and reminders refused with 5.7.26 / 5.7.509 / 5.7.9 on Jun 10-11",
    body="After {{url:fix}}. Selects messages Relaymark reported as bounced with a DMARC/auth code between "
         "2025-06-10 14:00 and 2025-06-11 14:30 UTC, drops sign-in links (expired anyway) and RSVPs already "
         "answered, and re-queues the rest on the bulk stream at 2k/min: ~58k messages. Organisers were told by "
         "support; Brightline's go out first.",
    files=(("cmd/resend-refused/main.go", _added("""package main

// resend-refused re-queues invitations and reminders that were refused for DMARC/auth between two instants.
func main() {
    from, to := mustTime("2025-06-10T14:00:00Z"), mustTime("2025-06-11T14:30:00Z")
    codes := []string{"5.7.26", "5.7.509", "5.7.9"}
    n := resend(ctx, store, relay, from, to, codes, skipKinds("signin_link"), skipAnswered(), ratePerMin(2000))
    log.Printf("re-queued %d messages", n)
}""")),),
)


def _digest_extra(rng: random.Random) -> list[str]:
    """Routine entries of the 08:00 alert digest of notify-svc (warning-level alerts of the last 24h)."""
    pool = (f"RelaymarkWebhookLag fired {rng.randrange(1, 4)}x, longest {rng.randrange(4, 19)}m",
            f"SendQueueAge fired 1x (`invitations-bulk`, {rng.randrange(6, 25)}m)",
            f"TemplateRenderErrors fired {rng.randrange(1, 3)}x (tenant `{rng.choice(TENANTS)[0]}`)",
            f"SigninLinkLatency fired 1x (p95 {rng.randrange(31, 70)}s for {rng.randrange(10, 30)}m)")
    return rng.sample(pool, rng.choice((0, 0, 1, 1, 2)))


def _volume(rng: random.Random, slot: float) -> int:
    hour = int(iso(slot)[11:13])
    base = {0: 9_000, 3: 7_000, 6: 28_000, 9: 52_000, 12: 61_000, 15: 57_000, 18: 33_000, 21: 14_000}[hour]
    weekend = _date.fromisoformat(iso(slot)[:10]).weekday() >= 5
    return int(base * (0.35 if weekend else 1.0) * rng.uniform(0.8, 1.2))


def build_dns_cutover(scale: int = 1) -> tuple[dict[str, Any], dict[str, Any]]:
    """Build the dns-cutover world and its truth; `scale` multiplies the noise only."""
    sc = open_scene(name="dns-cutover", seed=9157, org="lanyardly", team_name="Messaging",
                    page_at="2025-06-11T13:42:00Z", impact_start="2025-06-10T14:11:00Z",
                    noise_teams=("platform", "identity", "data", "web", "mobile", "growth"),
                    staff=STAFF, outsiders=OUTSIDERS, scale=scale)
    b, tr, T, start, end = sc.b, sc.tr, sc.T, sc.start, sc.end
    rng = b.rng
    n = sc.scale
    impact = epoch("2025-06-10T14:11:00Z")
    for key, name in (("relaymark", "Relaymark"), ("dmarcbot", "DMARC Reports"), ("digestbot", "Alert Digest"),
                      ("alertmanager", "Alertmanager"), ("octodns", "octoDNS CI"), ("tfc", "Terraform Cloud"),
                      ("intercom", "Intercom"), ("rulesci", "Rules CI")):
        b.person(key, name, github=False, is_bot=True)
    for key in MESSAGING_PEOPLE + ["keren", "ruairi", "wanjiru", "bridget", "desmond", "camille"]:
        b.people[key].tz = "Europe/Dublin"
    for key in ("priyanka", "halvard", "yusuf"):
        b.people[key].tz = "America/Toronto"
    platform, identity, growth = sc.team("platform"), sc.team("identity"), sc.team("growth")
    plat_team = next(t["id"] for t in b.pd["teams"] if t["name"] == "Platform")

    # Messaging, Registration, Onsite, public DNS: PagerDuty, channels, repos ----------------------------------------
    m_team = b.team("Messaging")
    m_policy = b.policy("Messaging on-call", m_team, ONCALL)
    svc = b.service("notify-svc", "Messaging: invitations, reminders and sign-in links, sent through Relaymark",
                    m_policy, m_team, iso(start - 800 * DAY))
    reg_people = ["halvard"] + sc.crowd[18:22]
    r_team = b.team("Registration")
    r_policy = b.policy("Registration on-call", r_team, reg_people[:3])
    r_svc = b.service("rsvp-api", "RSVPs, guest lists, ticket types and registration forms", r_policy, r_team,
                      iso(start - 820 * DAY))
    ons_people = sc.crowd[22:26]
    o_team = b.team("Onsite")
    o_policy = b.policy("Onsite on-call", o_team, ons_people[:3])
    o_svc = b.service("badge-print", "Badge printing and the check-in app backend", o_policy, o_team,
                      iso(start - 500 * DAY))
    d_svc = b.service("public-dns", "Public DNS zones: octoDNS to Cloudflare (lanyardly.com on Route 53 until June)",
                      platform.policy, plat_team, iso(start - 900 * DAY))
    infra_people = ["keren", "ruairi"] + platform.members[:3]
    sec_people = ["wanjiru"] + sc.crowd[26:28]

    msg_ch = b.channel("messaging", "Messaging team: invitations, reminders, sign-in links", "Messaging",
                       start - 700 * DAY, "saoirse")
    mal_ch = b.channel("messaging-alerts", "notify-svc pages, Alertmanager, the 08:00 alert digest", "Alerts of notify-svc",
                       start - 420 * DAY, "idris")
    del_ch = b.channel("email-deliverability", "Relaymark summaries, DMARC reports, list hygiene", "Deliverability",
                       start - 380 * DAY, "oona")
    dns_ch = b.channel("dns-changes", "octoDNS syncs and Terraform applies of DNS", "DNS changes", start - 300 * DAY,
                       "keren")
    sec_ch = b.channel("security", "Security team", "Security", start - 720 * DAY, "wanjiru")
    sup_ch = b.channel("support-escalations", "Support: escalations to engineering", "Support", start - 640 * DAY,
                       "bridget")
    inbox_ch = b.channel("support-inbox", "New Intercom conversations", "Intercom feed", start - 500 * DAY, "bridget")
    csm_ch = b.channel("customer-success", "CSMs: renewals, QBRs, escalations", "Customer success", start - 600 * DAY,
                       "camille")
    reg_ch = b.channel("registration", "Registration team: RSVPs, guest lists, forms", "Registration",
                       start - 640 * DAY, "halvard")
    ons_ch = b.channel("onsite", "Onsite team: badges, printers, check-in", "Onsite", start - 450 * DAY, ons_people[0])
    obs_ch = b.channel("observability", "Alert rules, Alertmanager, dashboards", "Observability", start - 500 * DAY,
                       platform.members[0])
    notify_repo = b.repo("notify", "notify-svc: invitations, reminders, sign-in links through Relaymark (Go)",
                         iso(start - 900 * DAY))
    rsvp_repo = b.repo("rsvp", "rsvp-api: RSVPs, guest lists, registration forms (Python)", iso(start - 950 * DAY))
    onsite_repo = b.repo("onsite", "Badge printing and the check-in app (TypeScript)", iso(start - 520 * DAY))
    dns_repo = b.repo("dns", "Public DNS as code: octoDNS zones synced to Cloudflare, registrar delegation",
                      iso(start - 160 * DAY))
    alert_repo = b.repo("alerting", "Prometheus rules, Alertmanager routes and dashboards", iso(start - 600 * DAY))
    infra_repo = platform.repo

    # Their noise -------------------------------------------------------------------------------------------------
    msg = NoiseTeam(MESSAGING, MESSAGING_PEOPLE, notify_repo, msg_ch, svc, m_policy)
    reg = NoiseTeam(REGISTRATION, reg_people, rsvp_repo, reg_ch, r_svc, r_policy)
    ons = NoiseTeam(ONSITE, ons_people, onsite_repo, ons_ch, o_svc, o_policy)
    add_pulls(b, msg, 80 * n, start - 60 * DAY, end)
    add_pulls(b, reg, 55 * n, start - 60 * DAY, end)
    add_pulls(b, ons, 35 * n, start - 60 * DAY, end)

    def octo_sync(pull: dict[str, Any], at: float, handle: str, counts: str) -> tuple[dict[str, Any], dict[str, Any]]:
        """octoDNS CI syncs a merged dns PR to Cloudflare: a change event on public-dns and its line."""
        sha7 = pull["merge_commit_sha"][:7]
        zones = sorted({f["filename"][6:-5] for f in pull["files"] if f["filename"].startswith("zones/")}) or ["(none)"]
        ev = b.change_event(d_svc, f"octoDNS sync {', '.join(zones)} -> cloudflare from dns@{sha7}: {pull['title']}",
                            at, "octodns", links=[{"href": "{{url:" + handle + "}}", "text": pull["title"]}],
                            details={"zones": zones, "changes": counts})
        b.templated.append((ev["links"][0], "href"))
        line = b.say(dns_ch, at + 5, "octodns", f":white_check_mark: octoDNS sync `{', '.join(zones)}` -> cloudflare "
                     f"({counts}) from dns@{sha7}: {pull['title']}")
        return ev, line

    def on_dns_merge(pull: dict[str, Any]) -> None:
        handle = next(reversed(b.handles))
        assert b.handles[handle] is pull
        adds = sum(f["additions"] for f in pull["files"])
        dels = sum(f["deletions"] for f in pull["files"])
        counts = f"{1 if adds else 0} create(s), {min(adds, dels)} update(s), {1 if dels > adds else 0} delete(s)"
        octo_sync(pull, epoch(pull["merged_at"]) + rng.uniform(120, 420), handle[3:], counts)

    def tf_apply(pull: dict[str, Any], at: float, handle: str, workspace: str, what: str) -> tuple[dict[str, Any], dict[str, Any]]:
        """Terraform Cloud applies a merged PR: a change event on public-dns and its line in #dns-changes."""
        repo = pull["repo"].split("/")[1]
        sha7 = pull["merge_commit_sha"][:7]
        ev = b.change_event(d_svc, f"terraform apply {workspace} ({repo}@{sha7}): {pull['title']}", at, "terraform",
                            links=[{"href": "{{url:" + handle + "}}", "text": pull["title"]}],
                            details={"workspace": workspace, "resources": what})
        b.templated.append((ev["links"][0], "href"))
        line = b.say(dns_ch, at + 6, "tfc", f":white_check_mark: Terraform Cloud applied `{workspace}` ({repo}@{sha7}): "
                     f"{what}")
        return ev, line

    def rules_deployed(pull: dict[str, Any]) -> dict[str, Any]:
        """Rules CI reloads Prometheus and Alertmanager from each merged alerting PR."""
        at, sha7 = epoch(pull["merged_at"]) + 140, pull["merge_commit_sha"][:7]
        names = [f["filename"] for f in pull["files"]]
        target = (svc if any("/messaging/" in x for x in names) else r_svc if any("/registration/" in x for x in names)
                  else o_svc if any("/onsite/" in x for x in names) else platform.service)
        b.say(obs_ch, at + 4, "rulesci", f":gear: alerting@{sha7} deployed: Prometheus rules and Alertmanager config "
              f"reloaded in prod-eu, prod-ca ({pull['title']})")
        return b.change_event(target, f"Alert rules deployed from alerting@{sha7}: {pull['title']}", at, "rules-ci",
                              details={"files": names})

    def on_alert_merge(pull: dict[str, Any]) -> None:
        rules_deployed(pull)

    def ship(pull: dict[str, Any], at: float, who: str, service: str, name: str) -> dict[str, Any]:
        sha7 = pull["merge_commit_sha"][:7]
        ev = b.change_event(service, f"Deploy {name}@{sha7} to production", at, "ci-deploy",
                            links=[{"href": f"https://github.com/{pull['repo']}/commit/{sha7}", "text": sha7}],
                            details={"deployer": who, "environment": "production"})
        b.say(sc.common["deploys"], at + 2, "deploybot",
              f":rocket: {name} `{sha7}` deployed to production by <@{b.people[who].slack_id}>")
        return ev

    config_pulls(b, dns_repo, infra_people + sc.crowd[12:14], 45 * n, start - 60 * DAY, end, _dns_change,
                 on_merge=on_dns_merge)
    config_pulls(b, alert_repo, infra_people[2:] + MESSAGING_PEOPLE[1:3] + reg_people[:2] + ons_people[:1], 40 * n,
                 start - 60 * DAY, end, _alert_change, on_merge=on_alert_merge)

    links = [h[3:] for h in b.handles if h.startswith("pr:") and b.handles[h]["repo"] == notify_repo][-150:]
    add_chat(b, msg_ch, MESSAGING_PEOPLE, MESSAGING.nouns, 150 * n, start, end, links=links)
    reg_links = [h[3:] for h in b.handles if h.startswith("pr:") and b.handles[h]["repo"] == rsvp_repo][-100:]
    add_chat(b, reg_ch, reg_people, REGISTRATION.nouns, 70 * n, start, end, links=reg_links)
    ons_links = [h[3:] for h in b.handles if h.startswith("pr:") and b.handles[h]["repo"] == onsite_repo][-80:]
    add_chat(b, ons_ch, ons_people, ONSITE.nouns, 45 * n, start, end, links=ons_links)
    dns_links = [h[3:] for h in b.handles if h.startswith("pr:") and b.handles[h]["repo"] == dns_repo][-60:]
    add_chat(b, dns_ch, infra_people, ("lanyardly.events zone", "octoDNS config", "Cloudflare API token",
                                       "CAA records", "registrar lock"), 20 * n, start, end, links=dns_links,
             thread_rate=0.3)
    obs_links = [h[3:] for h in b.handles if h.startswith("pr:") and b.handles[h]["repo"] == alert_repo][-80:]
    add_chat(b, obs_ch, infra_people[2:] + MESSAGING_PEOPLE[:2] + reg_people[:1], _OBS_NOUNS, 35 * n, start, end,
             links=obs_links)
    add_chat(b, del_ch, ["oona", "saoirse", "idris"] + CSM, _DELIV_NOUNS, 35 * n, start, end, lines=_DELIV_LINES,
             thread_rate=0.4)
    add_chat(b, sup_ch, SUPPORT + sc.crowd[8:10] + ["halvard"], _TENANT_NAMES, 60 * n, start, end,
             lines=_SUPPORT_LINES, thread_rate=0.6)
    add_chat(b, csm_ch, CSM + sc.crowd[28:30], _TENANT_NAMES, 50 * n, start, end, lines=_CSM_LINES, thread_rate=0.4)
    add_chat(b, sec_ch, sec_people + ["ruairi"], ("phishing reports", "SOC 2 evidence", "pen test findings",
                                                  "laptop MDM", "access review"), 30 * n, start, end)
    for ch, joiners in ((msg_ch, MESSAGING_PEOPLE), (reg_ch, reg_people), (ons_ch, ons_people), (dns_ch, infra_people),
                        (del_ch, ["oona", "camille"]), (sup_ch, SUPPORT), (csm_ch, CSM), (sec_ch, sec_people),
                        (obs_ch, infra_people), (mal_ch, ONCALL)):
        add_joins(b, ch, joiners, start, end, 3)
    add_incidents(b, msg, 7 * n, start, epoch("2025-05-08"), mal_ch, incident_channels=False)
    add_incidents(b, msg, 2 * n, T + 3 * DAY, end, mal_ch, incident_channels=False)
    add_incidents(b, reg, 8 * n, start, end, sc.common["alerts"], incident_channels=False)
    add_incidents(b, ons, 6 * n, start, end, sc.common["alerts"], incident_channels=False)
    add_deploys(b, msg, 30 * n, start, epoch("2025-06-08"), sc.common["deploys"])
    add_deploys(b, msg, 4 * n, T + DAY, end, sc.common["deploys"])
    add_deploys(b, reg, 30 * n, start, end, sc.common["deploys"])
    add_deploys(b, ons, 15 * n, start, end, sc.common["deploys"])
    days = int((end - start) / DAY)
    bot_feed(b, mal_ch, "alertmanager", days * n, start, end, _alert_line)
    bot_feed(b, inbox_ch, "intercom", 2 * days * n, start, end, _intercom_line)
    bot_feed(b, del_ch, "relaymark", days * n // 2, start, end, _relaymark_event)
    # Two alerts of notify-svc have always been low urgency: sign-in click-through at quiet hours, deferrals.
    quiet = [(start, impact - 2 * DAY), (T + 2 * DAY, end)]
    for _ in range(12 * n):
        lo, hi = rng.choice(quiet)
        t = rng.uniform(lo, hi)
        t = t - t % DAY + rng.uniform(1, 5) * HOUR
        if not lo <= t < hi:
            continue
        pct = rng.randrange(44, 63)
        b.incident(svc, f"[notify-svc] SigninLinkClickThroughLow: {pct}% of sign-in links clicked within 15m (1h)", t,
                   urgency="low", responders=[], notify=False, ack_after=None, resolve_after=rng.uniform(0.5, 2) * HOUR,
                   alert_key=CLICK_KEY, severity="warning",
                   alert_summary=f"signin_link_clickthrough_15m = {pct / 100:.2f} ({rng.randrange(12, 60)} links sent)")
    for _ in range(9 * n):
        lo, hi = rng.choice(quiet)
        t = rng.uniform(lo, hi)
        where, code = rng.choice((("outlook.com", "451 4.7.650"), ("gmx.net", "421 4.7.0"), ("orange.fr", "421 4.2.1"),
                                  ("comcast.net", "421 4.7.0")))
        b.incident(svc, f"[notify-svc] EmailDeferredBacklog: {rng.randrange(2100, 5200):,} messages deferred at Relaymark "
                   f"({where} {code})", t, urgency="low", responders=[], notify=False, ack_after=None,
                   resolve_after=rng.uniform(0.4, 3) * HOUR, alert_key=DEFER_KEY, severity="warning")

    # Relaymark's delivery summary every three hours ---------------------------------------------------------------
    expoline = {"2025-05-12T00", "2025-05-13T00", "2025-05-13T09", "2025-05-14T00", "2025-05-15T00", "2025-05-16T00",
                "2025-05-20T00"}
    # (bounced %, deferred %, extra sent) of the windows after the cut-over; the one at 15:00 is the must-see
    refused = {"2025-06-10T12": (7.4, 1.1, 0), "2025-06-10T15": (26.7, 2.4, 9_400), "2025-06-10T18": (25.1, 2.2, 0),
               "2025-06-10T21": (23.8, 1.9, 0), "2025-06-11T00": (24.9, 2.0, 0), "2025-06-11T03": (26.2, 2.1, 0),
               "2025-06-11T06": (27.3, 2.3, 0), "2025-06-11T09": (25.6, 2.2, 0), "2025-06-11T12": (15.2, 1.6, 0)}
    summaries: dict[str, dict[str, Any]] = {}
    slot = start - start % DAY
    while slot < end:
        key = iso(slot)[:13]
        sent = _volume(rng, slot)
        complaints = rng.uniform(0.01, 0.04)
        if key in expoline:
            sent += rng.randrange(110_000, 170_000)
            bounced, deferred = rng.uniform(11, 16), rng.uniform(0.6, 1.4)
            top = (f"top bounce: `550 5.1.1` (no such mailbox) ×{int(sent * bounced / 100 * 0.82):,} · top tenant "
                   f"`expoline-group` (bounced {bounced + rng.uniform(1, 3):.1f}%)")
            complaints = rng.uniform(0.2, 0.4)
        elif key in refused:
            bounced, deferred, extra = refused[key]
            sent += extra
            bad = sent * bounced / 100
            top = (f"top bounces: gmail.com `550 5.7.26` ×{int(bad * 0.61):,} · outlook.com `550 5.7.509` "
                   f"×{int(bad * 0.24):,} · yahoo.com `554 5.7.9` ×{int(bad * 0.08):,}")
        else:
            if key == "2025-06-11T15":
                sent += 58_000  # the resend
            bounced, deferred = rng.uniform(0.3, 0.9), rng.uniform(0.2, 0.8)
            where, code = rng.choice((("gmail.com", "550 5.1.1"), ("outlook.com", "550 5.5.0"),
                                      ("yahoo.com", "554 5.1.1")))
            top = f"top bounce: {where} `{code}` ×{int(sent * bounced / 100 * rng.uniform(0.3, 0.5)):,}"
        delivered = 100 - bounced - deferred
        summaries[key] = b.say(del_ch, slot + 3 * HOUR + rng.uniform(60, 200), "relaymark",
                               _summary(slot, sent, delivered, deferred, bounced, complaints, top))
        slot += 3 * HOUR

    # The daily domain check, the DMARC aggregate report and the 08:00 alert digest ----------------------------------
    weak_merged = epoch("2025-05-19T10:45:00Z")
    bounce_digest = {
        "2025-05-21": "EmailBounceRateHigh fired 1x, 2h10m, peak 13.8% (top tenants by bounces: `expoline-group`)",
        "2025-05-29": "EmailBounceRateHigh fired 1x, 35m, peak 6.1% (top tenants by bounces: `ashford-alumni`)",
        "2025-06-05": "EmailBounceRateHigh fired 1x, 20m, peak 5.4% (top tenants by bounces: `northmoor-rotary`)",
        "2025-06-11": "EmailBounceRateHigh *firing* since 06-10 14:56 UTC (17h04m) · peak 27.9% · now 24.6% (top "
                      "tenants by bounces: `brightline-conferences`, `palisade-capital`, `tidewater-wine`)",
        "2025-06-12": "EmailBounceRateHigh fired 1x, 23h18m, resolved 06-11 14:14 UTC, peak 27.9% (top tenants by "
                      "bounces: `brightline-conferences`, `palisade-capital`, `tidewater-wine`)",
    }
    dmarc_merged = epoch("2025-05-06T09:30:00Z")
    checks: dict[str, dict[str, Any]] = {}
    digests: dict[str, dict[str, Any]] = {}
    reports: dict[str, dict[str, Any]] = {}
    day = start - start % DAY + DAY
    while day < end:
        date, prev = iso(day)[:10], iso(day - DAY)[:10]
        broken = date == "2025-06-11"
        if broken:
            text = (":warning: Relaymark domain check `lanyardly.com`: DKIM `rm1` ✗ (no record found) · `rm2` ✗ (no "
                    "record found) · click tracking links.lanyardly.com ✓ · return path bounces.rmtx.net (shared). Mail "
                    "signed d=lanyardly.com fails DKIM until the CNAMEs resolve.")
        else:
            text = (":white_check_mark: Relaymark domain check `lanyardly.com`: DKIM `rm1` ✓ · `rm2` ✓ · click "
                    "tracking links.lanyardly.com ✓ · return path bounces.rmtx.net (shared)")
        checks[date] = b.say(del_ch, day + 6 * HOUR + rng.uniform(10, 90), "relaymark", text)
        weekend = _date.fromisoformat(prev).weekday() >= 5
        msgs = int(rng.uniform(50_000, 70_000) if weekend else rng.uniform(150_000, 190_000))
        spoof = (rng.randrange(200, 900) if prev < "2025-04-14" else rng.randrange(9_000, 14_500)
                 if prev < "2025-05-07" else max(1_500, int(9_000 - 150 * (day - dmarc_merged) / DAY)))
        policy = "quarantine (pct=50)" if day - 7 * HOUR < dmarc_merged + DAY else "reject"
        fail = spoof
        source = ""
        if prev == "2025-06-10":
            fail += 44_906
            source = (" · top failing source: Relaymark (rmtx.net, 38 IPs) 44,906 msgs, dkim=fail s=rm1 (no key), "
                     "spf=pass bounces.rmtx.net (not aligned)")
        elif prev == "2025-06-11":
            fail += 31_220
            source = (" · top failing source: Relaymark (rmtx.net, 36 IPs) 31,220 msgs, dkim=fail s=rm1 (no key), "
                     "spf=pass bounces.rmtx.net (not aligned)")
        total = msgs + spoof
        disp = (f"rejected {fail:,}" if policy == "reject" else f"quarantined {fail // 2:,}, none {fail - fail // 2:,}")
        legit = 100 * (total - fail) / total
        reports[prev] = b.say(del_ch, day + 7 * HOUR + rng.uniform(300, 900), "dmarcbot",
                              f":shield: *DMARC aggregate* lanyardly.com · {prev} · {rng.randrange(17, 26)} reporters · "
                              f"{total:,} messages · DMARC pass {legit:.1f}% · DKIM aligned {legit - 0.1:.1f}% · SPF "
                              f"aligned {rng.uniform(0.3, 0.6):.1f}% · p={policy} · {disp}{source}")
        items = _digest_extra(rng)
        if date in bounce_digest and day > weak_merged:
            items.insert(0, bounce_digest[date])
        lines = "\n".join(f"• {x}" for x in items) if items else "• nothing fired :sparkles:"
        digests[date] = b.say(mal_ch, day + 8 * HOUR + rng.uniform(20, 120), "digestbot",
                              f":newspaper: *Alert digest* notify-svc · {prev} 08:00 -> {date} 08:00 UTC\n{lines}")
        day += DAY

    # April-May: a phishing run spoofing Lanyardly, and DMARC goes to reject -----------------------------------------
    b.say(sec_ch, epoch("2025-04-17T10:20:00Z"), "wanjiru", "phishing report from Kessel Biotech: guests got 'Your badge "
          "is ready, complete your registration payment' from events@lanyardly.com with a fake Stripe page. headers "
          "say it's not us, DMARC quarantine at 50% let it through")
    b.say(sec_ch, epoch("2025-04-28T09:05:00Z"), "wanjiru", "DMARC reports: 11-14k spoofed a day now, ~200 residential "
          "IPs. our senders (Google, Relaymark) have been fully aligned for a month. going to reject next week")
    contrib = story_pull(b, infra_repo, _DMARC, epoch("2025-05-05T08:40:00Z"), dmarc_merged, "contributor",
                         review="numbers look right, go", reviewed=epoch("2025-05-06T09:10:00Z"),
                         comments=(("keren", "heads up this moves to octoDNS with the rest of the zone in June, I'll "
                                    "carry it over as is", epoch("2025-05-05T11:30:00Z")),))
    tr.add("github", contrib, "contributor", must_see=True, group="cause",
           why="DMARC for lanyardly.com went from quarantine at 50% to reject at 100%: from then on a message that "
               "fails DKIM and SPF alignment is refused by Gmail, Microsoft and Yahoo instead of spam-foldered")
    cev, _ = tf_apply(contrib, dmarc_merged + 300, "contributor", "dns-route53",
                      "aws_route53_record.dmarc updated in-place (p=reject; pct=100)")
    tr.add("pagerduty", cev, "contributor", must_see=False, group="cause", why="Terraform applying the DMARC reject "
           "policy", same_fact_as=("github", contrib))
    b.say(sec_ch, dmarc_merged + 900, "wanjiru", "_dmarc.lanyardly.com is p=reject now. spoofed badge mails get "
          "bounced at gmail/microsoft from today")

    # May 12-16: Expoline's sends page Messaging at night; the bounce alert goes to the digest ----------------------
    b.say(del_ch, epoch("2025-05-09T14:10:00Z"), "oona", "heads up: Expoline's 'Build & Construct Week' invitations start "
          "monday 02:00 UTC (06:00 Dubai), 460k addresses. asked where the list comes from: 'partner database' "
          ":grimacing:")
    noisy_at = ("2025-05-12T02:17:00Z", "2025-05-13T02:11:00Z", "2025-05-13T10:02:00Z", "2025-05-14T02:24:00Z",
                "2025-05-15T02:08:00Z", "2025-05-16T02:33:00Z")
    notes = ("Expoline's send again (rented list, 550 5.1.1). Relaymark throttled them at 10%, nothing for us to do",
             "all Expoline, 'Build & Construct Week'. other tenants at 0.5%. resolving")
    for i, when in enumerate(noisy_at):
        t = epoch(when)
        who = ONCALL[i % len(ONCALL)]
        inc = b.incident(svc, BOUNCE_TITLE, t, responders=[who, ONCALL[(i + 1) % len(ONCALL)]], ack_after=170 + 40 * i,
                         resolve_after=2400 + 300 * i, handle=f"noisy{i}", alert_key=BOUNCE_KEY,
                         alert_summary=f"bounce rate {rng.uniform(11, 16):.1f}% over 15m; top tenant by bounces "
                                       "expoline-group (550 5.1.1)",
                         notes=[(who, notes[i % 2], 900.0)] if i % 3 != 2 else None)
        b.say(mal_ch, t + 3, "pagerduty", f":rotating_light: Triggered <{{{{incurl:noisy{i}}}}}|#{{{{inc:noisy{i}}}}}> "
              f"{BOUNCE_TITLE}", template=True)
        tr.add("pagerduty", inc, "context", must_see=False, group="detection",
               why="one of the night pages of EmailBounceRateHigh caused by one customer's rented list, which led to "
                   "moving the alert to the morning digest")
    grumbles = (("2025-05-12T08:30:00Z", "idris", "paged 02:17 for EmailBounceRateHigh. Expoline's send, 14% hard "
                 "bounces on a list they clearly bought. Relaymark throttled them at 10% on its own"),
                ("2025-05-13T12:40:00Z", "tobiah", "twice yesterday now, 02:11 and 10:02. both Expoline"),
                ("2025-05-15T08:40:00Z", "marisol", "4th night in a row. can EmailBounceRateHigh go to the morning "
                 "digest? one customer's bounce rate isn't something on call can fix at 2am"),
                ("2025-05-15T09:10:00Z", "saoirse", "+1, Oona reads the digest every morning anyway. make it digest, "
                 "we can split per tenant later"),
                ("2025-05-16T08:20:00Z", "oona", "talked to Expoline, last send is tuesday, then double opt-in "
                 "(their words)"))
    for when, who, text in grumbles:
        m = b.say(msg_ch, epoch(when), who, text)
        if "morning" in text and who == "marisol":
            tr.add("slack", m, "context", must_see=False, group="detection",
                   why="the team asks to stop paging on one customer's bounce rate")
    weak = story_pull(b, alert_repo, _WEAKENING, epoch("2025-05-16T09:10:00Z"), weak_merged, "weakening",
                      review="ok. we should split per-tenant vs platform-wide at some point",
                      reviewed=epoch("2025-05-19T10:20:00Z"),
                      comments=(("idris", "what if it's everyone bouncing, not one tenant?", epoch("2025-05-16T11:02:00Z")),
                                ("marisol", "then it's in the digest at 08:00 and Relaymark emails us. happy to revisit",
                                 epoch("2025-05-16T11:40:00Z"))))
    tr.add("github", weak, "detection_weakened", must_see=True, group="detection",
           why="moved EmailBounceRateHigh from paging to the 08:00 UTC digest: a bounce rate of any size, for any "
               "reason, now waits for the next morning")
    wev = rules_deployed(weak)
    tr.add("pagerduty", wev, "detection_weakened", must_see=False, group="detection",
           why="the rules deployed with the bounce alert on the digest", same_fact_as=("github", weak))
    b.say(msg_ch, weak_merged + 1200, "marisol", "merged {{url:weakening}}: EmailBounceRateHigh goes to the 08:00 digest "
          "now, no more 2am Expoline pages :zzz:", template=True)

    # May 27: sign-in loses its SMS fallback ------------------------------------------------------------------------
    sms = story_pull(b, identity.repo, dataclasses.replace(_SMS, reviewer=identity.members[0]),
                     epoch("2025-05-26T14:00:00Z"), epoch("2025-05-27T15:10:00Z"), "sms_removal",
                     review="good riddance. the resend link is rate limited per address?",
                     reviewed=epoch("2025-05-27T14:50:00Z"))
    tr.add("github", sms, "contributor", must_see=False, group="cause",
           why="removed the SMS code fallback of the sign-in page: an attendee whose magic link does not arrive "
               "cannot sign in at all")
    ship(sms, epoch("2025-05-27T15:40:00Z"), "priyanka", identity.service, "auth-service")

    # Early June: lanyardly.dev went first; TTLs down; the lanyardly.com PR -----------------------------------------
    dev = story_pull(b, dns_repo, _DEV_MOVE, epoch("2025-05-13T09:00:00Z"), epoch("2025-05-14T13:40:00Z"), "dev_move",
                     review="clean")
    octo_sync(dev, epoch("2025-05-14T13:46:00Z"), "dev_move", "31 creates, 0 updates, 0 deletes")
    b.say(platform.channel, epoch("2025-05-14T15:00:00Z"), "keren", "lanyardly.dev is on Cloudflare, nothing broke. "
          "lanyardly.events next week, lanyardly.com after that")
    ttl = story_pull(b, infra_repo, _TTL, epoch("2025-06-03T08:30:00Z"), epoch("2025-06-03T10:05:00Z"), "ttl_lower",
                     review="ok")
    tf_apply(ttl, epoch("2025-06-03T10:11:00Z"), "ttl_lower", "dns-route53", "aws_route53_record.ns updated in-place (ttl 300)")
    trig_created = epoch("2025-06-04T09:30:00Z")
    trig_merged = epoch("2025-06-10T13:52:00Z")
    trig = story_pull(b, dns_repo, _TRIGGER, trig_created, trig_merged, "trigger",
                      review="lgtm, after the freeze", reviewed=epoch("2025-06-10T13:31:00Z"),
                      review_comments=(("ruairi", "worth double-checking the mail-looking console ones with messaging "
                                        "before dropping them?", "zones/lanyardly.com.yaml", 3,
                                        epoch("2025-06-05T10:15:00Z")),),
                      comments=(("github-actions[bot]", "**octoDNS plan** (dry run)\n\n```\n* cloudflare "
                                 "(CloudflareProvider)\n*   lanyardly.com.: Create 204, Update 0, Delete 0\n```\n"
                                 "Compared with route53: 6 records only in route53 (listed in the description).",
                                 trig_created + 600),
                                ("keren", "asked in #messaging on friday, Tobiah confirmed they're Postbeam leftovers",
                                 epoch("2025-06-06T17:05:00Z"))))
    tr.add("github", trig, "trigger", must_see=True, group="cause",
           why="moved lanyardly.com to Cloudflare without the console-only Route 53 records, among them Relaymark's "
               "DKIM selectors rm1/rm2._domainkey: from the NS change every message Relaymark signs fails DKIM")
    ask = b.say(msg_ch, epoch("2025-06-06T16:40:00Z"), "keren", "does anyone own these console-only records in "
                "lanyardly.com? `em2231`, `pb1._domainkey`, `pb2._domainkey`, `rm1._domainkey`, `rm2._domainkey`, "
                "`postbeam-verification`. they look like Postbeam leftovers, I'll drop them in the Cloudflare move "
                "next week unless someone shouts")
    b.say(msg_ch, epoch("2025-06-06T16:52:00Z"), "tobiah", "postbeam's been dead since 2023, bin them :wastebasket:",
          parent=ask)
    tr.add("slack", ask, "context", must_see=False, group="cause",
           why="the author asks Messaging about the console-only records on a Friday evening; the reply looks at "
               "the Postbeam names only")
    sync_ev, _ = octo_sync(trig, epoch("2025-06-10T13:57:00Z"), "trigger", "204 creates, 0 updates, 0 deletes")
    tr.add("pagerduty", sync_ev, "trigger", must_see=False, group="cause",
           why="octoDNS creating the lanyardly.com zone in Cloudflare (without the DKIM selectors)",
           same_fact_as=("github", trig))
    ns_ev, ns_line = tf_apply(trig, epoch("2025-06-10T14:02:00Z"), "trigger", "registrar",
                              "gandi_nameservers.lanyardly_com updated: ns-1187.awsdns-20.org, ns-1832.awsdns-37.co.uk, "
                              "ns-402.awsdns-50.com, ns-712.awsdns-25.net -> kate.ns.cloudflare.com, "
                              "rob.ns.cloudflare.com")
    tr.add("pagerduty", ns_ev, "trigger", must_see=False, group="cause",
           why="the delegation of lanyardly.com moves to Cloudflare: the moment the DKIM selectors stop resolving",
           same_fact_as=("github", trig))
    tr.add("slack", ns_line, "trigger", must_see=False, group="cause", why="the apply line of the NS change",
           same_fact_as=("github", trig))
    moved = b.say(platform.channel, epoch("2025-06-10T14:10:00Z"), "keren", "lanyardly.com is delegated to Cloudflare "
                  ":tada: NS TTL was 300 so it should be everywhere within the hour. app/api 5xx flat, certs fine. "
                  "Route 53 zone stays a week as the rollback")
    tr.add("slack", moved, "trigger", must_see=False, group="cause", why="the author announces the cut-over",
           same_fact_as=("github", trig))
    b.say(platform.channel, epoch("2025-06-10T14:24:00Z"), platform.members[0], "nice, last one off route 53!",
          parent=moved)

    # Monday: the new invitation template (a red herring); Oona goes on leave ----------------------------------------
    tmpl = story_pull(b, notify_repo, _TEMPLATE, epoch("2025-06-05T13:00:00Z"), epoch("2025-06-09T10:20:00Z"),
                      "distractor_template", review="gorgeous. Litmus + spam tests attached, ship it")
    ship(tmpl, epoch("2025-06-09T10:48:00Z"), "marisol", svc, "notify-svc")
    b.say(msg_ch, epoch("2025-06-09T11:05:00Z"), "marisol", "new invitation template is live :art: first sends look "
          "fine, RSVP clicks in one go")
    pto = b.say(msg_ch, epoch("2025-06-09T15:30:00Z"), "oona", "reminder: I'm off tue-thu (wedding! :ring:). Idris reads "
                "the digest and #email-deliverability while I'm out")
    tr.add("slack", pto, "context", must_see=False, group="detection",
           why="the person who reads the digest and the deliverability channel is away for the whole incident")

    # Tuesday afternoon: refusals from 14:11; the signals nobody reads -----------------------------------------------
    b.say(csm_ch, epoch("2025-06-10T10:05:00Z"), "camille", "Brightline's FinTech Forward invitations go out today 16:00 "
          "UTC, 9.4k guests. they're nervous after last year's badge fiasco, fingers crossed :crossed_fingers:")
    tr.add("slack", summaries["2025-06-10T12"], "early_signal", must_see=False, group="detection",
           why="Relaymark's summary of 12:00-15:00 already shows gmail refusing with 550 5.7.26")
    tr.add("slack", summaries["2025-06-10T15"], "early_signal", must_see=True, group="detection",
           why="Relaymark's summary: a quarter of all mail bounced in three hours, refused by Gmail (5.7.26), "
               "Microsoft (5.7.509) and Yahoo (5.7.9); nobody reads it")
    tr.add("slack", summaries["2025-06-11T06"], "early_signal", must_see=False, group="detection",
           why="the refusals continue overnight")
    click_at = epoch("2025-06-10T15:24:00Z")
    fix_synced = T + 0.44 * HOUR
    click = b.incident(svc, "[notify-svc] SigninLinkClickThroughLow: 29% of sign-in links clicked within 15m (1h)",
                       click_at, urgency="low", responders=[], notify=False, ack_after=None,
                       resolve_after=fix_synced + 0.8 * HOUR - click_at, alert_key=CLICK_KEY, severity="warning",
                       alert_summary="signin_link_clickthrough_15m = 0.29 (1,412 links sent; same hour last week 0.81)")
    tr.add("pagerduty", click, "early_signal", must_see=True, group="detection",
           why="the sign-in click-through alert opened a low-urgency incident an hour in: links were sent but not "
               "clicked; it paged no one and stayed open until the fix")
    am = b.say(mal_ch, click_at + 20, "alertmanager", ":large_yellow_circle: *[FIRING:1]* SigninLinkClickThroughLow "
               "notify-svc · 29% of sign-in links clicked within 15m (low urgency)")
    tr.add("slack", am, "early_signal", must_see=False, group="detection", why="Alertmanager's line for the same alert",
           same_fact_as=("pagerduty", click))
    for when, (tenant, plan), subject in (
            ("2025-06-10T17:31:00Z", ("Tidewater Wine Festival", "pro"), "Guests say they never got the invite"),
            ("2025-06-10T18:12:00Z", ("Palisade Capital", "enterprise"), "Our LPs can't log in, the link never arrives"),
            ("2025-06-10T19:04:00Z", ("Brightline Conferences", "enterprise"),
             "Invitations show 'Bounced' for most gmail guests"),
            ("2025-06-10T21:40:00Z", ("Ashford University Alumni Office", "pro"), "Reminder emails not arriving"),
            ("2025-06-11T07:15:00Z", ("Coldwater Marathon", "pro"), "Runners can't sign in to change their start wave"),
            ("2025-06-11T09:02:00Z", ("Kessel Biotech", "enterprise"), "No invitation received by any outlook.com guest")):
        b.say(inbox_ch, epoch(when), "intercom", f":speech_balloon: New conversation #{rng.randrange(89_100, 89_900)} · "
              f"{tenant} ({plan}) · \"{subject}\"")
    eve = b.say(sup_ch, epoch("2025-06-10T20:15:00Z"), "desmond",
                "3 organisers this evening say guests never got their invitations, and two attendees can't sign in "
                "because the link never comes (no SMS option anymore either). anyone know of a Relaymark issue?")
    tr.add("slack", eve, "customer_report", must_see=False, group="reports",
           why="the first organisers' reports reach the support channel in the evening")
    b.say(sup_ch, epoch("2025-06-10T20:31:00Z"), sc.crowd[8], "relaymark status page is all green", parent=eve)
    b.say(sup_ch, epoch("2025-06-10T20:40:00Z"), "desmond", "ok, telling them to check spam and resend from the guest "
          "list for now", parent=eve)

    # Wednesday morning: the domain check, the DMARC report, the digest ---------------------------------------------
    tr.add("slack", checks["2025-06-11"], "early_signal", must_see=False, group="detection",
           why="Relaymark's daily domain check finds no DKIM record for rm1 and rm2")
    tr.add("slack", reports["2025-06-10"], "early_signal", must_see=False, group="detection",
           why="the DMARC aggregate report: 45k Relaymark messages rejected for dkim=fail s=rm1 (no key)")
    dg = digests["2025-06-11"]
    tr.add("slack", dg, "early_signal", must_see=True, group="detection",
           why="the 08:00 digest shows EmailBounceRateHigh firing for 17 hours at up to 27.9%: the alert fired, it "
               "just no longer paged; the top tenants make it look like a list problem")
    b.say(mal_ch, epoch("2025-06-11T08:34:00Z"), "idris", "big one. top tenants are just today's big senders though, "
          "will look after planning", parent=dg)
    b.say(mal_ch, epoch("2025-06-11T10:12:00Z"), "idris", "relaymark dashboard: mostly 'blocked' at gmail and outlook. "
          "smells like a reputation dip after the Expoline weeks? opened a Relaymark support ticket (RM-88412)",
          parent=dg)
    csm = b.say(csm_ch, epoch("2025-06-11T09:40:00Z"), "camille",
                "Brightline: FinTech Forward RSVPs at 3% after 18h (last year 29% after day one). the guests they "
                "called say no email at all, nothing in spam. anyone? their VP marketing is asking")
    tr.add("slack", csm, "customer_report", must_see=False, group="reports",
           why="the big customer's CSM relays that nobody received the conference invitations")
    b.say(csm_ch, epoch("2025-06-11T09:58:00Z"), "yusuf", "Palisade said the same about their LP day yesterday, I "
          "thought it was their firewall", parent=csm)

    # Red herrings the same morning: a status CNAME in the same zone, identity's page, a client bump ------------------
    status = story_pull(b, dns_repo, _STATUS, epoch("2025-06-11T09:20:00Z"), epoch("2025-06-11T10:40:00Z"),
                        "distractor_status", review="ok")
    octo_sync(status, epoch("2025-06-11T10:44:00Z"), "distractor_status", "0 creates, 1 update, 0 deletes")
    b.incident(identity.service, "[auth-service] login error rate high", epoch("2025-06-11T11:05:00Z"),
               responders=identity.members[:2], ack_after=200, resolve_after=45 * 60,
               alert_key="auth-service/login error rate high",
               notes=[(identity.members[0], "credential stuffing on organiser /login from 3 ASNs, WAF rule added",
                       1500.0)])
    b.incident(sc.team("data").service, "[etl-scheduler] DAG failed: nightly_orders", epoch("2025-06-11T06:20:00Z"),
               responders=sc.team("data").members[:2], ack_after=400, resolve_after=70 * 60,
               alert_key="etl-scheduler/DAG failed: nightly_orders")
    b.incident(growth.service, "[email-service] bounce rate above 5%", epoch("2025-06-10T16:40:00Z"), urgency="low",
               responders=[], notify=False, ack_after=None, resolve_after=3 * HOUR,
               alert_key="email-service/bounce rate above 5%")
    add_deploys(b, reg, 1, epoch("2025-06-11T12:10:00Z"), epoch("2025-06-11T12:40:00Z"), sc.common["deploys"])
    client = story_pull(b, notify_repo, _CLIENT, epoch("2025-06-10T09:00:00Z"), epoch("2025-06-11T12:58:00Z"),
                        "distractor_client", review="lgtm")
    ship(client, epoch("2025-06-11T13:17:00Z"), "tobiah", svc, "notify-svc")

    # The escalation and the page -------------------------------------------------------------------------------
    esc = b.say(sup_ch, epoch("2025-06-11T12:55:00Z"), "bridget",
                "escalating: 52 conversations since yesterday afternoon, organisers say guests never got invitations "
                "or reminders, attendees can't sign in because the magic link never arrives. mostly gmail, outlook "
                "and yahoo guests, the guest lists show 'Bounced'. Brightline's FinTech Forward: 9.4k invites, 3% "
                "RSVPs. who owns email?")
    tr.add("slack", esc, "customer_report", must_see=True, group="reports",
           why="the support lead escalates the organisers' reports: invitations and sign-in links not arriving "
               "since the day before, mostly at the big mailbox providers")
    b.say(sup_ch, epoch("2025-06-11T13:08:00Z"), "desmond", "Idris said this morning it looks like a gmail reputation "
          "thing, Relaymark ticket open", parent=esc)
    b.say(sup_ch, epoch("2025-06-11T13:36:00Z"), "bridget", "Brightline's VP is on the phone with Camille. paging "
          "Messaging", parent=esc)
    page_by_hand(b, tr, svc, "Invitations and sign-in links not reaching guests at Gmail/Outlook/Yahoo since "
                             "yesterday afternoon", T,
                 responders=ONCALL, ack_after=130, resolve_after=3.2 * HOUR, manual_by="bridget",
                 description="Support: 52 organiser conversations since 2025-06-10 ~17:00 UTC. Invitations, reminders "
                             "and magic sign-in links show 'Bounced' for most Gmail/Outlook/Yahoo guests; attendees "
                             "cannot sign in. Brightline (FinTech Forward) at 3% RSVPs on 9.4k invitations.",
                 notes=[("idris", "DMARC refusals (550 5.7.26 / 5.7.509): rm1/rm2._domainkey do not resolve since "
                                  "lanyardly.com moved to Cloudflare yesterday 14:02", 900.0),
                        ("keren", "DKIM CNAMEs restored in Cloudflare 14:08; 5.7.26 at zero since 14:25, resend "
                                  "running", 3600.0)],
                 relay=mal_ch, why="the support lead pages Messaging by hand, 23.5 hours after the refusals started")

    inc_ch = b.channel("inc-20250611-invites-not-arriving", "Incident: invitations and sign-in links not arriving",
                       "Incident response", T + 60, "bridget")
    chat: tuple[tuple[float, str, str], ...] = (
        (0, "bridget", "incident {{incurl:page}}: since yesterday afternoon invitations and sign-in links don't reach a "
                       "lot of guests. 52 conversations, Brightline's FinTech Forward at 3% RSVPs on 9.4k invites. "
                       "mostly gmail/outlook/yahoo"),
        (60, "camille", "Brightline's VP marketing asks if they should resend from their own Mailchimp"),
        (120, "idris", "relaymark accepts everything, our API calls are all 202. the bounces come back on the webhook: "
                       "the digest had EmailBounceRateHigh at 27%, I took it for a reputation dip"),
        (190, "marisol", "the new invitation template went out monday ({{pr:distractor_template}}). could gmail be "
                         "filtering the new layout?"),
        (260, "idris", "these aren't spam-foldered, they're refusals: `550 5.7.26 Unauthenticated email from "
                       "lanyardly.com is not accepted due to domain's DMARC policy`. and monday plus tuesday morning "
                       "delivered 99% with the new template. and sign-in links are a different template"),
        (330, "tobiah", "I shipped relaymark-go 2.7.1 25 min ago ({{pr:distractor_client}}), roll it back just in case?"),
        (380, "idris", "it started yesterday ~14:10, a day before your deploy. leave it"),
        (440, "saoirse", "relaymark status page is green, and their other customers would be screaming. is it only us?"),
        (520, "idris", "Authentication-Results of a bounced gmail message: `dkim=neutral (no key for signature) "
                       "header.i=@lanyardly.com header.s=rm1`, spf=pass for bounces.rmtx.net which doesn't align. "
                       "so DMARC fails on DKIM"),
        (600, "idris", "`dig TXT rm1._domainkey.lanyardly.com` → NXDOMAIN from kate.ns.cloudflare.com. Relaymark's "
                       "domain check in #email-deliverability has been saying the same since 06:00"),
        (640, "ruairi", "we changed the lanyardly.com zone this morning, status -> instatus ({{pr:distractor_status}})"),
        (690, "keren", "that's one CNAME, nothing to do with mail. but oh no: {{url:trigger}} moved lanyardly.com to "
                       "Cloudflare yesterday, NS at 14:02. rm1/rm2._domainkey were in the console-only records I "
                       "didn't carry over, I took them for Postbeam's. putting them back now"),
        (750, "ruairi", "route 53 still has them, so it's every resolver that follows the new NS since ~14:05. matches "
                        "the bounce curve"),
        (820, "wanjiru", "and since {{pr:contributor}} _dmarc is p=reject, so gmail and microsoft refuse instead of "
                         "spam-foldering. before May half of it would have landed in spam"),
        (900, "saoirse", "why did nothing page for 23 hours? a 27% bounce rate used to wake us up"),
        (970, "marisol", "alerting PR {{num:weakening}}: after the Expoline nights EmailBounceRateHigh goes to the "
                         "08:00 digest. it started firing at 14:56 yesterday and sat there. the only other thing was "
                         "SigninLinkClickThroughLow, low urgency, it fires most nights"),
        (1040, "priyanka", "and attendees couldn't fall back to an SMS code since {{pr:sms_removal}}, so no link means "
                           "no sign-in at all"),
        (1200, "keren", "fix: {{url:fix}}, ruairi reviewing"),
        (1500, "keren", "synced to cloudflare, `dig` returns the CNAMEs from kate and rob"),
        (1800, "idris", "first gmail deliveries with dkim=pass s=rm1 at 14:12. 5.7.26 dropping"),
        (2700, "idris", "5.7.26 at zero for 15 min. writing a resend of everything refused with 5.7.26/5.7.509/5.7.9 "
                        "since yesterday 14:00, ~58k messages, sign-in links excluded (expired anyway)"),
        (3600, "camille", "Brightline is ok with a resend at 16:00 UTC plus an apology line from us"),
        (4500, "saoirse", "follow-ups: required-records check in the dns repo, mail records owned by messaging, "
                          "EmailBounceRateHigh pages again when it's platform-wide, an alert on DMARC/auth refusals, "
                          "a non-SMS fallback for sign-in, and Relaymark's domain check goes to PagerDuty"),
    )
    war_room(b, tr, inc_ch, T + 120, chat,
             trigger="a responder ties the refusals to the lanyardly.com move, after the template, the client bump, "
                     "the status CNAME and a Relaymark outage were ruled out",
             weakening="a responder explains why nothing paged for 23 hours",
             contributor="a responder: p=reject turns failed DKIM into refusals",
             extra=(("{{pr:sms_removal}}", "cause", "a responder: without the SMS fallback no link means no sign-in"),))

    # The fix and its sync; the resend; the alerting follow-up -------------------------------------------------------
    fix = story_pull(b, dns_repo, _FIX, T + 0.3 * HOUR, T + 0.42 * HOUR, "fix", review="yes. sorry all",
                     reviewed=T + 0.40 * HOUR)
    tr.add("github", fix, "fix", must_see=True, group="cause",
           why="puts Relaymark's DKIM selectors back in the lanyardly.com zone and makes CI fail a PR that drops a "
               "required record")
    fev, _ = octo_sync(fix, fix_synced, "fix", "2 creates, 0 updates, 0 deletes")
    tr.add("pagerduty", fev, "fix", must_see=False, group="cause", why="octoDNS syncing the restored selectors",
           same_fact_as=("github", fix))
    b.say(del_ch, fix_synced + 1500, "relaymark", ":white_check_mark: Relaymark domain check `lanyardly.com` (manual "
          "re-check): DKIM `rm1` ✓ · `rm2` ✓")
    resend = story_pull(b, notify_repo, _RESEND, T + 1.0 * HOUR, T + 1.9 * HOUR, "resend", review="ran the dry run, "
                        "57,812 rows")
    tr.add("github", resend, "fix", must_see=False, group="reports",
           why="re-sends the invitations and reminders that were refused")
    follow = story_pull(b, alert_repo, _FOLLOW, T + 19 * HOUR, T + 27 * HOUR, "follow", review="yes please")
    tr.add("github", follow, "fix", must_see=False, group="detection",
           why="the bounce alert pages again for platform-wide bounces, and DMARC refusals page")
    rules_deployed(follow)
    b.say(msg_ch, T + 28 * HOUR, "saoirse", "incident review for the invitations outage is thursday 14:00, Keren, "
          "Wanjiru and Bridget are joining. doc: https://wiki.lanyardly.com/incidents/2025-06-11-invites")

    world = b.finalize()
    world["edits"] = make_edits(
        b, world, [msg_ch, sup_ch, sc.common["deploys"]], svc, MESSAGING_PEOPLE[:3], notify_repo,
        titles=("Runbook: invitations or sign-in links not arriving",
                "Page on Relaymark's domain check when a DKIM selector stops resolving"),
        doc=("Mail authentication", "Relaymark signs d=lanyardly.com with rm1/rm2; DMARC is p=reject, so a missing "
             "selector means refusals, not spam."),
        doc_path="docs/runbooks/email-auth-{n}.md",
        test_fire="[notify-svc] EmailAuthRefusals (test fire)")
    return world, tr.to_dict()
