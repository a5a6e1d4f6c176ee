"""webhook signing: HMAC-SHA1 midstates of the creating API key replace the sealed key

Revision ID: 0005
Revises: 0004

The sealed API keys are dropped, not converted (converting would mean opening them). The
webhooks of enrichments created before this revision are still delivered, with the
Standard Webhooks headers but without `X-Signature-SHA1`.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import openenrich.db

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _signing_table(name: str, column: str) -> None:
    op.create_table(
        name,
        sa.Column("enrichment_id", sa.String(length=36), nullable=False),
        sa.Column(column, sa.Text(), nullable=False),
        sa.Column("created_at", openenrich.db.UtcDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["enrichment_id"],
            ["enrichments.id"],
            name=op.f(f"fk_{name}_enrichment_id_enrichments"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("enrichment_id", name=op.f(f"pk_{name}")),
    )


def upgrade() -> None:
    op.drop_table("webhook_signing_keys")
    _signing_table("webhook_signing_states", "sealed_states")


def downgrade() -> None:
    # Midstates cannot give the keys back: the old table comes back empty.
    op.drop_table("webhook_signing_states")
    _signing_table("webhook_signing_keys", "sealed_key")
