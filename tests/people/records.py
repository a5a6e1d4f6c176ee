"""A handful of realistic people and companies in the spec's shapes, with fixed ids, and
the way tests put them in the store."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, date, datetime, time
from typing import Any

from openenrich.db import Database, utcnow
from openenrich.people.store import EVERYONE, upsert_companies, upsert_people

# The day searches count years and days from, so the answers do not depend on when the
# tests run.
TODAY = date(2026, 3, 15)


def clock() -> datetime:
    return datetime.combine(TODAY, time(12), tzinfo=UTC)


def _company(
    name: str,
    domain: str,
    network_id: int,
    handle: str,
    *,
    industry: str,
    kind: str,
    headcount: int,
    founded: int,
    city: str,
    region: str,
    country: str,
    country_code: str,
    specialties: Sequence[str],
    description: str,
) -> dict[str, Any]:
    return {
        "name": name,
        "domain": domain,
        "website": f"https://www.{domain}/",
        "description": description,
        "year_founded": founded,
        "headcount": headcount,
        "headcount_range": "1001-5000" if headcount > 1000 else "51-200",
        "company_type": kind,
        "locations": {
            "headquarters": {
                "line1": "1 Main Street",
                "city": city,
                "region": region,
                "country": country,
                "country_code": country_code,
            },
            "offices": [{"line1": "2 Side Street", "line2": f"{city}, {country_code}"}],
        },
        "social_profiles": {
            "professional_network": {
                "id": network_id,
                "url": f"https://www.linkedin.com/company/{handle}",
                "connection_count": 1200,
            }
        },
        "specialties": list(specialties),
        "industry": {"main_industry": industry},
    }


ANTHROPIC = _company(
    "Anthropic",
    "anthropic.com",
    1883877,
    "anthropic",
    industry="Software Development",
    kind="Privately Held",
    headcount=2610,
    founded=2021,
    city="San Francisco",
    region="California",
    country="United States",
    country_code="US",
    specialties=["artificial intelligence", "machine learning", "AI safety"],
    description="AI safety and research company building reliable, interpretable systems.",
)
SOCIETE = _company(
    "Société Générale",
    "societegenerale.com",
    4242,
    "societe-generale",
    industry="Banking",
    kind="Public Company",
    headcount=117000,
    founded=1864,
    city="Paris",
    region="Île-de-France",
    country="France",
    country_code="FR",
    specialties=["retail banking", "investment banking"],
    description="One of the leading European financial services groups.",
)
MISTRAL = _company(
    "Mistral AI",
    "mistral.ai",
    90000001,
    "mistralai",
    industry="Technology, Information and Internet",
    kind="Privately Held",
    headcount=180,
    founded=2023,
    city="Paris",
    region="Île-de-France",
    country="France",
    country_code="FR",
    specialties=["large language models", "open weights"],
    description="Frontier AI models, open and portable.",
)
KAFFEE = _company(
    "Kaffee Rösterei Zürich",
    "kaffee-roesterei.ch",
    777,
    "kaffee-rosterei",
    industry="Food and Beverage Services",
    kind="Partnership",
    headcount=60,
    founded=1998,
    city="Zürich",
    region="Zürich",
    country="Switzerland",
    country_code="CH",
    specialties=["coffee roasting", "wholesale"],
    description="Specialty coffee roasted in Zürich since 1998.",
)
# A company the workspace imported for itself.
ACME = _company(
    "Acme Corp",
    "acme.example",
    31337,
    "acme-corp",
    industry="Software Development",
    kind="Privately Held",
    headcount=45,
    founded=2015,
    city="Austin",
    region="Texas",
    country="United States",
    country_code="US",
    specialties=["rockets", "anvils"],
    description="Everything for the discerning coyote.",
)

COMPANY_IDS = {
    "Anthropic": "0a000000-0000-4000-8000-000000000001",
    "Société Générale": "0a000000-0000-4000-8000-000000000002",
    "Mistral AI": "0a000000-0000-4000-8000-000000000003",
    "Kaffee Rösterei Zürich": "0a000000-0000-4000-8000-000000000004",
    "Acme Corp": "0a000000-0000-4000-8000-000000000005",
}


def _job(company: dict[str, Any], title: str, start: str, end: str | None = None) -> dict[str, Any]:
    short = {k: company[k] for k in ("name", "domain", "headcount", "year_founded")}
    job: dict[str, Any] = {
        "title": title,
        "company": short,
        "is_current": end is None,
        "start_at": f"{start}T00:00:00Z",
    }
    if end is not None:
        job["end_at"] = f"{end}T00:00:00Z"
    return job


def _current(company: dict[str, Any], title: str, start: str) -> dict[str, Any]:
    job = _job(company, title, start)
    job["company"] = {
        k: company[k]
        for k in (
            "name",
            "domain",
            "year_founded",
            "headcount",
            "company_type",
            "locations",
            "social_profiles",
            "specialties",
            "industry",
        )
    }
    return job


def _person(
    person_id: str,
    first: str,
    last: str,
    handle: str,
    network_id: int,
    *,
    city: str,
    region: str,
    country: str,
    country_code: str,
    current: dict[str, Any],
    past: Sequence[dict[str, Any]] = (),
    skills: Sequence[str] = (),
    languages: Sequence[str] = (),
    school: str | None = None,
) -> dict[str, Any]:
    person: dict[str, Any] = {
        "id": person_id,
        "full_name": f"{first} {last}",
        "first_name": first,
        "last_name": last,
        "headline": f"{current['title']} at {current['company']['name']}",
        "location": {
            "country": country,
            "country_code": country_code,
            "city": city,
            "region": region,
        },
        "social_profiles": {
            "professional_network": {
                "id": network_id,
                "url": f"https://www.linkedin.com/in/{handle}/",
                "connection_count": 500,
            }
        },
        "skills": list(skills),
        "languages": [{"language": name, "proficiency": "FULL_PROFESSIONAL"} for name in languages],
        "employment": {"current": current, "all": [current, *past]},
    }
    if school is not None:
        person["educations"] = [
            {
                "school_name": school,
                "degree": "Master of Science",
                "start_at": "2008-09-01T00:00:00Z",
                "end_at": "2010-06-30T00:00:00Z",
            }
        ]
    return person


PEOPLE: list[dict[str, Any]] = [
    _person(
        "1b000000-0000-4000-8000-000000000001",
        "Enzo",
        "Romera",
        "enzo-romera",
        530992355,
        city="San Francisco",
        region="California",
        country="United States",
        country_code="US",
        current=_current(ANTHROPIC, "Senior Software Engineer", "2023-02-01"),
        past=[_job(MISTRAL, "Software Engineer", "2019-05-01", "2023-01-31")],
        skills=["Python", "Distributed Systems", "Rust"],
        languages=["French", "English"],
        school="Université Paris-Saclay",
    ),
    _person(
        "1b000000-0000-4000-8000-000000000002",
        "Zoë",
        "Müller",
        "zoe-muller",
        61000002,
        city="Zürich",
        region="Zürich",
        country="Switzerland",
        country_code="CH",
        current=_current(KAFFEE, "Head of Sales", "2018-06-15"),
        past=[_job(SOCIETE, "Account Manager", "2012-01-09", "2018-06-01")],
        skills=["Negotiation", "B2B Sales"],
        languages=["German", "English", "French"],
        school="ETH Zürich",
    ),
    _person(
        "1b000000-0000-4000-8000-000000000003",
        "José Antonio",
        "García Márquez",
        "jagarcia",
        61000003,
        city="Paris",
        region="Île-de-France",
        country="France",
        country_code="FR",
        current=_current(SOCIETE, "Directeur Financier", "2025-11-03"),
        past=[_job(SOCIETE, "Contrôleur de gestion", "2016-04-01", "2025-11-01")],
        skills=["Corporate Finance", "IFRS"],
        languages=["Spanish", "French"],
        school="HEC Paris",
    ),
    _person(
        "1b000000-0000-4000-8000-000000000004",
        "Chloé",
        "Dupont",
        "chloe-dupont",
        61000004,
        city="Paris",
        region="Île-de-France",
        country="France",
        country_code="FR",
        current=_current(MISTRAL, "Research Scientist", "2024-01-08"),
        past=[_job(ANTHROPIC, "Research Engineer", "2021-09-01", "2023-12-20")],
        skills=["Machine Learning", "PyTorch", "Python"],
        languages=["French", "English"],
        school="École Polytechnique",
    ),
    _person(
        "1b000000-0000-4000-8000-000000000005",
        "Mary Ann",
        "O'Brien",
        "maryann-obrien",
        61000005,
        city="Austin",
        region="Texas",
        country="United States",
        country_code="US",
        current=_current(ANTHROPIC, "Chief Marketing Officer", "2026-01-05"),
        past=[_job(ACME, "VP Marketing", "2016-03-01", "2025-12-31")],
        skills=["Brand Strategy", "Demand Generation"],
        languages=["English"],
        school="University of Texas at Austin",
    ),
    _person(
        "1b000000-0000-4000-8000-000000000006",
        "Björn",
        "Ólafsson",
        "bjorn-olafsson",
        61000006,
        city="Reykjavík",
        region="Capital Region",
        country="Iceland",
        country_code="IS",
        current=_current(KAFFEE, "Barista", "2025-09-01"),
        skills=["Latte Art"],
        languages=["Icelandic", "English", "German"],
    ),
]
# Imported by the workspace for itself.
OWN_PEOPLE: list[dict[str, Any]] = [
    _person(
        "1b000000-0000-4000-8000-000000000007",
        "Wile E.",
        "Coyote",
        "wile-coyote",
        61000007,
        city="Austin",
        region="Texas",
        country="United States",
        country_code="US",
        current=_current(ACME, "Product Manager", "2020-07-20"),
        skills=["Product Management", "Rockets"],
        languages=["English"],
    ),
]
# Another workspace's: never seen by the workspace under test.
THEIR_PEOPLE: list[dict[str, Any]] = [
    _person(
        "1b000000-0000-4000-8000-000000000008",
        "Enzo",
        "Secret",
        "enzo-secret",
        61000008,
        city="San Francisco",
        region="California",
        country="United States",
        country_code="US",
        current=_current(ANTHROPIC, "Software Engineer", "2022-02-01"),
        skills=["Python"],
        languages=["English"],
    ),
]


def companies() -> list[dict[str, Any]]:
    return [{"id": COMPANY_IDS[c["name"]], **c} for c in (ANTHROPIC, SOCIETE, MISTRAL, KAFFEE)]


def own_companies() -> list[dict[str, Any]]:
    return [{"id": COMPANY_IDS[ACME["name"]], **ACME}]


async def fill(db: Database, workspace_id: str, other_workspace_id: str) -> None:
    """The companies and people above: most for everyone, a few the workspace's own, and
    one another workspace's."""
    seen = utcnow()  # a workspace's records older than the retention are purged
    async with db.transaction() as session:
        await upsert_companies(session, EVERYONE, companies(), "import", seen)
        await upsert_companies(session, workspace_id, own_companies(), "import", seen)
        await upsert_people(session, EVERYONE, PEOPLE, "import", seen)
        await upsert_people(session, workspace_id, OWN_PEOPLE, "import", seen)
        await upsert_people(session, other_workspace_id, THEIR_PEOPLE, "import", seen)


