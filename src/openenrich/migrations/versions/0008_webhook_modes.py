"""webhook events and secrets per mode (live or sandbox); events name their receiver

Revision ID: 0008
Revises: 0007

Events take their enrichment's mode. The workspace secret kept so far becomes the live
one; the sandbox secret is created on first use, so a sandbox key never reads a secret
that signs live events.
"""

from collections.abc import Sequence
from urllib.parse import urlsplit

import sqlalchemy as sa
from alembic import op

import openenrich.db

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_PORTS = {"http": 80, "https": 443}


def _receiver(url: str) -> str:
    try:
        parts = urlsplit(url)
        return f"{(parts.hostname or '').lower()}:{parts.port or _PORTS.get(parts.scheme, 80)}"
    except ValueError:
        return ""


def _secrets_table(name: str, with_mode: bool) -> None:
    columns: list[sa.Column] = [  # type: ignore[type-arg]
        sa.Column("workspace_id", sa.String(length=36), nullable=False),
    ]
    if with_mode:
        columns.append(sa.Column("sandbox", sa.Boolean(), nullable=False))
    op.create_table(
        name,
        *columns,
        sa.Column("sealed_secret", sa.Text(), nullable=False),
        sa.Column("created_at", openenrich.db.UtcDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["workspace_id"],
            ["workspaces.id"],
            name=op.f(f"fk_{name}_workspace_id_workspaces"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint(
            *(["workspace_id", "sandbox"] if with_mode else ["workspace_id"]),
            name=op.f(f"pk_{name}"),
        ),
    )


def upgrade() -> None:
    with op.batch_alter_table("webhook_events") as batch:
        batch.add_column(
            sa.Column("sandbox", sa.Boolean(), nullable=False, server_default=sa.false())
        )
        batch.add_column(
            sa.Column("receiver", sa.String(length=300), nullable=False, server_default="")
        )
    op.execute(
        "UPDATE webhook_events SET sandbox = (SELECT enrichments.sandbox FROM enrichments "
        "WHERE enrichments.id = webhook_events.enrichment_id)"
    )
    conn = op.get_bind()
    rows = conn.execute(sa.text("SELECT id, url FROM webhook_events")).all()
    for event_id, url in rows:
        conn.execute(
            sa.text("UPDATE webhook_events SET receiver = :receiver WHERE id = :id"),
            {"receiver": _receiver(url), "id": event_id},
        )
    with op.batch_alter_table("webhook_events") as batch:
        batch.alter_column("sandbox", server_default=None)
        batch.alter_column("receiver", server_default=None)

    _secrets_table("webhook_signing_secrets", with_mode=True)
    op.execute(
        "INSERT INTO webhook_signing_secrets (workspace_id, sandbox, sealed_secret, created_at) "
        "SELECT workspace_id, false, sealed_secret, created_at FROM webhook_secrets"
    )
    op.drop_table("webhook_secrets")


def downgrade() -> None:
    _secrets_table("webhook_secrets", with_mode=False)
    op.execute(
        "INSERT INTO webhook_secrets (workspace_id, sealed_secret, created_at) "
        "SELECT workspace_id, sealed_secret, created_at FROM webhook_signing_secrets "
        "WHERE sandbox = false"
    )
    op.drop_table("webhook_signing_secrets")
    with op.batch_alter_table("webhook_events") as batch:
        batch.drop_column("receiver")
        batch.drop_column("sandbox")
