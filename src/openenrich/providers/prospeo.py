"""Prospeo Enrich Person (`POST /enrich-person`, header `X-KEY`).

Prospeo reports most outcomes in the body's `error_code`, usually on HTTP 400:
`NO_MATCH` is a clean miss, `INSUFFICIENT_CREDITS` is the quota, `INVALID_DATAPOINTS`
means the input is too thin. An email or mobile counts only when its `status` is
`VERIFIED` and it was `revealed` (otherwise the value is masked, `a***@`). Prospeo checks
emails by SMTP at lookup time, so VERIFIED maps to DELIVERABLE. Asking for the mobile
(`enrich_mobile`) costs 10 credits instead of 1, so it is only asked when phones are.
"""

from __future__ import annotations

from collections.abc import Mapping
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
from openenrich.providers import person as p
from openenrich.providers.base import ErrorKind, ProviderResult
from openenrich.providers.reading import (
    NULL,
    OBJECT,
    Shape,
    checked_body,
    error_code,
    fail,
    filled,
    integer,
    items,
    mapping,
    maybe_json,
    require_lookup_input,
    text,
)

DEFAULT_BASE_URL = "https://api.prospeo.io"
# A match (a miss is `error: true` with the NO_MATCH code).
_REPLY = Shape(person=OBJECT + NULL)

_CODES: Mapping[str, ErrorKind | None] = {
    "NO_MATCH": None,
    "INSUFFICIENT_CREDITS": ErrorKind.QUOTA,
    "INVALID_API_KEY": ErrorKind.AUTH,
    "RATE_LIMITED": ErrorKind.RATE_LIMITED,
    "INTERNAL_ERROR": ErrorKind.TRANSIENT,
    "INVALID_DATAPOINTS": ErrorKind.BAD_REQUEST,
    "INVALID_REQUEST": ErrorKind.BAD_REQUEST,
}


def _revealed(block: Mapping[str, Any], key: str) -> str | None:
    if block.get("status") != "VERIFIED" or block.get("revealed") is False:
        return None
    value = text(block.get(key))
    return value if value and "*" not in value else None


def profile(person: Mapping[str, Any], company: Mapping[str, Any]) -> dict[str, Any]:
    """Prospeo's `person` and current `company` as the spec's `Person`."""
    current_company = p.company(
        id=text(company.get("company_id")),
        name=text(company.get("name")),
        domain=text(company.get("domain")),
        website=text(company.get("website")),
        linkedin=text(company.get("linkedin_url")),
        description=text(company.get("description")),
        year_founded=integer(company.get("founded")),
        headcount=integer(company.get("employee_count")),
        headcount_range=text(company.get("employee_range")),
        industry=text(company.get("industry")),
    )
    jobs = []
    for raw in items(person.get("job_history")):
        job = mapping(raw)
        is_current = job.get("current") is True
        same = (
            company and job.get("company_id") and job.get("company_id") == company.get("company_id")
        )
        jobs.append(
            p.employment(
                title=text(job.get("title")),
                company=current_company if same else p.company(name=text(job.get("company_name"))),
                start={"year": job.get("start_year"), "month": job.get("start_month")},
                end={"year": job.get("end_year"), "month": job.get("end_month")},
                is_current=is_current,
                seniority=text(job.get("seniority")),
            )
        )
    if not jobs and (person.get("current_job_title") or company):
        jobs.append(
            p.employment(
                title=text(person.get("current_job_title")),
                company=current_company,
                is_current=True,
            )
        )
    location = mapping(person.get("location"))
    return p.person(
        id=text(person.get("person_id")),
        first_name=text(person.get("first_name")),
        last_name=text(person.get("last_name")),
        full_name=text(person.get("full_name")),
        headline=text(person.get("headline")),
        linkedin=text(person.get("linkedin_url")),
        city=text(location.get("city")),
        region=text(location.get("state")),
        country=text(location.get("country")),
        country_code=text(location.get("country_code")),
        employments=jobs,
        skills=[s for s in items(person.get("skills")) if isinstance(s, str)],
    )


class ProspeoAdapter:
    """`HttpAdapter` for Prospeo's person enrichment."""

    name = "prospeo"
    fields = frozenset({Field.WORK_EMAIL, Field.PHONE, Field.PROFILE})

    def __init__(self, base_url: str = DEFAULT_BASE_URL) -> None:
        self.base_url = base_url.rstrip("/")

    def build_check(self, api_key: str) -> httpx.Request:
        """`GET /account-information`: plan and remaining credits, free."""
        return httpx.Request(
            "GET", f"{self.base_url}/account-information", headers={"X-KEY": api_key}
        )

    def parse_check(self, response: httpx.Response) -> None:
        body = checked_body(response)
        if body.get("error") is True:
            code = error_code(body)
            kind = ErrorKind.AUTH if code == "INVALID_API_KEY" else ErrorKind.TRANSIENT
            raise fail(kind, response, code)
        remaining = integer(mapping(body.get("response")).get("remaining_credits"))
        if remaining is not None and remaining <= 0:
            raise fail(ErrorKind.QUOTA, response, "remaining_credits")

    def build_request(
        self, query: ContactQuery, fields: frozenset[Field], api_key: str
    ) -> httpx.Request:
        require_lookup_input(query)
        data = filled(
            {
                "first_name": query.first_name,
                "last_name": query.last_name,
                "company_website": query.domain,
                "company_name": query.company_name,
                "linkedin_url": p.linkedin_url(query.linkedin_url) or query.linkedin_url,
                "email": query.email,
            }
        )
        mobile = Field.PHONE in fields
        body = {"only_verified_email": False, "enrich_mobile": mobile, "data": data}
        if mobile:
            body["only_verified_mobile"] = True
        return httpx.Request(
            "POST",
            f"{self.base_url}/enrich-person",
            json=body,
            headers={"X-KEY": api_key, "Content-Type": "application/json"},
        )

    def parse_response(self, response: httpx.Response) -> ProviderResult:
        body = maybe_json(response)
        if isinstance(body, Mapping) and body.get("error") is True:
            code = text(body.get("error_code")) or ""
            if code in _CODES:
                kind = _CODES[code]
                if kind is None:
                    return ProviderResult()
                raise fail(kind, response, code)
        reply = _REPLY.read(response)
        person = mapping(reply.get("person"))
        if not person:
            return ProviderResult()
        findings: list[Finding] = []
        if email := _revealed(mapping(person.get("email")), "email"):
            findings.append(EmailFinding(email, Field.WORK_EMAIL, EmailStatus.DELIVERABLE))
        mobile_block = mapping(person.get("mobile"))
        if mobile := _revealed(mobile_block, "mobile"):
            region = text(mobile_block.get("mobile_country_code"))
            findings.append(
                PhoneFinding(mobile, LineType.MOBILE, region.upper() if region else None)
            )
        findings.append(ProfileFinding(profile(person, mapping(reply.get("company")))))
        return ProviderResult(findings)
