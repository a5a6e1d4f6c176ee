"""Builders for the spec's `Person` shape, shared by every adapter that yields a profile.

Vendors disagree on nearly everything (date forms, LinkedIn URL forms, which keys are
null or empty), so adapters call these builders instead of writing dicts by hand. Every
builder drops unknown values: a key is present only when it holds something, as the spec
says ("keys absent when unknown").

Public API:

- `iso_datetime(value)`: a vendor date ('2020', '2020-03', '2020-03-15', an ISO datetime,
  `{"year": 2020, "month": 3}`) as 'YYYY-MM-DDTHH:MM:SSZ', or None.
- `linkedin_handle(value, kind="in")` / `linkedin_url(value, kind="in")`: a profile (or,
  with kind="company", a company page) URL or bare handle as its handle or canonical URL.
- `bare_domain(value)`: a domain or website URL as its bare host ('https://www.Acme.com/x'
  -> 'acme.com'), or None.
- `company(...)`, `employment(...)`, `education(...)`, `language(...)`, `person(...)`:
  keyword-only builders returning plain dicts ready for `ProfileFinding(person=...)`.
- `compact(value)`: drop None, empty strings, empty lists and empty dicts, recursively.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from datetime import UTC, datetime
from typing import Any, Literal
from urllib.parse import unquote, urlsplit

__all__ = [
    "bare_domain",
    "compact",
    "company",
    "education",
    "employment",
    "iso_datetime",
    "language",
    "linkedin_handle",
    "linkedin_url",
    "person",
]

_DATE_FORMAT = "%Y-%m-%dT%H:%M:%SZ"
_PARTIAL_DATE = re.compile(r"^(\d{4})(?:[-/](\d{1,2}))?(?:[-/](\d{1,2}))?$")


def iso_datetime(value: Any) -> str | None:
    """Normalise a vendor date to the spec's 'YYYY-MM-DDTHH:MM:SSZ' (UTC).

    Missing month or day become 01: '2020-03' is 2020-03-01T00:00:00Z. Anything that is
    not a recognisable date gives None rather than a wrong date.
    """
    if value is None or isinstance(value, bool):
        return None
    if isinstance(value, Mapping):
        return _from_parts(value.get("year"), value.get("month"), value.get("day"))
    if isinstance(value, int):
        return _from_parts(value, None, None)
    if isinstance(value, datetime):
        return _format(value)
    if not isinstance(value, str):
        return None
    text = value.strip()
    match = _PARTIAL_DATE.match(text)
    if match:
        return _from_parts(*match.groups())
    try:
        parsed = datetime.fromisoformat(text.replace("Z", "+00:00").replace(" ", "T", 1))
    except ValueError:
        return None
    return _format(parsed)


def _from_parts(year: Any, month: Any, day: Any) -> str | None:
    try:
        y = int(year)
        m = int(month) if month not in (None, "", 0) else 1
        d = int(day) if day not in (None, "", 0) else 1
        return datetime(y, m, d, tzinfo=UTC).strftime(_DATE_FORMAT)
    except (TypeError, ValueError):
        return None


def _format(moment: datetime) -> str:
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC).strftime(_DATE_FORMAT)


_LINKEDIN_PREFIX = {"in": ("in", "pub"), "company": ("company", "school", "showcase")}
_HANDLE = re.compile(r"^[\w\-.%']{2,100}$", re.UNICODE)


def linkedin_handle(value: str | None, kind: Literal["in", "company"] = "in") -> str | None:
    """The handle in a LinkedIn URL ('https://uk.linkedin.com/in/John-Doe/?trk=x' ->
    'john-doe'), or the value itself when it is already a bare handle.

    Sales Navigator and other opaque URLs give None: they cannot be turned into a public
    profile URL, and several vendors reject them.
    """
    if not value:
        return None
    text = value.strip()
    if "linkedin.com" not in text.lower():
        handle = text.strip("/@ ")
        return handle.lower() if _HANDLE.match(handle) and "/" not in handle else None
    if "://" not in text:
        text = "https://" + text
    parts = [unquote(p) for p in urlsplit(text).path.split("/") if p]
    if len(parts) < 2 or parts[0].lower() not in _LINKEDIN_PREFIX[kind]:
        return None
    handle = parts[1].strip()
    return handle.lower() if _HANDLE.match(handle) else None


def linkedin_url(value: str | None, kind: Literal["in", "company"] = "in") -> str | None:
    """The canonical public URL 'https://www.linkedin.com/<kind>/<handle>', or None."""
    handle = linkedin_handle(value, kind)
    return f"https://www.linkedin.com/{kind}/{handle}" if handle else None


def compact(value: Any) -> Any:
    """Drop None, blank strings, empty lists and empty dicts, recursively.

    `False` and `0` are kept: they are values (the spec's `year_founded` is 0 when
    unknown, but that is the vendor's answer to pass through, not ours to invent).
    """
    if isinstance(value, Mapping):
        out = {k: compact(v) for k, v in value.items()}
        return {k: v for k, v in out.items() if not _empty(v)}
    if isinstance(value, list | tuple):
        items = [compact(v) for v in value]
        return [v for v in items if not _empty(v)]
    if isinstance(value, str):
        return value.strip()
    return value


def _empty(value: Any) -> bool:
    return value is None or (isinstance(value, str | list | dict) and not value)


def _social(url: str | None, kind: Literal["in", "company"], **extra: Any) -> dict[str, Any]:
    handle = linkedin_handle(url, kind)
    if handle is None:
        return {}
    return {
        "professional_network": {
            "url": f"https://www.linkedin.com/{kind}/{handle}",
            "handle": handle,
            **extra,
        }
    }


def company(
    *,
    name: str | None = None,
    domain: str | None = None,
    website: str | None = None,
    linkedin: str | None = None,
    description: str | None = None,
    year_founded: int | None = None,
    headcount: int | None = None,
    headcount_range: str | None = None,
    company_type: str | None = None,
    industry: str | None = None,
    id: str | None = None,
) -> dict[str, Any]:
    """An `EmploymentCompany`. `domain` is stripped of scheme, 'www.' and path."""
    result: dict[str, Any] = compact(
        {
            "id": id,
            "name": name,
            "domain": bare_domain(domain or website),
            "website": website,
            "description": description,
            "year_founded": year_founded,
            "headcount": headcount,
            "headcount_range": headcount_range,
            "company_type": company_type,
            "industry": {"main_industry": industry},
            "social_profiles": _social(linkedin, "company"),
        }
    )
    return result


def bare_domain(value: str | None) -> str | None:
    """The host of a domain or website URL, lower-cased and without 'www.'."""
    if not value:
        return None
    text = value.strip().lower()
    host = urlsplit(text if "://" in text else "//" + text).hostname or ""
    host = host.removeprefix("www.")
    return host or None


def employment(
    *,
    title: str | None = None,
    company: Mapping[str, Any] | None = None,
    start: Any = None,
    end: Any = None,
    is_current: bool | None = None,
    seniority: str | None = None,
    description: str | None = None,
) -> dict[str, Any]:
    """An `Employment`. `start`/`end` take any form `iso_datetime` accepts. When
    `is_current` is None it is inferred from the absence of an end date; a current
    position never carries `end_at` (the spec omits it)."""
    if is_current is None:
        is_current = iso_datetime(end) is None
    result: dict[str, Any] = compact(
        {
            "title": title,
            "seniority": seniority,
            "description": description,
            "company": dict(company) if company else None,
            "is_current": is_current,
            "start_at": iso_datetime(start),
            "end_at": None if is_current else iso_datetime(end),
        }
    )
    return result


def education(
    *,
    school_name: str | None = None,
    degree: str | None = None,
    start: Any = None,
    end: Any = None,
) -> dict[str, Any]:
    """A `PersonEducation`."""
    result: dict[str, Any] = compact(
        {
            "school_name": school_name,
            "degree": degree,
            "start_at": iso_datetime(start),
            "end_at": iso_datetime(end),
        }
    )
    return result


def language(name: str | None, proficiency: str | None = None) -> dict[str, Any]:
    """A `PersonLanguage`; proficiency is upper-snake-cased ('full professional' ->
    'FULL_PROFESSIONAL') to match the spec's values."""
    level = re.sub(r"[\s\-]+", "_", proficiency.strip()).upper() if proficiency else None
    result: dict[str, Any] = compact({"language": name, "proficiency": level})
    return result


def person(
    *,
    first_name: str | None = None,
    last_name: str | None = None,
    full_name: str | None = None,
    headline: str | None = None,
    description: str | None = None,
    linkedin: str | None = None,
    connection_count: int | None = None,
    city: str | None = None,
    region: str | None = None,
    country: str | None = None,
    country_code: str | None = None,
    employments: Iterable[Mapping[str, Any]] = (),
    educations: Iterable[Mapping[str, Any]] = (),
    languages: Iterable[Mapping[str, Any]] = (),
    skills: Iterable[str] = (),
    id: str | None = None,
) -> dict[str, Any]:
    """A `Person`. `employments` are `employment(...)` dicts, most recent first; the
    first current one becomes `employment.current`. `full_name` defaults to first + last.
    `linkedin` is a profile URL or handle (ignored when it is not a public profile)."""
    jobs = [dict(job) for job in employments if job]
    current = next((job for job in jobs if job.get("is_current")), None)
    if full_name is None and (first_name or last_name):
        full_name = " ".join(p for p in (first_name, last_name) if p)
    result: dict[str, Any] = compact(
        {
            "id": id,
            "full_name": full_name,
            "first_name": first_name,
            "last_name": last_name,
            "headline": headline,
            "description": description,
            "location": {
                "country": country,
                "country_code": country_code.upper() if country_code else None,
                "city": city,
                "region": region,
            },
            "social_profiles": _social(linkedin, "in", connection_count=connection_count),
            "educations": [dict(e) for e in educations],
            "languages": [dict(lang) for lang in languages],
            "skills": list(skills),
            "employment": {"current": current, "all": jobs},
        }
    )
    return result
