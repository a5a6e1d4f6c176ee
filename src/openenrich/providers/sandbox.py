"""A deterministic synthetic provider for sandbox keys: it never touches the network.

The same input always gives the same answer (a hash of the normalised input drives every
choice), with a realistic mix of found and not found, every email status, mobile phones
and full profiles. Everything it invents lives on reserved `.example` domains.

A contact of the synthetic population that sandbox keys search (found by its LinkedIn
handle, or by its name and current company domain) gets that person's profile and an
address at that person's company, so search and enrichment agree.
"""

from __future__ import annotations

import asyncio
import hashlib
import re
import uuid
from typing import Any

from anyascii import anyascii

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
from openenrich.people import synthetic
from openenrich.providers.base import ProviderResult
from openenrich.providers.person import linkedin_handle

# (upper bound of a 0-99 draw, status); draws past the last bound find nothing.
_WORK_STATUSES = (
    (45, EmailStatus.DELIVERABLE),
    (58, EmailStatus.HIGH_PROBABILITY),
    (68, EmailStatus.CATCH_ALL),
    (73, EmailStatus.INVALID),
    (76, EmailStatus.INVALID_DOMAIN),
)
_PERSONAL_FOUND = 35
_PHONE_FOUND = 45
# Test ranges that numbering plans reserve or that are plainly fictional.
_PHONES = (
    ("US", "+1 201-555-01{:02d}"),
    ("FR", "+33 6 12 34 56 {:02d}"),
    ("DE", "+49 1512 34567{:02d}"),
    ("AU", "+61 491 570 1{:02d}"),
)
_COMPANIES = (
    ("Software Development", "Privately Held", 250, "201-500"),
    ("Financial Services", "Public Company", 12000, "10001+"),
    ("Marketing Services", "Privately Held", 35, "11-50"),
    ("Hospitals and Health Care", "Nonprofit", 800, "501-1000"),
)
_TITLES = ("Head of Sales", "Account Executive", "VP Marketing", "Software Engineer", "CFO")
_CITIES = (
    ("San Francisco", "California", "United States", "US"),
    ("Paris", "Ile-de-France", "France", "FR"),
    ("Berlin", "Berlin", "Germany", "DE"),
    ("Sydney", "New South Wales", "Australia", "AU"),
)


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "", anyascii(text).lower())


class _Draws:
    """Independent, repeatable numbers in 0..99 derived from one seed."""

    def __init__(self, seed: str) -> None:
        self.seed = seed

    def __call__(self, label: str, modulo: int = 100) -> int:
        digest = hashlib.sha256(f"{self.seed}\x1f{label}".encode()).digest()
        return int.from_bytes(digest[:8], "big") % modulo


def _seed(query: ContactQuery) -> str:
    parts = (query.first_name, query.last_name, query.domain, query.company_name)
    return "\x1f".join(p.casefold() for p in (*parts, query.linkedin_url, query.email))


def _names(query: ContactQuery, draw: _Draws) -> tuple[str, str]:
    if query.first_name and query.last_name:
        return query.first_name, query.last_name
    handle = query.linkedin_url.rstrip("/").rsplit("/", 1)[-1]
    # A reverse lookup knows only the address: its local part stands in for the handle.
    handle = handle or query.email.partition("@")[0] or "alex-doe"
    pieces = [p for p in re.split(r"[-_.]", handle) if p.isalpha()]
    if len(pieces) >= 2:
        return pieces[0].title(), pieces[-1].title()
    firsts = ("Alex", "Sam", "Jordan", "Camille", "Noah")
    lasts = ("Martin", "Bernard", "Smith", "Nguyen", "Garcia")
    return firsts[draw("first", 5)], lasts[draw("last", 5)]


def _synthetic_person(query: ContactQuery) -> dict[str, Any] | None:
    """The synthetic person the input designates, if any."""
    handle = linkedin_handle(query.linkedin_url)
    if handle:
        found = synthetic.person_for_handle(handle, synthetic.DEFAULT_COMPANIES)
        if found is not None:
            return found
    if query.first_name and query.last_name and query.domain:
        return synthetic.person_for_name(
            query.first_name,
            query.last_name,
            query.domain,
            synthetic.DEFAULT_COMPANIES,
            synthetic.DEFAULT_PEOPLE,
        )
    return None


def _company_label(query: ContactQuery) -> str:
    source = query.domain.split(".")[0] if query.domain else query.company_name
    if not source and query.email:
        source = query.email.rpartition("@")[2].split(".")[0]
    return _slug(source) or "company"


