"""Ground truth of a world: the evidence an investigator must see, with roles, resolved after numbering."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from lookback.sandbox.worlds.builder import WorldBuilder

ROLES: frozenset[str] = frozenset(
    {"trigger", "detection_weakened", "contributor", "early_signal", "customer_report", "response", "fix", "context"}
)


def native_id(source: str, obj: dict[str, Any]) -> str:
    """The CONTRACTS §1 native id of a world object (PR, message, PagerDuty object)."""
    if source == "github":
        return f"{obj['repo']}#{obj['number']}"
    if source == "slack":
        return f"{obj['channel']}/{obj['ts']}"
    return str(obj["id"])


@dataclass
class Truth:
    """Collects truth items as references to world objects; `to_dict` reads their final ids."""

    builder: WorldBuilder
    impact_start: str
    incident: dict[str, Any] | None = None
    items: list[tuple[str, dict[str, Any], str, bool, str, str, tuple[str, dict[str, Any]] | None]] = field(
        default_factory=list)

    def add(self, source: str, obj: dict[str, Any], role: str, *, must_see: bool, why: str, group: str = "",
            same_fact_as: tuple[str, dict[str, Any]] | None = None) -> None:
        """Record an item; `same_fact_as` names the must-see item that records the same event elsewhere
        (a bot's Slack announcement and the change event of one deploy): seeing either one is seeing it."""
        if role not in ROLES:
            raise ValueError(f"unknown role {role}")
        self.items.append((source, obj, role, must_see, why, group, same_fact_as))

    def to_dict(self) -> dict[str, Any]:
        if self.incident is None:
            raise ValueError("truth has no incident")
        return {
            "incident": {"id": self.incident["id"], "number": self.incident["incident_number"]},
            "impact_start": self.impact_start,
            "items": [
                {"source": s, "native_id": native_id(s, o), "role": r, "must_see": m, "why": w, "group": g,
                 **({"same_fact_as": {"source": f[0], "native_id": native_id(f[0], f[1])}} if f else {})}
                for s, o, r, m, w, g, f in self.items
            ],
        }
