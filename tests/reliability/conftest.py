"""Reliability fixtures: as many empty warehouses as a test needs, on this pass's backend, cleaned up after."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine, text

from tests.conftest import backend_url
from warehouse.db import ensure_schema, make_engine


class Warehouses:
    """Creates empty warehouses (SQLite files, or PostgreSQL schemas) and drops them all at the end."""

    def __init__(self, directory: Path) -> None:
        self.directory = directory
        self.pg = backend_url()
        self.schemas: list[str] = []
        self.engines: list[Engine] = []

    def url(self) -> str:
        if not self.pg:
            return f"sqlite:///{self.directory / f'w-{uuid.uuid4().hex[:8]}.db'}"
        schema = f"lbr_{uuid.uuid4().hex[:12]}"
        admin = make_engine(self.pg)
        with admin.begin() as conn:
            conn.execute(text(f'CREATE SCHEMA "{schema}"'))
        admin.dispose()
        self.schemas.append(schema)
        sep = "&" if "?" in self.pg else "?"
        return f"{self.pg}{sep}options=-csearch_path%3D{schema}"

    def engine(self, url: str | None = None, migrate: bool = True) -> Engine:
        eng = make_engine(url or self.url())
        if migrate:
            ensure_schema(eng)
        self.engines.append(eng)
        return eng

    def close(self) -> None:
        for eng in self.engines:
            eng.dispose()
        if self.pg and self.schemas:
            admin = make_engine(self.pg)
            for schema in self.schemas:  # one transaction each: dropping many at once runs out of locks
                with admin.begin() as conn:
                    conn.execute(text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
            admin.dispose()


@pytest.fixture
def warehouses(tmp_path: Path) -> Iterator[Warehouses]:
    w = Warehouses(tmp_path)
    yield w
    w.close()


@pytest.fixture(scope="module")
def module_warehouses(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Warehouses]:
    w = Warehouses(tmp_path_factory.mktemp("warehouses"))
    yield w
    w.close()
