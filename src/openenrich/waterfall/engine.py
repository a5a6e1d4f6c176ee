"""Per-field waterfalls over an ordered list of providers."""

from __future__ import annotations

import asyncio
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from openenrich.providers.base import (
    ContactQuery,
    EmailFinding,
    EmailStatus,
    Field,
    Finding,
    LineType,
    PhoneFinding,
    ProfileFinding,
    Provider,
    ProviderError,
)


@dataclass(slots=True)
class WaterfallOutcome:
    """Every finding kept for one contact, and what the sources cost."""

    findings: list[Finding] = field(default_factory=list)
    cost: float = 0.0


def field_satisfied(wanted: Field, findings: Sequence[Finding]) -> bool:
    """The default stop rule: a deliverable email, a mobile phone, any profile."""
    for finding in findings:
        if isinstance(finding, EmailFinding) and finding.field is wanted:
            if finding.status is EmailStatus.DELIVERABLE:
                return True
        elif isinstance(finding, PhoneFinding) and wanted is Field.PHONE:
            if finding.line_type is LineType.MOBILE:
                return True
        elif isinstance(finding, ProfileFinding) and wanted is Field.PROFILE:
            return True
    return False


class Waterfall:
    """Runs one waterfall per requested field, concurrently, over `order[field]`."""

    def __init__(self, order: Mapping[Field, Sequence[Provider]]) -> None:
        self.order = order

    async def run(self, query: ContactQuery, fields: frozenset[Field]) -> WaterfallOutcome:
        outcome = WaterfallOutcome()
        await asyncio.gather(*(self._one_field(query, f, outcome) for f in fields))
        return outcome

    async def _one_field(self, query: ContactQuery, wanted: Field, out: WaterfallOutcome) -> None:
        for provider in self.order.get(wanted, ()):
            try:
                result = await provider.find(query, frozenset({wanted}))
            except ProviderError:
                continue
            out.cost += result.cost
            out.findings.extend(result.findings)
            if field_satisfied(wanted, result.findings):
                return
