"""The verifier against real DNS and SMTP servers on loopback."""

from __future__ import annotations

import asyncio
import time

import pytest
from tests.rigs.loopback import MailBehaviour

from openenrich.domain import EmailStatus
from openenrich.verification.details import Reason

from .conftest import MakeRig, mx_zone, present

JANE = "jane.doe@acme.example"


def acme(**kwargs: object) -> MailBehaviour:
    return MailBehaviour(mailboxes=frozenset({JANE, "john.roe@acme.example"}), **kwargs)  # type: ignore[arg-type]


def single(
    behaviour: MailBehaviour,
) -> tuple[dict[str, dict[str, list[str]]], dict[str, MailBehaviour]]:
    return mx_zone({"acme.example": [(10, "mx1.acme.example", "127.0.0.2")]}), {
        "127.0.0.2": behaviour
    }


@pytest.mark.anyio
async def test_deliverable_then_cached_facts_cost_no_probe(make_rig: MakeRig) -> None:
    server = acme()
    rig = make_rig(*single(server))
    engine = rig.engine()
    verdict = await engine.verify(JANE)
    assert verdict.status is EmailStatus.DELIVERABLE
    assert present(verdict.details.rcpt).host == "mx1.acme.example"
    assert present(verdict.details.reply).code == 250
    assert present(present(verdict.details.catch_all).reply).code == 550
    assert present(verdict.details.catch_all).verdict is False
    assert server.rcpts == 2  # the address and the random probe

    second = await engine.verify("john.roe@acme.example")
    assert second.status is EmailStatus.DELIVERABLE
    assert present(second.details.route).cached and present(second.details.catch_all).cached
    assert server.rcpts == 3  # no second probe
    assert server.connections == 1  # the session was reused
    await engine.aclose()


@pytest.mark.anyio
async def test_unknown_user_is_invalid_without_probe(make_rig: MakeRig) -> None:
    server = acme()
    rig = make_rig(*single(server))
    engine = rig.engine()
    verdict = await engine.verify("nobody@acme.example")
    assert verdict.status is EmailStatus.INVALID
    assert (present(verdict.details.reply).code, present(verdict.details.reply).enhanced) == (
        550,
        "5.1.1",
    )
    assert verdict.reason is Reason.USER_UNKNOWN
    assert server.seen == ["nobody@acme.example"]
    await engine.aclose()


@pytest.mark.anyio
async def test_catch_all_domain(make_rig: MakeRig) -> None:
    rig = make_rig(*single(MailBehaviour(catch_all=frozenset({"acme.example"}))))
    engine = rig.engine()
    verdict = await engine.verify("anyone@acme.example")
    assert verdict.status is EmailStatus.CATCH_ALL
    assert present(verdict.details.catch_all).verdict is True
    corroborated = await engine.verify("someone@acme.example", corroborated=True)
    assert corroborated.status is EmailStatus.HIGH_PROBABILITY
    await engine.aclose()


@pytest.mark.anyio
async def test_greylisting_is_retried_then_deliverable(make_rig: MakeRig) -> None:
    server = acme(greylist_seconds=0.3)
    rig = make_rig(*single(server))
    engine = rig.engine(greylist_retry_seconds=[0.4, 0.4])
    verdict = await engine.verify(JANE)
    assert verdict.status is EmailStatus.DELIVERABLE
    # The address clears on the 2nd attempt; the random probe, first sent then, is
    # greylisted in turn and answers 550 on its own retry.
    assert present(verdict.details.rcpt).attempts == 2
    assert server.seen.count(JANE) == 2
    assert present(present(verdict.details.catch_all).reply).code == 550
    await engine.aclose()


@pytest.mark.anyio
async def test_greylisting_that_never_clears_is_unknown_not_invalid(make_rig: MakeRig) -> None:
    server = acme(greylist_seconds=60)
    rig = make_rig(*single(server))
    engine = rig.engine(greylist_retry_seconds=[0.05, 0.05])
    verdict = await engine.verify(JANE)
    assert verdict.status is EmailStatus.UNKNOWN
    assert not verdict.status.is_found
    assert verdict.reason is Reason.GREYLISTED
    assert server.seen.count(JANE) == 3
    await engine.aclose()


@pytest.mark.anyio
async def test_time_limit_bounds_greylisting_retries(make_rig: MakeRig) -> None:
    rig = make_rig(*single(acme(greylist_seconds=60)))
    engine = rig.engine(greylist_retry_seconds=[30, 30])
    started = time.monotonic()
    verdict = await engine.verify(JANE, time_limit=0.5)
    assert verdict.status is EmailStatus.UNKNOWN
    assert verdict.reason is Reason.TIMEOUT
    assert time.monotonic() - started < 2
    await engine.aclose()


