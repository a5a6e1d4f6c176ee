"""RocketReach Person Lookup: asynchronous, lookup then poll `checkStatus`.

`GET /api/v2/person/lookup` (name + current employer, or LinkedIn URL, or email) with the
`Api-Key` header answers the profile at once with a `status`: `complete`, or `progress`
/ `searching` / `waiting` / `not queued` while RocketReach is still verifying, or
`failed`. Polling `GET /api/v2/person/checkStatus?ids=<id>` is free. A lookup is not
idempotent (repeating it may spend a second credit), so only the poll is safe to retry.
Email grades: A/A- are deliverable, B is a likely catch-all hit (providers.md §1.4).
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
from openenrich.providers.base import ErrorKind, Pending, ProviderError, ProviderResult
from openenrich.providers.reading import (
    STRING,
    Shape,
    garbage,
    integer,
    items,
    json_array,
    json_body,
    mapping,
    missed,
    text,
)

DEFAULT_BASE_URL = "https://api.rocketreach.co/api/v2"

_LINE_TYPE = {
    "mobile": LineType.MOBILE,
    "landline": LineType.LANDLINE,
    "work": LineType.LANDLINE,
    "home": LineType.LANDLINE,
}
# A lookup answers the profile so far (its `status` says whether it is complete); the
# status check answers a list of profiles.
_LOOKUP = Shape(status=STRING)
_EMAIL_FIELD = {"professional": Field.WORK_EMAIL, "personal": Field.PERSONAL_EMAIL}
_WORK_KEYS = ("current_work_email", "recommended_professional_email")
_PERSONAL_KEYS = ("current_personal_email", "recommended_personal_email")


def email_status(entry: Mapping[str, Any]) -> EmailStatus | None:
    """RocketReach's `smtp_valid` and `grade` on the canonical scale."""
    smtp = entry.get("smtp_valid")
    grade = text(entry.get("grade")) or ""
    if smtp == "invalid" or grade.startswith("F"):
        return EmailStatus.INVALID
    if grade in ("A", "A-") and smtp in ("valid", None):
        return EmailStatus.DELIVERABLE
    if grade.startswith("B"):
        return EmailStatus.HIGH_PROBABILITY
    if smtp == "accept-all":
        return EmailStatus.CATCH_ALL
    if smtp == "valid":
        return EmailStatus.DELIVERABLE
    return EmailStatus.UNKNOWN if smtp or grade else None


def profile(data: Mapping[str, Any]) -> dict[str, Any]:
    """A RocketReach profile as the spec's `Person`."""
    current_name = text(data.get("current_employer"))
    current_company = p.company(
        id=str(data["current_employer_id"]) if integer(data.get("current_employer_id")) else None,
        name=current_name,
        domain=text(data.get("current_employer_domain")),
        website=text(data.get("current_employer_website")),
        linkedin=text(data.get("current_employer_linkedin_url")),
        industry=text(data.get("current_employer_industry")),
    )
    jobs = []
    for raw in items(data.get("job_history")):
        job = mapping(raw)
        name = text(job.get("company_name")) or text(job.get("company"))
        end = job.get("end_date")
        current = job.get("is_current") is True or (isinstance(end, str) and end == "Present")
        company = (
            current_company
            if current and name == current_name
            else p.company(name=name, linkedin=text(job.get("company_linkedin_url")))
        )
        jobs.append(
            p.employment(
                title=text(job.get("title")),
                company=company,
                start=job.get("start_date"),
                end=None if current else end,
                is_current=current,
                description=text(job.get("description")),
            )
        )
    if not jobs and (data.get("current_title") or current_name):
        jobs.append(
            p.employment(
                title=text(data.get("current_title")), company=current_company, is_current=True
            )
        )
    schools = [
        p.education(
            school_name=text(mapping(edu).get("school")),
            degree=", ".join(
                d for d in (text(mapping(edu).get("degree")), text(mapping(edu).get("major"))) if d
            )
            or None,
            start=mapping(edu).get("start"),
            end=mapping(edu).get("end"),
        )
        for edu in items(data.get("education"))
    ]
    return p.person(
        id=str(data["id"]) if integer(data.get("id")) else None,
        full_name=text(data.get("name")),
        linkedin=text(data.get("linkedin_url")),
        connection_count=integer(data.get("connections")),
        city=text(data.get("city")),
        region=text(data.get("region")),
        country=text(data.get("country")),
        country_code=text(data.get("country_code")),
        employments=jobs,
        educations=schools,
        skills=[s for s in items(data.get("skills")) if isinstance(s, str)],
    )


