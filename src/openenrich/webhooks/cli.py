"""`openenrich webhooks list|show|redeliver|secret`: the delivery log for operators."""

from __future__ import annotations

import json
from typing import Annotated, Any

import typer

from openenrich.accounts import repository as accounts
from openenrich.accounts.keys import load_secret
from openenrich.cli import with_db
from openenrich.config import Settings
from openenrich.db import Database
from openenrich.webhooks import repository
from openenrich.webhooks.sealing import Sealer
from openenrich.webhooks.views import group
from openenrich.webhooks.workspace_secrets import rotate_secret, workspace_secret


def _line(view: dict[str, Any]) -> str:
    code = view["last_status_code"] if view["last_status_code"] is not None else "-"
    return (
        f"{view['id']}  {view['status']:<9}  {view['event']:<19}  attempts={view['attempts']}"
        f"  last={code}  enrichment={view['enrichment_id']}  {view['url']}"
    )


def register(app: typer.Typer) -> None:
    webhooks = typer.Typer(help="Webhook deliveries.", no_args_is_help=True)
    app.add_typer(webhooks, name="webhooks")

    @webhooks.command("list")
    def list_(
        enrichment_id: Annotated[str | None, typer.Option(help="One enrichment's.")] = None,
        workspace_id: Annotated[str | None, typer.Option(help="One workspace's.")] = None,
        status: Annotated[str | None, typer.Option(help="pending, succeeded or failed.")] = None,
        limit: Annotated[int, typer.Option(help="Newest first, at most this many.")] = 50,
        as_json: Annotated[bool, typer.Option("--json", help="JSON lines.")] = False,
    ) -> None:
        """List deliveries, newest first."""

        async def work(db: Database) -> list[dict[str, Any]]:
            async with db.read() as session:
                events = await repository.events_of(
                    session, workspace_id, enrichment_id, status, limit
                )
                attempts = await repository.attempts_of(session, [e.id for e in events])
            return group(events, attempts)

        for view in with_db(work):
            typer.echo(json.dumps(view) if as_json else _line(view))

    @webhooks.command("show")
    def show(event_id: str) -> None:
        """One delivery with its attempts (status codes, truncated responses), as JSON."""

        async def work(db: Database) -> dict[str, Any] | None:
            async with db.read() as session:
                event = await repository.get_event(session, event_id, None)
                if event is None:
                    return None
                return group([event], await repository.attempts_of(session, [event.id]))[0]

        view = with_db(work)
        if view is None:
            raise typer.BadParameter(f"no delivery {event_id}")
        typer.echo(json.dumps(view, indent=2))

    @webhooks.command("redeliver")
    def redeliver(event_id: str) -> None:
        """Send a delivery again (same webhook-id), with a fresh retry budget."""

        async def work(db: Database) -> bool:
            async with db.transaction() as session:
                return await repository.reschedule(session, event_id)

        if not with_db(work):
            raise typer.BadParameter(f"no delivery {event_id}")
        typer.echo(f"{event_id} scheduled")

    @webhooks.command("secret")
    def secret(
        workspace_id: str,
        sandbox: Annotated[bool, typer.Option(help="The sandbox events' secret.")] = False,
    ) -> None:
        """Print a workspace's Standard Webhooks signing secret (created if missing)."""
        sealer = _sealer()
        typer.echo(with_db(lambda db: workspace_secret(db, sealer, workspace_id, sandbox)))

    @webhooks.command("rotate-secret")
    def rotate(
        workspace_id: str,
        sandbox: Annotated[bool, typer.Option(help="Rotate the sandbox events' secret.")] = False,
    ) -> None:
        """Replace a workspace's signing secret and print the new one: every delivery from
        the next attempt on is signed with it, on every process."""
        sealer = _sealer()

        async def work(db: Database) -> str:
            async with db.read() as session:
                if not await accounts.workspace_exists(session, workspace_id):
                    raise typer.BadParameter(f"no workspace {workspace_id}")
            return await rotate_secret(db, sealer, workspace_id, sandbox)

        typer.echo(with_db(work))


def _sealer() -> Sealer:
    settings = Settings()
    return Sealer(load_secret(settings.secret_key, settings.secret_key_file))
