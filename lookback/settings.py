"""lookback's settings: environment variables over an optional lookback.toml, tokens as secrets.

Only ``lookback/`` and ``flows/`` read settings; everything below them takes values as arguments.
"""

from __future__ import annotations

import os
import re
import tomllib
from datetime import timedelta
from pathlib import Path
from typing import Annotated, Any

from pydantic import AliasChoices, Field, SecretStr, ValidationError, field_validator
from pydantic.fields import FieldInfo
from pydantic_settings import BaseSettings, NoDecode, PydanticBaseSettingsSource, SettingsConfigDict


class ConfigError(Exception):
    """A setting is missing or malformed; the message names the variable or key to fix."""


def default_database_url() -> str:
    base = Path(os.environ.get("XDG_DATA_HOME") or Path.home() / ".local" / "share")
    return f"sqlite:///{base / 'lookback' / 'warehouse.db'}"


_DURATION = re.compile(r"^\s*(\d+)\s*([wdhm])\s*$")
_UNITS = {"w": "weeks", "d": "days", "h": "hours", "m": "minutes"}


def parse_duration(value: str | int | timedelta) -> timedelta:
    """``6w``, ``10d``, ``36h``, ``90m`` (or seconds as an integer)."""
    if isinstance(value, timedelta):
        return value
    if isinstance(value, int):
        return timedelta(seconds=value)
    match = _DURATION.match(value)
    if not match:
        raise ValueError(f"{value!r} is not a duration such as 6w, 10d, 36h or 90m")
    return timedelta(**{_UNITS[match.group(2)]: int(match.group(1))})


def _env(*names: str, default: Any = None) -> Any:
    return Field(default=default, validation_alias=AliasChoices(*names))


CsvList = Annotated[list[str], NoDecode]


