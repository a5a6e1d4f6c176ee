"""Operator commands: serve, worker, migrate, workspaces, credits."""

from __future__ import annotations

import asyncio
import gc
import json
import logging
import sys
from typing import TYPE_CHECKING, Annotated

import typer

from openenrich.accounts import repository
from openenrich.accounts.keys import load_secret
from openenrich.config import Settings
from openenrich.db import Database
from openenrich.migrate import upgrade
from openenrich.privacy import audit
from openenrich.privacy.audit import Action, Actor

if TYPE_CHECKING:
    import uvicorn


def _print_workspace(created: repository.NewWorkspace, as_json: bool) -> None:
    if as_json:
        typer.echo(
            json.dumps(
                {
                    "workspace_id": created.workspace_id,
                    "api_key": created.api_key,
                    "sandbox_api_key": created.sandbox_api_key,
                }
            )
        )
        return
    typer.echo(f"workspace_id:    {created.workspace_id}")
    typer.echo(f"api_key:         {created.api_key}")
    typer.echo(f"sandbox_api_key: {created.sandbox_api_key}")
    typer.echo("Keep these keys now: only their hashes are stored.")


async def _create_workspace(
    settings: Settings, name: str, credits: int, sandbox_credits: int
) -> repository.NewWorkspace:
    db = Database(settings.database_url)
    try:
        secret = load_secret(settings.secret_key, settings.secret_key_file)
        async with db.transaction() as session:
            created = await repository.create_workspace(
                session, name, secret, credits=credits, sandbox_credits=sandbox_credits
            )
            for key in await repository.keys_of(session, created.workspace_id):
                await audit.record(
                    session, Actor.operator(created.workspace_id), Action.KEY_CREATE, key.id
                )
            return created
    finally:
        await db.dispose()


async def _bootstrap(settings: Settings) -> repository.NewWorkspace | None:
    """On first start with an empty database, create a workspace to call the API with."""
    db = Database(settings.database_url)
    try:
        async with db.read() as session:
            if await repository.count_workspaces(session):
                return None
    finally:
        await db.dispose()
    return await _create_workspace(
        settings, "default", settings.bootstrap_credits, settings.bootstrap_sandbox_credits
    )


def freeze_startup_objects() -> None:
    """Keep what startup built (modules, mappers, compiled rules and tables) out of every
    later garbage collection: scanning it again and again was a fifth of the CPU a
    contact cost."""
    gc.collect()
    gc.freeze()


def run_server(config: uvicorn.Config) -> None:
    import uvicorn

    freeze_startup_objects()
    uvicorn.Server(config).run()


def configure_logging() -> None:
    """INFO for our own loggers, on stderr (stdout is for what a command prints); httpx
    logs request URLs, which can carry personal data for GET-only vendor APIs, so it stays
    at WARNING."""
    logging.basicConfig(
        level=logging.INFO, format="%(levelname)s %(name)s: %(message)s", stream=sys.stderr
    )
    logging.getLogger("httpx").setLevel(logging.WARNING)
    logging.getLogger("httpcore").setLevel(logging.WARNING)


