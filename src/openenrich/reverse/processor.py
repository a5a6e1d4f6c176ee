"""The reverse-email processor: a profile for an address, from the server's own data
first (profiles it built for a contact that had this address among its findings), then
from the providers that serve `Field.PROFILE` by email. One credit per profile found."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from openenrich.db import Database
from openenrich.domain import ContactQuery, Field, ProfileFinding
from openenrich.enrichment.models import Contact, Enrichment, FindingRow, JobKind
from openenrich.enrichment.processing import Finder, Outcome, finding_rows, first_sources
from openenrich.reverse import repository


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

    def own_key_items(self) -> frozenset[Field]:
        return frozenset()

    def record(self) -> dict[str, Any]:
        body = echo(self.contact)
        if self.profile:
            body["profile"] = self.profile
        return body

    def finding_rows(self) -> list[FindingRow]:
        if not self.profile:
            return []
        return self.rows


class ReverseEmailProcessor:
    kind = JobKind.REVERSE_EMAIL.value

    def __init__(
        self,
        db: Database,
        waterfall_for: Callable[[bool], Finder],
        *,
        share_across_workspaces: bool = False,
    ) -> None:
        self.db = db
        self.waterfall_for = waterfall_for
        # Whether a profile one workspace paid for answers another's lookup.
        self.share_across_workspaces = share_across_workspaces

    def chargeable(self, contact: Contact) -> list[Field]:
        return [Field.PROFILE]

    async def process(
        self, enrichment: Enrichment, contact: Contact, paid: frozenset[Field]
    ) -> Outcome:
        if Field.PROFILE not in paid:  # not run at all (see `ContactJobs`), but never free
            return ReverseOutcome(contact, None)
        email = contact.input.get("email", "")
        scope = None if self.share_across_workspaces else enrichment.workspace_id
        async with self.db.read() as session:
            known = await repository.known_profile(session, email, enrichment.sandbox, scope)
        if known is not None:
            return ReverseOutcome(contact, known)
        outcome = await self.waterfall_for(enrichment.sandbox).run(
            ContactQuery(email=email),
            frozenset({Field.PROFILE}),
            workspace_id=enrichment.workspace_id,
        )
        profile = next(
            (dict(f.person) for f in outcome.findings if isinstance(f, ProfileFinding)), None
        )
        rows = finding_rows(outcome.findings, first_sources(outcome))
        rows.append(FindingRow(kind=Field.LOOKUP_EMAIL.key, value=email))
        return ReverseOutcome(contact, profile, rows)

    def empty_record(self, contact: Contact) -> dict[str, Any]:
        return echo(contact)
