"""Who a privacy request is about: identifiers normalised one way everywhere, their keyed
digests, and the JSON surgery that finds and removes a person inside stored bodies."""

from __future__ import annotations

import hashlib
import hmac
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from anyascii import anyascii

from openenrich.errors import PrivacySubjectInvalid
from openenrich.waterfall.normalise import normalise_domain, normalise_linkedin

_SPACES = re.compile(r"\s+")


class Kind(StrEnum):
    EMAIL = "email"
    DOMAIN = "domain"  # a company that asked to be left out
    LINKEDIN = "linkedin"  # a professional-network profile URL
    NAME = "name"  # a full name at a company domain


def normalise_name(value: str) -> str:
    return _SPACES.sub(" ", anyascii(value).strip().lower())


def normalise_email(value: str) -> str:
    return value.strip().lower()


@dataclass(frozen=True, slots=True)
class Subject:
    """One normalised identifier. For NAME, `value` is `name|domain`."""

    kind: Kind
    value: str

    @classmethod
    def of(
        cls,
        *,
        email: str | None = None,
        domain: str | None = None,
        linkedin_url: str | None = None,
        name: str | None = None,
    ) -> Subject:
        """Exactly one identifier: an email, a LinkedIn URL, a name with its company
        domain, or (for the opt-out list) a domain alone."""
        given = [v for v in (email, linkedin_url, name) if v]
        if len(given) > 1 or ((email or linkedin_url) and domain):
            raise PrivacySubjectInvalid()
        if email:
            value = normalise_email(email)
            if "@" not in value or value.startswith("@") or value.endswith("@"):
                raise PrivacySubjectInvalid()
            return cls(Kind.EMAIL, value)
        if linkedin_url:
            value = normalise_linkedin(linkedin_url)
            if "/in/" not in value:
                raise PrivacySubjectInvalid()
            return cls(Kind.LINKEDIN, value)
        if name:
            person = normalise_name(name)
            company = normalise_domain(domain or "")
            if not person or not company:
                raise PrivacySubjectInvalid()
            return cls(Kind.NAME, f"{person}|{company}")
        if domain and normalise_domain(domain):
            return cls(Kind.DOMAIN, normalise_domain(domain))
        raise PrivacySubjectInvalid()

    def digest(self, secret: bytes) -> str:
        return digest(secret, self.kind, self.value)

    @property
    def is_person(self) -> bool:
        return self.kind is not Kind.DOMAIN


def digest(secret: bytes, kind: str, value: str) -> str:
    """HMAC-SHA256 of a normalised identifier under the server secret."""
    return hmac.new(secret, f"{kind}:{value}".encode(), hashlib.sha256).hexdigest()


def subjects_of_input(stored: Mapping[str, Any]) -> list[Subject]:
    """Every identifier a contact's stored input gives (the opt-out list is checked
    against all of them)."""
    found: list[Subject] = []
    email = str(stored.get("email") or "")
    if email and "@" in email:
        found.append(Subject(Kind.EMAIL, normalise_email(email)))
        found.append(Subject(Kind.DOMAIN, normalise_domain(email.rsplit("@", 1)[1])))
    domain = normalise_domain(str(stored.get("domain") or ""))
    if domain:
        found.append(Subject(Kind.DOMAIN, domain))
    url = str(stored.get("linkedin_url") or "")
    if url:
        found.append(Subject(Kind.LINKEDIN, normalise_linkedin(url)))
    full = normalise_name(f"{stored.get('first_name') or ''} {stored.get('last_name') or ''}")
    if full and domain:
        found.append(Subject(Kind.NAME, f"{full}|{domain}"))
    return found


