"""Fault injection: simulated vendors that fail in every documented way. Each run must end
with the right findings, no vendor may answer the same input twice, breakers open and
recover, and the call log's costs must match what the vendors charged."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Iterable
from typing import Any

import pytest
from tests.waterfall.fakes import (
    FAULT_429,
    FAULT_500,
    FAULT_AUTH,
    FAULT_GARBAGE,
    FAULT_HANG,
    FAULT_QUOTA,
    FakeAdapter,
    FakeClock,
    Internet,
    Vendor,
    person_key,
)

from openenrich.domain import ContactQuery, EmailFinding, EmailStatus, Field
from openenrich.providers.base import ErrorKind
from openenrich.waterfall import Waterfall, WaterfallConfig, build_waterfall
from openenrich.waterfall.config import BreakerConfig, ProviderConfig
from openenrich.waterfall.policies import BreakerState, CircuitBreaker

pytestmark = pytest.mark.anyio

WORK = frozenset({Field.WORK_EMAIL})
PEOPLE = [("Ada", "Lovelace"), ("Grace", "Hopper"), ("Alan", "Turing"), ("Edsger", "Dijkstra")]


def query(first: str, last: str) -> ContactQuery:
    return ContactQuery(first_name=first, last_name=last, domain="example.com")


def answers(prefix: str = "") -> dict[str, dict[str, Any]]:
    return {
        person_key(first, last, "example.com"): {
            "email": f"{prefix}{first.lower()}@example.com",
            "status": "DELIVERABLE",
        }
        for first, last in PEOPLE
    }


def build(
    internet: Internet,
    http: Any,
    names: Iterable[str],
    *,
    clock: FakeClock | None = None,
    breaker: BreakerConfig | None = None,
    **provider_options: Any,
) -> Waterfall:
    names = list(names)
    options = {"price_per_hit": 1.0, "timeout": 0.2, "max_retries": 1, **provider_options}
    providers = {
        name: ProviderConfig(
            **{
                "api_key_env": f"{name.upper()}_KEY",
                "trusted_statuses": [EmailStatus.DELIVERABLE],
                **options,
            }
        )
        for name in names
    }
    config = WaterfallConfig(
        order={"work_email": names},
        verifiers=[],
        providers=providers,
        breaker=breaker or BreakerConfig(failure_threshold=3, open_seconds=30),
    )
    environ = {f"{name.upper()}_KEY": "good" for name in names}
    environ.update(getattr(internet, "keys", {}))
    return build_waterfall(
        config,
        http,
        extra_providers={name: FakeAdapter(name) for name in names},  # type: ignore[misc]
        environ=environ,
        keep_log=True,
        clock=clock or time.monotonic,
    )


def found_emails(findings: list[Any]) -> list[str]:
    return [f.email for f in findings if isinstance(f, EmailFinding) and f.status]


def assert_costs_match(waterfall: Waterfall, *vendors: Vendor) -> None:
    assert waterfall.call_log is not None and waterfall.call_log.kept is not None
    for vendor in vendors:
        logged = sum(r.cost for r in waterfall.call_log.kept if r.provider == vendor.name)
        assert logged == vendor.charged, vendor.name
        # Every request the vendor saw is in the log.
        rows = [r for r in waterfall.call_log.kept if r.provider == vendor.name]
        assert len([r for r in rows if r.outcome != "deadline"]) == vendor.requests


def assert_never_twice(*vendors: Vendor) -> None:
    for vendor in vendors:
        assert all(count <= 1 for count in vendor.answered.values()), vendor.answered


@pytest.mark.parametrize(
    ("fault", "primary_wins"),
    [
        (FAULT_500, True),  # retried once, then answers
        (FAULT_429, True),  # waits for Retry-After, then answers
        (FAULT_GARBAGE, True),  # an HTML page instead of JSON: retried
        (FAULT_HANG, True),  # timed out, retried
        (FAULT_QUOTA, False),  # never retried; breaker opens; backup takes over
        (FAULT_AUTH, False),
    ],
)
async def test_single_fault_then_recovery(fault: str, primary_wins: bool) -> None:
    primary = Vendor("primary", answers(), faults=[fault])
    backup = Vendor("backup", answers("b."))
    internet = Internet(primary, backup)
    async with internet.client() as http:
        waterfall = build(internet, http, ["primary", "backup"])
        outcomes = [await waterfall.run(query(*p), WORK) for p in PEOPLE]
        emails = [found_emails(o.findings) for o in outcomes]
        if primary_wins:
            assert emails == [[f"{first.lower()}@example.com"] for first, _ in PEOPLE]
            assert backup.requests == 0
        else:
            # The breaker keeps every later contact off the failing vendor.
            assert emails == [[f"b.{first.lower()}@example.com"] for first, _ in PEOPLE]
            assert primary.requests == 1
            assert waterfall.guards["primary"].slots[0].breaker.is_open
        assert sum(o.cost for o in outcomes) == primary.charged + backup.charged
        assert_costs_match(waterfall, primary, backup)
        # A second pass over the same people is free: answered from the cache.
        before = (primary.requests, backup.requests)
        again = [await waterfall.run(query(*p), WORK) for p in PEOPLE]
        assert [found_emails(o.findings) for o in again] == emails
        assert sum(o.cost for o in again) == 0
        assert (primary.requests, backup.requests) == before
        assert_never_twice(primary, backup)


async def test_persistent_faults_fall_through_to_the_right_source() -> None:
    """Each person hits a different fault at the first vendors; all end at a good answer."""
    faults = {
        person_key("Ada", "Lovelace", "example.com"): FAULT_500,
        person_key("Grace", "Hopper", "example.com"): FAULT_GARBAGE,
        person_key("Alan", "Turing", "example.com"): FAULT_HANG,
    }
    broken = Vendor("broken", answers("x."), fault_for=faults.get)
    slow = Vendor("slow", {}, fault_for=lambda key: FAULT_429)  # always rate-limited
    good = Vendor("good", answers())
    internet = Internet(broken, slow, good)
    async with internet.client() as http:
        waterfall = build(
            internet,
            http,
            ["broken", "slow", "good"],
            breaker=BreakerConfig(failure_threshold=50),
        )
        outcomes = await asyncio.gather(*(waterfall.run(query(*p), WORK) for p in PEOPLE))
    assert [found_emails(o.findings) for o in outcomes] == [
        ["ada@example.com"],
        ["grace@example.com"],
        ["alan@example.com"],
        ["x.edsger@example.com"],  # no fault for him at the first vendor
    ]
    assert_costs_match(waterfall, broken, slow, good)
    assert_never_twice(broken, slow, good)
    assert good.charged == 3 and broken.charged == 1 and slow.charged == 0


async def test_breaker_opens_and_recovers_through_a_half_open_probe() -> None:
    down = True
    flaky = Vendor("flaky", answers(), fault_for=lambda key: FAULT_500 if down else None)
    backup = Vendor("backup", answers("b."))
    internet = Internet(flaky, backup)
    clock = FakeClock()
    people = [(f"P{n}", "Doe") for n in range(8)]
    flaky.people.update(
        {
            person_key(f, last, "example.com"): {
                "email": f"{f}@example.com",
                "status": "DELIVERABLE",
            }
            for f, last in people
        }
    )
    backup.people.update(
        {
            person_key(f, last, "example.com"): {
                "email": f"b.{f}@example.com",
                "status": "DELIVERABLE",
            }
            for f, last in people
        }
    )
    async with internet.client() as http:
        waterfall = build(internet, http, ["flaky", "backup"], clock=clock, max_retries=0)
        breaker = waterfall.guards["flaky"].slots[0].breaker
        for person in people[:5]:
            await waterfall.run(query(*person), WORK)
        # Three consecutive failures opened it; the last two contacts were not sent there.
        assert flaky.requests == 3
        assert breaker.state is BreakerState.OPEN
        assert backup.requests == 5

        # Still down when the open period ends: the single probe fails and it reopens
        # for twice as long.
        clock.advance(31)
        await waterfall.run(query(*people[5]), WORK)
        assert flaky.requests == 4 and breaker.is_open
        clock.advance(31)
        await waterfall.run(query(*people[6]), WORK)
        assert flaky.requests == 4  # 60 s now, not over yet

        down = False
        clock.advance(30)
        outcome = await waterfall.run(query(*people[7]), WORK)
        assert found_emails(outcome.findings) == ["P7@example.com"]
        assert not breaker.is_open
    assert_costs_match(waterfall, flaky, backup)
    assert_never_twice(flaky, backup)


async def test_quota_opens_until_the_quota_period_ends() -> None:
    vendor = Vendor("vendor", answers(), faults=[FAULT_QUOTA])
    internet = Internet(vendor)
    clock = FakeClock()
    async with internet.client() as http:
        waterfall = build(
            internet,
            http,
            ["vendor"],
            clock=clock,
            breaker=BreakerConfig(quota_open_seconds=3600),
        )
        first = await waterfall.run(query(*PEOPLE[0]), WORK)
        second = await waterfall.run(query(*PEOPLE[1]), WORK)
        assert first.findings == [] and second.findings == []
        assert vendor.requests == 1  # never retried, then skipped
        clock.advance(3601)
        # Failed attempts are not cached: the first person is asked again, and paid once.
        third = await waterfall.run(query(*PEOPLE[0]), WORK)
        assert found_emails(third.findings) == ["ada@example.com"]
    assert_costs_match(waterfall, vendor)
    assert_never_twice(vendor)


async def test_a_bad_key_is_parked_and_the_other_key_carries_on() -> None:
    vendor = Vendor("vendor", answers())
    internet = Internet(vendor)
    internet.keys = {"VENDOR_KEY": "bad", "VENDOR_KEY_2": "good"}  # type: ignore[attr-defined]
    async with internet.client() as http:
        waterfall = build(internet, http, ["vendor"], api_key_env=["VENDOR_KEY", "VENDOR_KEY_2"])
        outcomes = [await waterfall.run(query(*p), WORK) for p in PEOPLE]
    slots = waterfall.guards["vendor"].slots
    assert [s.breaker.is_open for s in slots] == [True, False]
    # The first contact tried the bad key, failed (not retried), and went without.
    assert [found_emails(o.findings) for o in outcomes[1:]] == [
        [f"{first.lower()}@example.com"] for first, _ in PEOPLE[1:]
    ]
    assert vendor.requests == 4
    assert_costs_match(waterfall, vendor)


async def test_in_flight_duplicates_collapse_into_one_call() -> None:
    vendor = Vendor("vendor", answers(), delay=0.05)
    internet = Internet(vendor)
    async with internet.client() as http:
        waterfall = build(internet, http, ["vendor"])
        twins = [
            query("Ada", "Lovelace"),
            ContactQuery(
                first_name=" ADA ", last_name="lovelace", domain="https://www.Example.com/"
            ),
        ] * 10
        outcomes = await asyncio.gather(*(waterfall.run(q, WORK) for q in twins))
    assert vendor.requests == 1
    assert all(found_emails(o.findings) == ["ada@example.com"] for o in outcomes)
    assert sum(o.cost for o in outcomes) == 1 == vendor.charged


async def test_async_vendor_is_polled_without_holding_a_slot() -> None:
    vendor = Vendor("vendor", answers(), asynchronous=True)
    internet = Internet(vendor)
    async with internet.client() as http:
        waterfall = build(internet, http, ["vendor"], concurrency=1)
        outcomes = await asyncio.gather(*(waterfall.run(query(*p), WORK) for p in PEOPLE))
    assert [found_emails(o.findings) for o in outcomes] == [
        [f"{first.lower()}@example.com"] for first, _ in PEOPLE
    ]
    # With one slot, every job was submitted before the first poll: waiting held no slot.
    kinds = [entry.split(":")[0] for entry in vendor.log]
    assert kinds == ["find"] * 4 + ["poll"] * 4
    assert vendor.max_in_flight == 1
    assert_costs_match(waterfall, vendor)


async def test_async_vendor_past_its_deadline_sends_the_waterfall_on() -> None:
    stuck = Vendor("stuck", answers("x."), asynchronous=True, never_done=True)
    backup = Vendor("backup", answers())
    internet = Internet(stuck, backup)
    async with internet.client() as http:
        waterfall = build(internet, http, ["stuck", "backup"], poll_deadline=0.1)
        outcome = await waterfall.run(query(*PEOPLE[0]), WORK)
    assert found_emails(outcome.findings) == ["ada@example.com"]
    assert stuck.charged == 0 and stuck.requests >= 2
    assert waterfall.call_log is not None and waterfall.call_log.kept is not None
    assert [r.outcome for r in waterfall.call_log.kept if r.provider == "stuck"][-1] == "deadline"
    assert_costs_match(waterfall, stuck, backup)


@pytest.mark.parametrize("kind", [ErrorKind.BAD_REQUEST, ErrorKind.INCONCLUSIVE])
def test_per_input_outcomes_never_open_the_breaker(kind: ErrorKind) -> None:
    """A greylisted domain or an input a vendor cannot use says nothing about the source."""
    breaker = CircuitBreaker(BreakerConfig(failure_threshold=2))
    for _ in range(10):
        breaker.record_failure(kind)
    assert breaker.failures == 0 and breaker.allow()
    breaker.record_failure(ErrorKind.TRANSIENT)
    breaker.record_failure(ErrorKind.TRANSIENT)
    assert breaker.state is BreakerState.OPEN
