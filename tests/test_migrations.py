"""The schema is created only by migrations, and they match the models exactly."""

from __future__ import annotations

from typing import Any

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import create_engine

from openenrich.schema import metadata


def _modelled(name: str | None, kind: str, _parents: Any) -> bool:
    """Leave out the full-text indexes over search documents (FTS5 tables on SQLite, GIN
    expression indexes on PostgreSQL), which the migration builds per engine."""
    if name is None:
        return True
    return not (kind == "table" and "_fts" in name) and not (
        kind == "index" and name.endswith("_doc")
    )


def diff(url: str) -> list[Any]:
    engine = create_engine(url.replace("+aiosqlite", ""))
    with engine.connect() as conn:
        context = MigrationContext.configure(
            conn, opts={"compare_type": True, "include_name": _modelled}
        )
        changes: list[Any] = compare_metadata(context, metadata)
    engine.dispose()
    return changes


def test_migrated_schema_matches_models(database_url: str) -> None:
    assert diff(database_url) == []
