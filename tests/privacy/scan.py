"""A full-text scan of a whole database: every column of every table found by reflection
(text, JSON and binary alike), so a table added later is scanned without being named."""

from __future__ import annotations

import json
from typing import Any

from sqlalchemy import MetaData, create_engine, select


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bytes | bytearray | memoryview):
        return bytes(value).decode("utf-8", "replace")
    if isinstance(value, dict | list):
        return json.dumps(value, ensure_ascii=False, default=str)
    return str(value)


def sync_url(url: str) -> str:
    return url.replace("+aiosqlite", "")


def table_names(url: str) -> list[str]:
    engine = create_engine(sync_url(url))
    try:
        metadata = MetaData()
        metadata.reflect(engine)
        return sorted(metadata.tables)
    finally:
        engine.dispose()


def find_traces(url: str, needles: list[str]) -> list[tuple[str, str, str]]:
    """(table, column, needle) for every cell holding a needle (case-insensitive)."""
    engine = create_engine(sync_url(url))
    hits: list[tuple[str, str, str]] = []
    try:
        metadata = MetaData()
        metadata.reflect(engine)
        with engine.connect() as conn:
            for table in metadata.sorted_tables:
                for row in conn.execute(select(table)).mappings():
                    for column, value in row.items():
                        text = _text(value).lower()
                        hits += [(table.name, column, n) for n in needles if n.lower() in text]
    finally:
        engine.dispose()
    return hits
