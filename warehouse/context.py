"""What correlation learns about an incident before scoring: its service, chat, query, responders, impact start.

Everything here is SQL over the warehouse plus light Python; nothing calls an API or reads settings.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy.orm import Session

from warehouse.signals import (
    announces_change,
    customer_strength,
    departs_from_usual,
    far_from_usual,
    header,
    machine_failure,
    symptom_strength,
)
from warehouse.sqlutil import chunks, dialect_name, rows
from warehouse.stated import Stated, conversation_zones, stated_starts
from warehouse.textsim import identifiers, split_identifier, template, tokenize, weighted_query

EVIDENCE_COLUMNS = ("id, source, kind, native_id, occurred_at, title, text, url, actor, actor_name, container, "
                    "container_name, parent_native_id, attributes")

# Name parts that say nothing about what a service does.
GENERIC_SERVICE_WORDS = frozenset(
    "api service svc prod production staging web app application server backend frontend worker workers core "
    "platform main primary internal public system systems cluster team ops http https grpc v1 v2".split()
)

# Symptoms are chained backwards from the page while each is at most this far before the next one.
SYMPTOM_CHAIN_GAP = timedelta(hours=36)
SYMPTOM_HORIZON = timedelta(days=5)
STATED_LEEWAY = timedelta(hours=1)  # a symptom this far before the start people state is still theirs
STATED_LEEWAY_BEFORE_SIGNS = timedelta(hours=6)  # a stated start this far before the first sign found is kept
ROUTINE_LOOKBACK = timedelta(days=14)  # a bot's failure line already posted in these two weeks is routine


@dataclass
class Symptom:
    """An early sign that users were hurt: a message, or an alert that paged no one."""

    evidence_native_id: str
    source: str
    at: datetime
    kind: str  # customer_report | early_signal
    why: str
    text: str = ""
    automated: bool = False  # a bot's failure line: a machine signal like an alert, not a person noticing


@dataclass
class IncidentContext:
    """The incident, its service and everything learned about it before scoring."""

    incident: dict[str, Any]
    service: dict[str, Any] | None
    service_tokens: set[str]
    page_at: datetime
    resolved_at: datetime | None
    alerts: list[dict[str, Any]]
    notes: list[dict[str, Any]]
    log_entries: list[dict[str, Any]]
    chat: list[dict[str, Any]] = field(default_factory=list)  # evidence rows of the incident's chat
    chat_channels: set[str] = field(default_factory=set)
    query: dict[str, float] = field(default_factory=dict)
    key_terms: set[str] = field(default_factory=set)
    responders_pd: set[str] = field(default_factory=set)
    responder_handles: set[str] = field(default_factory=set)  # GitHub logins and Slack ids of responders
    service_incidents: list[dict[str, Any]] = field(default_factory=list)
    symptoms: list[Symptom] = field(default_factory=list)
    first_sign: Symptom | None = None  # the symptom that dates impact start, when one does

    @property
    def incident_id(self) -> str:
        return str(self.incident["id"])

    @property
    def end_of_response(self) -> datetime:
        return self.resolved_at or self.page_at + timedelta(hours=4)


def service_tokens(name: str | None) -> set[str]:
    return {t for t in tokenize(name) if t not in GENERIC_SERVICE_WORDS and len(t) > 2}


def load_context(session: Session, incident: dict[str, Any]) -> IncidentContext:
    """The incident's service, alerts, notes, log entries, responders and the service's other incidents."""
    iid = str(incident["id"])
    service = None
    if incident.get("service_id"):
        found = rows(session, "SELECT id, name, description FROM pd_service WHERE id = :s", {"s": incident["service_id"]})
        service = found[0] if found else {"id": incident["service_id"], "name": None, "description": None}
    alerts = rows(session, "SELECT id, summary, severity, alert_key, created_at, suppressed FROM pd_alert "
                  "WHERE incident_id = :i ORDER BY created_at", {"i": iid}, times=("created_at",))
    notes = rows(session, "SELECT id, content, created_at, user_id FROM pd_note WHERE incident_id = :i ORDER BY created_at",
                 {"i": iid}, times=("created_at",))
    logs = rows(session, "SELECT id, type, created_at, summary, agent_type, agent_id, channel_type, user_id "
                "FROM pd_log_entry WHERE incident_id = :i ORDER BY created_at", {"i": iid}, times=("created_at",))
    page_at: datetime = incident["created_at"]
    ctx = IncidentContext(
        incident=incident, service=service,
        service_tokens=service_tokens(service["name"] if service else None),
        page_at=page_at, resolved_at=incident.get("resolved_at"),
        alerts=alerts, notes=notes, log_entries=logs,
    )
    ctx.responders_pd = {str(x) for le in logs for x in (le["user_id"], le["agent_id"])
                         if x and le["agent_type"] in (None, "user_reference", "user")}
    ctx.responders_pd |= set(incident.get("assigned_user_ids") or [])
    if service:
        ctx.service_incidents = rows(
            session,
            "SELECT id, incident_number, title, urgency, status, created_at, resolved_at, assigned_user_ids "
            "FROM pd_incident WHERE service_id = :s AND created_at >= :a AND created_at <= :b ORDER BY created_at",
            {"s": service["id"], "a": page_at - timedelta(days=180), "b": page_at + timedelta(days=3)},
            times=("created_at", "resolved_at"), jsons=("assigned_user_ids",),
        )
        past = [i["id"] for i in ctx.service_incidents][-400:]
        for batch in chunks(past):
            for r in rows(session, "SELECT DISTINCT user_id, agent_id, agent_type FROM pd_log_entry "
                          "WHERE incident_id IN :ids AND type IN ('acknowledge_log_entry', 'annotate_log_entry', "
                          "'resolve_log_entry', 'notify_log_entry', 'assign_log_entry')", {"ids": batch}):
                for x in (r["user_id"], r["agent_id"] if r["agent_type"] in (None, "user_reference", "user") else None):
                    if x:
                        ctx.responders_pd.add(str(x))
    ctx.responder_handles = _handles_of(session, ctx.responders_pd)
    return ctx


def _handles_of(session: Session, pd_users: set[str]) -> set[str]:
    """GitHub logins and Slack user ids of the same people, joined by person key or by email."""
    if not pd_users:
        return set()
    out: set[str] = set()
    ids = sorted(pd_users)
    for batch in chunks(ids):
        for r in rows(session, "SELECT b.native_id, b.handle FROM account a JOIN account b ON b.person_key = a.person_key "
                      "WHERE a.source = 'pagerduty' AND a.native_id IN :ids AND a.person_key IS NOT NULL", {"ids": batch}):
            out.update(x for x in (r["native_id"], r["handle"]) if x)
        emails = [r["email"].lower() for r in rows(session, "SELECT email FROM pd_user WHERE id IN :ids AND email IS NOT NULL",
                                                   {"ids": batch})]
        for eb in chunks(emails):
            for r in rows(session, "SELECT native_id, handle FROM account WHERE lower(email) IN :e", {"e": eb}):
                out.update(x for x in (r["native_id"], r["handle"]) if x)
            for r in rows(session, "SELECT id FROM slack_user WHERE lower(email) IN :e", {"e": eb}):
                out.add(r["id"])
    return out


def find_chat(session: Session, ctx: IncidentContext) -> None:
    """The incident's chat: channels that talk about it while it is open (mentions, refs, its words)."""
    start, end = ctx.page_at - timedelta(hours=2), ctx.end_of_response + timedelta(hours=12)
    msgs = rows(session, f"SELECT {EVIDENCE_COLUMNS} FROM evidence WHERE source = 'slack' AND occurred_at >= :a "  # noqa: S608 - constant SQL text; values are bound
                "AND occurred_at <= :b ORDER BY occurred_at LIMIT 20000", {"a": start, "b": end},
                times=("occurred_at",), jsons=("attributes",))
    inc = ctx.incident
    refs_to_incident = set()
    targets = [str(inc["id"]), str(inc["incident_number"])]
    for r in rows(session, "SELECT from_native_id FROM evidence_ref WHERE from_source = 'slack' AND "
                  "ref_kind IN ('incident_number', 'incident_id') AND target IN :t", {"t": targets}):
        refs_to_incident.add(r["from_native_id"])
    title_terms = {t for t in tokenize(inc.get("title")) if len(t) > 3} | ctx.service_tokens
    hits: dict[str, float] = {}
    total: dict[str, int] = {}
    for m in msgs:
        if (m["attributes"] or {}).get("bot"):
            continue  # bots relay every page to their channel; people talking make an incident channel
        total[m["container"]] = total.get(m["container"], 0) + 1
        toks = set(tokenize(f"{m['title'] or ''} {m['text'] or ''}"))
        strong = m["native_id"] in refs_to_incident
        overlap = len(toks & ctx.service_tokens) + len(toks & title_terms) * 0.5
        if strong or overlap >= 1:
            hits[m["container"]] = hits.get(m["container"], 0) + (3 if strong else 1)
    # A busy channel that mentions the service now and then is not the incident's chat: ask for a share.
    ctx.chat_channels = {c for c, n in hits.items() if c and n >= 2 and n / max(total[c], 1) >= 0.3}
    # A channel opened while the incident was open is its war room, whatever its messages say.
    for ch in rows(session, "SELECT id, name FROM slack_channel WHERE created_at >= :a AND created_at <= :b",
                   {"a": ctx.page_at - timedelta(hours=1), "b": ctx.end_of_response}):
        ctx.chat_channels.add(ch["id"])
    ctx.chat = [m for m in msgs if m["container"] in ctx.chat_channels and m["occurred_at"] >= ctx.page_at - timedelta(minutes=30)]


