"""Signals read from one item's content: monitoring paths, detection-weakening patches, symptom language.

These are general patterns of how changes weaken detection and how people report symptoms, not
words of any one story. Each function returns a strength in [0, 1] and short human-readable facts.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field

from warehouse.textsim import split_identifier, template

# Path components that say "this file decides what pages or what is caught".
_MONITORING_PARTS = frozenset(
    "alert alerts alerting alertmanager alarm alarms monitor monitors monitoring prometheus rules rule grafana "
    "datadog nagios sentry pagerduty opsgenie oncall notify notifier notification notifications slo slos sli "
    "healthcheck healthchecks health probe probes watchdog thresholds threshold metrics observability check checks "
    "checker checkers canary canaries synthetic synthetics uptime heartbeat heartbeats pager paging "
    # log and telemetry pipelines decide which lines and events reach the store alerts read
    "fluentbit fluentd logstash promtail loki otelcol".split()
)
# Words that name monitoring only as a whole path component (`checks/`, `search-api.rules.yml`,
# `health.py`); inside a longer name they are usually a feature (`health_connect`, `velocity_rule`).
_AMBIGUOUS_MONITORING = frozenset("health rule rules check checks metrics probe probes threshold thresholds".split())
# A log shipper's name that is a common word elsewhere (`src/vector/math.ts`): monitoring only for its config files.
_SHIPPER_CONFIG = re.compile(r"(^|/)vector/(.+/)?[^/]+\.(ya?ml|toml|vrl)$", re.I)
_ERROR_HANDLING_PARTS = frozenset("error errors errorhandler exception exceptions handler handlers retry retries "
                                  "fallback fallbacks guard guards".split())

# Words whose removal from a patch means an alert/check/raise went away.
_DETECT_WORDS = re.compile(
    r"\b(alert|alerts|alerting|page|pager|pagerduty|notify|notif\w*|raise|throw|severity|critical|error|"
    r"threshold|fire|trigger|monitor|expr|escalat\w*|report|log\.error|logger\.error|sentry|capture_exception)\b",
    re.I,
)
# Added lines that silence, swallow or skip.
_SILENCE = re.compile(
    r"\b(silence[ds]?|suppress\w*|mute[ds]?|ignore[ds]?|disable[ds]?|noop|no-op|snooze\w*|"
    r"enabled\s*[:=]\s*(false|0|no)|send_resolved\s*:\s*false|dry_?run|quiet|"
    r"(notify|page|paging|alert|escalate)\w*\s*[:=]\s*['\"]?(false|0|no|none|null)|"
    r"(urgency|priority|severity)\s*[:=]\s*['\"]?(low|info|warning|p[45]|none))\b",
    re.I,
)
_SILENCE_OR_SKIP = re.compile(_SILENCE.pattern + r"|\bskip\w*", re.I)
# An added negative matcher or exclusion narrows what an alert condition catches.
_EXCLUDE = re.compile(r"(!~|!=|!\(|\bnot\s+in\b|\bNOT\b|\bunless\b|\bexclude\w*)")
# How often a check runs ("frequency: EVERY_1M", "interval: 60s") and how many failures it waits for.
_CHECK_EVERY = re.compile(r"\b(?:frequency|interval|period|every|cadence|schedule)\w*['\"]?\s*[:=(]\s*['\"]?[\w.]*?"
                          r"(\d+)\s*(s|sec|m|min|h|hr)?\b", re.I)
_FAILURES_BEFORE = re.compile(r"\b(?:consecutive\w*|failures?|failed_?runs?|runBasedEscalation|threshold_?count)"
                              r"['\"]?\s*[:=(]\s*(\d+)()", re.I)


def _seconds(m: re.Match[str]) -> int:
    return int(m.group(1)) * {"": 1, "s": 1, "sec": 1, "m": 60, "min": 60, "h": 3600, "hr": 3600}[(m.group(2) or "").lower()]


# Where an alert goes, and destinations that wake no one.
_ROUTE_KEY = re.compile(r"(receiver|route|routing_key|service(_id|_key)?|escalation_policy|integration|destination|"
                        r"notify|channel|team)$")
_QUIET_ROUTE = re.compile(r"(low|notif|info|email|mail|slack|ticket|warn|digest|noop|null|blackhole|devnull|quiet)", re.I)
# A config line that says whom or how something pages: `page: recon-runner`, `receiver: pd-edge`, `on_failure: alert`.
_PAGING_KEY = re.compile(r"^[ +-][ \t]*(?:on_\w+|alert\w*|page|pager|paging|notify|receiver|escalat\w*|urgency)[ \t]*:[ \t]*\S.*$",
                         re.M | re.I)
# Numbers in dependency manifests are versions, not thresholds.
_MANIFEST = re.compile(r"(package(-lock)?\.json|requirements[^/]*\.txt|go\.(mod|sum)|Cargo\.(toml|lock)|"
                       r"poetry\.lock|Pipfile|yarn\.lock|pnpm-lock|Gemfile|pom\.xml|build\.gradle|\.lock$)", re.I)
_SWALLOW = re.compile(r"^\s*(except\b.*:|except:|catch\s*\(|rescue\b|pass\s*$|return\s*(None|null|nil|false)?\s*;?\s*$|"
                      r"continue\s*;?\s*$|\}\s*catch\b|on_error|onerror|\.catch\()", re.I)
_SEVERITIES = {"critical": 4, "crit": 4, "fatal": 4, "high": 3, "error": 3, "err": 3, "major": 3,
               "warning": 2, "warn": 2, "medium": 2, "minor": 1, "low": 1, "info": 0, "debug": 0}
_SEV = re.compile(r"\b(" + "|".join(_SEVERITIES) + r")\b", re.I)
_NUMBER_KV = re.compile(r"([A-Za-z_][\w.-]*)['\"]?\s*[:=><]+\s*['\"]?[~^]?(\d+(?:\.\d+)?)(?![.\d])(ms|s|m|h|d|%)?\b")
_ASSIGN = re.compile(r"^\s*([A-Za-z_][\w.]*)\s*[:=]\s*(.+?)\s*,?$")
_FOR_DURATION = re.compile(r"\bfor\s*:\s*['\"]?(\d+)(s|m|h)\b", re.I)

# Title and body language of a change meant to reduce paging.
_INTENT = re.compile(
    r"\b(noisy (alerts?|pages?|paging|alarms?)|alert noise|paging noise|flapping|flaps|false positives?|too many (pages|alerts)|alert fatigue|silenc\w*|mute\w*|"
    r"suppress\w*|downgrad\w*|don'?t (alert|page|notify)|do not (alert|page|notify)|stop (alerting|paging)|"
    r"no longer (alert|page|notifie|wake)s?|raise (the )?threshold|bump (the )?threshold|increase (the )?threshold|"
    r"ignore|swallow\w*|quiet\w* (down )?(the )?([\w-]+ ){0,2}(alerts?|pages?|paging|pager|alarms?|monitors?|checks?|on-?call)|"
    r"reduce (pages|alerts|noise)|not alert|not page|tone[ds]? down|toned down|pag(ed|es) ([\w-]+ ){0,3}\d+ times|"
    r"only (page|alert)|pages us|paging us|wak(e|es|ing) (us|people|someone|anyone|anybody) up|too noisy|less noisy|"
    r"(doesn'?t|does not|won'?t|will not|never) (alert|page|notify|wake)s?|(to|as|at) (a |the )?low[- ]urgency|"
    r"warning instead|instead of (paging|alerting)|flaky (checks?|alerts?|monitors?|probes?|tests?)|"
    r"(remove|delete|drop|disable)\w* (the |this |that )?([\w-]+ ){0,3}(checks?|alerts?|monitors?|probes?|alarms?))\b",
    re.I,
)

# Symptom language: someone noticing that users are hurt, before anyone was paged.
_SYMPTOM = re.compile(
    r"(\bis\s+[\w-]+\s+(broken|down|slow|failing|working)\b|\b(broken|not working|isn'?t working|doesn'?t work|"
    r"stopped working|can'?t|cannot|unable|missing|not (returning|showing|loading|found|completed|paid|delivered|processed)|isn'?t returning|"
    r"no results|errors?|fail|failing|fails|failed|timeouts?|tim(e|ed|ing) out|degraded|outage|down for|500s?|40[34]s?|"
    r"changed (something|anything)|"
    r"5xx|empty|wrong|weird|strange|odd|hmm+|stale|hangs?|hanging|hung|stuck|slow|spins|spinning|spinner|frozen|freez\w*|"
    r"offline|not updating|lagg\w*|delayed|unavailable|unreachable|took \d+ ?(s|sec|seconds|min|minutes)|"
    r"(doesn'?t|does not|don'?t|not) (come|coming|show|showing|turn|turning) up|can'?t find|cannot find|"
    r"nothing new|no new|crash(es|ed|ing)?|keeps? (crashing|stopping|failing)|blank|disappear\w*|vanish\w*|"
    r"(is|was|are|were) gone|couldn'?t|could not|won'?t (load|open|start)|(is|was) (something|anything) (up|wrong|off)|"
    r"miss(es|ed)? (their|its|our|the) (promised|cut-?off|pickup|pick-up|deadline|sla|window|slot|delivery|departure)|"
    r"no (?!changes?\b|plans?\b|issues?\b|problems?\b|errors?\b|news\b)[\w-]+ (in|on) (the|their|my|our|your) "
    r"(app|site|portal|website|account|dashboard|inbox)|"
    r"still (say |says |show |shows |shown as |in )?(pending|processing|queued|waiting)|did (anything|something) change|"
    r"over and over|again and again|(in|into) a loop|loop(s|ing)? back|keeps? (looping|going back|bouncing)|"
    r"(doesn'?t|does not|don'?t|do not|didn'?t|did not|never|not|isn'?t|aren'?t|haven'?t|hasn'?t|no longer) "
    r"(arriv\w*|receiv\w*|(come|comes|came|coming|go|goes|went|going) through)|never (came|comes|showed up|shows up))\b)",
    re.I,
)
# How monitors and schedulers word a failure that is not an error: a missed deadline, a crossed limit.
_MACHINE_FAILURE = re.compile(
    r"\b(sla (miss|missed|breach\w*)|missed (its |the )?(sla|deadline)|breach(ed|es)?|overdue|still running|"
    r"exceed(ed|s)?|anomal(y|ies|ous)|(below|above|under|over) (the )?(threshold|baseline|expected)|"
    r"oom\w*|out of memory|killed|evicted|crash ?loop\w*|back-?off|panic(ked|s)?|unhealthy|exit code [1-9]|"
    r"un(allocated|schedulable|available|reachable|responsive)|(found )?no (ready|healthy|available) \w+|insufficient|"
    r"(down|dropped|fell) \d+(\.\d+)? ?%|\d+(\.\d+)? ?% (below|down|lower))\b", re.I)
_CUSTOMER_NOUN = (r"(customers?|users?|clients?|shoppers?|merchants?|buyers?|members?|partners?|tenants?|accounts?|"
                  r"subscribers?|players?|patients?|riders?|guests?|students?|viewers?|listeners?|sellers?|fans?|attendees?|"
                  r"travell?ers?|passengers?|visitors?|readers?)")
# A customer report relays what customers say or see; a customer noun alone may be an employee's own test.
_CUSTOMER = re.compile(
    _CUSTOMER_NOUN + r"\W+(\w+\W+){0,4}?(say|says|said|report\w*|complain\w*|can'?t|cannot|are (seeing|getting|unable)|"
    r"see|seeing|get|getting|tell|told|ask\w*|email\w*|wr[io]te|call\w*|hit|hitting)\b|"
    r"\b(complaints?|tickets? (from|about|saying)|(opened|filed|got) (a |some )?tickets?|support requests?|"
    r"\d[\d,]*\+? (\w+ )?(tickets|complaints|contacts|chats)|(chats?|calls?|contacts?) from (\w+ ){0,2}"
    + _CUSTOMER_NOUN + r"|on the phone|called (us|in|support)|phoned (us|in)|"
    r"reports from|receiving (some )?(reports|requests))\b|"
    r"\b\w{3,}s\s+(say|said|report|reported|are reporting|complain\w*|tell us|told us|are seeing|can'?t|cannot)\b", re.I)
_CUSTOMER_WORD = re.compile(r"\b" + _CUSTOMER_NOUN + r"\b", re.I)
_CUSTOMER_CHANNEL = re.compile(r"(customer|support|cx|help|care|success|escalat|feedback|ticket)", re.I)


@dataclass
class PatchFacts:
    """What a change's paths and patch say about detection."""

    path_strength: float = 0.0
    patch_strength: float = 0.0
    intent_strength: float = 0.0
    facts: list[str] = field(default_factory=list)

    @property
    def strength(self) -> float:
        if not self.patch_strength and not self.intent_strength:
            return 0.15 * self.path_strength  # a monitoring path alone says little: alert repos change often
        return min(1.0, 0.25 * self.path_strength + 0.5 * self.patch_strength + 0.35 * self.intent_strength)


