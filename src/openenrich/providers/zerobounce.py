"""ZeroBounce single-address validation (`GET /v2/validate`).

ZeroBounce answers 200 even for a bad key or an empty balance, with `{"error": "..."}` in
place of a result, so the body decides, not the status code. Statuses map per
providers.md §1.4: spamtrap, abuse and do_not_mail are all "do not send", i.e. INVALID.
"""

from __future__ import annotations

from typing import Any

import httpx

from openenrich.domain import EmailStatus, Verdict
from openenrich.providers.base import ErrorKind
from openenrich.providers.reading import (
    STRING,
    Shape,
    body_error,
    checked_body,
    fail,
    garbage,
    requested_email,
    text,
)

DEFAULT_BASE_URL = "https://api.zerobounce.net"

_STATUS = {
    "valid": EmailStatus.DELIVERABLE,
    "invalid": EmailStatus.INVALID,
    "catch-all": EmailStatus.CATCH_ALL,
    "unknown": EmailStatus.UNKNOWN,
    "spamtrap": EmailStatus.INVALID,
    "abuse": EmailStatus.INVALID,
    "do_not_mail": EmailStatus.INVALID,
}
# Sub-statuses that say the domain itself cannot receive mail.
_DEAD_DOMAIN = frozenset({"no_dns_entries", "unroutable_ip_address"})
# A verification names its `status`; a refusal is an `error` alone.
_VERIFIED = Shape(status=STRING)
_EVIDENCE_KEYS = ("status", "sub_status", "mx_found", "smtp_provider", "did_you_mean")


class ZeroBounceAdapter:
    """`HttpVerifierAdapter` for ZeroBounce."""

    name = "zerobounce"

    def __init__(self, base_url: str = DEFAULT_BASE_URL) -> None:
        self.base_url = base_url.rstrip("/")

    def build_check(self, api_key: str) -> httpx.Request:
        """`GET /v2/getcredits`: the balance, free. `Credits` is -1 for a bad key."""
        return httpx.Request("GET", f"{self.base_url}/v2/getcredits", params={"api_key": api_key})

    def parse_check(self, response: httpx.Response) -> None:
        body = checked_body(response)
        if text(body.get("error")):
            raise body_error(response, str(body["error"]))
        try:
            credits = float(body["Credits"])  # a number, or a numeric string
        except (KeyError, TypeError, ValueError):
            raise fail(ErrorKind.TRANSIENT, response, "no credits in body") from None
        if credits < 0:
            raise fail(ErrorKind.AUTH, response, "api_key")
        if credits == 0:
            raise fail(ErrorKind.QUOTA, response, "credits")

    def build_verify(self, email: str, api_key: str) -> httpx.Request:
        return httpx.Request(
            "GET",
            f"{self.base_url}/v2/validate",
            params={"api_key": api_key, "email": email, "ip_address": ""},
        )

    def parse_verify(self, response: httpx.Response) -> Verdict:
        body = checked_body(response)
        # The documented text is "Invalid API Key or your account ran out of credits":
        # both mean the key cannot be used until someone acts, so the breaker opens.
        if text(body.get("error")):
            raise body_error(response, str(body["error"]))
        raw = (text(_VERIFIED.check(response, body).get("status")) or "").lower()
        if raw not in _STATUS:
            raise garbage(response, "unexpected status")
        sub_status = (text(body.get("sub_status")) or "").lower()
        status = _STATUS[raw]
        if status is EmailStatus.INVALID and sub_status in _DEAD_DOMAIN:
            status = EmailStatus.INVALID_DOMAIN
        email = text(body.get("address")) or requested_email(response)
        return Verdict(
            email=email,
            status=status,
            evidence={k: body[k] for k in _EVIDENCE_KEYS if body.get(k) not in (None, "")},
            personal=_truthy(body.get("free_email")),
            disposable=sub_status == "disposable",
            role=sub_status in ("role_based", "role_based_catch_all"),
        )


def _truthy(value: Any) -> bool:
    return value is True or str(value).lower() == "true"
