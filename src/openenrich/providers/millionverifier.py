"""MillionVerifier real-time verification (`GET /api/v3/?api=&email=&timeout=`).

Replies are 200 with `result` ok|catch_all|unknown|disposable|invalid (`resultcode`
1,2,3,5,6; 4 is "error"), `subresult`, `free`, `role`, and a non-empty `error` string
when the call itself failed (bad key, no credits).
"""

from __future__ import annotations

from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from typing import Any

import httpx

from openenrich.providers.base import EmailStatus, ErrorKind, ProviderError, Verdict

DEFAULT_BASE_URL = "https://api.millionverifier.com"

_RESULT = {
    "ok": EmailStatus.DELIVERABLE,
    "catch_all": EmailStatus.CATCH_ALL,
    "unknown": EmailStatus.UNKNOWN,
    "error": EmailStatus.UNKNOWN,
    "disposable": EmailStatus.INVALID,
    "invalid": EmailStatus.INVALID,
}
_RESULT_CODE = {1: "ok", 2: "catch_all", 3: "unknown", 4: "error", 5: "disposable", 6: "invalid"}
_EVIDENCE_KEYS = ("result", "resultcode", "subresult", "quality", "didyoumean")


class MillionVerifierAdapter:
    """`HttpVerifierAdapter` for MillionVerifier v3."""

    name = "millionverifier"

    def __init__(self, base_url: str = DEFAULT_BASE_URL, timeout_seconds: int = 10) -> None:
        self.base_url = base_url.rstrip("/")
        self.timeout_seconds = timeout_seconds

    def build_verify(self, email: str, api_key: str) -> httpx.Request:
        return httpx.Request(
            "GET",
            f"{self.base_url}/api/v3/",
            params={"api": api_key, "email": email, "timeout": str(self.timeout_seconds)},
        )

    def parse_verify(self, response: httpx.Response) -> Verdict:
        if response.status_code != 200:
            raise _http_error(response)
        body = _body(response)
        if body.get("error"):
            raise _body_error(str(body["error"]))
        code = _int(body.get("resultcode"))
        result = str(body.get("result") or (_RESULT_CODE.get(code, "") if code else ""))
        if result not in _RESULT:
            raise ProviderError(ErrorKind.TRANSIENT, f"unexpected result {result!r}")
        subresult = str(body.get("subresult") or "").lower()
        status = _RESULT[result]
        if result == "invalid" and ("domain" in subresult or "mx" in subresult):
            status = EmailStatus.INVALID_DOMAIN
        return Verdict(
            email=str(body.get("email") or response.request.url.params.get("email", "")),
            status=status,
            evidence={k: body[k] for k in _EVIDENCE_KEYS if body.get(k) not in (None, "")},
            personal=body.get("free") is True,
            disposable=result == "disposable",
            role=body.get("role") is True,
        )


def _int(value: Any) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def _body(response: httpx.Response) -> dict[str, Any]:
    try:
        body = response.json()
    except ValueError:
        raise ProviderError(ErrorKind.TRANSIENT, "body is not JSON") from None
    if not isinstance(body, dict):
        raise ProviderError(ErrorKind.TRANSIENT, "body is not a JSON object")
    return body


def _body_error(message: str) -> ProviderError:
    lowered = message.lower()
    if "credit" in lowered:
        return ProviderError(ErrorKind.QUOTA, message)
    if "api" in lowered or "key" in lowered:
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
    if status == 402:
        return ProviderError(ErrorKind.QUOTA, "HTTP 402")
    if status == 429:
        return ProviderError(ErrorKind.RATE_LIMITED, "HTTP 429", _retry_after(response))
    if 400 <= status < 500:
        return ProviderError(ErrorKind.BAD_REQUEST, f"HTTP {status}")
    return ProviderError(ErrorKind.TRANSIENT, f"HTTP {status}")
