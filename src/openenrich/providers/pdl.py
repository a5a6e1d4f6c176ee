"""People Data Labs Person Enrichment (`/v5/person/enrich`), which also yields the profile,
and Company Enrichment (`/v5/company/enrich`).

Persons are sent as `POST` with a JSON body (PDL accepts GET or POST), companies as `GET`
with query parameters (`website`, `profile`); the key goes in `X-Api-Key`. PDL's status
codes carry meaning: **404 is "no match"** (a clean miss, not billed), **402 is "credits
exhausted"**. Free plans see contact fields as `true`/`false` instead of values: those are
ignored, never mistaken for data. Unlike the person reply, a company reply holds the
record at the top level (beside `status` and `likelihood`), lower-cased except
`display_name`.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import httpx

from openenrich.domain import (
    CompanyQuery,
    ContactQuery,
    EmailFinding,
    Field,
    Finding,
    LineType,
    PhoneFinding,
    ProfileFinding,
)
from openenrich.providers import company as c
from openenrich.providers import person as p
from openenrich.providers.base import ProviderResult
from openenrich.providers.reading import (
    NUMBER,
    OBJECT,
    Shape,
    integer,
    items,
    json_body,
    mapping,
    missed,
    require_company_input,
    require_lookup_input,
    text,
    texts,
)

DEFAULT_BASE_URL = "https://api.peopledatalabs.com/v5"
# A match (a miss is a 404).
_REPLY = Shape(data=OBJECT)
# A company match: the record's fields beside the status (a miss is a 404).
_COMPANY_REPLY = Shape(status=NUMBER)

# PDL's company types, as the spec (LinkedIn) names them; others are shown title-cased.
_COMPANY_TYPES = {
    "public": "Public Company",
    "private": "Privately Held",
    "nonprofit": "Nonprofit",
    "educational": "Educational",
    "government": "Government Agency",
}

# PDL's language proficiency is 1..5; the spec names the same five levels.
_PROFICIENCY = {
    1: "ELEMENTARY",
    2: "LIMITED_WORKING",
    3: "PROFESSIONAL_WORKING",
    4: "FULL_PROFESSIONAL",
    5: "NATIVE_OR_BILINGUAL",
}


def _name(value: Any) -> str | None:
    """PDL nests names (`title.name`, `school.name`) but older records have plain strings."""
    return text(mapping(value).get("name")) if isinstance(value, Mapping) else text(value)


def profile(data: Mapping[str, Any]) -> dict[str, Any]:
    """A PDL person record as the spec's `Person`."""
    jobs = []
    for raw in items(data.get("experience")):
        job = mapping(raw)
        org = mapping(job.get("company"))
        primary = job.get("is_primary")
        jobs.append(
            p.employment(
                title=_name(job.get("title")),
                company=p.company(
                    id=text(org.get("id")),
                    name=text(org.get("name")),
                    website=text(org.get("website")),
                    linkedin=text(org.get("linkedin_url")),
                    year_founded=integer(org.get("founded")),
                    headcount_range=text(org.get("size")),
                    industry=text(org.get("industry")),
                ),
                start=job.get("start_date"),
                end=job.get("end_date"),
                is_current=True if primary is True else None,
                description=text(job.get("summary")),
            )
        )
    # PDL does not order experience; the spec reads most recent first, current on top.
    jobs.sort(key=lambda job: job.get("start_at") or "", reverse=True)
    jobs.sort(key=lambda job: not job.get("is_current"))
    schools = [
        p.education(
            school_name=_name(mapping(edu).get("school")),
            degree=", ".join(d for d in items(mapping(edu).get("degrees")) if isinstance(d, str))
            or None,
            start=mapping(edu).get("start_date"),
            end=mapping(edu).get("end_date"),
        )
        for edu in items(data.get("education"))
    ]
    languages = [
        p.language(
            _title(mapping(lang).get("name")),
            _PROFICIENCY.get(integer(mapping(lang).get("proficiency")) or 0),
        )
        for lang in items(data.get("languages"))
    ]
    country = text(data.get("location_country"))
    return p.person(
        id=text(data.get("id")),
        first_name=_title(data.get("first_name")),
        last_name=_title(data.get("last_name")),
        full_name=_title(data.get("full_name")),
        headline=text(data.get("headline")),
        description=text(data.get("summary")),
        linkedin=text(data.get("linkedin_url")),
        connection_count=integer(data.get("linkedin_connections")),
        city=_title(data.get("location_locality")),
        region=_title(data.get("location_region")),
        country=_title(country),
        employments=jobs,
        educations=schools,
        languages=languages,
        skills=[s for s in items(data.get("skills")) if isinstance(s, str)],
    )


def _title(value: Any) -> str | None:
    """PDL lower-cases names and places ('sean thorne'); restore a readable case."""
    raw = text(value)
    if raw is None or raw != raw.lower():
        return raw
    return " ".join(word[:1].upper() + word[1:] for word in raw.split(" "))


