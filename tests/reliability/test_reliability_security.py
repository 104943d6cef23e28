"""Security: no token in any output of a full run; hostile CLI arguments reach SQL only as bound parameters;
no terminal escape sequence printed raw; TLS verification never switched off."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine, text
from typer.testing import CliRunner

from lookback.cli import app
from lookback.sandbox.core import Knobs
from lookback.sandbox.serve import Sandbox, start
from lookback.sandbox.testing import tiny_world
from tests.reliability.helpers import sandbox_settings_env
from warehouse.fingerprint import table_fingerprints, table_rows

LOOKBACK = str(Path(sys.executable).with_name("lookback"))
ROOT = Path(__file__).resolve().parents[2]
TOKENS = {"GITHUB_TOKEN": "ghp_LOOKBACKsecretGH0001", "SLACK_BOT_TOKEN": "xoxb-LOOKBACKsecretSL0002",
          "PAGERDUTY_API_TOKEN": "pdLOOKBACKsecretPD0003"}
ESCAPES = "\x1b[31mred\x1b[0m \x1b]0;pwned\x07 \x9b2J"
HOSTILE = ["'; DROP TABLE evidence; --", "1 OR 1=1", "1042; DELETE FROM evidence_link", "\" OR \"\"=\""]


def hostile_world() -> dict:
    world = tiny_world()
    world["github"]["pulls"][0]["title"] = f"Alias fix {ESCAPES}"
    world["github"]["pulls"][0]["body"] = "see incident 1042 " + ESCAPES
    world["slack"]["messages"][0]["text"] = f"deploying alias fix {ESCAPES}"
    return world


@pytest.fixture(scope="module")
def sandbox() -> Iterator[Sandbox]:
    with start(hostile_world(), Knobs(slack_tiers=False)) as sb:
        yield sb


@pytest.fixture(scope="module")
def full_run(prefect_harness, sandbox, module_warehouses, tmp_path_factory) -> tuple[Engine, str, str, dict]:
    """`lookback ingest`, `backfill`, `evidence` (3 formats) and `report` as subprocesses, logging at DEBUG."""
    from prefect.settings import PREFECT_API_URL

    url = module_warehouses.url()
    out = tmp_path_factory.mktemp("report")
    env = {**os.environ, **sandbox_settings_env(sandbox.env(), url), **TOKENS,
           "PREFECT_API_URL": str(PREFECT_API_URL.value()), "PREFECT_LOGGING_LEVEL": "DEBUG",
           "LOOKBACK_GITHUB_ORGS": "shop"}
    outputs: dict[str, str] = {}
    for args in (["ingest"], ["backfill", "1042"], ["evidence", "1042", "--format", "table"],
                 ["evidence", "1042", "--format", "json"], ["evidence", "1042", "--format", "md"],
                 ["report", "1042", "--out", str(out)]):
        done = subprocess.run([LOOKBACK, *args], env=env, capture_output=True, text=True, timeout=180)
        assert done.returncode == 0, (args, done.stderr[-2000:])
        outputs[" ".join(args)] = done.stdout + "\n" + done.stderr
    engine = module_warehouses.engine(url, migrate=False)
    return engine, url, str(out), outputs


def prefect_records() -> str:
    """Every log line, artifact and flow run (parameters included) the Prefect server holds."""
    from prefect.client.orchestration import get_client

    with get_client(sync_client=True) as client:
        logs = client.read_logs(limit=200)
        offset = 200
        while len(batch := client.read_logs(limit=200, offset=offset)) > 0:
            logs += batch
            offset += 200
        artifacts = client.read_artifacts()
        runs = client.read_flow_runs()
    parts = [log.message for log in logs] + [json.dumps(a.data, default=str) for a in artifacts]
    parts += [json.dumps(r.parameters, default=str) for r in runs]
    assert any("lookback" in p for p in parts), "no Prefect record read: the test would prove nothing"
    return "\n".join(parts)


def test_no_token_in_any_output_of_a_full_run(full_run):
    engine, _, report_dir, outputs = full_run
    from models import Base

    dump = "\n".join(row for name in Base.metadata.tables for row in table_rows(engine, name))
    report_files = {str(p): p.read_text(errors="replace") for p in Path(report_dir).rglob("*") if p.is_file()}
    assert report_files, "the report wrote nothing"
    assert "shop/search-tools#23" in dump  # the run did store the world
    haystacks = {**outputs, "database dump": dump, "prefect logs, artifacts and runs": prefect_records(),
                 **report_files}
    for where, content in haystacks.items():
        for name, token in TOKENS.items():
            assert token not in content, f"{name} leaked into {where}"
            assert token[-10:] not in content, f"part of {name} leaked into {where}"


def test_settings_and_clients_never_show_a_token_in_repr(sandbox, module_warehouses):
    from flows.sources import PLANS
    from tests.reliability.helpers import settings_for

    cfg = settings_for(sandbox.env(), module_warehouses.url(), **TOKENS)
    shown = [repr(cfg), str(cfg), cfg.model_dump_json()]
    engine = module_warehouses.engine()
    for make in PLANS.values():
        plan = make(cfg, engine, None, None)
        listing = plan.listing()
        shown += [repr(plan), repr(listing), repr(list(listing.records))]
        assert plan.partitions, plan.source
        stream = plan.open(plan.partitions[0])
        shown += [repr(stream), repr(stream.spec), repr(stream.details)]
    for token in TOKENS.values():
        assert all(token not in s for s in shown)


@pytest.mark.parametrize("value", HOSTILE)
def test_hostile_incident_and_item_values_are_only_bound_parameters(value, full_run, prefect_harness):
    engine, url, report_dir, _ = full_run
    env = {**sandbox_settings_env({}, url), **TOKENS}
    before = table_fingerprints(engine)
    runs = [["evidence", value], ["evidence", "1042", "--explain", value], ["evidence", value, "--format", "json"],
            ["label", value, "1", "relevant"], ["label", "1042", value, "relevant"], ["label", "1042", "1", value],
            ["evidence", "1042", "--role", value, "--source", value], ["report", value, "--out", report_dir]]
    for args in runs:
        result = CliRunner().invoke(app, args, env=env)
        assert result.exit_code in (0, 1, 2), (args, result.output)
        assert "Traceback" not in result.output, (args, result.output)
        if result.exit_code:
            lines = [line for line in result.output.splitlines() if line.strip()]
            assert len(lines) == 1 and lines[0].startswith("lookback: "), (args, result.output)
    assert table_fingerprints(engine) == before
    with engine.connect() as conn:
        assert conn.execute(text("SELECT count(*) FROM evidence")).scalar() > 0
        assert conn.execute(text("SELECT count(*) FROM evidence_link")).scalar() > 0


def test_table_output_prints_no_terminal_escape_sequence(full_run):
    _, _, _, outputs = full_run
    assert "red" in outputs["evidence 1042 --format json"]  # the hostile item is among the evidence shown
    table = outputs["evidence 1042 --format table"]
    assert "Alias fix" in table or "deploying" in table, table
    for control in ("\x1b", "\x9b", "\x07"):
        assert control not in table, repr(table)
        assert control not in outputs["evidence 1042 --format md"]


def test_tls_verification_is_never_switched_off_in_the_code():
    """No verify=False, CERT_NONE, unverified context or check_hostname=False anywhere in the product."""
    pattern = re.compile(r"verify\s*=\s*False|CERT_NONE|_create_unverified_context|check_hostname\s*=\s*False|"
                         r"PYTHONHTTPSVERIFY|disable_warnings|ssl\s*=\s*False|verify_ssl\s*=\s*False")
    hits = []
    for package in ("lookback", "flows", "connectors", "warehouse", "models"):
        for path in (ROOT / package).rglob("*.py"):
            for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
                if pattern.search(line) and "never" not in line.lower():
                    hits.append(f"{path.relative_to(ROOT)}:{number}: {line.strip()}")
    assert hits == []


def test_without_the_ca_bundle_a_sandbox_run_fails_with_a_clear_tls_error(sandbox, warehouses):
    env: dict[str, str | None] = {**sandbox_settings_env(sandbox.env(), warehouses.url()), "LOOKBACK_CA_BUNDLE": None}
    result = CliRunner().invoke(app, ["ingest", "--source", "pagerduty"], env=env)
    assert result.exit_code == 2, result.output
    assert "TLS certificate verification failed" in result.output and "LOOKBACK_CA_BUNDLE" in result.output


def test_the_ca_bundle_adds_to_the_default_cas_for_every_client(sandbox, module_warehouses):
    """LOOKBACK_CA_BUNDLE adds a CA: the bundle the clients get trusts the sandbox CA and the public ones."""
    import certifi

    from flows.sources import _ca
    from tests.reliability.helpers import settings_for

    cfg = settings_for(sandbox.env(), module_warehouses.url())
    bundle = Path(_ca(cfg) or "").read_text()
    assert Path(sandbox.ca_file).read_text().strip() in bundle
    assert Path(certifi.where()).read_text().strip() in bundle