def build_query(ctx: IncidentContext) -> None:
    """The incident's words, weighted: title, service and alerts count most, chat least."""
    inc = ctx.incident
    fields: list[tuple[str | None, float]] = [
        (inc.get("title"), 3.0), (inc.get("description"), 1.5),
        (ctx.service["name"] if ctx.service else None, 3.0),
        (ctx.service["description"] if ctx.service else None, 0.5),
    ]
    fields += [(a["summary"], 2.0) for a in ctx.alerts]
    fields += [(n["content"], 1.5) for n in ctx.notes]
    fields += [(m["text"], 0.5) for m in ctx.chat[:300]]
    ctx.query = {t: w for t, w in weighted_query(fields).items() if t not in GENERIC_SERVICE_WORDS}
    strong = weighted_query(fields[:3] + [(a["summary"], 2.0) for a in ctx.alerts])
    ctx.key_terms = {t for t in strong if len(t) > 2 and t not in GENERIC_SERVICE_WORDS} | ctx.service_tokens


def fts_ids(session: Session, terms: list[str], start: datetime, end: datetime, *, limit: int,
            source: str | None = None) -> dict[int, float]:
    """Evidence ids in [start, end] matching any term, with the backend's own rank (higher is better)."""
    terms = [t for t in terms if t.isalnum()][:48]
    if not terms:
        return {}
    src = " AND e.source = :src" if source else ""
    params: dict[str, Any] = {"a": start, "b": end, "k": limit}
    if source:
        params["src"] = source
    if dialect_name(session) == "sqlite":
        params["q"] = " OR ".join(f'"{t}"*' if len(t) <= 4 else f'"{t}"' for t in terms)
        sql = ("SELECT e.id AS id, -bm25(evidence_fts) AS r FROM evidence_fts JOIN evidence e ON e.id = evidence_fts.rowid "  # noqa: S608 - constant SQL text; values are bound
               f"WHERE evidence_fts MATCH :q AND e.occurred_at >= :a AND e.occurred_at <= :b{src} ORDER BY r DESC LIMIT :k")
    else:
        # Prefix matching is costly on a large GIN index: only short (possibly truncated) stems need it.
        params["q"] = " | ".join(f"{t}:*" if len(t) <= 4 else t for t in terms)
        sql = ("SELECT e.id AS id, ts_rank(e.search, q) AS r FROM evidence e, to_tsquery('english', :q) q "  # noqa: S608 - constant SQL text; values are bound
               f"WHERE e.search @@ q AND e.occurred_at >= :a AND e.occurred_at <= :b{src} ORDER BY r DESC LIMIT :k")
    return {int(r["id"]): float(r["r"]) for r in rows(session, sql, params)}


