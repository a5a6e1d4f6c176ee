"""Request bodies and paging rules used by both clients."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from openenrich.client import _base as base
from openenrich.client._models import (
    Contact,
    EnrichField,
    EnrichRequest,
    ReverseEmailContact,
    ReverseEmailRequest,
    SearchMetadata,
    WebhookEvents,
)


def enrich_body(
    contacts: Iterable[Contact | Mapping[str, Any]],
    fields: Iterable[EnrichField | str],
    name: str,
    webhook_url: str | None,
    webhook_events: WebhookEvents | None,
) -> dict[str, Any]:
    data = list(base.contacts_of(contacts, fields))
    if len(data) > base.MAX_BATCH:
        raise ValueError(f"at most {base.MAX_BATCH} contacts per request; use enrich()")
    request = EnrichRequest(
        name=name, data=data, webhook_url=webhook_url, webhook_events=webhook_events
    )
    return request.wire()


def reverse_body(
    emails: Iterable[str | ReverseEmailContact | Mapping[str, Any]],
    name: str,
    webhook_url: str | None,
    webhook_events: WebhookEvents | None,
) -> dict[str, Any]:
    data: list[ReverseEmailContact] = []
    for item in emails:
        if isinstance(item, str):
            data.append(ReverseEmailContact(email=item))
        elif isinstance(item, ReverseEmailContact):
            data.append(item)
        else:
            data.append(ReverseEmailContact.model_validate(dict(item)))
    if len(data) > base.MAX_BATCH:
        raise ValueError(f"at most {base.MAX_BATCH} emails per request")
    request = ReverseEmailRequest(
        name=name, data=data, webhook_url=webhook_url, webhook_events=webhook_events
    )
    return request.wire()


def next_page(
    body: dict[str, Any], items: list[Any], metadata: SearchMetadata
) -> dict[str, Any] | None:
    """The body of the following page, or None at the end. FullEnrich hands out a cursor
    even after the last page, so an empty or short page ends the walk too."""
    limit = body.get("limit") or 10
    cursor = metadata.search_after
    if not items or len(items) < limit or not cursor or cursor == body.get("search_after"):
        return None
    following = {k: v for k, v in body.items() if k != "offset"}
    following["search_after"] = cursor
    return following
