"""people store: people and companies with their search documents and full-text indexes,
records returned to each workspace, progress markers; prepaid hundredths of a credit

Revision ID: 0012
Revises: 0011
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import openenrich.db

revision: str = "0012"
down_revision: str | None = "0011"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_TABLES = ("people", "companies")


def _records(name: str, *extra: sa.Column) -> None:  # type: ignore[type-arg]
    op.create_table(
        name,
        sa.Column("seq", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("owner", sa.String(length=36), nullable=False),
        *extra,
        sa.Column("network_id", sa.BigInteger(), nullable=True),
        sa.Column("handle", sa.String(length=200), nullable=True),
        sa.Column("name_key", sa.String(length=300), nullable=False),
        sa.Column("headcount", sa.Integer(), nullable=True),
        sa.Column("founded", sa.Integer(), nullable=True),
        sa.Column("data", sa.JSON(), nullable=False),
        sa.Column("sources", sa.JSON(), nullable=False),
        sa.Column("doc", sa.Text(), nullable=False),
        sa.Column("created_at", openenrich.db.UtcDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", openenrich.db.UtcDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("seq", name=op.f(f"pk_{name}")),
        sa.UniqueConstraint("id", name=op.f(f"uq_{name}_id")),
    )


def _full_text(name: str) -> None:
    """The index over `doc`: FTS5 kept in step by triggers, or a GIN index."""
    if op.get_bind().dialect.name == "postgresql":
        op.execute(f"CREATE INDEX ix_{name}_doc ON {name} USING gin (to_tsvector('simple', doc))")
        return
    fts = f"{name}_fts"
    op.execute(
        f"CREATE VIRTUAL TABLE {fts} USING fts5(doc, content='{name}', content_rowid='seq', "
        "detail='none')"
    )
    op.execute(
        f"CREATE TRIGGER {fts}_ai AFTER INSERT ON {name} BEGIN "  # noqa: S608
        f"INSERT INTO {fts}(rowid, doc) VALUES (new.seq, new.doc); END"
    )
    op.execute(
        f"CREATE TRIGGER {fts}_ad AFTER DELETE ON {name} BEGIN "  # noqa: S608
        f"INSERT INTO {fts}({fts}, rowid, doc) VALUES ('delete', old.seq, old.doc); END"
    )
    op.execute(
        f"CREATE TRIGGER {fts}_au AFTER UPDATE OF doc ON {name} BEGIN "  # noqa: S608
        f"INSERT INTO {fts}({fts}, rowid, doc) VALUES ('delete', old.seq, old.doc); "
        f"INSERT INTO {fts}(rowid, doc) VALUES (new.seq, new.doc); END"
    )


def upgrade() -> None:
    _records(
        "people",
        sa.Column("company_domain", sa.String(length=255), nullable=False),
        sa.Column("position_start", sa.String(length=10), nullable=True),
        sa.Column("company_start", sa.String(length=10), nullable=True),
        sa.Column("last_change", sa.String(length=10), nullable=True),
    )
    with op.batch_alter_table("people", schema=None) as batch_op:
        batch_op.create_index("ix_people_owner_network_id", ["owner", "network_id"])
        batch_op.create_index("ix_people_owner_handle", ["owner", "handle"])
        batch_op.create_index(
            "ix_people_owner_name_domain", ["owner", "name_key", "company_domain"]
        )
    _records("companies", sa.Column("domain", sa.String(length=255), nullable=False))
    with op.batch_alter_table("companies", schema=None) as batch_op:
        batch_op.create_index("ix_companies_owner_domain", ["owner", "domain"])
        batch_op.create_index("ix_companies_owner_network_id", ["owner", "network_id"])
        batch_op.create_index("ix_companies_owner_handle", ["owner", "handle"])
        batch_op.create_index("ix_companies_owner_name_key", ["owner", "name_key"])
    for name in _TABLES:
        _full_text(name)

    op.create_table(
        "people_exports",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("workspace_id", sa.String(length=36), nullable=False),
        sa.Column("sandbox", sa.Boolean(), nullable=False),
        sa.Column("kind", sa.String(length=8), nullable=False),
        sa.Column("record_id", sa.String(length=36), nullable=False),
        sa.Column("created_at", openenrich.db.UtcDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_people_exports")),
        sa.UniqueConstraint(
            "workspace_id",
            "sandbox",
            "kind",
            "record_id",
            name=op.f("uq_people_exports_workspace_id_sandbox_kind_record_id"),
        ),
    )
    with op.batch_alter_table("people_exports", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_people_exports_record_id"), ["record_id"])
    op.create_table(
        "people_marks",
        sa.Column("name", sa.String(length=32), nullable=False),
        sa.Column("value", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("name", name=op.f("pk_people_marks")),
    )
    with op.batch_alter_table("balances", schema=None) as batch_op:
        batch_op.add_column(sa.Column("prepaid", sa.Integer(), server_default="0", nullable=False))


def downgrade() -> None:
    with op.batch_alter_table("balances", schema=None) as batch_op:
        batch_op.drop_column("prepaid")
    op.drop_table("people_marks")
    op.drop_table("people_exports")
    for name in _TABLES:
        if op.get_bind().dialect.name != "postgresql":
            op.execute(f"DROP TABLE IF EXISTS {name}_fts")
        op.drop_table(name)
