"""`openenrich providers list | check | stats`."""

from __future__ import annotations

import asyncio
import importlib.util
import os
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Annotated

import httpx
import typer
from sqlalchemy.exc import SQLAlchemyError

from openenrich.db import Database, utcnow
from openenrich.providers import registry
from openenrich.waterfall.calllog import call_stats
from openenrich.waterfall.check import check_key
from openenrich.waterfall.config import WaterfallConfig, load_config
from openenrich.waterfall.factory import describe_sources

providers_app = typer.Typer(help="Data sources of the waterfall.", no_args_is_help=True)

ConfigOption = Annotated[
    Path | None, typer.Option("--config", help="TOML file (default: $OPENENRICH_CONFIG).")
]


def _config(path: Path | None) -> WaterfallConfig:
    try:
        return load_config(path)
    except (OSError, ValueError) as exc:
        typer.echo(f"cannot read the configuration: {exc}", err=True)
        raise typer.Exit(2) from exc


def _local() -> tuple[str, ...]:
    """Names of the in-process sources available in this installation."""
    if importlib.util.find_spec("openenrich.providers.builtin") is not None:
        return ("builtin",)
    return ()


@providers_app.command("list")
def list_sources(config: ConfigOption = None) -> None:
    """What is configured, where it is used, and whether it is usable."""
    settings = _config(config)
    rows = describe_sources(settings, local=_local())
    typer.echo(f"{'name':<20} {'adapter':<20} {'used for':<36} {'keys':>4}  status")
    for row in rows:
        roles = ", ".join(row.roles) or "-"
        status = "ok" if row.usable else row.problem
        typer.echo(f"{row.name:<20} {row.adapter:<20} {roles:<36} {row.keys:>4}  {status}")
    unconfigured = sorted(set(registry.ADAPTERS) - {r.adapter for r in rows})
    if unconfigured:
        typer.echo(f"\navailable, not configured: {', '.join(unconfigured)}")


@dataclass(frozen=True, slots=True)
class KeyCheck:
    source: str
    env_name: str | None
    ok: bool | None  # None: present, but the vendor has no free call to check it with
    detail: str

    def line(self) -> str:
        if self.env_name is None:
            return f"{self.source}: {self.detail}"
        mark = {True: "ok", False: "FAILED", None: "unchecked"}[self.ok]
        return f"{self.source} [{self.env_name}]: {mark}: {self.detail}"


async def check_keys(
    settings: WaterfallConfig,
    http: httpx.AsyncClient,
    environ: Mapping[str, str] | None = None,
) -> list[KeyCheck]:
    """Check every configured key with the vendor's cheapest authenticated call (shared by
    the CLI and the dashboard's providers page)."""
    env = os.environ if environ is None else environ
    results: list[KeyCheck] = []
    for name, provider in settings.providers.items():
        if not provider.enabled:
            continue
        if (provider.adapter or name) == "builtin":
            results.append(KeyCheck(name, None, True, "built in, no key needed"))
            continue
        try:
            adapter = registry.create_adapter(provider.adapter or name, base_url=provider.base_url)
        except registry.AdapterUnavailable as exc:
            results.append(KeyCheck(name, None, False, f"unavailable ({exc})"))
            continue
        if not provider.key_envs:
            results.append(KeyCheck(name, None, False, "no api_key_env configured"))
        for env_name in provider.key_envs:
            key = env.get(env_name)
            if not key:
                results.append(KeyCheck(name, env_name, False, "not set in the environment"))
                continue
            result = await check_key(adapter, key, http)
            results.append(KeyCheck(name, env_name, result.ok, result.detail))
    return results


async def check_all(
    settings: WaterfallConfig,
    http: httpx.AsyncClient,
    environ: Mapping[str, str] | None = None,
) -> int:
    """Check every configured key; prints one line per key, returns the failures."""
    results = await check_keys(settings, http, environ)
    for result in results:
        typer.echo(result.line())
    return sum(result.ok is False for result in results)


@providers_app.command("check")
def check(config: ConfigOption = None) -> None:
    """Test each configured key with the vendor's cheapest authenticated call."""

    async def run() -> int:
        async with httpx.AsyncClient(timeout=15.0) as http:
            return await check_all(settings, http)

    settings = _config(config)
    failures = asyncio.run(run())
    if failures:
        raise typer.Exit(1)


async def _stats(database_url: str, days: float, workspace_id: str | None = None) -> None:
    db = Database(database_url)
    try:
        since = utcnow() - timedelta(days=days)
        rows = await call_stats(db, since=since, workspace_id=workspace_id)
    except SQLAlchemyError as exc:
        typer.echo(f"cannot read the call log (is the database migrated?): {exc.code}", err=True)
        raise typer.Exit(1) from exc
    finally:
        await db.dispose()
    typer.echo(
        f"{'provider':<20} {'calls':>8} {'found':>7} {'miss':>7} {'errors':>7} "
        f"{'hit rate':>8} {'cost':>10} {'cost/found':>10} {'avg ms':>8}"
    )
    for s in rows:
        per_found = f"{s.cost_per_found:.4f}" if s.cost_per_found is not None else "-"
        typer.echo(
            f"{s.provider:<20} {s.calls:>8} {s.found:>7} {s.misses:>7} {s.errors:>7} "
            f"{s.hit_rate:>8.1%} {s.cost:>10.4f} {per_found:>10} {s.avg_latency_ms:>8.0f}"
        )


@providers_app.command("stats")
def stats(
    days: Annotated[float, typer.Option(help="Look back this many days.")] = 30.0,
    database_url: Annotated[
        str | None, typer.Option(help="Default: $OPENENRICH_DATABASE_URL.")
    ] = None,
    workspace: Annotated[
        str | None, typer.Option(help="Only calls made for this workspace's contacts.")
    ] = None,
) -> None:
    """Summary of the provider-call log: calls, hit rate, errors, spend, latency; per
    source, for the whole server or one workspace."""
    if database_url is None:
        from openenrich.config import Settings

        database_url = Settings().database_url
    asyncio.run(_stats(database_url, days, workspace))


def register(app: typer.Typer) -> None:
    app.add_typer(providers_app, name="providers")