def fts_phrase_ids(session: Session, phrases: list[list[str]], start: datetime, end: datetime, *,
                   limit: int) -> dict[int, float]:
    """Evidence ids in [start, end] containing any of the phrases (identifier parts in order)."""
    phrases = [[w for w in p if w.isalnum()] for p in phrases[:24]]
    phrases = [p for p in phrases if len(p) >= 2]
    if not phrases:
        return {}
    params: dict[str, Any] = {"a": start, "b": end, "k": limit}
    if dialect_name(session) == "sqlite":
        params["q"] = " OR ".join('"' + " ".join(p) + '"' for p in phrases)
        sql = ("SELECT e.id AS id, -bm25(evidence_fts) AS r FROM evidence_fts JOIN evidence e ON e.id = evidence_fts.rowid "
               "WHERE evidence_fts MATCH :q AND e.occurred_at >= :a AND e.occurred_at <= :b ORDER BY r DESC LIMIT :k")
    else:
        params["q"] = " | ".join("(" + " <-> ".join(p) + ")" for p in phrases)
        sql = ("SELECT e.id AS id, ts_rank(e.search, q) AS r FROM evidence e, to_tsquery('english', :q) q "
               "WHERE e.search @@ q AND e.occurred_at >= :a AND e.occurred_at <= :b ORDER BY r DESC LIMIT :k")
    return {int(r["id"]): float(r["r"]) for r in rows(session, sql, params)}


