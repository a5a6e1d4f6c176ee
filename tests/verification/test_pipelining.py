"""SMTP PIPELINING (RFC 2920): the catch-all probe and a group of guesses in one round
trip, concurrent checks of one host sharing groups, and a clean fall-back where it is not
offered or the replies come out of step. `round_trips` is counted by the server."""

from __future__ import annotations

import asyncio

import pytest
from tests.rigs.loopback import MailBehaviour

from openenrich.domain import EmailStatus

from .conftest import MakeRig, mx_zone

pytestmark = pytest.mark.anyio

ZONE = mx_zone({"acme.example": [(10, "mx.acme.example", "127.0.0.2")]})
MAILBOXES = frozenset({"j.doe@acme.example", "ann.lee@acme.example"})


async def find_round_trips(make_rig: MakeRig, **behaviour: object) -> tuple[MailBehaviour, object]:
    server = MailBehaviour(mailboxes=MAILBOXES, **behaviour)  # type: ignore[arg-type]
    engine = make_rig(ZONE, {"127.0.0.2": server}).engine()
    found = await engine.find("Jane", "Doe", "acme.example")
    await engine.aclose()
    assert (found.email, found.status) == ("j.doe@acme.example", EmailStatus.DELIVERABLE)
    # Only the guesses up to the accepted one count as tried.
    assert found.tried[-1] == "j.doe@acme.example"
    return server, found


async def test_probe_and_guesses_in_one_round_trip(make_rig: MakeRig) -> None:
    piped, _ = await find_round_trips(make_rig, pipelining=True)
    plain, _ = await find_round_trips(make_rig)
    # Greeting, EHLO, then MAIL FROM with the probe and the five guesses in one group,
    # and QUIT; without PIPELINING, MAIL FROM and six RCPTs one at a time.
    assert piped.round_trips == 4, piped.round_trips
    assert plain.round_trips == 2 + 1 + 6 + 1, plain.round_trips


async def test_out_of_step_replies_fall_back_to_one_command_at_a_time(make_rig: MakeRig) -> None:
    server, _ = await find_round_trips(make_rig, pipelining_out_of_step=True)
    assert server.connections == 2  # the group was dropped and asked again, unpiped


async def test_recipient_limits_hold_within_groups(make_rig: MakeRig) -> None:
    server, _ = await find_round_trips(make_rig, pipelining=True, max_rcpt_per_session=2)
    assert server.connections >= 3


async def test_concurrent_checks_of_one_host_share_groups(make_rig: MakeRig) -> None:
    server = MailBehaviour(mailboxes=MAILBOXES, pipelining=True, delay=0.02)
    engine = make_rig(ZONE, {"127.0.0.2": server}).engine(smtp_max_per_host=2)
    assert (await engine.verify("ann.lee@acme.example")).status is EmailStatus.DELIVERABLE
    before = server.round_trips
    emails = [f"user{i}@acme.example" for i in range(40)] + ["j.doe@acme.example"]
    verdicts = await asyncio.gather(*(engine.verify(e) for e in emails))
    await engine.aclose()
    assert [v.status for v in verdicts] == [EmailStatus.INVALID] * 40 + [EmailStatus.DELIVERABLE]
    assert server.round_trips - before < 15, server.round_trips - before  # 41 unpiped
