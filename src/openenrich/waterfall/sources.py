"""Sources as the waterfall sees them: a vendor adapter or an in-process provider, behind
the result cache and its `SourceGuard`. Both wrappers are themselves a `Provider` /
`Verifier`, and declare what the engine reads of them (`Priced`, `TrustingSource`,
`PricedVerifier` in `providers.base`)."""

from __future__ import annotations

import asyncio
import time
from contextvars import ContextVar
from typing import Any, TypeVar

import httpx

from openenrich.domain import CompanyQuery, ContactQuery, EmailStatus, Field, Verdict
from openenrich.providers.base import (
    CompanyAdapter,
    ErrorKind,
    FinderSource,
    HttpAdapter,
    HttpVerifierAdapter,
    Pending,
    PollingAdapter,
    Provider,
    ProviderError,
    ProviderResult,
    TokenAuthAdapter,
    Verifier,
    VerifierSource,
)
from openenrich.waterfall import metrics
from openenrich.waterfall.cache import Codec, ResultCache
from openenrich.waterfall.calllog import FOUND, MISS, PENDING, CallRecord
from openenrich.waterfall.codec import (
    dump_company,
    dump_findings,
    dump_verdict,
    load_company,
    load_findings,
    load_verdict,
)
from openenrich.waterfall.config import CacheConfig, ProviderConfig
from openenrich.waterfall.guard import Attempt, KeySlot, SourceGuard
from openenrich.waterfall.normalise import (
    company_hash,
    company_key,
    find_key,
    query_hash,
    verify_key,
)
from openenrich.waterfall.policies import Sleep

# Cache scope of the running enrichment: "" shares answers across the server; the engine
# sets the workspace id here when answers are kept per workspace.
CACHE_SCOPE: ContextVar[str] = ContextVar("openenrich_cache_scope", default="")

T = TypeVar("T")

DAY = 86_400.0
MAX_POLL_INTERVAL = 30.0


def find_codec(config: CacheConfig) -> Codec[ProviderResult]:
    return Codec(
        kind="find",
        encode=lambda result: dump_findings(result.findings),
        decode=lambda payload: ProviderResult(findings=load_findings(payload)),
        found=lambda result: bool(result.findings),
        ttl=lambda result: (config.hit_ttl_days if result.findings else config.miss_ttl_days) * DAY,
    )


def company_codec(config: CacheConfig) -> Codec[dict[str, Any]]:
    """A company lookup's answer; a miss is kept as `{}` (the cache holds no None)."""
    return Codec(
        kind="company",
        encode=dump_company,
        decode=load_company,
        found=bool,
        ttl=lambda company: (config.hit_ttl_days if company else config.miss_ttl_days) * DAY,
    )


def verify_codec(config: CacheConfig) -> Codec[Verdict]:
    return Codec(
        kind="verify",
        encode=dump_verdict,
        decode=load_verdict,
        found=lambda verdict: verdict.status.is_found,
        # UNKNOWN is an answer we may get better next time: not kept.
        ttl=lambda verdict: (
            0.0 if verdict.status is EmailStatus.UNKNOWN else config.verify_ttl_days * DAY
        ),
    )


async def _send(http: httpx.AsyncClient, request: httpx.Request, ctx: Attempt) -> httpx.Response:
    response = await http.send(request)
    ctx.http_status = response.status_code
    return response


def _same(value: T) -> T:
    return value


class _Priced:
    config: ProviderConfig

    def price(self, reported: float, found: bool) -> float:
        """The configured price of a completed call, or the cost the source reported."""
        per_call, per_hit = self.config.price_per_call, self.config.price_per_hit
        if per_call is None and per_hit is None:
            return reported
        return (per_call or 0.0) + ((per_hit or 0.0) if found else 0.0)

    @property
    def expected_cost(self) -> float:
        """An upper bound of one call's price, for the per-contact cost cap."""
        return (self.config.price_per_call or 0.0) + (self.config.price_per_hit or 0.0)