@dataclass(slots=True)
class Person:
    """Everything known to identify one person during an erasure: what was asked, and
    what the stores learnt from the rows that matched (a name found with the email...)."""

    emails: set[str] = field(default_factory=set)
    linkedin: set[str] = field(default_factory=set)
    names: set[str] = field(default_factory=set)  # "name|domain"
    # Contact rows found to be this person, their jobs, and the digests the provider-call
    # log knows their inputs by (filled while identifying, before anything is erased).
    contact_ids: set[str] = field(default_factory=set)
    enrichment_ids: set[str] = field(default_factory=set)
    input_hashes: set[str] = field(default_factory=set)
    # Erase from this workspace's data only (None: every workspace).
    workspace_id: str | None = None

    @classmethod
    def of(cls, subject: Subject) -> Person:
        person = cls()
        person.add(subject)
        return person

    def add(self, subject: Subject) -> bool:
        """Whether this taught something new."""
        target = {Kind.EMAIL: self.emails, Kind.LINKEDIN: self.linkedin, Kind.NAME: self.names}
        bucket = target.get(subject.kind)
        if bucket is None or subject.value in bucket:
            return False
        bucket.add(subject.value)
        return True

    def learn(self, subjects: Iterable[Subject]) -> bool:
        new = False
        for subject in subjects:
            new = self.add(subject) or new
        return new

    def subjects(self) -> list[Subject]:
        """Every identifier known of the person."""
        return (
            [Subject(Kind.EMAIL, e) for e in sorted(self.emails)]
            + [Subject(Kind.LINKEDIN, u) for u in sorted(self.linkedin)]
            + [Subject(Kind.NAME, n) for n in sorted(self.names)]
        )

    def needles(self) -> list[str]:
        """Lower-case strings whose presence in a text marks it as this person's: the
        addresses and profile handles (names alone are too common to search for)."""
        found = sorted(self.emails)
        found += [url.split("/in/", 1)[1] for url in sorted(self.linkedin) if "/in/" in url]
        return [n for n in found if n]

    def is_input_of(self, stored: Mapping[str, Any]) -> bool:
        """Whether a contact's stored input names this person."""
        return any(
            (s.kind is Kind.EMAIL and s.value in self.emails)
            or (s.kind is Kind.LINKEDIN and s.value in self.linkedin)
            or (s.kind is Kind.NAME and s.value in self.names)
            for s in subjects_of_input(stored)
        )

    def owns(self, record: Any) -> bool:
        """Whether a result record is this person's: its input names them, or a value
        outside any list of candidates (the input echo, a most probable address, the
        profile's URL) is theirs. A record that only lists their address among candidates
        is someone else's, to be scrubbed rather than redacted."""
        return _single_mentions(record, self.needles()) or _names_in(record, self.names)

    def mentioned_in(self, value: Any) -> bool:
        """Whether any string inside a JSON value holds one of the needles."""
        return _mentions(value, self.needles())


def _mentions(value: Any, needles: list[str]) -> bool:
    if isinstance(value, str):
        low = value.lower()
        return any(n in low for n in needles)
    if isinstance(value, Mapping):
        return any(_mentions(v, needles) for v in value.values())
    if isinstance(value, list):
        return any(_mentions(v, needles) for v in value)
    return False


def _single_mentions(value: Any, needles: list[str]) -> bool:
    if isinstance(value, str):
        return _mentions(value, needles)
    if isinstance(value, Mapping):
        return any(_single_mentions(v, needles) for v in value.values())
    return False


def _names_in(value: Any, names: set[str]) -> bool:
    """A record whose input (or echo) is a first/last name at a domain of `names`."""
    if not names or not isinstance(value, Mapping):
        return False
    echo = value.get("input")
    if isinstance(echo, Mapping):
        first, last = echo.get("first_name") or "", echo.get("last_name") or ""
        domain = echo.get("company_domain") or echo.get("domain") or ""
        full = normalise_name(f"{first} {last}")
        if full and f"{full}|{normalise_domain(str(domain))}" in names:
            return True
    return False


# Optional keys of a record that only carry what was found: dropped, not emptied.
_DROPPED = frozenset(
    {"most_probable_work_email", "most_probable_personal_email", "most_probable_phone", "profile"}
)


def redact_record(record: Any, person: Person) -> Any:
    """The record of an erased person, shape kept and values removed: strings become "",
    lists [], optional found items go; `custom` (the client's own reference) stays,
    without anything that mentions the person."""
    if isinstance(record, Mapping):
        out: dict[str, Any] = {}
        for key, value in record.items():
            if key in _DROPPED:
                continue
            out[key] = scrub(value, person) if key == "custom" else redact_record(value, person)
        return out
    if isinstance(record, str):
        return ""
    if isinstance(record, list):
        return []
    return record


def scrub(value: Any, person: Person) -> Any:
    """`value` without this person in it: list items that mention them are dropped,
    strings that mention them emptied; everything else as it was."""
    needles = person.needles()
    if not needles:
        return value
    if isinstance(value, str):
        return "" if _mentions(value, needles) else value
    if isinstance(value, Mapping):
        return {k: scrub(v, person) for k, v in value.items()}
    if isinstance(value, list):
        return [scrub(v, person) for v in value if not _mentions(v, needles)]
    return value


def erase_from_body(body: Any, person: Person) -> tuple[Any, int]:
    """A job body (v2 `data` or v1 `datas`) with this person's records redacted and
    their values scrubbed from the others; and how many records were theirs."""
    if not isinstance(body, Mapping):
        return body, 0
    out = dict(body)
    hits = 0
    for key in ("data", "datas"):
        records = out.get(key)
        if not isinstance(records, list):
            continue
        new = []
        for record in records:
            if person.owns(record):
                hits += 1
                new.append(redact_record(record, person))
            elif person.mentioned_in(record):
                hits += 1
                new.append(scrub(record, person))
            else:
                new.append(record)
        out[key] = new
    return out, hits
