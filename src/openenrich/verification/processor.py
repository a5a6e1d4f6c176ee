"""The bulk verify job's processor: one address per contact row, through the same workers,
leases and crash recovery as enrichments (kind `verify_email`)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from openenrich.domain import EmailStatus, Field
from openenrich.enrichment.models import Contact, Enrichment, FindingRow, JobKind
from openenrich.enrichment.processing import Outcome
from openenrich.verification.report import report
from openenrich.verification.sandbox import sandbox_verification
from openenrich.verification.verdict import Verification

# Checks one address with greylisting retries: the live engine, or the sandbox's rules.
Check = Callable[[str], Any]


def echo(contact: Contact) -> dict[str, Any]:
    record: dict[str, Any] = {"email": contact.input.get("email", ""), "status": None}
    if contact.custom:
        record["custom"] = dict(contact.custom)
    return record


def verified(result: Verification) -> bool:
    """Checked to a conclusion: what a verified-address credit pays for."""
    return result.status is not EmailStatus.UNKNOWN


@dataclass(slots=True)
class VerifyOutcome:
    contact: Contact
    result: Verification
    charged: bool = True

    def items(self) -> list[Field]:
        return [Field.VERIFIED_EMAIL] if verified(self.result) else []

    def without(self, item: Field) -> None:
        if item is Field.VERIFIED_EMAIL:
            self.charged = False

    def own_key_items(self) -> frozenset[Field]:
        return frozenset()  # the built-in verifier needs no provider key

    def record(self) -> dict[str, Any]:
        if not self.charged:  # the balance could not pay: the result is withheld
            return echo(self.contact)
        body = report(self.result)
        if self.contact.custom:
            body["custom"] = dict(self.contact.custom)
        return body

    def finding_rows(self) -> list[FindingRow]:
        return []  # the result lives in the record; nothing joins the people data


class VerifyEmailProcessor:
    kind = JobKind.VERIFY_EMAIL.value

    def __init__(self, live: Callable[[str], Any]) -> None:
        self.live = live

    def chargeable(self, contact: Contact) -> list[Field]:
        return [Field.VERIFIED_EMAIL]

    async def process(
        self, enrichment: Enrichment, contact: Contact, paid: frozenset[Field]
    ) -> Outcome:
        email = contact.input.get("email", "")
        if enrichment.sandbox:
            result = sandbox_verification(email)
        else:
            result = await self.live(email)
        return VerifyOutcome(contact, result)

    def empty_record(self, contact: Contact) -> dict[str, Any]:
        return echo(contact)
