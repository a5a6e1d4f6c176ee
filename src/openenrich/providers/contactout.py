"""ContactOut People Enrich (`POST /v1/people/enrich`, synchronous).

Auth is a `token` header. Contact data comes back only for what `include` asks for
(work_email, personal_email, phone); without it the reply is profile-only. The reply is
`{"status_code": 200, "profile": {...}}` with `work_email[]`, `personal_email[]`,
`phone[]` lists of strings and the LinkedIn profile (experience, education, skills).
404 means no match. LinkedIn input must be a public /in/ URL (Sales Navigator and
Recruiter URLs are rejected), so only canonical profile URLs are sent.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

import httpx

from openenrich.domain import (
    ContactQuery,
    EmailFinding,
    Field,
    Finding,
    PhoneFinding,
    ProfileFinding,
)
from openenrich.providers.base import ErrorKind, ProviderResult
from openenrich.providers.person import (
    compact,
    company,
    education,
    employment,
    linkedin_url,
    person,
)
from openenrich.providers.reading import (
    OBJECT,
    Shape,
    check_status,
    fail,
    integer,
    items,
    json_body,
    mapping,
    maybe_json,
    missed,
    require_lookup_input,
    text,
    texts,
)

DEFAULT_BASE_URL = "https://api.contactout.com"
# A match (a miss is a 404).
_REPLY = Shape(profile=OBJECT)

_INCLUDE = {
    Field.WORK_EMAIL: "work_email",
    Field.PERSONAL_EMAIL: "personal_email",
    Field.PHONE: "phone",
}
_ERRORS: Mapping[int, ErrorKind | None] = {403: None}


class ContactOutAdapter:
    """`HttpAdapter` for ContactOut's people enrichment."""

    name = "contactout"
    fields = frozenset({Field.WORK_EMAIL, Field.PERSONAL_EMAIL, Field.PHONE, Field.PROFILE})

    def __init__(self, base_url: str = DEFAULT_BASE_URL) -> None:
        self.base_url = base_url.rstrip("/")

    def build_check(self, api_key: str) -> httpx.Request:
        """`GET /v1/stats`: this month's usage and quotas, free."""
        return httpx.Request(
            "GET",
            f"{self.base_url}/v1/stats",
            headers={"token": api_key, "authorization": "basic", "Accept": "application/json"},
        )

    def parse_check(self, response: httpx.Response) -> None:
        # The body repeats the status in `status_code`; trust it over the HTTP one.
        check_status(response)
        code = integer(mapping(json_body(response)).get("status_code"))
        if code is not None and code != 200:
            kind = ErrorKind.AUTH if code in (401, 403) else ErrorKind.TRANSIENT
            raise fail(kind, response, f"status_code_{code}")

    def build_request(
        self, query: ContactQuery, fields: frozenset[Field], api_key: str
    ) -> httpx.Request:
        require_lookup_input(
            query, "needs a public LinkedIn URL, an email, or name and company", canonical=True
        )
        body = compact(
            {
                "linkedin_url": linkedin_url(query.linkedin_url),
                "email": query.email,
                "first_name": query.first_name,
                "last_name": query.last_name,
                "company": [query.company_name],
                "company_domain": [query.domain],
                "include": [value for key, value in _INCLUDE.items() if key in fields],
            }
        )
        return httpx.Request(
            "POST",
            f"{self.base_url}/v1/people/enrich",
            headers={"token": api_key, "authorization": "basic", "Accept": "application/json"},
            json=body,
        )

    def parse_response(self, response: httpx.Response) -> ProviderResult:
        if missed(response, _ERRORS):
            return ProviderResult()
        if response.status_code == 403:
            # Out of credits and a key without API access both answer 403; the message
            # tells them apart. Either way the key is unusable until someone acts.
            message = str(mapping(maybe_json(response)).get("message") or "").lower()
            if "credit" in message:
                raise fail(ErrorKind.QUOTA, response, "credits")
            raise fail(ErrorKind.AUTH, response, "forbidden")
        profile = mapping(_REPLY.check(response, json_body(response)).get("profile"))
        return ProviderResult(findings=list(_findings(profile)))


def _findings(profile: Mapping[str, Any]) -> Iterator[Finding]:
    seen: set[str] = set()
    for key, field in (("work_email", Field.WORK_EMAIL), ("personal_email", Field.PERSONAL_EMAIL)):
        for email in texts(profile.get(key)):
            if email.lower() not in seen:
                seen.add(email.lower())
                yield EmailFinding(email, field)
    for number in dict.fromkeys(texts(profile.get("phone"))):
        yield PhoneFinding(number)
    built = _person(profile)
    if built:
        yield ProfileFinding(built)


def _person(profile: Mapping[str, Any]) -> dict[str, Any]:
    if not profile:
        return {}
    current = mapping(profile.get("company"))
    jobs = [_job(mapping(job)) for job in items(profile.get("experience"))]
    if not jobs and (current or text(profile.get("title"))):
        employer = company(
            name=text(current.get("name")),
            domain=text(current.get("domain")),
            website=text(current.get("website")),
            linkedin=text(current.get("url")),
            industry=text(profile.get("industry")),
        )
        jobs = [employment(title=text(profile.get("title")), company=employer, is_current=True)]
    city, region, country = _location(text(profile.get("location")), text(profile.get("country")))
    return person(
        full_name=text(profile.get("full_name")) or text(profile.get("fullName")),
        first_name=text(profile.get("first_name")),
        last_name=text(profile.get("last_name")),
        headline=text(profile.get("headline")),
        description=text(profile.get("summary")),
        linkedin=text(profile.get("url")) or text(profile.get("linkedin_url")),
        city=city,
        region=region,
        country=country,
        employments=jobs,
        educations=[_school(mapping(e)) for e in items(profile.get("education"))],
        skills=texts(profile.get("skills")),
    )


def _location(raw: str | None, country: str | None) -> tuple[str | None, str | None, str | None]:
    """ContactOut gives one display string ("City, Region, Country"); split it only when
    its shape says which part is which."""
    parts = [p.strip() for p in (raw or "").split(",") if p.strip()]
    if len(parts) == 3:
        return parts[0], parts[1], country or parts[2]
    if len(parts) == 2:
        return parts[0], None, country or parts[1]
    return None, None, country


def _job(job: Mapping[str, Any]) -> dict[str, Any]:
    return employment(
        title=text(job.get("title")),
        company=company(
            name=text(job.get("company_name")),
            linkedin=text(job.get("linkedin_url")),
            domain=text(job.get("domain")),
        ),
        start=_date(job, "start_date"),
        end=_date(job, "end_date"),
        is_current=job.get("is_current") if isinstance(job.get("is_current"), bool) else None,
        description=text(job.get("summary")),
    )


def _school(item: Mapping[str, Any]) -> dict[str, Any]:
    return education(
        school_name=text(item.get("school_name")),
        degree=" ".join(filter(None, (text(item.get("degree")), text(item.get("field_of_study")))))
        or None,
        start=_date(item, "start_date"),
        end=_date(item, "end_date"),
    )


def _date(item: Mapping[str, Any], prefix: str) -> Any:
    """ContactOut splits dates as <prefix>_year / <prefix>_month; some replies send
    <prefix> whole."""
    year = item.get(f"{prefix}_year")
    if year:
        return {"year": year, "month": item.get(f"{prefix}_month")}
    return item.get(prefix)
