"""Each workspace's Standard Webhooks secret: created on first use, stored sealed."""

from __future__ import annotations

from openenrich.db import Database
from openenrich.webhooks import repository
from openenrich.webhooks.sealing import Sealer
from openenrich.webhooks.signing import new_workspace_secret


async def workspace_secret(db: Database, sealer: Sealer, workspace_id: str) -> str:
    async with db.read() as session:
        sealed = await repository.sealed_secret(session, workspace_id)
    if sealed is None:
        async with db.transaction() as session:
            sealed = await repository.insert_secret(
                session, workspace_id, sealer.seal(new_workspace_secret())
            )
    secret = sealer.open(sealed)
    if secret is None:
        raise RuntimeError("webhook secret sealed under another server secret")
    return secret
