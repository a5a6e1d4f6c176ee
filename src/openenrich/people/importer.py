"""Importing your own people and companies into the store, from JSON Lines or CSV.

JSON Lines hold one spec-shaped `Person` (or `Company`) per line; CSV columns are mapped to
fields by their header (or `--map COLUMN=FIELD`). Files are streamed: records are read one
at a time and written in batches, one transaction each, so memory stays flat whatever the
file's size. A record that cannot be taken (not JSON, a value of the wrong type, nothing
to recognise it by) is reported with its line and skipped; only a file that cannot be
read at all stops the import. Merging is the store's, so importing a file again changes
nothing. No terminal concerns here: `people.cli` draws the progress and the summary.
"""

from __future__ import annotations

import codecs
import csv
import io
import json
import re
import unicodedata
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from enum import StrEnum
from functools import cache, lru_cache
from pathlib import Path
from typing import IO, Any

import orjson
from sqlalchemy import event
from sqlalchemy.exc import DataError, IntegrityError

from openenrich.accounts import repository
from openenrich.db import Database
from openenrich.files.reading import CsvFormatError, detect
from openenrich.people import identity
from openenrich.people.fields import current_job
from openenrich.people.store import EVERYONE, Outcome, upsert_companies, upsert_people
from openenrich.providers.person import iso_datetime

BATCH = 1000
# Rejected lines listed in a summary; past this they are only counted.
MAX_LISTED = 100
# Unknown fields named in a summary (with their counts).
MAX_IGNORED_FIELDS = 100
# A longer JSON line is rejected unread, so one runaway line cannot exhaust memory.
MAX_LINE_BYTES = 4 * 1024 * 1024
SPEC = Path(__file__).resolve().parent.parent / "api" / "fullenrich-v2-openapi.json"


class Kind(StrEnum):
    PEOPLE = "people"
    COMPANIES = "companies"


class Format(StrEnum):
    JSONL = "jsonl"
    CSV = "csv"


class ImportFailed(Exception):
    """The import cannot start or go on; the message is one line, shown as is."""


class Rejected(Exception):
    """A record that cannot be taken. `path` locates the value at fault, if one is."""

    def __init__(self, reason: str, *path: str) -> None:
        super().__init__(reason)
        self.reason = reason
        self.path = list(path)

    def at(self, key: str) -> Rejected:
        self.path.insert(0, key)
        return self

    def __str__(self) -> str:
        where = "".join(p if p.startswith("[") else f".{p}" for p in self.path).lstrip(".")
        return f"{where}: {self.reason}" if where else self.reason


@dataclass(frozen=True, slots=True)
class Rejection:
    line: int
    reason: str


@dataclass(slots=True)
class Summary:
    """What an import did. `errors` lists the first `MAX_LISTED` rejected lines."""

    file: str
    kind: Kind
    format: Format
    workspace: str | None
    source: str
    read: int = 0
    inserted: int = 0
    merged: int = 0
    unchanged: int = 0
    rejected: int = 0
    errors: list[Rejection] = field(default_factory=list)
    # CSV: which column fills which field, and the columns left out.
    columns: dict[str, str] = field(default_factory=dict)
    ignored_columns: list[str] = field(default_factory=list)
    # JSON Lines: fields the spec's shape does not have (left out), with how often.
    ignored_fields: dict[str, int] = field(default_factory=dict)

    def reject(self, line: int, reason: str) -> None:
        self.rejected += 1
        if len(self.errors) < MAX_LISTED:
            self.errors.append(Rejection(line, reason))

    def ignore_field(self, path: str) -> None:
        if path in self.ignored_fields or len(self.ignored_fields) < MAX_IGNORED_FIELDS:
            self.ignored_fields[path] = self.ignored_fields.get(path, 0) + 1

    def count(self, outcome: Outcome) -> None:
        if outcome is Outcome.INSERTED:
            self.inserted += 1
        elif outcome is Outcome.MERGED:
            self.merged += 1
        else:
            self.unchanged += 1

    @property
    def not_listed(self) -> int:
        return self.rejected - len(self.errors)

    def as_dict(self) -> dict[str, Any]:
        return {
            "file": self.file,
            "kind": self.kind.value,
            "format": self.format.value,
            "workspace": self.workspace,
            "source": self.source,
            "read": self.read,
            "inserted": self.inserted,
            "merged": self.merged,
            "unchanged": self.unchanged,
            "rejected": self.rejected,
            "errors": [{"line": e.line, "reason": e.reason} for e in self.errors],
            "errors_not_listed": self.not_listed,
            "columns": self.columns,
            "ignored_columns": self.ignored_columns,
            "ignored_fields": self.ignored_fields,
        }


# ---- the spec's shapes ------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _Node:
    """One value of the spec's `Person` or `Company`: its JSON type and where it sits."""

    type: str
    path: str
    format: str | None = None
    properties: dict[str, _Node] = field(default_factory=dict)
    items: _Node | None = None