def _company_type(value: Any) -> str | None:
    raw = text(value)
    if raw is None:
        return None
    return _COMPANY_TYPES.get(raw.lower()) or _title(raw.replace("_", " "))


def company_profile(data: Mapping[str, Any]) -> dict[str, Any] | None:
    """A PDL company record as the spec's `Company`, or None when it names no company."""
    name = text(data.get("display_name")) or _title(data.get("name"))
    website = text(data.get("website"))
    if not (name or website):
        return None
    hq = mapping(data.get("location"))
    return c.profile(
        name=name,
        website=website,
        description=text(data.get("summary")) or text(data.get("headline")),
        year_founded=integer(data.get("founded")),
        headcount=integer(data.get("employee_count")),
        headcount_range=text(data.get("size")),
        company_type=_company_type(data.get("type")),
        industry=c.industry_name(text(data.get("industry_v2")) or text(data.get("industry"))),
        linkedin=text(data.get("linkedin_url")),
        linkedin_id=c.network_id(data.get("linkedin_id")),
        headquarters={
            "line1": _title(hq.get("street_address")),
            "city": _title(hq.get("locality")),
            "region": _title(hq.get("region")),
            "country": _title(hq.get("country")),
        },
        specialties=texts(data.get("tags")),
    )


def _phones(data: Mapping[str, Any]) -> list[PhoneFinding]:
    mobile = text(data.get("mobile_phone"))
    found = [PhoneFinding(mobile, LineType.MOBILE)] if mobile else []
    for raw in items(data.get("phone_numbers")):
        number = text(raw)
        if number and number != mobile:
            found.append(PhoneFinding(number))
    return found


class PdlAdapter:
    """`HttpAdapter` for PDL's person enrichment, `CompanyAdapter` for its company
    enrichment."""

    name = "pdl"
    fields = frozenset({Field.WORK_EMAIL, Field.PERSONAL_EMAIL, Field.PHONE, Field.PROFILE})

    def __init__(self, base_url: str = DEFAULT_BASE_URL, min_likelihood: int = 6) -> None:
        self.base_url = base_url.rstrip("/")
        self.min_likelihood = min_likelihood

    def build_request(
        self, query: ContactQuery, fields: frozenset[Field], api_key: str
    ) -> httpx.Request:
        require_lookup_input(query)
        company = query.domain or query.company_name
        named = bool(query.first_name and query.last_name)
        body: dict[str, Any] = {"min_likelihood": self.min_likelihood}
        if query.linkedin_url:
            body["profile"] = p.linkedin_url(query.linkedin_url) or query.linkedin_url
        if query.email:
            body["email"] = query.email
        if named:
            body["first_name"] = query.first_name
            body["last_name"] = query.last_name
        if company:
            body["company"] = company
        return httpx.Request(
            "POST",
            f"{self.base_url}/person/enrich",
            json=body,
            headers={"X-Api-Key": api_key, "Accept": "application/json"},
        )

    def parse_response(self, response: httpx.Response) -> ProviderResult:
        if missed(response):
            return ProviderResult()
        data = mapping(_REPLY.check(response, json_body(response)).get("data"))
        if not data:
            return ProviderResult()
        findings: list[Finding] = []
        work = text(data.get("work_email"))
        if work:
            findings.append(EmailFinding(work, Field.WORK_EMAIL))
        personal = [text(e) for e in items(data.get("personal_emails"))]
        recommended = text(data.get("recommended_personal_email"))
        if recommended:  # PDL's pick goes first
            personal.insert(0, recommended)
        seen = {work}
        for email in personal:
            if email and email not in seen:
                seen.add(email)
                findings.append(EmailFinding(email, Field.PERSONAL_EMAIL))
        findings.extend(_phones(data))
        findings.append(ProfileFinding(profile(data)))
        return ProviderResult(findings)

    def build_company_request(self, query: CompanyQuery, api_key: str) -> httpx.Request:
        """`GET /company/enrich` by website and/or company page; a numeric ID alone is
        sent as the page LinkedIn serves for it, which PDL lists among its profiles."""
        require_company_input(query)
        params: dict[str, Any] = {"min_likelihood": self.min_likelihood}
        website = p.bare_domain(query.domain)
        if website:
            params["website"] = website
        page = c.network_profile(query)
        if page:
            params["profile"] = page
        return httpx.Request(
            "GET",
            f"{self.base_url}/company/enrich",
            params=params,
            headers={"X-Api-Key": api_key, "Accept": "application/json"},
        )

    def parse_company_response(self, response: httpx.Response) -> dict[str, Any] | None:
        if missed(response):
            return None
        return company_profile(_COMPANY_REPLY.check(response, json_body(response)))
