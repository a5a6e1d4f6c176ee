"""Builders for the spec's `Company` shape, shared by every adapter that enriches companies.

Like `providers.person`, every builder drops unknown values (a key is present only when it
holds something) and leaves `id` out: the store assigns its own.

Public API:

- `profile(...)`: keyword-only builder returning a plain `Company` dict.
- `headcount_range(headcount)`: the spec's range ('51-200', '10001+') holding a headcount.
- `industry_name(value)`: a lower-cased vendor industry in the readable case the spec shows
  ('information technology & services' -> 'Information Technology & Services').
- `network_id(value)`: a professional network numeric ID from a vendor's string or int.
- `network_profile(query)`: the company page URL a `CompanyQuery` names, canonical when it
  is a LinkedIn one, built from the numeric ID when only that is known.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from openenrich.domain import CompanyQuery
from openenrich.providers import person as p

__all__ = ["headcount_range", "industry_name", "network_id", "network_profile", "profile"]

# The spec's headcount ranges (LinkedIn's company sizes), by their upper bound.
_RANGES = (
    (10, "1-10"),
    (50, "11-50"),
    (200, "51-200"),
    (500, "201-500"),
    (1000, "501-1000"),
    (5000, "1001-5000"),
    (10000, "5001-10000"),
)
_MINOR_WORDS = frozenset({"and", "of", "for", "the", "in", "on", "or", "to", "&"})


def headcount_range(headcount: int | None) -> str | None:
    """The range holding `headcount`, or None for an unknown (or zero) headcount."""
    if not headcount or headcount < 1:
        return None
    return next((label for top, label in _RANGES if headcount <= top), "10001+")


def industry_name(value: str | None) -> str | None:
    """Vendors lower-case industry names; restore the case the spec shows (minor words
    stay lower-case). A name that already has capitals is kept as it is."""
    if not value or value != value.lower():
        return value or None
    words = value.split()
    return " ".join(
        word if i and word in _MINOR_WORDS else word[:1].upper() + word[1:]
        for i, word in enumerate(words)
    )


def network_id(value: Any) -> int | None:
    """A numeric ID given as an int or a string of digits (vendors send both; masked
    examples such as '185115XX' are not IDs)."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value if value > 0 else None
    if isinstance(value, str) and value.strip().isdigit():
        return int(value.strip())
    return None


def network_profile(query: CompanyQuery) -> str | None:
    """The company page the query names: its URL (canonical for a LinkedIn company page,
    as given otherwise), else the page LinkedIn serves for the numeric ID."""
    url = query.professional_network_url.strip()
    if url:
        return p.linkedin_url(url, "company") or url
    if query.professional_network_id:
        return f"https://www.linkedin.com/company/{query.professional_network_id}"
    return None


def profile(
    *,
    name: str | None = None,
    domain: str | None = None,
    website: str | None = None,
    description: str | None = None,
    year_founded: int | None = None,
    headcount: int | None = None,
    headcount_range: str | None = None,
    company_type: str | None = None,
    industry: str | None = None,
    linkedin: str | None = None,
    linkedin_id: int | None = None,
    headquarters: Mapping[str, str | None] | None = None,
    specialties: Iterable[str] = (),
    logo_url: str | None = None,
) -> dict[str, Any]:
    """A `Company`. `domain` defaults to the bare host of `website`; `linkedin` is a
    company page URL or handle (ignored when it is not a public company page);
    `headquarters` takes the `CompanyAddress` keys (line1, city, region, country,
    country_code)."""
    base = p.company(
        name=name,
        domain=domain,
        website=website,
        linkedin=linkedin,
        description=description,
        year_founded=year_founded,
        headcount=headcount,
        headcount_range=headcount_range,
        company_type=company_type,
        industry=industry,
    )
    network = dict(base.get("social_profiles", {}).get("professional_network", {}))
    if linkedin_id:
        network = {"id": linkedin_id, **network}
    hq = dict(headquarters or {})
    if hq.get("country_code"):
        hq["country_code"] = str(hq["country_code"]).upper()
    result: dict[str, Any] = p.compact(
        {
            "name": base.get("name"),
            "domain": base.get("domain"),
            "website": base.get("website"),
            "description": base.get("description"),
            "year_founded": base.get("year_founded"),
            "headcount": base.get("headcount"),
            "headcount_range": base.get("headcount_range"),
            "company_type": base.get("company_type"),
            "locations": {"headquarters": hq},
            "social_profiles": {"professional_network": network},
            "specialties": list(specialties),
            "industry": base.get("industry"),
            "logo_url": logo_url,
        }
    )
    return result
