"""A scored evidence candidate, and the weights of the signals that score it."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from warehouse.signals import PatchFacts

# Weights of the signals (each signal is in [0, 1] before weighting). Set by reasoning about what each
# signal means and adjusted by hand while reading rankings of the seed and payments-pool worlds;
# cert-expiry was scored before it was looked at (recall@10 50% then), and only structural fixes
# (no words of its story) followed. Not fitted numerically to any world.
WEIGHTS: dict[str, float] = {
    "time": 1.0,          # slow decay from impact start
    "content": 2.0,       # BM25 against the incident's words
    "affinity": 1.0,      # repo/channel/service belongs to the affected service
    "reference": 2.0,     # explicit links: named in the incident chat, cites the incident, reverts
    "detection": 3.0,     # the change weakened detection right after a run of noisy pages
    "symptom": 2.0,       # an early report of user impact
    "incident": 2.0,      # part of the incident's own record (pages, notes, chat)
    "identifier": 1.5,    # shares a rare code identifier (max_open_conns, readAlias) with the incident's words
    "storyline": 1.0,     # a keystone of a storyline (the last noisy page, the line that named the cause)
}


@dataclass
class Item:
    """One scored evidence item."""

    row: dict[str, Any]
    at: datetime
    doc: list[str] = field(default_factory=list)
    signals: dict[str, float] = field(default_factory=dict)  # signal -> weighted contribution
    values: dict[str, float] = field(default_factory=dict)  # signal -> raw value in [0, 1]
    notes: list[tuple[float, str, str]] = field(default_factory=list)  # (contribution, signal, reason line)
    role: str = "context"
    group: str | None = None
    found_by: set[str] = field(default_factory=set)
    pr: dict[str, Any] | None = None
    files: list[tuple[str, str | None]] = field(default_factory=list)
    facts: PatchFacts | None = None

    @property
    def id(self) -> int:
        return int(self.row["id"])

    @property
    def nid(self) -> str:
        return str(self.row["native_id"])

    @property
    def score(self) -> float:
        return round(sum(self.signals.values()), 4)

    def add(self, signal: str, value: float, reason: str | None) -> None:
        """Record a signal's raw value, its weighted contribution and its one reason line."""
        value = max(-1.0, min(1.0, value))
        if abs(value) < 1e-6:
            return
        contribution = round(WEIGHTS[signal] * value, 4)
        self.values[signal] = round(self.values.get(signal, 0.0) + value, 4)
        self.signals[signal] = round(self.signals.get(signal, 0.0) + contribution, 4)
        if reason:
            self.notes.append((contribution, signal, f"{reason} ({contribution:+.2f})"))

    @property
    def reasons(self) -> list[str]:
        """One line per signal that moved the score, the weightiest first."""
        # On a tie, the specific signals go before the ones most items share (time, affinity).
        return [n[2] for n in sorted(self.notes, key=lambda n: (-abs(n[0]), n[1] in ("time", "affinity")))]