def path_kind(path: str) -> str | None:
    """`monitoring` for alert rules and monitoring code, `error_handling` for error paths, else None."""
    parts: set[str] = set()
    whole: set[str] = set()
    for comp in re.split(r"[/.]+", path):
        words = [w for piece in re.split(r"[_-]+", comp) for w in split_identifier(piece)]
        parts.update(words)
        if len(words) == 1:
            whole.update(words)
    if parts & (_MONITORING_PARTS - _AMBIGUOUS_MONITORING) or whole & _AMBIGUOUS_MONITORING or _SHIPPER_CONFIG.search(path):
        return "monitoring"
    if parts & _ERROR_HANDLING_PARTS:
        return "error_handling"
    return None


def _severity(line: str) -> int | None:
    # Severity words count inside identifiers too: `pagerduty_high_urgency_topic`, `sev-critical`.
    found = [_SEVERITIES[m.group(1).lower()] for m in _SEV.finditer(re.sub(r"[_.\-]+", " ", line))]
    return max(found) if found else None


def _numbers(line: str) -> dict[str, float]:
    return {m.group(1).lower(): float(m.group(2)) for m in _NUMBER_KV.finditer(line)}


def _changed_lines(patch: str | None, sign: str) -> list[str]:
    head = sign * 3
    return [ln[1:] for ln in (patch or "").splitlines() if ln.startswith(sign) and not ln.startswith(head)]


