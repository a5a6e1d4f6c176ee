"""Dropcontact batch enrichment (`/v1/enrich/all`, asynchronous).

`POST /v1/enrich/all` with `X-Access-Token` answers `{request_id, success, credits_left}`;
`GET /v1/enrich/all/{request_id}` answers 200 with `"success": false` and "Request not
ready yet" while running (also for an unknown id), then `{"success": true, "data": [...]}`.
Each email carries a `qualification` "<local>@<domain>": local nominative, catch_all (an
older API said non_confirm), generic, random or invalid; domain pro, perso or invalid.
A request the balance cannot cover is refused whole with 403. The `phone` field is the
company's switchboard, not the person's, so no phone is taken from here.
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
    ProfileFinding,
)
from openenrich.providers.base import ErrorKind, Pending, ProviderError, ProviderResult
from openenrich.providers.person import compact, company, employment, person
from openenrich.providers.reading import (
    ARRAY,
    BOOLEAN,
    Shape,
    checked_body,
    error_code,
    fail,
    integer,
    items,
    mapping,
    pending_from_path,
    require_name_or_linkedin,
    text,
)

DEFAULT_BASE_URL = "https://api.dropcontact.com"

_ERRORS: Mapping[int, ErrorKind | None] = {403: ErrorKind.QUOTA}
# Every reply says whether it worked; a finished job carries its records.
_REPLY = Shape(success=BOOLEAN)
_RECORDS = Shape(data=ARRAY)
_LOCAL_STATUS = {
    "nominative": EmailStatus.DELIVERABLE,
    "catch_all": EmailStatus.CATCH_ALL,
    "non_confirm": EmailStatus.CATCH_ALL,
    "random": EmailStatus.UNKNOWN,
    "invalid": EmailStatus.INVALID,
}


class DropcontactAdapter:
    """`AsyncHttpAdapter` for Dropcontact, one record per request."""

    name = "dropcontact"
    fields = frozenset({Field.WORK_EMAIL, Field.PERSONAL_EMAIL, Field.PROFILE})

    def __init__(self, base_url: str = DEFAULT_BASE_URL, poll_after: float = 15.0) -> None:
        self.base_url = base_url.rstrip("/")
        self.poll_after = poll_after

    def build_check(self, api_key: str) -> httpx.Request:
        """`GET /v1/account/credits`: the balance, free."""
        return httpx.Request(
            "GET", f"{self.base_url}/v1/account/credits", headers={"X-Access-Token": api_key}
        )

    def parse_check(self, response: httpx.Response) -> None:
        credits = integer(checked_body(response).get("credits"))
        if credits is not None and credits <= 0:
            raise fail(ErrorKind.QUOTA, response, "credits")

    def build_request(
        self, query: ContactQuery, fields: frozenset[Field], api_key: str
    ) -> httpx.Request:
        require_name_or_linkedin(query)
        # No "email" key: sending one buys a verification credit that is never refunded.
        record = compact(
            {
                "first_name": query.first_name,
                "last_name": query.last_name,
                "company": query.company_name,
                "website": query.domain,
                "linkedin": query.linkedin_url,
            }
        )
        return httpx.Request(
            "POST",
            f"{self.base_url}/v1/enrich/all",
            headers={"X-Access-Token": api_key},
            json={"data": [record], "siren": False, "language": "en"},
        )

    def parse_response(self, response: httpx.Response) -> ProviderResult | Pending:
        body = _REPLY.read(response, _ERRORS)
        request_id = text(body.get("request_id"))
        if request_id is None or body.get("success") is False:
            raise _refusal(response, body)
        return Pending(request_id, self.poll_after)

    def build_poll(self, pending: Pending, api_key: str) -> httpx.Request:
        return httpx.Request(
            "GET",
            f"{self.base_url}/v1/enrich/all/{pending.handle}",
            headers={"X-Access-Token": api_key},
        )

    def parse_poll(self, response: httpx.Response) -> ProviderResult | Pending:
        body = _REPLY.read(response, _ERRORS)
        if body.get("success") is not True:
            if body.get("error") is True:
                raise _refusal(response, body)
            # Not ready yet (or an id Dropcontact does not know: the deadline ends that).
            return pending_from_path(response, self.poll_after)
        records = items(_RECORDS.check(response, body).get("data"))
        record = mapping(records[0]) if records else {}
        return ProviderResult(findings=list(_findings(record)))


def _refusal(response: httpx.Response, body: Mapping[str, Any]) -> ProviderError:
    reason = (text(body.get("reason")) or "").lower()
    if "credit" in reason:
        return fail(ErrorKind.QUOTA, response, "credits")
    if "token" in reason or "key" in reason:
        return fail(ErrorKind.AUTH, response, "token")
    if body.get("error") is True:
        return fail(ErrorKind.BAD_REQUEST, response, error_code(body))
    return fail(ErrorKind.TRANSIENT, response, "no request_id")


def _findings(record: Mapping[str, Any]) -> Iterator[Finding]:
    for item in items(record.get("email")):
        entry = mapping(item)
        email = text(entry.get("email"))
        qualification = text(entry.get("qualification")) or ""
        local, _, domain = qualification.partition("@")
        if email is None or local == "generic":  # support@, contact@: not this person
            continue
        field = Field.PERSONAL_EMAIL if domain == "perso" else Field.WORK_EMAIL
        status = _LOCAL_STATUS.get(local)
        if domain == "invalid":
            status = EmailStatus.INVALID_DOMAIN
        yield EmailFinding(email, field, status)
    profile = _profile(record)
    if profile:
        yield ProfileFinding(profile)


def _profile(record: Mapping[str, Any]) -> dict[str, Any]:
    employer = company(
        name=text(record.get("company")),
        website=text(record.get("website")),
        linkedin=text(record.get("company_linkedin")),
        industry=text(record.get("naf5_des")),
    )
    title = text(record.get("job"))
    jobs = [employment(title=title, company=employer, is_current=True)] if title or employer else []
    built = person(
        first_name=text(record.get("first_name")),
        last_name=text(record.get("last_name")),
        full_name=text(record.get("full_name")),
        linkedin=text(record.get("linkedin")),
        country=text(record.get("country")),
        employments=jobs,
    )
    # A profile that only repeats the name we sent adds nothing.
    return built if set(built) - {"full_name", "first_name", "last_name"} else {}
