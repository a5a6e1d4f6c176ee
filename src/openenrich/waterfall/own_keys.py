"""The vendor keys a workspace brought, as waterfall sources: each key gets a guard of its
own under the same policies as the server's source of that vendor (concurrency, rate
limit, timeout, retries, breaker), logs its calls, and caches its answers in a scope of
its own, so a workspace's key never serves another workspace."""

from __future__ import annotations

import asyncio
import hashlib
import time
from collections.abc import Awaitable, Callable, Sequence
from typing import Any

import httpx
from cachetools import LRUCache, TTLCache
from sqlalchemy import select

from openenrich.accounts.provider_keys import VENDORS, ProviderKeys
from openenrich.accounts.team_models import ProviderKey
from openenrich.db import Database
from openenrich.domain import Field
from openenrich.providers import registry
from openenrich.waterfall.cache import ResultCache
from openenrich.waterfall.calllog import CallLog
from openenrich.waterfall.config import ProviderConfig, WaterfallConfig
from openenrich.waterfall.engine import OwnSource, Waterfall
from openenrich.waterfall.guard import SourceGuard
from openenrich.waterfall.policies import Sleep, limiter_storage
from openenrich.waterfall.sources import GuardedProvider

Loader = Callable[[str, str | None], Awaitable[list[ProviderKey]]]


def _policy(config: WaterfallConfig, adapter: str) -> ProviderConfig:
    """The server's policy for this vendor (its source of that adapter, or the defaults),
    priced at zero: the workspace's own vendor account pays for these calls."""
    for name, provider in config.providers.items():
        if (provider.adapter or name) == adapter:
            return provider.model_copy(
                update={"price_per_call": 0.0, "price_per_hit": 0.0, "api_key_env": None}
            )
    return ProviderConfig(price_per_call=0.0, price_per_hit=0.0)


class OwnKeySources:
    """`await sources(workspace_id, sub_account_id)`: the scope's enabled keys as sources.
    A sub-account uses its own key for a vendor, else the workspace's."""

    def __init__(
        self,
        db: Database,
        keys: ProviderKeys,
        config: WaterfallConfig,
        waterfall: Waterfall,
        http: httpx.AsyncClient,
        *,
        redis_url: str | None = None,
        sleep: Sleep = asyncio.sleep,
        ttl: float = 5.0,
    ) -> None:
        self.db = db
        self.keys = keys
        self.config = config
        self.http = http
        self.sleep = sleep
        self.call_log = waterfall.call_log or CallLog()
        self.cache = waterfall.cache or ResultCache(config.cache)
        self.storage = limiter_storage(redis_url) if redis_url else None
        self._rows: TTLCache[tuple[str, str], list[ProviderKey]] = TTLCache(
            10_000, ttl, timer=time.monotonic
        )
        self._built: LRUCache[tuple[str, ...], GuardedProvider] = LRUCache(4096)

    def forget(self) -> None:
        """Keys changed in this process: read them again (other processes within `ttl`)."""
        self._rows.clear()

    async def _load(self, workspace_id: str, scope: str) -> list[ProviderKey]:
        cached = self._rows.get((workspace_id, scope))
        if cached is not None:
            return cached
        async with self.db.read() as session:
            rows = list(
                (
                    await session.execute(
                        select(ProviderKey).where(
                            ProviderKey.workspace_id == workspace_id,
                            ProviderKey.scope.in_({"", scope}),
                        )
                    )
                ).scalars()
            )
        self._rows[(workspace_id, scope)] = rows
        return rows

    async def __call__(self, workspace_id: str, sub_account_id: str | None) -> Sequence[OwnSource]:
        scope = sub_account_id or ""
        chosen: dict[str, ProviderKey] = {}
        for row in await self._load(workspace_id, scope):
            if row.provider not in VENDORS:
                continue
            if row.provider not in chosen or row.scope == scope:
                chosen[row.provider] = row
        sources = []
        for row in chosen.values():
            if row.enabled is False:
                continue
            source = self._source(workspace_id, row)
            if source is not None:
                sources.append(source)
        return sources

    def _source(self, workspace_id: str, row: ProviderKey) -> OwnSource | None:
        vendor = VENDORS[row.provider]
        credentials = self.keys.open(row)
        if credentials is None:  # sealed under another server secret
            return None
        credential = vendor.credential(credentials)
        fingerprint = hashlib.sha256(credential.encode()).hexdigest()[:16]
        ident = (workspace_id, row.scope, row.provider, fingerprint)
        provider = self._built.get(ident)
        if provider is None:
            provider = self._build(workspace_id, row, vendor.adapter, credential)
            self._built[ident] = provider
        types = row.data_types or vendor.data_types
        return OwnSource(
            provider=provider,
            vendor=row.provider,
            adapter=vendor.adapter,
            fields=frozenset(Field(t) for t in types),
            verify=row.verify is not False,
            zone=row.zone or "auto",
            priority=row.priority,
        )

    def _build(
        self, workspace_id: str, row: ProviderKey, adapter_name: str, credential: str
    ) -> GuardedProvider:
        adapter: Any = registry.create_adapter(adapter_name)
        name = f"own:{row.provider}"
        guard = SourceGuard(
            name,
            _policy(self.config, adapter_name),
            self.config.breaker,
            self.call_log,
            api_keys=[credential],
            storage=self.storage,
        )
        return GuardedProvider(
            name,
            adapter,
            guard,
            self.cache,
            http=self.http,
            sleep=self.sleep,
            cache_scope=f"own:{workspace_id}:{row.scope}",
        )
