"""Helpers of the job and credit tests: a second workspace, a provider that counts what
it was asked, and a waterfall swapped in for live keys."""

from __future__ import annotations

import asyncio
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from tests.harness import Api

from openenrich.accounts import repository
from openenrich.domain import ContactQuery, EmailFinding, EmailStatus, Field, LineType, PhoneFinding
from openenrich.providers.base import ProviderResult
from openenrich.waterfall import Waterfall

ALL_FIELDS = ["contact.work_emails", "contact.personal_emails", "contact.phones"]
PRICES: Mapping[Field, int] = {Field.WORK_EMAIL: 1, Field.PERSONAL_EMAIL: 3, Field.PHONE: 10}


def person(first: str, fields: list[str] | None = None, **extra: Any) -> dict[str, Any]:
    return {
        "first_name": first,
        "last_name": "Doe",
        "domain": "acme.example",
        "enrich_fields": fields or ALL_FIELDS,
        **extra,
    }


@dataclass
class CountingProvider:
    """Finds a deliverable work and personal email and a mobile for everyone; people whose
    first name starts with `slow_prefix` take `delay` seconds, holding their worker slot
    (as a tarpitting mail server does). Counts calls, what they could cost, and how many
    run at once."""

    delay: float = 0.0
    slow_prefix: str = "Flood"
    name: str = "counting"
    fields: frozenset[Field] = frozenset(Field)
    calls: int = 0
    asked: set[tuple[str, Field]] = field(default_factory=set)
    running: int = 0
    peak: int = 0
    finished: list[str] = field(default_factory=list)

    @property
    def potential_cost(self) -> int:
        """Credits the workspace would pay if every field asked about a person were found
        (a field asked twice about the same person counts once)."""
        return sum(PRICES.get(kind, 0) for _, kind in self.asked)

    async def find(self, query: ContactQuery, fields: frozenset[Field]) -> ProviderResult:
        self.calls += 1
        self.asked.update((query.first_name, kind) for kind in fields)
        self.running += 1
        self.peak = max(self.peak, self.running)
        try:
            if self.delay and query.first_name.startswith(self.slow_prefix):
                await asyncio.sleep(self.delay)
        finally:
            self.running -= 1
        self.finished.append(query.first_name)
        first = query.first_name.lower()
        found: list[Any] = []
        if Field.WORK_EMAIL in fields:
            found.append(
                EmailFinding(f"{first}@acme.example", Field.WORK_EMAIL, EmailStatus.DELIVERABLE)
            )
        if Field.PERSONAL_EMAIL in fields:
            found.append(
                EmailFinding(f"{first}@mail.example", Field.PERSONAL_EMAIL, EmailStatus.DELIVERABLE)
            )
        if Field.PHONE in fields:
            found.append(PhoneFinding("+33 6 12 34 56 78", LineType.MOBILE))
        return ProviderResult(found)


def use_provider(api: Api, provider: CountingProvider) -> None:
    """Live keys run this provider alone (sandbox keys keep the sandbox)."""
    live = Waterfall({f: [provider] for f in Field.findable()})
    sandbox = api.services.processors["enrich"].waterfall_for(True)  # type: ignore[attr-defined]
    api.services.processors["enrich"].waterfall_for = (  # type: ignore[attr-defined]
        lambda is_sandbox: sandbox if is_sandbox else live
    )


@dataclass(frozen=True)
class Tenant:
    workspace_id: str
    key: str
    sandbox_key: str


async def other_workspace(api: Api, credits: int = 1000, sandbox_credits: int = 1000) -> Tenant:
    async with api.services.db.transaction() as session:
        created = await repository.create_workspace(
            session, "other", api.services.secret, credits=credits, sandbox_credits=sandbox_credits
        )
    return Tenant(created.workspace_id, created.api_key, created.sandbox_api_key)
