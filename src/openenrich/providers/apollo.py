"""Apollo.io People Enrichment (`POST /api/v1/people/match`) and Organization Enrichment
(`GET /api/v1/organizations/enrich?domain=`).

The key goes in the `x-api-key` header (a Bearer key is refused: Bearer is for OAuth
partners). Inputs are sent as a JSON body rather than the documented query string, which
Apollo accepts equally and keeps names and emails out of URLs and access logs.

A miss is a 200 with `person: null`. Apollo hides emails it has not revealed behind the
placeholder `email_not_unlocked@domain.com` (with `email_status` still "verified"), which
is dropped here. Phones are only delivered later by webhook, so they are not requested.
Credits: 1 when a person (or email) is returned, 0 otherwise.

Organization Enrichment takes a bare domain only (no www., no @), so a company known only
by its LinkedIn page cannot be asked for. Its miss is not documented: `organization`
null or absent, an empty object, or a 404 all read as no match; anything else that is not
an object is garbage.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import httpx

from openenrich.domain import (
    CompanyQuery,
    ContactQuery,
    EmailFinding,
    EmailStatus,
    Field,
    Finding,
    ProfileFinding,
)
from openenrich.providers import company as c
from openenrich.providers import person as p
from openenrich.providers.base import ErrorKind, ProviderError, ProviderResult
from openenrich.providers.reading import (
    NULL,
    OBJECT,
    Shape,
    checked_body,
    error_code,
    fail,
    filled,
    garbage,
    integer,
    items,
    mapping,
    maybe_json,
    missed,
    require_company_input,
    require_lookup_input,
    text,
    texts,
)

DEFAULT_BASE_URL = "https://api.apollo.io/api/v1"

_PLACEHOLDER_LOCAL = "email_not_unlocked"
# A match, or `person: null` for a miss.
_REPLY = Shape(person=OBJECT + NULL)
_NEEDS_DOMAIN = "needs the company's domain"


def _email_status(raw: Any) -> EmailStatus | None:
    if not isinstance(raw, str) or not raw:
        return None
    return EmailStatus.DELIVERABLE if raw == "verified" else EmailStatus.UNKNOWN


def _real_email(value: Any) -> str | None:
    email = text(value)
    if email is None or "@" not in email or email.startswith(_PLACEHOLDER_LOCAL + "@"):
        return None
    return email


def _company(org: Mapping[str, Any]) -> dict[str, Any]:
    return p.company(
        id=text(org.get("id")),
        name=text(org.get("name")),
        domain=text(org.get("primary_domain")),
        website=text(org.get("website_url")),
        linkedin=text(org.get("linkedin_url")),
        description=text(org.get("short_description")),
        year_founded=integer(org.get("founded_year")),
        headcount=integer(org.get("estimated_num_employees")),
        industry=text(org.get("industry")),
    )


def profile(person: Mapping[str, Any]) -> dict[str, Any]:
    """An Apollo `person` object as the spec's `Person`."""
    org = mapping(person.get("organization"))
    jobs = []
    for job in items(person.get("employment_history")):
        job = mapping(job)
        org_id = job.get("organization_id")
        same_org = bool(org) and bool(org_id) and org_id == org.get("id")
        company = _company(org) if same_org else p.company(name=text(job.get("organization_name")))
        current = job.get("current")
        jobs.append(
            p.employment(
                title=text(job.get("title")),
                company=company,
                start=job.get("start_date"),
                end=job.get("end_date"),
                is_current=current if isinstance(current, bool) else None,
                description=text(job.get("description")),
            )
        )
    if not jobs and (person.get("title") or org):
        jobs.append(p.employment(title=text(person.get("title")), company=_company(org)))
    return p.person(
        id=text(person.get("id")),
        first_name=text(person.get("first_name")),
        last_name=text(person.get("last_name")),
        full_name=text(person.get("name")),
        headline=text(person.get("headline")),
        linkedin=text(person.get("linkedin_url")),
        city=text(person.get("city")),
        region=text(person.get("state")),
        country=text(person.get("country")),
        employments=jobs,
    )


def _country_code(raw_address: str | None) -> str | None:
    """Apollo's raw address may end with the ISO country code ('..., CA 94105, US')."""
    last = (raw_address or "").rsplit(",", 1)[-1].strip()
    return last if len(last) == 2 and last.isalpha() and last.isupper() else None