def moved_lines(patches: Iterable[str | None]) -> set[str]:
    """Lines a change removes in one place and adds in another: code that moved (a refactor), not code removed."""
    removed = {ln.strip() for p in patches for ln in _changed_lines(p, "-") if ln.strip()}
    added = {ln.strip() for p in patches for ln in _changed_lines(p, "+") if ln.strip()}
    return removed & added


def analyse_patch(patch: str | None, path: str = "", moved: frozenset[str] | set[str] = frozenset()) -> tuple[float, list[str]]:
    """Strength in [0, 1] that a patch weakens detection, and the facts found (removed alert, raised threshold...).

    An added early return or except only counts where it can hide a failure: in monitoring or
    error-handling code, or where the same patch removes an alert, raise or error report.
    """
    if not patch or _MANIFEST.search(path):
        return 0.0, []
    removed = [ln for ln in _changed_lines(patch, "-") if ln.strip() not in moved]
    added = [ln for ln in _changed_lines(patch, "+") if ln.strip() not in moved]
    facts: list[str] = []
    score = 0.0
    removed_detect = [ln for ln in removed if _DETECT_WORDS.search(ln)]
    added_detect = [ln for ln in added if _DETECT_WORDS.search(ln)]
    if len(removed_detect) > len(added_detect):
        score += 0.4
        facts.append("removes an alert, raise or error report")
    # "skip" silences only where a skipped step is a check or its report; elsewhere it skips work (a fetch, a cache).
    silence = _SILENCE_OR_SKIP if path_kind(path) else _SILENCE
    if any(silence.search(ln) for ln in added) and not any(silence.search(ln) for ln in removed):
        score += 0.4
        facts.append("adds a silence, a low urgency or a do-not-notify")
    if path_kind(path) == "monitoring" and any(_EXCLUDE.search(ln) for ln in added) and not any(
            _EXCLUDE.search(ln) for ln in removed):
        score += 0.4
        facts.append("adds an exclusion to an alert condition")
    swallow = [ln for ln in added if _SWALLOW.search(ln)]
    if _silent_catch_all(added):
        score += 0.6
        facts.append("adds a catch-all that drops every error silently")
    elif swallow and (removed_detect or path_kind(path) is not None):
        score += 0.35
        facts.append("adds an early return or an except/catch that swallows the error")
    old_sev = [s for s in map(_severity, removed) if s is not None]
    new_sev = [s for s in map(_severity, added) if s is not None]
    if old_sev and new_sev and max(new_sev) < max(old_sev):
        score += 0.5
        facts.append("downgrades a severity")
    old_nums: dict[str, float] = {}
    for ln in removed:
        old_nums.update(_numbers(ln))
    for ln in added:
        for key, value in _numbers(ln).items():
            # A higher number is a higher threshold where the file decides what pages or the key says so;
            # elsewhere it is a rollout, a retry count or a size.
            if key in old_nums and value > old_nums[key] and not key.isdigit() and (
                    path_kind(path) == "monitoring" or _DETECT_WORDS.search(key.replace("_", " ").replace(".", " "))):
                score += 0.4
                facts.append(f"raises {key} from {old_nums[key]:g} to {value:g}")
                break
        else:
            continue
        break
    old_keys = {m.group(1).lower(): m.group(2) for ln in removed for m in _ASSIGN.finditer(ln)}
    for ln in added:
        for m in _ASSIGN.finditer(ln):
            key = m.group(1).lower()
            # Only a literal (a number, a duration, a level, a flag) is a tuning; a changed call is not.
            if (key in old_keys and old_keys[key] != m.group(2) and _literal(old_keys[key]) and _literal(m.group(2))
                    and _DETECT_WORDS.search(key.replace("_", " ").replace(".", " "))):
                score += 0.3
                facts.append(f"retunes {key} ({_clip(old_keys[key])} \u2192 {_clip(m.group(2))})")
                break
        else:
            continue
        break
    # Re-routing: the alert now goes to a receiver that wakes no one (notifications, low urgency, email, a ticket).
    for ln in added:
        for m in _ASSIGN.finditer(ln):
            key, new = m.group(1).lower(), m.group(2)
            if _ROUTE_KEY.search(key) and key in old_keys and _QUIET_ROUTE.search(new) and not _QUIET_ROUTE.search(
                    old_keys[key]):
                score += 0.5
                facts.append(f"re-routes it ({_clip(old_keys[key])} \u2192 {_clip(new)})")
                break
        else:
            continue
        break
    if path_kind(path) == "monitoring":
        # A check that runs less often, or waits for more failures in a row, sees a failure later.
        for pattern, fact in ((_CHECK_EVERY, "runs the check less often"),
                              (_FAILURES_BEFORE, "needs more failures in a row before it alerts")):
            old_v = [_seconds(m) for ln in removed for m in pattern.finditer(ln)]
            new_v = [_seconds(m) for ln in added for m in pattern.finditer(ln)]
            if old_v and new_v and max(new_v) > max(old_v):
                score += 0.4
                facts.append(f"{fact} ({max(old_v)} \u2192 {max(new_v)}{' s' if pattern is _CHECK_EVERY else ''})")
    old_for = [int(m.group(1)) * {"s": 1, "m": 60, "h": 3600}[m.group(2).lower()] for ln in removed for m in _FOR_DURATION.finditer(ln)]
    new_for = [int(m.group(1)) * {"s": 1, "m": 60, "h": 3600}[m.group(2).lower()] for ln in added for m in _FOR_DURATION.finditer(ln)]
    if old_for and new_for and max(new_for) > max(old_for):
        score += 0.4
        facts.append("lengthens how long a condition must hold before it alerts")
    return min(score, 1.0), facts


