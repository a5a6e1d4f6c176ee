"""The `openenrich` command. Each package adds its commands through a `register(app)` hook."""

from __future__ import annotations

import asyncio
import importlib
from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

import typer

from openenrich.config import Settings
from openenrich.db import Database

T = TypeVar("T")

app = typer.Typer(help="OpenEnrich: self-hosted contact enrichment.", no_args_is_help=True)

# Modules exposing `register(app: typer.Typer) -> None`.
COMMAND_MODULES: tuple[str, ...] = (
    "openenrich.operator_cli",
    "openenrich.accounts.cli",
    "openenrich.accounts.spend_cli",
    "openenrich.dashboard.cli",
    "openenrich.verification.cli",
    "openenrich.waterfall.cli",
    "openenrich.webhooks.cli",
    "openenrich.client.cli",
    "openenrich.mcp.cli",
    "openenrich.privacy.cli",
    "openenrich.people.cli",
)


def main() -> None:
    for name in COMMAND_MODULES:
        importlib.import_module(name).register(app)
    app()


def with_db(work: Callable[[Database], Awaitable[T]], **engine_options: Any) -> T:
    """Run `work` on the configured database, for a command."""

    async def main() -> T:
        db = Database(Settings().database_url, **engine_options)
        try:
            return await work(db)
        finally:
            await db.dispose()

    return asyncio.run(main())
