"""The exception tree. Every error the API answers carries its wire `code` and `message`
(`{"code", "message"}`); the HTTP status picks the class, so callers can catch broadly
(`ApiError`) or narrowly (`RateLimitError`) and still read the exact code.

    OpenEnrichError
    ├── ConnectionFailed            the server could not be reached or timed out
    ├── WebhookVerificationError    a webhook's signature did not match
    ├── EnrichmentFailed            a waited-for job ended CANCELED, RATE_LIMIT or UNKNOWN
    └── ApiError                    the server answered with an error body
        ├── BadRequestError          400 (EnrichmentNotReady: error.enrichment.in_progress)
        ├── AuthenticationError      401
        ├── PaymentRequiredError     402, with the full result body the spec sends
        ├── NotFoundError            404
        ├── RateLimitError           429, with `retry_after` seconds
        └── ServerError              5xx
"""

from __future__ import annotations

from typing import Any


class OpenEnrichError(Exception):
    """Base of every error this client raises."""


class ConnectionFailed(OpenEnrichError):
    pass


class WebhookVerificationError(OpenEnrichError):
    pass


class EnrichmentFailed(OpenEnrichError):
    def __init__(self, enrichment_id: str, status: str) -> None:
        super().__init__(f"enrichment {enrichment_id} ended {status}")
        self.enrichment_id = enrichment_id
        self.status = status


class ApiError(OpenEnrichError):
    """An error answer. `code` is the wire code (e.g. `error.enrichment.name.empty`)."""

    def __init__(self, status: int, code: str, message: str, body: Any = None) -> None:
        super().__init__(f"{status} {code}: {message}")
        self.status = status
        self.code = code
        self.message = message
        self.body = body


class BadRequestError(ApiError):
    pass


class EnrichmentNotReady(BadRequestError):
    """The documented answer to GET while a job runs (`error.enrichment.in_progress`)."""


class AuthenticationError(ApiError):
    pass


class PaymentRequiredError(ApiError):
    """402: for a job, `body` is the full result with status CREDITS_INSUFFICIENT."""


class NotFoundError(ApiError):
    pass


class RateLimitError(ApiError):
    def __init__(
        self, status: int, code: str, message: str, body: Any = None, retry_after: float = 60.0
    ) -> None:
        super().__init__(status, code, message, body)
        self.retry_after = retry_after


class ServerError(ApiError):
    pass


_BY_STATUS: dict[int, type[ApiError]] = {
    400: BadRequestError,
    401: AuthenticationError,
    402: PaymentRequiredError,
    404: NotFoundError,
}


def api_error(status: int, body: Any, retry_after: float) -> ApiError:
    """The exception for one error answer; bodies that are not the envelope still raise."""
    code = "error.http"
    message = f"HTTP {status}"
    if isinstance(body, dict):
        code = str(body.get("code") or code)
        message = str(body.get("message") or message)
    if status == 429:
        return RateLimitError(status, code, message, body, retry_after)
    if code == "error.enrichment.in_progress":
        return EnrichmentNotReady(status, code, message, body)
    if status >= 500:
        return ServerError(status, code, message, body)
    return _BY_STATUS.get(status, ApiError)(status, code, message, body)
