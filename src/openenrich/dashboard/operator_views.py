"""The providers page: configured sources and key status (as `providers check`), the call
log's figures (as `providers stats`) and this process's circuit breakers."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta

from openenrich.dashboard.deps import Provided
from openenrich.db import Database, utcnow
from openenrich.waterfall.calllog import ProviderStats, call_stats
from openenrich.waterfall.cli import KeyCheck
from openenrich.waterfall.cli import check_keys as run_checks
from openenrich.waterfall.config import WaterfallConfig, load_config
from openenrich.waterfall.factory import SourceStatus, describe_sources

STATS_DAYS = 30


@dataclass
class ProvidersView:
    sources: list[SourceStatus] = field(default_factory=list)
    stats: list[ProviderStats] = field(default_factory=list)
    breakers: list[tuple[str, str, str]] = field(default_factory=list)  # source, key, state
    checks: list[KeyCheck] | None = None
    problem: str | None = None
    days: int = STATS_DAYS


def _config() -> tuple[WaterfallConfig | None, str | None]:
    try:
        return load_config(), None
    except (OSError, ValueError) as exc:
        return None, f"The waterfall configuration cannot be read: {exc}"


async def providers_view(
    db: Database, found: Provided, checks: list[KeyCheck] | None
) -> ProvidersView:
    config, problem = _config()
    view = ProvidersView(checks=checks, problem=problem)
    if config is not None:
        view.sources = describe_sources(config)
    view.stats = await call_stats(db, since=utcnow() - timedelta(days=STATS_DAYS))
    if found.live is not None:
        for name, guard in sorted(found.live.guards.items()):
            for slot in guard.slots:
                view.breakers.append((name, slot.key_id, slot.breaker.state.value))
    return view


async def check_keys(found: Provided) -> list[KeyCheck]:
    config, problem = _config()
    if config is None:
        return [KeyCheck("configuration", None, False, problem or "unreadable")]
    return await run_checks(config, found.http)
