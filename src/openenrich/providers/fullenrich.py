"""FullEnrich as an upstream provider, over its v2 API (submit, then poll).

POST {base_url}/contact/enrich/bulk with one contact answers `{"enrichment_id"}`; GET
{base_url}/contact/enrich/bulk/{id} answers the result. While the job runs the documented
reply is 400 `error.enrichment.in_progress`, the observed one 200 with status
IN_PROGRESS (or CREATED) and no data: both mean "still pending". Emails come with
FullEnrich's own verified statuses (the spec's five), so they can be trusted.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from typing import Any

import httpx

from openenrich.providers.base import (
    ContactQuery,
    EmailFinding,
    EmailStatus,
    ErrorKind,
    Field,
    Finding,
    LineType,
    Pending,
    PhoneFinding,
    ProfileFinding,
    ProviderError,
    ProviderResult,
)
from openenrich.providers.person import compact

DEFAULT_BASE_URL = "https://app.fullenrich.com/api/v2"

_ENRICH_FIELD = {
    Field.WORK_EMAIL: "contact.work_emails",
    Field.PERSONAL_EMAIL: "contact.personal_emails",
    Field.PHONE: "contact.phones",
}
_PENDING_STATUSES = frozenset({"CREATED", "IN_PROGRESS"})
# "Try again in 1m" is the documented 429 text; no Retry-After header is documented.
_DEFAULT_RATE_WAIT = 60.0


class FullEnrichAdapter:
    """`AsyncHttpAdapter` for FullEnrich's v2 bulk enrichment, one contact per job."""

    name = "fullenrich"
    fields = frozenset({Field.WORK_EMAIL, Field.PERSONAL_EMAIL, Field.PHONE, Field.PROFILE})

    def __init__(self, base_url: str = DEFAULT_BASE_URL, poll_after: float = 20.0) -> None:
        self.base_url = base_url.rstrip("/")
        self.poll_after = poll_after

    def build_request(
        self, query: ContactQuery, fields: frozenset[Field], api_key: str
    ) -> httpx.Request:
        has_name = bool(query.first_name and query.last_name)
        if not query.linkedin_url and not (has_name and (query.domain or query.company_name)):
            raise ProviderError(
                ErrorKind.BAD_REQUEST, "needs first and last name with a company, or a LinkedIn URL"
            )
        # enrich_fields may not be empty; a profile-only request asks for the cheapest field.
        enrich_fields = [value for key, value in _ENRICH_FIELD.items() if key in fields]
        contact = compact(
            {
                "first_name": query.first_name,
                "last_name": query.last_name,
                "domain": query.domain,
                "company_name": query.company_name,
                "linkedin_url": query.linkedin_url,
                "enrich_fields": enrich_fields or [_ENRICH_FIELD[Field.WORK_EMAIL]],
            }
        )
        return httpx.Request(
            "POST",
            f"{self.base_url}/contact/enrich/bulk",
            headers=_auth(api_key),
            json={"name": "OpenEnrich waterfall", "data": [contact]},
        )

    def parse_response(self, response: httpx.Response) -> ProviderResult | Pending:
        if response.status_code != 200:
            raise _error(response)
        enrichment_id = _body(response).get("enrichment_id")
        if not isinstance(enrichment_id, str) or not enrichment_id:
            raise ProviderError(ErrorKind.TRANSIENT, "reply without enrichment_id")
        return Pending(enrichment_id, self.poll_after)

    def build_poll(self, pending: Pending, api_key: str) -> httpx.Request:
        return httpx.Request(
            "GET", f"{self.base_url}/contact/enrich/bulk/{pending.handle}", headers=_auth(api_key)
        )

    def parse_poll(self, response: httpx.Response) -> ProviderResult | Pending:
        status = response.status_code
        if status == 400 and _code(response) == "error.enrichment.in_progress":
            return self._still_pending(response)
        if status == 402:
            raise ProviderError(ErrorKind.QUOTA, "CREDITS_INSUFFICIENT")
        if status != 200:
            raise _error(response)
        body = _body(response)
        job_status = str(body.get("status") or "")
        if job_status in _PENDING_STATUSES:
            return self._still_pending(response)
        if job_status == "FINISHED":
            records = body.get("data")
            record = records[0] if isinstance(records, list) and records else {}
            return ProviderResult(findings=list(_findings(record)))
        if job_status == "CREDITS_INSUFFICIENT":
            raise ProviderError(ErrorKind.QUOTA, job_status)
        if job_status == "RATE_LIMIT":
            raise ProviderError(ErrorKind.RATE_LIMITED, job_status, _DEFAULT_RATE_WAIT)
        if job_status == "CANCELED":
            raise ProviderError(ErrorKind.BAD_REQUEST, "enrichment canceled upstream")
        raise ProviderError(ErrorKind.TRANSIENT, f"unexpected job status {job_status!r}")

    def _still_pending(self, response: httpx.Response) -> Pending:
        handle = response.request.url.path.rstrip("/").rsplit("/", 1)[-1]
        return Pending(handle, self.poll_after)


