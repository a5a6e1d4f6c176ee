"""Item 6, the bound: provider calls made for a workspace with N credits never cost more
than N, however many jobs run at once. A fake provider counts what it was asked and what
that could cost (every field found, priced as the workspace pays for it)."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest
from tests.harness import make_settings, running_api
from tests.security.jobs import CountingProvider, person, use_provider

from openenrich.accounts.repository import funds, ledger_sum

pytestmark = pytest.mark.anyio


@pytest.mark.parametrize("credits", [0, 1, 37, 150])
async def test_provider_spend_never_exceeds_the_balance(
    database_url: str, tmp_path: Path, credits: int
) -> None:
    settings = make_settings(database_url, tmp_path, worker_concurrency=20)
    async with running_api(settings, credits=credits) as api:
        provider = CountingProvider(delay=0.05, slow_prefix="j")
        use_provider(api, provider)
        jobs = [
            [person(f"j{job}c{i}") for i in range(5)]
            + [person(f"j{job}w", ["contact.work_emails"])]
            for job in range(10)
        ]
        ids = await asyncio.gather(
            *(
                api.enrich({"name": f"job{n}", "data": data}, key=api.key)
                for n, data in enumerate(jobs)
            )
        )
        bodies = [(await api.wait(i, key=api.key)).json() for i in ids]
        async with api.services.db.read() as session:
            money = await funds(session, api.workspace_id, False)
            total = await ledger_sum(session, api.workspace_id, False)
    spent = sum(b["cost"]["credits"] for b in bodies)
    assert provider.potential_cost <= credits
    assert spent <= credits and money.balance == total == credits - spent >= 0
    assert money.reserved == 0
    # Not starved either: what the balance allowed was asked for and found.
    assert spent >= min(credits, 1)
