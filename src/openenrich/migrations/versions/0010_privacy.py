"""privacy: opt-out list, audit trail, per-workspace switches

Revision ID: 0010
Revises: 0009
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import openenrich.db

revision: str = "0010"
down_revision: str | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "optout_entries",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("scope", sa.String(length=36), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("digest", sa.String(length=64), nullable=False),
        sa.Column("created_at", openenrich.db.UtcDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_optout_entries")),
        sa.UniqueConstraint(
            "scope", "kind", "digest", name=op.f("uq_optout_entries_scope_kind_digest")
        ),
    )
    op.create_index(op.f("ix_optout_entries_digest"), "optout_entries", ["digest"], unique=False)
    op.create_table(
        "audit_events",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("at", openenrich.db.UtcDateTime(timezone=True), nullable=False),
        sa.Column("actor_kind", sa.String(length=16), nullable=False),
        sa.Column("actor_id", sa.String(length=64), nullable=False),
        sa.Column("workspace_id", sa.String(length=36), nullable=True),
        sa.Column("action", sa.String(length=48), nullable=False),
        sa.Column("subject", sa.String(length=200), nullable=False),
        sa.Column("detail", sa.JSON(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_audit_events")),
    )
    op.create_index(op.f("ix_audit_events_at"), "audit_events", ["at"], unique=False)
    op.create_index(
        "ix_audit_events_workspace_at", "audit_events", ["workspace_id", "at"], unique=False
    )
    op.create_table(
        "workspace_privacy",
        sa.Column("workspace_id", sa.String(length=36), nullable=False),
        sa.Column("private_cache", sa.Boolean(), nullable=False),
        sa.Column("updated_at", openenrich.db.UtcDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["workspace_id"],
            ["workspaces.id"],
            name=op.f("fk_workspace_privacy_workspace_id_workspaces"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("workspace_id", name=op.f("pk_workspace_privacy")),
    )
    # Results expire by the time they finished: the purge looks them up by it.
    op.create_index("ix_enrichments_finished_at", "enrichments", ["finished_at"], unique=False)
    op.create_index("ix_webhook_events_created_at", "webhook_events", ["created_at"], unique=False)


def downgrade() -> None:
    op.drop_index("ix_webhook_events_created_at", table_name="webhook_events")
    op.drop_index("ix_enrichments_finished_at", table_name="enrichments")
    op.drop_table("workspace_privacy")
    op.drop_index("ix_audit_events_workspace_at", table_name="audit_events")
    op.drop_index(op.f("ix_audit_events_at"), table_name="audit_events")
    op.drop_table("audit_events")
    op.drop_index(op.f("ix_optout_entries_digest"), table_name="optout_entries")
    op.drop_table("optout_entries")
