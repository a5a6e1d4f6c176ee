"""provider-call log and provider result cache

Revision ID: 0003
Revises: 0002
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import openenrich.db

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "provider_calls",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("created_at", openenrich.db.UtcDateTime(timezone=True), nullable=False),
        sa.Column("provider", sa.String(length=64), nullable=False),
        sa.Column("key_id", sa.String(length=16), nullable=False),
        sa.Column("operation", sa.String(length=16), nullable=False),
        sa.Column("input_hash", sa.String(length=64), nullable=False),
        sa.Column("outcome", sa.String(length=24), nullable=False),
        sa.Column("http_status", sa.Integer(), nullable=True),
        sa.Column("latency_ms", sa.Float(), nullable=False),
        sa.Column("cost", sa.Float(), nullable=False),
        sa.Column("attempt", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_provider_calls")),
    )
    op.create_index(
        op.f("ix_provider_calls_created_at"), "provider_calls", ["created_at"], unique=False
    )
    op.create_index(
        op.f("ix_provider_calls_provider"), "provider_calls", ["provider"], unique=False
    )
    op.create_table(
        "provider_cache",
        sa.Column("key", sa.String(length=64), nullable=False),
        sa.Column("provider", sa.String(length=64), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("found", sa.Boolean(), nullable=False),
        sa.Column("payload", sa.Text(), nullable=False),
        sa.Column("created_at", openenrich.db.UtcDateTime(timezone=True), nullable=False),
        sa.Column("expires_at", openenrich.db.UtcDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("key", name=op.f("pk_provider_cache")),
    )
    op.create_index(
        op.f("ix_provider_cache_provider"), "provider_cache", ["provider"], unique=False
    )
    op.create_index(
        op.f("ix_provider_cache_expires_at"), "provider_cache", ["expires_at"], unique=False
    )


def downgrade() -> None:
    op.drop_index(op.f("ix_provider_cache_expires_at"), table_name="provider_cache")
    op.drop_index(op.f("ix_provider_cache_provider"), table_name="provider_cache")
    op.drop_table("provider_cache")
    op.drop_index(op.f("ix_provider_calls_provider"), table_name="provider_calls")
    op.drop_index(op.f("ix_provider_calls_created_at"), table_name="provider_calls")
    op.drop_table("provider_calls")