@pytest.mark.anyio
async def test_421_on_connect_fails_over_to_next_mx(make_rig: MakeRig) -> None:
    busy, good = MailBehaviour(greet_421=True), acme()
    zone = mx_zone(
        {
            "acme.example": [
                (10, "mx1.acme.example", "127.0.0.2"),
                (20, "mx2.acme.example", "127.0.0.3"),
            ]
        }
    )
    rig = make_rig(zone, {"127.0.0.2": busy, "127.0.0.3": good})
    engine = rig.engine()
    verdict = await engine.verify(JANE)
    assert verdict.status is EmailStatus.DELIVERABLE
    assert present(verdict.details.rcpt).host == "mx2.acme.example"
    assert any("421" in failure for failure in present(verdict.details.rcpt).failures)
    assert busy.connections == 1  # the catch-all probe went straight to the secondary
    await engine.aclose()


@pytest.mark.anyio
async def test_421_everywhere_is_unknown(make_rig: MakeRig) -> None:
    rig = make_rig(*single(MailBehaviour(greet_421=True)))
    engine = rig.engine(greylist_retry_seconds=[])
    verdict = await engine.verify(JANE)
    assert verdict.status is EmailStatus.UNKNOWN
    assert verdict.reason is Reason.UNAVAILABLE
    await engine.aclose()


@pytest.mark.anyio
async def test_452_too_many_recipients_opens_a_fresh_session(make_rig: MakeRig) -> None:
    server = acme(max_rcpt_per_session=2)
    rig = make_rig(*single(server))
    engine = rig.engine()
    addresses = [JANE, "john.roe@acme.example", "nobody@acme.example", "x@acme.example", JANE]
    statuses = [(await engine.verify(a)).status for a in addresses]
    assert statuses == [
        EmailStatus.DELIVERABLE,
        EmailStatus.DELIVERABLE,
        EmailStatus.INVALID,
        EmailStatus.INVALID,
        EmailStatus.DELIVERABLE,
    ]
    # 6 RCPTs (one probe), 2 per session, plus the refused ones that were re-sent.
    assert server.connections == 3
    await engine.aclose()


@pytest.mark.anyio
async def test_dead_primary_mx_with_working_secondary(make_rig: MakeRig) -> None:
    zone = mx_zone(
        {
            "acme.example": [
                (5, "dead.acme.example", "127.0.0.9"),
                (10, "mx1.acme.example", "127.0.0.2"),
            ]
        }
    )
    rig = make_rig(zone, {"127.0.0.2": acme()})
    engine = rig.engine()
    verdict = await engine.verify(JANE)
    assert verdict.status is EmailStatus.DELIVERABLE
    assert present(verdict.details.rcpt).host == "mx1.acme.example"
    assert present(verdict.details.rcpt).failures[0].startswith("dead.acme.example [127.0.0.9]")
    await engine.aclose()


@pytest.mark.anyio
async def test_no_mx_uses_the_a_record(make_rig: MakeRig) -> None:
    rig = make_rig({"acme.example": {"A": ["127.0.0.2"]}}, {"127.0.0.2": acme()})
    engine = rig.engine()
    verdict = await engine.verify(JANE)
    assert verdict.status is EmailStatus.DELIVERABLE
    assert present(verdict.details.route).route.implicit is True
    await engine.aclose()


@pytest.mark.anyio
@pytest.mark.parametrize(
    ("zone", "reason"),
    [
        ({"acme.example": {"MX": ["0 ."]}}, Reason.NULL_MX),
        ({"other.example": {"A": ["127.0.0.2"]}}, Reason.NXDOMAIN),
        ({"acme.example": {"TXT": ['"hello"']}}, Reason.NO_MAIL),
    ],
)
async def test_invalid_domains(
    make_rig: MakeRig, zone: dict[str, dict[str, list[str]]], reason: Reason
) -> None:
    server = acme()
    rig = make_rig(zone, {"127.0.0.2": server})
    engine = rig.engine()
    verdict = await engine.verify(JANE)
    assert verdict.status is EmailStatus.INVALID_DOMAIN
    assert verdict.reason is reason
    assert server.connections == 0
    await engine.aclose()


@pytest.mark.anyio
async def test_server_slower_than_the_timeout_is_unknown(make_rig: MakeRig) -> None:
    rig = make_rig(*single(acme(delay=1.5)))
    engine = rig.engine(
        smtp_connect_timeout=0.3, smtp_command_timeout=0.3, greylist_retry_seconds=[]
    )
    started = time.monotonic()
    verdict = await engine.verify(JANE)
    assert verdict.status is EmailStatus.UNKNOWN
    assert verdict.reason is Reason.TIMEOUT
    assert time.monotonic() - started < 1.2
    await engine.aclose()


