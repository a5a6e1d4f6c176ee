"""NeverBounce single verification (`GET /v4/single/check`).

NeverBounce reports failures in the body with HTTP 200: `status` is `success` or one of
auth_failure, temp_unavail, throttle_triggered, bad_referrer, general_failure, each with
a `message`. `result` is valid|invalid|disposable|catchall|unknown (or 0-4 when numeric
codes are requested); `flags` add detail (free_email_host, role_account, bad_dns...).
"""

from __future__ import annotations

from typing import Any

import httpx

from openenrich.domain import EmailStatus, Verdict
from openenrich.providers.base import ErrorKind, ProviderError
from openenrich.providers.reading import (
    STRING,
    Shape,
    checked_body,
    fail,
    garbage,
    requested_email,
    text,
)

DEFAULT_BASE_URL = "https://api.neverbounce.com"

_RESULT = {
    "valid": EmailStatus.DELIVERABLE,
    "invalid": EmailStatus.INVALID,
    "disposable": EmailStatus.INVALID,
    "catchall": EmailStatus.CATCH_ALL,
    "unknown": EmailStatus.UNKNOWN,
}
_NUMERIC = ("valid", "invalid", "disposable", "catchall", "unknown")
_FAILURE = {
    "auth_failure": ErrorKind.AUTH,
    "bad_referrer": ErrorKind.AUTH,
    "throttle_triggered": ErrorKind.RATE_LIMITED,
    "temp_unavail": ErrorKind.TRANSIENT,
    "general_failure": ErrorKind.TRANSIENT,
}
# Every reply names its API `status` ("success", or the failure).
_REPLY = Shape(status=STRING)
_REMAINING = ("paid_credits_remaining", "free_credits_remaining")


class NeverBounceAdapter:
    """`HttpVerifierAdapter` for NeverBounce v4."""

    name = "neverbounce"

    def __init__(self, base_url: str = DEFAULT_BASE_URL) -> None:
        self.base_url = base_url.rstrip("/")

    def build_check(self, api_key: str) -> httpx.Request:
        """`GET /v4/account/info`: balance and job counts, free. Failures come back as
        HTTP 200 with a `status` other than success, as on the check itself."""
        return httpx.Request("GET", f"{self.base_url}/v4/account/info", params={"key": api_key})

    def parse_check(self, response: httpx.Response) -> None:
        body = checked_body(response)
        api_status = text(body.get("status")) or ""
        if api_status != "success":
            raise _failure(response, api_status, text(body.get("message")) or "")
        # Pay-as-you-go accounts count paid and free credits; monthly plans send neither.
        info = body.get("credits_info")
        counts = [info.get(k) for k in _REMAINING] if isinstance(info, dict) else []
        if counts and all(isinstance(c, int) and c <= 0 for c in counts):
            raise fail(ErrorKind.QUOTA, response, "credits")

    def build_verify(self, email: str, api_key: str) -> httpx.Request:
        return httpx.Request(
            "GET", f"{self.base_url}/v4/single/check", params={"key": api_key, "email": email}
        )

    def parse_verify(self, response: httpx.Response) -> Verdict:
        body = _REPLY.read(response)
        api_status = text(body.get("status")) or ""
        if api_status != "success":
            raise _failure(response, api_status, text(body.get("message")) or "")
        result = _result_name(body.get("result"))
        if result is None:
            raise garbage(response, "unexpected result")
        flags = {str(flag) for flag in body.get("flags") or []}
        status = _RESULT[result]
        # No DNS for the domain: the whole domain is dead, not just this mailbox.
        if result == "invalid" and ("bad_dns" in flags or (flags and "has_dns" not in flags)):
            status = EmailStatus.INVALID_DOMAIN
        evidence: dict[str, Any] = {"result": result, "flags": sorted(flags)}
        if body.get("suggested_correction"):
            evidence["suggested_correction"] = body["suggested_correction"]
        return Verdict(
            email=requested_email(response),
            status=status,
            evidence=evidence,
            personal="free_email_host" in flags,
            disposable=result == "disposable" or "disposable_email" in flags,
            role="role_account" in flags,
        )


def _result_name(value: Any) -> str | None:
    if isinstance(value, int) and not isinstance(value, bool) and 0 <= value < len(_NUMERIC):
        return _NUMERIC[value]
    name = str(value).lower()
    return name if name in _RESULT else None


def _failure(response: httpx.Response, api_status: str, message: str) -> ProviderError:
    # The code goes in the detail; the free-text message stays out of logs.
    if "credit" in message.lower():
        return fail(ErrorKind.QUOTA, response, api_status or "credits")
    return fail(_FAILURE.get(api_status, ErrorKind.TRANSIENT), response, api_status)