def _resolve(schema: Mapping[str, Any], schemas: Mapping[str, Any]) -> dict[str, Any]:
    """`$ref` followed and `allOf` folded in: one schema with all its properties."""
    if "$ref" in schema:
        return _resolve(schemas[str(schema["$ref"]).rsplit("/", 1)[-1]], schemas)
    merged = {k: v for k, v in schema.items() if k != "allOf"}
    for part in schema.get("allOf", []):
        resolved = _resolve(part, schemas)
        merged.setdefault("type", resolved.get("type"))
        merged["properties"] = {**resolved.get("properties", {}), **merged.get("properties", {})}
    return merged


def _compile(schema: Mapping[str, Any], schemas: Mapping[str, Any], path: str) -> _Node:
    resolved = _resolve(schema, schemas)
    kind = str(resolved.get("type") or ("object" if "properties" in resolved else "string"))
    if kind == "array":
        return _Node(kind, path, items=_compile(resolved.get("items", {}), schemas, path + "[]"))
    properties = {
        name: _compile(sub, schemas, f"{path}.{name}" if path else name)
        for name, sub in resolved.get("properties", {}).items()
    }
    return _Node(kind, path, resolved.get("format"), properties)


@cache
def shape(kind: Kind) -> _Node:
    """The spec's `Person` or `Company`, from the OpenAPI document the server serves."""
    schemas = json.loads(SPEC.read_text(encoding="utf-8"))["components"]["schemas"]
    return _compile(schemas["Person" if kind is Kind.PEOPLE else "Company"], schemas, "")


_JSON_TYPES = {
    str: "a string",
    int: "an integer",
    float: "a number",
    bool: "a boolean",
    list: "an array",
    dict: "an object",
}
_EXPECTED = {
    "string": "a string",
    "integer": "an integer",
    "number": "a number",
    "boolean": "a boolean",
    "array": "an array",
    "object": "an object",
}


def _wrong(node: _Node, value: Any) -> Rejected:
    got = _JSON_TYPES.get(type(value), type(value).__name__)
    return Rejected(f"expected {_EXPECTED.get(node.type, node.type)}, got {got}")


Check = Callable[[Any, Summary], Any]


@lru_cache(maxsize=1 << 14)
def _moment(value: str) -> str | None:
    """A date-time made ISO 8601; cached, as the days of records' jobs and schools recur."""
    return iso_datetime(value)


def _checker(node: _Node) -> Check:
    """The check of a value against `node`, made once per node: the value as the spec's
    shape has it (types checked, dates made ISO 8601, fields the shape does not have left
    out and counted), or `Rejected`. Reading the node's description again for every value
    of every record took a fifth of an import's time."""
    kind = node.type
    if kind == "string":
        dated = node.format == "date-time"

        def string(value: Any, summary: Summary) -> Any:
            if value is None:
                return None
            if type(value) is not str:
                raise _wrong(node, value)
            if dated and value.strip():
                moment = _moment(value)
                if moment is None:
                    raise Rejected(f"not a date: {_show(value)}")
                return moment
            return value

        return string
    if kind == "object":
        checks = {key: _checker(sub) for key, sub in node.properties.items()}
        prefix = f"{node.path}." if node.path else ""

        def mapping(value: Any, summary: Summary) -> Any:
            if value is None:
                return None
            if type(value) is not dict:
                raise _wrong(node, value)
            checked: dict[str, Any] = {}
            for key, item in value.items():
                check = checks.get(key)
                if check is None:
                    summary.ignore_field(f"{prefix}{key}")
                    continue
                try:
                    checked[key] = check(item, summary)
                except Rejected as error:
                    raise error.at(key) from None
            return checked

        return mapping
    if kind == "array":
        assert node.items is not None
        check_item = _checker(node.items)

        def array(value: Any, summary: Summary) -> Any:
            if value is None:
                return None
            if type(value) is not list:
                raise _wrong(node, value)
            out = []
            for index, item in enumerate(value):
                try:
                    out.append(check_item(item, summary))
                except Rejected as error:
                    raise error.at(f"[{index}]") from None
            return out

        return array
    if kind == "integer":

        def integer(value: Any, _summary: Summary) -> Any:
            if value is None or type(value) is int:
                return value
            if type(value) is float and value.is_integer():
                return int(value)
            raise _wrong(node, value)

        return integer
    if kind == "number":

        def number(value: Any, _summary: Summary) -> Any:
            if value is None or type(value) in (int, float):
                return value
            raise _wrong(node, value)

        return number
    if kind == "boolean":

        def boolean(value: Any, _summary: Summary) -> Any:
            if value is None or type(value) is bool:
                return value
            raise _wrong(node, value)

        return boolean
    return lambda value, _summary: value


@cache
def _check(kind: Kind) -> Check:
    return _checker(shape(kind))


