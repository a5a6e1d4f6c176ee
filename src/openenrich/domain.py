"""The domain's vocabulary: what can be found about a person, and how sure we are of it.

Every package imports these downward (providers, verification, phones, waterfall,
enrichment); this module imports nothing of the project's. Wire strings and stored values
are the enums' values and never change: rows written by earlier versions must still read.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any


class Field(StrEnum):
    """The kind of a finding: what a caller asks for, what a source serves, what a credit
    is charged for and what a finding row holds.

    The value is the spec's `enrich_fields` spelling (stored with each contact and in
    cached answers); `key` is the short spelling of the credit ledger, the finding rows and
    the configuration's `[order]` table."""

    WORK_EMAIL = "contact.work_emails"
    PERSONAL_EMAIL = "contact.personal_emails"
    PHONE = "contact.phones"
    PROFILE = "profile"
    # The address a reverse lookup was asked about: a finding row only, never requested
    # from a source nor charged.
    LOOKUP_EMAIL = "lookup_email"
    # An address the verify API checked to a conclusion (any status but UNKNOWN): charged
    # at OPENENRICH_PRICE_VERIFIED_EMAIL (0 by default), never requested from a source.
    VERIFIED_EMAIL = "verified_email"

    @property
    def key(self) -> str:
        """The short spelling: "work_email", "personal_email", "phone", "profile"..."""
        return _KEYS[self]

    @classmethod
    def from_key(cls, key: str) -> Field:
        """The kind spelt `key`; raises `KeyError` for anything else."""
        return _BY_KEY[key]

    @classmethod
    def findable(cls) -> tuple[Field, ...]:
        """The kinds a source can be asked for (every one but LOOKUP_EMAIL)."""
        return _FINDABLE

    @property
    def is_email(self) -> bool:
        return self in (Field.WORK_EMAIL, Field.PERSONAL_EMAIL, Field.LOOKUP_EMAIL)


_KEYS: Mapping[Field, str] = {
    Field.WORK_EMAIL: "work_email",
    Field.PERSONAL_EMAIL: "personal_email",
    Field.PHONE: "phone",
    Field.PROFILE: "profile",
    Field.LOOKUP_EMAIL: "lookup_email",
    Field.VERIFIED_EMAIL: "verified_email",
}
_BY_KEY: Mapping[str, Field] = {key: kind for kind, key in _KEYS.items()}
_FINDABLE = (Field.WORK_EMAIL, Field.PERSONAL_EMAIL, Field.PHONE, Field.PROFILE)


class EmailStatus(StrEnum):
    """The spec's five statuses, plus UNKNOWN (checked, but nothing could be proven) and
    UNVERIFIED (FullEnrich's BYOK status: found with a workspace's own key, `verify=false`)."""

    DELIVERABLE = "DELIVERABLE"
    HIGH_PROBABILITY = "HIGH_PROBABILITY"
    CATCH_ALL = "CATCH_ALL"
    INVALID = "INVALID"
    INVALID_DOMAIN = "INVALID_DOMAIN"
    UNKNOWN = "UNKNOWN"
    UNVERIFIED = "UNVERIFIED"

    @property
    def rank(self) -> int:
        """Lower is better: expected bounce rate, best first."""
        return _EMAIL_RANK[self]

    @property
    def is_found(self) -> bool:
        """Whether an address with this status counts (and is charged) as found."""
        return self in (
            EmailStatus.DELIVERABLE,
            EmailStatus.HIGH_PROBABILITY,
            EmailStatus.CATCH_ALL,
            EmailStatus.UNVERIFIED,
        )

    @property
    def refutes(self) -> bool:
        """Whether this status proves the address wrong (no second opinion can save it)."""
        return self in (EmailStatus.INVALID, EmailStatus.INVALID_DOMAIN)

    @classmethod
    def refutations(cls) -> tuple[EmailStatus, ...]:
        """Every refuting status, for queries over stored rows."""
        return tuple(status for status in cls if status.refutes)


