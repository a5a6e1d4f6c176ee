"""`openenrich budget show | set | clear` and `openenrich provenance on | off`: a
workspace's monthly budget and whether its results carry the provenance object."""

from __future__ import annotations

import json
from typing import Annotated

import typer
from sqlalchemy.ext.asyncio import AsyncSession

from openenrich.accounts import limits, repository
from openenrich.accounts.team_models import WorkspaceSettings
from openenrich.cli import with_db
from openenrich.db import Database, utcnow

budget_app = typer.Typer(help="A workspace's monthly credit budget.", no_args_is_help=True)
provenance_app = typer.Typer(
    help="Whether a workspace's results say where each value came from.", no_args_is_help=True
)


async def _existing(session: AsyncSession, workspace_id: str) -> None:
    if not await repository.workspace_exists(session, workspace_id):
        raise typer.BadParameter(f"no workspace {workspace_id}")


def _set_budget(workspace_id: str, budget: int | None) -> None:
    async def work(db: Database) -> None:
        async with db.transaction() as session:
            await _existing(session, workspace_id)
            await limits.set_monthly_budget(session, workspace_id, budget)

    with_db(work)


@budget_app.command("set")
def set_budget(workspace_id: str, credits: int) -> None:
    """Credits the workspace may spend per calendar month (UTC), live and sandbox each."""
    if credits < 0:
        raise typer.BadParameter("credits must be zero or more")
    _set_budget(workspace_id, credits)
    typer.echo(f"monthly budget: {credits}")


@budget_app.command("clear")
def clear_budget(workspace_id: str) -> None:
    """No monthly budget: only the balance limits spend."""
    _set_budget(workspace_id, None)
    typer.echo("monthly budget: none")


@budget_app.command("show")
def show_budget(
    workspace_id: str,
    as_json: Annotated[bool, typer.Option("--json", help="One JSON object.")] = False,
) -> None:
    """The budget, this month's live spend and the live balance."""

    async def work(db: Database) -> tuple[int | None, int, int]:
        async with db.read() as session:
            await _existing(session, workspace_id)
            since = limits.month_start(utcnow())
            return (
                await limits.monthly_budget(session, workspace_id),
                await limits.spent_since(session, workspace_id, False, since),
                await repository.balance(session, workspace_id, False),
            )

    budget, spent, balance = with_db(work)
    if as_json:
        typer.echo(
            json.dumps(
                {
                    "workspace_id": workspace_id,
                    "monthly_budget": budget,
                    "spent_this_month": spent,
                    "balance": balance,
                }
            )
        )
        return
    typer.echo(f"monthly budget: {'none' if budget is None else budget}")
    typer.echo(f"spent this month: {spent}\nbalance: {balance}")


def _set_provenance(workspace_id: str, on: bool) -> None:
    async def work(db: Database) -> None:
        async with db.transaction() as session:
            await _existing(session, workspace_id)
            found = await session.get(WorkspaceSettings, workspace_id)
            if found is None:
                session.add(WorkspaceSettings(workspace_id=workspace_id, provenance=on))
            else:
                found.provenance = on

    with_db(work)


@provenance_app.command("on")
def provenance_on(workspace_id: str) -> None:
    """Jobs started from now on carry the `provenance` object on every record."""
    _set_provenance(workspace_id, True)
    typer.echo("provenance: on")


@provenance_app.command("off")
def provenance_off(workspace_id: str) -> None:
    """Strict FullEnrich records (the default); a request can still ask for provenance."""
    _set_provenance(workspace_id, False)
    typer.echo("provenance: off")


def register(app: typer.Typer) -> None:
    app.add_typer(budget_app, name="budget")
    app.add_typer(provenance_app, name="provenance")