def _show(value: str, limit: int = 40) -> str:
    text = value.strip()
    return repr(text if len(text) <= limit else text[: limit - 1] + "…")


def _network_key(record: Mapping[str, Any], section: str) -> bool:
    """Whether the record's professional-network profile identifies it; a URL that is not
    a profile's is an error, not a missing value."""
    profiles = record.get("social_profiles")
    network = profiles.get("professional_network") if isinstance(profiles, dict) else None
    if not isinstance(network, dict):
        return False
    url = network.get("url")
    if isinstance(url, str) and url.strip():
        if not identity.network_handle(url, section):
            what = "a person's profile" if section == "in" else "a company page"
            raise Rejected(
                f"not the URL of {what} ({_show(url)})",
                "social_profiles",
                "professional_network",
                "url",
            )
        return True
    handle = network.get("handle")
    return network.get("id") is not None or (isinstance(handle, str) and bool(handle.strip()))


def _name_key(value: Any) -> str:
    return identity.name_key(value) if isinstance(value, str) else ""


def _recognisable_person(person: Mapping[str, Any]) -> None:
    """The store recognises a person again by network profile, or by name and current
    company domain; a record with neither would be a new row at every import."""
    if _network_key(person, "in"):
        return
    name = person.get("full_name")
    if not _name_key(name):
        name = " ".join(str(person.get(k) or "") for k in ("first_name", "last_name"))
    if not _name_key(name):
        raise Rejected("no name and no professional network URL or id")
    company = current_job(person).get("company")
    domain = ""
    if isinstance(company, Mapping):
        domain = identity.domain(str(company.get("domain") or company.get("website") or ""))
    if not domain:
        raise Rejected(
            "no professional network URL or id, and no current company domain to tell "
            "this person from another of the same name"
        )


def _recognisable_company(company: Mapping[str, Any]) -> None:
    if _network_key(company, "company"):
        return
    domain = company.get("domain") or company.get("website")
    if isinstance(domain, str) and domain.strip():
        if not identity.domain(domain):
            key = "domain" if company.get("domain") else "website"
            raise Rejected(f"not a domain: {_show(domain)}", key)
        return
    if not _name_key(company.get("name")):
        raise Rejected("no name, domain, or professional network URL or id")


def take(kind: Kind, raw: Any, summary: Summary) -> dict[str, Any]:
    """A decoded record checked against the spec's shape, ready for the store, or
    `Rejected` with the reason."""
    if type(raw) is not dict:
        got = _JSON_TYPES.get(type(raw), "null" if raw is None else type(raw).__name__)
        raise Rejected(f"not a JSON object ({got})")
    record: dict[str, Any] = _check(kind)(raw, summary)
    if kind is Kind.PEOPLE:
        _recognisable_person(record)
    else:
        _recognisable_company(record)
    return record


# ---- CSV columns ------------------------------------------------------------------------

Cell = Callable[[str], Any]


def _text(value: str) -> str:
    return value


def _integer(value: str) -> int:
    text = re.sub(r"[\s,_']", "", value)
    try:
        number = float(text)
    except ValueError:
        raise Rejected(f"not a whole number: {_show(value)}") from None
    if not number.is_integer():
        raise Rejected(f"not a whole number: {_show(value)}")
    return int(number)


def _year(value: str) -> int:
    year = _integer(value)
    if not 1000 <= year <= 9999:
        raise Rejected(f"not a year: {_show(value)}")
    return year


def _date(value: str) -> str:
    moment = iso_datetime(value)
    if moment is None:
        raise Rejected(f"not a date: {_show(value)}")
    return moment


def _list(value: str) -> list[str]:
    """`a; b` or `a, b` (a `;` anywhere means `,` belongs to the items)."""
    separator = ";" if ";" in value else ","
    return [item.strip() for item in value.split(separator) if item.strip()]


def _languages(value: str) -> list[dict[str, str]]:
    return [{"language": item} for item in _list(value)]


def _boolean(value: str) -> bool:
    text = value.strip().lower()
    if text in ("true", "yes", "y", "1"):
        return True
    if text in ("false", "no", "n", "0"):
        return False
    raise Rejected(f"not true or false: {_show(value)}")


def _domain(value: str) -> str:
    if not identity.domain(value):
        raise Rejected(f"not a domain: {_show(value)}")
    return value


def _profile(section: str) -> Cell:
    """A profile URL, kept as given (the store makes it canonical); a bare handle becomes
    its URL."""

    def convert(value: str) -> str:
        text = value.strip()
        if identity.network_handle(text, section):
            return text
        if re.fullmatch(r"[\w\-.%']{2,100}", text) and "." not in text:
            return identity.network_url(text.casefold(), section)
        what = "a person's profile" if section == "in" else "a company page"
        raise Rejected(f"not the URL of {what}: {_show(text)}")

    return convert


_RANGE = re.compile(r"^\s*\d[\d,.\s]*(?:-|\u2013|to|\+)")


