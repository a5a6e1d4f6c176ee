"""Icypeas email search: asynchronous, submit then poll.

`POST /api/email-search {firstname, lastname, domainOrCompany}` answers
`{success, item: {_id, status: "NONE"}}`; `POST /api/bulk-single-searchs/read {id}` is
polled while the status is NONE, SCHEDULED or IN_PROGRESS. The key goes raw in
`Authorization` (no "Bearer"). Done is DEBITED (found and charged) or NOT_FOUND /
DEBITED_NOT_FOUND; INSUFFICIENT_FUNDS is the quota. Certainty: `ultra_sure` and
`very_sure` (<1% bounce) are deliverable, `probable` (<5%) is a likely catch-all hit.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import httpx

from openenrich.domain import ContactQuery, EmailFinding, EmailStatus, Field
from openenrich.providers.base import ErrorKind, Pending, ProviderError, ProviderResult
from openenrich.providers.reading import (
    ARRAY,
    OBJECT,
    Shape,
    checked_body,
    fail,
    garbage,
    items,
    mapping,
    text,
)

DEFAULT_BASE_URL = "https://app.icypeas.com/api"

_RUNNING = frozenset({"NONE", "SCHEDULED", "IN_PROGRESS"})
_MISS = frozenset({"NOT_FOUND", "DEBITED_NOT_FOUND"})
_ERRORS: Mapping[str, ErrorKind] = {
    "INSUFFICIENT_FUNDS": ErrorKind.QUOTA,
    "BAD_INPUT": ErrorKind.BAD_REQUEST,
    "ABORTED": ErrorKind.TRANSIENT,
}
# A search started (`item`), or the searches listed (`items`).
_STARTED = Shape(item=OBJECT)
_LISTED = Shape(items=ARRAY)
_CERTAINTY = {
    "ultra_sure": EmailStatus.DELIVERABLE,
    "very_sure": EmailStatus.DELIVERABLE,
    "probable": EmailStatus.HIGH_PROBABILITY,
    "undeliverable": EmailStatus.INVALID,
}


def _headers(api_key: str) -> dict[str, str]:
    return {"Authorization": api_key, "Content-Type": "application/json"}


def _checked(response: httpx.Response) -> Mapping[str, Any]:
    body = checked_body(response)
    if body.get("success") is False:
        # Validation errors come back as 200 with success false.
        blob = str(body.get("validationErrors") or body.get("message") or "").lower()
        kind = ErrorKind.QUOTA if "credit" in blob or "fund" in blob else ErrorKind.BAD_REQUEST
        raise fail(kind, response, "success_false")
    return body


class IcypeasAdapter:
    """`AsyncHttpAdapter` for Icypeas's single email search."""

    name = "icypeas"
    fields = frozenset({Field.WORK_EMAIL})

    def __init__(self, base_url: str = DEFAULT_BASE_URL, poll_after: float = 2.0) -> None:
        self.base_url = base_url.rstrip("/")
        self.poll_after = poll_after

    def build_request(
        self, query: ContactQuery, fields: frozenset[Field], api_key: str
    ) -> httpx.Request:
        company = query.domain or query.company_name
        if not (query.last_name and company):
            raise ProviderError(ErrorKind.BAD_REQUEST, "needs a last name and a company")
        body = {
            "firstname": query.first_name,
            "lastname": query.last_name,
            "domainOrCompany": company,
        }
        return httpx.Request(
            "POST", f"{self.base_url}/email-search", json=body, headers=_headers(api_key)
        )

    def parse_response(self, response: httpx.Response) -> ProviderResult | Pending:
        item = mapping(_STARTED.check(response, _checked(response)).get("item"))
        handle = text(item.get("_id"))
        if handle is None:
            raise garbage(response, "no search id")
        return self._state(item, response) or Pending(handle, self.poll_after)

    def build_poll(self, pending: Pending, api_key: str) -> httpx.Request:
        return httpx.Request(
            "POST",
            f"{self.base_url}/bulk-single-searchs/read",
            json={"id": pending.handle},
            headers=_headers(api_key),
        )

    def parse_poll(self, response: httpx.Response) -> ProviderResult | Pending:
        found = items(_LISTED.check(response, _checked(response)).get("items"))
        item = mapping(found[0]) if found else {}
        handle = text(item.get("_id"))
        if handle is None:
            raise garbage(response, "search not listed")
        return self._state(item, response) or Pending(handle, self.poll_after)

    def _state(self, item: Mapping[str, Any], response: httpx.Response) -> ProviderResult | None:
        """The outcome of a finished search, or None while it runs."""
        status = text(item.get("status")) or "NONE"
        if status in _RUNNING:
            return None
        if status in _ERRORS:
            raise fail(_ERRORS[status], response, status)
        if status in _MISS:
            return ProviderResult()
        results = mapping(item.get("results"))
        findings = []
        for raw in items(results.get("emails")):
            entry = mapping(raw)
            email = text(entry.get("email"))
            certainty = entry.get("certainty")
            if email is None or certainty == "not_found":
                continue
            status_ = _CERTAINTY.get(certainty) if isinstance(certainty, str) else None
            findings.append(EmailFinding(email, Field.WORK_EMAIL, status_))
        return ProviderResult(list(findings))