@pytest.mark.anyio
async def test_slow_rcpt_hits_the_command_timeout_then_the_next_mx(make_rig: MakeRig) -> None:
    slow, good = acme(rcpt_delay=1.5), acme()
    zone = mx_zone(
        {
            "acme.example": [
                (10, "mx1.acme.example", "127.0.0.2"),
                (20, "mx2.acme.example", "127.0.0.3"),
            ]
        }
    )
    rig = make_rig(zone, {"127.0.0.2": slow, "127.0.0.3": good})
    engine = rig.engine(smtp_command_timeout=0.3)
    started = time.monotonic()
    verdict = await engine.verify(JANE)
    assert verdict.status is EmailStatus.DELIVERABLE
    assert present(verdict.details.rcpt).host == "mx2.acme.example"
    assert "timeout" in present(verdict.details.rcpt).failures[0]
    assert slow.connections == 1  # the catch-all probe went to mx2: mx1 is backed off
    assert time.monotonic() - started < 1.2
    await engine.aclose()


@pytest.mark.anyio
async def test_probe_temporary_failure_proves_nothing(make_rig: MakeRig) -> None:
    """The address is accepted but the random probe is greylisted: not DELIVERABLE, and
    no catch-all verdict is cached."""
    server = MailBehaviour(mailboxes=frozenset({JANE}))
    rig = make_rig(*single(server))
    engine = rig.engine(greylist_retry_seconds=[])
    server.greylist_seconds = 60
    server.first_seen[JANE] = time.monotonic() - 120  # the address itself already passed
    verdict = await engine.verify(JANE)
    assert verdict.status is EmailStatus.CATCH_ALL
    assert present(verdict.details.catch_all).verdict is None
    facts = await engine.facts.get("acme.example")
    assert facts is not None and facts.catch_all is None
    await engine.aclose()


@pytest.mark.anyio
async def test_hosts_that_accept_everyone_never_yield_deliverable(make_rig: MakeRig) -> None:
    zone = mx_zone({"yahoo.example": [(1, "mta5.am0.yahoodns.net", "127.0.0.2")]})
    server = MailBehaviour(mailboxes=frozenset({"jane@yahoo.example"}))
    rig = make_rig(zone, {"127.0.0.2": server})
    engine = rig.engine()
    verdict = await engine.verify("jane@yahoo.example")
    assert verdict.status is EmailStatus.CATCH_ALL
    assert server.connections == 0
    await engine.aclose()


@pytest.mark.anyio
async def test_flags_personal_role_disposable(make_rig: MakeRig) -> None:
    zone = mx_zone(
        {
            "gmail.com": [(5, "mx.gmail.com", "127.0.0.2")],
            "mailinator.com": [(5, "mx.mailinator.com", "127.0.0.2")],
            "acme.example": [(5, "mx1.acme.example", "127.0.0.2")],
        }
    )
    server = MailBehaviour(mailboxes=frozenset({"jane@gmail.com", "info@acme.example"}))
    rig = make_rig(zone, {"127.0.0.2": server})
    engine = rig.engine()
    personal = await engine.verify("jane@gmail.com")
    assert personal.details.personal and personal.status is EmailStatus.DELIVERABLE
    role = await engine.verify("info@acme.example")
    assert role.details.role and not role.details.personal
    disposable = await engine.verify("x@mailinator.com")
    assert disposable.details.disposable
    assert (await engine.verify("not-an-email")).status is EmailStatus.INVALID
    await engine.aclose()


@pytest.mark.anyio
async def test_concurrent_checks_at_one_domain_share_one_probe(make_rig: MakeRig) -> None:
    server = acme(delay=0.01)
    rig = make_rig(*single(server))
    engine = rig.engine(smtp_max_per_host=3)
    addresses = [JANE] + [f"user{i}@acme.example" for i in range(9)]
    verdicts = await asyncio.gather(*(engine.verify(a) for a in addresses))
    assert [v.status for v in verdicts] == [EmailStatus.DELIVERABLE] + [EmailStatus.INVALID] * 9
    assert server.rcpts == 11  # ten addresses, one catch-all probe
    assert server.connections <= 3
    await engine.aclose()


@pytest.mark.anyio
async def test_starttls_when_offered(make_rig: MakeRig) -> None:
    server = acme(starttls=True)  # refuses MAIL before STARTTLS
    rig = make_rig(*single(server))
    engine = rig.engine()
    assert (await engine.verify(JANE)).status is EmailStatus.DELIVERABLE
    assert server.tls_rcpts == server.rcpts == 2
    await engine.aclose()


@pytest.mark.anyio
async def test_per_host_concurrency_limit(make_rig: MakeRig) -> None:
    server = acme(delay=0.02)
    rig = make_rig(*single(server))
    engine = rig.engine(smtp_max_per_host=2)
    verdicts = await asyncio.gather(*(engine.verify(f"u{i}@acme.example") for i in range(12)))
    assert all(v.status is EmailStatus.INVALID for v in verdicts)
    assert server.open_peak == 2
    assert server.connections == 2
    await engine.aclose()