_EMAIL_RANK = {
    EmailStatus.DELIVERABLE: 0,
    EmailStatus.HIGH_PROBABILITY: 1,
    EmailStatus.CATCH_ALL: 2,
    EmailStatus.UNVERIFIED: 3,
    EmailStatus.UNKNOWN: 4,
    EmailStatus.INVALID: 5,
    EmailStatus.INVALID_DOMAIN: 6,
}


class LineType(StrEnum):
    """What kind of line a phone number is (stored as a phone finding row's status)."""

    MOBILE = "MOBILE"
    LANDLINE = "LANDLINE"
    VOIP = "VOIP"
    UNKNOWN = "UNKNOWN"


@dataclass(frozen=True, slots=True)
class ContactQuery:
    """What is known of a person before enrichment; empty strings mean unknown."""

    first_name: str = ""
    last_name: str = ""
    domain: str = ""
    company_name: str = ""
    linkedin_url: str = ""
    email: str = ""

    @property
    def full_name(self) -> str:
        return " ".join(part for part in (self.first_name, self.last_name) if part)


@dataclass(frozen=True, slots=True)
class CompanyQuery:
    """What is known of a company before it is looked up (the spec's
    `LookUpCompanyRequest`); empty strings and None mean unknown."""

    domain: str = ""
    professional_network_url: str = ""
    professional_network_id: int | None = None


@dataclass(frozen=True, slots=True)
class EmailFinding:
    """An address a source returned. `status` is None until a verifier has looked at it,
    or the source's own status when that source is trusted."""

    email: str
    field: Field = Field.WORK_EMAIL
    status: EmailStatus | None = None


@dataclass(frozen=True, slots=True)
class PhoneFinding:
    """A number as the source gave it; normalised to international format on assembly."""

    number: str
    line_type: LineType = LineType.UNKNOWN
    region: str | None = None


@dataclass(frozen=True, slots=True)
class ProfileFinding:
    """A professional profile in the spec's `Person` shape (keys absent when unknown)."""

    person: Mapping[str, Any]


Finding = EmailFinding | PhoneFinding | ProfileFinding


def kind_of(finding: Finding) -> Field:
    """The kind a finding is of (an email says so itself)."""
    if isinstance(finding, EmailFinding):
        return finding.field
    if isinstance(finding, PhoneFinding):
        return Field.PHONE
    return Field.PROFILE


# The longest email or phone a source may give (RFC 5321 allows 254 characters per address
# and 320 per mailbox spelled out); anything longer is no address or number at all.
MAX_CONTACT_POINT = 320


def _without_nul(value: Any) -> Any:
    """`value` with NUL characters removed from every string in it (keys included)."""
    if isinstance(value, str):
        return value.replace("\x00", "")
    if isinstance(value, Mapping):
        return {_without_nul(k): _without_nul(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_without_nul(v) for v in value]
    return value


def usable(findings: list[Finding]) -> list[Finding]:
    """The findings a source returned that can be real: an email or a phone longer than
    `MAX_CONTACT_POINT` or holding a NUL character is dropped (cutting it would make it
    someone else's), and a profile keeps its data with NUL characters removed, since no
    database text can hold them."""
    kept: list[Finding] = []
    for finding in findings:
        if isinstance(finding, ProfileFinding):
            kept.append(ProfileFinding(_without_nul(finding.person)))
            continue
        value = finding.email if isinstance(finding, EmailFinding) else finding.number
        if len(value) <= MAX_CONTACT_POINT and "\x00" not in value:
            kept.append(finding)
    return kept


@dataclass(frozen=True, slots=True)
class Verdict:
    """A verifier's answer for one address, with the evidence behind it."""

    email: str
    status: EmailStatus
    evidence: Mapping[str, Any] = field(default_factory=dict)
    personal: bool = False
    disposable: bool = False
    role: bool = False
