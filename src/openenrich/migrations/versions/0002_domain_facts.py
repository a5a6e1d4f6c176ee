"""domain facts cached by the built-in email verifier

Revision ID: 0002
Revises: 0001
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import openenrich.db

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "domain_facts",
        sa.Column("domain", sa.String(length=253), nullable=False),
        sa.Column("route_status", sa.String(length=16), nullable=True),
        sa.Column("mx", sa.JSON(), nullable=False),
        sa.Column("implicit_mx", sa.Boolean(), nullable=False),
        sa.Column("route_checked_at", openenrich.db.UtcDateTime(timezone=True), nullable=True),
        sa.Column("catch_all", sa.Boolean(), nullable=True),
        sa.Column("catch_all_checked_at", openenrich.db.UtcDateTime(timezone=True), nullable=True),
        sa.Column("pattern", sa.String(length=32), nullable=True),
        sa.Column("pattern_learned_at", openenrich.db.UtcDateTime(timezone=True), nullable=True),
        sa.Column("updated_at", openenrich.db.UtcDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("domain", name=op.f("pk_domain_facts")),
    )


def downgrade() -> None:
    op.drop_table("domain_facts")
