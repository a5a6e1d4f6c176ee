"""What a check returns: the typed details of every step, and the judgement that the one
pure verdict function drew from them when the result was made."""

from __future__ import annotations

from dataclasses import dataclass, field

from openenrich.providers.base import EmailStatus
from openenrich.verification.details import FindDetails, Reason, VerifyDetails
from openenrich.verification.verdict import (
    FindJudgement,
    Judgement,
    find_verdict,
    verify_verdict,
)


@dataclass(frozen=True, slots=True)
class Verification:
    """One address checked. The status is never set by hand: it follows from `details`."""

    details: VerifyDetails
    judgement: Judgement = field(init=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "judgement", verify_verdict(self.details))

    @property
    def email(self) -> str:
        return self.details.email

    @property
    def status(self) -> EmailStatus:
        return self.judgement.status

    @property
    def reason(self) -> Reason | None:
        return self.judgement.reason

    @property
    def personal(self) -> bool:
        return self.details.personal

    @property
    def disposable(self) -> bool:
        return self.details.disposable

    @property
    def role(self) -> bool:
        return self.details.role


@dataclass(frozen=True, slots=True)
class FindResult:
    """The best address found for a name at a domain (`email` is None when none was)."""

    details: FindDetails
    judgement: FindJudgement = field(init=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "judgement", find_verdict(self.details))

    @property
    def email(self) -> str | None:
        return self.judgement.email

    @property
    def status(self) -> EmailStatus:
        return self.judgement.status

    @property
    def reason(self) -> Reason | None:
        return self.judgement.reason

    @property
    def pattern(self) -> str | None:
        return self.judgement.pattern

    @property
    def tried(self) -> tuple[str, ...]:
        return self.judgement.tried
