"""The command line's outside: version, help, exit codes, and the commands on an empty warehouse."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from lookback import __version__
from lookback.cli import app

runner = CliRunner()


@pytest.fixture(autouse=True)
def _warehouse(monkeypatch, database_url, tmp_path):
    monkeypatch.setenv("LOOKBACK_DATABASE_URL", database_url)
    monkeypatch.chdir(tmp_path)


def test_version_and_help_show_the_default_warehouse():
    assert runner.invoke(app, ["--version"]).output.strip() == f"lookback {__version__}"
    result = runner.invoke(app, ["--help"])
    assert result.exit_code == 0
    assert "LOOKBACK_DATABASE_URL" in result.output
    for command in ("ingest", "backfill", "evidence", "report", "sandbox", "serve", "demo", "db"):
        assert command in result.output


def test_usage_errors_exit_2():
    assert runner.invoke(app, ["no-such-command"]).exit_code == 2
    assert runner.invoke(app, ["evidence", "1", "--format", "xml"]).exit_code == 2
    assert runner.invoke(app, ["--config", "/nonexistent.toml", "db", "upgrade"]).exit_code == 2


def test_commands_work_on_an_empty_warehouse_and_name_the_missing_incident():
    assert runner.invoke(app, ["db", "upgrade"]).exit_code == 0
    result = runner.invoke(app, ["evidence", "1042", "--format", "json"])
    assert result.exit_code == 2
    assert "1042" in result.output
    result = runner.invoke(app, ["report", "PNOPE01", "--out", "r"])
    assert result.exit_code == 2 and "PNOPE01" in result.output


def test_ingest_without_any_token_is_a_settings_error():
    result = runner.invoke(app, ["ingest"])
    assert result.exit_code == 2
    assert "GITHUB_TOKEN" in result.output


def test_a_bad_database_url_names_the_setting(monkeypatch):
    monkeypatch.setenv("LOOKBACK_DATABASE_URL", "sqlite:////nonexistent-dir/x/y.db")
    monkeypatch.setattr("pathlib.Path.mkdir", lambda *a, **k: None)
    result = runner.invoke(app, ["db", "upgrade"])
    assert result.exit_code == 2
    assert "LOOKBACK_DATABASE_URL" in result.output


def test_json_output_is_valid_on_an_empty_result(monkeypatch):
    from lookback import output

    output.print_items([], "json")


def test_table_output_strips_terminal_escapes(capsys):
    from lookback import output

    item = {"rank": 1, "score": 1.0, "role": "trigger", "occurred_at": "2022-12-06T14:30:00Z", "source": "slack",
            "title": "\x1b]0;pwned\x07\x1b[31mred\x1b[0m", "native_id": "C1/1.2", "reasons": ["\x1b[2J wipe"]}
    output.print_items([item], "table")
    out = capsys.readouterr().out
    assert "\x1b" not in out and "red" in out
    output.print_items([item], "json")
    parsed = json.loads(capsys.readouterr().out)
    assert parsed[0]["title"] == item["title"]  # JSON keeps the data exactly; escaping is JSON's


def test_sandbox_writes_a_world_and_its_truth_file_that_load_back(tmp_path):
    from lookback.sandbox.worlds import load_world

    result = runner.invoke(app, ["sandbox", "--world", "seed", "--write", str(tmp_path)])
    assert result.exit_code == 0, result.output
    assert (tmp_path / "seed.json").is_file() and (tmp_path / "seed.truth.json").is_file()
    world, truth = load_world(tmp_path / "seed.json")
    built, built_truth = load_world("seed")
    assert truth == built_truth and truth["items"]
    assert world["github"]["pulls"] == built["github"]["pulls"]
    assert runner.invoke(app, ["sandbox", "--world", "no-such-world", "--write", str(tmp_path)]).exit_code == 2


def test_serve_without_a_reachable_prefect_server_is_a_settings_error(monkeypatch):
    monkeypatch.delenv("PREFECT_API_URL", raising=False)
    result = runner.invoke(app, ["serve"])
    assert result.exit_code == 2 and "PREFECT_API_URL is not set" in result.output
    monkeypatch.setenv("PREFECT_API_URL", "http://127.0.0.1:9/api")
    result = runner.invoke(app, ["serve"])
    assert result.exit_code == 2 and "no Prefect server answers" in result.output


def test_prefect_yaml_deploys_both_flows():
    import importlib

    import yaml

    spec = yaml.safe_load(Path(__file__).resolve().parents[1].joinpath("prefect.yaml").read_text())
    entrypoints = {d["entrypoint"] for d in spec["deployments"]}
    for entry in entrypoints:
        module, name = entry.split(":")
        assert callable(getattr(importlib.import_module(module.removesuffix(".py").replace("/", ".")), name))
    assert {e.split(":")[1] for e in entrypoints} == {"nightly_ingest", "backfill_incident"}


def test_an_unknown_label_verdict_is_a_usage_error():
    result = runner.invoke(app, ["label", "1042", "shop/alerting#22", "maybe"])
    assert result.exit_code == 2 and "detection_weakened" in result.output