def _headcount(value: str) -> tuple[str, Any]:
    """A number is a headcount; `51-200` or `10,001+` a headcount range."""
    if _RANGE.match(value):
        return "headcount_range", value.strip()
    return "headcount", _integer(value)


@dataclass(frozen=True, slots=True)
class _Target:
    """Where a column's cells go (`path` into the record) and how a cell is read. A
    `convert` returning (key, value) picks the last key itself (headcount vs range)."""

    path: tuple[str, ...]
    convert: Cell
    keyed: bool = False


_PERSON_COMPANY = ("employment", "current", "company")
_PERSON_FIELDS: dict[str, _Target] = {
    "full_name": _Target(("full_name",), _text),
    "first_name": _Target(("first_name",), _text),
    "last_name": _Target(("last_name",), _text),
    "headline": _Target(("headline",), _text),
    "title": _Target(("employment", "current", "title"), _text),
    "seniority": _Target(("employment", "current", "seniority"), _text),
    "start_date": _Target(("employment", "current", "start_at"), _date),
    "company": _Target((*_PERSON_COMPANY, "name"), _text),
    "domain": _Target((*_PERSON_COMPANY, "domain"), _domain),
    "website": _Target((*_PERSON_COMPANY, "website"), _domain),
    "company_linkedin_url": _Target(
        (*_PERSON_COMPANY, "social_profiles", "professional_network", "url"), _profile("company")
    ),
    "company_industry": _Target((*_PERSON_COMPANY, "industry", "main_industry"), _text),
    "company_size": _Target((*_PERSON_COMPANY, "headcount"), _headcount, keyed=True),
    "company_type": _Target((*_PERSON_COMPANY, "company_type"), _text),
    "company_founded": _Target((*_PERSON_COMPANY, "year_founded"), _year),
    "linkedin_url": _Target(("social_profiles", "professional_network", "url"), _profile("in")),
    "linkedin_id": _Target(("social_profiles", "professional_network", "id"), _integer),
    "location": _Target(("location",), _text),  # split into its parts, see `_place`
    "city": _Target(("location", "city"), _text),
    "region": _Target(("location", "region"), _text),
    "country": _Target(("location", "country"), _text),
    "country_code": _Target(("location", "country_code"), _text),
    "skills": _Target(("skills",), _list),
    "languages": _Target(("languages",), _languages),
}
_HQ = ("locations", "headquarters")
_COMPANY_FIELDS: dict[str, _Target] = {
    "name": _Target(("name",), _text),
    "domain": _Target(("domain",), _domain),
    "website": _Target(("website",), _domain),
    "linkedin_url": _Target(
        ("social_profiles", "professional_network", "url"), _profile("company")
    ),
    "linkedin_id": _Target(("social_profiles", "professional_network", "id"), _integer),
    "industry": _Target(("industry", "main_industry"), _text),
    "type": _Target(("company_type",), _text),
    "headcount": _Target(("headcount",), _headcount, keyed=True),
    "founded": _Target(("year_founded",), _year),
    "description": _Target(("description",), _text),
    "specialties": _Target(("specialties",), _list),
    "logo_url": _Target(("logo_url",), _text),
    "city": _Target((*_HQ, "city"), _text),
    "region": _Target((*_HQ, "region"), _text),
    "country": _Target((*_HQ, "country"), _text),
    "country_code": _Target((*_HQ, "country_code"), _text),
}

