"""teams and spend: sub-accounts, workspace settings, idempotency keys, provider keys

Revision ID: 0009
Revises: 0008
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import openenrich.db

revision: str = "0009"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

UTC = openenrich.db.UtcDateTime


def _workspace_fk(table: str) -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint(
        ["workspace_id"],
        ["workspaces.id"],
        name=op.f(f"fk_{table}_workspace_id_workspaces"),
        ondelete="CASCADE",
    )


def upgrade() -> None:
    op.create_table(
        "sub_accounts",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("workspace_id", sa.String(length=36), nullable=False),
        sa.Column("name", sa.String(length=255), nullable=False),
        sa.Column("name_key", sa.String(length=255), nullable=False),
        sa.Column("archived", sa.Boolean(), nullable=False),
        sa.Column("monthly_credit_limit", sa.Integer(), nullable=True),
        sa.Column("created_at", UTC(timezone=True), nullable=False),
        sa.Column("updated_at", UTC(timezone=True), nullable=False),
        _workspace_fk("sub_accounts"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_sub_accounts")),
        sa.UniqueConstraint(
            "workspace_id", "name_key", name=op.f("uq_sub_accounts_workspace_id_name_key")
        ),
    )
    op.create_index(
        op.f("ix_sub_accounts_workspace_id"), "sub_accounts", ["workspace_id"], unique=False
    )
    op.create_table(
        "workspace_settings",
        sa.Column("workspace_id", sa.String(length=36), nullable=False),
        sa.Column("monthly_budget", sa.Integer(), nullable=True),
        sa.Column("provenance", sa.Boolean(), nullable=False),
        _workspace_fk("workspace_settings"),
        sa.PrimaryKeyConstraint("workspace_id", name=op.f("pk_workspace_settings")),
    )
    op.create_table(
        "idempotency_keys",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("workspace_id", sa.String(length=36), nullable=False),
        sa.Column("scope", sa.String(length=64), nullable=False),
        sa.Column("key", sa.String(length=255), nullable=False),
        sa.Column("fingerprint", sa.String(length=64), nullable=False),
        sa.Column("status_code", sa.Integer(), nullable=True),
        sa.Column("response_body", sa.LargeBinary(), nullable=True),
        sa.Column("created_at", UTC(timezone=True), nullable=False),
        sa.Column("claimed_at", UTC(timezone=True), nullable=False),
        _workspace_fk("idempotency_keys"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_idempotency_keys")),
        sa.UniqueConstraint(
            "workspace_id", "scope", "key", name=op.f("uq_idempotency_keys_workspace_id_scope_key")
        ),
    )
    op.create_index(
        op.f("ix_idempotency_keys_created_at"), "idempotency_keys", ["created_at"], unique=False
    )
    op.create_table(
        "provider_keys",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("workspace_id", sa.String(length=36), nullable=False),
        sa.Column("scope", sa.String(length=36), nullable=False),
        sa.Column("provider", sa.String(length=32), nullable=False),
        sa.Column("sealed_credentials", sa.Text(), nullable=False),
        sa.Column("credential_fields", sa.JSON(), nullable=False),
        sa.Column("priority", sa.Integer(), nullable=False),
        sa.Column("zone", sa.String(length=8), nullable=True),
        sa.Column("data_types", sa.JSON(), nullable=True),
        sa.Column("verify", sa.Boolean(), nullable=True),
        sa.Column("enabled", sa.Boolean(), nullable=True),
        sa.Column("created_at", UTC(timezone=True), nullable=False),
        sa.Column("updated_at", UTC(timezone=True), nullable=False),
        _workspace_fk("provider_keys"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_provider_keys")),
        sa.UniqueConstraint(
            "workspace_id",
            "scope",
            "provider",
            name=op.f("uq_provider_keys_workspace_id_scope_provider"),
        ),
    )
    op.create_index(
        op.f("ix_provider_keys_workspace_id"), "provider_keys", ["workspace_id"], unique=False
    )
    with op.batch_alter_table("enrichments") as batch:
        batch.add_column(sa.Column("sub_account_id", sa.String(length=36), nullable=True))
        batch.add_column(sa.Column("max_credits", sa.Integer(), nullable=True))
        batch.add_column(
            sa.Column("provenance", sa.Boolean(), nullable=False, server_default=sa.false())
        )
        batch.create_index(batch.f("ix_enrichments_sub_account_id"), ["sub_account_id"])
    with op.batch_alter_table("provider_calls") as batch:
        batch.add_column(
            sa.Column("workspace_id", sa.String(length=36), nullable=False, server_default="")
        )
        batch.create_index(batch.f("ix_provider_calls_workspace_id"), ["workspace_id"])


def downgrade() -> None:
    with op.batch_alter_table("provider_calls") as batch:
        batch.drop_index(batch.f("ix_provider_calls_workspace_id"))
        batch.drop_column("workspace_id")
    with op.batch_alter_table("enrichments") as batch:
        batch.drop_index(batch.f("ix_enrichments_sub_account_id"))
        batch.drop_column("provenance")
        batch.drop_column("max_credits")
        batch.drop_column("sub_account_id")
    op.drop_table("provider_keys")
    op.drop_table("idempotency_keys")
    op.drop_table("workspace_settings")
    op.drop_table("sub_accounts")
