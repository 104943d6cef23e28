"""Sandbox worlds: the seed story, generated stories, truth files and edit steps (CONTRACTS §5)."""

from __future__ import annotations

from lookback.sandbox.worlds.edits import apply_edit
from lookback.sandbox.worlds.load import WORLD_NAMES, load_world

__all__ = ["WORLD_NAMES", "apply_edit", "load_world"]