# Header spellings, compared without case, spaces or punctuation (see `_header_key`).
_PERSON_HEADERS: dict[str, tuple[str, ...]] = {
    "full_name": ("fullname", "name", "contactname", "personname"),
    "first_name": ("firstname", "first", "givenname", "forename", "fname"),
    "last_name": ("lastname", "last", "surname", "familyname", "lname"),
    "headline": ("headline",),
    "title": ("title", "jobtitle", "position", "role", "currenttitle", "currentposition"),
    "seniority": ("seniority", "senioritylevel"),
    "start_date": ("startdate", "positionstartdate", "startedon", "since"),
    "company": (
        "company", "companyname", "organization", "organisation", "organizationname",
        "employer", "currentcompany", "account", "accountname",
    ),
    "domain": ("domain", "companydomain", "domainname"),
    "website": ("website", "companywebsite", "websiteurl", "companyurl", "companywebsiteurl"),
    "company_linkedin_url": (
        "companylinkedinurl", "companylinkedin", "companylinkedinprofile", "companyprofileurl",
    ),
    "company_industry": ("companyindustry", "industry"),
    "company_size": (
        "companysize", "headcount", "employees", "companyheadcount", "employeecount",
        "numberofemployees", "companyemployees", "size",
    ),
    "company_type": ("companytype",),
    "company_founded": ("companyfounded", "companyyearfounded", "companyfoundedyear"),
    "linkedin_url": (
        "linkedin", "linkedinurl", "profileurl", "personlinkedinurl", "linkedinprofile",
        "linkedinprofileurl", "personlinkedin",
    ),
    "linkedin_id": ("linkedinid", "personlinkedinid"),
    "location": ("location", "personlocation"),
    "city": ("city", "personcity"),
    "region": ("region", "state", "province", "personregion", "personstate"),
    "country": ("country", "personcountry"),
    "country_code": ("countrycode", "countryiso", "personcountrycode"),
    "skills": ("skills",),
    "languages": ("languages", "language"),
}  # fmt: skip
_COMPANY_HEADERS: dict[str, tuple[str, ...]] = {
    "name": ("name", "companyname", "company", "organization", "organisation", "account"),
    "domain": ("domain", "companydomain", "domainname"),
    "website": ("website", "companywebsite", "websiteurl", "url", "companyurl", "homepage"),
    "linkedin_url": (
        "linkedin", "linkedinurl", "companylinkedinurl", "companylinkedin", "linkedinpage",
    ),
    "linkedin_id": ("linkedinid", "companylinkedinid"),
    "industry": ("industry", "mainindustry", "companyindustry"),
    "type": ("type", "companytype"),
    "headcount": (
        "headcount", "employees", "size", "companysize", "employeecount", "numberofemployees",
    ),
    "founded": ("founded", "yearfounded", "foundedyear", "foundedin"),
    "description": ("description", "about", "summary"),
    "specialties": ("specialties", "specialities"),
    "logo_url": ("logo", "logourl"),
    "city": ("city", "hqcity", "headquarterscity"),
    "region": ("region", "state", "province", "hqregion", "hqstate"),
    "country": ("country", "hqcountry", "headquarterscountry"),
    "country_code": ("countrycode", "countryiso", "hqcountrycode"),
}  # fmt: skip


def fields_of(kind: Kind) -> dict[str, _Target]:
    return _PERSON_FIELDS if kind is Kind.PEOPLE else _COMPANY_FIELDS


def _header_key(header: str) -> str:
    text = unicodedata.normalize("NFKD", header).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]", "", text.lower())


def _spellings(kind: Kind) -> dict[str, str]:
    table = _PERSON_HEADERS if kind is Kind.PEOPLE else _COMPANY_HEADERS
    return {spelling: name for name, spellings in table.items() for spelling in spellings}


def _path_target(kind: Kind, text: str) -> _Target:
    """A dotted path into the spec's shape (`employment.current.title`), read by the type
    the shape gives it."""
    node = shape(kind)
    keys = tuple(text.split("."))
    for key in keys:
        sub = node.properties.get(key) if node.type == "object" else None
        if sub is None:
            raise ImportFailed(f"--map: {text!r} is not a field of the spec's {_noun(kind)}")
        node = sub
    if node.type == "array" and node.items is not None and node.items.type == "string":
        return _Target(keys, _list)
    readers: dict[str, Cell] = {"integer": _integer, "number": _number, "boolean": _boolean}
    if node.type == "string":
        return _Target(keys, _date if node.format == "date-time" else _text)
    if node.type in readers:
        return _Target(keys, readers[node.type])
    raise ImportFailed(f"--map: {text!r} holds {_EXPECTED[node.type]}, not one value")


def _number(value: str) -> float | int:
    try:
        number = float(re.sub(r"[\s,_']", "", value))
    except ValueError:
        raise Rejected(f"not a number: {_show(value)}") from None
    return int(number) if number.is_integer() else number


def _noun(kind: Kind) -> str:
    return "Person" if kind is Kind.PEOPLE else "Company"


def map_columns(kind: Kind, header: Sequence[str], overrides: Sequence[str]) -> dict[int, str]:
    """Column index -> field (a short name or a dotted path). Each field takes the first
    column that looks like it; `--map COLUMN=FIELD` overrides, `FIELD` none unmaps."""
    spellings = _spellings(kind)
    mapping: dict[int, str] = {}
    for index, name in enumerate(header):
        found = spellings.get(_header_key(name))
        if found is not None and found not in mapping.values():
            mapping[index] = found
    for item in overrides:
        column, sep, target = item.rpartition("=")
        column, target = column.strip(), target.strip()
        if not sep or not column or not target:
            raise ImportFailed(f"--map {item!r}: expected COLUMN=FIELD")
        index = _column(header, column)
        if target.lower() == "none":
            mapping.pop(index, None)
            continue
        if target.lower() in fields_of(kind):
            target = target.lower()
        else:
            _path_target(kind, target)  # refused here, before any row is read
        mapping = {i: f for i, f in mapping.items() if f != target}
        mapping[index] = target
    return dict(sorted(mapping.items()))


def _column(header: Sequence[str], column: str) -> int:
    if column in header:
        return list(header).index(column)
    matches = [i for i, name in enumerate(header) if _header_key(name) == _header_key(column)]
    if len(matches) != 1:
        raise ImportFailed(f"--map: no column {column!r} in the header ({', '.join(header)})")
    return matches[0]


