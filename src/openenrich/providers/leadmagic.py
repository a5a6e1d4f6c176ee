"""LeadMagic Email Finder (`POST /v1/people/email-finder`, header `X-API-Key`).

LeadMagic verifies by SMTP at lookup time and says so in `status`: `valid` (deliverable),
`valid_catch_all` (catch-all with an engagement signal), `catch_all`, `invalid`,
`unknown`, and `not_found` (a clean miss, not charged). Errors follow RFC 9457: 402 is
"insufficient credits", 429 carries Retry-After.
"""

from __future__ import annotations

import httpx

from openenrich.domain import ContactQuery, EmailFinding, EmailStatus, Field
from openenrich.providers.base import ErrorKind, ProviderError, ProviderResult
from openenrich.providers.reading import (
    NULL,
    STRING,
    Shape,
    checked_body,
    fail,
    filled,
    json_body,
    missed,
    text,
)

DEFAULT_BASE_URL = "https://api.leadmagic.io"

# A match, or `email: null` (status "not_found") for a miss; a 404 is a miss too.
_REPLY = Shape(email=STRING + NULL)

_STATUS = {
    "valid": EmailStatus.DELIVERABLE,
    "valid_catch_all": EmailStatus.HIGH_PROBABILITY,
    "catch_all": EmailStatus.CATCH_ALL,
    "invalid": EmailStatus.INVALID,
    "unknown": EmailStatus.UNKNOWN,
}


class LeadMagicAdapter:
    """`HttpAdapter` for LeadMagic's email finder."""

    name = "leadmagic"
    fields = frozenset({Field.WORK_EMAIL})

    def __init__(self, base_url: str = DEFAULT_BASE_URL) -> None:
        self.base_url = base_url.rstrip("/")

    def build_check(self, api_key: str) -> httpx.Request:
        """`GET /v1/credits`: the balance, free."""
        return httpx.Request(
            "GET",
            f"{self.base_url}/v1/credits",
            headers={"X-API-Key": api_key, "Accept": "application/json"},
        )

    def parse_check(self, response: httpx.Response) -> None:
        credits = checked_body(response).get("credits")
        if isinstance(credits, int | float) and not isinstance(credits, bool) and credits <= 0:
            raise fail(ErrorKind.QUOTA, response, "credits")

    def build_request(
        self, query: ContactQuery, fields: frozenset[Field], api_key: str
    ) -> httpx.Request:
        if not (query.first_name and query.last_name and (query.domain or query.company_name)):
            raise ProviderError(ErrorKind.BAD_REQUEST, "needs first and last name with a company")
        body = filled(
            {
                "first_name": query.first_name,
                "last_name": query.last_name,
                "domain": query.domain,
                "company_name": query.company_name,
            }
        )
        return httpx.Request(
            "POST",
            f"{self.base_url}/v1/people/email-finder",
            json=body,
            headers={"X-API-Key": api_key, "Accept": "application/json"},
        )

    def parse_response(self, response: httpx.Response) -> ProviderResult:
        # 404 from the finder is "nobody found"; the route itself is fixed.
        if missed(response):
            return ProviderResult()
        body = _REPLY.check(response, json_body(response))
        email = text(body.get("email"))
        raw = body.get("status")
        if email is None or raw == "not_found":
            return ProviderResult()
        status = _STATUS.get(raw) if isinstance(raw, str) else None
        return ProviderResult([EmailFinding(email, Field.WORK_EMAIL, status)])