def register(app: typer.Typer) -> None:
    workspaces = typer.Typer(help="Workspaces and their API keys.", no_args_is_help=True)
    enrichments = typer.Typer(help="Enrichment jobs.", no_args_is_help=True)
    app.add_typer(enrichments, name="enrichments")
    credits = typer.Typer(help="Credit balances.", no_args_is_help=True)
    app.add_typer(workspaces, name="workspaces")
    app.add_typer(credits, name="credits")

    @app.command()
    def migrate() -> None:
        """Create or upgrade the database schema."""
        upgrade(Settings().database_url)
        typer.echo("database is up to date")

    @app.command()
    def serve(
        host: Annotated[str, typer.Option(help="Address to bind.")] = "127.0.0.1",
        port: Annotated[int, typer.Option(help="Port to bind.")] = 8000,
    ) -> None:
        """Run the API (and, by default, the workers) in this process. The first start's
        keys go to stdout, every log line to stderr."""
        from openenrich.api.server import uvicorn_config
        from openenrich.app import create_app

        settings = Settings()
        configure_logging()
        upgrade(settings.database_url)
        created = asyncio.run(_bootstrap(settings))
        if created is not None:
            typer.echo("First start: created a workspace.")
            _print_workspace(created, as_json=False)
        from openenrich.dashboard.cli import FIRST_MEMBER_HINT, has_members

        if not asyncio.run(has_members(settings)):
            workspace = created.workspace_id if created else "WORKSPACE_ID"
            url = f"http://{host}:{port}/app/login"
            typer.echo(FIRST_MEMBER_HINT.format(workspace_id=workspace, url=url))
        run_server(uvicorn_config(create_app(settings), settings, host, port))

    @app.command()
    def worker() -> None:
        """Run workers and webhook delivery only (scaled mode: many beside API replicas)."""
        from openenrich.services import build_services

        settings = Settings()
        configure_logging()

        async def main() -> None:
            found = build_services(settings)
            freeze_startup_objects()
            try:
                await asyncio.gather(found.worker_pool().run(), found.webhooks.deliverer().run())
            finally:
                await found.close()

        asyncio.run(main())

    @workspaces.command("create")
    def create(
        name: str,
        credits: Annotated[int, typer.Option(help="Live credits to start with.")] = 0,
        sandbox_credits: Annotated[
            int, typer.Option(help="Sandbox credits to start with.")
        ] = 10_000,
        as_json: Annotated[bool, typer.Option("--json", help="One JSON object.")] = False,
    ) -> None:
        """Create a workspace and print its live and sandbox API keys (shown once)."""
        settings = Settings()
        upgrade(settings.database_url)
        created = asyncio.run(_create_workspace(settings, name, credits, sandbox_credits))
        _print_workspace(created, as_json)

    @enrichments.command("cancel")
    def cancel(enrichment_id: str) -> None:
        """Stop a job: it ends CANCELED with what was done so far (its webhook fires)."""
        from openenrich.enrichment.models import Enrichment
        from openenrich.services import build_services

        async def main() -> str:
            found = build_services(Settings())
            try:
                async with found.db.transaction() as session:
                    if await session.get(Enrichment, enrichment_id) is None:
                        raise typer.BadParameter(f"no enrichment {enrichment_id}")
                    canceled = await found.jobs.cancel(session, enrichment_id)
                return "canceled" if canceled else "already ended; nothing changed"
            finally:
                await found.close()

        typer.echo(asyncio.run(main()))

    @credits.command("add")
    def add(
        workspace_id: str,
        amount: int,
        sandbox: Annotated[bool, typer.Option(help="Add to the sandbox balance.")] = False,
    ) -> None:
        """Add credits to a workspace."""

        async def main() -> int:
            db = Database(Settings().database_url)
            try:
                async with db.transaction() as session:
                    if not await repository.workspace_exists(session, workspace_id):
                        raise typer.BadParameter(f"no workspace {workspace_id}")
                    await repository.grant(session, workspace_id, sandbox, amount)
                    return await repository.balance(session, workspace_id, sandbox)
            finally:
                await db.dispose()

        if amount <= 0:
            raise typer.BadParameter("amount must be positive")
        typer.echo(f"balance: {asyncio.run(main())}")

    @credits.command("show")
    def show(
        workspace_id: str,
        as_json: Annotated[bool, typer.Option("--json", help="One JSON object.")] = False,
    ) -> None:
        """Show a workspace's live and sandbox balances."""

        async def main() -> tuple[int, int]:
            db = Database(Settings().database_url)
            try:
                async with db.read() as session:
                    if not await repository.workspace_exists(session, workspace_id):
                        raise typer.BadParameter(f"no workspace {workspace_id}")
                    return (
                        await repository.balance(session, workspace_id, False),
                        await repository.balance(session, workspace_id, True),
                    )
            finally:
                await db.dispose()

        live, sandbox = asyncio.run(main())
        if as_json:
            typer.echo(
                json.dumps(
                    {"workspace_id": workspace_id, "balance": live, "sandbox_balance": sandbox}
                )
            )
        else:
            typer.echo(f"balance: {live}\nsandbox_balance: {sandbox}")
