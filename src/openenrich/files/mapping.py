"""From a CSV header to contact fields, and from a row to a contact (or the reason it
cannot be sent). Shared by the `enrich` command and the dashboard's upload."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from urllib.parse import urlsplit

FIELDS = (
    "first_name",
    "last_name",
    "full_name",
    "company_name",
    "domain",
    "website",
    "linkedin_url",
)

_SYNONYMS: dict[str, tuple[str, ...]] = {
    "first_name": ("firstname", "first", "givenname", "forename", "prenom", "fname"),
    "last_name": ("lastname", "last", "surname", "familyname", "nom", "lname"),
    "full_name": ("fullname", "name", "contactname", "personname", "contact", "nomcomplet"),
    "company_name": (
        "company", "companyname", "organization", "organisation", "organizationname",
        "account", "accountname", "employer", "societe", "entreprise", "currentcompany",
    ),
    "domain": ("domain", "companydomain", "emaildomain", "domainname", "websitedomain"),
    "website": (
        "website", "companywebsite", "websiteurl", "url", "web", "site", "homepage",
        "companyurl", "companywebsiteurl", "siteweb",
    ),
    "linkedin_url": (
        "linkedin", "linkedinurl", "linkedinprofile", "linkedinprofileurl", "personlinkedinurl",
        "profileurl", "linkedinlink", "li", "salesnavigatorurl",
    ),
}  # fmt: skip
_LOOKUP = {alias: field for field, aliases in _SYNONYMS.items() for alias in aliases}


class MappingError(ValueError):
    pass


def _key(header: str) -> str:
    text = unicodedata.normalize("NFKD", header).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]", "", text.lower())


def _guess(header: str) -> str | None:
    key = _key(header)
    if key in _LOOKUP:
        return _LOOKUP[key]
    if "linkedin" in key and "company" not in key:
        return "linkedin_url"
    if "first" in key and "name" in key:
        return "first_name"
    if ("last" in key or "sur" in key) and "name" in key:
        return "last_name"
    if "domain" in key:
        return "domain"
    if "website" in key:
        return "website"
    return None


def auto_map(header: Sequence[str]) -> dict[str, int]:
    """field -> column index, the first column that looks like each field."""
    found: dict[str, int] = {}
    for index, name in enumerate(header):
        field = _guess(name)
        if field is not None and field not in found:
            found[field] = index
    return found


def apply_overrides(
    header: Sequence[str], mapping: dict[str, int], overrides: Iterable[str]
) -> dict[str, int]:
    """`--map COLUMN=FIELD` (FIELD `none` unmaps COLUMN). COLUMN is a header name, matched
    exactly first, then ignoring case and punctuation."""
    result = dict(mapping)
    for item in overrides:
        column, sep, field = item.rpartition("=")
        column, field = column.strip(), field.strip().lower()
        if not sep or not column:
            raise MappingError(f"--map {item!r}: expected COLUMN=FIELD")
        if field not in (*FIELDS, "none"):
            raise MappingError(f"--map {item!r}: FIELD must be one of {', '.join(FIELDS)}, none")
        index = _column(header, column)
        result = {f: i for f, i in result.items() if i != index}
        if field != "none":
            result[field] = index
    return result


def _column(header: Sequence[str], column: str) -> int:
    if column in header:
        return list(header).index(column)
    matches = [i for i, name in enumerate(header) if _key(name) == _key(column)]
    if len(matches) != 1:
        raise MappingError(f"--map: no column {column!r} in the header ({', '.join(header)})")
    return matches[0]


@dataclass(frozen=True)
class Prepared:
    """A row ready to send (`contact`), or the reason it cannot be (`reason`)."""

    contact: dict[str, str] | None
    reason: str | None


def domain_of(value: str) -> str:
    """`https://www.acme.com/about` -> `acme.com`; a bare domain is kept."""
    text = value.strip()
    if not text:
        return ""
    host = urlsplit(text if "//" in text else "//" + text).hostname or ""
    host = host.lower().rstrip(".")
    return host.removeprefix("www.")


def _linkedin(value: str) -> str:
    text = value.strip()
    if "linkedin.com/" not in text.lower():
        return ""
    return text if "//" in text else "https://" + text


def prepare(values: Sequence[str], mapping: dict[str, int]) -> Prepared:
    """The minimum FullEnrich accepts: first and last name with a domain or company name,
    or a LinkedIn URL. A full name is split at its first space."""

    def get(field: str) -> str:
        index = mapping.get(field)
        return values[index].strip() if index is not None and index < len(values) else ""

    first, last = get("first_name"), get("last_name")
    if not (first and last) and get("full_name"):
        parts = get("full_name").split(None, 1)
        first = first or parts[0]
        if len(parts) == 2:
            last = last or parts[1]
    domain = domain_of(get("domain")) or domain_of(get("website"))
    company = get("company_name")
    linkedin = _linkedin(get("linkedin_url"))
    contact = {
        key: value
        for key, value in (
            ("first_name", first),
            ("last_name", last),
            ("domain", domain),
            ("company_name", company),
            ("linkedin_url", linkedin),
        )
        if value
    }
    if linkedin or (first and last and (domain or company)):
        return Prepared(contact, None)
    if get("linkedin_url") and not linkedin:
        return Prepared(None, "linkedin_url is not a LinkedIn profile URL")
    missing = [n for n, v in (("first_name", first), ("last_name", last)) if not v]
    if not (domain or company):
        missing.append("domain or company_name")
    return Prepared(None, "missing " + ", ".join(missing))


def describe(header: Sequence[str], mapping: dict[str, int]) -> list[tuple[str, str]]:
    """(field, column) pairs for showing the mapping before anything is spent."""
    return [(field, header[mapping[field]]) for field in FIELDS if field in mapping]


def check_usable(mapping: dict[str, int]) -> None:
    names = set(mapping)
    if "linkedin_url" in names:
        return
    has_names = {"first_name", "last_name"} <= names or "full_name" in names
    if not has_names or not names & {"domain", "website", "company_name"}:
        raise MappingError(
            "no usable columns: need first/last (or full) name with a domain, website or "
            "company, or a LinkedIn URL; name columns with --map COLUMN=FIELD"
        )