def company_profile(org: Mapping[str, Any]) -> dict[str, Any] | None:
    """An Apollo `organization` as the spec's `Company`, or None when it names no company."""
    name = text(org.get("name"))
    domain = text(org.get("primary_domain"))
    website = text(org.get("website_url"))
    if not (name or domain or website):
        return None
    headcount = integer(org.get("estimated_num_employees"))
    return c.profile(
        name=name,
        domain=domain,
        website=website,
        description=text(org.get("short_description")) or text(org.get("seo_description")),
        year_founded=integer(org.get("founded_year")),
        headcount=headcount,
        headcount_range=c.headcount_range(headcount),
        # Apollo names no company type; a listed ticker at least says it is public.
        company_type="Public Company" if text(org.get("publicly_traded_symbol")) else None,
        industry=c.industry_name(text(org.get("industry"))),
        linkedin=text(org.get("linkedin_url")),
        linkedin_id=c.network_id(org.get("linkedin_uid")),
        headquarters={
            "line1": text(org.get("street_address")),
            "city": text(org.get("city")),
            "region": text(org.get("state")),
            "country": text(org.get("country")),
            "country_code": _country_code(text(org.get("raw_address"))),
        },
        specialties=texts(org.get("keywords")),
        logo_url=text(org.get("logo_url")),
    )


def _check_credits(response: httpx.Response) -> None:
    """Apollo words exhausted credits in the body, on varying statuses."""
    if response.status_code in (402, 403, 422):
        body = maybe_json(response)
        if "credit" in str(body).lower():
            raise fail(ErrorKind.QUOTA, response, error_code(body))


class ApolloAdapter:
    """`HttpAdapter` for Apollo's single-person match, `CompanyAdapter` for its
    organization enrichment."""

    name = "apollo"
    fields = frozenset({Field.WORK_EMAIL, Field.PERSONAL_EMAIL, Field.PROFILE})

    def __init__(self, base_url: str = DEFAULT_BASE_URL) -> None:
        self.base_url = base_url.rstrip("/")

    def build_check(self, api_key: str) -> httpx.Request:
        """`GET /auth/health`: free; answers `{"is_logged_in": true}` for a good key."""
        return httpx.Request("GET", f"{self.base_url}/auth/health", headers={"x-api-key": api_key})

    def parse_check(self, response: httpx.Response) -> None:
        if checked_body(response).get("is_logged_in") is False:
            raise fail(ErrorKind.AUTH, response, "is_logged_in")

    def build_request(
        self, query: ContactQuery, fields: frozenset[Field], api_key: str
    ) -> httpx.Request:
        require_lookup_input(query)
        body = filled(
            {
                "first_name": query.first_name,
                "last_name": query.last_name,
                "domain": query.domain,
                "organization_name": query.company_name,
                "linkedin_url": p.linkedin_url(query.linkedin_url) or query.linkedin_url,
                "email": query.email,
            }
        )
        body["reveal_personal_emails"] = Field.PERSONAL_EMAIL in fields
        return httpx.Request(
            "POST",
            f"{self.base_url}/people/match",
            json=body,
            headers={"x-api-key": api_key, "Cache-Control": "no-cache"},
        )

    def parse_response(self, response: httpx.Response) -> ProviderResult:
        _check_credits(response)
        person = mapping(_REPLY.read(response).get("person"))
        if not person:
            return ProviderResult()
        findings: list[Finding] = []
        if email := _real_email(person.get("email")):
            findings.append(
                EmailFinding(email, Field.WORK_EMAIL, _email_status(person.get("email_status")))
            )
        for raw in items(person.get("personal_emails")):
            if personal := _real_email(raw):
                findings.append(EmailFinding(personal, Field.PERSONAL_EMAIL))
        findings.append(ProfileFinding(profile(person)))
        return ProviderResult(findings)

    def build_company_request(self, query: CompanyQuery, api_key: str) -> httpx.Request:
        require_company_input(query)
        domain = p.bare_domain(query.domain)
        if not domain:
            raise ProviderError(ErrorKind.BAD_REQUEST, _NEEDS_DOMAIN)
        return httpx.Request(
            "GET",
            f"{self.base_url}/organizations/enrich",
            params={"domain": domain},
            headers={"x-api-key": api_key, "Cache-Control": "no-cache"},
        )

    def parse_company_response(self, response: httpx.Response) -> dict[str, Any] | None:
        _check_credits(response)
        if missed(response):
            return None
        body = checked_body(response)
        if "organization" not in body:  # a 200 without the object is no answer at all
            raise garbage(response, "no 'organization' in the reply")
        org = body["organization"]
        if org is None:
            return None
        if not isinstance(org, Mapping):
            raise garbage(response, "'organization' is not an object")
        return company_profile(org)
