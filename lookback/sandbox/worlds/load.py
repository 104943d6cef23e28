"""`load_world`: build a named world (seed or a generated story) or read a JSON world file and its truth."""

from __future__ import annotations

import functools
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

World = tuple[dict[str, Any], dict[str, Any]]


def _builders() -> dict[str, Callable[[int], World]]:
    from lookback.sandbox.worlds.batch_window import build_batch_window
    from lookback.sandbox.worlds.booking_dlq import build_booking_dlq
    from lookback.sandbox.worlds.cached_probe import build_cached_probe
    from lookback.sandbox.worlds.csp_iframe import build_csp_iframe
    from lookback.sandbox.worlds.dns_cutover import build_dns_cutover
    from lookback.sandbox.worlds.edge_reroute import build_edge_reroute
    from lookback.sandbox.worlds.etl_backfill import build_etl_backfill
    from lookback.sandbox.worlds.flag_fallback import build_flag_fallback
    from lookback.sandbox.worlds.iam_export import build_iam_export
    from lookback.sandbox.worlds.ledger_rounding import build_ledger_rounding
    from lookback.sandbox.worlds.log_drop import build_log_drop
    from lookback.sandbox.worlds.mobile_release import build_mobile_release
    from lookback.sandbox.worlds.offset_skip import build_offset_skip
    from lookback.sandbox.worlds.ota_rollout import build_ota_rollout
    from lookback.sandbox.worlds.otp_relay import build_otp_relay
    from lookback.sandbox.worlds.price_cache import build_price_cache
    from lookback.sandbox.worlds.push_overnight import build_push_overnight
    from lookback.sandbox.worlds.ranked_queue import build_ranked_queue
    from lookback.sandbox.worlds.region_sum import build_region_sum
    from lookback.sandbox.worlds.retry_storm import build_retry_storm
    from lookback.sandbox.worlds.saml_rotation import build_saml_rotation
    from lookback.sandbox.worlds.schema_drop import build_schema_drop
    from lookback.sandbox.worlds.seatmap_oom import build_seatmap_oom
    from lookback.sandbox.worlds.seed import build_seed
    from lookback.sandbox.worlds.silence_matcher import build_silence_matcher
    from lookback.sandbox.worlds.stories import STORIES, build_story
    from lookback.sandbox.worlds.tenant_throttle import build_tenant_throttle
    from lookback.sandbox.worlds.wal_retention import build_wal_retention

    out: dict[str, Callable[[int], World]] = {"seed": build_seed}
    for name, spec in STORIES.items():
        out[name] = functools.partial(build_story, spec)
    # Hand-written stories whose structure does not follow StorySpec's template.
    out["etl-backfill"] = build_etl_backfill
    out["tenant-throttle"] = build_tenant_throttle
    out["ledger-rounding"] = build_ledger_rounding
    out["mobile-release"] = build_mobile_release
    out["push-overnight"] = build_push_overnight
    out["booking-dlq"] = build_booking_dlq
    out["schema-drop"] = build_schema_drop
    out["seatmap-oom"] = build_seatmap_oom
    out["edge-reroute"] = build_edge_reroute
    out["ranked-queue"] = build_ranked_queue
    out["price-cache"] = build_price_cache
    out["otp-relay"] = build_otp_relay
    out["ota-rollout"] = build_ota_rollout
    out["batch-window"] = build_batch_window
    out["offset-skip"] = build_offset_skip
    out["log-drop"] = build_log_drop
    out["retry-storm"] = build_retry_storm
    out["flag-fallback"] = build_flag_fallback
    out["wal-retention"] = build_wal_retention
    out["silence-matcher"] = build_silence_matcher
    out["iam-export"] = build_iam_export
    out["csp-iframe"] = build_csp_iframe
    out["dns-cutover"] = build_dns_cutover
    out["cached-probe"] = build_cached_probe
    out["saml-rotation"] = build_saml_rotation
    out["region-sum"] = build_region_sum
    return out


def _names() -> tuple[str, ...]:
    try:
        return tuple(_builders())
    except ImportError:
        return ("seed",)


WORLD_NAMES: tuple[str, ...] = _names()


def load_world(name_or_path: str | Path, scale: int | None = None) -> World:
    """Return `(world, truth)`: a named world built deterministically (`scale` multiplies its noise),
    or a JSON world file with `<name>.truth.json` beside it."""
    key = str(name_or_path)
    builders = _builders()
    if key in builders:
        return builders[key](max(1, int(scale or 1)))
    path = Path(key)
    if not path.exists():
        raise ValueError(f"unknown world {key!r}: expected one of {', '.join(builders)} or a JSON file path")
    if scale not in (None, 1):
        raise ValueError("scale applies to named worlds only, not to a world file")
    world = json.loads(path.read_text(encoding="utf-8"))
    stem = path.name[: -len(".json")] if path.name.endswith(".json") else path.stem
    truth_path = path.with_name(f"{stem}.truth.json")
    truth = json.loads(truth_path.read_text(encoding="utf-8")) if truth_path.exists() else {}
    return world, truth
