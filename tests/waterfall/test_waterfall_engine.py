"""Stop rules, verification and per-field concurrency of the engine."""

from __future__ import annotations

import asyncio
import time

import pytest
from tests.waterfall.fakes import Internet, LocalFinder, LocalVerifier, person_key

from openenrich.domain import (
    ContactQuery,
    EmailFinding,
    EmailStatus,
    Field,
    Finding,
    LineType,
    PhoneFinding,
    ProfileFinding,
    Verdict,
)
from openenrich.providers.base import Provider, ProviderResult, Verifier
from openenrich.waterfall import Waterfall, WaterfallConfig, build_waterfall
from openenrich.waterfall.config import ProviderConfig
from openenrich.waterfall.stop import StopRules

pytestmark = pytest.mark.anyio

ADA = ContactQuery(first_name="Ada", last_name="Lovelace", domain="example.com")
ADA_KEY = person_key("Ada", "Lovelace", "example.com")
WORK = frozenset({Field.WORK_EMAIL})


def email(address: str, status: EmailStatus | None = None, cost: float = 0.0) -> ProviderResult:
    return ProviderResult(findings=[EmailFinding(address, Field.WORK_EMAIL, status)], cost=cost)


def emails_of(findings: list[Finding]) -> dict[str, EmailStatus | None]:
    return {f.email: f.status for f in findings if isinstance(f, EmailFinding)}


def configured(
    order: dict[str, list[str]],
    verifiers: list[str] | None = None,
    **options: object,
) -> WaterfallConfig:
    names = {n for names in order.values() for n in names}
    providers = {name: ProviderConfig(price_per_hit=1.0, max_retries=0) for name in names}
    providers.update({name: ProviderConfig(max_retries=0) for name in verifiers or []})
    return WaterfallConfig.model_validate(
        {"order": order, "verifiers": verifiers or [], "providers": providers, **options}
    )


async def build(
    config: WaterfallConfig, *sources: Provider, verifiers: tuple[Verifier, ...] = ()
) -> Waterfall:
    async with Internet().client() as http:
        return build_waterfall(
            config,
            http,
            extra_providers={s.name: s for s in sources},
            verifiers=verifiers,
            keep_log=True,
        )


async def test_plain_waterfall_stops_at_a_deliverable_email() -> None:
    first = LocalFinder("first", {ADA_KEY: email("ada@example.com", EmailStatus.CATCH_ALL, 1)})
    second = LocalFinder("second", {ADA_KEY: email("a.l@example.com", EmailStatus.DELIVERABLE, 2)})
    third = LocalFinder("third", {ADA_KEY: email("x@example.com", EmailStatus.DELIVERABLE, 4)})
    outcome = await Waterfall({Field.WORK_EMAIL: [first, second, third]}).run(ADA, WORK)
    assert emails_of(outcome.findings) == {
        "ada@example.com": EmailStatus.CATCH_ALL,
        "a.l@example.com": EmailStatus.DELIVERABLE,
    }
    assert outcome.cost == 3
    assert third.calls[ADA_KEY] == 0


async def test_phone_goes_on_past_a_landline_and_stops_at_a_mobile() -> None:
    phones = frozenset({Field.PHONE})
    landline = LocalFinder(
        "landline",
        {ADA_KEY: ProviderResult([PhoneFinding("+33 1 42 68 53 00", LineType.LANDLINE)])},
        phones,
    )
    mobile = LocalFinder(
        "mobile",
        {ADA_KEY: ProviderResult([PhoneFinding("+33 6 12 34 56 78")])},  # French mobile range
        phones,
    )
    never = LocalFinder("never", {ADA_KEY: ProviderResult([PhoneFinding("+1 2")])}, phones)
    outcome = await Waterfall({Field.PHONE: [landline, mobile, never]}).run(ADA, phones)
    # The line type the source left out is read from the numbering plan.
    assert [(f.number, f.line_type) for f in outcome.findings if isinstance(f, PhoneFinding)] == [
        ("+33 1 42 68 53 00", LineType.LANDLINE),
        ("+33 6 12 34 56 78", LineType.MOBILE),
    ]
    assert never.calls[ADA_KEY] == 0


async def test_catch_all_goes_on_until_the_cost_cap() -> None:
    sources = [
        LocalFinder(f"s{i}", {ADA_KEY: email(f"e{i}@example.com", EmailStatus.CATCH_ALL)})
        for i in range(4)
    ]
    verifier = LocalVerifier("v", {f"e{i}@example.com": EmailStatus.CATCH_ALL for i in range(4)})
    config = configured({"work_email": [s.name for s in sources]}, ["v"], max_cost_per_contact=2.5)
    waterfall = await build(config, *sources, verifiers=(verifier,))
    outcome = await waterfall.run(ADA, WORK)
    # Each source costs 1 per hit: the cap lets two through, the third would exceed it.
    assert [s.calls[ADA_KEY] for s in sources] == [1, 1, 0, 0]
    assert outcome.cost == 2
    assert set(emails_of(outcome.findings).values()) == {EmailStatus.CATCH_ALL}


