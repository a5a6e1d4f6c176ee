"""Lusha Person API v2 (`GET /v2/person`, synchronous).

Auth is an `api_key` header (not Bearer). Input is `linkedinUrl`, `email`, or
`firstName` + `lastName` + `companyDomain`/`companyName`. Without `revealEmails` /
`revealPhones` (which need the Unified Credits plan, else 403) both are returned. A miss
is HTTP 200 with `contact.error` set; a hit is `contact.data` with `emailAddresses`
(`email` or `address`, `emailType` or `type`: work|private) and `phoneNumbers`
(`number`, `phoneType`: mobile|direct|...). 429 is either a rate window ("Reset in N
seconds") or the trial's end (a quota); 451 is a GDPR refusal for this person.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from typing import Any

import httpx

from openenrich.domain import (
    ContactQuery,
    EmailFinding,
    Field,
    Finding,
    LineType,
    PhoneFinding,
    ProfileFinding,
)
from openenrich.providers.base import ErrorKind, ProviderError, ProviderResult
from openenrich.providers.person import compact, company, employment, person
from openenrich.providers.reading import (
    OBJECT,
    Shape,
    fail,
    integer,
    items,
    json_body,
    mapping,
    maybe_json,
    missed,
    require_lookup_input,
    retry_after,
    text,
    texts,
)

DEFAULT_BASE_URL = "https://api.lusha.com"
# A `contact`, whose `error` names a miss (EMPTY_DATA) and whose `data` holds a match.
_REPLY = Shape(contact=OBJECT)

_ERRORS: Mapping[int, ErrorKind | None] = {
    412: ErrorKind.BAD_REQUEST,
    429: None,
    451: ErrorKind.BAD_REQUEST,
    499: ErrorKind.TRANSIENT,
}
_PERSONAL_TYPES = frozenset({"private", "personal"})
_LINE_TYPES = {"mobile": LineType.MOBILE, "landline": LineType.LANDLINE, "voip": LineType.VOIP}
_RESET_IN = re.compile(r"reset in (\d+(?:\.\d+)?) seconds", re.IGNORECASE)


class LushaAdapter:
    """`HttpAdapter` for Lusha's single-contact person enrichment."""

    name = "lusha"
    fields = frozenset({Field.WORK_EMAIL, Field.PERSONAL_EMAIL, Field.PHONE, Field.PROFILE})

    def __init__(self, base_url: str = DEFAULT_BASE_URL) -> None:
        self.base_url = base_url.rstrip("/")

    def build_check(self, api_key: str) -> httpx.Request:
        """`GET /account/usage`: used and remaining credits, free (5 calls a minute)."""
        return httpx.Request("GET", f"{self.base_url}/account/usage", headers={"api_key": api_key})

    def build_request(
        self, query: ContactQuery, fields: frozenset[Field], api_key: str
    ) -> httpx.Request:
        require_lookup_input(query, "needs a LinkedIn URL, an email, or name and company")
        params = compact(
            {
                "linkedinUrl": query.linkedin_url,
                "email": query.email,
                "firstName": query.first_name,
                "lastName": query.last_name,
                "companyDomain": query.domain,
                "companyName": query.company_name,
            }
        )
        return httpx.Request(
            "GET", f"{self.base_url}/v2/person", params=params, headers={"api_key": api_key}
        )

    def parse_response(self, response: httpx.Response) -> ProviderResult:
        if missed(response, _ERRORS):
            return ProviderResult()
        if response.status_code == 429:
            raise _too_many(response)
        contact = mapping(_REPLY.check(response, json_body(response)).get("contact"))
        if contact.get("error"):  # e.g. {"code": 3, "name": "EMPTY_DATA"}: a clean miss
            return ProviderResult()
        return ProviderResult(findings=list(_findings(mapping(contact.get("data")))))


def _too_many(response: httpx.Response) -> ProviderError:
    body = mapping(maybe_json(response))
    message = str(mapping(body.get("error")).get("message") or body.get("message") or "")
    if "trial" in message.lower():
        return fail(ErrorKind.QUOTA, response, "trial_limit")
    wait = retry_after(response)
    match = _RESET_IN.search(message)
    if wait is None and match:
        wait = float(match.group(1))
    return fail(ErrorKind.RATE_LIMITED, response, retry=wait)


def _findings(data: Mapping[str, Any]) -> Iterator[Finding]:
    seen: set[str] = set()
    for item in items(data.get("emailAddresses")):
        entry = mapping(item)
        email = text(entry.get("email")) or text(entry.get("address"))
        if email is None or email.lower() in seen:
            continue
        seen.add(email.lower())
        kind = (text(entry.get("emailType")) or text(entry.get("type")) or "").lower()
        field = Field.PERSONAL_EMAIL if kind in _PERSONAL_TYPES else Field.WORK_EMAIL
        yield EmailFinding(email, field)
    numbers: set[str] = set()
    for item in items(data.get("phoneNumbers")):
        entry = mapping(item)
        number = text(entry.get("number"))
        if number is None or number in numbers:
            continue
        numbers.add(number)
        kind = (text(entry.get("phoneType")) or "").lower()
        yield PhoneFinding(number, _LINE_TYPES.get(kind, LineType.UNKNOWN))
    built = _person(data)
    if built:
        yield ProfileFinding(built)


def _person(data: Mapping[str, Any]) -> dict[str, Any]:
    job = mapping(data.get("jobTitle"))
    firm = mapping(data.get("company"))
    location = mapping(data.get("location"))
    domains = mapping(firm.get("domains"))
    size = [n for n in items(firm.get("companySize")) if isinstance(n, int)]
    employer = company(
        name=text(firm.get("name")),
        domain=text(firm.get("fqdn")) or text(domains.get("email")),
        website=text(firm.get("homepageUrl")) or text(domains.get("homepage")),
        linkedin=text(mapping(firm.get("social")).get("linkedin")),
        description=text(firm.get("description")),
        industry=text(firm.get("mainIndustry")),
        headcount_range=f"{size[0]}-{size[1]}" if len(size) == 2 else None,
    )
    jobs = []
    if text(job.get("title")) or employer:
        jobs.append(
            employment(
                title=text(job.get("title")),
                seniority=text(job.get("seniority")),
                company=employer,
                start=text(data.get("jobStartDate")),
                is_current=True,
            )
        )
    previous = mapping(data.get("previousJob"))
    previous_firm = mapping(previous.get("company"))
    previous_title = text(mapping(previous.get("jobTitle")).get("title"))
    if previous_title or previous_firm:
        jobs.append(
            employment(
                title=previous_title,
                company=company(
                    name=text(previous_firm.get("name")), domain=text(previous_firm.get("domain"))
                ),
                is_current=False,
            )
        )
    return person(
        first_name=text(data.get("firstName")),
        last_name=text(data.get("lastName")),
        full_name=text(data.get("fullName")),
        linkedin=text(mapping(data.get("socialLinks")).get("linkedin")),
        connection_count=integer(data.get("linkedinConnectionsCount")),
        city=text(location.get("city")),
        region=text(location.get("state")),
        country=text(location.get("country")),
        country_code=text(location.get("countryIso2")) or text(location.get("country_iso2")),
        employments=jobs,
        skills=texts(data.get("linkedinSkills")),
    )
