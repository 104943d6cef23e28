"""Alembic environment: runs on the engine lookback hands over, or on LOOKBACK_DATABASE_URL."""

from __future__ import annotations

import os

from alembic import context
from sqlalchemy import Engine

from models import Base
from warehouse.db import make_engine

config = context.config
target_metadata = Base.metadata


def run_migrations_online() -> None:
    engine: Engine | None = config.attributes.get("engine")
    if engine is None:
        url = os.environ.get("LOOKBACK_DATABASE_URL")
        if not url:
            raise SystemExit("LOOKBACK_DATABASE_URL is not set: alembic needs the database to migrate")
        engine = make_engine(url)
    with engine.begin() as connection:
        context.configure(
            connection=connection,
            target_metadata=target_metadata,
            render_as_batch=connection.dialect.name == "sqlite",
            compare_type=True,
        )
        context.run_migrations()


run_migrations_online()
