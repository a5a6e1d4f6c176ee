"""From a spec-shaped record to what the store keeps: the tidied record, the keys it is
merged by, the columns range filters compare, and its search document."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from functools import lru_cache
from typing import Any

from openenrich.people import identity, rules, terms
from openenrich.people.fields import COMPANIES, PEOPLE, Field, TextField, current_job

Record = dict[str, Any]


@lru_cache(maxsize=1 << 14)
def _terms(field: TextField, value: str) -> tuple[str, ...]:
    """One value's terms; cached, as names of companies, titles, places and skills recur
    across thousands of records."""
    value = field.normalise(value)
    if field.identifier:
        return (terms.exact_term(field.code, value),)
    return tuple(t for t in terms.value_terms(field.code, value) if field.subsets or t[2] != "k")


def document(fields: Mapping[str, Field], record: Mapping[str, Any]) -> str:
    """The record's search terms, each once, space-separated."""
    found: dict[str, None] = {}
    for field in fields.values():
        if isinstance(field, TextField):
            for value in field.values(record):
                found.update(dict.fromkeys(_terms(field, value)))
    return " ".join(found)


def tidy(value: Any) -> Any:
    """The record without empty values (None, '', [], {}), so merging compares content."""
    if isinstance(value, dict):
        return _tidy_dict(value)
    if isinstance(value, list):
        return _tidy_list(value)
    if isinstance(value, str):
        return value.strip()
    return value


# `tidy` for containers, one call per container rather than per value: records from a
# file run through it once each, and per-value calls were a tenth of an import's time.
def _tidy_dict(value: dict[Any, Any]) -> dict[Any, Any]:
    kept = {}
    for key, item in value.items():
        if isinstance(item, str):
            item = item.strip()
        elif isinstance(item, dict):
            item = _tidy_dict(item)
        elif isinstance(item, list):
            item = _tidy_list(item)
        elif item is None:
            continue
        if item or not isinstance(item, (str, dict, list)):
            kept[key] = item
    return kept


def _tidy_list(value: list[Any]) -> list[Any]:
    kept = []
    for item in value:
        if isinstance(item, str):
            item = item.strip()
        elif isinstance(item, dict):
            item = _tidy_dict(item)
        elif isinstance(item, list):
            item = _tidy_list(item)
        elif item is None:
            continue
        if item or not isinstance(item, (str, dict, list)):
            kept.append(item)
    return kept


def _date(value: Any) -> str | None:
    """The day of an ISO date-time (`2022-03-15T00:00:00Z`), as `YYYY-MM-DD` so days
    compare as text; None for anything else (unknown to range filters, not compared)."""
    if not isinstance(value, str) or len(value) < 10:
        return None
    try:
        return date.fromisoformat(value[:10]).isoformat()
    except ValueError:
        return None


def _int(value: Any) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def _size(value: Any) -> int | None:
    """A headcount or founding year for range filters: the spec answers 0 for either when
    it is unknown, so 0 is unknown (a range `exclude` keeps it, a range never matches it)."""
    return _int(value) or None


@dataclass(frozen=True, slots=True)
class PreparedCompany:
    data: Record
    domain: str
    network_id: int | None
    handle: str | None
    name_key: str
    headcount: int | None
    founded: int | None

    @property
    def doc(self) -> str:
        return document(COMPANIES, self.data)


def _network(record: Record, section: str) -> tuple[int | None, str | None]:
    """The record's professional-network id and handle, its URL made canonical."""
    network = record.get("social_profiles", {}).get("professional_network")
    if not isinstance(network, dict):
        return None, None
    handle = identity.network_handle(str(network.get("url", "")), section) or None
    if handle is None and isinstance(network.get("handle"), str):
        handle = network["handle"].casefold() or None
    if handle is not None:
        network["url"] = identity.network_url(handle, section)
        network.setdefault("handle", handle)
    return _int(network.get("id")), handle


def prepare_company(raw: Mapping[str, Any]) -> PreparedCompany:
    data: Record = tidy(raw)
    domain = identity.domain(str(data.get("domain") or data.get("website") or ""))
    if domain:
        data["domain"] = domain
    network_id, handle = _network(data, "company")
    return PreparedCompany(
        data=data,
        domain=domain,
        network_id=network_id,
        handle=handle,
        name_key=identity.name_key(str(data.get("name", ""))),
        headcount=_size(data.get("headcount")),
        founded=_size(data.get("year_founded")),
    )


@dataclass(frozen=True, slots=True)
class PreparedPerson:
    data: Record
    network_id: int | None
    handle: str | None
    name_key: str
    company_domain: str
    headcount: int | None
    founded: int | None
    position_start: str | None
    company_start: str | None
    last_change: str | None

    @property
    def doc(self) -> str:
        return document(PEOPLE, self.data)


def _derive(job: Record) -> None:
    """Seniority and job functions from the title where the record lacks them."""
    title = job.get("title")
    if not isinstance(title, str) or not title:
        return
    if not job.get("seniority"):
        level = rules.seniority(title)
        if level:
            job["seniority"] = level
    if not job.get("job_functions"):
        found = [
            {"function": f, **({"sub_function": s} if s else {})}
            for f, s in rules.job_functions(title)
        ]
        if found:
            job["job_functions"] = found


def _same_company(a: Mapping[str, Any], b: Mapping[str, Any]) -> bool:
    return any(a.get(key) and a.get(key) == b.get(key) for key in ("id", "domain", "name"))


def prepare_person(raw: Mapping[str, Any]) -> PreparedPerson:
    data: Record = tidy(raw)
    if not data.get("full_name"):
        joined = " ".join(str(data.get(k, "")) for k in ("first_name", "last_name")).strip()
        if joined:
            data["full_name"] = joined
    network_id, handle = _network(data, "in")
    employment = data.get("employment")
    jobs: list[Record] = []
    if isinstance(employment, dict):
        jobs = [job for job in employment.get("all", []) if isinstance(job, dict)]
        current = employment.get("current")
        if isinstance(current, dict):
            current["is_current"] = True
            current.pop("end_at", None)
    for job in jobs + (
        [employment["current"]]
        if isinstance(employment, dict) and isinstance(employment.get("current"), dict)
        else []
    ):
        _derive(job)
        company = job.get("company")
        if isinstance(company, dict) and (company.get("domain") or company.get("website")):
            found = identity.domain(str(company.get("domain") or company.get("website")))
            if found:
                company["domain"] = found
    current = dict(current_job(data))
    company = current.get("company") if isinstance(current.get("company"), dict) else {}
    assert isinstance(company, dict)
    starts = [_date(job.get("start_at")) for job in jobs] + [_date(current.get("start_at"))]
    at_company = [
        _date(job.get("start_at"))
        for job in jobs
        if isinstance(job.get("company"), dict) and _same_company(job["company"], company)
    ] + [_date(current.get("start_at"))]
    return PreparedPerson(
        data=data,
        network_id=network_id,
        handle=handle,
        name_key=identity.name_key(str(data.get("full_name", ""))),
        company_domain=str(company.get("domain", "")),
        headcount=_size(company.get("headcount")),
        founded=_size(company.get("year_founded")),
        position_start=_date(current.get("start_at")),
        company_start=min((d for d in at_company if d), default=None),
        last_change=max((d for d in starts if d), default=None),
    )