async def test_safe_only_never_accepts_catch_all() -> None:
    first = LocalFinder("first", {ADA_KEY: email("ada@example.com")})
    second = LocalFinder("second", {ADA_KEY: email("lovelace@example.com")})
    verifier = LocalVerifier(
        "v",
        {"ada@example.com": EmailStatus.CATCH_ALL, "lovelace@example.com": EmailStatus.DELIVERABLE},
    )
    for safe_only, expected in (
        (
            False,
            {
                "ada@example.com": EmailStatus.CATCH_ALL,
                "lovelace@example.com": EmailStatus.DELIVERABLE,
            },
        ),
        (True, {"lovelace@example.com": EmailStatus.DELIVERABLE}),
    ):
        config = configured({"work_email": ["first", "second"]}, ["v"], safe_only=safe_only)
        waterfall = await build(config, first, second, verifiers=(verifier,))
        outcome = await waterfall.run(ADA, WORK)
        assert emails_of(outcome.findings) == expected


async def test_invalid_email_sends_the_waterfall_on_and_trusted_status_skips_verification() -> None:
    bad = LocalFinder("bad", {ADA_KEY: email("wrong@example.com", EmailStatus.DELIVERABLE)})
    trusted = LocalFinder("trusted", {ADA_KEY: email("ada@example.com", EmailStatus.DELIVERABLE)})
    verifier = LocalVerifier("v", {})  # says INVALID to everything
    config = configured({"work_email": ["bad", "trusted"]}, ["v"])
    providers = dict(config.providers)
    providers["trusted"] = ProviderConfig(
        price_per_hit=1.0, trusted_statuses=[EmailStatus.DELIVERABLE]
    )
    config = config.model_copy(update={"providers": providers})
    waterfall = await build(config, bad, trusted, verifiers=(verifier,))
    outcome = await waterfall.run(ADA, WORK)
    assert emails_of(outcome.findings) == {
        "wrong@example.com": EmailStatus.INVALID,
        "ada@example.com": EmailStatus.DELIVERABLE,
    }
    assert dict(verifier.calls) == {"wrong@example.com": 1}


async def test_a_second_verifier_is_asked_about_catch_all_and_unknown() -> None:
    finder = LocalFinder("f", {ADA_KEY: email("ada@example.com")})
    first = LocalVerifier("v1", {"ada@example.com": EmailStatus.CATCH_ALL})
    second = LocalVerifier("v2", {"ada@example.com": EmailStatus.HIGH_PROBABILITY})
    waterfall = await build(
        configured({"work_email": ["f"]}, ["v1", "v2"]), finder, verifiers=(first, second)
    )
    outcome = await waterfall.run(ADA, WORK)
    assert emails_of(outcome.findings) == {"ada@example.com": EmailStatus.HIGH_PROBABILITY}
    # A DELIVERABLE from the first verifier settles it; verdicts are cached per address.
    first.statuses["grace@example.com"] = EmailStatus.DELIVERABLE
    verdict = await waterfall.verify("grace@example.com")
    assert verdict.status is EmailStatus.DELIVERABLE
    assert second.calls["grace@example.com"] == 0
    assert (await waterfall.verify("ADA@example.com")).status is EmailStatus.HIGH_PROBABILITY
    assert first.calls["ADA@example.com"] == 0


async def test_fields_run_concurrently_and_a_shared_source_is_asked_once() -> None:
    both = frozenset({Field.WORK_EMAIL, Field.PHONE, Field.PROFILE})
    person = LocalFinder(
        "person",
        {
            ADA_KEY: ProviderResult(
                [
                    EmailFinding("ada@example.com", Field.WORK_EMAIL, EmailStatus.DELIVERABLE),
                    PhoneFinding("+33612345678", LineType.MOBILE),
                    ProfileFinding({"full_name": "Ada Lovelace"}),
                ],
                cost=3,
            )
        },
        both,
        delay=0.2,
    )
    slow_phone = LocalFinder("slow_phone", {}, frozenset({Field.PHONE}), delay=0.2)
    verifier = LocalVerifier("v", {"ada@example.com": EmailStatus.DELIVERABLE})
    config = configured(
        {"work_email": ["person"], "phone": ["slow_phone", "person"], "profile": ["person"]}, ["v"]
    )
    config = config.model_copy(
        update={"providers": {**config.providers, "person": ProviderConfig(max_retries=0)}}
    )
    waterfall = await build(config, person, slow_phone, verifiers=(verifier,))
    started = time.perf_counter()
    outcome = await waterfall.run(ADA, both)
    elapsed = time.perf_counter() - started
    assert person.calls[ADA_KEY] == 1
    assert outcome.cost == 3  # the adapter's own cost, paid once
    assert len(outcome.findings) == 3
    # Email and profile (person) overlap with the phone's first step (slow_phone).
    assert elapsed < 0.39


