"""`openenrich members add|list`: who may sign in to the dashboard."""

from __future__ import annotations

import asyncio
import sys
from typing import Annotated

import typer
from sqlalchemy import select

from openenrich.accounts import repository as accounts
from openenrich.config import Settings
from openenrich.dashboard import members
from openenrich.dashboard.models import Member
from openenrich.db import Database
from openenrich.migrate import upgrade

FIRST_MEMBER_HINT = (
    "Dashboard: add a member to sign in at {url} with\n"
    "  openenrich members add {workspace_id} you@example.com --operator"
)


async def has_members(settings: Settings) -> bool:
    db = Database(settings.database_url)
    try:
        async with db.read() as session:
            return await members.count_members(session) > 0
    finally:
        await db.dispose()


def register(app: typer.Typer) -> None:
    group = typer.Typer(help="Dashboard members (who can sign in at /app).", no_args_is_help=True)
    app.add_typer(group, name="members")

    @group.command("add")
    def add(
        workspace_id: str,
        email: str,
        password_stdin: Annotated[
            bool, typer.Option("--password-stdin", help="Read the password from stdin.")
        ] = False,
        operator: Annotated[
            bool, typer.Option(help="Also sees the server-wide providers page.")
        ] = False,
    ) -> None:
        """Add a member to a workspace; prints a generated password unless given one."""
        password = (
            sys.stdin.readline().rstrip("\r\n") if password_stdin else members.generate_password()
        )
        settings = Settings()
        upgrade(settings.database_url)

        async def main() -> None:
            db = Database(settings.database_url)
            try:
                async with db.transaction() as session:
                    if not await accounts.workspace_exists(session, workspace_id):
                        raise typer.BadParameter(f"no workspace {workspace_id}")
                    await members.add_member(session, workspace_id, email, password, operator)
            finally:
                await db.dispose()

        try:
            asyncio.run(main())
        except members.MemberError as error:
            typer.echo(f"cannot add the member: {error}", err=True)
            raise typer.Exit(1) from None
        typer.echo(f"member added: {members.normalise_email(email)}")
        if not password_stdin:
            typer.echo(f"password: {password}")
            typer.echo("Keep it now: only its hash is stored.")

    @group.command("list")
    def list_(workspace_id: Annotated[str | None, typer.Argument()] = None) -> None:
        """Members, with their workspace and last sign-in."""

        async def main() -> list[Member]:
            db = Database(Settings().database_url)
            try:
                async with db.read() as session:
                    query = select(Member).order_by(Member.email)
                    if workspace_id:
                        query = query.where(Member.workspace_id == workspace_id)
                    return list((await session.execute(query)).scalars())
            finally:
                await db.dispose()

        for member in asyncio.run(main()):
            role = "operator" if member.operator else "member"
            seen = member.last_sign_in_at.isoformat() if member.last_sign_in_at else "never"
            typer.echo(f"{member.email}  {member.workspace_id}  {role}  last sign-in: {seen}")
