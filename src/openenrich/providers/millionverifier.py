"""MillionVerifier real-time verification (`GET /api/v3/?api=&email=&timeout=`).

Replies are 200 with `result` ok|catch_all|unknown|disposable|invalid (`resultcode`
1,2,3,5,6; 4 is "error"), `subresult`, `free`, `role`, and a non-empty `error` string
when the call itself failed (bad key, no credits).
"""

from __future__ import annotations

from typing import Any

import httpx

from openenrich.domain import EmailStatus, Verdict
from openenrich.providers.base import ErrorKind
from openenrich.providers.reading import (
    body_error,
    checked_body,
    fail,
    garbage,
    requested_email,
    text,
)

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

    def build_check(self, api_key: str) -> httpx.Request:
        """`GET /api/v3/credits`: the balance, free; a bad key is an `error` in a 200."""
        return httpx.Request("GET", f"{self.base_url}/api/v3/credits", params={"api": api_key})

    def parse_check(self, response: httpx.Response) -> None:
        body = checked_body(response)
        if text(body.get("error")):
            raise body_error(response, str(body["error"]), ("api", "key"))
        # Real-time checks draw on `credits`; bulk credits are a separate pot.
        credits = _int(body.get("credits"))
        if credits is not None and credits <= 0:
            raise fail(ErrorKind.QUOTA, response, "credits")

    def build_verify(self, email: str, api_key: str) -> httpx.Request:
        return httpx.Request(
            "GET",
            f"{self.base_url}/api/v3/",
            params={"api": api_key, "email": email, "timeout": str(self.timeout_seconds)},
        )

    def parse_verify(self, response: httpx.Response) -> Verdict:
        body = checked_body(response)
        if text(body.get("error")):
            raise body_error(response, str(body["error"]), ("api", "key"))
        code = _int(body.get("resultcode"))
        result = str(body.get("result") or (_RESULT_CODE.get(code, "") if code else ""))
        if result not in _RESULT:
            raise garbage(response, "no known result")
        subresult = (text(body.get("subresult")) or "").lower()
        status = _RESULT[result]
        if result == "invalid" and ("domain" in subresult or "mx" in subresult):
            status = EmailStatus.INVALID_DOMAIN
        return Verdict(
            email=text(body.get("email")) or requested_email(response),
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