class RocketReachAdapter:
    """`AsyncHttpAdapter` for RocketReach's person lookup."""

    name = "rocketreach"
    fields = frozenset({Field.WORK_EMAIL, Field.PERSONAL_EMAIL, Field.PHONE, Field.PROFILE})

    def __init__(self, base_url: str = DEFAULT_BASE_URL, poll_after: float = 3.0) -> None:
        self.base_url = base_url.rstrip("/")
        self.poll_after = poll_after

    def build_check(self, api_key: str) -> httpx.Request:
        """`GET /account/`: the account and its lookup quotas, free."""
        return httpx.Request("GET", f"{self.base_url}/account/", headers=_headers(api_key))

    def build_request(
        self, query: ContactQuery, fields: frozenset[Field], api_key: str
    ) -> httpx.Request:
        employer = query.company_name or query.domain
        params: dict[str, str] = {}
        if linkedin := p.linkedin_url(query.linkedin_url):
            params["linkedin_url"] = linkedin
        elif query.email:
            params["email"] = query.email
        elif query.full_name and employer:
            params["name"] = query.full_name
            params["current_employer"] = employer
        else:
            raise ProviderError(
                ErrorKind.BAD_REQUEST, "needs a LinkedIn URL, an email, or a name with an employer"
            )
        return httpx.Request(
            "GET", f"{self.base_url}/person/lookup", params=params, headers=_headers(api_key)
        )

    def parse_response(self, response: httpx.Response) -> ProviderResult | Pending:
        if missed(response):  # no such profile
            return ProviderResult()
        return self._outcome(_LOOKUP.check(response, json_body(response)), response)

    def build_poll(self, pending: Pending, api_key: str) -> httpx.Request:
        return httpx.Request(
            "GET",
            f"{self.base_url}/person/checkStatus",
            params={"ids": pending.handle},
            headers=_headers(api_key),
        )

    def parse_poll(self, response: httpx.Response) -> ProviderResult | Pending:
        profiles = json_array(response)
        return self._outcome(_LOOKUP.check(response, profiles[0]), response)

    def _outcome(
        self, data: Mapping[str, Any], response: httpx.Response
    ) -> ProviderResult | Pending:
        status = text(data.get("status")) or ""
        if status == "failed":
            return ProviderResult()
        if status != "complete":
            if integer(data.get("id")) is None:
                raise garbage(response, "no lookup id")
            return Pending(str(data["id"]), self.poll_after)
        findings: list[Finding] = []
        seen: set[str] = set()
        named = {
            **{text(data.get(k)): Field.PERSONAL_EMAIL for k in _PERSONAL_KEYS},
            **{text(data.get(k)): Field.WORK_EMAIL for k in _WORK_KEYS},
        }
        named.pop(None, None)
        for raw in items(data.get("emails")):
            entry = mapping(raw)
            email = text(entry.get("email"))
            kind = _EMAIL_FIELD.get(str(entry.get("type"))) or named.get(email)
            if email and kind and email.lower() not in seen:
                seen.add(email.lower())
                findings.append(EmailFinding(email, kind, email_status(entry)))
        for email, kind in named.items():  # top-level picks missing from `emails`
            if email and email.lower() not in seen:
                seen.add(email.lower())
                findings.append(EmailFinding(email, kind))
        for raw in items(data.get("phones")):
            entry = mapping(raw)
            number = text(entry.get("e164")) or text(entry.get("number"))
            line = _LINE_TYPE.get(str(entry.get("type")), LineType.UNKNOWN)
            if number and entry.get("type") != "fax":
                findings.append(PhoneFinding(number, line))
        findings.append(ProfileFinding(profile(data)))
        return ProviderResult(findings)


def _headers(api_key: str) -> dict[str, str]:
    return {"Api-Key": api_key, "Accept": "application/json"}
