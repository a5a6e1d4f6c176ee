"""The one error type of the API: it renders the spec's ``{"code", "message"}`` body.

Services raise the typed subclasses below; each declares its wire code, message and status
here, once, so endpoints never build errors and callers catch by type, never by code."""

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


class KnownError(AppError):
    """An `AppError` whose code, message and status belong to its class."""

    status = 400

    def __init__(self, headers: dict[str, str] | None = None) -> None:
        super().__init__(self.code, self.message, self.status, headers)


class AuthorizationNotSet(KnownError):
    code = "error.authorization.not_set"
    message = "Authorization headers not set"
    status = 401


class AuthorizationNotBearer(KnownError):
    code = "error.authorization.not_bearer"
    message = "Authorization headers do not have prefix 'bearer'"
    status = 401


class UnknownApiKey(KnownError):
    code = "error.api.key"
    message = "Unknown api key"
    status = 401


class RateLimited(KnownError):
    code = "error.rate.limit"
    message = "Too many requests. Try again in 1m"
    status = 429

    def __init__(self, retry_after: int = 60) -> None:
        super().__init__({"Retry-After": str(retry_after)})


class MetricsUnauthorized(KnownError):
    code = "error.metrics.unauthorized"
    message = "A valid metrics token is required"
    status = 401


class RequestTimeout(KnownError):
    """The client sent its request body too slowly (`OPENENRICH_BODY_TIMEOUT_SECONDS`)."""

    code = "error.request.timeout"
    message = "Request body not received in time"
    status = 408

    def __init__(self) -> None:
        super().__init__({"Connection": "close"})


class WorkspaceNotFound(KnownError):
    code = "error.workspace.not_found"
    message = "Workspace ID not found"
    status = 404


class JobNotFound(KnownError):
    """No job of this kind with this id in the caller's workspace (and sandbox mode)."""

    status = 404


class EnrichmentNotFound(JobNotFound):
    code = "error.enrichment.not_found"
    message = "Enrichment ID not found"


class ReverseEmailNotFound(JobNotFound):
    code = "error.reverse.email.not_found"
    message = "Reverse email ID not found"


class VerifyJobNotFound(JobNotFound):
    code = "error.verify.not_found"
    message = "Verification job ID not found"


class CreditsInsufficient(KnownError):
    """A synchronous call that costs credits, with a balance that cannot pay for it."""

    code = "error.credits.insufficient"
    message = "Not enough credits"
    status = 402


class EnrichmentInProgress(KnownError):
    """The job is still running and the caller did not ask for partial results."""

    code = "error.enrichment.in_progress"
    message = "Enrichment not ready, try again in 30 seconds"


class WebhookUrlInvalid(KnownError):
    code = "error.enrichment.webhook_url"
    message = "Webhook URL must be start with http or https"


class WebhookUrlForbidden(KnownError):
    code = "error.enrichment.webhook_url.forbidden"
    message = "Webhook URL host is not allowed"


class WebhookDeliveryNotFound(KnownError):
    code = "error.webhook.not_found"
    message = "Webhook delivery not found"
    status = 404


def invalid(code: str, message: str) -> AppError:
    """A 400 for a request the spec rejects."""
    return AppError(code, message, 400)


class SubAccountNotFound(KnownError):
    """An unknown or malformed sub-account id, or one of another workspace (path or
    `Sub-Account-ID` header)."""

    code = "error.sub_account.not_found"
    message = "Sub-account not found"
    status = 404


class SubAccountHeaderNotAllowed(KnownError):
    code = "error.sub_account.header_not_allowed"
    message = "Sub-Account-ID must not be sent to /sub-accounts endpoints"


class SubAccountArchived(KnownError):
    code = "error.sub_account.archived"
    message = "Sub-account is archived: it accepts read requests only"
    status = 403


class SubAccountNameInvalid(KnownError):
    code = "error.sub_account.name_invalid"
    message = "Sub-account name must be 1 to 255 characters"


class SubAccountNameTaken(KnownError):
    code = "error.sub_account.name_taken"
    message = "A sub-account with this name already exists"
    status = 409


class IdempotencyKeyInvalid(KnownError):
    code = "error.idempotency.key_invalid"
    message = "Idempotency-Key must be 1 to 255 printable characters"


class IdempotencyKeyReused(KnownError):
    code = "error.idempotency.key_reused"
    message = "Idempotency-Key was already used with a different request"
    status = 422


class IdempotencyInProgress(KnownError):
    code = "error.idempotency.in_progress"
    message = "A request with this Idempotency-Key is still being processed"
    status = 409


class ProviderConfigError(AppError):
    """The BYOK `/providers` errors: `error.provider_config.<reason>`."""

    def __init__(self, reason: str, message: str, status: int = 400) -> None:
        super().__init__(f"error.provider_config.{reason}", message, status)


class PrivacySubjectInvalid(KnownError):
    code = "error.privacy.subject.invalid"
    message = (
        "Give exactly one of email, linkedin_url, or name with domain (domain alone for an opt-out)"
    )


class OptOutNotFound(KnownError):
    code = "error.privacy.optout.not_found"
    message = "Opt-out entry not found"
    status = 404