class GuardedProvider(_Priced):
    """A finder with every engine policy applied; `find` returns what this call cost."""

    def __init__(
        self,
        name: str,
        source: FinderSource,
        guard: SourceGuard,
        cache: ResultCache,
        *,
        http: httpx.AsyncClient | None = None,
        sleep: Sleep = asyncio.sleep,
        cache_scope: str | None = None,
    ) -> None:
        self.name = name
        self.source = source
        self.sleep = sleep
        # A fixed cache scope (a workspace's own key: its answers are never shared).
        self.cache_scope = cache_scope
        self.fields: frozenset[Field] = frozenset(source.fields)
        self.guard = guard
        self.config = guard.config
        self.cache = cache
        self.http = http
        self.trusted_statuses = frozenset(self.config.trusted_statuses)
        self.codec = find_codec(cache.config)
        self.company_codec = company_codec(cache.config)
        self._cache_hit = metrics.CACHE.labels(name, "hit")
        self._cache_miss = metrics.CACHE.labels(name, "miss")
        # What the source can do, read once from the capabilities it declares.
        self._adapter: HttpAdapter | None = None
        self._local: Provider | None = None
        if isinstance(source, HttpAdapter):
            self._adapter = source
        else:
            self._local = source
        self._poller = source if isinstance(source, PollingAdapter) else None
        self._token_auth = source if isinstance(source, TokenAuthAdapter) else None
        self._company: CompanyAdapter | None = (
            source if isinstance(source, CompanyAdapter) else None
        )
        if self._adapter is not None and http is None:
            raise ValueError(f"{name}: an HTTP adapter needs an httpx client")

    def _describe(self, value: ProviderResult | Pending) -> tuple[str, float]:
        if isinstance(value, Pending):
            return PENDING, 0.0
        found = bool(value.findings)
        return (FOUND if found else MISS), self.price(value.cost, found)

    async def find(self, query: ContactQuery, fields: frozenset[Field]) -> ProviderResult:
        asked = (fields & self.fields) or self.fields
        digest = query_hash(query)
        scope = CACHE_SCOPE.get() if self.cache_scope is None else self.cache_scope
        key = find_key(scope, self.name, asked, digest)
        result, fresh = await self.cache.fetch(
            key, self.name, self.codec, lambda: self._fetch(query, asked, digest, key)
        )
        (self._cache_miss if fresh else self._cache_hit).inc()
        cost = self.price(result.cost, bool(result.findings)) if fresh else 0.0
        return ProviderResult(findings=list(result.findings), cost=cost)

    async def _fetch(
        self, query: ContactQuery, fields: frozenset[Field], digest: str, key: str
    ) -> ProviderResult:
        job_key = f"job:{key}"
        adapter = self._adapter
        opened = await self.cache.open_job(job_key) if adapter is not None else None
        if opened is not None:  # accepted before a crash: poll it, do not pay again
            slot = self.guard.slot(opened[0]) or self.guard.pick()
            return await self._poll_job(opened[1], digest, slot, job_key)
        slot = self.guard.pick()
        if self._local is not None:
            provider = self._local

            async def plain(_: Attempt) -> ProviderResult:
                return await provider.find(query, fields)

            return await self.guard.call("find", digest, plain, _same, self._describe, slot=slot)
        assert adapter is not None and self.http is not None
        http = self.http
        credential = await self._credential(slot)

        async def submit(ctx: Attempt) -> httpx.Response:
            return await _send(http, adapter.build_request(query, fields, credential), ctx)

        value = await self.guard.call(
            "find", digest, submit, adapter.parse_response, self._describe, slot=slot
        )
        if isinstance(value, ProviderResult):
            return value
        await self.cache.remember_job(
            job_key, self.name, slot.key_id, value, self.config.poll_deadline
        )
        return await self._poll_job(value, digest, slot, job_key)

    @property
    def serves_companies(self) -> bool:
        return self._company is not None and self.http is not None

    async def lookup_company(self, query: CompanyQuery) -> tuple[dict[str, Any], float]:
        """The company `query` names (`{}` for none) and what this call cost (0 when the
        answer came from the cache or an identical call in flight); failures raise
        `ProviderError`."""
        adapter = self._company
        if adapter is None or self.http is None:
            raise ProviderError(ErrorKind.BAD_REQUEST, f"{self.name} does not enrich companies")
        digest = company_hash(query)
        scope = CACHE_SCOPE.get() if self.cache_scope is None else self.cache_scope
        key = company_key(scope, self.name, digest)
        company, fresh = await self.cache.fetch(
            key,
            self.name,
            self.company_codec,
            lambda: self._fetch_company(adapter, query, digest),
        )
        (self._cache_miss if fresh else self._cache_hit).inc()
        return dict(company), (self.price(0.0, bool(company)) if fresh else 0.0)

    def _describe_company(self, company: dict[str, Any]) -> tuple[str, float]:
        found = bool(company)
        return (FOUND if found else MISS), self.price(0.0, found)

    async def _fetch_company(
        self, adapter: CompanyAdapter, query: CompanyQuery, digest: str
    ) -> dict[str, Any]:
        assert self.http is not None
        http = self.http
        slot = self.guard.pick()
        credential = await self._credential(slot)

        async def submit(ctx: Attempt) -> httpx.Response:
            return await _send(http, adapter.build_company_request(query, credential), ctx)

        def finish(response: httpx.Response) -> dict[str, Any]:
            return adapter.parse_company_response(response) or {}

        return await self.guard.call(
            "company", digest, submit, finish, self._describe_company, slot=slot
        )

    async def _poll_job(
        self, job: Pending, digest: str, slot: KeySlot, job_key: str
    ) -> ProviderResult:
        """Poll to the end; the job is forgotten once answered or given up (not when the
        process is stopping: the next process resumes it)."""
        credential = await self._credential(slot)
        try:
            result = await self._poll(job, digest, slot, credential)
        except ProviderError:
            await self.cache.forget_job(job_key)
            raise
        await self.cache.forget_job(job_key)
        return result

    async def _poll(
        self, value: ProviderResult | Pending, digest: str, slot: KeySlot, credential: str
    ) -> ProviderResult:
        """Poll an accepted job with backoff until it answers or the deadline passes; no
        concurrency slot is held while waiting."""
        if isinstance(value, ProviderResult):
            return value
        adapter = self._poller
        if adapter is None:
            raise ProviderError(ErrorKind.BAD_REQUEST, f"{self.name} returned a job to poll")
        assert self.http is not None
        http = self.http
        deadline = time.monotonic() + self.config.poll_deadline
        interval = 0.0
        while isinstance(value, Pending):
            pending = value
            interval = max(pending.poll_after, min(interval * 1.5, MAX_POLL_INTERVAL))
            if time.monotonic() + interval > deadline:
                self.guard.log.record(
                    CallRecord(self.name, slot.key_id, "poll", digest, "deadline", 0.0)
                )
                slot.breaker.record_failure(ErrorKind.TRANSIENT)
                raise ProviderError(ErrorKind.TRANSIENT, f"{self.name}: poll deadline passed")
            await self.sleep(interval)

            async def poll(ctx: Attempt, pending: Pending = pending) -> httpx.Response:
                return await _send(http, adapter.build_poll(pending, credential), ctx)

            value = await self.guard.call(
                "poll", digest, poll, adapter.parse_poll, self._describe, slot=slot
            )
        return value

    async def _credential(self, slot: KeySlot) -> str:
        """The key itself, or the short-lived token it is exchanged for (cached per key)."""
        adapter = self._token_auth
        if adapter is None:
            return slot.api_key
        if slot.token_lock is None:
            slot.token_lock = asyncio.Lock()
        async with slot.token_lock:
            if slot.token is not None and time.monotonic() < slot.token_expires:
                return slot.token
            assert self.http is not None
            http = self.http

            async def exchange(ctx: Attempt) -> httpx.Response:
                return await _send(http, adapter.build_token_request(slot.api_key), ctx)

            token, lifetime = await self.guard.call(
                "token", "", exchange, adapter.parse_token, lambda _: (FOUND, 0.0), slot=slot
            )
            slot.token, slot.token_expires = token, time.monotonic() + lifetime * 0.9
            return token


