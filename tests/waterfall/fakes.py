"""Simulated vendors for the engine's tests: an HTTP service behind `httpx.MockTransport`
that can fail on demand, the adapters that speak to it, and in-process sources."""

from __future__ import annotations

import asyncio
import itertools
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import httpx
import orjson

from openenrich.domain import (
    ContactQuery,
    EmailFinding,
    EmailStatus,
    Field,
    LineType,
    PhoneFinding,
    Verdict,
)
from openenrich.providers.base import ErrorKind, Pending, ProviderError, ProviderResult

# Faults a vendor can be told to produce, consumed one per request.
FAULT_500 = "500"
FAULT_HANG = "hang"
FAULT_429 = "429"  # with Retry-After: 0.05
FAULT_GARBAGE = "garbage"
FAULT_QUOTA = "quota"
FAULT_AUTH = "auth"


def person_key(first: str, last: str, domain: str) -> str:
    return f"{first.lower()}|{last.lower()}|{domain.lower()}"


@dataclass
class Vendor:
    """One simulated vendor. `people` maps person_key -> answer dict (email, status,
    phone, line_type); charges `price` per answered request that found something."""

    name: str
    people: dict[str, dict[str, Any]] = field(default_factory=dict)
    price: float = 1.0
    faults: list[str] = field(default_factory=list)
    fault_for: Callable[[str], str | None] | None = None  # per-input faults
    delay: float = 0.0
    asynchronous: bool = False
    never_done: bool = False  # asynchronous jobs that never finish
    requests: int = 0
    answered: Counter[str] = field(default_factory=Counter)  # person_key -> answers given
    charged: float = 0.0
    in_flight: int = 0
    max_in_flight: int = 0
    log: list[str] = field(default_factory=list)
    _jobs: dict[str, str] = field(default_factory=dict)
    _ids: itertools.count[int] = field(default_factory=itertools.count)

    async def handle(self, request: httpx.Request) -> httpx.Response:
        self.requests += 1
        self.in_flight += 1
        self.max_in_flight = max(self.max_in_flight, self.in_flight)
        try:
            return await self._handle(request)
        finally:
            self.in_flight -= 1

    async def _handle(self, request: httpx.Request) -> httpx.Response:
        if request.headers.get("x-key") == "bad":
            return httpx.Response(401, json={"error": "invalid key"})
        params = request.url.params
        key = person_key(params.get("first", ""), params.get("last", ""), params.get("domain", ""))
        if request.url.path.endswith("/poll"):
            key = self._jobs[params["id"]]
            self.log.append(f"poll:{key}")
            if self.never_done:
                return httpx.Response(202, json={"id": params["id"]})
        else:
            self.log.append(f"find:{key}")
        fault = self.faults.pop(0) if self.faults else None
        if fault is None and self.fault_for is not None:
            fault = self.fault_for(key)
        if fault == FAULT_HANG:
            await asyncio.sleep(3600)
        if self.delay:
            await asyncio.sleep(self.delay)
        if fault == FAULT_500:
            return httpx.Response(503, text="upstream unavailable")
        if fault == FAULT_429:
            return httpx.Response(429, headers={"Retry-After": "0.05"}, json={"error": "slow"})
        if fault == FAULT_GARBAGE:
            return httpx.Response(200, text="<html>gateway error</html>")
        if fault == FAULT_QUOTA:
            return httpx.Response(402, json={"error": "no credits left"})
        if fault == FAULT_AUTH:
            return httpx.Response(401, json={"error": "invalid key"})
        if self.asynchronous and not request.url.path.endswith("/poll"):
            job = f"job{next(self._ids)}"
            self._jobs[job] = key
            return httpx.Response(202, json={"id": job})
        answer = self.people.get(key)
        self.answered[key] += 1
        if answer is None:
            return httpx.Response(404, json={"error": "no match"})
        self.charged += self.price
        return httpx.Response(200, json=answer)


class Internet:
    """Routes requests to vendors by host (`<name>.test`)."""

    def __init__(self, *vendors: Vendor) -> None:
        self.vendors = {vendor.name: vendor for vendor in vendors}

    async def __call__(self, request: httpx.Request) -> httpx.Response:
        return await self.vendors[request.url.host.removesuffix(".test")].handle(request)

    def client(self) -> httpx.AsyncClient:
        return httpx.AsyncClient(transport=httpx.MockTransport(self))


