"""Snov.io email finder by name and domain (API v2, asynchronous).

The key is "client_id:client_secret"; `POST /v1/oauth/access_token` (client
credentials) exchanges it for a bearer token valid `expires_in` seconds (3600). Then
`POST /v2/emails-by-domain-by-name/start` answers a `task_hash`, and `GET
/v2/emails-by-domain-by-name/result?task_hash=` answers `status` in_progress or completed
(or not_enough_credits) with `data[].result[]` of `{email, smtp_status, is_webmail,
unknown_status_reason...}`. smtp_status is valid, not_valid or unknown.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

import httpx

from openenrich.domain import ContactQuery, EmailFinding, EmailStatus, Field
from openenrich.providers.base import ErrorKind, Pending, ProviderError, ProviderResult
from openenrich.providers.reading import (
    ARRAY,
    STRING,
    Shape,
    checked_body,
    fail,
    garbage,
    items,
    mapping,
    text,
)

DEFAULT_BASE_URL = "https://api.snov.io"
DEFAULT_TOKEN_LIFETIME = 3600.0

_SMTP_STATUS = {
    "valid": EmailStatus.DELIVERABLE,
    "not_valid": EmailStatus.INVALID,
    "unknown": EmailStatus.UNKNOWN,
}
# Snov answers 400 for a rejected client_id/secret pair on the token endpoint.
_TOKEN_ERRORS: Mapping[int, ErrorKind | None] = {400: ErrorKind.AUTH}
# The token exchange; a started search (its hash in `data` or `meta`); a polled one.
_TOKEN = Shape(access_token=STRING)
_TASK = Shape(status=STRING)
_COMPLETED = Shape(data=ARRAY)


class SnovAdapter:
    """`AsyncHttpAdapter` and `TokenAuthAdapter` for Snov.io's name+domain email finder."""

    name = "snov"
    fields = frozenset({Field.WORK_EMAIL})

    def __init__(self, base_url: str = DEFAULT_BASE_URL, poll_after: float = 3.0) -> None:
        self.base_url = base_url.rstrip("/")
        self.poll_after = poll_after

    def build_token_request(self, api_key: str) -> httpx.Request:
        client_id, sep, client_secret = api_key.partition(":")
        if not sep or not client_id or not client_secret:
            raise ProviderError(ErrorKind.AUTH, "key must be client_id:client_secret")
        return httpx.Request(
            "POST",
            f"{self.base_url}/v1/oauth/access_token",
            data={
                "grant_type": "client_credentials",
                "client_id": client_id,
                "client_secret": client_secret,
            },
        )

    def parse_token(self, response: httpx.Response) -> tuple[str, float]:
        body = _TOKEN.read(response, _TOKEN_ERRORS)
        token = text(body.get("access_token"))
        if token is None:
            raise garbage(response, "empty access_token")
        lifetime = body.get("expires_in")
        if isinstance(lifetime, bool) or not isinstance(lifetime, int | float) or lifetime <= 0:
            return token, DEFAULT_TOKEN_LIFETIME
        return token, float(lifetime)

    def build_request(
        self, query: ContactQuery, fields: frozenset[Field], api_key: str
    ) -> httpx.Request:
        """`api_key` is the bearer token from `parse_token` (the engine swaps it in)."""
        if not (query.first_name and query.last_name and query.domain):
            raise ProviderError(ErrorKind.BAD_REQUEST, "needs first name, last name and domain")
        row = {"first_name": query.first_name, "last_name": query.last_name, "domain": query.domain}
        return httpx.Request(
            "POST",
            f"{self.base_url}/v2/emails-by-domain-by-name/start",
            headers=_auth(api_key),
            json={"rows": [row]},
        )

    def parse_response(self, response: httpx.Response) -> ProviderResult | Pending:
        body = checked_body(response)
        _raise_for_status(response, body)
        task_hash = text(mapping(body.get("data")).get("task_hash")) or text(
            mapping(body.get("meta")).get("task_hash")
        )
        if task_hash is None:
            raise garbage(response, "no task_hash")
        return Pending(task_hash, self.poll_after)

    def build_poll(self, pending: Pending, api_key: str) -> httpx.Request:
        return httpx.Request(
            "GET",
            f"{self.base_url}/v2/emails-by-domain-by-name/result",
            params={"task_hash": pending.handle},
            headers=_auth(api_key),
        )

    def parse_poll(self, response: httpx.Response) -> ProviderResult | Pending:
        body = _TASK.read(response)
        status = text(body.get("status"))
        if status == "in_progress":
            handle = response.request.url.params.get("task_hash", "")
            return Pending(handle, self.poll_after)
        _raise_for_status(response, body)
        if status != "completed":
            raise garbage(response, "unexpected task status")
        return ProviderResult(findings=list(_findings(_COMPLETED.check(response, body))))


def _auth(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def _raise_for_status(response: httpx.Response, body: Mapping[str, Any]) -> None:
    if text(body.get("status")) == "not_enough_credits":
        raise fail(ErrorKind.QUOTA, response, "not_enough_credits")


def _findings(body: Mapping[str, Any]) -> Iterator[EmailFinding]:
    seen: set[str] = set()
    for row in items(body.get("data")):
        for item in items(mapping(row).get("result")):
            entry = mapping(item)
            email = text(entry.get("email"))
            if email is None or email.lower() in seen:
                continue
            seen.add(email.lower())
            field = Field.PERSONAL_EMAIL if entry.get("is_webmail") is True else Field.WORK_EMAIL
            yield EmailFinding(email, field, _status(entry))


def _status(entry: Mapping[str, Any]) -> EmailStatus | None:
    raw = text(entry.get("smtp_status"))
    status = _SMTP_STATUS.get(raw or "")
    reason = (text(entry.get("unknown_status_reason")) or "").replace("-", "").replace("_", "")
    if status is EmailStatus.UNKNOWN and reason == "catchall":
        return EmailStatus.CATCH_ALL
    return status
