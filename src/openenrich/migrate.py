"""Programmatic Alembic: `openenrich migrate` and test fixtures upgrade through here."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config

from openenrich.db import restrict_sqlite_file

MIGRATIONS = Path(__file__).parent / "migrations"


def alembic_config(database_url: str) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.set_main_option("sqlalchemy.url", database_url)
    return config


def upgrade(database_url: str, revision: str = "head") -> None:
    """Bring the schema to `revision`. Creates the SQLite file (and its folder), `0600`."""
    restrict_sqlite_file(database_url)
    command.upgrade(alembic_config(database_url), revision)
