"""Hunter.io: the Email Finder and the Email Verifier (API v2).

Both are `GET` with the key in the `X-API-KEY` header (kept out of the URL). Hunter's own
error codes are unusual: **403 is its rate limit** (no Retry-After is sent) and **429 is
the monthly usage quota**. The verifier answers 202 while a check is still running (the
same call may be repeated, counted once) and 222 when the remote SMTP server failed:
both are transient. 451 means the address is under a personal-data restriction.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import httpx

from openenrich.domain import ContactQuery, EmailFinding, EmailStatus, Field, Verdict
from openenrich.providers.base import ErrorKind, ProviderError, ProviderResult
from openenrich.providers.person import linkedin_handle
from openenrich.providers.reading import (
    OBJECT,
    Shape,
    check_status,
    fail,
    garbage,
    json_body,
    mapping,
    missed,
    text,
)

DEFAULT_BASE_URL = "https://api.hunter.io/v2"

# An accept_all (catch-all) address that Hunter still scores this high has other
# evidence behind it (sources, patterns): the spec's HIGH_PROBABILITY.
CATCH_ALL_LIKELY_SCORE = 90

_ERRORS: Mapping[int, ErrorKind | None] = {
    403: ErrorKind.RATE_LIMITED,
    429: ErrorKind.QUOTA,
    451: ErrorKind.BAD_REQUEST,
}


# Finder and verifier both answer `data` (a miss is a 404, or `data.email: null`).
_REPLY = Shape(data=OBJECT)

_EVIDENCE = (
    "status",
    "score",
    "regexp",
    "gibberish",
    "mx_records",
    "smtp_server",
    "smtp_check",
    "accept_all",
    "block",
)


def _status(raw: Any, score: Any) -> EmailStatus | None:
    """Hunter's verification status on the canonical scale (providers.md §1.4)."""
    if not isinstance(raw, str):
        return None
    if raw == "valid":
        return EmailStatus.DELIVERABLE
    if raw == "accept_all":
        high = isinstance(score, int) and score >= CATCH_ALL_LIKELY_SCORE
        return EmailStatus.HIGH_PROBABILITY if high else EmailStatus.CATCH_ALL
    if raw in ("invalid", "disposable"):
        return EmailStatus.INVALID
    return EmailStatus.UNKNOWN  # unknown, webmail


def _headers(api_key: str) -> dict[str, str]:
    return {"X-API-KEY": api_key, "Accept": "application/json"}


def _account_request(base_url: str, api_key: str) -> httpx.Request:
    """`GET /account` (plan and usage counters): free, and it proves the key. Hunter's
    own codes apply here too: 403 is its rate limit, 429 the spent monthly quota."""
    return httpx.Request("GET", f"{base_url}/account", headers=_headers(api_key))


class HunterAdapter:
    """`HttpAdapter` for Hunter's Email Finder: name + domain (or company) -> work email."""

    name = "hunter"
    fields = frozenset({Field.WORK_EMAIL})

    def __init__(self, base_url: str = DEFAULT_BASE_URL, max_duration: int = 10) -> None:
        self.base_url = base_url.rstrip("/")
        self.max_duration = max_duration

    def build_check(self, api_key: str) -> httpx.Request:
        return _account_request(self.base_url, api_key)

    def parse_check(self, response: httpx.Response) -> None:
        check_status(response, _ERRORS)

    def build_request(
        self, query: ContactQuery, fields: frozenset[Field], api_key: str
    ) -> httpx.Request:
        params: dict[str, str] = {}
        if query.domain:
            params["domain"] = query.domain
        elif query.company_name:
            params["company"] = query.company_name
        if query.first_name and query.last_name:
            params["first_name"] = query.first_name
            params["last_name"] = query.last_name
        elif handle := linkedin_handle(query.linkedin_url):
            params["linkedin_handle"] = handle
        elif query.full_name:
            params["full_name"] = query.full_name
        has_person = any(k in params for k in ("first_name", "linkedin_handle", "full_name"))
        if not has_person or not ("domain" in params or "company" in params):
            raise ProviderError(ErrorKind.BAD_REQUEST, "needs a name and a domain or company")
        params["max_duration"] = str(self.max_duration)
        return httpx.Request(
            "GET", f"{self.base_url}/email-finder", params=params, headers=_headers(api_key)
        )

    def parse_response(self, response: httpx.Response) -> ProviderResult:
        # 404 on the finder is "no such person/email": a clean miss, not a fault.
        if missed(response, _ERRORS):
            return ProviderResult()
        data = mapping(_REPLY.check(response, json_body(response)).get("data"))
        email = text(data.get("email"))
        if email is None:
            return ProviderResult()
        verification = mapping(data.get("verification"))
        status = _status(verification.get("status"), data.get("score"))
        return ProviderResult([EmailFinding(email, Field.WORK_EMAIL, status)])


class HunterVerifier:
    """`HttpVerifierAdapter` for Hunter's Email Verifier."""

    name = "hunter_verifier"

    def __init__(self, base_url: str = DEFAULT_BASE_URL) -> None:
        self.base_url = base_url.rstrip("/")

    def build_check(self, api_key: str) -> httpx.Request:
        return _account_request(self.base_url, api_key)

    def parse_check(self, response: httpx.Response) -> None:
        check_status(response, _ERRORS)

    def build_verify(self, email: str, api_key: str) -> httpx.Request:
        return httpx.Request(
            "GET",
            f"{self.base_url}/email-verifier",
            params={"email": email},
            headers=_headers(api_key),
        )

    def parse_verify(self, response: httpx.Response) -> Verdict:
        check_status(response, _ERRORS)
        if response.status_code in (202, 222):
            # 202: still verifying, ask again; 222: the remote SMTP server failed.
            raise fail(ErrorKind.TRANSIENT, response, "verification pending")
        data = mapping(_REPLY.check(response, json_body(response)).get("data"))
        email = text(data.get("email"))
        raw = data.get("status")
        if email is None or not isinstance(raw, str):
            raise garbage(response, "no verification in body")
        status = _status(raw, data.get("score")) or EmailStatus.UNKNOWN
        if status is EmailStatus.INVALID and data.get("mx_records") is False:
            status = EmailStatus.INVALID_DOMAIN
        evidence = {key: data[key] for key in _EVIDENCE if key in data}
        return Verdict(
            email=email,
            status=status,
            evidence=evidence,
            personal=bool(data.get("webmail")) or raw == "webmail",
            disposable=bool(data.get("disposable")) or raw == "disposable",
        )
