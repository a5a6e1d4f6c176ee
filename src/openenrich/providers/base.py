"""Canonical finding types and the protocols every data source speaks.

A *provider* answers a `ContactQuery` with findings. Vendor adapters are pure translations
(`HttpAdapter`: build a request, parse a response); the waterfall engine wraps them with
rate limits, retries, breakers, caching and cost accounting, once for all.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any, Protocol, runtime_checkable

import httpx


class Field(StrEnum):
    """What a caller can ask for. The first three are the spec's `enrich_fields` values."""

    WORK_EMAIL = "contact.work_emails"
    PERSONAL_EMAIL = "contact.personal_emails"
    PHONE = "contact.phones"
    PROFILE = "profile"


class EmailStatus(StrEnum):
    """The spec's five statuses, plus UNKNOWN (checked, but nothing could be proven)."""

    DELIVERABLE = "DELIVERABLE"
    HIGH_PROBABILITY = "HIGH_PROBABILITY"
    CATCH_ALL = "CATCH_ALL"
    INVALID = "INVALID"
    INVALID_DOMAIN = "INVALID_DOMAIN"
    UNKNOWN = "UNKNOWN"

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
        )


_EMAIL_RANK = {
    EmailStatus.DELIVERABLE: 0,
    EmailStatus.HIGH_PROBABILITY: 1,
    EmailStatus.CATCH_ALL: 2,
    EmailStatus.UNKNOWN: 3,
    EmailStatus.INVALID: 4,
    EmailStatus.INVALID_DOMAIN: 5,
}


class LineType(StrEnum):
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


@dataclass(slots=True)
class ProviderResult:
    """One answer from one source. An empty `findings` list is a clean miss."""

    findings: list[Finding] = field(default_factory=list)
    cost: float = 0.0


@dataclass(frozen=True, slots=True)
class Pending:
    """An asynchronous vendor accepted the job; poll `handle` after `poll_after` seconds."""

    handle: str
    poll_after: float = 2.0


class ErrorKind(StrEnum):
    TRANSIENT = "transient"  # 5xx, timeouts, garbage: retry
    RATE_LIMITED = "rate_limited"  # slow down, honour retry_after
    QUOTA = "quota"  # out of credits at the vendor: open the breaker
    AUTH = "auth"  # bad key: open the breaker
    BAD_REQUEST = "bad_request"  # our request is wrong for this input: do not retry
    # The source works, but could prove nothing for this input (greylisting that never
    # cleared): the waterfall goes on, nothing is cached, the source is not blamed.
    INCONCLUSIVE = "inconclusive"


class ProviderError(Exception):
    """A classified failure of a source (not a miss)."""

    def __init__(self, kind: ErrorKind, detail: str = "", retry_after: float | None = None):
        super().__init__(f"{kind}: {detail}" if detail else str(kind))
        self.kind = kind
        self.detail = detail
        self.retry_after = retry_after

    @property
    def retryable(self) -> bool:
        return self.kind in (ErrorKind.TRANSIENT, ErrorKind.RATE_LIMITED)


@runtime_checkable
class Provider(Protocol):
    """What the waterfall calls."""

    name: str
    fields: frozenset[Field]

    async def find(self, query: ContactQuery, fields: frozenset[Field]) -> ProviderResult: ...


@dataclass(frozen=True, slots=True)
class Verdict:
    """A verifier's answer for one address, with the evidence behind it."""

    email: str
    status: EmailStatus
    evidence: Mapping[str, Any] = field(default_factory=dict)
    personal: bool = False
    disposable: bool = False
    role: bool = False


@runtime_checkable
class Verifier(Protocol):
    name: str

    async def verify(self, email: str) -> Verdict: ...


class HttpAdapter(Protocol):
    """A vendor's finder API as a pure translation. No I/O happens here."""

    name: str
    fields: frozenset[Field]

    def build_request(
        self, query: ContactQuery, fields: frozenset[Field], api_key: str
    ) -> httpx.Request: ...

    def parse_response(self, response: httpx.Response) -> ProviderResult | Pending:
        """Map a reply onto findings, a pending job, or raise `ProviderError`."""
        ...


class AsyncHttpAdapter(HttpAdapter, Protocol):
    """A vendor that answers later: submit, then poll `handle` until done."""

    def build_poll(self, pending: Pending, api_key: str) -> httpx.Request: ...

    def parse_poll(self, response: httpx.Response) -> ProviderResult | Pending: ...


class HttpVerifierAdapter(Protocol):
    """A vendor's verification API as a pure translation."""

    name: str

    def build_verify(self, email: str, api_key: str) -> httpx.Request: ...

    def parse_verify(self, response: httpx.Response) -> Verdict: ...


@runtime_checkable
class TokenAuthAdapter(Protocol):
    """A vendor whose key is exchanged for a short-lived bearer token first (Snov.io).
    The engine caches the token and passes it to `build_request` in place of the key."""

    def build_token_request(self, api_key: str) -> httpx.Request: ...

    def parse_token(self, response: httpx.Response) -> tuple[str, float]:
        """Return (token, lifetime in seconds), or raise `ProviderError`."""
        ...