def _usable(kind: Kind, mapping: Mapping[int, str]) -> None:
    """Refuse a mapping no row could pass, rather than reject every row."""
    names = set(mapping.values())
    paths = {".".join(_target(kind, name).path) for name in names}
    if kind is Kind.PEOPLE:
        needed = {
            "full_name",
            "first_name",
            "last_name",
            "social_profiles.professional_network.url",
            "social_profiles.professional_network.id",
            "social_profiles.professional_network.handle",
        }
        what = "a name or a LinkedIn URL"
    else:
        needed = {
            "name",
            "domain",
            "website",
            "social_profiles.professional_network.url",
            "social_profiles.professional_network.id",
            "social_profiles.professional_network.handle",
        }
        what = "a name, a domain or a LinkedIn URL"
    if not paths & needed:
        raise ImportFailed(
            f"no column gives {what}; name columns with --map COLUMN=FIELD "
            f"(fields: {', '.join(fields_of(kind))})"
        )


def _target(kind: Kind, name: str) -> _Target:
    return fields_of(kind).get(name) or _path_target(kind, name)


_EMPTY_CELLS = frozenset({"", "-", "--", "n/a", "null"})


def _place(text: str) -> dict[str, str]:
    """`City, Region, Country` (or `City, Country`, or a lone country) as a location."""
    parts = [p.strip() for p in text.split(",") if p.strip()]
    if not parts:
        return {}
    if len(parts) == 1:
        return {"country": parts[0]}
    if len(parts) == 2:
        return {"city": parts[0], "country": parts[1]}
    return {"city": parts[0], "region": ", ".join(parts[1:-1]), "country": parts[-1]}


def _row_record(
    kind: Kind, header: Sequence[str], targets: Mapping[int, _Target], cells: Sequence[str]
) -> dict[str, Any]:
    """A CSV row as a record of the spec's shape. Raises `Rejected` naming the column."""
    record: dict[str, Any] = {}
    for index, target in targets.items():
        cell = cells[index].strip()
        if cell.lower() in _EMPTY_CELLS:
            continue
        try:
            value = target.convert(cell)
        except Rejected as error:
            raise Rejected(f"column {header[index]!r}: {error.reason}") from None
        path = target.path
        if target.keyed:
            key, value = value
            path = (*path[:-1], key)
        elif path == ("location",) and kind is Kind.PEOPLE:
            value = _place(value)
        node = record
        for key in path[:-1]:
            node = node.setdefault(key, {})
        if isinstance(value, dict) and isinstance(node.get(path[-1]), dict):
            # City, region or country columns win over the parts of a free-text location.
            node[path[-1]] = {**value, **node[path[-1]]}
        else:
            node[path[-1]] = value
    return record


# ---- reading ----------------------------------------------------------------------------


class _Counting(io.RawIOBase):
    """A binary file that counts the bytes read from it, for progress."""

    def __init__(self, raw: IO[bytes]) -> None:
        self.raw = raw
        self.done = 0

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        count = self.raw.readinto(buffer)  # type: ignore[attr-defined]
        self.done += count or 0
        return int(count or 0)

    def close(self) -> None:
        self.raw.close()
        super().close()


_JSON_SUFFIXES = {".jsonl", ".ndjson", ".json", ".jsonlines"}
_CSV_SUFFIXES = {".csv", ".tsv", ".txt"}


def detect_format(path: Path) -> Format:
    """By the file's extension, else by its first character (`{` is JSON)."""
    suffix = path.suffix.lower()
    if suffix in _JSON_SUFFIXES:
        return Format.JSONL
    if suffix in _CSV_SUFFIXES:
        return Format.CSV
    try:
        with path.open("rb") as handle:
            head = handle.read(4096)
    except OSError as error:
        raise ImportFailed(f"cannot read {path}: {error.strerror or error}") from None
    for bom in (codecs.BOM_UTF8, codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE):
        if head.startswith(bom):
            encoding = {codecs.BOM_UTF8: "utf-8"}.get(bom, "utf-16")
            head = head[len(bom) :].decode(encoding, "ignore").encode()
            break
    return Format.JSONL if head.lstrip()[:1] in (b"{", b"[") else Format.CSV


@dataclass(slots=True)
class Source:
    """An open input: `items` yields (line, record or rejection reason); `done` tells how
    many bytes were read so far, out of `size`."""

    format: Format
    size: int
    items: Iterator[tuple[int, dict[str, Any] | str]]
    counter: _Counting
    columns: dict[str, str] = field(default_factory=dict)
    ignored_columns: list[str] = field(default_factory=list)

    @property
    def done(self) -> int:
        return self.counter.done

    def close(self) -> None:
        self.counter.close()


