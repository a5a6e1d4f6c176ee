"""The status from a check's details, as a table: no DNS, no SMTP, no clock."""

from __future__ import annotations

from typing import NamedTuple

import pytest

from openenrich.domain import EmailStatus
from openenrich.verification.details import (
    CatchAllCheck,
    FindDetails,
    Guess,
    RcptCheck,
    Reason,
    RouteCheck,
    VerifyDetails,
)
from openenrich.verification.replies import Reply, ReplyKind, classify
from openenrich.verification.routes import MailHost, MailRoute, RouteStatus
from openenrich.verification.verdict import find_verdict, verify_verdict

ADDRESS = "jane@acme.example"
HOSTS = (MailHost("mx1.acme.example", 10, ("127.0.0.2",)),)
OK = RouteCheck(MailRoute("acme.example", RouteStatus.OK, HOSTS))
ACCEPTS_ALL = RouteCheck(OK.route, accepts_all="mta5.am0.yahoodns.net")

ACCEPTED = classify(250, "2.1.5 OK")
UNKNOWN_USER = classify(550, "5.1.1 User unknown")
GREYLISTED = classify(450, "4.2.0 Recipient address rejected: Greylisted")
POLICY = classify(554, "5.7.1 Client host blocked using Spamhaus")
BARE_REJECT = classify(554, "Transaction failed")
NO_CONNECTION = Reply(0, "", ReplyKind.NO_CONNECTION)
TIMED_OUT = Reply(0, "RCPT timed out", ReplyKind.TIMEOUT)


def route(status: RouteStatus) -> RouteCheck:
    return RouteCheck(MailRoute("acme.example", status))


def address(
    reply: Reply | None = None,
    catch_all: CatchAllCheck | None = None,
    *,
    route_check: RouteCheck = OK,
    corroborated: bool = False,
) -> VerifyDetails:
    rcpt = RcptCheck({ADDRESS: reply} if reply else {}, "mx1.acme.example", "127.0.0.2", 1)
    return VerifyDetails(
        ADDRESS,
        ADDRESS,
        corroborated=corroborated,
        route=route_check,
        rcpt=rcpt if reply or catch_all else None,
        catch_all=catch_all,
    )


PROVEN = CatchAllCheck(False, UNKNOWN_USER)
CATCH_ALL = CatchAllCheck(True, ACCEPTED)
UNPROVEN = CatchAllCheck(None, GREYLISTED)


@pytest.mark.parametrize(
    ("details", "expected"),
    [
        (
            VerifyDetails("jane", syntax_error="not an email address"),
            (EmailStatus.INVALID, Reason.SYNTAX),
        ),
        (VerifyDetails(ADDRESS, ADDRESS, timed_out=True), (EmailStatus.UNKNOWN, Reason.TIMEOUT)),
        (VerifyDetails(ADDRESS, ADDRESS), (EmailStatus.UNKNOWN, Reason.NO_REPLY)),
        (
            address(route_check=route(RouteStatus.NXDOMAIN)),
            (EmailStatus.INVALID_DOMAIN, Reason.NXDOMAIN),
        ),
        (
            address(route_check=route(RouteStatus.NULL_MX)),
            (EmailStatus.INVALID_DOMAIN, Reason.NULL_MX),
        ),
        (
            address(route_check=route(RouteStatus.NO_MAIL)),
            (EmailStatus.INVALID_DOMAIN, Reason.NO_MAIL),
        ),
        (
            address(route_check=route(RouteStatus.DNS_ERROR)),
            (EmailStatus.UNKNOWN, Reason.DNS_ERROR),
        ),
        (address(route_check=ACCEPTS_ALL), (EmailStatus.CATCH_ALL, Reason.ACCEPTS_ALL)),
        (
            address(route_check=ACCEPTS_ALL, corroborated=True),
            (EmailStatus.HIGH_PROBABILITY, Reason.ACCEPTS_ALL),
        ),
        (address(), (EmailStatus.UNKNOWN, Reason.NO_REPLY)),
        (address(GREYLISTED), (EmailStatus.UNKNOWN, Reason.GREYLISTED)),
        (address(TIMED_OUT), (EmailStatus.UNKNOWN, Reason.TIMEOUT)),
        (address(NO_CONNECTION), (EmailStatus.UNKNOWN, Reason.NO_CONNECTION)),
        (address(POLICY), (EmailStatus.UNKNOWN, Reason.POLICY)),
        (address(UNKNOWN_USER), (EmailStatus.INVALID, Reason.USER_UNKNOWN)),
        (address(BARE_REJECT), (EmailStatus.INVALID, Reason.REJECTED)),
        (address(UNKNOWN_USER, CATCH_ALL), (EmailStatus.INVALID, Reason.USER_UNKNOWN)),
        (address(ACCEPTED, PROVEN), (EmailStatus.DELIVERABLE, None)),
        (address(ACCEPTED, CatchAllCheck(False)), (EmailStatus.DELIVERABLE, None)),
        (address(ACCEPTED, PROVEN, corroborated=True), (EmailStatus.DELIVERABLE, None)),
        (address(ACCEPTED, CATCH_ALL), (EmailStatus.CATCH_ALL, None)),
        (address(ACCEPTED, CATCH_ALL, corroborated=True), (EmailStatus.HIGH_PROBABILITY, None)),
        (address(ACCEPTED, UNPROVEN), (EmailStatus.CATCH_ALL, None)),
        (address(ACCEPTED, UNPROVEN, corroborated=True), (EmailStatus.CATCH_ALL, None)),
        (address(ACCEPTED), (EmailStatus.CATCH_ALL, None)),
    ],
)
def test_verify_verdict(
    details: VerifyDetails, expected: tuple[EmailStatus, Reason | None]
) -> None:
    result = verify_verdict(details)
    assert (result.details, result.status, result.reason) == (details, *expected)