# A handler for every error: `except:`, `except Exception`, `catch (Throwable t)`, `rescue => e`, `catch (...)`.
_CATCH_ALL = re.compile(r"^\s*(\}\s*)?(except\s*(\(?\s*(Base)?Exception\b[^:]*)?:|catch\s*\(\s*(\w+\s*:\s*)?"
                        r"(Throwable|Exception|\.\.\.|_|error|err|e)\b[^)]*\)\s*\{?|rescue\b\s*(=>\s*\w+)?\s*$)", re.I)
_EMPTY_JS_CATCH = re.compile(r"\.catch\(\s*(\(\s*\w*\s*\)|\w+)\s*=>\s*(\{\s*\}|null|undefined)\s*\)")
_EMPTY_BODY = re.compile(r"^\s*(pass|\}|\{\}|\}\)?;?|//.*|#.*|/\*.*|\*.*|\.\.\.|null;?|nil|undefined)?\s*$")


def _silent_catch_all(added: list[str]) -> bool:
    """An added catch-all whose body does nothing (a comment, `pass`, a brace) before it closes."""
    for i, line in enumerate(added):
        if _EMPTY_JS_CATCH.search(line):
            return True
        if not _CATCH_ALL.search(line):
            continue
        body = []
        for nxt in added[i + 1:i + 4]:
            if nxt.strip().startswith(("}", "finally", "else", "end")) or not nxt.strip():
                break
            body.append(nxt)
        if all(_EMPTY_BODY.match(b) for b in body):  # comments and braces only: nothing logs or re-raises
            inline = line.split(":", 1)[1] if line.strip().startswith("except") and ":" in line else ""
            if not inline.strip() or _EMPTY_BODY.match(inline):
                return True
    return False