def estimate_impact_start(session: Session, ctx: IncidentContext) -> tuple[datetime, str, dict[str, Any]]:
    """The earliest related symptom chained back from the page, or the page itself.

    Symptoms: messages that read like a report of something broken and share the service's or the
    incident's words; alerts of the same service that paged no one (low urgency, suppressed, no notify).
    Walking back from the page, a symptom counts while it is within SYMPTOM_CHAIN_GAP of the next one.
    """
    lo, hi = ctx.page_at - SYMPTOM_HORIZON, ctx.page_at
    found: list[Symptom] = []
    worded_bots: list[dict[str, Any]] = []
    keyed_bots: list[dict[str, Any]] = []
    terms = sorted(ctx.key_terms, key=lambda t: -ctx.query.get(t, 0.0))[:16]
    ids = fts_ids(session, terms, lo, hi, limit=2000, source="slack")
    if ids:
        for batch in chunks(sorted(ids)):
            for m in rows(session, f"SELECT {EVIDENCE_COLUMNS} FROM evidence WHERE id IN :ids", {"ids": batch},  # noqa: S608 - constant SQL text; values are bound
                          times=("occurred_at",), jsons=("attributes",)):
                body = m["text"] or m["title"] or ""
                toks = set(tokenize(body))
                if not (toks & ctx.service_tokens or len(toks & ctx.key_terms) >= 2):
                    continue
                if (m["attributes"] or {}).get("bot"):
                    # A bot is not a person noticing: its failure lines about the service are machine signals,
                    # and so are its reports in the incident's words whose figures left their usual level.
                    (worded_bots if toks & ctx.service_tokens else keyed_bots).append(m)
                    continue
                sym = symptom_strength(body)
                cust = customer_strength(body, m["container_name"])
                if sym <= 0 or announces_change(body):
                    continue
                kind = "customer_report" if cust >= 0.6 else "early_signal"
                found.append(Symptom(m["native_id"], "slack", m["occurred_at"], kind,
                                     f"{m['container_name'] or m['container']}: \u201c{_clip(body, 80)}\u201d", body))
    found += _bot_failures(session, ctx, lo, hi, worded_bots, keyed_bots)
    known = {s.evidence_native_id for s in found}
    found += [s for s in _pointed_feeds(session, ctx, lo, hi) if s.evidence_native_id not in known]
    if ctx.service:
        quiet = _quiet_alerts(session, ctx, lo, hi)
        found += [Symptom(a["native_id"], "pagerduty", a["at"], "early_signal", a["why"], a["why"]) for a in quiet]
    found.sort(key=lambda s: s.at, reverse=True)
    chain: list[Symptom] = []
    anchor = ctx.page_at
    for s in found:
        if s.at < anchor - SYMPTOM_CHAIN_GAP:
            break
        if s.at < ctx.page_at:
            chain.append(s)
            anchor = min(anchor, s.at)
    ctx.symptoms = chain
    detail: dict[str, Any] = {"symptoms": [{"native_id": s.evidence_native_id, "source": s.source,
                                            "at": s.at.isoformat(), "kind": s.kind, "why": s.why} for s in chain]}
    estimate, source = ctx.page_at, "created"
    # Errors that paged no one can precede the harm to users (a failing job before its effect is seen);
    # a person noticing is direct evidence of impact, so the earliest one wins when there is one.
    # A bot's failure line that names what the incident is about (its job, its table) is as direct.
    direct = [s for s in chain if s.source == "slack"]
    if chain:
        detail["earliest_machine_signal"] = min(s.at for s in chain).isoformat()
        estimate, source, ctx.first_sign = anchor, "estimated", chain[-1]
        detail["basis"] = "first alert of the service that paged no one"
    if direct:
        first = ctx.first_sign = min(direct, key=lambda s: s.at)
        who = "first failure a bot reported" if first.automated else "first person to notice"
        estimate, detail["basis"] = first.at, f"{who}: {first.why}"
    # People saying when it began ("since yesterday 15:31") date it better than the first line found, unless
    # that line falls in the part of the day they named or shortly before the time they gave.
    stated = _stated(ctx, chain)
    if stated is not None and not (stated[0].at - STATED_LEEWAY <= estimate
                                   < stated[0].at + max(stated[0].span, timedelta(minutes=1))):
        detail["found"] = detail.get("basis")
        estimate, source = stated[0].at, "estimated"
        if ctx.first_sign and not estimate - STATED_LEEWAY <= ctx.first_sign.at <= estimate + stated[0].span + STATED_LEEWAY:
            ctx.first_sign = None  # what was found first is not the start they speak of
        # In the part of the day people named ("since yesterday morning"), the first machine sign found (an alert,
        # a bot's line) dates it closer; people notice later than the harm begins.
        inside = [s for s in chain if estimate <= s.at < estimate + stated[0].span and (s.automated or s.source != "slack")]
        if inside:
            ctx.first_sign = min(inside, key=lambda s: s.at)
            estimate = ctx.first_sign.at
        # People's remarks days before the start people state were about something else.
        ctx.symptoms = [s for s in chain if s.source != "slack" or s.automated or s.at >= estimate - SYMPTOM_CHAIN_GAP]
        detail["basis"] = f"start stated {stated[1]}: \u201c{_clip(stated[0].phrase, 60)}\u201d"
    return estimate, source, detail


