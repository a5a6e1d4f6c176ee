"""`openenrich keys create|list|revoke WORKSPACE_ID`: API keys for operators.

A revoked key is refused from the next request on, on every replica: the revocation moves
the epoch every process checks its resolved keys against (`accounts.revocations`)."""

from __future__ import annotations

import json
from typing import Annotated

import typer

from openenrich.accounts import repository, revocations
from openenrich.accounts.keys import load_secret
from openenrich.cli import with_db
from openenrich.config import Settings
from openenrich.db import Database
from openenrich.privacy import audit
from openenrich.privacy.audit import Action, Actor


def _view(info: repository.KeyInfo) -> dict[str, object]:
    return {
        "id": info.id,
        "mode": "sandbox" if info.sandbox else "live",
        "last4": info.last4,
        "created_at": info.created_at.isoformat(),
        "revoked_at": info.revoked_at.isoformat() if info.revoked_at else None,
    }


async def _require_workspace(db: Database, workspace_id: str) -> None:
    async with db.read() as session:
        if not await repository.workspace_exists(session, workspace_id):
            raise typer.BadParameter(f"no workspace {workspace_id}")


def register(app: typer.Typer) -> None:
    keys = typer.Typer(help="API keys of a workspace.", no_args_is_help=True)
    app.add_typer(keys, name="keys")

    @keys.command("create")
    def create(
        workspace_id: str,
        sandbox: Annotated[bool, typer.Option(help="A sandbox key (oe_test_...).")] = False,
        as_json: Annotated[bool, typer.Option("--json", help="One JSON object.")] = False,
    ) -> None:
        """Create a key and print it (shown once: only its hash is stored)."""
        settings = Settings()
        secret = load_secret(settings.secret_key, settings.secret_key_file)

        async def work(db: Database) -> repository.NewKey:
            await _require_workspace(db, workspace_id)
            async with db.transaction() as session:
                new = await repository.create_key(session, workspace_id, sandbox, secret)
                await audit.record(
                    session, Actor.operator(workspace_id), Action.KEY_CREATE, new.info.id
                )
                return new

        created = with_db(work)
        if as_json:
            typer.echo(json.dumps({**_view(created.info), "api_key": created.key}))
        else:
            typer.echo(f"id:      {created.info.id}\napi_key: {created.key}")
            typer.echo("Keep this key now: only its hash is stored.")

    @keys.command("list")
    def list_(
        workspace_id: str,
        as_json: Annotated[bool, typer.Option("--json", help="JSON lines.")] = False,
    ) -> None:
        """List a workspace's keys (id, mode, last four characters, revocation)."""

        async def work(db: Database) -> list[repository.KeyInfo]:
            await _require_workspace(db, workspace_id)
            async with db.read() as session:
                return await repository.keys_of(session, workspace_id)

        for info in with_db(work):
            view = _view(info)
            if as_json:
                typer.echo(json.dumps(view))
            else:
                revoked = f"revoked {view['revoked_at']}" if info.revoked_at else "active"
                typer.echo(f"{info.id}  {view['mode']:<7}  ...{info.last4}  {revoked}")

    @keys.command("revoke")
    def revoke(workspace_id: str, key_id: str) -> None:
        """Revoke a key: refused from the next request on, by every server process."""

        settings = Settings()

        async def work(db: Database) -> bool:
            signal = revocations.revocation_signal(settings.database_url, settings.redis_url)
            try:
                revoked = await revocations.revoke(db, signal, workspace_id, key_id)
            finally:
                await signal.aclose()
            if revoked:
                async with db.transaction() as session:
                    await audit.record(
                        session, Actor.operator(workspace_id), Action.KEY_REVOKE, key_id
                    )
            return revoked

        if not with_db(work):
            raise typer.BadParameter(f"no active key {key_id} in workspace {workspace_id}")
        typer.echo(f"{key_id} revoked")