_LITERAL = re.compile(r"""^\s*["']?[\w.:+\-]*["']?\s*,?\s*$""")


def _literal(value: str) -> bool:
    return bool(_LITERAL.match(value))


def _clip(text: str, n: int = 30) -> str:
    return text if len(text) <= n else text[: n - 1] + "\u2026"


def change_facts(title: str | None, body: str | None, files: list[tuple[str, str | None]],
                 removed: Iterable[str] = ()) -> PatchFacts:
    """Detection facts of a change from its title/body, its files (path, patch excerpt) and the files it deletes."""
    out = PatchFacts()
    kinds = [k for k in (path_kind(p) for p, _ in files) if k]
    if "monitoring" in kinds:
        out.path_strength = 1.0
        paths = [p for p, _ in files if path_kind(p) == "monitoring"]
        out.facts.append(f"touches alert rules or monitoring code ({', '.join(paths[:2])})")
    elif "error_handling" in kinds:
        out.path_strength = 0.6
        paths = [p for p, _ in files if path_kind(p) == "error_handling"]
        out.facts.append(f"touches error handling ({', '.join(paths[:2])})")
    elif paging := next((m for path, patch in files if not _MANIFEST.search(path)
                         for m in [_PAGING_KEY.search(patch or "")] if m), None):
        # A job's or a check's own config that says whom it pages decides detection, wherever it lives.
        out.path_strength = 0.8
        out.facts.append(f"changes a config that decides what pages (\u201c{_clip(paging.group(0).strip(), 40)}\u201d)")
    moved = moved_lines(patch for _, patch in files)
    found = sorted((analyse_patch(patch, path, moved) for path, patch in files), key=lambda x: -x[0])
    found = [f for f in found if f[0] > 0]
    if found:
        # Weakening often spans files (a routing change plus a rule change): the second file adds half.
        out.patch_strength = min(1.0, found[0][0] + (0.5 * found[1][0] if len(found) > 1 else 0.0))
        facts = list(dict.fromkeys(f for _, fs in found for f in fs))
        out.facts.append("patch " + "; ".join(facts))
    deleted = [p for p in removed if path_kind(p) == "monitoring"]
    if deleted:
        # Deleting an alert rule or a check outright is the strongest way to stop it from firing.
        out.patch_strength = max(out.patch_strength, 0.8)
        out.facts.append(f"deletes an alert or check definition ({', '.join(deleted[:2])})")
    m = _INTENT.search(f"{title or ''}\n{body or ''}")
    if m:
        out.intent_strength = 1.0 if _INTENT.search(title or "") else 0.6
        out.facts.append(f"says it is meant to reduce paging (\u201c{m.group(0)}\u201d)")
    return out


