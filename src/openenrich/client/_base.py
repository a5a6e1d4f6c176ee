"""What the sync and async clients share: configuration, request shapes, answer parsing,
waits. Neither transport is touched here, so both clients read the same rules."""

from __future__ import annotations

import email.utils
import os
import time
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any, TypeVar

import httpx
from pydantic import BaseModel

from openenrich.client._errors import OpenEnrichError, api_error
from openenrich.client._models import (
    Contact,
    EnrichField,
    Enrichment,
    EnrichmentRecord,
    EnrichmentStatus,
    WireModel,
)

DEFAULT_BASE_URL = "http://127.0.0.1:8000"
FULLENRICH_BASE_URL = "https://app.fullenrich.com"
DEFAULT_FIELDS: tuple[EnrichField, ...] = (EnrichField.WORK_EMAILS,)
MAX_BATCH = 100
USER_AGENT = "openenrich-python"

M = TypeVar("M", bound=BaseModel)


def api_root(base_url: str | None) -> str:
    """The v2 root from whatever a user pastes: `http://host:8000`, `.../api`, `.../api/v2`.
    Defaults to `OPENENRICH_BASE_URL`, then the local server."""
    url = (base_url or os.environ.get("OPENENRICH_BASE_URL") or DEFAULT_BASE_URL).rstrip("/")
    if url.endswith("/api/v2"):
        return url
    if url.endswith("/api"):
        return url + "/v2"
    return url + "/api/v2"


def api_key_from(api_key: str | None) -> str:
    key = api_key or os.environ.get("OPENENRICH_API_KEY")
    if not key:
        raise OpenEnrichError("no API key: pass api_key= or set OPENENRICH_API_KEY")
    return key


def headers(api_key: str) -> dict[str, str]:
    return {
        "Authorization": f"Bearer {api_key}",
        "Accept": "application/json",
        "User-Agent": USER_AGENT,
    }


def retry_after(response: httpx.Response, now: float | None = None) -> float:
    """Seconds to wait after a 429: `Retry-After` (seconds or HTTP date) when sent, else
    until the next calendar minute, which is where FullEnrich's fixed window restarts."""
    now = time.time() if now is None else now
    value = response.headers.get("retry-after", "").strip()
    if value:
        if value.isdigit():
            return float(value)
        try:
            when = email.utils.parsedate_to_datetime(value)
        except (TypeError, ValueError):
            when = None
        if when is not None:
            return max(0.0, when.timestamp() - now)
    return max(1.0, 60.0 - now % 60.0 + 0.5)


def decode(response: httpx.Response) -> Any:
    try:
        return response.json()
    except ValueError:
        return None


def raise_for(response: httpx.Response) -> None:
    if response.status_code < 400:
        return
    raise api_error(response.status_code, decode(response), retry_after(response))


def parse(model: type[M], response: httpx.Response) -> M:
    raise_for(response)
    body = decode(response)
    if not isinstance(body, dict):
        raise OpenEnrichError(f"unexpected answer from {response.request.url}: {body!r:.200}")
    return model.model_validate(body)


def job_result(model: type[M], response: httpx.Response, enrichment_id: str) -> M:
    """A job's GET: 402 carries the full body (a CREDITS_INSUFFICIENT result, returned as
    such); the documented 400 `in_progress` and the live 200 IN_PROGRESS read the same."""
    if response.status_code == 402 and isinstance(decode(response), dict):
        body = decode(response)
        if "status" in body:
            return model.model_validate(body)
    if response.status_code == 400:
        body = decode(response)
        if isinstance(body, dict) and body.get("code") == "error.enrichment.in_progress":
            return model.model_validate({"id": enrichment_id, "status": "IN_PROGRESS"})
    return parse(model, response)


def body_of(value: WireModel | Mapping[str, Any] | None, model: type[WireModel]) -> dict[str, Any]:
    if value is None:
        return {}
    if isinstance(value, WireModel):
        return value.wire()
    return model.model_validate(dict(value)).wire()


def contacts_of(
    contacts: Iterable[Contact | Mapping[str, Any]], fields: Iterable[EnrichField | str]
) -> Iterator[Contact]:
    """Each contact as a model, with `fields` where it names none of its own."""
    wanted = [f.value if isinstance(f, EnrichField) else str(f) for f in fields]
    for item in contacts:
        contact = item if isinstance(item, Contact) else Contact.model_validate(dict(item))
        if contact.enrich_fields is None:
            contact = contact.model_copy(update={"enrich_fields": wanted})
        yield contact


def chunks(items: Iterable[Contact], size: int) -> Iterator[list[Contact]]:
    if not 1 <= size <= MAX_BATCH:
        raise ValueError(f"batch size must be 1..{MAX_BATCH}")
    batch: list[Contact] = []
    for item in items:
        batch.append(item)
        if len(batch) == size:
            yield batch
            batch = []
    if batch:
        yield batch


@dataclass
class Backoff:
    """Polling delays: start short, grow by half each miss, reset on progress."""

    minimum: float = 1.0
    maximum: float = 15.0
    current: float = field(init=False, default=0.0)

    def __post_init__(self) -> None:
        self.current = self.minimum

    def next(self) -> float:
        delay = self.current
        self.current = min(self.maximum, self.current * 1.5)
        return delay

    def reset(self) -> None:
        self.current = self.minimum


class Pacer:
    """An optional client-side budget of N requests per calendar minute, the shape of
    FullEnrich's limit, so a client that knows its budget waits instead of collecting 429s."""

    def __init__(self, per_minute: int | None) -> None:
        self.per_minute = per_minute or 0
        self.window = -1
        self.used = 0

    def delay(self, now: float | None = None) -> float:
        """Seconds to wait before the next request (0 when it may go now); counts it."""
        if self.per_minute <= 0:
            return 0.0
        now = time.time() if now is None else now
        window = int(now // 60)
        if window != self.window:
            self.window, self.used = window, 0
        if self.used < self.per_minute:
            self.used += 1
            return 0.0
        self.window, self.used = window + 1, 1
        return (window + 1) * 60 - now


@dataclass
class EnrichedContact:
    """One input contact and what came back for it. `index` is its position in the
    contacts given to `enrich()`; `record` is None when the server dropped it (silentFail)."""

    index: int
    contact: Contact
    enrichment_id: str
    status: EnrichmentStatus
    record: EnrichmentRecord | None


def pair_records(start: int, batch: list[Contact], result: Enrichment) -> Iterator[EnrichedContact]:
    """Records come back in input order; a batch with skipped contacts (silentFail) is
    matched on the input echo instead of the position."""
    records = list(result.data or [])
    if len(records) == len(batch):
        matched: list[EnrichmentRecord | None] = list(records)
    else:
        matched = []
        remaining = list(records)
        for contact in batch:
            found = next((r for r in remaining if _same_input(contact, r)), None)
            if found is not None:
                remaining.remove(found)
            matched.append(found)
    for offset, (contact, record) in enumerate(zip(batch, matched, strict=True)):
        yield EnrichedContact(start + offset, contact, result.id, result.status, record)


def _same_input(contact: Contact, record: EnrichmentRecord) -> bool:
    echo = record.input
    if echo is None:
        return False
    pairs = (
        (contact.first_name, echo.first_name),
        (contact.last_name, echo.last_name),
        (contact.domain, echo.company_domain),
        (contact.linkedin_url, echo.professional_network_url),
    )
    return all((a or "").strip().lower() == (b or "").strip().lower() for a, b in pairs) and (
        contact.custom or {}
    ) == (record.custom or {})