def _stated(ctx: IncidentContext, chain: list[Symptom]) -> tuple[Stated, str] | None:
    """The start of trouble the incident itself states ("... since 07:38" in its title), else the one people stated
    in its chat or in the symptoms before the page: the earliest clock time that is not after the earliest part of a
    day named, else that part of the day."""
    said = [(m["text"], m["occurred_at"], f"by {m['actor_name'] or m['actor']}") for m in ctx.chat
            if not (m["attributes"] or {}).get("bot")]
    said += [(s.text, s.at, f"in {s.why.split(':')[0]}") for s in chain if s.source == "slack" and not s.automated]
    zones = conversation_zones([text for text, _, _ in said] + [ctx.incident.get("title")])
    # The incident's own words say which trouble it is about; chat may date its causes too ("inactive since 13:37").
    own = [st for st in stated_starts(f"{ctx.incident.get('title') or ''}. {ctx.incident.get('description') or ''}",
                                      ctx.page_at, zones) if not st.span and ctx.page_at - SYMPTOM_HORIZON <= st.at]
    if own:
        return min(own, key=lambda st: st.at), "in the incident's own words"
    found = [(st, who) for text, at, who in said for st in stated_starts(text, at, zones)
             if ctx.page_at - SYMPTOM_HORIZON <= st.at <= ctx.page_at]
    coarse = min((f for f in found if f[0].span), key=lambda f: f[0].at, default=None)
    # A clock time after the part of the day people named ("since mon afternoon" ... "open since mon 18:10")
    # is about something that came later, and one long before it (more than that part's length) about something
    # earlier.
    exact = [f for f in found if not f[0].span and (
        coarse is None or coarse[0].at - coarse[0].span <= f[0].at < coarse[0].at + coarse[0].span)]
    # A time said long before anything was found is more likely about something else (a decoy's change).
    first_found = min((s.at for s in chain), default=None)
    near = [f for f in exact if first_found is None or f[0].at >= first_found - STATED_LEEWAY_BEFORE_SIGNS]
    return min(near, key=lambda f: f[0].at, default=max(exact, key=lambda f: f[0].at, default=coarse))


def incident_texts(ctx: IncidentContext) -> list[str | None]:
    """The incident's own words: title, description, alerts, notes and its chat."""
    texts: list[str | None] = [ctx.incident.get("title"), ctx.incident.get("description")]
    texts += [a["summary"] for a in ctx.alerts] + [n["content"] for n in ctx.notes] + [m["text"] for m in ctx.chat]
    return texts


def _bot_failures(session: Session, ctx: IncidentContext, lo: datetime, hi: datetime,
                  worded: list[dict[str, Any]], keyed: list[dict[str, Any]]) -> list[Symptom]:
    """Bots' failure lines (a job failing, an SLA miss, a figure far from its usual) in [lo, hi) that name an
    identifier of the incident's words or name its service (`worded`): errors that reached a channel but paged
    no one; and bot reports in the incident's key words (`keyed`) whose figures left their usual level.
    A bot relaying a PagerDuty page is left out."""
    idents = sorted({i for t in incident_texts(ctx) for i in identifiers(t)})
    ids = fts_phrase_ids(session, [i.split("_") for i in idents], lo, hi, limit=500)
    bots = [m for batch in chunks(sorted(ids)) for m in rows(
        session, f"SELECT {EVIDENCE_COLUMNS} FROM evidence WHERE id IN :ids AND source = 'slack'",  # noqa: S608 - constant SQL text; values are bound
        {"ids": batch}, times=("occurred_at",), jsons=("attributes",)) if (m["attributes"] or {}).get("bot")]
    worded_ids = {m["native_id"] for m in worded}
    found_ids = {m["native_id"] for m in bots}
    bots += [m for m in worded if m["native_id"] not in found_ids]
    found_ids |= worded_ids
    keyed_ids = {m["native_id"] for m in keyed} - found_ids
    bots += [m for m in keyed if m["native_id"] in keyed_ids]
    relays = {r["from_native_id"] for b in chunks([m["native_id"] for m in bots]) for r in rows(
        session, "SELECT from_native_id FROM evidence_ref WHERE from_source = 'slack' AND from_native_id IN :n "
        "AND ref_kind IN ('incident_number', 'incident_id')", {"n": b})}
    routine, departs = _routine_lines(session, bots, lo)
    named = {m["native_id"]: {i for i in idents if f"_{i}_" in _words(m["text"] or m["title"])} for m in bots}
    # An identifier a bot names all the time (a busy job's name) says nothing about this incident.
    count = Counter(i for found in named.values() for i in found)
    out: list[Symptom] = []
    for m in bots:
        body = m["text"] or m["title"] or ""
        nid = m["native_id"]
        specific = any(count[i] <= 6 for i in named[nid]) or nid in worded_ids or nid in departs
        failing = nid in departs if nid in keyed_ids else machine_failure(body) or nid in departs
        if nid in relays or nid in routine or not failing or not specific or announces_change(body):
            continue
        why = f" ({departs[nid]})" if nid in departs else ""
        out.append(Symptom(nid, "slack", m["occurred_at"], "early_signal",
                           f"{m['container_name'] or m['container']}: \u201c{_clip(body, 80)}\u201d{why}", body,
                           automated=True))
    return out


