"""Each workspace's Standard Webhooks secrets, one per mode: created on first use, stored
sealed, replaced by rotation."""

from __future__ import annotations

from openenrich.db import Database
from openenrich.webhooks import repository
from openenrich.webhooks.sealing import Sealer
from openenrich.webhooks.signing import new_workspace_secret


async def workspace_secret(db: Database, sealer: Sealer, workspace_id: str, sandbox: bool) -> str:
    """The secret that signs the `sandbox` (or live) events of `workspace_id`."""
    async with db.read() as session:
        sealed = await repository.sealed_secret(session, workspace_id, sandbox)
    if sealed is None:
        async with db.transaction() as session:
            sealed = await repository.insert_secret(
                session, workspace_id, sandbox, sealer.seal(new_workspace_secret())
            )
    return _open(sealer, sealed)


async def rotate_secret(db: Database, sealer: Sealer, workspace_id: str, sandbox: bool) -> str:
    """A new secret for one mode; the old one signs nothing from now on."""
    secret = new_workspace_secret()
    async with db.transaction() as session:
        await repository.replace_secret(session, workspace_id, sandbox, sealer.seal(secret))
    return secret


def _open(sealer: Sealer, sealed: str) -> str:
    secret = sealer.open(sealed)
    if secret is None:
        raise RuntimeError("webhook secret sealed under another server secret")
    return secret
