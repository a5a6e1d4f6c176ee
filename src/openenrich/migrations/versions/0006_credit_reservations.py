"""credit reservations: what running contacts hold of each balance

Revision ID: 0006
Revises: 0005

`balances.reserved` is the part of a balance held by running contacts, and
`contacts.held_credits` what one contact holds. Both start at 0: contacts running during
the upgrade hold nothing and are charged as before when they finish.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("balances", schema=None) as batch_op:
        batch_op.add_column(sa.Column("reserved", sa.Integer(), nullable=False, server_default="0"))
    with op.batch_alter_table("contacts", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("held_credits", sa.Integer(), nullable=False, server_default="0")
        )


def downgrade() -> None:
    with op.batch_alter_table("contacts", schema=None) as batch_op:
        batch_op.drop_column("held_credits")
    with op.batch_alter_table("balances", schema=None) as batch_op:
        batch_op.drop_column("reserved")
