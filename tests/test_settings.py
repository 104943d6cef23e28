"""Settings: environment over lookback.toml, errors that name the variable, tokens that never show."""

from __future__ import annotations

import logging
from datetime import timedelta

import pytest

from lookback import redact
from lookback.settings import ConfigError, load_settings, set_config_path

TOKEN = "xoxb-very-secret-token-4242"


@pytest.fixture(autouse=True)
def _no_config():
    set_config_path(None)
    yield
    set_config_path(None)


def test_defaults(monkeypatch, tmp_path):
    monkeypatch.chdir(tmp_path)
    s = load_settings()
    assert s.database_url.startswith("sqlite:///")
    assert s.lookback == timedelta(weeks=6)
    assert s.verify is True
    assert s.configured_sources() == []


def test_environment_wins_over_toml(monkeypatch, tmp_path):
    cfg = tmp_path / "lookback.toml"
    cfg.write_text('lookback = "2w"\n[github]\nrepos = ["shop/*"]\napi_url = "https://ghe.example.com/api/v3"\n')
    set_config_path(cfg)
    monkeypatch.setenv("GITHUB_API_URL", "https://other.example.com/api/v3")
    s = load_settings()
    assert s.lookback == timedelta(weeks=2)
    assert s.github_repos == ["shop/*"]
    assert s.github_api_url == "https://other.example.com/api/v3"


@pytest.mark.parametrize(("var", "value"), [
    ("LOOKBACK_DATABASE_URL", "mysql://nope"),
    ("LOOKBACK_WINDOW", "six weeks"),
    ("GITHUB_API_URL", "ftp://x"),
    ("LOOKBACK_CA_BUNDLE", "/nonexistent/ca.pem"),
    ("LOOKBACK_GITHUB_TRANSPORT", "soap"),
])
def test_a_bad_setting_names_its_variable(monkeypatch, var, value):
    monkeypatch.setenv(var, value)
    with pytest.raises(ConfigError, match=var):
        load_settings()


def test_unknown_and_broken_toml_are_named(tmp_path):
    cfg = tmp_path / "lookback.toml"
    cfg.write_text("[github]\nrepoz = []\n")
    set_config_path(cfg)
    with pytest.raises(ConfigError, match="github_repoz"):
        load_settings()
    cfg.write_text("this is = not toml [")
    with pytest.raises(ConfigError, match=str(cfg)):
        load_settings()


def test_a_missing_token_names_the_variable():
    with pytest.raises(ConfigError, match="SLACK_BOT_TOKEN"):
        load_settings().token("slack")


def test_a_token_never_appears_in_repr_errors_or_logs(monkeypatch, caplog):
    monkeypatch.setenv("SLACK_BOT_TOKEN", TOKEN)
    monkeypatch.setenv("LOOKBACK_WINDOW", "bad")
    with pytest.raises(ConfigError) as err:
        load_settings()
    assert TOKEN not in str(err.value)
    monkeypatch.delenv("LOOKBACK_WINDOW")
    s = load_settings()
    assert TOKEN not in repr(s) and TOKEN not in str(s) and TOKEN not in str(s.model_dump())
    assert s.token("slack") == TOKEN
    redact.register([TOKEN])
    redact.install_logging_filter()
    logger = logging.getLogger("lookback.test")
    with caplog.at_level(logging.INFO):
        logger.info("calling slack with %s", TOKEN)
    assert TOKEN not in caplog.text
    assert redact.MASK in caplog.text


def test_tokens_can_come_from_prefect_secret_blocks(prefect_harness, monkeypatch):
    from prefect.blocks.system import Secret
    from prefect.settings import PREFECT_API_URL

    Secret(value="ghp_from_a_block").save("lookback-github-token", overwrite=True)
    monkeypatch.setenv("PREFECT_API_URL", str(PREFECT_API_URL.value()))
    monkeypatch.setenv("SLACK_BOT_TOKEN", "xoxb-from-the-environment")
    settings = load_settings()
    assert settings.token("github") == "ghp_from_a_block"
    assert settings.token("slack") == "xoxb-from-the-environment"  # the environment still wins where it is set
    assert "ghp_from_a_block" not in repr(settings)
    with pytest.raises(ConfigError, match="PAGERDUTY_API_TOKEN is not set .*lookback-pagerduty-api-token"):
        settings.token("pagerduty")


def test_services_map_from_lookback_toml(tmp_path):
    path = tmp_path / "lookback.toml"
    path.write_text('[services."search-api"]\nrepos = ["shop/search-tools"]\nchannels = ["#search-team"]\n')
    set_config_path(path)
    try:
        assert load_settings().services == {"search-api": {"repos": ["shop/search-tools"], "channels": ["#search-team"]}}
    finally:
        set_config_path(None)
