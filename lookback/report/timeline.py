"""The report's swimlane timeline, laid out in Python as plain numbers and strings for the SVG template.

Three panels share the lanes (one per source and container): the whole lookback window, the days
before the page, and the response. Storylines run as strips above the lanes, with a tick at each member; the pages of the affected service are drawn behind the evidence so a noisy run, and the
silence after it, can be seen.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

WIDTH = 1180
LEFT = 190  # room for lane names
PLOT = WIDTH - LEFT - 20
ROW = 17
STRIP = 15
MAX_ROWS = 5
SHOWN = 48
CHAR = 6.2  # average width of a label character at the label font size, in px
SOURCES = ("github", "slack", "pagerduty")
SOURCE_NAMES = {"github": "GitHub", "slack": "Slack", "pagerduty": "PagerDuty"}
ROLE_COLORS = {
    "trigger": "#d1242f", "detection_weakened": "#8250df", "contributor": "#bc4c00", "early_signal": "#bf8700",
    "customer_report": "#cf222e", "response": "#0969da", "fix": "#1a7f37", "context": "#8c959f",
}
GROUP_COLORS = ("#8250df", "#d1242f", "#0969da", "#bf8700", "#1a7f37")
LABELED_ROLES = {"trigger", "detection_weakened", "fix"}


@dataclass
class Lane:
    key: tuple[str, str]
    name: str
    y: float = 0.0
    height: float = 0.0


@dataclass
class Panel:
    title: str
    start: datetime
    end: datetime
    y: float = 0.0
    height: float = 0.0
    ticks: list[dict[str, Any]] = field(default_factory=list)
    lanes: list[dict[str, Any]] = field(default_factory=list)
    dots: list[dict[str, Any]] = field(default_factory=list)
    pages: list[dict[str, Any]] = field(default_factory=list)
    strips: list[dict[str, Any]] = field(default_factory=list)
    marks: list[dict[str, Any]] = field(default_factory=list)
    shade: dict[str, float] | None = None
    zoom: dict[str, float] | None = None

    def x(self, when: datetime) -> float:
        span = (self.end - self.start).total_seconds() or 1.0
        frac = (when - self.start).total_seconds() / span
        return round(LEFT + min(max(frac, 0.0), 1.0) * PLOT, 1)

    def holds(self, when: datetime | None) -> bool:
        return when is not None and self.start <= when <= self.end


def as_time(value: Any) -> datetime | None:
    """An aware datetime from a datetime or an ISO 8601 string (as the JSON contract gives times)."""
    if value is None or isinstance(value, datetime):
        return value
    return datetime.fromisoformat(str(value).replace("Z", "+00:00")).astimezone(UTC)


def shown_items(items: Sequence[dict[str, Any]]) -> list[dict[str, Any]]:
    """The items worth a dot: the best ranked, context last and only while there is room."""
    core = [it for it in items if it["role"] != "context"][:SHOWN]
    rest = [it for it in items if it["role"] == "context"][: SHOWN // 4]
    return sorted(core + rest, key=lambda it: it["rank"])[:SHOWN]


def lanes_for(items: Sequence[dict[str, Any]], service: str | None) -> list[Lane]:
    """One lane per source and container (the best three of each source), the rest of a source in one lane."""
    best: dict[tuple[str, str], int] = {}
    for it in items:
        key = (it["source"], it.get("container") or "")
        best[key] = min(best.get(key, 10**9), it["rank"])
    if service:
        best.setdefault(("pagerduty", service), 10**8)
    lanes: list[Lane] = []
    for source in SOURCES:
        keys = sorted((k for k in best if k[0] == source), key=lambda k: best[k])
        for k in keys[:3]:
            lanes.append(Lane(k, f"{SOURCE_NAMES[source]} · {k[1] or '-'}"))
        if len(keys) > 3:
            lanes.append(Lane((source, "*"), f"{SOURCE_NAMES[source]} · other"))
    return lanes


def _lane_of(lanes: Sequence[Lane], it: dict[str, Any]) -> Lane:
    key = (it["source"], it.get("container") or "")
    for lane in lanes:
        if lane.key == key:
            return lane
    return next(lane for lane in lanes if lane.key == (it["source"], "*"))


def _label(it: dict[str, Any]) -> str:
    if it["source"] == "github" and it["kind"] == "pull_request":
        return str(it["native_id"]).rsplit("/", 1)[-1]
    title = " ".join(str(it.get("title") or it["native_id"]).split())
    return title if len(title) <= 26 else title[:25] + "\u2026"


def _ticks(start: datetime, end: datetime) -> list[tuple[datetime, str]]:
    span = end - start
    if span > timedelta(days=14):
        step, fmt = timedelta(days=7), "%b %d"
        first = (start + timedelta(days=(7 - start.weekday()) % 7)).replace(hour=0, minute=0, second=0, microsecond=0)
    elif span > timedelta(days=2):
        step, fmt = timedelta(days=1), "%b %d"
        first = (start + timedelta(days=1)).replace(hour=0, minute=0, second=0, microsecond=0)
    else:
        minutes = next(m for m in (5, 10, 15, 30, 60, 120, 240, 360) if span / timedelta(minutes=m) <= 10)
        step, fmt = timedelta(minutes=minutes), "%H:%M"
        base = start.replace(minute=0, second=0, microsecond=0)
        first = base + step * (int((start - base) / step) + 1)
    out = []
    t = first
    while t <= end:
        out.append((t, t.strftime(fmt)))
        t += step
    return out


def panels_for(facts: dict[str, Any]) -> list[Panel]:
    inv = facts["investigation"]
    impact, page, resolved = inv["impact_start"], inv["detected_at"], inv["resolved_at"]
    start, end = inv["window_start"], inv["window_end"]
    weeks = round((impact - start) / timedelta(weeks=1)) if impact else None
    panels = [Panel(f"The lookback window ({weeks} weeks before impact start)" if weeks else "The lookback window",
                    start, end)]
    anchor = min(t for t in (impact, page) if t is not None) if (impact or page) else None
    if anchor is not None and page is not None:
        days_end = (resolved or page) + timedelta(hours=12)
        panels.append(Panel("The days before the page", max(start, anchor - timedelta(days=3)), min(end, days_end)))
        resp_start = page - timedelta(minutes=45)
        resp_end = (resolved or page + timedelta(hours=3)) + timedelta(minutes=20)
        panels.append(Panel("The response", resp_start, resp_end))
    return panels


def layout(facts: dict[str, Any]) -> dict[str, Any]:
    """Every shape of the timeline, in px: panels, lanes, dots with their tooltips, strips, paths, marks."""
    inv = facts["investigation"]
    items = shown_items(facts["items"])
    service = facts["incident"].get("service_name")
    lanes = lanes_for(items, service)
    groups = [g for g in facts["groups"] if not str(g["key"]).startswith("context-")][: len(GROUP_COLORS)]
    color = {g["key"]: GROUP_COLORS[i] for i, g in enumerate(groups)}
    panels = panels_for(facts)
    y = 10.0
    for idx, panel in enumerate(panels):
        panel.y = y
        y += 26  # title
        y = _strips(panel, groups, facts, color, y)
        lane_top = y
        placed = _pack(panel, lanes, items)
        for lane in lanes:
            rows = max([p["row"] for p in placed if p["lane"] is lane] or [0]) + 1
            lane.y, lane.height = y, 14 + rows * ROW
            panel.lanes.append({"name": lane.name, "y": lane.y, "height": lane.height, "source": lane.key[0]})
            y += lane.height
        for p in placed:
            it = p["item"]
            p_y = p["lane"].y + 12 + p["row"] * ROW
            panel.dots.append({"x": p["x"], "y": p_y, "color": ROLE_COLORS.get(it["role"], "#57606a"),
                               "label": p["label"], "left": p["left"], "rank": it["rank"], "role": it["role"], "native_id": it["native_id"],
                               "group": it.get("group"), "tip": tooltip(it)})
        _pages(panel, lanes, facts, service)
        panel.ticks = [{"x": panel.x(t), "text": s} for t, s in _ticks(panel.start, panel.end)]
        top, bottom = lane_top, y
        marks = (("impact start", inv["impact_start"], "impact"), ("page", inv["detected_at"], "page"),
                 ("resolved", inv["resolved_at"], "resolved"))
        for n, (name, when, css) in enumerate(m for m in marks if panel.holds(m[1])):
            panel.marks.append({"x": panel.x(when), "top": panel.y + 20, "bottom": bottom, "name": name, "css": css,
                                "when": when.strftime("%b %d %H:%M"), "text_y": panel.y + 10 + 11 * n})
        if inv["impact_start"] and (inv["resolved_at"] or inv["detected_at"]):
            a, b = panel.x(inv["impact_start"]), panel.x(inv["resolved_at"] or inv["detected_at"])
            if b > a:
                panel.shade = {"x": a, "width": b - a, "top": top, "height": bottom - top}
        if idx + 1 < len(panels):
            nxt = panels[idx + 1]
            a, b = panel.x(nxt.start), panel.x(nxt.end)
            panel.zoom = {"x": a, "width": max(b - a, 2.0), "top": top, "height": bottom - top}
        panel.height = bottom - panel.y + 22
        y = bottom + 40
    return {"width": WIDTH, "height": y, "left": LEFT, "panels": panels,
            "legend": [{"role": r, "color": c} for r, c in ROLE_COLORS.items()],
            "groups": [{"title": g["title"], "color": color[g["key"]]} for g in groups]}


def tooltip(it: dict[str, Any]) -> str:
    lines = [f"#{it['rank']} {it.get('title') or it['native_id']}", f"{it['role']} · {it['source']} · {it['occurred_at']}"]
    lines += [f"- {r}" for r in (it.get("reasons") or [])[:6]]
    if it.get("label"):
        lines.append(f"investigator: {it['label']}")
    return "\n".join(lines)


def _strips(panel: Panel, groups: Sequence[dict[str, Any]], facts: dict[str, Any], color: dict[str, str],
            y: float) -> float:
    """One strip per storyline: a bar from its first to its last member, ticks at the members."""
    times = {it["native_id"]: as_time(it["occurred_at"]) for it in facts["items"]}
    for g in groups:
        first, last = as_time(g["first_at"]), as_time(g["last_at"])
        if first is None or last is None or last < panel.start or first > panel.end:
            continue
        a, b = panel.x(max(first, panel.start)), panel.x(min(last, panel.end))
        ticks = sorted({panel.x(t) for m in g["members"] if (t := times.get(m["native_id"])) and panel.holds(t)})
        name = str(g["title"]).split(":")[0]
        panel.strips.append({"x": a, "width": max(b - a, 3.0), "y": y, "color": color[g["key"]], "title": g["title"],
                             "name": name if len(name) <= 30 else name[:29] + "\u2026",
                             "summary": g.get("summary") or "", "ticks": ticks})
        y += STRIP
    return y + 4


def _pack(panel: Panel, lanes: Sequence[Lane], items: Sequence[dict[str, Any]]) -> list[dict[str, Any]]:
    """Place each item of the panel on the first row of its lane where its dot and label fit."""
    placed = []
    ends: dict[tuple[int, int], float] = {}
    inside = [it for it in items if panel.holds(as_time(it["occurred_at"]))]
    for it in sorted(inside, key=lambda i: (as_time(i["occurred_at"]), i["rank"])):
        lane = _lane_of(lanes, it)
        x = panel.x(as_time(it["occurred_at"]))  # type: ignore[arg-type]
        headline = it["kind"] in ("pull_request", "incident") or it["source"] == "slack"
        wants_label = (headline and it["role"] in LABELED_ROLES) or it["rank"] <= 5 or bool(it.get("label"))
        label = _label(it) if wants_label else ""
        width = len(label) * CHAR
        # Near the right edge the label goes on the left of its dot.
        left = bool(label) and x + 10 + width > LEFT + PLOT
        span = (x - 10 - width, x + 6) if left else (x - 6, x + 10 + width)
        row = next((r for r in range(MAX_ROWS) if ends.get((id(lane), r), -1e9) < span[0]), None)
        if row is None:  # the lane is full here: the dot goes on the last row, without its label
            row, label, left, span = MAX_ROWS - 1, "", False, (x - 6, x + 6)
        ends[(id(lane), row)] = max(ends.get((id(lane), row), -1e9), span[1])
        placed.append({"item": it, "lane": lane, "row": row, "x": x, "label": label, "left": left})
    return placed


def _pages(panel: Panel, lanes: Sequence[Lane], facts: dict[str, Any], service: str | None) -> None:
    """The affected service's pages (filled) and alerts that paged no one (hollow), in its lane."""
    lane = next((ln for ln in lanes if ln.key == ("pagerduty", service)), None)
    if lane is None:
        return
    for p in facts["pages"]:
        if panel.holds(p["at"]):
            panel.pages.append({"x": panel.x(p["at"]), "y": lane.y + 1, "paged": p["paged"], "this": p["this"],
                                "tip": f"{'paged' if p['paged'] else 'paged no one'} · {p['at']:%b %d %H:%M} · {p['title']}"})
