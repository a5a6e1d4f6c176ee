"""The reverse-email processor: a profile for an address, from the server's own data
first (profiles it built for a contact that had this address among its findings), then
from the providers that serve `Field.PROFILE` by email. One credit per profile found."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select

from openenrich.db import Database
from openenrich.domain import ContactQuery, EmailStatus, Field, ProfileFinding
from openenrich.enrichment.models import Contact, Enrichment, FindingRow, JobKind
from openenrich.enrichment.processing import Outcome, finding_rows
from openenrich.waterfall import Waterfall

# Findings that tie an address to a contact; LOOKUP_EMAIL marks the address a reverse
# lookup was asked about, so its answer serves the next lookup of the same address.
EMAIL_KINDS = tuple(kind.key for kind in Field if kind.is_email)


def echo(contact: Contact) -> dict[str, Any]:
    return {
        "input": {"email": contact.input.get("email", "")},
        "custom": dict(contact.custom or {}),
    }


@dataclass(slots=True)
class ReverseOutcome:
    contact: Contact
    profile: dict[str, Any] | None
    rows: list[FindingRow] = field(default_factory=list)

    def items(self) -> list[Field]:
        return [Field.PROFILE] if self.profile else []

    def without(self, item: Field) -> None:
        if item is Field.PROFILE:
            self.profile = None

    def record(self) -> dict[str, Any]:
        body = echo(self.contact)
        if self.profile:
            body["profile"] = self.profile
        return body

    def finding_rows(self) -> list[FindingRow]:
        if not self.profile:
            return []
        return self.rows


async def known_profile(
    db: Database, email: str, sandbox: bool, workspace_id: str | None
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
    async with db.read() as session:
        found = (await session.execute(query)).scalar_one_or_none()
    return dict(found) if found else None


class ReverseEmailProcessor:
    kind = JobKind.REVERSE_EMAIL.value

    def __init__(
        self,
        db: Database,
        waterfall_for: Callable[[bool], Waterfall],
        *,
        share_across_workspaces: bool = False,
    ) -> None:
        self.db = db
        self.waterfall_for = waterfall_for
        # Whether a profile one workspace paid for answers another's lookup.
        self.share_across_workspaces = share_across_workspaces

    async def process(self, enrichment: Enrichment, contact: Contact) -> Outcome:
        email = contact.input.get("email", "")
        scope = None if self.share_across_workspaces else enrichment.workspace_id
        known = await known_profile(self.db, email, enrichment.sandbox, scope)
        if known is not None:
            return ReverseOutcome(contact, known)
        outcome = await self.waterfall_for(enrichment.sandbox).run(
            ContactQuery(email=email),
            frozenset({Field.PROFILE}),
        )
        profile = next(
            (dict(f.person) for f in outcome.findings if isinstance(f, ProfileFinding)), None
        )
        rows = finding_rows(outcome.findings)
        rows.append(FindingRow(kind=Field.LOOKUP_EMAIL.key, value=email))
        return ReverseOutcome(contact, profile, rows)

    def empty_record(self, contact: Contact) -> dict[str, Any]:
        return echo(contact)
