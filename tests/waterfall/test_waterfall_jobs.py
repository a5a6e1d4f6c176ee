"""A job an asynchronous vendor accepted survives the process that started it: the next
attempt at the same person polls that job instead of paying for a new one."""

from __future__ import annotations

import asyncio

import httpx
import pytest
from tests.waterfall.fakes import FakeAdapter, Internet, Vendor, person_key

from openenrich.db import Database
from openenrich.domain import ContactQuery, EmailFinding, EmailStatus, Field
from openenrich.waterfall import Waterfall, WaterfallConfig, build_waterfall
from openenrich.waterfall.config import ProviderConfig

pytestmark = pytest.mark.anyio
WORK = frozenset({Field.WORK_EMAIL})
ADA = ContactQuery(first_name="Ada", last_name="Lovelace", domain="example.com")


def waterfall(db: Database, http: httpx.AsyncClient) -> Waterfall:
    config = WaterfallConfig(
        order={"work_email": ["slow"]},
        verifiers=[],
        providers={
            "slow": ProviderConfig(
                api_key_env="SLOW_KEY",
                trusted_statuses=[EmailStatus.DELIVERABLE],
                price_per_hit=1.0,
                timeout=1.0,
                poll_deadline=30.0,
            )
        },
    )
    return build_waterfall(
        config,
        http,
        db=db,
        extra_providers={"slow": FakeAdapter("slow")},  # type: ignore[dict-item]
        environ={"SLOW_KEY": "good"},
    )


async def test_a_killed_poll_is_resumed_not_resubmitted(sqlite_url: str) -> None:
    answer = {"email": "ada@example.com", "status": "DELIVERABLE"}
    vendor = Vendor(
        "slow",
        {person_key("Ada", "Lovelace", "example.com"): answer},
        asynchronous=True,
        never_done=True,
    )
    internet = Internet(vendor)
    db = Database(sqlite_url)
    try:
        async with internet.client() as http:
            first = waterfall(db, http)
            running = asyncio.create_task(first.run(ADA, WORK))
            while not any(entry.startswith("poll:") for entry in vendor.log):
                await asyncio.sleep(0.01)
            running.cancel()  # the process dies while its job is being polled
            with pytest.raises(asyncio.CancelledError):
                await running
            await first.aclose()

            vendor.never_done = False
            second = waterfall(db, http)
            outcome = await second.run(ADA, WORK)
            await second.aclose()
            again = await waterfall(db, http).run(ADA, WORK)  # answered: from the cache
    finally:
        await db.dispose()
    found = [f.email for f in outcome.findings if isinstance(f, EmailFinding)]
    assert found == ["ada@example.com"]
    assert [entry for entry in vendor.log if entry.startswith("find:")] == [
        "find:ada|lovelace|example.com"
    ]
    assert again.cost == 0.0 and vendor.charged == 1.0
