"""Everything an adapter author needs to know: what a source answers with, how it fails,
and every hook the waterfall engine will call.

A *source* answers a `ContactQuery` with findings (`openenrich.domain`). Vendor adapters
are pure translations (build a request, parse a response; no I/O); the engine wraps them
with rate limits, retries, breakers, caching and cost accounting, once for all.

A source declares what it can do by the methods it has; each capability below is a small
`Protocol`, and the engine branches on them with `isinstance` (hence `runtime_checkable`).
A source must be one of:

- `Provider`: an in-process finder (`find`), e.g. the built-in finder or a fake.
- `HttpAdapter`: a vendor's finder API (`build_request` / `parse_response`).
- `Verifier`: an in-process verifier (`verify`).
- `HttpVerifierAdapter`: a vendor's verification API (`build_verify` / `parse_verify`).

and may add:

- `PollingAdapter`: the vendor answers later; the engine polls (`build_poll` / `parse_poll`).
- `TokenAuthAdapter`: the key is exchanged for a short-lived token first.
- `CheckableAdapter` (+ `CheckParsingAdapter`): a free call that proves a key works.
- `Learner`: told about confirmed work emails other sources found.
- `CompanyAdapter`: a vendor's company enrichment (`build_company_request` /
  `parse_company_response`), which answers with the spec's `Company`, not findings.

The engine's wrappers add two more the engine itself reads: `Priced` (the most one call
can cost, for the per-contact cap and adaptive ordering), `TrustingSource` (the source
statuses accepted without verification) and `PricedVerifier` (a verdict with its cost).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any, Protocol, runtime_checkable

import httpx

from openenrich.domain import CompanyQuery, ContactQuery, EmailStatus, Field, Finding, Verdict


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

    @property
    def outcome(self) -> str:
        """How the call log and the metrics name this failure."""
        return str(self.kind)


class GarbageReply(ProviderError):
    """A reply that is not what the vendor documents: a body that is not JSON, or JSON of
    the wrong shape (`[]`, a string, `{"data": null}` where an object is due). The source
    did not answer, so this is never read as a miss: it is retried like a transient fault,
    counts against the breaker, is never cached, and is logged as `garbage`."""

    def __init__(self, detail: str = "") -> None:
        super().__init__(ErrorKind.TRANSIENT, detail)

    @property
    def outcome(self) -> str:
        return "garbage"


# --- What a source is -----------------------------------------------------------------


@runtime_checkable
class Provider(Protocol):
    """An in-process finder; also what the waterfall engine calls for every source."""

    name: str
    fields: frozenset[Field]

    async def find(self, query: ContactQuery, fields: frozenset[Field]) -> ProviderResult:
        """Findings for `query` among `fields` (a miss is an empty result), or raise
        `ProviderError`."""
        ...


@runtime_checkable
class HttpAdapter(Protocol):
    """A vendor's finder API as a pure translation. No I/O happens here."""

    name: str
    fields: frozenset[Field]

    def build_request(
        self, query: ContactQuery, fields: frozenset[Field], api_key: str
    ) -> httpx.Request:
        """The lookup request (`api_key` is the token when the adapter is token-auth)."""
        ...

    def parse_response(self, response: httpx.Response) -> ProviderResult | Pending:
        """Map a reply onto findings, a pending job, or raise `ProviderError`."""
        ...


@runtime_checkable
class Verifier(Protocol):
    """An in-process verifier."""

    name: str

    async def verify(self, email: str) -> Verdict:
        """The status of one address (failures raise `ProviderError`)."""
        ...


@runtime_checkable
class HttpVerifierAdapter(Protocol):
    """A vendor's verification API as a pure translation."""

    name: str

    def build_verify(self, email: str, api_key: str) -> httpx.Request:
        """The request that checks one address."""
        ...

    def parse_verify(self, response: httpx.Response) -> Verdict:
        """Map a reply onto a verdict, or raise `ProviderError`."""
        ...


# --- What a source may add ------------------------------------------------------------


@runtime_checkable
class PollingAdapter(Protocol):
    """A vendor that answers later: `parse_response` returns `Pending`, then the engine
    polls `handle` (with backoff, up to the configured deadline) until done."""

    def build_poll(self, pending: Pending, api_key: str) -> httpx.Request:
        """The request that asks whether the job is done."""
        ...

    def parse_poll(self, response: httpx.Response) -> ProviderResult | Pending:
        """The findings, still `Pending`, or raise `ProviderError`."""
        ...


class AsyncHttpAdapter(HttpAdapter, PollingAdapter, Protocol):
    """A finder API that answers later: an `HttpAdapter` that is also a `PollingAdapter`."""


@runtime_checkable
class TokenAuthAdapter(Protocol):
    """A vendor whose key is exchanged for a short-lived bearer token first (Snov.io).
    The engine caches the token and passes it to `build_request` in place of the key."""

    def build_token_request(self, api_key: str) -> httpx.Request:
        """The request that exchanges a key for a token."""
        ...

    def parse_token(self, response: httpx.Response) -> tuple[str, float]:
        """Return (token, lifetime in seconds), or raise `ProviderError`."""
        ...


@runtime_checkable
class CheckableAdapter(Protocol):
    """A request that proves a key works without spending credits (an account or balance
    endpoint), for `openenrich providers check`. Without `parse_check`, the HTTP status
    decides. A `TokenAuthAdapter` is checked by its key exchange instead."""

    def build_check(self, api_key: str) -> httpx.Request:
        """The free, authenticated request."""
        ...


@runtime_checkable
class CheckParsingAdapter(CheckableAdapter, Protocol):
    """A `CheckableAdapter` that reads the check's reply itself."""

    def parse_check(self, response: httpx.Response) -> None:
        """Return if the key works, or raise `ProviderError`."""
        ...


@runtime_checkable
class Learner(Protocol):
    """A finder that learns a domain's address pattern (the built-in finder): told about
    every DELIVERABLE work email another source found. Failures are ignored."""

    async def learn(self, email: str, first_name: str, last_name: str) -> str | None:
        """Learn from a confirmed address; returns the pattern learnt, if any."""
        ...


@runtime_checkable
class CompanyAdapter(Protocol):
    """A vendor's company enrichment as a pure translation, like `HttpAdapter`: the engine
    sends the request and hands back the reply."""

    name: str

    def build_company_request(self, query: CompanyQuery, api_key: str) -> httpx.Request:
        """The lookup request; raise `ProviderError` (BAD_REQUEST) when `query` lacks what
        this vendor needs."""
        ...

    def parse_company_response(self, response: httpx.Response) -> dict[str, Any] | None:
        """The spec's `Company` without `id` (ours to assign), None for no match, or
        raise `ProviderError`."""
        ...


# --- What the engine's wrappers add (adapters need not implement these) ---------------


@runtime_checkable
class Priced(Protocol):
    """A source whose price is configured."""

    @property
    def expected_cost(self) -> float:
        """An upper bound of one call's price (per-contact cap, adaptive ordering)."""
        ...


@runtime_checkable
class TrustingSource(Protocol):
    """A finder whose own email statuses are (partly) trusted."""

    @property
    def trusted_statuses(self) -> frozenset[EmailStatus]:
        """Statuses accepted as they are, without asking a verifier."""
        ...


@runtime_checkable
class PricedVerifier(Protocol):
    """A verifier that says what each answer cost."""

    name: str

    async def check(self, email: str) -> tuple[Verdict, float]:
        """The verdict, and what it cost (0 when it came from the cache)."""
        ...


FinderSource = Provider | HttpAdapter
VerifierSource = Verifier | HttpVerifierAdapter
Source = FinderSource | VerifierSource
