"""Search and lookup request bodies, checked with clear 400s.

Filters follow the spec: each is an array of items; inclusion items of one filter are
ORed, exclusion items subtracted, filters ANDed. A filter name the spec does not define
is refused rather than ignored, so a typo never silently widens a paid search.
"""

from __future__ import annotations

import base64
import binascii
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import orjson

from openenrich.errors import AppError, invalid
from openenrich.people.fields import Field, RangeField, TextField

MAX_LIMIT = 100
DEFAULT_LIMIT = 10
MAX_OFFSET = 10_000
MAX_ITEMS = 100  # per filter
MAX_VALUE = 500  # characters per value


@dataclass(frozen=True, slots=True)
class TextItem:
    value: str
    exclude: bool = False
    exact: bool = False


@dataclass(frozen=True, slots=True)
class RangeItem:
    low: int | None
    high: int | None
    exclude: bool = False


@dataclass(frozen=True, slots=True)
class Cursor:
    """Where the previous page ended: its last row's relevance and id."""

    score: int
    id: str

    def encode(self) -> str:
        return base64.b64encode(orjson.dumps([self.score, self.id])).decode()

    @classmethod
    def decode(cls, text: str) -> Cursor:
        try:
            score, row_id = orjson.loads(base64.b64decode(text.encode(), validate=True))
        except (binascii.Error, orjson.JSONDecodeError, ValueError, TypeError, UnicodeError):
            raise _bad_cursor() from None
        if not isinstance(score, int) or isinstance(score, bool) or not isinstance(row_id, str):
            raise _bad_cursor()
        if len(row_id) > 36:
            raise _bad_cursor()
        return cls(score, row_id)


def _bad_cursor() -> AppError:
    return invalid("error.search.search_after", "search_after is not a cursor this server issued")


@dataclass(frozen=True, slots=True)
class Search:
    text: dict[str, list[TextItem]] = field(default_factory=dict)
    ranges: dict[str, list[RangeItem]] = field(default_factory=dict)
    limit: int = DEFAULT_LIMIT
    offset: int = 0
    after: Cursor | None = None


def _filter_error(message: str) -> AppError:
    return invalid("error.search.filter", message)


def _flag(item: Mapping[str, Any], key: str, where: str) -> bool:
    value = item.get(key, False)
    if value is None:
        return False
    if not isinstance(value, bool):
        raise _filter_error(f"{where}.{key} must be a boolean")
    return value


def _bound(item: Mapping[str, Any], key: str, where: str) -> int | None:
    value = item.get(key)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int) or abs(value) > 10**9:
        raise _filter_error(f"{where}.{key} must be an integer")
    return value


def _text_item(item: Mapping[str, Any], where: str, numeric: bool) -> TextItem:
    value = item.get("value")
    if numeric and isinstance(value, int) and not isinstance(value, bool):
        value = str(value)
    if not isinstance(value, str) or not value.strip():
        kind = "an integer" if numeric else "a non-empty string"
        raise _filter_error(f"{where}.value must be {kind}")
    if len(value) > MAX_VALUE:
        raise _filter_error(f"{where}.value must be at most {MAX_VALUE} characters")
    return TextItem(value.strip(), _flag(item, "exclude", where), _flag(item, "exact_match", where))


def _range_item(item: Mapping[str, Any], where: str) -> RangeItem:
    low, high = _bound(item, "min", where), _bound(item, "max", where)
    if low is None and high is None:
        raise _filter_error(f"{where} needs min, max or both")
    if low is not None and high is not None and low > high:
        raise _filter_error(f"{where}.min must not be greater than max")
    return RangeItem(low, high, _flag(item, "exclude", where))


# Filters whose values the spec types as integers (professional-network ids).
_NUMERIC = ("professional_network_ids",)


def _paging(body: Mapping[str, Any]) -> tuple[int, int, Cursor | None]:
    limit = body.get("limit")
    if limit is None:
        limit = DEFAULT_LIMIT
    if isinstance(limit, bool) or not isinstance(limit, int) or not 1 <= limit <= MAX_LIMIT:
        raise invalid("error.search.limit", f"limit must be an integer from 1 to {MAX_LIMIT}")
    offset = body.get("offset")
    if offset is None:
        offset = 0
    if isinstance(offset, bool) or not isinstance(offset, int) or not 0 <= offset <= MAX_OFFSET:
        raise invalid("error.search.offset", f"offset must be an integer from 0 to {MAX_OFFSET:,}")
    after = body.get("search_after")
    if after is None or after == "":
        return limit, offset, None
    if not isinstance(after, str):
        raise _bad_cursor()
    if offset:
        raise invalid("error.search.pagination", "Use offset or search_after, not both")
    return limit, offset, Cursor.decode(after)


