"""`openenrich optout|erase|retention|audit`: privacy for operators. Everything done here
is recorded in the audit trail with the operator CLI as its actor."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from datetime import datetime
from pathlib import Path
from typing import Annotated, TypeVar

import typer

from openenrich.accounts.keys import load_secret
from openenrich.config import Settings
from openenrich.db import Database
from openenrich.errors import AppError
from openenrich.privacy import audit, optout
from openenrich.privacy.audit import Action, Actor
from openenrich.privacy.models import SERVER_WIDE
from openenrich.privacy.service import Privacy
from openenrich.privacy.settings import PrivacySettings
from openenrich.privacy.subjects import Subject

T = TypeVar("T")

Email = Annotated[str | None, typer.Option("--email", help="An email address.")]
Linkedin = Annotated[str | None, typer.Option("--linkedin", help="A LinkedIn profile URL.")]
Name = Annotated[str | None, typer.Option("--name", help="A full name (with --domain).")]
Domain = Annotated[str | None, typer.Option("--domain", help="A company domain.")]
Workspace = Annotated[
    str | None,
    typer.Option("--workspace", help="A workspace's list (default: the server-wide list)."),
]
AsJson = Annotated[bool, typer.Option("--json", help="Print JSON.")]


@asynccontextmanager
async def _privacy() -> AsyncIterator[Privacy]:
    settings = Settings()
    db = Database(settings.database_url)
    try:
        secret = load_secret(settings.secret_key, settings.secret_key_file)
        yield Privacy(db, secret, PrivacySettings())
    finally:
        await db.dispose()


def _run(work: Callable[[Privacy], Awaitable[T]]) -> T:
    async def main() -> T:
        async with _privacy() as privacy:
            return await work(privacy)

    try:
        return asyncio.run(main())
    except AppError as error:
        typer.echo(f"error: {error.message}", err=True)
        raise typer.Exit(2) from None


def _subject(
    email: str | None, linkedin: str | None, name: str | None, domain: str | None
) -> Subject:
    try:
        return Subject.of(email=email, linkedin_url=linkedin, name=name, domain=domain)
    except AppError as error:
        typer.echo(f"error: {error.message}", err=True)
        raise typer.Exit(2) from None


def register(app: typer.Typer) -> None:
    optouts = typer.Typer(help="The opt-out list (stored as keyed digests).", no_args_is_help=True)
    retention = typer.Typer(help="What is kept, and for how long.", no_args_is_help=True)
    audit_app = typer.Typer(help="The audit trail.", no_args_is_help=True)
    app.add_typer(optouts, name="optout")
    app.add_typer(retention, name="retention")
    app.add_typer(audit_app, name="audit")

    @optouts.command("add")
    def optout_add(
        email: Email = None,
        linkedin: Linkedin = None,
        name: Name = None,
        domain: Domain = None,
        workspace: Workspace = None,
    ) -> None:
        """Put a person (email, LinkedIn URL, or name with domain) or a domain on the list."""
        subject = _subject(email, linkedin, name, domain)
        actor = Actor.operator(workspace)
        added = _run(lambda p: p.opt_out(actor, subject, workspace))
        typer.echo(f"{subject.kind.value} {'added' if added else 'already listed'}")

    @optouts.command("remove")
    def optout_remove(
        email: Email = None,
        linkedin: Linkedin = None,
        name: Name = None,
        domain: Domain = None,
        workspace: Workspace = None,
    ) -> None:
        """Take an entry off the list."""
        subject = _subject(email, linkedin, name, domain)
        _run(lambda p: p.opt_back_in(Actor.operator(workspace), subject, workspace))
        typer.echo(f"{subject.kind.value} removed")

    @optouts.command("list")
    def optout_list(workspace: Workspace = None, as_json: AsJson = False) -> None:
        """Entries of the server-wide list (or of a workspace): kinds and dates only."""

        async def work(privacy: Privacy) -> list[dict[str, object]]:
            async with privacy.db.read() as session:
                found = await optout.entries(session, workspace or SERVER_WIDE)
            return [optout.as_dict(e) for e in found]

        rows = _run(work)
        if as_json:
            typer.echo(json.dumps(rows))
            return
        for row in rows:
            typer.echo(f"{row['id']}  {row['kind']:<8}  {row['created_at']}")
        typer.echo(f"{len(rows)} entries")

    @optouts.command("import")
    def optout_import(
        file: Annotated[Path, typer.Argument(exists=True, dir_okay=False, readable=True)],
        workspace: Workspace = None,
    ) -> None:
        """One entry per line: an email, a LinkedIn URL, `Full Name,domain`, or a domain.
        Blank lines and lines starting with # are skipped."""
        subjects: list[Subject] = []
        for number, line in enumerate(file.read_text(encoding="utf-8-sig").splitlines(), 1):
            try:
                subject = optout.parse_line(line)
            except AppError:
                typer.echo(f"error: {file}: line {number}: not an identifier", err=True)
                raise typer.Exit(2) from None
            if subject is not None:
                subjects.append(subject)
        added = _run(lambda p: p.opt_out_many(Actor.operator(workspace), subjects, workspace))
        typer.echo(f"{len(subjects)} entries read, {added} new")

    @app.command("erase")
    def erase(
        email: Email = None,
        linkedin: Linkedin = None,
        name: Name = None,
        domain: Domain = None,
        keep_off_list: Annotated[
            bool, typer.Option("--no-optout", help="Do not add them to the opt-out list.")
        ] = False,
        as_json: AsJson = False,
    ) -> None:
        """Erase a person from every place the server keeps contact data, then put them on
        the server-wide opt-out list. Idempotent; prints a receipt."""
        if not (email or linkedin or name):
            typer.echo("error: give --email, --linkedin, or --name with --domain", err=True)
            raise typer.Exit(2)
        subject = _subject(email, linkedin, name, domain)
        receipt = _run(
            lambda p: p.erase(Actor.operator(), subject, add_to_optout=not keep_off_list)
        )
        if as_json:
            typer.echo(json.dumps(receipt.as_dict()))
            return
        for store in receipt.stores:
            typer.echo(
                f"{store['store']:<16} found {store['found']:>5}  removed {store['removed']:>5}"
            )
        typer.echo(f"total            found {receipt.found:>5}  removed {receipt.removed:>5}")
        typer.echo("added to the opt-out list" if receipt.opted_out else "opt-out list unchanged")

    @retention.command("show")
    def retention_show(as_json: AsJson = False) -> None:
        """What each place keeps, and for how long."""

        async def work(privacy: Privacy) -> list[dict[str, object]]:
            return privacy.retention()

        rows = _run(work)
        if as_json:
            typer.echo(json.dumps(rows))
            return
        for row in rows:
            typer.echo(f"{row['store']} ({', '.join(row['tables'])})")  # type: ignore[arg-type]
            typer.echo(f"  keeps:    {row['keeps']}")
            typer.echo(f"  kept for: {row['kept_for']}")

    @audit_app.command("list")
    def audit_list(
        workspace: Workspace = None,
        since: Annotated[
            datetime | None, typer.Option(help="Only events at or after this time (UTC).")
        ] = None,
        jsonl: Annotated[bool, typer.Option("--jsonl", help="Export as JSON Lines.")] = False,
        limit: Annotated[int, typer.Option(help="At most this many events.")] = 1000,
    ) -> None:
        """The audit trail, oldest first. `--jsonl` exports it (the export is audited)."""

        async def work(privacy: Privacy) -> list[dict[str, object]]:
            async with privacy.db.read() as session:
                found = await audit.events(
                    session, workspace_id=workspace, since=since, limit=limit
                )
                rows = [audit.as_dict(e) for e in found]
            if jsonl:
                async with privacy.db.transaction() as session:
                    await audit.record(
                        session,
                        Actor.operator(),
                        Action.EXPORT,
                        "audit trail",
                        {"events": len(rows), "workspace_id": workspace},
                    )
            return rows

        for row in _run(work):
            if jsonl:
                typer.echo(json.dumps(row))
                continue
            actor = row["actor"]
            assert isinstance(actor, dict)
            typer.echo(
                f"{row['at']}  {row['action']:<16} {actor['kind']}:{actor['id']}  {row['subject']}"
            )
