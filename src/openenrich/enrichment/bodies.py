"""Response bodies of enrichment jobs, serialized once with orjson."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import orjson

from openenrich.enrichment.models import Enrichment


def envelope(enrichment: Enrichment, records: Iterable[dict[str, Any]] | None) -> dict[str, Any]:
    """`ResponseGetContactBulkEnrich` (and its reverse-lookup twin); no `data` while running."""
    body: dict[str, Any] = {
        "id": enrichment.id,
        "name": enrichment.name,
        "status": enrichment.status,
    }
    if records is not None:
        body["data"] = list(records)
    body["cost"] = {"credits": enrichment.cost_credits}
    return body


def dumps(body: dict[str, Any]) -> bytes:
    return orjson.dumps(body)