async def test_default_configuration_uses_builtin_for_work_email() -> None:
    config = WaterfallConfig()
    builtin = LocalFinder("builtin", {ADA_KEY: email("ada@example.com")})
    verifier = LocalVerifier("builtin", {"ada@example.com": EmailStatus.DELIVERABLE})
    waterfall = await build(config, builtin, verifiers=(verifier,))
    assert [p.name for p in waterfall.order[Field.WORK_EMAIL]] == ["builtin"]
    outcome = await waterfall.run(ADA, frozenset({Field.WORK_EMAIL, Field.PHONE}))
    assert emails_of(outcome.findings) == {"ada@example.com": EmailStatus.DELIVERABLE}


async def test_adaptive_order_prefers_the_cheapest_per_found_result() -> None:
    pricey = LocalFinder("pricey", {}, default=email("ada@example.com"))
    cheap_misser = LocalFinder("cheap", {})
    config = configured({"work_email": ["cheap", "pricey"]}, ["v"], ordering="adaptive")
    providers = {
        "cheap": ProviderConfig(price_per_call=0.1),
        "pricey": ProviderConfig(price_per_call=0.5),
        "v": ProviderConfig(),
    }
    config = config.model_copy(update={"providers": providers})
    verifier = LocalVerifier("v", {"ada@example.com": EmailStatus.DELIVERABLE})
    waterfall = await build(config, pricey, cheap_misser, verifiers=(verifier,))
    assert [p.name for p in waterfall._sources(Field.WORK_EMAIL)] == ["cheap", "pricey"]
    for n in range(30):
        await waterfall.run(ContactQuery(first_name=f"p{n}", domain="example.com"), WORK)
    # "cheap" never finds anything: its cost per found result grows past "pricey"'s.
    assert [p.name for p in waterfall._sources(Field.WORK_EMAIL)] == ["pricey", "cheap"]
    await asyncio.sleep(0)


async def test_the_builtin_finder_learns_from_addresses_found_elsewhere() -> None:
    class Learner(LocalFinder):
        def __init__(self) -> None:
            super().__init__("builtin", {})
            self.learned: list[tuple[str, str, str]] = []

        async def learn(self, email: str, first_name: str, last_name: str) -> str | None:
            self.learned.append((email, first_name, last_name))
            return "first.last"

    builtin = Learner()
    vendor = LocalFinder("vendor", {ADA_KEY: email("ada.lovelace@example.com")})
    verifier = LocalVerifier("v", {"ada.lovelace@example.com": EmailStatus.DELIVERABLE})
    config = configured({"work_email": ["builtin", "vendor"]}, ["v"])
    waterfall = await build(config, builtin, vendor, verifiers=(verifier,))
    await waterfall.run(ADA, WORK)
    assert builtin.learned == [("ada.lovelace@example.com", "Ada", "Lovelace")]


class _Returns:
    def __init__(self, name: str, email: str | None) -> None:
        self.name = name
        self.email = email
        self.fields = frozenset({Field.WORK_EMAIL})

    async def find(self, query: ContactQuery, fields: frozenset[Field]) -> ProviderResult:
        return ProviderResult([EmailFinding(self.email, Field.WORK_EMAIL)] if self.email else [])


class _CatchAllVerifier:
    name = "catchall"

    async def verify(self, email: str) -> Verdict:
        return Verdict(email=email, status=EmailStatus.CATCH_ALL)


@pytest.mark.parametrize(
    ("second", "expected"),
    [
        ("jane@catch.example", EmailStatus.HIGH_PROBABILITY),  # two sources agree
        ("other@catch.example", EmailStatus.CATCH_ALL),
        (None, EmailStatus.CATCH_ALL),
    ],
)
@pytest.mark.parametrize("safe_only", [False, True])
async def test_catch_all_address_two_sources_agree_on_is_high_probability(
    second: str | None, expected: EmailStatus, safe_only: bool
) -> None:
    waterfall = Waterfall(
        {Field.WORK_EMAIL: [_Returns("a", "jane@catch.example"), _Returns("b", second)]},
        verifiers=[_CatchAllVerifier()],
        rules=StopRules(safe_only=safe_only),
    )
    outcome = await waterfall.run(
        ContactQuery("Jane", "Doe", "catch.example"), frozenset({Field.WORK_EMAIL})
    )
    statuses = {f.email: f.status for f in outcome.findings if isinstance(f, EmailFinding)}
    if safe_only and expected is EmailStatus.CATCH_ALL:
        assert "jane@catch.example" not in statuses  # never accepted unless corroborated
    else:
        assert statuses["jane@catch.example"] is expected