class Settings(BaseSettings):
    """Every setting, with the environment variable that sets it (a lookback.toml key works too)."""

    model_config = SettingsConfigDict(extra="ignore", populate_by_name=True)

    database_url: str = Field(default_factory=default_database_url,
                              validation_alias=AliasChoices("LOOKBACK_DATABASE_URL", "database_url"))
    ca_bundle: Path | None = _env("LOOKBACK_CA_BUNDLE", "ca_bundle")
    lookback: timedelta = Field(default=timedelta(weeks=6), validation_alias=AliasChoices("LOOKBACK_WINDOW", "lookback"))
    history: timedelta = Field(default=timedelta(days=365),
                               validation_alias=AliasChoices("LOOKBACK_HISTORY", "history"))

    github_token: SecretStr | None = _env("GITHUB_TOKEN", "github_token")
    github_api_url: str = Field(default="https://api.github.com", validation_alias=AliasChoices("GITHUB_API_URL", "github_api_url"))
    github_orgs: CsvList = Field(default_factory=list, validation_alias=AliasChoices("LOOKBACK_GITHUB_ORGS", "github_orgs"))
    github_repos: CsvList = Field(default_factory=list, validation_alias=AliasChoices("LOOKBACK_GITHUB_REPOS", "github_repos"))
    github_exclude: CsvList = Field(default_factory=list, validation_alias=AliasChoices("LOOKBACK_GITHUB_EXCLUDE", "github_exclude"))
    github_include_archived: bool = _env("LOOKBACK_GITHUB_INCLUDE_ARCHIVED", "github_include_archived", default=False)
    github_transport: str = Field(default="graphql", validation_alias=AliasChoices("LOOKBACK_GITHUB_TRANSPORT", "github_transport"))

    slack_bot_token: SecretStr | None = _env("SLACK_BOT_TOKEN", "slack_bot_token")
    slack_api_url: str = Field(default="https://slack.com/api/", validation_alias=AliasChoices("SLACK_API_URL", "slack_api_url"))
    slack_channels: CsvList = Field(default_factory=list, validation_alias=AliasChoices("LOOKBACK_SLACK_CHANNELS", "slack_channels"))
    slack_exclude: CsvList = Field(default_factory=list, validation_alias=AliasChoices("LOOKBACK_SLACK_EXCLUDE", "slack_exclude"))
    slack_overlap: timedelta = Field(default=timedelta(days=3), validation_alias=AliasChoices("LOOKBACK_SLACK_OVERLAP", "slack_overlap"))

    pagerduty_api_token: SecretStr | None = _env("PAGERDUTY_API_TOKEN", "pagerduty_api_token")
    pagerduty_api_url: str = Field(default="https://api.pagerduty.com", validation_alias=AliasChoices("PAGERDUTY_API_URL", "pagerduty_api_url"))
    pagerduty_services: CsvList = Field(default_factory=list, validation_alias=AliasChoices("LOOKBACK_PAGERDUTY_SERVICES", "pagerduty_services"))
    pagerduty_exclude: CsvList = Field(default_factory=list, validation_alias=AliasChoices("LOOKBACK_PAGERDUTY_EXCLUDE", "pagerduty_exclude"))

    schedule_cron: str = Field(default="0 2 * * *", validation_alias=AliasChoices("LOOKBACK_SCHEDULE_CRON", "schedule_cron"))
    schedule_timezone: str | None = _env("LOOKBACK_SCHEDULE_TIMEZONE", "schedule_timezone")
    identities: dict[str, list[str]] = Field(default_factory=dict, validation_alias=AliasChoices("identities"))
    report_dir: Path | None = _env("LOOKBACK_REPORT_DIR", "report_dir")
    # PagerDuty service (name or id) -> {"repos": [...], "channels": [...]} that belong to it, for correlation.
    services: dict[str, dict[str, list[str]]] = Field(default_factory=dict,
                                                      validation_alias=AliasChoices("LOOKBACK_SERVICES", "services"))

    @field_validator("github_orgs", "github_repos", "github_exclude", "slack_channels", "slack_exclude",
                     "pagerduty_services", "pagerduty_exclude", mode="before")
    @classmethod
    def _csv(cls, value: Any) -> Any:
        if isinstance(value, str):
            return [part.strip() for part in value.split(",") if part.strip()]
        return value

    @field_validator("lookback", "history", "slack_overlap", mode="before")
    @classmethod
    def _duration(cls, value: Any) -> Any:
        return parse_duration(value) if isinstance(value, str | int) else value

    @field_validator("database_url")
    @classmethod
    def _database_url(cls, value: str) -> str:
        if not re.match(r"^(sqlite|postgresql)(\+\w+)?://", value):
            raise ValueError("must start with sqlite:/// or postgresql://")
        return value

    @field_validator("github_api_url", "slack_api_url", "pagerduty_api_url")
    @classmethod
    def _https(cls, value: str) -> str:
        if not re.match(r"^https?://[^/\s]+", value):
            raise ValueError(f"{value!r} is not an http(s) URL")
        return value

    @field_validator("ca_bundle")
    @classmethod
    def _ca_exists(cls, value: Path | None) -> Path | None:
        if value is not None and not value.is_file():
            raise ValueError(f"no CA file at {value}")
        return value

    @field_validator("github_transport")
    @classmethod
    def _transport(cls, value: str) -> str:
        if value not in {"graphql", "rest"}:
            raise ValueError("must be graphql or rest")
        return value

    @classmethod
    def settings_customise_sources(cls, settings_cls: type[BaseSettings], init_settings: PydanticBaseSettingsSource,
                                   env_settings: PydanticBaseSettingsSource, dotenv_settings: PydanticBaseSettingsSource,
                                   file_secret_settings: PydanticBaseSettingsSource) -> tuple[PydanticBaseSettingsSource, ...]:
        # Explicit values, then the environment, then lookback.toml.
        return (init_settings, env_settings, _TomlSource(settings_cls))

    def token(self, source: str) -> str:
        """The token of a source, or a ConfigError naming the variable to set."""
        name, secret = {"github": ("GITHUB_TOKEN", self.github_token),
                        "slack": ("SLACK_BOT_TOKEN", self.slack_bot_token),
                        "pagerduty": ("PAGERDUTY_API_TOKEN", self.pagerduty_api_token)}[source]
        if secret is None or not secret.get_secret_value().strip():
            block = SECRET_BLOCKS[{"GITHUB_TOKEN": "github_token", "SLACK_BOT_TOKEN": "slack_bot_token",
                                   "PAGERDUTY_API_TOKEN": "pagerduty_api_token"}[name]]
            raise ConfigError(f"{name} is not set (nor a Prefect Secret block {block!r}): lookback needs a "
                              f"read-only {source} token to ingest from {source}")
        return secret.get_secret_value().strip()

    def configured_sources(self) -> list[str]:
        return [s for s, v in (("github", self.github_token), ("slack", self.slack_bot_token),
                               ("pagerduty", self.pagerduty_api_token)) if v is not None]

    def reports_dir(self) -> Path:
        """Where backfill and nightly runs write incident reports: LOOKBACK_REPORT_DIR, else beside a
        SQLite warehouse, else under the user's data directory."""
        if self.report_dir is not None:
            return self.report_dir.expanduser()
        if self.database_url.startswith("sqlite:///") and ":memory:" not in self.database_url:
            return Path(self.database_url.removeprefix("sqlite:///").split("?")[0]).expanduser().parent / "reports"
        return Path(default_database_url().removeprefix("sqlite:///")).parent / "reports"

    @property
    def verify(self) -> str | bool:
        """What HTTP clients get for TLS verification: the CA bundle, else the system's. Never False."""
        return str(self.ca_bundle) if self.ca_bundle else True


