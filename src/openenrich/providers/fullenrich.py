"""FullEnrich as an upstream provider, over its v2 API (submit, then poll).

POST {base_url}/contact/enrich/bulk with one contact answers `{"enrichment_id"}`; GET
{base_url}/contact/enrich/bulk/{id} answers the result. While the job runs the documented
reply is 400 `error.enrichment.in_progress`, the observed one 200 with status
IN_PROGRESS (or CREATED) and no data: both mean "still pending". Emails come with
FullEnrich's own verified statuses (the spec's five), so they can be trusted.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

import httpx

from openenrich.domain import (
    ContactQuery,
    EmailFinding,
    EmailStatus,
    Field,
    Finding,
    LineType,
    PhoneFinding,
    ProfileFinding,
)
from openenrich.providers.base import ErrorKind, Pending, ProviderResult
from openenrich.providers.person import compact
from openenrich.providers.reading import (
    ARRAY,
    STRING,
    Shape,
    check_status,
    error_code,
    fail,
    garbage,
    items,
    json_body,
    mapping,
    maybe_json,
    pending_from_path,
    require_name_or_linkedin,
    retry_after,
    text,
)

DEFAULT_BASE_URL = "https://app.fullenrich.com/api/v2"
# The start answers a job id; a poll answers the job, with its records once finished.
_STARTED = Shape(enrichment_id=STRING)
_JOB = Shape(status=STRING)
_FINISHED = Shape(data=ARRAY)

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

    def build_check(self, api_key: str) -> httpx.Request:
        """`GET /account/credits`: the workspace balance, free."""
        return httpx.Request("GET", f"{self.base_url}/account/credits", headers=_auth(api_key))

    def parse_check(self, response: httpx.Response) -> None:
        _check(response)
        balance = mapping(json_body(response)).get("balance")
        if isinstance(balance, int | float) and not isinstance(balance, bool) and balance <= 0:
            raise fail(ErrorKind.QUOTA, response, "balance")

    def build_request(
        self, query: ContactQuery, fields: frozenset[Field], api_key: str
    ) -> httpx.Request:
        require_name_or_linkedin(query)
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
        _check(response)
        enrichment_id = text(_STARTED.check(response, json_body(response))["enrichment_id"])
        if enrichment_id is None:
            raise garbage(response, "empty enrichment_id")
        return Pending(enrichment_id, self.poll_after)

    def build_poll(self, pending: Pending, api_key: str) -> httpx.Request:
        return httpx.Request(
            "GET", f"{self.base_url}/contact/enrich/bulk/{pending.handle}", headers=_auth(api_key)
        )

    def parse_poll(self, response: httpx.Response) -> ProviderResult | Pending:
        code = error_code(maybe_json(response))
        if response.status_code == 400 and code == "error.enrichment.in_progress":
            return pending_from_path(response, self.poll_after)
        _check(response)  # 402 (its body is the result, CREDITS_INSUFFICIENT) is a quota
        body = _JOB.check(response, json_body(response))
        job_status = text(body.get("status")) or ""
        if job_status in _PENDING_STATUSES:
            return pending_from_path(response, self.poll_after)
        if job_status == "FINISHED":
            records = items(_FINISHED.check(response, body).get("data"))
            return ProviderResult(findings=list(_findings(mapping(records[0] if records else {}))))
        if job_status == "CREDITS_INSUFFICIENT":
            raise fail(ErrorKind.QUOTA, response, job_status)
        if job_status == "RATE_LIMIT":
            raise fail(ErrorKind.RATE_LIMITED, response, job_status, _DEFAULT_RATE_WAIT)
        if job_status == "CANCELED":
            raise fail(ErrorKind.BAD_REQUEST, response, job_status)
        raise garbage(response, "unexpected job status")


def _auth(api_key: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {api_key}"}


def _check(response: httpx.Response) -> None:
    """Default classes, except that a 429 without Retry-After waits the documented minute."""
    if response.status_code == 429:
        wait = retry_after(response)
        code = error_code(maybe_json(response))
        raise fail(
            ErrorKind.RATE_LIMITED, response, code, _DEFAULT_RATE_WAIT if wait is None else wait
        )
    check_status(response)


def _findings(record: Mapping[str, Any]) -> Iterator[Finding]:
    info = mapping(record.get("contact_info"))
    yield from _emails(info, "work_emails", "most_probable_work_email", Field.WORK_EMAIL)
    yield from _emails(
        info, "personal_emails", "most_probable_personal_email", Field.PERSONAL_EMAIL
    )
    seen: set[str] = set()
    for item in [*items(info.get("phones")), info.get("most_probable_phone")]:
        phone = mapping(item)
        number = text(phone.get("number"))
        if number is None or number in seen:
            continue
        seen.add(number)
        yield PhoneFinding(number, _line_type(phone.get("line_type")), text(phone.get("region")))
    profile = record.get("profile")
    if isinstance(profile, Mapping):
        person = compact(profile)
        if person:
            yield ProfileFinding(person)


def _emails(
    info: Mapping[str, Any], list_key: str, best_key: str, field: Field
) -> Iterator[EmailFinding]:
    seen: set[str] = set()
    for item in [info.get(best_key), *items(info.get(list_key))]:
        entry = mapping(item)
        email = text(entry.get("email"))
        if email is None or email.lower() in seen:
            continue
        seen.add(email.lower())
        yield EmailFinding(email, field, _email_status(entry.get("status")))


def _email_status(value: Any) -> EmailStatus | None:
    """The spec's statuses map one to one; anything else (BYOK's UNVERIFIED) is unverified."""
    try:
        status = EmailStatus(str(value))
    except ValueError:
        return None
    return None if status is EmailStatus.UNVERIFIED else status


def _line_type(value: Any) -> LineType:
    try:
        return LineType(str(value).upper())
    except ValueError:
        return LineType.UNKNOWN
