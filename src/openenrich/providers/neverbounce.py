"""NeverBounce single verification (`GET /v4/single/check`).

NeverBounce reports failures in the body with HTTP 200: `status` is `success` or one of
auth_failure, temp_unavail, throttle_triggered, bad_referrer, general_failure, each with
a `message`. `result` is valid|invalid|disposable|catchall|unknown (or 0-4 when numeric
codes are requested); `flags` add detail (free_email_host, role_account, bad_dns...).
"""

from __future__ import annotations

from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from typing import Any

import httpx

from openenrich.providers.base import EmailStatus, ErrorKind, ProviderError, Verdict

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


class NeverBounceAdapter:
    """`HttpVerifierAdapter` for NeverBounce v4."""

    name = "neverbounce"

    def __init__(self, base_url: str = DEFAULT_BASE_URL) -> None:
        self.base_url = base_url.rstrip("/")

    def build_verify(self, email: str, api_key: str) -> httpx.Request:
        return httpx.Request(
            "GET", f"{self.base_url}/v4/single/check", params={"key": api_key, "email": email}
        )

    def parse_verify(self, response: httpx.Response) -> Verdict:
        if response.status_code != 200:
            raise _http_error(response)
        body = _body(response)
        api_status = str(body.get("status") or "")
        if api_status != "success":
            raise _failure(api_status, str(body.get("message") or ""))
        result = _result_name(body.get("result"))
        if result is None:
            raise ProviderError(ErrorKind.TRANSIENT, f"unexpected result {body.get('result')!r}")
        flags = {str(flag) for flag in body.get("flags") or []}
        status = _RESULT[result]
        # No DNS for the domain: the whole domain is dead, not just this mailbox.
        if result == "invalid" and ("bad_dns" in flags or (flags and "has_dns" not in flags)):
            status = EmailStatus.INVALID_DOMAIN
        evidence: dict[str, Any] = {"result": result, "flags": sorted(flags)}
        if body.get("suggested_correction"):
            evidence["suggested_correction"] = body["suggested_correction"]
        return Verdict(
            email=response.request.url.params.get("email", ""),
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


def _failure(api_status: str, message: str) -> ProviderError:
    detail = f"{api_status}: {message}" if message else api_status
    if "credit" in message.lower():
        return ProviderError(ErrorKind.QUOTA, detail)
    return ProviderError(_FAILURE.get(api_status, ErrorKind.TRANSIENT), detail)


def _body(response: httpx.Response) -> dict[str, Any]:
    try:
        body = response.json()
    except ValueError:
        raise ProviderError(ErrorKind.TRANSIENT, "body is not JSON") from None
    if not isinstance(body, dict):
        raise ProviderError(ErrorKind.TRANSIENT, "body is not a JSON object")
    return body


def _retry_after(response: httpx.Response) -> float | None:
    """Seconds to wait from a Retry-After header (delta-seconds or HTTP date), if any."""
    value = response.headers.get("Retry-After", "").strip()
    if not value:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max(0.0, (when - datetime.now(UTC)).total_seconds())


def _http_error(response: httpx.Response) -> ProviderError:
    status = response.status_code
    if status in (401, 403):
        return ProviderError(ErrorKind.AUTH, f"HTTP {status}")
    if status == 402:
        return ProviderError(ErrorKind.QUOTA, "HTTP 402")
    if status == 429:
        return ProviderError(ErrorKind.RATE_LIMITED, "HTTP 429", _retry_after(response))
    if 400 <= status < 500:
        return ProviderError(ErrorKind.BAD_REQUEST, f"HTTP {status}")
    return ProviderError(ErrorKind.TRANSIENT, f"HTTP {status}")
