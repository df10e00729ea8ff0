"""Fixtures: every storage test runs on a SQLite file and on PostgreSQL (own schema per test).

PostgreSQL comes from ``TOPUP_TEST_POSTGRES_URL`` (e.g.
``postgresql+psycopg://postgres@127.0.0.1:5432/test``); without it those cases skip.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator

import pytest
from sqlalchemy import create_engine
from sqlalchemy.engine import make_url

from topup.storage import Store, sqlite_url

PG_ENV = "TOPUP_TEST_POSTGRES_URL"


def postgres_base_url() -> str:
    url = os.environ.get(PG_ENV)
    if not url:
        pytest.skip(f"{PG_ENV} is not set: PostgreSQL storage tests skipped")
    return url


class PgSchema:
    """A fresh schema on the test server; the URL pins ``search_path`` to it."""

    def __init__(self, base: str) -> None:
        self.base = base
        self.name = f"topup_test_{uuid.uuid4().hex[:16]}"
        self.admin = create_engine(base, isolation_level="AUTOCOMMIT", pool_size=1)
        with self.admin.connect() as conn:
            conn.exec_driver_sql(f'CREATE SCHEMA "{self.name}"')
        url = make_url(base).update_query_dict({"options": f"-csearch_path={self.name}"})
        self.url = url.render_as_string(hide_password=False)

    def drop(self) -> None:
        with self.admin.connect() as conn:
            conn.exec_driver_sql(f'DROP SCHEMA IF EXISTS "{self.name}" CASCADE')
        self.admin.dispose()


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def db_url(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[str]:
    if request.param == "sqlite":
        yield sqlite_url(tmp_path_factory.mktemp("db") / "topup.db")
        return
    schema = PgSchema(postgres_base_url())
    try:
        yield schema.url
    finally:
        schema.drop()


@pytest.fixture
def store(db_url: str) -> Iterator[Store]:
    s = Store.open(db_url)
    try:
        yield s
    finally:
        s.close()
