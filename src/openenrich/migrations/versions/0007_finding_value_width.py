"""findings.value holds what the API accepts: profile URLs up to 2,048 characters

Revision ID: 0007
Revises: 0006

A profile finding keeps its LinkedIn URL in `value`; the API takes such URLs up to 2,048
characters, where the column held 320, so on PostgreSQL a longer one failed the contact's
finish (five retries, then FAILED). Emails and phones are never longer than 320.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("findings") as batch:
        batch.alter_column(
            "value",
            existing_type=sa.String(length=320),
            type_=sa.String(length=2048),
            existing_nullable=False,
        )


def downgrade() -> None:
    op.execute("UPDATE findings SET value = substr(value, 1, 320) WHERE length(value) > 320")
    with op.batch_alter_table("findings") as batch:
        batch.alter_column(
            "value",
            existing_type=sa.String(length=2048),
            type_=sa.String(length=320),
            existing_nullable=False,
        )