def _classify(response: httpx.Response) -> None:
    if response.status_code == 401:
        raise ProviderError(ErrorKind.AUTH, "401")
    if response.status_code == 402:
        raise ProviderError(ErrorKind.QUOTA, "402")
    if response.status_code == 429:
        retry = response.headers.get("retry-after")
        raise ProviderError(ErrorKind.RATE_LIMITED, "429", float(retry) if retry else None)
    if response.status_code >= 500:
        raise ProviderError(ErrorKind.TRANSIENT, str(response.status_code))


def _findings(data: dict[str, Any]) -> ProviderResult:
    findings: list[Any] = []
    if data.get("email"):
        status = data.get("status")
        findings.append(
            EmailFinding(
                data["email"],
                Field(data.get("field", Field.WORK_EMAIL)),
                EmailStatus(status) if status else None,
            )
        )
    if data.get("phone"):
        findings.append(PhoneFinding(data["phone"], LineType(data.get("line_type", "UNKNOWN"))))
    return ProviderResult(findings=findings)


class FakeAdapter:
    """An `HttpAdapter` for a simulated vendor (plus polling when asynchronous)."""

    def __init__(self, name: str, fields: frozenset[Field] = frozenset({Field.WORK_EMAIL})):
        self.name = name
        self.fields = fields

    def build_request(
        self, query: ContactQuery, fields: frozenset[Field], api_key: str
    ) -> httpx.Request:
        return httpx.Request(
            "GET",
            f"https://{self.name}.test/find",
            params={"first": query.first_name, "last": query.last_name, "domain": query.domain},
            headers={"X-Key": api_key},
        )

    def parse_response(self, response: httpx.Response) -> ProviderResult | Pending:
        _classify(response)
        if response.status_code == 404:
            return ProviderResult()
        data = orjson.loads(response.content)
        if response.status_code == 202:
            return Pending(handle=data["id"], poll_after=0.01)
        return _findings(data)

    def build_poll(self, pending: Pending, api_key: str) -> httpx.Request:
        return httpx.Request(
            "GET",
            f"https://{self.name}.test/poll",
            params={"id": pending.handle},
            headers={"X-Key": api_key},
        )

    def parse_poll(self, response: httpx.Response) -> ProviderResult | Pending:
        return self.parse_response(response)


class FakeVerifierAdapter:
    """An `HttpVerifierAdapter`: the vendor's `people` maps an email to its status."""

    def __init__(self, name: str) -> None:
        self.name = name

    def build_verify(self, email: str, api_key: str) -> httpx.Request:
        return httpx.Request(
            "GET",
            f"https://{self.name}.test/verify",
            params={"first": email},
            headers={"X-Key": api_key},
        )

    def parse_verify(self, response: httpx.Response) -> Verdict:
        _classify(response)
        email = response.request.url.params["first"]
        if response.status_code == 404:
            return Verdict(email=email, status=EmailStatus.UNKNOWN)
        return Verdict(email=email, status=EmailStatus(orjson.loads(response.content)["status"]))


class LocalFinder:
    """An in-process `Provider` (like the built-in finder): `answers` by person key."""

    def __init__(
        self,
        name: str,
        answers: dict[str, ProviderResult],
        fields: frozenset[Field] = frozenset({Field.WORK_EMAIL}),
        delay: float = 0.0,
        default: ProviderResult | None = None,
    ) -> None:
        self.name = name
        self.answers = answers
        self.default = default or ProviderResult()
        self.fields = fields
        self.delay = delay
        self.calls: Counter[str] = Counter()

    async def find(self, query: ContactQuery, fields: frozenset[Field]) -> ProviderResult:
        key = person_key(query.first_name, query.last_name, query.domain)
        self.calls[key] += 1
        if self.delay:
            await asyncio.sleep(self.delay)
        answer = self.answers.get(key, self.default)
        return ProviderResult(findings=list(answer.findings), cost=answer.cost)


class LocalVerifier:
    """An in-process `Verifier`: `statuses` by email; anything else is INVALID."""

    def __init__(self, name: str, statuses: dict[str, EmailStatus]) -> None:
        self.name = name
        self.statuses = statuses
        self.calls: Counter[str] = Counter()

    async def verify(self, email: str) -> Verdict:
        self.calls[email] += 1
        return Verdict(email=email, status=self.statuses.get(email, EmailStatus.INVALID))


class FakeClock:
    def __init__(self, start: float = 1000.0) -> None:
        self.now = start

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds
