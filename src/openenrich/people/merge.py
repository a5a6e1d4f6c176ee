"""How a record that is seen again is merged with what the store holds.

A record is merged field by field (its top-level keys). A stored value is replaced by a
new one that is at least as recent and at least as specific (as many filled-in values);
a value the store lacks is taken whatever its age. Each field remembers the source and
time of the value it holds, and keeps them while the value stays the same.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any


def specificity(value: Any) -> int:
    """How many filled-in values `value` holds."""
    if isinstance(value, Mapping):
        return sum(specificity(v) for v in value.values())
    if isinstance(value, list):
        return sum(specificity(v) for v in value)
    return 0 if value in (None, "") else 1


def provenance(data: Mapping[str, Any], source: str, seen_at: datetime) -> dict[str, Any]:
    """The sources of a new record: every field from `source` at `seen_at`."""
    mark = {"source": source, "at": seen_at.isoformat()}
    return {key: dict(mark) for key in data if key != "id"}


def merge(
    stored: Mapping[str, Any],
    sources: Mapping[str, Any],
    incoming: Mapping[str, Any],
    source: str,
    seen_at: datetime,
) -> tuple[dict[str, Any], dict[str, Any]]:
    """The merged record and its sources. The stored `id` always stays."""
    data = dict(stored)
    marks = {key: dict(value) for key, value in sources.items()}
    seen = seen_at.isoformat()
    for key, value in incoming.items():
        if key == "id" or value == data.get(key):
            continue
        old = data.get(key)
        held = marks.get(key, {}).get("at", "")
        if old is None or (seen >= held and specificity(value) >= specificity(old)):
            data[key] = value
            marks[key] = {"source": source, "at": seen}
    return data, marks