class GuardedVerifier(_Priced):
    """A verifier with every engine policy applied; `check` also returns what it cost."""

    def __init__(
        self,
        name: str,
        source: VerifierSource,
        guard: SourceGuard,
        cache: ResultCache,
        *,
        http: httpx.AsyncClient | None = None,
    ) -> None:
        self.name = name
        self.source = source
        self.guard = guard
        self.config = guard.config
        self.cache = cache
        self.http = http
        self.codec = verify_codec(cache.config)
        self._cache_hit = metrics.CACHE.labels(name, "hit")
        self._cache_miss = metrics.CACHE.labels(name, "miss")
        self._adapter: HttpVerifierAdapter | None = None
        self._local: Verifier | None = None
        if isinstance(source, HttpVerifierAdapter):
            self._adapter = source
        else:
            self._local = source
        if self._adapter is not None and http is None:
            raise ValueError(f"{name}: an HTTP adapter needs an httpx client")

    async def verify(self, email: str) -> Verdict:
        verdict, _ = await self.check(email)
        return verdict

    async def check(self, email: str) -> tuple[Verdict, float]:
        key = verify_key(CACHE_SCOPE.get(), self.name, email)
        verdict, fresh = await self.cache.fetch(
            key, self.name, self.codec, lambda: self._fetch(email)
        )
        (self._cache_miss if fresh else self._cache_hit).inc()
        return verdict, (self.price(0.0, verdict.status.is_found) if fresh else 0.0)

    def _describe(self, verdict: Verdict) -> tuple[str, float]:
        found = verdict.status.is_found
        return (FOUND if found else MISS), self.price(0.0, found)

    async def _fetch(self, email: str) -> Verdict:
        slot = self.guard.pick()
        digest = verify_key("", "", email)
        describe = self._describe
        adapter = self._adapter
        if adapter is not None:
            assert self.http is not None
            http = self.http

            async def remote(ctx: Attempt) -> httpx.Response:
                return await _send(http, adapter.build_verify(email, ctx.slot.api_key), ctx)

            return await self.guard.call(
                "verify", digest, remote, adapter.parse_verify, describe, slot=slot
            )
        verifier = self._local
        assert verifier is not None

        async def local(_: Attempt) -> Verdict:
            return await verifier.verify(email)

        return await self.guard.call("verify", digest, local, _same, describe, slot=slot)