# A channel named in a message: Slack's `<#C123|name>` or a typed `#name`.
_CHANNEL_MENTION = re.compile(r"<#(C[A-Z0-9]+)(?:\|[^>]*)?>|(?<![\w&#/])#([a-z0-9][a-z0-9._-]{1,79})")


def _pointed_feeds(session: Session, ctx: IncidentContext, lo: datetime, hi: datetime) -> list[Symptom]:
    """Bot lines in [lo, hi) of a channel the incident's chat points at ("#fleet-events has UnAllocated for
    ranked-s7 since 08:46"): the lines of that feed most like the pointing words are what it reported
    before anyone was paged. Lines sharing fewer than three words, or one fewer than the best, are the
    feed's usual traffic."""
    pointers: dict[str, list[dict[str, Any]]] = {}
    names: set[str] = set()
    for m in ctx.chat:
        if (m["attributes"] or {}).get("bot"):
            continue
        for cid, name in _CHANNEL_MENTION.findall(m["text"] or ""):
            pointers.setdefault(cid or f"#{name}", []).append(m)
            names.update([name] if name else [])
    if not pointers:
        return []
    by_name = {f"#{r['name']}": r["id"] for r in rows(
        session, "SELECT id, name FROM slack_channel WHERE name IN :n", {"n": sorted(names)})} if names else {}
    out: list[Symptom] = []
    for key, msgs in pointers.items():
        channel = by_name.get(key, key)
        if channel in ctx.chat_channels or channel.startswith("#"):
            continue
        lines = [r for r in rows(session, f"SELECT {EVIDENCE_COLUMNS} FROM evidence WHERE source = 'slack' "  # noqa: S608 - constant SQL text; values are bound
                                 "AND container = :c AND occurred_at >= :a AND occurred_at < :b "
                                 "ORDER BY occurred_at LIMIT 5000", {"c": channel, "a": lo, "b": hi},
                                 times=("occurred_at",), jsons=("attributes",)) if (r["attributes"] or {}).get("bot")]
        if not lines:
            continue
        feed = set(tokenize(lines[0]["container_name"]))
        words = {t for m in msgs for t in tokenize(m["text"]) if not t.isdigit()} - feed
        shared = {r["native_id"]: len(set(tokenize(r["text"])) & words) for r in lines}
        best = max(shared.values())
        for r in lines:
            if shared[r["native_id"]] >= max(3, best - 1):
                out.append(Symptom(r["native_id"], "slack", r["occurred_at"], "early_signal",
                                   f"{r['container_name'] or channel}: \u201c{_clip(r['text'] or '', 80)}\u201d, the feed "
                                   "the incident's chat points at", r["text"] or "", automated=True))
    return out


