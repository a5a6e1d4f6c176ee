"""What a worker does with one contact of each kind of job."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

from openenrich.domain import (
    ContactQuery,
    EmailFinding,
    Field,
    Finding,
    PhoneFinding,
    ProfileFinding,
)
from openenrich.enrichment import assembly
from openenrich.enrichment.models import (
    FINDING_VALUE_MAX,
    Contact,
    Enrichment,
    FindingRow,
    JobKind,
)
from openenrich.waterfall import WaterfallOutcome
from openenrich.waterfall.engine import OwnSource, origin_key

# The vendor keys a scope brought (workspace id, sub-account id) -> sources to put first.
OwnKeysFor = Callable[[str, str | None], Awaitable[Sequence[OwnSource]]]


class Outcome(Protocol):
    def items(self) -> list[Field]:
        """Chargeable items found, in the order they are charged."""

    def without(self, item: Field) -> None:
        """Withhold an item that could not be paid for."""

    def own_key_items(self) -> frozenset[Field]:
        """Items found only with the workspace's own provider keys: they cost no credits."""

    def record(self) -> dict[str, Any]:
        """The contact's record in the response body."""

    def finding_rows(self) -> list[FindingRow]:
        """Every candidate, for the audit trail and the server's own people data."""


class Finder(Protocol):
    """What processors run a contact through (a `Waterfall`, or one screened by the
    opt-out list in `openenrich.privacy.screen`)."""

    async def run(
        self,
        query: ContactQuery,
        fields: frozenset[Field],
        *,
        workspace_id: str = "",
        own: Sequence[OwnSource] = (),
    ) -> WaterfallOutcome: ...


class ContactScreen(Protocol):
    """The opt-out check made before any source is asked (`privacy.OptOutList`)."""

    async def blocks(self, workspace_id: str, stored_input: dict[str, Any]) -> bool: ...


class Processor(Protocol):
    kind: str

    def chargeable(self, contact: Contact) -> list[Field]:
        """The items this contact could be charged for: what its credits are reserved for."""

    async def process(
        self, enrichment: Enrichment, contact: Contact, paid: frozenset[Field]
    ) -> Outcome:
        """Run the contact, asking only for the chargeable items in `paid` (those its
        reservation covers); nothing of the others is asked for, shown or kept."""

    def empty_record(self, contact: Contact) -> dict[str, Any]:
        """The record of a contact that was never processed (credits ran out)."""


def query_of(stored: dict[str, str]) -> ContactQuery:
    return ContactQuery(
        first_name=stored.get("first_name", ""),
        last_name=stored.get("last_name", ""),
        domain=stored.get("domain", ""),
        company_name=stored.get("company_name", ""),
        linkedin_url=stored.get("linkedin_url", ""),
        email=stored.get("email", ""),
    )


def _fitting(value: str) -> str:
    """`value` cut to the finding column (it is only an audit copy of the profile's URL)."""
    return value.encode()[:FINDING_VALUE_MAX].decode(errors="ignore")


def first_sources(outcome: WaterfallOutcome) -> dict[str, str]:
    """The source that first returned each kept value, by `origin_key`: what each finding
    row records."""
    return {key: origin.found_by[0] for key, origin in outcome.origins.items() if origin.found_by}


def finding_rows(
    findings: list[Finding], found_by: Mapping[str, str] | None = None
) -> list[FindingRow]:
    """Rows of the audit trail, each with the source that returned its value."""
    rows = []
    for finding in findings:
        if isinstance(finding, EmailFinding):
            personal = finding.field is Field.PERSONAL_EMAIL
            kind = Field.PERSONAL_EMAIL if personal else Field.WORK_EMAIL
            status = finding.status.value if finding.status else None
            rows.append(FindingRow(kind=kind.key, value=finding.email.lower(), status=status))
        elif isinstance(finding, PhoneFinding):
            rows.append(
                FindingRow(kind=Field.PHONE.key, value=finding.number, status=finding.line_type)
            )
        elif isinstance(finding, ProfileFinding):
            url = finding.person.get("social_profiles", {}).get("professional_network", {})
            rows.append(
                FindingRow(
                    kind=Field.PROFILE.key,
                    value=_fitting(str(url.get("url", ""))),
                    data=dict(finding.person),
                )
            )
        rows[-1].source = (found_by or {}).get(origin_key(finding))
    return rows


@dataclass(slots=True)
class Withheld:
    """A contact on the opt-out list: nothing asked, nothing found, nothing charged."""

    contact: Contact
    processor: Processor

    def items(self) -> list[Field]:
        return []

    def without(self, item: Field) -> None:
        return None

    def own_key_items(self) -> frozenset[Field]:
        return frozenset()

    def record(self) -> dict[str, Any]:
        return self.processor.empty_record(self.contact)

    def finding_rows(self) -> list[FindingRow]:
        return []


@dataclass(slots=True)
class EnrichOutcome:
    contact: Contact
    info: assembly.ContactInfo
    findings: list[Finding]
    # The kinds asked for; a withheld kind leaves this set, and its findings are not kept.
    kept: set[Field]
    provenance: bool = False
    found_by: Mapping[str, str] = field(default_factory=dict)

    def items(self) -> list[Field]:
        return self.info.items()

    def without(self, item: Field) -> None:
        self.info.without(item)
        self.kept.discard(item)

    def own_key_items(self) -> frozenset[Field]:
        return self.info.own_key_items()

    def record(self) -> dict[str, Any]:
        return assembly.record(
            self.contact.input, self.contact.custom, self.info, provenance=self.provenance
        )

    def finding_rows(self) -> list[FindingRow]:
        rows = finding_rows(self.findings, self.found_by)
        return [r for r in rows if Field.from_key(r.kind) in self.kept]


class EnrichProcessor:
    """Contact enrichment: the waterfall over the requested fields (and the profile when a
    LinkedIn URL was given, as the spec returns it then)."""

    kind = JobKind.ENRICH.value

    def __init__(
        self, waterfall_for: Callable[[bool], Finder], own_keys: OwnKeysFor | None = None
    ) -> None:
        self.waterfall_for = waterfall_for
        self.own_keys = own_keys

    def chargeable(self, contact: Contact) -> list[Field]:
        return [Field(f) for f in contact.fields]

    async def process(
        self, enrichment: Enrichment, contact: Contact, paid: frozenset[Field]
    ) -> Outcome:
        query = query_of(contact.input)
        fields = {Field(f) for f in contact.fields} & paid
        if query.linkedin_url:
            fields.add(Field.PROFILE)  # returned with the record, never charged
        own: Sequence[OwnSource] = ()
        if self.own_keys is not None and not enrichment.sandbox:  # sandbox: never a vendor
            own = await self.own_keys(enrichment.workspace_id, enrichment.sub_account_id)
        outcome = await self.waterfall_for(enrichment.sandbox).run(
            query, frozenset(fields), workspace_id=enrichment.workspace_id, own=own
        )
        asked = [f.value for f in fields]
        info = assembly.collect(outcome.findings, asked, query.domain, origins=outcome.origins)
        return EnrichOutcome(
            contact,
            info,
            outcome.findings,
            fields,
            bool(enrichment.provenance),
            first_sources(outcome),
        )

    def empty_record(self, contact: Contact) -> dict[str, Any]:
        # Provenance of a contact never processed is empty; the flag lives on the job,
        # which this signature does not see: the empty record stays the spec's shape.
        return assembly.record(contact.input, contact.custom, None)
