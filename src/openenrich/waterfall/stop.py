"""When a field's waterfall has found enough, and which findings count at all."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from openenrich.domain import (
    EmailFinding,
    EmailStatus,
    Field,
    Finding,
    LineType,
    PhoneFinding,
    ProfileFinding,
)
from openenrich.phones import line_type


def with_line_type(finding: PhoneFinding) -> PhoneFinding:
    """Fill in the line type when the source did not say, by the rule in `phones`."""
    if finding.line_type is not LineType.UNKNOWN:
        return finding
    found = line_type(finding.number, finding.region)
    if found is LineType.UNKNOWN:
        return finding
    return PhoneFinding(finding.number, found, finding.region)


@dataclass(frozen=True, slots=True)
class StopRules:
    """Per field: a work or personal email stops at `email_stop_status` (DELIVERABLE by
    default; a CATCH_ALL is kept but the search goes on for better); a phone stops at a
    mobile; a profile at the first one. `safe_only` never accepts CATCH_ALL."""

    email_stop_status: EmailStatus = EmailStatus.DELIVERABLE
    safe_only: bool = False
    phone_requires_mobile: bool = True

    def keeps(self, finding: Finding) -> bool:
        """Whether a (verified) finding is kept in the outcome at all."""
        if isinstance(finding, EmailFinding) and self.safe_only:
            return finding.status is not EmailStatus.CATCH_ALL
        return True

    def satisfied(self, wanted: Field, findings: Iterable[Finding]) -> bool:
        for finding in findings:
            if isinstance(finding, EmailFinding):
                if (
                    finding.field is wanted
                    and finding.status is not None
                    and finding.status.is_found
                    and (
                        finding.status.rank <= self.email_stop_status.rank
                        # a value the workspace chose not to verify is taken as found
                        or finding.status is EmailStatus.UNVERIFIED
                    )
                    and not (self.safe_only and finding.status is EmailStatus.CATCH_ALL)
                ):
                    return True
            elif isinstance(finding, PhoneFinding):
                if wanted is Field.PHONE and (
                    finding.line_type is LineType.MOBILE or not self.phone_requires_mobile
                ):
                    return True
            elif isinstance(finding, ProfileFinding) and wanted is Field.PROFILE:
                return True
        return False


def field_satisfied(wanted: Field, findings: Iterable[Finding]) -> bool:
    """The default stop rule."""
    return StopRules().satisfied(wanted, findings)