def symptom_strength(text: str | None) -> float:
    """How much a message reads like a report of something broken (0..1)."""
    if not text:
        return 0.0
    hits = len(_SYMPTOM.findall(text))
    return min(1.0, 0.5 * hits) if hits else 0.0


# Someone announcing their own change ("X is now on for 50%", "rolled out", "deployed to prod").
_ANNOUNCE = re.compile(
    r"\b(is|are) now (on|live|enabled|active|rolled out|at \d+ ?%)|\bnow (on|live|enabled) for\b|^[^?]*\b(is|are|went) live\b|"
    r"^\W*(:\w+:\s*)?(\*[\w.-]+\*\s+)?(deployed|deploying|rolled out|rolling out|shipped|shipping|released|releasing|enabled|"
    r"turned on|flipped|merged)\b", re.I)


def announces_change(text: str | None) -> bool:
    """A message announcing a change that was just made: news of a change, not a report of harm."""
    return bool(text and _ANNOUNCE.search(text))


# A figure next to its usual level: "1,317 (7-day avg 38)", "412 (usual ~20)".
_VERSUS_USUAL = re.compile(r"(\d[\d,]*(?:\.\d+)?)\s*%?\s*\((?:[\w-]+ )?(?:avg|average|usual|baseline|normal|typical|median|expected|forecast)\w*\s*"
                           r"(?:is |of |:)?\s*~?(\d[\d,]*(?:\.\d+)?)\s*%?\)", re.I)


