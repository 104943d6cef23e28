"""Engines, schema creation and upgrade (Alembic), and the full-text index for each backend."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event, inspect, text
from sqlalchemy.orm import Session, sessionmaker

MIGRATIONS_DIR = Path(__file__).with_name("migrations")


class SchemaTooNew(RuntimeError):
    """The database was migrated by a newer lookback than this one."""


def make_engine(url: str, **kwargs: Any) -> Engine:
    """An engine for a SQLAlchemy URL; SQLite gets WAL, a busy timeout and foreign keys."""
    if url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url.removeprefix("postgresql://")
    if url.startswith("sqlite"):
        kwargs.setdefault("connect_args", {"timeout": 60})
        engine = create_engine(url, **kwargs)
        event.listen(engine, "connect", _sqlite_pragmas)
        return engine
    return create_engine(url, pool_pre_ping=True, **kwargs)


def _sqlite_pragmas(dbapi_conn: Any, _record: Any) -> None:
    cur = dbapi_conn.cursor()
    # WAL lets readers run during a write; busy_timeout makes a second writer wait instead of failing.
    cur.execute("PRAGMA journal_mode=WAL")
    cur.execute("PRAGMA busy_timeout=60000")
    cur.execute("PRAGMA synchronous=NORMAL")
    cur.close()


def _alembic_config(engine: Engine) -> Any:
    from alembic.config import Config

    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS_DIR))
    cfg.attributes["engine"] = engine
    return cfg


def head_revision() -> str:
    from alembic.script import ScriptDirectory

    cfg = _alembic_config(None)  # type: ignore[arg-type]
    head = ScriptDirectory.from_config(cfg).get_current_head()
    assert head is not None
    return head


def current_revision(engine: Engine) -> str | None:
    if not inspect(engine).has_table("alembic_version"):
        return None
    with engine.connect() as conn:
        return conn.execute(text("SELECT version_num FROM alembic_version")).scalar()


def ensure_schema(engine: Engine) -> None:
    """Create or upgrade the schema to this lookback's head; refuse a database from a newer lookback."""
    from alembic import command
    from alembic.script import ScriptDirectory

    cfg = _alembic_config(engine)
    script = ScriptDirectory.from_config(cfg)
    current = current_revision(engine)
    if current == script.get_current_head():
        return
    if current is not None and current not in {rev.revision for rev in script.walk_revisions()}:
        raise SchemaTooNew(
            f"the database at {engine.url.render_as_string(hide_password=True)} has schema revision "
            f"{current}, which this lookback does not know: it was written by a newer lookback. "
            "Upgrade lookback, or point LOOKBACK_DATABASE_URL at another database."
        )
    command.upgrade(cfg, "head")


def session_factory(engine: Engine) -> sessionmaker[Session]:
    return sessionmaker(engine, expire_on_commit=False)


@contextmanager
def transaction(engine: Engine) -> Iterator[Session]:
    """One unit of work: commit on success, roll back on any error."""
    with Session(engine, expire_on_commit=False) as session, session.begin():
        yield session


def refresh_statistics(session: Session, *, only_if_missing: bool = False) -> bool:
    """Give SQLite's planner table statistics (PostgreSQL's autovacuum keeps its own).

    Without them SQLite walks every row of a source for the incident chat query; a bounded ANALYZE
    (analysis_limit) takes well under a second even on millions of rows. Returns whether it ran.
    """
    if session.get_bind().dialect.name != "sqlite":
        return False
    if only_if_missing and session.execute(text(
            "SELECT count(*) FROM sqlite_master WHERE name = 'sqlite_stat1'")).scalar() and session.execute(
            text("SELECT count(*) FROM sqlite_stat1 WHERE tbl = 'evidence'")).scalar():
        return False
    session.execute(text("PRAGMA analysis_limit = 1000"))
    session.execute(text("ANALYZE"))
    return True
