"""The finder against loopback servers, and the provider wrappers."""

from __future__ import annotations

import pytest
from tests.rigs.loopback import MailBehaviour

from openenrich.domain import ContactQuery, EmailFinding, EmailStatus, Field
from openenrich.providers.base import ErrorKind, Provider, ProviderError, Verifier
from openenrich.providers.builtin import BuiltinFinder, BuiltinVerifier

from .conftest import MakeRig, mx_zone

ZONE = mx_zone(
    {
        "acme.example": [(10, "mx1.acme.example", "127.0.0.2")],
        "catch.example": [(10, "mx.catch.example", "127.0.0.3")],
        "grey.example": [(10, "mx.grey.example", "127.0.0.4")],
    }
)


def servers() -> dict[str, MailBehaviour]:
    return {
        "127.0.0.2": MailBehaviour(
            mailboxes=frozenset(
                {"jdoe@acme.example", "rsmith@acme.example", "juergen.mueller@acme.example"}
            )
        ),
        "127.0.0.3": MailBehaviour(catch_all=frozenset({"catch.example"})),
        "127.0.0.4": MailBehaviour(
            mailboxes=frozenset({"ann.lee@grey.example"}), greylist_seconds=60
        ),
    }


@pytest.mark.anyio
async def test_find_walks_patterns_then_learns_the_domain_pattern(make_rig: MakeRig) -> None:
    hosts = servers()
    rig = make_rig(ZONE, hosts)
    engine = rig.engine()
    found = await engine.find("Jane", "Doe", "https://www.Acme.example/team")
    assert (found.email, found.status) == ("jdoe@acme.example", EmailStatus.DELIVERABLE)
    assert found.pattern == "flast"
    # Probe first, then first.last, first, flast: stop at the first 250.
    mx = hosts["127.0.0.2"]
    assert mx.seen[1:] == ["jane.doe@acme.example", "jane@acme.example", "jdoe@acme.example"]

    mx.seen.clear()
    second = await engine.find("Robert", "Smith", "acme.example")
    assert (second.email, second.status) == ("rsmith@acme.example", EmailStatus.DELIVERABLE)
    assert mx.seen == ["rsmith@acme.example"]  # learned pattern first, no catch-all probe
    await engine.aclose()


@pytest.mark.anyio
async def test_find_spelled_out_umlauts(make_rig: MakeRig) -> None:
    rig = make_rig(ZONE, servers())
    engine = rig.engine()
    found = await engine.find("Jürgen", "Müller", "acme.example")
    assert found.email == "juergen.mueller@acme.example"
    assert found.status is EmailStatus.DELIVERABLE
    await engine.aclose()


@pytest.mark.anyio
async def test_find_nobody_is_invalid(make_rig: MakeRig) -> None:
    rig = make_rig(ZONE, servers())
    engine = rig.engine(finder_max_candidates=5)
    found = await engine.find("Zed", "Nobody", "acme.example")
    assert found.email is None and found.status is EmailStatus.INVALID
    assert len(found.tried) == 5
    await engine.aclose()


@pytest.mark.anyio
async def test_find_on_catch_all_is_high_probability_only_with_a_learned_pattern(
    make_rig: MakeRig,
) -> None:
    hosts = servers()
    rig = make_rig(ZONE, hosts)
    engine = rig.engine()
    found = await engine.find("Jane", "Doe", "catch.example")
    assert (found.email, found.status) == ("jane.doe@catch.example", EmailStatus.CATCH_ALL)
    assert await engine.learn("a.lee@catch.example", "Ann", "Lee") == "f.last"
    rcpts = hosts["127.0.0.3"].rcpts
    better = await engine.find("Jane", "Doe", "catch.example")
    assert (better.email, better.status) == ("j.doe@catch.example", EmailStatus.HIGH_PROBABILITY)
    assert hosts["127.0.0.3"].rcpts == rcpts  # catch-all is cached: no SMTP at all
    await engine.aclose()


@pytest.mark.anyio
async def test_find_invalid_domain(make_rig: MakeRig) -> None:
    rig = make_rig(ZONE, servers())
    engine = rig.engine()
    assert (
        await engine.find("Jane", "Doe", "nowhere.example")
    ).status is EmailStatus.INVALID_DOMAIN
    await engine.aclose()


@pytest.mark.anyio
async def test_builtin_finder_provider(make_rig: MakeRig) -> None:
    rig = make_rig(ZONE, servers())
    finder = BuiltinFinder(rig.settings(greylist_retry_seconds=[]))
    assert isinstance(finder, Provider)
    assert finder.name == "builtin" and finder.fields == frozenset({Field.WORK_EMAIL})
    result = await finder.find(
        ContactQuery(first_name="Jane", last_name="Doe", domain="acme.example"),
        frozenset({Field.WORK_EMAIL}),
    )
    assert result.findings == [
        EmailFinding("jdoe@acme.example", Field.WORK_EMAIL, EmailStatus.DELIVERABLE)
    ]
    assert result.cost == 0
    webmail = await finder.find(
        ContactQuery(first_name="Jane", last_name="Doe", domain="gmail.com"),
        frozenset({Field.WORK_EMAIL}),
    )
    assert webmail.findings == []
    phones = await finder.find(
        ContactQuery(first_name="Jane", last_name="Doe", domain="acme.example"),
        frozenset({Field.PHONE}),
    )
    assert phones.findings == []
    with pytest.raises(ProviderError) as raised:
        await finder.find(
            ContactQuery(first_name="Ann", last_name="Lee", domain="grey.example"),
            frozenset({Field.WORK_EMAIL}),
        )
    # Greylisting that never cleared proves nothing about this person, and nothing against
    # the finder: the waterfall moves on, without blaming (or retrying) the source now.
    assert raised.value.kind is ErrorKind.INCONCLUSIVE
    assert not raised.value.retryable
    await finder.aclose()


@pytest.mark.anyio
async def test_builtin_verifier_shares_the_engine(make_rig: MakeRig) -> None:
    hosts = servers()
    rig = make_rig(ZONE, hosts)
    finder = BuiltinFinder(rig.settings())
    verifier = BuiltinVerifier(engine=finder.engine)
    assert isinstance(verifier, Verifier) and verifier.name == "builtin"
    await finder.find(
        ContactQuery(first_name="Jane", last_name="Doe", domain="acme.example"),
        frozenset({Field.WORK_EMAIL}),
    )
    verdict = await verifier.verify("rsmith@acme.example")
    assert verdict.status is EmailStatus.DELIVERABLE
    assert hosts["127.0.0.2"].connections == 1
    await verifier.aclose()
