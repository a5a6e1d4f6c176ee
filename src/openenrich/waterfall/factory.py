"""Build a `Waterfall` from the configuration: resolve each named source (in-process ones
passed in, vendor adapters from the registry), read its keys, wrap it in the policies."""

from __future__ import annotations

import asyncio
import logging
import os
import time
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass, field

import httpx
from limits.aio.storage import Storage

from openenrich.db import Database
from openenrich.domain import Field
from openenrich.providers import registry
from openenrich.providers.base import (
    HttpAdapter,
    HttpVerifierAdapter,
    Provider,
    Source,
    Verifier,
)
from openenrich.waterfall.cache import ResultCache
from openenrich.waterfall.calllog import CallLog
from openenrich.waterfall.config import WaterfallConfig
from openenrich.waterfall.engine import Waterfall
from openenrich.waterfall.guard import SourceGuard
from openenrich.waterfall.ordering import AdaptiveRanker
from openenrich.waterfall.policies import Clock, Sleep, limiter_storage
from openenrich.waterfall.sources import GuardedProvider, GuardedVerifier
from openenrich.waterfall.stop import StopRules
from openenrich.waterfall.store import BatchWriter

log = logging.getLogger(__name__)


@dataclass(slots=True)
class SourceStatus:
    """What `openenrich providers list` shows for one configured name."""

    name: str
    adapter: str
    roles: list[str] = field(default_factory=list)  # field names, or "verifier"
    keys: int = 0
    problem: str | None = None  # None when usable

    @property
    def usable(self) -> bool:
        return self.problem is None


def _resolve(
    name: str,
    config: WaterfallConfig,
    local: Mapping[str, Source],
    environ: Mapping[str, str],
) -> tuple[Source | None, list[str], str | None]:
    """(source, api keys, problem) for one configured name: an in-process source passed
    in, or the vendor adapter of that name."""
    if name in local:
        return local[name], config.provider(name).api_keys(environ), None
    return _vendor(name, config, environ)


def _vendor(
    name: str, config: WaterfallConfig, environ: Mapping[str, str]
) -> tuple[Source | None, list[str], str | None]:
    """(adapter, api keys, problem) for a configured vendor."""
    provider_config = config.provider(name)
    if not provider_config.enabled:
        return None, [], "disabled"
    adapter_name = provider_config.adapter or name
    try:
        adapter: Source = registry.create_adapter(adapter_name, base_url=provider_config.base_url)
    except registry.AdapterUnavailable as exc:
        return None, [], str(exc)
    keys = provider_config.api_keys(environ)
    if not keys:
        wanted = ", ".join(provider_config.key_envs) or "none configured"
        return adapter, [], f"no API key in the environment ({wanted})"
    return adapter, keys, None


def _enriches_companies(adapter: str) -> bool:
    """Whether the registered adapter `adapter` has a company enrichment."""
    try:
        cls = registry.adapter_class(adapter)
    except registry.AdapterUnavailable:
        return False
    return all(
        callable(getattr(cls, m, None)) for m in ("build_company_request", "parse_company_response")
    )


def company_names(config: WaterfallConfig) -> list[str]:
    """The sources of a company lookup, in order: `companies` when the file sets it,
    else every source in [order] whose adapter enriches companies."""
    if config.companies is not None:
        return list(config.companies)
    named = dict.fromkeys(name for names in config.order.values() for name in names)
    return [n for n in named if _enriches_companies(config.provider(n).adapter or n)]


def describe_sources(
    config: WaterfallConfig,
    *,
    local: Collection[str] = ("builtin",),
    environ: Mapping[str, str] | None = None,
) -> list[SourceStatus]:
    """Every configured name, with its roles, key count and problem. `local` names the
    in-process sources of this installation."""
    env = os.environ if environ is None else environ
    roles: dict[str, list[str]] = {}
    for field_name, names in config.order.items():
        for name in names:
            roles.setdefault(name, []).append(field_name)
    for name in config.verifiers:
        roles.setdefault(name, []).append("verifier")
    for name in company_names(config):
        roles.setdefault(name, []).append("company")
    for name in config.providers:
        roles.setdefault(name, [])
    statuses = []
    for name, its_roles in roles.items():
        if name in local:
            source_found, keys, problem = True, config.provider(name).api_keys(env), None
        else:
            source, keys, problem = _vendor(name, config, env)
            source_found = source is not None
        if problem is None and source_found and not its_roles:
            problem = "not used in [order], verifiers or companies"
        statuses.append(
            SourceStatus(
                name=name,
                adapter=config.provider(name).adapter or name,
                roles=its_roles,
                keys=len(keys),
                problem=problem,
            )
        )
    return statuses