# Which environment variable or toml key a field is set by, for error messages.
def _setting_name(field: str) -> str:
    info: FieldInfo = Settings.model_fields[field]
    alias = info.validation_alias
    if isinstance(alias, AliasChoices):
        return str(alias.choices[0])
    return field


class _TomlSource(PydanticBaseSettingsSource):
    """lookback.toml: top-level keys, and ``[github] token = ...`` sections flattened to ``github_token``."""

    def __init__(self, settings_cls: type[BaseSettings]) -> None:
        super().__init__(settings_cls)
        self.path = config_path()
        self.data: dict[str, Any] = {}
        if self.path is None:
            return
        try:
            raw = tomllib.loads(self.path.read_text(encoding="utf-8"))
        except OSError as exc:
            raise ConfigError(f"cannot read the config file {self.path} (LOOKBACK_CONFIG / --config): {exc.strerror}") from None
        except tomllib.TOMLDecodeError as exc:
            raise ConfigError(f"the config file {self.path} is not valid TOML: {exc}") from None
        for key, value in raw.items():
            if isinstance(value, dict) and key not in ("identities", "services"):
                for sub, subvalue in value.items():
                    self.data[f"{key}_{sub}"] = subvalue
            else:
                self.data[key] = value
        unknown = sorted(set(self.data) - set(Settings.model_fields))
        if unknown:
            raise ConfigError(f"unknown key(s) in {self.path}: {', '.join(unknown)}")

    def get_field_value(self, field: FieldInfo, field_name: str) -> tuple[Any, str, bool]:
        return self.data.get(field_name), field_name, False

    def __call__(self) -> dict[str, Any]:
        return dict(self.data)


_CONFIG_OVERRIDE: Path | None = None


def config_path() -> Path | None:
    """The config file: --config, else LOOKBACK_CONFIG, else ./lookback.toml when present."""
    if _CONFIG_OVERRIDE is not None:
        return _CONFIG_OVERRIDE
    env = os.environ.get("LOOKBACK_CONFIG")
    if env:
        return Path(env)
    local = Path("lookback.toml")
    return local if local.is_file() else None


def set_config_path(path: Path | None) -> None:
    global _CONFIG_OVERRIDE
    _CONFIG_OVERRIDE = path


# Prefect Secret blocks that supply a token the environment and lookback.toml do not.
SECRET_BLOCKS = {"github_token": "lookback-github-token", "slack_bot_token": "lookback-slack-bot-token",
                 "pagerduty_api_token": "lookback-pagerduty-api-token"}


def _tokens_from_prefect(settings: Settings) -> Settings:
    """Fill missing tokens from Prefect Secret blocks, when a Prefect server is configured (PREFECT_API_URL)."""
    missing = [f for f in SECRET_BLOCKS if getattr(settings, f) is None]
    if not missing or not os.environ.get("PREFECT_API_URL"):
        return settings
    from prefect.blocks.system import Secret

    found: dict[str, SecretStr] = {}
    for field in missing:
        try:
            value = Secret.load(SECRET_BLOCKS[field]).get()  # type: ignore[union-attr]
        except ValueError:  # no such block
            continue
        except Exception as exc:  # noqa: BLE001 - the server is configured but does not answer
            raise ConfigError(f"PREFECT_API_URL: cannot read the Secret block {SECRET_BLOCKS[field]!r} "
                              f"({type(exc).__name__})") from None
        if isinstance(value, str) and value.strip():
            found[field] = SecretStr(value.strip())
    return settings.model_copy(update=found) if found else settings


def load_settings(**overrides: Any) -> Settings:
    """Read the settings; a bad one raises ConfigError naming the variable or key (never its secret value)."""
    try:
        return _tokens_from_prefect(Settings(**overrides))
    except ValidationError as exc:
        problems = []
        for err in exc.errors():
            field = str(err["loc"][0]) if err["loc"] else "?"
            name = _setting_name(field) if field in Settings.model_fields else field
            problems.append(f"{name}: {err['msg']}")
        raise ConfigError("bad setting " + "; ".join(problems)) from None
