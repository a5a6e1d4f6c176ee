"""v2 result bodies into v1's shape (`datas[].contact`), as FullEnrich's own v2-to-v1
mapper reconstructs them: flat `most_probable_*` strings, `emails`, `social_medias`, and a
LinkedIn-style `profile` with one `position`. Absent values are "" or [] (v1 clients read
every field), never missing."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

import orjson

_MONTH_YEAR = re.compile(r"^\s*(\d{4})-(\d{1,2})")


def translate_body(kind: str, body: bytes) -> bytes:
    """A v2 GET/webhook body of a job of `kind`, as v1 serves it."""
    return orjson.dumps(envelope(kind, orjson.loads(body)))


def envelope(kind: str, v2: Mapping[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {"id": v2.get("id"), "name": v2.get("name"), "status": v2.get("status")}
    if "data" in v2:
        build = reverse_record if kind == "reverse_email" else enrich_record
        out["datas"] = [build(r) for r in v2["data"]]
    out["cost"] = v2.get("cost", {"credits": 0})
    return out


def _with_error(out: dict[str, Any], record: Mapping[str, Any]) -> dict[str, Any]:
    """A failed contact's `error` is kept as it is in v2."""
    if "error" in record:
        out["error"] = record["error"]
    return out


def enrich_record(record: Mapping[str, Any]) -> dict[str, Any]:
    out = {"custom": dict(record.get("custom") or {}), "contact": contact(record)}
    return _with_error(out, record)


def reverse_record(record: Mapping[str, Any]) -> dict[str, Any]:
    """A reverse lookup's record: the input echo kept, the person as a v1 contact."""
    out = {
        "input": dict(record.get("input") or {}),
        "custom": dict(record.get("custom") or {}),
        "contact": contact({"profile": record.get("profile")}),
    }
    return _with_error(out, record)


def _text(value: Any) -> str:
    return value if isinstance(value, str) else ""


def _get(mapping: Any, *path: str) -> Any:
    for key in path:
        if not isinstance(mapping, Mapping):
            return None
        mapping = mapping.get(key)
    return mapping


def _emails(items: Any) -> list[dict[str, str]]:
    return [
        {"email": _text(e.get("email")), "status": _text(e.get("status"))}
        for e in items or []
        if isinstance(e, Mapping)
    ]


def contact(record: Mapping[str, Any]) -> dict[str, Any]:
    given = record.get("input") or {}
    info = record.get("contact_info") or {}
    profile = record.get("profile") if isinstance(record.get("profile"), Mapping) else None
    position = _position(profile) if profile else {}
    work = info.get("most_probable_work_email") or {}
    personal = info.get("most_probable_personal_email") or {}
    linkedin = _text(_get(profile, "social_profiles", "professional_network", "url"))
    body: dict[str, Any] = {
        "firstname": _text(given.get("first_name")) or _text(_get(profile, "first_name")),
        "lastname": _text(given.get("last_name")) or _text(_get(profile, "last_name")),
        "domain": _text(given.get("company_domain")) or _text(_get(position, "company", "domain")),
        "most_probable_email": _text(work.get("email")),
        "most_probable_email_status": _text(work.get("status")),
        "most_probable_personal_email": _text(personal.get("email")),
        "most_probable_personal_email_status": _text(personal.get("status")),
        "most_probable_phone": _text((info.get("most_probable_phone") or {}).get("number")),
        "emails": _emails(info.get("work_emails")),
        "personal_emails": _emails(info.get("personal_emails")),
        "phones": [
            {"number": _text(p.get("number")), "region": _text(p.get("region"))}
            for p in info.get("phones") or []
            if isinstance(p, Mapping)
        ],
        "social_medias": [{"url": linkedin, "type": "LINKEDIN"}] if linkedin else [],
    }
    if profile:
        body["profile"] = _profile(profile, position)
    return body


def month_year(value: Any) -> dict[str, int] | None:
    """`2022-06-01T00:00:00Z` (or the malformed `2024-1-0T...`) -> {month, year}."""
    match = _MONTH_YEAR.match(value) if isinstance(value, str) else None
    if not match:
        return None
    month = int(match.group(2))
    return {"month": month, "year": int(match.group(1))} if 1 <= month <= 12 else None


def _position(profile: Mapping[str, Any]) -> dict[str, Any]:
    """The current job; a sparse `current` is filled in from `all[0]`."""
    current = _get(profile, "employment", "current") or {}
    every = _get(profile, "employment", "all") or []
    first = every[0] if every and isinstance(every[0], Mapping) else {}
    if not isinstance(current, Mapping) or not current.get("title"):
        return dict(first)
    return {**first, **{k: v for k, v in current.items() if v not in (None, "", {})}}


def _company(company: Mapping[str, Any]) -> dict[str, Any]:
    network = _get(company, "social_profiles", "professional_network") or {}
    hq = _get(company, "locations", "headquarters") or {}
    linkedin_id = network.get("id")
    return {
        "linkedin_id": str(linkedin_id) if linkedin_id not in (None, "") else "",
        "linkedin_url": _text(network.get("url")),
        "linkedin_handle": _text(network.get("handle")),
        "name": _text(company.get("name")),
        "description": _text(company.get("description")),
        "website": _text(company.get("website")),
        "domain": _text(company.get("domain")),
        "industry": _text(_get(company, "industry", "main_industry")),
        "type": _text(company.get("company_type")),
        "year_founded": company.get("year_founded") or 0,
        "headcount": company.get("headcount") or 0,
        "headcount_range": _text(company.get("headcount_range")),
        "headquarters": {
            "region": _text(hq.get("region")),
            "city": _text(hq.get("city")),
            "country": _text(hq.get("country")),
            "country_code": _text(hq.get("country_code")),
            "postal_code": _text(hq.get("postal_code")),
            "address_line_1": _text(hq.get("line1")),
            "address_line_2": _text(hq.get("line2")),
        },
    }


def _profile(profile: Mapping[str, Any], position: Mapping[str, Any]) -> dict[str, Any]:
    network = _get(profile, "social_profiles", "professional_network") or {}
    location = profile.get("location") or {}
    linkedin_id = network.get("id")
    place = [_text(location.get(k)) for k in ("city", "region", "country")]
    company = position.get("company") if isinstance(position.get("company"), Mapping) else {}
    return {
        "linkedin_id": str(linkedin_id) if linkedin_id not in (None, "") else "",
        "linkedin_url": _text(network.get("url")),
        "linkedin_handle": _text(network.get("handle")),
        "firstname": _text(profile.get("first_name")),
        "lastname": _text(profile.get("last_name")),
        "sales_navigator_id": "",
        "premium_account": False,
        "summary": _text(profile.get("description")),
        "headline": _text(profile.get("headline")),
        "location": ", ".join(p for p in place if p),
        "position": {
            "title": _text(position.get("title")),
            "description": _text(position.get("description")),
            "start_at": month_year(position.get("start_at")),
            "end_at": month_year(position.get("end_at")),
            "company": _company(company or {}),
        },
    }
