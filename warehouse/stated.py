"""When people say the trouble began: "since yesterday 15:31", "since Monday afternoon", "it started around 08:40".

A clock time without a zone (or with UTC/GMT) is read as UTC, the usual convention of incident channels; a time in
a zone people name ("10:42 NZT", "3pm PT", "19:45 Sydney time") is read in that zone, daylight saving included, and
one in a zone that cannot be told ("IST", "local time") is not guessed at. A day alone ("since Monday") says too little.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta, tzinfo
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

# "since ...", or a start or a first bad one when the clause speaks of trouble: "errors start 07:41",
# "the stuck ones start 14:50 mon", "the first bad invoice is 14:47".
_TRIGGER = re.compile(r"\b(?:since|(starts?|started|began|begins)(?:\s+(?:at|around|about))?|(first)(?:\s+[\w-]+){1,2}?"
                      r"\s+(?:is|was|at|came in at))\b\s*", re.I)
_TROUBLE = re.compile(r"\b(it|this|that|errors?|failures?|fail\w*|stuck|broken|bad|wrong|timeouts?|5\d\d|5xx|"
                      r"problems?|issues?|impact|outage|trouble|rejections?|rejected|declined?s?|crash\w*)\b", re.I)
# A clause that says something is fine since then, or that something is absent, is not a start of trouble.
# Nor is one that says since when a change has been in place ("akl has been on engine v2 since this morning").
_NOT_TROUBLE = re.compile(r"\b(back to|back up|fine|normal|healthy|recovered|stable|green|resolved|fixed|no|not|ok)\b|"
                          r"\b(?:been|is|are|was|were|went) (?:live|enabled|rolled out|deployed)\b|"
                          r"\bbeen on (?!fire\b|the rise\b)", re.I)
_TOKEN = re.compile(r"\d{4}-\d{2}-\d{2}|\d{1,2}:\d{2}(?:\s?[ap]\.?m\b\.?)?|\d{1,2}\s?[ap]\.?m\b\.?|\d{1,2}(?:st|nd|rd|th)?\b"
                    r"|[a-z]+|~", re.I)
_FILLER = frozenset("about around approx approximately roughly at ca on the ~ utc gmt z of".split())
_ZONE = re.compile(r"\b((?i:time|local)|[A-Z]{1,3}[SD]?T)\b")
# Zone abbreviations people write after a clock time, by the zone whose clocks they name (an abbreviation that
# stands for several zones, "IST", is left out).
_ABBREVIATIONS = {
    **dict.fromkeys(("PT", "PST", "PDT"), "America/Los_Angeles"), **dict.fromkeys(("MT", "MST", "MDT"), "America/Denver"),
    **dict.fromkeys(("CT", "CST", "CDT"), "America/Chicago"), **dict.fromkeys(("ET", "EST", "EDT"), "America/New_York"),
    "BST": "Europe/London", **dict.fromkeys(("WET", "WEST"), "Europe/Lisbon"),
    **dict.fromkeys(("CET", "CEST"), "Europe/Paris"), **dict.fromkeys(("EET", "EEST"), "Europe/Athens"),
    "MSK": "Europe/Moscow", "SGT": "Asia/Singapore", "HKT": "Asia/Hong_Kong", "JST": "Asia/Tokyo", "KST": "Asia/Seoul",
    "AWST": "Australia/Perth", **dict.fromkeys(("ACST", "ACDT"), "Australia/Adelaide"),
    **dict.fromkeys(("AET", "AEST", "AEDT"), "Australia/Sydney"), **dict.fromkeys(("NZT", "NZST", "NZDT"), "Pacific/Auckland"),
}
_CITY_TIME = re.compile(r"\b([A-Za-z]+(?: [A-Za-z]+)?) time\b")
# Part of a day: its start (hours) and how long it lasts.
_PARTS = {"morning": (6, 6), "lunch": (12, 2), "lunchtime": (12, 2), "noon": (12, 2), "midday": (12, 2),
          "afternoon": (12, 6), "evening": (18, 4), "night": (20, 10), "overnight": (22, 8), "midnight": (0, 2)}


@dataclass(frozen=True)
class Stated:
    at: datetime
    span: timedelta  # zero for a clock time; the length of the part of the day otherwise
    phrase: str


def _clock(tok: str) -> tuple[int, int] | None:
    m = re.fullmatch(r"(\d{1,2})(?::(\d{2}))?\s?([ap])?\.?m?\.?", tok.lower())
    if m is None or (m.group(2) is None and m.group(3) is None):
        return None  # a bare number ("since about 6") could be any hour
    h, mins = int(m.group(1)), int(m.group(2) or 0)
    if m.group(3):
        if not 1 <= h <= 12:
            return None
        h = h % 12 + (12 if m.group(3) == "p" else 0)
    return (h, mins) if h < 24 and mins < 60 else None


_WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
_MONTHS = ("january", "february", "march", "april", "may", "june", "july", "august", "september", "october",
           "november", "december")


def _prefix_of(word: str, names: tuple[str, ...]) -> int | None:
    """The index of the name that `word` abbreviates ("tues", "sept", "oct"), if any."""
    w = word.lower().rstrip(".")
    return next((i for i, n in enumerate(names) if len(w) >= 3 and (n.startswith(w) or w == "sept" and i == 8)), None)


_CLOCK_IN_ZONE = re.compile(r"\b(\d{1,2}:\d{2})\s?([A-Z]{2,4})\b")


@dataclass(frozen=True)
class Zones:
    """The zones a conversation gives its times in. `clocks`: a clock time it once gives in a zone ("on v2 since
    10:41 NZT") is in that zone when said again without one ("fallback on every order since 10:41"). `local`: the
    one zone other than UTC it names, in which it speaks of the parts of the day ("since lunch")."""

    clocks: dict[str, tzinfo]
    local: tzinfo = UTC


def conversation_zones(texts: list[str | None]) -> Zones:
    """The zones the clock times of `texts` are given in (see `Zones`)."""
    named: dict[str, set[str | None]] = {}
    for t in texts:
        for m in _CLOCK_IN_ZONE.finditer(t or ""):
            z = m.group(2)
            named.setdefault(m.group(1).zfill(5), set()).add("UTC" if z in ("UTC", "GMT") else _ABBREVIATIONS.get(z))
    clocks = {clock: _zone_info(next(iter(names))) for clock, names in named.items() if len(names) == 1}
    local = {n for names in named.values() for n in names} - {"UTC", None}
    return Zones({c: z for c, z in clocks.items() if z is not None and z is not UTC},
                 (_zone_info(local.pop()) or UTC) if len(local) == 1 else UTC)


def _zone_info(name: str | None) -> tzinfo | None:
    if name in (None, "UTC"):
        return UTC if name else None
    try:
        return ZoneInfo(name)
    except (OSError, ZoneInfoNotFoundError):
        return None


def stated_start(text: str | None, said_at: datetime, zones: Zones | None = None) -> Stated | None:
    """The earliest start of trouble that `text`, said at `said_at`, states, or None."""
    return min(stated_starts(text, said_at, zones), key=lambda s: s.at, default=None)


def stated_starts(text: str | None, said_at: datetime, zones: Zones | None = None) -> list[Stated]:
    """Every start of trouble that `text`, said at `said_at`, states; a time that names no zone is in the zone the
    conversation (`zones`) gives it, else in UTC."""
    zones = zones or Zones({})
    text = text or ""
    found: list[Stated] = []
    for m in _TRIGGER.finditer(text):
        clause = re.split(r"[.,;!?\n]|\bbut\b", text[: m.start()])[-1]
        if _NOT_TROUBLE.search(clause) or (m.group(1) and not _TROUBLE.search(clause)) or (
                m.group(2) and not _TROUBLE.search(m.group(0))):
            continue
        rest = re.split(r"[,;!?()\n]|\.(?!\d|m)|:\s|https?:", text[m.end(): m.end() + 48])[0]
        clock = re.search(r"\b\d{1,2}:\d{2}\b", rest)
        tz, named = _zone(rest, zones.clocks.get(clock.group(0).zfill(5), UTC) if clock else zones.local)
        if tz is None:
            continue
        st = _parse(rest.replace(named, " ") if named else rest, said_at.astimezone(tz))
        if st is not None:
            st = (st[0].astimezone(UTC), st[1])
            found.append(Stated(st[0], st[1], f"{m.group(0)}{rest}".strip()))
    # "... since 21:38, and it was pinned thursday and friday evening too": the same trouble on an earlier day.
    for m in _TOO.finditer(text):
        words = [w.lower() for w in re.findall(r"[a-z]+", m.group(1), re.I)]
        day = next((w for w in words if w == "yesterday" or _prefix_of(w, _WEEKDAYS) is not None), None)
        if day is not None and (st := _parse(" ".join([day] + [w for w in words if w in _PARTS][:1]),
                                             said_at.astimezone(zones.local))) is not None:
            found.append(Stated(st[0].astimezone(UTC), st[1], m.group(0).strip(" .,;")))
    return found


_TOO = re.compile(r"(?:^|[.;!?,]\s*)(?:and\s+)?(?:it|this|that|they|we)\s+(?:was|were|did|had|happened)\b([^.;!?]*?)"
                  r"\b(?:too|as well)\b", re.I)


@functools.cache
def _cities() -> dict[str, str]:
    """Zone names by their city, as people say them ("sydney", "los angeles")."""
    try:
        names = available_timezones()
    except (OSError, ZoneInfoNotFoundError):  # no zone data on this machine
        return {}
    return {n.rsplit("/", 1)[-1].replace("_", " ").lower(): n for n in names if "/" in n}


def _zone(rest: str, default: tzinfo) -> tuple[tzinfo | None, str]:
    """The zone of the clock time in `rest` and the words that name it: `default` when none is named, None when
    the named one cannot be told."""
    city = _CITY_TIME.search(rest)
    if re.search(r"\b(?:utc|gmt|z)\b", rest, re.I):
        return UTC, ""
    if city is not None:
        words = city.group(1).lower().split()
        name, named = _cities().get(" ".join(words)) or _cities().get(words[-1]), city.group(0)
    elif (m := _ZONE.search(rest)) is not None:
        name, named = _ABBREVIATIONS.get(m.group(1)), m.group(0)
    else:
        return default, ""
    return _zone_info(name), named


def _parse(rest: str, said_at: datetime) -> tuple[datetime, timedelta] | None:
    today = said_at.replace(hour=0, minute=0, second=0, microsecond=0)
    day: datetime | None = None
    weekday = False  # the day was named by its weekday: "since Monday 13:41" said on a Monday morning is last week's
    clock: tuple[int, int] | None = None
    part: tuple[int, int] | None = None
    month = dom = None
    for tok in _TOKEN.findall(rest)[:6]:
        low = tok.lower()
        if low in _FILLER:
            continue
        if re.fullmatch(r"\d{4}-\d{2}-\d{2}", low):
            day = datetime.fromisoformat(low).replace(tzinfo=said_at.tzinfo)
        elif (c := _clock(tok)) is not None:
            clock = c
        elif re.fullmatch(r"\d{1,2}(st|nd|rd|th)?", low):
            dom = int(re.sub(r"\D", "", low))
        elif low in ("yesterday", "last"):
            day = today - timedelta(days=1)
        elif low in ("today", "this", "tonight"):
            day, part = today, (_PARTS["evening"] if low == "tonight" else part)
        elif low in _PARTS:
            part = _PARTS[low]
        elif (wd := _prefix_of(low, _WEEKDAYS)) is not None:
            day, weekday = today - timedelta(days=(today.weekday() - wd) % 7), True
        elif (mo := _prefix_of(low, _MONTHS)) is not None:
            month = mo + 1
        else:
            break
    if dom is not None and (month is not None or clock is not None):  # "Oct 15", "14:00 on the 15th"
        try:
            day = today.replace(month=month or today.month, day=dom)
            if day > today:
                day = day.replace(year=day.year - 1) if month else (day.replace(day=1) - timedelta(days=1)).replace(day=dom)
        except ValueError:
            return None
    if clock is not None:
        start, span = (day or today).replace(hour=clock[0], minute=clock[1]), timedelta(0)
    elif part is not None:
        start, span = (day or today) + timedelta(hours=part[0]), timedelta(hours=part[1])
    else:
        return None  # a day alone, or nothing that reads as a time
    if start > said_at:
        if day is None:
            start -= timedelta(days=1)  # "since 22:10" said at 09:00: last night's
        elif weekday and day == today:
            start -= timedelta(days=7)
        else:
            return None  # a start after the words were said is not a start
    return start, span
