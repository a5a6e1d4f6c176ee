"""SQL of reverse lookups. Callers own the session."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from openenrich.domain import EmailStatus, Field
from openenrich.enrichment.models import Contact, Enrichment, FindingRow

# Findings that tie an address to a contact; LOOKUP_EMAIL marks the address a reverse
# lookup was asked about, so its answer serves the next lookup of the same address.
EMAIL_KINDS = tuple(kind.key for kind in Field if kind.is_email)


async def known_profile(
    session: AsyncSession, email: str, sandbox: bool, workspace_id: str | None
) -> dict[str, Any] | None:
    """The newest profile this server built for a contact found with `email`: in one
    workspace, or server-wide when `workspace_id` is None. Live and sandbox data never mix:
    a sandbox profile is synthetic."""
    holders = (
        select(FindingRow.contact_id)
        .join(Contact, Contact.id == FindingRow.contact_id)
        .join(Enrichment, Enrichment.id == Contact.enrichment_id)
        .where(
            FindingRow.kind.in_(EMAIL_KINDS),
            FindingRow.value == email,
            (FindingRow.status.is_(None))
            | (FindingRow.status.not_in([s.value for s in EmailStatus.refutations()])),
            Enrichment.sandbox == sandbox,
        )
    )
    if workspace_id is not None:
        holders = holders.where(Enrichment.workspace_id == workspace_id)
    query = (
        select(FindingRow.data)
        .where(
            FindingRow.kind == Field.PROFILE.key,
            FindingRow.contact_id.in_(holders),
            FindingRow.data.is_not(None),
        )
        .order_by(FindingRow.created_at.desc(), FindingRow.id.desc())
        .limit(1)
    )
    found = (await session.execute(query)).scalar_one_or_none()
    return dict(found) if found else None