def open_source(kind: Kind, path: Path, overrides: Sequence[str], summary: Summary) -> Source:
    """Open `path` for reading its records. Raises `ImportFailed` when it cannot be read
    at all (missing, not a file, an unusable header)."""
    fmt = detect_format(path)
    if fmt is Format.JSONL and overrides:
        raise ImportFailed("--map applies to CSV files: JSON Lines are read in the spec's shape")
    try:
        size = path.stat().st_size
        counter = _Counting(path.open("rb", buffering=0))
    except OSError as error:
        raise ImportFailed(f"cannot read {path}: {error.strerror or error}") from None
    if fmt is Format.JSONL:
        return Source(fmt, size, _json_lines(kind, counter, summary), counter)
    counter.close()
    return _csv_source(kind, path, size, overrides, summary)


def _json_lines(
    kind: Kind, counter: _Counting, summary: Summary
) -> Iterator[tuple[int, dict[str, Any] | str]]:
    buffered = io.BufferedReader(counter, 1024 * 1024)
    head = buffered.peek(4)[:4]
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        lines: Iterator[bytes | str] = _text_lines(buffered, "utf-16")
    else:
        if head.startswith(codecs.BOM_UTF8):
            buffered.read(len(codecs.BOM_UTF8))
        lines = _byte_lines(buffered)
    first = True
    for number, line in enumerate(lines, 1):
        if line is None:
            yield number, f"longer than {MAX_LINE_BYTES // (1024 * 1024)} MiB"
            continue
        if not line.strip():
            continue
        if first and line.lstrip()[:1] in ("[", b"["):
            # A JSON document holding an array, not JSON Lines: every line would fail.
            raise ImportFailed("a JSON array, not JSON Lines: put one record per line")
        first = False
        try:
            raw = orjson.loads(line)
        except orjson.JSONDecodeError as error:
            yield number, f"invalid JSON at column {error.colno}: {error.msg}"
            continue
        try:
            yield number, take(kind, raw, summary)
        except Rejected as error:
            yield number, str(error)


def _byte_lines(handle: IO[bytes]) -> Iterator[Any]:
    """Lines of at most `MAX_LINE_BYTES`; None stands for a longer one (skipped unread)."""
    while line := handle.readline(MAX_LINE_BYTES + 1):
        if len(line) > MAX_LINE_BYTES and not line.endswith(b"\n"):
            while (rest := handle.readline(MAX_LINE_BYTES)) and not rest.endswith(b"\n"):
                pass
            yield None
            continue
        yield line


def _text_lines(handle: IO[bytes], encoding: str) -> Iterator[Any]:
    text = io.TextIOWrapper(handle, encoding=encoding, errors="replace", newline=None)
    while line := text.readline(MAX_LINE_BYTES + 1):
        if len(line) > MAX_LINE_BYTES and not line.endswith("\n"):
            while (rest := text.readline(MAX_LINE_BYTES)) and not rest.endswith("\n"):
                pass
            yield None
            continue
        yield line


def _csv_source(
    kind: Kind, path: Path, size: int, overrides: Sequence[str], summary: Summary
) -> Source:
    try:
        fmt = detect(path)
    except CsvFormatError as error:
        raise ImportFailed(f"{path}: {error}") from None
    counter = _Counting(path.open("rb", buffering=0))
    text = io.TextIOWrapper(
        io.BufferedReader(counter, 1024 * 1024), encoding=fmt.encoding, newline=""
    )
    reader = csv.reader(text, delimiter=fmt.delimiter, strict=True)
    try:
        header = [h.strip() for h in next(reader)]
    except StopIteration:
        counter.close()
        raise ImportFailed(f"{path}: the file has no header line") from None
    except (csv.Error, UnicodeDecodeError) as error:
        counter.close()
        raise ImportFailed(f"{path}: line 1: {error}") from None
    try:
        mapping = map_columns(kind, header, overrides)
        _usable(kind, mapping)
    except ImportFailed:
        counter.close()
        raise
    targets = {index: _target(kind, name) for index, name in mapping.items()}
    columns = {header[index]: name for index, name in mapping.items()}
    ignored = [name for index, name in enumerate(header) if index not in mapping and name]
    items = _csv_rows(kind, reader, fmt.encoding, header, targets, summary)
    return Source(Format.CSV, size, items, counter, columns, ignored)


def _csv_rows(
    kind: Kind,
    reader: Any,
    encoding: str,
    header: list[str],
    targets: Mapping[int, _Target],
    summary: Summary,
) -> Iterator[tuple[int, dict[str, Any] | str]]:
    width = len(header)
    start = reader.line_num + 1
    while True:
        try:
            cells = next(reader)
        except StopIteration:
            return
        except csv.Error as error:
            # The reader starts afresh on the next line.
            line, start = start, reader.line_num + 1
            yield line, f"not CSV: {error}"
            continue
        except UnicodeDecodeError as error:
            raise ImportFailed(f"line {start}: not {encoding} text ({error.reason})") from None
        line, start = start, reader.line_num + 1
        if not cells or (len(cells) == 1 and not cells[0].strip()):
            continue
        if len(cells) > width:
            if any(cell.strip() for cell in cells[width:]):
                yield line, f"{len(cells)} cells where the header has {width}"
                continue
        elif len(cells) < width:
            cells = cells + [""] * (width - len(cells))
        try:
            record = _row_record(kind, header, targets, cells)
            yield line, take(kind, record, summary)
        except Rejected as error:
            yield line, str(error)


