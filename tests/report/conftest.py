"""The seed world with hostile text planted in it, backfilled once per module on this pass's backend."""

from __future__ import annotations

import copy
from collections.abc import Iterator
from typing import Any

import pytest
from sqlalchemy import Engine

from lookback.sandbox.core import Knobs
from lookback.sandbox.serve import start
from lookback.sandbox.worlds import load_world
from tests.reliability.conftest import Warehouses

PWN = "document.documentElement.setAttribute('data-pwned', '{}')"
HOSTILE_SLACK = (
    "it's related to PR 23 <script>" + PWN.format("script") + "</script> "
    "<img src=x onerror=\"" + PWN.format("img") + "\"> see <javascript:" + PWN.format("link") + "|the fix> "
    "and <https://github.com/shop/search-tools/pull/23|PR 23> `code` *bold* <@{user}>"
)
HOSTILE_GITHUB = "looks fine <img src=x onerror=\"" + PWN.format("github") + "\"> <svg onload=alert(1)>"
HOSTILE_TS = "1670337750.000100"  # 2022-12-06 14:42:30 UTC, in the incident channel, while it was handled


def hostile_seed() -> tuple[dict[str, Any], dict[str, Any]]:
    world, truth = load_world("seed")
    world = copy.deepcopy(world)
    channel = next(c for c in world["slack"]["channels"] if c["name"] == "inc-20221206-search-skus")
    user = next(m["user"] for m in world["slack"]["messages"] if m["channel"] == channel["id"] and m.get("user"))
    world["slack"]["messages"].append({"channel": channel["id"], "ts": HOSTILE_TS, "user": user,
                                       "text": HOSTILE_SLACK.format(user=user), "thread_ts": None, "subtype": None,
                                       "bot_id": None, "edited": None})
    pr23 = next(p for p in world["github"]["pulls"] if p["repo"] == "shop/search-tools" and p["number"] == 23)
    pr23["review_comments"][0]["body"] += " " + HOSTILE_GITHUB
    return world, truth


@pytest.fixture(scope="module")
def seeded(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Engine, dict[str, Any], str]]:
    """(engine, truth, channel id of the hostile message): the seed incident backfilled through the product."""
    from flows.backfill import backfill
    from lookback.settings import load_settings

    world, truth = hostile_seed()
    channel = next(c["id"] for c in world["slack"]["channels"] if c["name"] == "inc-20221206-search-skus")
    warehouses = Warehouses(tmp_path_factory.mktemp("report-warehouses"))
    url = warehouses.url()
    engine = warehouses.engine(url)
    with start(world, Knobs(slack_tiers=False)) as sandbox:
        settings = load_settings(**sandbox.env(), LOOKBACK_DATABASE_URL=url)
        backfill(settings, engine, str(truth["incident"]["id"]), use_prefect=False)
    yield engine, truth, channel
    warehouses.close()
