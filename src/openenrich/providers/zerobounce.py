"""ZeroBounce single-address validation (`GET /v2/validate`).

ZeroBounce answers 200 even for a bad key or an empty balance, with `{"error": "..."}` in
place of a result, so the body decides, not the status code. Statuses map per
providers.md §1.4: spamtrap, abuse and do_not_mail are all "do not send", i.e. INVALID.
"""

from __future__ import annotations

from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from typing import Any

import httpx

from openenrich.providers.base import EmailStatus, ErrorKind, ProviderError, Verdict

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
_EVIDENCE_KEYS = ("status", "sub_status", "mx_found", "smtp_provider", "did_you_mean")


class ZeroBounceAdapter:
    """`HttpVerifierAdapter` for ZeroBounce."""

    name = "zerobounce"

    def __init__(self, base_url: str = DEFAULT_BASE_URL) -> None:
        self.base_url = base_url.rstrip("/")

    def build_verify(self, email: str, api_key: str) -> httpx.Request:
        return httpx.Request(
            "GET",
            f"{self.base_url}/v2/validate",
            params={"api_key": api_key, "email": email, "ip_address": ""},
        )

    def parse_verify(self, response: httpx.Response) -> Verdict:
        if response.status_code != 200:
            raise _http_error(response)
        body = _body(response)
        if body.get("error"):
            raise _body_error(str(body["error"]))
        raw = str(body.get("status") or "").lower()
        if raw not in _STATUS:
            raise ProviderError(ErrorKind.TRANSIENT, f"unexpected status {raw!r}")
        sub_status = str(body.get("sub_status") or "").lower()
        status = _STATUS[raw]
        if status is EmailStatus.INVALID and sub_status in _DEAD_DOMAIN:
            status = EmailStatus.INVALID_DOMAIN
        email = str(body.get("address") or _requested_email(response))
        return Verdict(
            email=email,
            status=status,
            evidence={k: body[k] for k in _EVIDENCE_KEYS if body.get(k) not in (None, "")},
            personal=_truthy(body.get("free_email")),
            disposable=sub_status == "disposable",
            role=sub_status in ("role_based", "role_based_catch_all"),
        )


def _requested_email(response: httpx.Response) -> str:
    return str(response.request.url.params.get("email", ""))


def _truthy(value: Any) -> bool:
    return value is True or str(value).lower() == "true"


def _body(response: httpx.Response) -> dict[str, Any]:
    try:
        body = response.json()
    except ValueError:
        raise ProviderError(ErrorKind.TRANSIENT, "body is not JSON") from None
    if not isinstance(body, dict):
        raise ProviderError(ErrorKind.TRANSIENT, "body is not a JSON object")
    return body


def _body_error(message: str) -> ProviderError:
    # The documented text is "Invalid API Key or your account ran out of credits": both
    # mean the key cannot be used until someone acts, so either way the breaker opens.
    lowered = message.lower()
    if "credit" in lowered:
        return ProviderError(ErrorKind.QUOTA, message)
    if "key" in lowered:
        return ProviderError(ErrorKind.AUTH, message)
    return ProviderError(ErrorKind.BAD_REQUEST, message)


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
    if status == 429:
        return ProviderError(ErrorKind.RATE_LIMITED, "HTTP 429", _retry_after(response))
    if 400 <= status < 500:
        return ProviderError(ErrorKind.BAD_REQUEST, f"HTTP {status}")
    return ProviderError(ErrorKind.TRANSIENT, f"HTTP {status}")