def _routine_lines(session: Session, bots: list[dict[str, Any]], lo: datetime) -> tuple[set[str], dict[str, str]]:
    """Bot lines that their channel already posted in the two weeks before the symptom horizon, in the same
    words (numbers and ids aside) or as a failure of the same subject (the `pod` or `job` it names):
    a failure that happens all the time did not start this incident. Also the lines whose figures are far
    from what the same report said in those two weeks ("123 skipped, usually 1"), with that figure."""
    channels = sorted({m["container"] for m in bots if m["container"]})
    seen: Counter[tuple[str, str]] = Counter()
    reports: dict[tuple[str, str], list[str]] = {}
    for batch in chunks(channels):
        for r in rows(session, "SELECT container, text FROM evidence WHERE source = 'slack' AND container IN :c "
                      "AND occurred_at >= :a AND occurred_at < :b ORDER BY occurred_at DESC LIMIT 20000",
                      {"c": batch, "a": lo - ROUTINE_LOOKBACK, "b": lo}):
            seen[(r["container"], template(r["text"]))] += 1
            if machine_failure(r["text"]) and (subject := _subject(r["text"])):
                seen[(r["container"], subject)] += 1
            reports.setdefault((r["container"], header(r["text"])), []).append(r["text"] or "")
    departs = {m["native_id"]: d for m in bots
               if (d := departs_from_usual(m["text"], reports.get((m["container"], header(m["text"])), [])[:50]))}
    # Routine is what came at least twice; a daily report is routine in its words, not when its figures are
    # far from their usual level.
    routine = {m["native_id"] for m in bots if not far_from_usual(m["text"]) and m["native_id"] not in departs
               and max(seen[(m["container"], template(m["text"]))], seen[(m["container"], _subject(m["text"]))]) >= 2}
    return routine, departs


def _subject(text: str | None) -> str:
    """What a bot line is about: its first `quoted` name up to the first part that carries a number, where
    generated suffixes start (`ticketing/seatmap-api-7f9c2-xbkq` -> `ticketing/seatmap-api`)."""
    m = re.search(r"`([^`\n]{3,120})`", text or "")
    if not m:
        return ""
    parts = m.group(1).split("-")
    cut = next((i for i, p in enumerate(parts) if any(c.isdigit() for c in p)), len(parts))
    return "-".join(parts[:cut]).strip("-")


def _words(text: str | None) -> str:
    """`orders_events.waitForRaw` -> `_orders_events_wait_for_raw_`: identifier parts joined, to find identifiers in."""
    return "_" + "_".join(p for chunk in re.split(r"[^A-Za-z0-9]+", text or "") for p in split_identifier(chunk)) + "_"


def _quiet_alerts(session: Session, ctx: IncidentContext, lo: datetime, hi: datetime) -> list[dict[str, Any]]:
    """Alerts and incidents of the service in [lo, hi) that paged no one or were low urgency/suppressed."""
    assert ctx.service is not None
    incs = [i for i in ctx.service_incidents if lo <= i["created_at"] < hi and i["id"] != ctx.incident_id]
    if not incs:
        alerts_only = rows(session, "SELECT id, summary, severity, suppressed, created_at, incident_id FROM pd_alert "
                           "WHERE service_id = :s AND created_at >= :a AND created_at < :b AND incident_id IS NULL",
                           {"s": ctx.service["id"], "a": lo, "b": hi}, times=("created_at",))
        return [{"native_id": a["id"], "at": a["created_at"], "why": f"alert that paged no one: {a['summary']}"}
                for a in alerts_only]
    ids = [i["id"] for i in incs]
    notified = {r["incident_id"] for b in chunks(ids) for r in rows(
        session, "SELECT DISTINCT incident_id FROM pd_log_entry WHERE incident_id IN :ids AND type = 'notify_log_entry'",
        {"ids": b})}
    alerts = {r["incident_id"]: r for b in chunks(ids) for r in rows(
        session, "SELECT id, incident_id, summary, suppressed, severity FROM pd_alert WHERE incident_id IN :ids", {"ids": b})}
    out = []
    for i in incs:
        a = alerts.get(i["id"])
        quiet = i["urgency"] == "low" or i["id"] not in notified or bool(a and a["suppressed"])
        if not quiet:
            continue
        how = "low urgency" if i["urgency"] == "low" else ("suppressed" if a and a["suppressed"] else "paged no one")
        out.append({"native_id": i["id"], "at": i["created_at"], "why": f"{how}: {i['title']}"})
        if a:
            out.append({"native_id": a["id"], "at": i["created_at"], "why": f"{how}: {a['summary']}"})
    return out


def _clip(text: str, n: int) -> str:
    text = " ".join(text.split())
    return text if len(text) <= n else text[: n - 1] + "\u2026"