# ---- importing --------------------------------------------------------------------------


# WAL pages between SQLite checkpoints while importing (the default is 1,000): each batch
# touches index pages all over a large file, and a checkpoint after every batch wrote
# most of them back again. The WAL grows to about 40 MB instead of 4 MB.
IMPORT_CHECKPOINT_PAGES = 10_000


def _dumps(value: Any) -> str:
    return orjson.dumps(value, option=orjson.OPT_NON_STR_KEYS).decode()


# The engine of an import writes and reads JSON columns with orjson: the standard
# library's encoder took a tenth of an import's time. The values are the same; the text
# is compact, and other characters than ASCII are kept as they are.
ENGINE_OPTIONS: dict[str, Any] = {"json_serializer": _dumps, "json_deserializer": orjson.loads}


def tune_for_import(db: Database) -> None:
    """Settings for a database opened to import into, before its first connection."""
    if db.dialect != "sqlite":
        return

    @event.listens_for(db.engine.sync_engine, "connect")
    def _connect(dbapi_connection: Any, _record: Any) -> None:
        cursor = dbapi_connection.cursor()
        cursor.execute(f"PRAGMA wal_autocheckpoint={IMPORT_CHECKPOINT_PAGES}")
        cursor.close()


async def require_workspace(db: Database, workspace_id: str) -> None:
    async with db.read() as session:
        if not await repository.workspace_exists(session, workspace_id):
            raise ImportFailed(f"no workspace {workspace_id}")


Progress = Callable[[Summary, int, int], None]


async def import_file(
    db: Database,
    kind: Kind,
    path: Path,
    *,
    workspace: str | None = None,
    overrides: Sequence[str] = (),
    batch_size: int = BATCH,
    on_progress: Progress | None = None,
    now: datetime | None = None,
) -> Summary:
    """Import `path` into the store, for `workspace` or (None) for every workspace.
    Raises `ImportFailed` when the file cannot be read at all or the workspace is unknown;
    what was written by then stays (a rerun finds it unchanged)."""
    if workspace is not None:
        await require_workspace(db, workspace)
    source_name = f"import:{path.name}"
    summary = Summary(
        file=str(path),
        kind=kind,
        format=detect_format(path),
        workspace=workspace,
        source=source_name,
    )
    source = open_source(kind, path, overrides, summary)
    summary.columns, summary.ignored_columns = source.columns, source.ignored_columns
    owner = EVERYONE if workspace is None else workspace
    seen_at = now or datetime.now(UTC)
    batch: list[dict[str, Any]] = []
    lines: list[int] = []
    try:
        for line, item in source.items:
            summary.read += 1
            if isinstance(item, str):
                summary.reject(line, item)
                continue
            batch.append(item)
            lines.append(line)
            if len(batch) >= batch_size:
                await _write(db, kind, owner, batch, lines, source_name, seen_at, summary)
                batch, lines = [], []
                if on_progress is not None:
                    on_progress(summary, source.done, source.size)
        if batch:
            await _write(db, kind, owner, batch, lines, source_name, seen_at, summary)
    except ImportFailed as error:
        raise ImportFailed(f"{path}: {error}") from None
    finally:
        source.close()
    if on_progress is not None:
        on_progress(summary, source.size, source.size)
    return summary


async def _write(
    db: Database,
    kind: Kind,
    owner: str,
    records: list[dict[str, Any]],
    lines: list[int],
    source: str,
    seen_at: datetime,
    summary: Summary,
) -> None:
    """One transaction for the batch. A record the database refuses (a value too long for
    its column, say) rolls the batch back; it is then written record by record, so only
    that one is rejected."""
    upsert = upsert_people if kind is Kind.PEOPLE else upsert_companies
    try:
        async with db.transaction() as session:
            outcomes = await upsert(session, owner, records, source, seen_at)
    except (DataError, IntegrityError) as error:
        if len(records) == 1:
            summary.reject(lines[0], f"refused by the database: {_first_line(error)}")
            return
        for record, line in zip(records, lines, strict=True):
            await _write(db, kind, owner, [record], [line], source, seen_at, summary)
        return
    for outcome in outcomes:
        summary.count(outcome)


def _first_line(error: Exception) -> str:
    text = str(getattr(error, "orig", None) or error)
    return text.strip().splitlines()[0][:200] if text.strip() else type(error).__name__