def _auth(api_key: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {api_key}"}


def _findings(record: Mapping[str, Any]) -> Iterator[Finding]:
    info = record.get("contact_info") or {}
    yield from _emails(info, "work_emails", "most_probable_work_email", Field.WORK_EMAIL)
    yield from _emails(
        info, "personal_emails", "most_probable_personal_email", Field.PERSONAL_EMAIL
    )
    seen: set[str] = set()
    for phone in [*(info.get("phones") or []), info.get("most_probable_phone")]:
        if not isinstance(phone, Mapping) or not phone.get("number"):
            continue
        number = str(phone["number"])
        if number in seen:
            continue
        seen.add(number)
        yield PhoneFinding(number, _line_type(phone.get("line_type")), phone.get("region"))
    profile = record.get("profile")
    if isinstance(profile, Mapping):
        person = compact(profile)
        if person:
            yield ProfileFinding(person)


def _emails(
    info: Mapping[str, Any], list_key: str, best_key: str, field: Field
) -> Iterator[EmailFinding]:
    seen: set[str] = set()
    for item in [info.get(best_key), *(info.get(list_key) or [])]:
        if not isinstance(item, Mapping) or not item.get("email"):
            continue
        email = str(item["email"])
        if email.lower() in seen:
            continue
        seen.add(email.lower())
        yield EmailFinding(email, field, _email_status(item.get("status")))


def _email_status(value: Any) -> EmailStatus | None:
    """The spec's statuses map one to one; anything else (BYOK's UNVERIFIED) is unverified."""
    try:
        return EmailStatus(str(value))
    except ValueError:
        return None


def _line_type(value: Any) -> LineType:
    try:
        return LineType(str(value).upper())
    except ValueError:
        return LineType.UNKNOWN


def _body(response: httpx.Response) -> dict[str, Any]:
    try:
        body = response.json()
    except ValueError:
        raise ProviderError(ErrorKind.TRANSIENT, "body is not JSON") from None
    if not isinstance(body, dict):
        raise ProviderError(ErrorKind.TRANSIENT, "body is not a JSON object")
    return body


def _code(response: httpx.Response) -> str:
    try:
        body = response.json()
    except ValueError:
        return ""
    return str(body.get("code") or "") if isinstance(body, dict) else ""


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


def _error(response: httpx.Response) -> ProviderError:
    status = response.status_code
    code = _code(response)
    if status == 401:
        return ProviderError(ErrorKind.AUTH, code or "unauthorized")
    if status == 402:
        return ProviderError(ErrorKind.QUOTA, code or "payment required")
    if status == 429:
        wait = _retry_after(response)
        wait = _DEFAULT_RATE_WAIT if wait is None else wait
        return ProviderError(ErrorKind.RATE_LIMITED, code or "too many requests", wait)
    if status == 404:
        return ProviderError(ErrorKind.BAD_REQUEST, code or "enrichment not found")
    if 400 <= status < 500:
        return ProviderError(ErrorKind.BAD_REQUEST, code or f"HTTP {status}")
    return ProviderError(ErrorKind.TRANSIENT, f"HTTP {status}")