NAMES: dict[str, str] = {
    **{p["full_name"]: p["id"] for p in (*PEOPLE, *OWN_PEOPLE)},
    **COMPANY_IDS,
}
PEOPLE_SEARCH = "/api/v2/people/search"
COMPANY_SEARCH = "/api/v2/company/search"
ALL_PEOPLE = [p["full_name"] for p in (*PEOPLE, *OWN_PEOPLE)]

# (path, body, the names of what the workspace under test finds, in order).
SEARCHES: list[tuple[str, dict[str, Any], list[str]]] = [
    (PEOPLE_SEARCH, {"limit": 100}, ALL_PEOPLE),
    (PEOPLE_SEARCH, {"person_names": [{"value": "jose garcia"}]}, ["José Antonio García Márquez"]),
    # Exact: as stored, case ignored, accents not.
    (PEOPLE_SEARCH, {"person_names": [{"value": "Zoe Muller", "exact_match": True}]}, []),
    (
        PEOPLE_SEARCH,
        {"person_names": [{"value": "ZOË MÜLLER", "exact_match": True}]},
        ["Zoë Müller"],
    ),
    (
        PEOPLE_SEARCH,
        {"current_company_names": [{"value": "societe generale"}]},
        ["José Antonio García Márquez"],
    ),
    (
        PEOPLE_SEARCH,
        {"current_company_names": [{"value": "Anthropic"}, {"value": "Mistral AI"}]},
        ["Enzo Romera", "Chloé Dupont", "Mary Ann O'Brien"],
    ),
    (
        PEOPLE_SEARCH,
        {
            "current_company_names": [{"value": "Anthropic"}],
            "person_names": [{"value": "romera enzo"}],
        },
        ["Enzo Romera"],
    ),
    # Relevance: Chloé holds both skills exactly, Enzo one.
    (
        PEOPLE_SEARCH,
        {"person_skills": [{"value": "python"}, {"value": "Machine Learning"}]},
        ["Chloé Dupont", "Enzo Romera"],
    ),
    (
        PEOPLE_SEARCH,
        {"past_company_names": [{"value": "anthropic", "exact_match": True}]},
        ["Chloé Dupont"],
    ),
    (
        PEOPLE_SEARCH,
        {"past_company_domains": [{"value": "https://www.mistral.ai/"}]},
        ["Enzo Romera"],
    ),
    (
        PEOPLE_SEARCH,
        {"current_company_domains": [{"value": "anthropic.com", "exact_match": True}]},
        ["Enzo Romera", "Mary Ann O'Brien"],
    ),
    (
        PEOPLE_SEARCH,
        {"current_company_domains": [{"value": "ANTHROPIC.COM", "exclude": True}]},
        [
            "Zoë Müller",
            "José Antonio García Márquez",
            "Chloé Dupont",
            "Björn Ólafsson",
            "Wile E. Coyote",
        ],
    ),
    (
        PEOPLE_SEARCH,
        {"current_position_years_in": [{"max": 0}]},
        ["José Antonio García Márquez", "Mary Ann O'Brien", "Björn Ólafsson"],
    ),
    # Years at the company count from the first job there, not the current position.
    (PEOPLE_SEARCH, {"current_company_years_at": [{"min": 9}]}, ["José Antonio García Márquez"]),
    (
        PEOPLE_SEARCH,
        {"current_company_days_since_last_job_change": [{"max": 100}]},
        ["Mary Ann O'Brien"],
    ),
    (
        PEOPLE_SEARCH,
        {"current_company_days_since_last_job_change": [{"min": 132, "max": 195}]},
        ["José Antonio García Márquez", "Björn Ólafsson"],
    ),
    (
        PEOPLE_SEARCH,
        {"current_company_days_since_last_job_change": [{"min": 133, "max": 194}]},
        [],
    ),
    (
        PEOPLE_SEARCH,
        {"current_company_headcounts": [{"min": 100000}]},
        ["José Antonio García Márquez"],
    ),
    (
        PEOPLE_SEARCH,
        {"current_company_headcounts": [{"min": 100, "max": 5000, "exclude": True}]},
        ["Zoë Müller", "José Antonio García Márquez", "Björn Ólafsson", "Wile E. Coyote"],
    ),
    (
        PEOPLE_SEARCH,
        {"current_company_founded_years": [{"max": 1900}, {"min": 2023}]},
        ["José Antonio García Márquez", "Chloé Dupont"],
    ),
    (PEOPLE_SEARCH, {"person_locations": [{"value": "Zurich"}]}, ["Zoë Müller"]),
    (
        PEOPLE_SEARCH,
        {"person_languages": [{"value": "german", "exclude": True}]},
        [
            "Enzo Romera",
            "José Antonio García Márquez",
            "Chloé Dupont",
            "Mary Ann O'Brien",
            "Wile E. Coyote",
        ],
    ),
    (PEOPLE_SEARCH, {"person_universities": [{"value": "polytechnique"}]}, ["Chloé Dupont"]),
    (
        PEOPLE_SEARCH,
        {
            "current_position_titles": [{"value": "software engineer"}],
            "past_position_titles": [{"value": "Software Engineer"}],
        },
        ["Enzo Romera"],
    ),
    (
        PEOPLE_SEARCH,
        {"current_company_industries": [{"value": "software development", "exact_match": True}]},
        ["Enzo Romera", "Mary Ann O'Brien", "Wile E. Coyote"],
    ),
    (
        PEOPLE_SEARCH,
        {"current_company_headquarters": [{"value": "ile de france"}]},
        ["José Antonio García Márquez", "Chloé Dupont"],
    ),
    (
        PEOPLE_SEARCH,
        {"current_company_professional_network_ids": [{"value": 1883877}]},
        ["Enzo Romera", "Mary Ann O'Brien"],
    ),
    (
        PEOPLE_SEARCH,
        {"person_professional_network_urls": [{"value": "linkedin.com/in/CHLOE-DUPONT/"}]},
        ["Chloé Dupont"],
    ),
    (
        PEOPLE_SEARCH,
        {"person_ids": [{"value": "1B000000-0000-4000-8000-000000000006"}]},
        ["Björn Ólafsson"],
    ),
    (
        PEOPLE_SEARCH,
        {"current_company_types": [{"value": "partnership"}]},
        ["Zoë Müller", "Björn Ólafsson"],
    ),
    (
        PEOPLE_SEARCH,
        {"current_company_specialties": [{"value": "Machine Learning"}]},
        ["Enzo Romera", "Mary Ann O'Brien"],
    ),
    (
        PEOPLE_SEARCH,
        {"current_company_ids": [{"value": COMPANY_IDS["Acme Corp"]}]},
        ["Wile E. Coyote"],
    ),
    (PEOPLE_SEARCH, {"limit": 3}, ALL_PEOPLE[:3]),
    (PEOPLE_SEARCH, {"limit": 3, "offset": 3}, ALL_PEOPLE[3:6]),
    (COMPANY_SEARCH, {}, list(COMPANY_IDS)),
    (COMPANY_SEARCH, {"keywords": [{"value": "coffee"}]}, ["Kaffee Rösterei Zürich"]),
    (COMPANY_SEARCH, {"keywords": [{"value": "AI safety research"}]}, ["Anthropic"]),
    (
        COMPANY_SEARCH,
        {"headquarters_locations": [{"value": "Île-de-France"}]},
        ["Société Générale", "Mistral AI"],
    ),
    (COMPANY_SEARCH, {"founded_years": [{"max": 1900}]}, ["Société Générale"]),
    (
        COMPANY_SEARCH,
        {"headcounts": [{"max": 100}]},
        ["Kaffee Rösterei Zürich", "Acme Corp"],
    ),
    (COMPANY_SEARCH, {"names": [{"value": "ai mistral"}]}, ["Mistral AI"]),
    (
        COMPANY_SEARCH,
        {"types": [{"value": "privately held", "exact_match": True}]},
        ["Anthropic", "Mistral AI", "Acme Corp"],
    ),
    (
        COMPANY_SEARCH,
        {"professional_network_urls": [{"value": "https://www.linkedin.com/company/MistralAI/"}]},
        ["Mistral AI"],
    ),
    (COMPANY_SEARCH, {"professional_network_ids": [{"value": 4242}]}, ["Société Générale"]),
    (
        COMPANY_SEARCH,
        {"company_ids": [{"value": COMPANY_IDS["Kaffee Rösterei Zürich"]}]},
        ["Kaffee Rösterei Zürich"],
    ),
    (
        COMPANY_SEARCH,
        {"domains": [{"value": "www.Kaffee-Roesterei.ch"}]},
        ["Kaffee Rösterei Zürich"],
    ),
    (
        COMPANY_SEARCH,
        {
            "industries": [{"value": "software development"}],
            "specialties": [{"value": "rockets"}, {"value": "anvils"}],
        },
        ["Acme Corp"],
    ),
    (
        COMPANY_SEARCH,
        {
            "industries": [{"value": "software development"}],
            "names": [{"value": "acme", "exclude": True}],
        },
        ["Anthropic"],
    ),
]