def search(body: Any, fields: Mapping[str, Field]) -> Search:
    """A search request body, checked against the filters of its endpoint."""
    if not isinstance(body, dict):
        raise invalid("error.search.body", "Request body must be a JSON object")
    limit, offset, after = _paging(body)
    text: dict[str, list[TextItem]] = {}
    ranges: dict[str, list[RangeItem]] = {}
    for name, items in body.items():
        if name in ("limit", "offset", "search_after") or items is None:
            continue
        spec = fields.get(name)
        if spec is None:
            raise invalid("error.search.filter.unknown", f"Unknown filter: {name[:100]}")
        if not isinstance(items, list):
            raise _filter_error(f"{name} must be an array of filter objects")
        if len(items) > MAX_ITEMS:
            raise _filter_error(f"{name} takes at most {MAX_ITEMS} items")
        for index, item in enumerate(items):
            where = f"{name}[{index}]"
            if not isinstance(item, dict):
                raise _filter_error(f"{where} must be an object")
            if isinstance(spec, RangeField):
                ranges.setdefault(name, []).append(_range_item(item, where))
            elif isinstance(spec, TextField):
                numeric = name.endswith(_NUMERIC)
                text.setdefault(name, []).append(_text_item(item, where, numeric))
    return Search(text, ranges, limit, offset, after)


@dataclass(frozen=True, slots=True)
class PersonLookup:
    name: str = ""
    network_url: str = ""
    network_id: int | None = None
    company_domain: str = ""
    company_network_url: str = ""
    company_network_id: int | None = None


@dataclass(frozen=True, slots=True)
class CompanyLookup:
    domain: str = ""
    network_url: str = ""
    network_id: int | None = None


def _lookup_fields(body: Any, strings: tuple[str, ...], numbers: tuple[str, ...]) -> dict[str, Any]:
    if not isinstance(body, dict):
        raise invalid("error.lookup.body", "Request body must be a JSON object")
    found: dict[str, Any] = {}
    for name in strings:
        value = body.get(name)
        if value is None:
            continue
        if not isinstance(value, str) or len(value) > 2048:
            raise invalid(
                "error.lookup.field", f"{name} must be a string of at most 2048 characters"
            )
        if value.strip():
            found[name] = value.strip()
    for name in numbers:
        value = body.get(name)
        if value is None:
            continue
        if isinstance(value, bool) or not isinstance(value, int) or value <= 0:
            raise invalid("error.lookup.field", f"{name} must be a positive integer")
        found[name] = value
    return found


def person_lookup(body: Any) -> PersonLookup:
    found = _lookup_fields(
        body,
        (
            "person_name",
            "person_professional_network_url",
            "company_professional_network_url",
            "company_domain",
        ),
        ("person_professional_network_id", "company_professional_network_id"),
    )
    query = PersonLookup(
        name=found.get("person_name", ""),
        network_url=found.get("person_professional_network_url", ""),
        network_id=found.get("person_professional_network_id"),
        company_domain=found.get("company_domain", ""),
        company_network_url=found.get("company_professional_network_url", ""),
        company_network_id=found.get("company_professional_network_id"),
    )
    by_company = query.company_domain or query.company_network_url or query.company_network_id
    if not (query.network_url or query.network_id or (query.name and by_company)):
        raise invalid(
            "error.lookup.identifier",
            "Give person_professional_network_url or person_professional_network_id, "
            "or person_name with company_domain, company_professional_network_url or "
            "company_professional_network_id",
        )
    return query


def company_lookup(body: Any) -> CompanyLookup:
    found = _lookup_fields(
        body, ("domain", "professional_network_url"), ("professional_network_id",)
    )
    query = CompanyLookup(
        domain=found.get("domain", ""),
        network_url=found.get("professional_network_url", ""),
        network_id=found.get("professional_network_id"),
    )
    if not (query.domain or query.network_url or query.network_id):
        raise invalid(
            "error.lookup.identifier",
            "Give domain, professional_network_url or professional_network_id",
        )
    return query
