"""The one error type of the API: it renders the spec's ``{"code", "message"}`` body."""

from __future__ import annotations


class AppError(Exception):
    """An error with a wire code, a human message and an HTTP status."""

    def __init__(
        self, code: str, message: str, status: int = 400, headers: dict[str, str] | None = None
    ) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.status = status
        self.headers = headers

    def body(self) -> dict[str, str]:
        return {"code": self.code, "message": self.message}


def not_set() -> AppError:
    return AppError("error.authorization.not_set", "Authorization headers not set", 401)


def not_bearer() -> AppError:
    return AppError(
        "error.authorization.not_bearer", "Authorization headers do not have prefix 'bearer'", 401
    )


def unknown_key() -> AppError:
    return AppError("error.api.key", "Unknown api key", 401)


def rate_limited(retry_after: int = 60) -> AppError:
    return AppError(
        "error.rate.limit",
        "Too many requests. Try again in 1m",
        429,
        {"Retry-After": str(retry_after)},
    )


def enrichment_not_found() -> AppError:
    return AppError("error.enrichment.not_found", "Enrichment ID not found", 404)


def in_progress() -> AppError:
    return AppError(
        "error.enrichment.in_progress", "Enrichment not ready, try again in 30 seconds", 400
    )


def invalid(code: str, message: str) -> AppError:
    """A 400 for a request the spec rejects."""
    return AppError(code, message, 400)