def far_from_usual(text: str | None) -> bool:
    """A figure at least three times (or a third of) the usual level it is printed next to."""
    for m in _VERSUS_USUAL.finditer(text or ""):
        now, usual = (float(g.replace(",", "")) for g in m.groups())
        if usual and (now >= 3 * usual or now <= usual / 3):
            return True
    return False


# A figure and the word after it: "123 skipped", "39.6% rejected", "8.6k rps".
_FIGURE = re.compile(r"(?<![\w.:-])(\d[\d,]*(?:\.\d+)?)(?![\d:])\s?(%|k\b)?\s*([A-Za-z][\w-]*)")
_EMOJI = re.compile(r":[a-z][a-z0-9_+-]*:")


def figures(text: str | None) -> dict[tuple[str, int], tuple[float, bool]]:
    """The figures of a bot line by the word after each (and its repeat): value, and whether it is a percentage."""
    out: dict[tuple[str, int], tuple[float, bool]] = {}
    seen: Counter[str] = Counter()
    for m in _FIGURE.finditer(_EMOJI.sub(" ", text or "")):
        label = m.group(3).lower()
        value = float(m.group(1).replace(",", "")) * (1000 if m.group(2) == "k" else 1)
        out[(label, seen[label])] = (value, m.group(2) == "%")
        seen[label] += 1
    return out


def header(text: str | None, words: int = 6) -> str:
    """The first words of a bot line, numbers and emoji aside: what its daily or hourly report is called."""
    return " ".join(template(_EMOJI.sub(" ", text or "")).split()[:words])


_WARNING = re.compile(r"(?::warning:|:rotating_light:|:red_circle:|:x:|:exclamation:|\u26a0\ufe0f?)\s*[^\s·|,;]*")


