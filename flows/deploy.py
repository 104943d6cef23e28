"""`lookback serve`: register the nightly and backfill deployments on a Prefect server and serve them."""

from __future__ import annotations

from flows.runtime import configure

configure()

import os  # noqa: E402

from lookback.settings import ConfigError, Settings  # noqa: E402


def schedule_timezone(settings: Settings) -> str:
    """The schedule's IANA time zone: the setting, else this machine's (the issue's "02:00 local")."""
    if settings.schedule_timezone:
        return settings.schedule_timezone
    try:
        import tzlocal

        return str(tzlocal.get_localzone_name() or "UTC")
    except Exception:  # noqa: BLE001 - an unknown local zone is not worth failing over
        return "UTC"


def require_server() -> str:
    """The Prefect API URL, after checking something answers there."""
    url = os.environ.get("PREFECT_API_URL")
    if not url:
        raise ConfigError("PREFECT_API_URL is not set: `lookback serve` needs a Prefect server "
                          "(start one with `prefect server start`, then export PREFECT_API_URL=http://127.0.0.1:4200/api)")
    import httpx

    try:
        httpx.get(url.rstrip("/") + "/health", timeout=5).raise_for_status()
    except httpx.HTTPError as exc:
        raise ConfigError(f"PREFECT_API_URL={url}: no Prefect server answers there ({type(exc).__name__})") from None
    return url


def serve(settings: Settings) -> None:
    """Serve `lookback-nightly` (cron from LOOKBACK_SCHEDULE_CRON, default 02:00 local) and `lookback-backfill`."""
    require_server()
    from prefect import serve as prefect_serve
    from prefect.schedules import Cron

    from flows.backfill import backfill_incident
    from flows.ingest import nightly_ingest

    tz = schedule_timezone(settings)
    nightly = nightly_ingest.to_deployment(name="lookback-nightly", schedule=Cron(settings.schedule_cron, timezone=tz))
    backfill = backfill_incident.to_deployment(name="lookback-backfill")
    print(f"serving lookback-nightly ({settings.schedule_cron}, {tz}) and lookback-backfill; Ctrl-C stops")
    prefect_serve(nightly, backfill)  # type: ignore[arg-type]  # sync context: deployments, not coroutines
