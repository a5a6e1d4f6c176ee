"""Findymail: email finder (`POST /api/search/name`, or `/api/search/linkedin`) and
verifier (`POST /api/verify`), with `Authorization: Bearer <key>`.

Findymail's quirk: running out of credits comes back as **HTTP 200 with
`{"error": "Not enough credits"}`**, so every body is checked for `error` before it is
read as data. The finder gives no status for the address it returns, so it is left for
the engine's verifiers. The verifier says only `verified: true|false` and charges one
verifier credit per attempt.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import httpx

from openenrich.domain import ContactQuery, EmailFinding, EmailStatus, Field, Verdict
from openenrich.providers import person as p
from openenrich.providers.base import ErrorKind, ProviderError, ProviderResult
from openenrich.providers.reading import (
    BOOLEAN,
    NULL,
    OBJECT,
    STRING,
    Shape,
    body_error,
    checked_body,
    fail,
    garbage,
    integer,
    mapping,
    text,
)

DEFAULT_BASE_URL = "https://app.findymail.com/api"
# A match (a miss is a 404, or an `error` saying "not found"); a verification.
_FOUND = Shape(contact=OBJECT + NULL)
_VERIFIED = Shape(email=STRING, verified=BOOLEAN)


def _headers(api_key: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {api_key}", "Accept": "application/json"}


def _credits_request(base_url: str, api_key: str) -> httpx.Request:
    """`GET /credits`: finder and verifier balances (two separate pots), free."""
    return httpx.Request("GET", f"{base_url}/credits", headers=_headers(api_key))


def _check_credits(response: httpx.Response, pot: str) -> None:
    """Findymail words errors in a 200 body too; an empty `pot` is out of credits."""
    body = checked_body(response)
    if text(body.get("error")):
        raise body_error(response, str(body["error"]))
    balance = integer(body.get(pot))
    if balance is not None and balance <= 0:
        raise fail(ErrorKind.QUOTA, response, pot)


def _body(response: httpx.Response) -> Mapping[str, Any]:
    """The reply as an object, after the status and the in-body `error` are checked."""
    body = checked_body(response)
    error = text(body.get("error"))
    if error is not None:
        lowered = error.lower()
        if "credit" in lowered:
            raise fail(ErrorKind.QUOTA, response, "not_enough_credits")
        if "not found" in lowered:
            return {}
        raise fail(ErrorKind.TRANSIENT, response, "error_in_body")
    return body


class FindymailAdapter:
    """`HttpAdapter` for Findymail's email finder (name + domain, or LinkedIn URL)."""

    name = "findymail"
    fields = frozenset({Field.WORK_EMAIL})

    def __init__(self, base_url: str = DEFAULT_BASE_URL) -> None:
        self.base_url = base_url.rstrip("/")

    def build_check(self, api_key: str) -> httpx.Request:
        return _credits_request(self.base_url, api_key)

    def parse_check(self, response: httpx.Response) -> None:
        _check_credits(response, "credits")

    def build_request(
        self, query: ContactQuery, fields: frozenset[Field], api_key: str
    ) -> httpx.Request:
        company = query.domain or query.company_name
        if query.full_name and company:
            path, body = "/search/name", {"name": query.full_name, "domain": company}
        elif linkedin := p.linkedin_url(query.linkedin_url):
            path, body = "/search/linkedin", {"linkedin_url": linkedin}
        else:
            raise ProviderError(
                ErrorKind.BAD_REQUEST, "needs a name with a domain, or a LinkedIn URL"
            )
        return httpx.Request("POST", self.base_url + path, json=body, headers=_headers(api_key))

    def parse_response(self, response: httpx.Response) -> ProviderResult:
        if response.status_code == 404:  # no contact found
            return ProviderResult()
        body = _body(response)
        if not body:  # the documented "not found" error
            return ProviderResult()
        contact = mapping(_FOUND.check(response, body).get("contact"))
        email = text(contact.get("email"))
        if email is None:
            return ProviderResult()
        return ProviderResult([EmailFinding(email, Field.WORK_EMAIL)])


class FindymailVerifier:
    """`HttpVerifierAdapter` for Findymail's verifier."""

    name = "findymail_verifier"

    def __init__(self, base_url: str = DEFAULT_BASE_URL) -> None:
        self.base_url = base_url.rstrip("/")

    def build_check(self, api_key: str) -> httpx.Request:
        return _credits_request(self.base_url, api_key)

    def parse_check(self, response: httpx.Response) -> None:
        _check_credits(response, "verifier_credits")

    def build_verify(self, email: str, api_key: str) -> httpx.Request:
        return httpx.Request(
            "POST", f"{self.base_url}/verify", json={"email": email}, headers=_headers(api_key)
        )

    def parse_verify(self, response: httpx.Response) -> Verdict:
        body = _VERIFIED.check(response, _body(response))
        email = text(body.get("email"))
        verified = body["verified"]
        if email is None:
            raise garbage(response, "no email in body")
        status = EmailStatus.DELIVERABLE if verified else EmailStatus.INVALID
        evidence = {k: body[k] for k in ("verified", "provider") if k in body}
        return Verdict(email=email, status=status, evidence=evidence)
