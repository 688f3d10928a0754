"""Fixtures for the audit-log tests: a real PostgreSQL server per session."""

from __future__ import annotations

import itertools
from collections.abc import Iterator

import pytest
from sqlalchemy import create_engine, text

from tests.audit_log.pg import postgres_server

_db_names = itertools.count()


@pytest.fixture(scope="session")
def pg_server() -> Iterator[str]:
    try:
        with postgres_server() as url:
            yield url
    except (RuntimeError, OSError) as exc:
        pytest.skip(f"no PostgreSQL server: {exc}")


@pytest.fixture
def pg_url(pg_server: str) -> str:
    """A fresh database on the session's server."""
    name = f"audit_{next(_db_names)}"
    admin = create_engine(
        pg_server.replace("postgresql://", "postgresql+psycopg://"), isolation_level="AUTOCOMMIT"
    )
    with admin.connect() as conn:
        conn.execute(text(f"CREATE DATABASE {name}"))
    admin.dispose()
    return pg_server.rsplit("/", 1)[0] + "/" + name