class Found(NamedTuple):
    email: str | None
    status: EmailStatus
    reason: Reason | None = None
    pattern: str | None = None
    tried: tuple[str, ...] = ()


FIRST = Guess("jane.doe@acme.example", "first.last")
SECOND = Guess("jdoe@acme.example", "flast")
GUESSES = (FIRST, SECOND)
BOTH = (FIRST.email, SECOND.email)


def name(
    replies: dict[str, Reply] | None = None,
    catch_all: CatchAllCheck | None = None,
    *,
    route_check: RouteCheck = OK,
    learned: str | None = None,
    guesses: tuple[Guess, ...] = GUESSES,
) -> FindDetails:
    rcpt = RcptCheck(replies, "mx1.acme.example", "127.0.0.2", 1) if replies is not None else None
    return FindDetails("acme.example", None, False, route_check, learned, guesses, rcpt, catch_all)


@pytest.mark.parametrize(
    ("details", "expected"),
    [
        (
            FindDetails(timed_out=True),
            Found(None, EmailStatus.UNKNOWN, Reason.TIMEOUT),
        ),
        (
            FindDetails(domain_error="no dot"),
            Found(None, EmailStatus.INVALID_DOMAIN, Reason.BAD_DOMAIN),
        ),
        (
            name(route_check=route(RouteStatus.NULL_MX)),
            Found(None, EmailStatus.INVALID_DOMAIN, Reason.NULL_MX),
        ),
        (
            name(route_check=route(RouteStatus.DNS_ERROR)),
            Found(None, EmailStatus.UNKNOWN, Reason.DNS_ERROR),
        ),
        (
            name(route_check=ACCEPTS_ALL, guesses=()),
            Found(None, EmailStatus.UNKNOWN, Reason.NO_USABLE_NAME),
        ),
        (
            name(route_check=ACCEPTS_ALL),
            Found(FIRST.email, EmailStatus.CATCH_ALL, Reason.ACCEPTS_ALL, FIRST.pattern),
        ),
        (
            name(route_check=ACCEPTS_ALL, learned="first.last"),
            Found(FIRST.email, EmailStatus.HIGH_PROBABILITY, Reason.ACCEPTS_ALL, FIRST.pattern),
        ),
        (
            name(catch_all=CatchAllCheck(True)),
            Found(FIRST.email, EmailStatus.CATCH_ALL, None, FIRST.pattern),
        ),
        (
            name(catch_all=CatchAllCheck(True), learned="flast"),
            Found(FIRST.email, EmailStatus.CATCH_ALL, None, FIRST.pattern),
        ),
        (
            # A probe accepted after a guess was: the domain takes anyone, so no guess counts.
            name({FIRST.email: ACCEPTED}, CATCH_ALL, learned="first.last"),
            Found(FIRST.email, EmailStatus.HIGH_PROBABILITY, None, FIRST.pattern),
        ),
        (
            name({FIRST.email: UNKNOWN_USER, SECOND.email: ACCEPTED}, PROVEN),
            Found(SECOND.email, EmailStatus.DELIVERABLE, None, SECOND.pattern, BOTH),
        ),
        (
            name({FIRST.email: ACCEPTED}, CatchAllCheck(False)),
            Found(FIRST.email, EmailStatus.DELIVERABLE, None, FIRST.pattern, (FIRST.email,)),
        ),
        (
            name({FIRST.email: ACCEPTED}, UNPROVEN),
            Found(FIRST.email, EmailStatus.CATCH_ALL, None, FIRST.pattern, (FIRST.email,)),
        ),
        (
            name({FIRST.email: UNKNOWN_USER, SECOND.email: UNKNOWN_USER}, PROVEN),
            Found(None, EmailStatus.INVALID, Reason.EVERY_CANDIDATE_REJECTED, tried=BOTH),
        ),
        (
            name({FIRST.email: UNKNOWN_USER, SECOND.email: GREYLISTED}, PROVEN),
            Found(None, EmailStatus.UNKNOWN, Reason.UNRESOLVED, tried=BOTH),
        ),
        (
            name({FIRST.email: POLICY}, PROVEN),
            Found(None, EmailStatus.UNKNOWN, Reason.UNRESOLVED, tried=(FIRST.email,)),
        ),
        (name({}, UNPROVEN), Found(None, EmailStatus.UNKNOWN, Reason.UNRESOLVED)),
    ],
)
def test_find_verdict(details: FindDetails, expected: Found) -> None:
    result = find_verdict(details)
    assert result.details == details
    assert (
        Found(result.email, result.status, result.reason, result.pattern, result.tried) == expected
    )


def test_every_reply_but_acceptance_has_a_reason() -> None:
    for kind in ReplyKind:
        if kind is not ReplyKind.ACCEPTED:
            assert Reason.of_reply(kind).value in (kind.value, "refused by policy")
    for status in RouteStatus:
        if status is not RouteStatus.OK:
            assert Reason.of_route(status).value == status.value
