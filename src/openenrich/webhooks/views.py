"""The delivery log as JSON, for the API and the CLI alike."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any

from openenrich.webhooks.models import WebhookAttempt, WebhookEvent


def _when(value: datetime | None) -> str | None:
    return value.isoformat().replace("+00:00", "Z") if value else None


def attempt_view(attempt: WebhookAttempt) -> dict[str, Any]:
    return {
        "number": attempt.number,
        "started_at": _when(attempt.started_at),
        "duration_ms": attempt.duration_ms,
        "status_code": attempt.status_code,
        "succeeded": attempt.succeeded,
        "error": attempt.error,
        "response_body": attempt.response_body,
        "manual": attempt.manual,
        "next_attempt_at": _when(attempt.next_attempt_at),
    }


def event_view(event: WebhookEvent, attempts: Iterable[WebhookAttempt]) -> dict[str, Any]:
    return {
        "id": event.id,
        "enrichment_id": event.enrichment_id,
        "event": event.kind,
        "url": event.url,
        "status": event.status,
        "attempts": event.attempts,
        "last_status_code": event.last_status_code,
        "last_error": event.last_error,
        "next_attempt_at": _when(event.next_attempt_at) if event.status == "pending" else None,
        "created_at": _when(event.created_at),
        "delivered_at": _when(event.delivered_at),
        "log": [attempt_view(a) for a in attempts],
    }


def group(events: list[WebhookEvent], attempts: list[WebhookAttempt]) -> list[dict[str, Any]]:
    by_event: dict[str, list[WebhookAttempt]] = {}
    for attempt in attempts:
        by_event.setdefault(attempt.event_id, []).append(attempt)
    return [event_view(e, by_event.get(e.id, [])) for e in events]
