"""The search filters of the spec, and what each reads of a record.

One table per endpoint maps a request's filter name to a text field (a two-letter code in
the search document and the values it takes from a record) or a range field (a column).
The store builds documents from it, search compiles filters with it, and the tests'
reference filter reads records through it, so the three cannot drift apart.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from openenrich.people import identity

Record = Mapping[str, Any]
# Records are plain dicts: checking `dict` first spares most checks the slow ABC lookup.
_MAP = (dict, Mapping)


class Unit(StrEnum):
    NUMBER = "number"  # the column holds the number itself
    YEARS = "years"  # the column holds a date; the filter counts whole years since it
    DAYS = "days"  # the column holds a date; the filter counts days since it


@dataclass(frozen=True, slots=True)
class TextField:
    code: str
    values: Callable[[Record], list[str]]
    # Identifiers (ids, URLs, network ids) are compared whole, normalised, whatever
    # `exact_match` says.
    identifier: bool = False
    # Applied to a filter's value and to the record's values before comparing.
    normalise: Callable[[str], str] = str
    # Where a record's values are long texts (keywords), only words are matched.
    subsets: bool = True


@dataclass(frozen=True, slots=True)
class RangeField:
    column: str
    unit: Unit = Unit.NUMBER


Field = TextField | RangeField


def _text(value: Any) -> list[str]:
    return [value] if isinstance(value, str) and value.strip() else []


def _texts(values: Any) -> list[str]:
    return (
        [v for v in values if isinstance(v, str) and v.strip()] if isinstance(values, list) else []
    )


def _get(record: Record, *path: str) -> Any:
    value: Any = record
    for key in path:
        if not isinstance(value, _MAP):
            return None
        value = value.get(key)
    return value


def _number(value: Any) -> list[str]:
    return [str(value)] if isinstance(value, int) and not isinstance(value, bool) else []


def _address(address: Any) -> list[str]:
    if not isinstance(address, _MAP):
        return []
    return [
        v for key in ("city", "region", "country", "country_code") for v in _text(address.get(key))
    ]


def person_handle(url: str) -> str:
    return identity.network_handle(url, "in") or url.strip().casefold()


def company_handle(url: str) -> str:
    return identity.network_handle(url, "company") or url.strip().casefold()


def domain(value: str) -> str:
    return identity.domain(value) or value.strip().casefold()


# ---- people -----------------------------------------------------------------------------


def current_job(person: Record) -> Record:
    employment = person.get("employment") or {}
    current = employment.get("current") if isinstance(employment, _MAP) else None
    if isinstance(current, _MAP):
        return current
    for job in _jobs(person):
        if job.get("is_current"):
            return job
    return {}


def _jobs(person: Record) -> list[Record]:
    jobs = _get(person, "employment", "all")
    return [job for job in jobs if isinstance(job, _MAP)] if isinstance(jobs, list) else []


def past_jobs(person: Record) -> list[Record]:
    return [job for job in _jobs(person) if not job.get("is_current")]


def _company(job: Record) -> Record:
    company = job.get("company")
    return company if isinstance(company, _MAP) else {}


def _current_company(person: Record) -> Record:
    return _company(current_job(person))


def _functions(person: Record, key: str) -> list[str]:
    found = current_job(person).get("job_functions")
    if not isinstance(found, list):
        return []
    return [f[key] for f in found if isinstance(f, _MAP) and _text(f.get(key))]


PEOPLE: dict[str, Field] = {
    "current_company_names": TextField("cn", lambda p: _text(_current_company(p).get("name"))),
    "current_company_domains": TextField(
        "cd", lambda p: _text(_current_company(p).get("domain")), normalise=domain
    ),
    "current_company_professional_network_ids": TextField(
        "cv",
        lambda p: _number(
            _get(_current_company(p), "social_profiles", "professional_network", "id")
        ),
        identifier=True,
    ),
    "current_company_professional_network_urls": TextField(
        "cu",
        lambda p: _text(
            _get(_current_company(p), "social_profiles", "professional_network", "url")
        ),
        identifier=True,
        normalise=company_handle,
    ),
    "current_company_specialties": TextField(
        "cs", lambda p: _texts(_current_company(p).get("specialties"))
    ),
    "current_company_industries": TextField(
        "ci", lambda p: _text(_get(_current_company(p), "industry", "main_industry"))
    ),
    "past_company_names": TextField(
        "qn", lambda p: [n for job in past_jobs(p) for n in _text(_company(job).get("name"))]
    ),
    "past_company_domains": TextField(
        "qd",
        lambda p: [d for job in past_jobs(p) for d in _text(_company(job).get("domain"))],
        normalise=domain,
    ),
    "current_company_types": TextField(
        "cy", lambda p: _text(_current_company(p).get("company_type"))
    ),
    "current_company_headquarters": TextField(
        "ch", lambda p: _address(_get(_current_company(p), "locations", "headquarters"))
    ),
    "current_company_headcounts": RangeField("headcount"),
    "current_company_founded_years": RangeField("founded"),
    "current_company_ids": TextField(
        "cc", lambda p: _text(_current_company(p).get("id")), identifier=True, normalise=str.lower
    ),
    "person_ids": TextField(
        "pi", lambda p: _text(p.get("id")), identifier=True, normalise=str.lower
    ),
    "person_names": TextField("pn", lambda p: _text(p.get("full_name"))),
    "person_professional_network_ids": TextField(
        "pv",
        lambda p: _number(_get(p, "social_profiles", "professional_network", "id")),
        identifier=True,
    ),
    "person_professional_network_urls": TextField(
        "pu",
        lambda p: _text(_get(p, "social_profiles", "professional_network", "url")),
        identifier=True,
        normalise=person_handle,
    ),
    "person_locations": TextField("pl", lambda p: _address(p.get("location"))),
    "person_languages": TextField(
        "pg",
        lambda p: [
            v
            for item in (p.get("languages") or [])
            if isinstance(item, _MAP)
            for v in _text(item.get("language"))
        ],
    ),
    "person_skills": TextField("ps", lambda p: _texts(p.get("skills"))),
    "current_position_seniority_level": TextField(
        "sl", lambda p: _text(current_job(p).get("seniority"))
    ),
    "current_position_job_functions": TextField("jf", lambda p: _functions(p, "function")),
    "current_position_sub_functions": TextField("sf", lambda p: _functions(p, "sub_function")),
    "current_position_titles": TextField("ct", lambda p: _text(current_job(p).get("title"))),
    "past_position_titles": TextField(
        "pt", lambda p: [t for job in past_jobs(p) for t in _text(job.get("title"))]
    ),
    "current_position_years_in": RangeField("position_start", Unit.YEARS),
    "current_company_years_at": RangeField("company_start", Unit.YEARS),
    "person_universities": TextField(
        "un",
        lambda p: [
            v
            for item in (p.get("educations") or [])
            if isinstance(item, _MAP)
            for v in _text(item.get("school_name"))
        ],
    ),
    "current_company_days_since_last_job_change": RangeField("last_change", Unit.DAYS),
}

# ---- companies --------------------------------------------------------------------------


def _keywords(company: Record) -> list[str]:
    return [
        *_text(company.get("name")),
        *_text(company.get("description")),
        *_texts(company.get("specialties")),
        *_text(_get(company, "industry", "main_industry")),
    ]


COMPANIES: dict[str, Field] = {
    "names": TextField("nm", lambda c: _text(c.get("name"))),
    "domains": TextField("dm", lambda c: _text(c.get("domain")), normalise=domain),
    "professional_network_ids": TextField(
        "nv",
        lambda c: _number(_get(c, "social_profiles", "professional_network", "id")),
        identifier=True,
    ),
    "professional_network_urls": TextField(
        "nu",
        lambda c: _text(_get(c, "social_profiles", "professional_network", "url")),
        identifier=True,
        normalise=company_handle,
    ),
    "keywords": TextField("kw", _keywords, subsets=False),
    "specialties": TextField("sp", lambda c: _texts(c.get("specialties"))),
    "industries": TextField("in", lambda c: _text(_get(c, "industry", "main_industry"))),
    "types": TextField("ty", lambda c: _text(c.get("company_type"))),
    "headquarters_locations": TextField(
        "hq", lambda c: _address(_get(c, "locations", "headquarters"))
    ),
    "founded_years": RangeField("founded"),
    "headcounts": RangeField("headcount"),
    "company_ids": TextField(
        "id", lambda c: _text(c.get("id")), identifier=True, normalise=str.lower
    ),
}