def build_waterfall(
    config: WaterfallConfig,
    http: httpx.AsyncClient,
    *,
    db: Database | None = None,
    redis_url: str | None = None,
    verifiers: Sequence[Verifier] = (),
    extra_providers: Mapping[str, Provider] | None = None,
    environ: Mapping[str, str] | None = None,
    clock: Clock = time.monotonic,
    sleep: Sleep = asyncio.sleep,
    keep_log: bool = False,
) -> Waterfall:
    """The configured waterfall. `verifiers` and `extra_providers` are in-process sources
    referred to by name in the file (the built-in finder and verifier are "builtin");
    sources that are unknown, disabled or without a key are left out with a warning.
    `sleep` waits between polls of asynchronous vendors (the worker's slot-freeing one)."""
    env = os.environ if environ is None else environ
    writer = BatchWriter(db) if db is not None else None
    call_log = CallLog(writer, keep=keep_log)
    cache = ResultCache(config.cache, db=db, writer=writer)
    storage: Storage | None = None
    if any(p.rate_limit for p in config.providers.values()):
        storage = limiter_storage(redis_url)

    guards: dict[str, SourceGuard] = {}

    def guard_for(name: str, keys: list[str]) -> SourceGuard:
        if name not in guards:
            guards[name] = SourceGuard(
                name,
                config.provider(name),
                config.breaker,
                call_log,
                api_keys=keys,
                storage=storage,
                clock=clock,
            )
        return guards[name]

    local_providers: dict[str, Source] = dict(extra_providers or {})
    order: dict[Field, list[Provider]] = {}
    built: dict[str, GuardedProvider] = {}
    for wanted, names in config.field_order().items():
        for name in names:
            if name not in built:
                source, keys, problem = _resolve(name, config, local_providers, env)
                if problem is not None or source is None:
                    log.warning("source %s left out: %s", name, problem or "not available")
                    continue
                if not isinstance(source, HttpAdapter | Provider):
                    log.warning("source %s left out: not a finder", name)
                    continue
                built[name] = GuardedProvider(
                    name, source, guard_for(name, keys), cache, http=http, sleep=sleep
                )
            provider = built[name]
            if wanted not in provider.fields:
                log.warning("source %s does not serve %s; left out of that field", name, wanted)
                continue
            order.setdefault(wanted, []).append(provider)

    companies: list[GuardedProvider] = []
    for name in company_names(config):
        if name not in built:
            source, keys, problem = _resolve(name, config, local_providers, env)
            if problem is not None or source is None:
                log.warning("company source %s left out: %s", name, problem or "not available")
                continue
            if not isinstance(source, HttpAdapter | Provider):
                log.warning("company source %s left out: not a finder", name)
                continue
            built[name] = GuardedProvider(
                name, source, guard_for(name, keys), cache, http=http, sleep=sleep
            )
        if not built[name].serves_companies:
            log.warning("source %s does not enrich companies; left out of company lookups", name)
            continue
        companies.append(built[name])

    local_verifiers: dict[str, Source] = {v.name: v for v in verifiers}
    guarded_verifiers: list[Verifier] = []
    for name in config.verifiers:
        source, keys, problem = _resolve(name, config, local_verifiers, env)
        if problem is not None or source is None:
            log.warning("verifier %s left out: %s", name, problem or "not available")
            continue
        if not isinstance(source, HttpVerifierAdapter | Verifier):
            log.warning("verifier %s left out: not a verifier", name)
            continue
        guarded_verifiers.append(
            GuardedVerifier(name, source, guard_for(name, keys), cache, http=http)
        )

    waterfall = Waterfall(
        order,
        verifiers=guarded_verifiers,
        companies=companies,
        rules=StopRules(
            email_stop_status=config.email_stop_status,
            safe_only=config.safe_only,
            phone_requires_mobile=config.phone_requires_mobile,
        ),
        max_cost_per_contact=config.max_cost_per_contact,
        ranker=AdaptiveRanker() if config.ordering == "adaptive" else None,
        per_workspace_cache=config.cache.scope == "workspace",
        closers=[writer.aclose] if writer is not None else [],
    )
    waterfall.guards = guards
    waterfall.call_log = call_log
    waterfall.cache = cache
    waterfall.writer = writer
    return waterfall