class SandboxProvider:
    """Answers every field, deterministically, after `latency` seconds per call."""

    name = "sandbox"
    fields = frozenset(Field)

    def __init__(self, latency: float = 0.0) -> None:
        self.latency = latency

    async def find(self, query: ContactQuery, fields: frozenset[Field]) -> ProviderResult:
        if self.latency:
            await asyncio.sleep(self.latency)
        person = _synthetic_person(query)
        # A synthetic person's draws follow the person, not the input: asking by handle or
        # by name and domain gives the same answer.
        draw = _Draws(person["id"] if person else _seed(query))
        findings: list[Finding] = []
        if person:
            first, last = person["first_name"], person["last_name"]
            domain = person["employment"]["current"]["company"]["domain"]
        else:
            first, last = _names(query, draw)
            domain = f"{_company_label(query)}.example"
        local = f"{_slug(first)}.{_slug(last)}".strip(".") or "contact"
        if Field.WORK_EMAIL in fields:
            roll = draw("work")
            status = next((s for bound, s in _WORK_STATUSES if roll < bound), None)
            if status is not None:
                findings.append(EmailFinding(f"{local}@{domain}", Field.WORK_EMAIL, status))
        if Field.PERSONAL_EMAIL in fields and draw("personal") < _PERSONAL_FOUND:
            findings.append(
                EmailFinding(
                    f"{local}{draw('pnum', 90) + 10}@mail.example",
                    Field.PERSONAL_EMAIL,
                    EmailStatus.DELIVERABLE,
                )
            )
        if Field.PHONE in fields and draw("phone") < _PHONE_FOUND:
            region, template = _PHONES[draw("region", len(_PHONES))]
            number = template.format(draw("digits", 100))
            findings.append(PhoneFinding(number, LineType.MOBILE, region))
        if Field.PROFILE in fields:
            profile = person or self._profile(
                query, draw, first, last, domain.removesuffix(".example")
            )
            findings.append(ProfileFinding(profile))
        return ProviderResult(findings, cost=0.0)

    def _profile(
        self, query: ContactQuery, draw: _Draws, first: str, last: str, label: str
    ) -> dict[str, Any]:
        industry, company_type, headcount, headcount_range = _COMPANIES[draw("co", 4)]
        city, region, country, code = _CITIES[draw("city", 4)]
        handle = (
            query.linkedin_url.rstrip("/").rsplit("/", 1)[-1] or f"{_slug(first)}-{_slug(last)}"
        )
        company_name = query.company_name or label.title()
        company = {
            "id": str(uuid.uuid5(uuid.NAMESPACE_DNS, f"{label}.example")),
            "name": company_name,
            "domain": f"{label}.example",
            "website": f"https://www.{label}.example",
            "description": f"{company_name} is a synthetic company for sandbox testing.",
            "year_founded": 1990 + draw("founded", 30),
            "headcount": headcount,
            "headcount_range": headcount_range,
            "company_type": company_type,
            "specialties": ["Sandbox", "Testing"],
            "locations": {
                "headquarters": {
                    "line1": f"{draw('street', 900) + 100} Example Street",
                    "line2": f"{city}, {code}",
                    "city": city,
                    "region": region,
                    "country": country,
                    "country_code": code,
                },
                "offices": [],
            },
            "industry": {"main_industry": industry},
            "social_profiles": {
                "professional_network": {
                    "url": f"https://www.linkedin.com/company/{label}",
                    "handle": label,
                    "connection_count": 1000 + draw("followers", 50000),
                }
            },
        }
        title = _TITLES[draw("title", len(_TITLES))]
        start_year = 2015 + draw("start", 9)
        current = {
            "title": title,
            "seniority": "Senior",
            "company": company,
            "is_current": True,
            "start_at": f"{start_year}-{draw('month', 12) + 1:02d}-01T00:00:00Z",
        }
        previous = {
            "title": "Associate",
            "seniority": "Entry",
            "company": {
                **company,
                "id": str(uuid.uuid5(uuid.NAMESPACE_DNS, "previous.example")),
                "name": "Previous Example Corp",
                "domain": "previous.example",
            },
            "is_current": False,
            "start_at": f"{start_year - 4}-01-01T00:00:00Z",
            "end_at": f"{start_year}-01-01T00:00:00Z",
        }
        return {
            "id": str(uuid.uuid5(uuid.NAMESPACE_URL, _seed(query))),
            "full_name": f"{first} {last}",
            "first_name": first,
            "last_name": last,
            "headline": f"{title} at {company_name}",
            "description": "Synthetic sandbox profile.",
            "location": {"country": country, "country_code": code, "city": city, "region": region},
            "social_profiles": {
                "professional_network": {
                    "id": draw("liid", 10**9),
                    "url": f"https://www.linkedin.com/in/{handle}",
                    "handle": handle,
                    "connection_count": 50 + draw("connections", 450),
                }
            },
            "educations": [
                {
                    "school_name": "Example University",
                    "degree": "Master of Science",
                    "start_at": f"{start_year - 7}-09-01T00:00:00Z",
                    "end_at": f"{start_year - 5}-06-01T00:00:00Z",
                }
            ],
            "languages": [{"language": "English", "proficiency": "FULL_PROFESSIONAL"}],
            "skills": ["Sales", "Negotiation", "CRM"],
            "employment": {"current": current, "all": [current, previous]},
        }