def departs_from_usual(text: str | None, earlier: list[str]) -> str | None:
    """The figure of a bot line that is far from the same line's earlier figures ("123 skipped, usually 2"): at
    least three times (or a third of) their median and 5 apart, or 15 points apart for a percentage."""
    # A report that flags one of its own figures (":warning: -53%"), which it seldom does, says it left its usual.
    flag = _WARNING.search(text or "")
    if flag and len(earlier) >= 2 and sum(bool(_WARNING.search(t)) for t in earlier) <= len(earlier) / 4:
        return f"flagged {flag.group(0).strip()}"
    before = [figures(t) for t in earlier]
    for key, (now, pct) in figures(text).items():
        past = sorted(f[key][0] for f in before if key in f)
        if len(past) < 2:
            continue
        usual = past[len(past) // 2]
        lo, hi = sorted((now, usual))
        if (abs(now - usual) >= 15 if pct else (hi >= 3 * lo and hi - lo >= 5)):
            unit = "%" if pct else ""
            return f"{now:g}{unit} {key[0]}, usually {usual:g}{unit}"
    return None


def machine_failure(text: str | None) -> bool:
    """A monitor's or a scheduler's line about a failure, in its own words (errors, an SLA miss, a drop, a spike)."""
    return bool(text) and (symptom_strength(text) > 0 or bool(_MACHINE_FAILURE.search(text or "")) or far_from_usual(text))


def customer_strength(text: str | None, channel_name: str | None) -> float:
    """How much a message reads like a customer report: customer words or a support channel."""
    s = 0.0
    if text and _CUSTOMER.search(text):
        s += 0.6
    elif text and _CUSTOMER_WORD.search(text):
        s += 0.15
    if channel_name and _CUSTOMER_CHANNEL.search(channel_name):
        s += 0.3
    return min(s, 1.0)


_PAGING = re.compile(r"\b(pag(e|es|ed|ing) (them|the|him|her|someone|on-?call)|paging|escalat\w*|on-?call|pager)\b", re.I)


def is_paging_action(text: str | None) -> bool:
    """A message about paging or escalating to someone: a response, not a symptom."""
    return bool(text and _PAGING.search(text))


# A responder dropping a hypothesis: "not the image", "no change", "ruling it out", "a red herring".
_RULES_OUT = re.compile(
    r"\b(red herring|rul(?:e|ed|ing) (?:it|that|this|them) out|false alarm|dead end|unrelated|didn'?t help|"
    r"no change|isn'?t (?:it|that|the cause)|not (?:it|that|them)|not the (\w+))\b", re.I)


# The same as a sentence of its own: "... the hub never reboots a thermostat. not hub-fw", "not DNS. looking at".
_NOT_THING = re.compile(r"(?:^|[.!?;]\s+|,\s+)(not ([\w.-]*\w))\s*(?:[.!?;]|$)", re.I)
_NOT_A_THING = frozenset("sure yet really now me us you quite exactly always ever much great good ok okay".split())


# An answer that opens by saying no to the question just asked: "don't think so, the 429s come from ratelimitd".
_ANSWERS_NO = re.compile(
    r"^\W*(no(?=\s*(?:[,.!;:\u2014-]|$)|\s+(?:it|that|this)\b)|nope|nah|(?:i )?don'?t think so|"
    r"(?:i )?doubt (?:it|that)|unlikely|can'?t be(?: it| that)?|same answer|not (?:it|that|this|likely))\b"
    r"(?!\s+(?:yet|sure|only|just))", re.I)


def answers_no(text: str | None) -> str | None:
    """The opening no of an answer ("no, that'd be SerializationFailure" -> "no")."""
    m = _ANSWERS_NO.match(text or "")
    return m.group(1) if m else None


def rules_out(text: str | None) -> tuple[str, str | None] | None:
    """The phrase that drops a hypothesis, and the thing it names when it says which ("not the image" -> image)."""
    m = _RULES_OUT.search(text or "")
    if m:
        return m.group(0), m.group(2)
    m = _NOT_THING.search(text or "")
    return (m.group(1), m.group(2)) if m and m.group(2).lower() not in _NOT_A_THING else None
