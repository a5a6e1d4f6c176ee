"""The status that follows from what a check learned: pure functions of the details, so
every rule sits in one table-tested place and the engine never decides a status. Their
answers are the engine's results: the details, and what they prove."""

from __future__ import annotations

from dataclasses import dataclass

from openenrich.domain import EmailStatus
from openenrich.verification.details import FindDetails, Reason, RouteCheck, VerifyDetails
from openenrich.verification.replies import ReplyKind


@dataclass(frozen=True, slots=True)
class Verification:
    """One address checked: built only by `verify_verdict`."""

    details: VerifyDetails
    status: EmailStatus
    reason: Reason | None = None  # None when the proof is complete (or only catch-all)


@dataclass(frozen=True, slots=True)
class FindResult:
    """The best address for a name at a domain (`email` None when there is none): built
    only by `find_verdict`."""

    details: FindDetails
    email: str | None
    status: EmailStatus
    reason: Reason | None = None
    pattern: str | None = None  # of `email`
    tried: tuple[str, ...] = ()  # guesses the mail server answered


def _route(route: RouteCheck | None) -> tuple[EmailStatus, Reason] | None:
    """The verdict when the domain's route already settles it (no probing), else None."""
    if route is None:
        return EmailStatus.UNKNOWN, Reason.NO_REPLY
    if route.route.status.invalid_domain:
        return EmailStatus.INVALID_DOMAIN, Reason.of_route(route.route.status)
    if not route.routable:
        return EmailStatus.UNKNOWN, Reason.of_route(route.route.status)
    if route.private:
        return EmailStatus.UNKNOWN, Reason.PRIVATE_ROUTE
    return None


def verify_verdict(d: VerifyDetails) -> Verification:
    """One address: only the server accepting it *and* rejecting a random address at the
    same domain makes it DELIVERABLE; temporary failures and refusals aimed at us prove
    nothing (UNKNOWN); a catch-all domain gives CATCH_ALL, or HIGH_PROBABILITY when
    another source corroborates the address."""
    if d.syntax_error is not None:
        return Verification(d, EmailStatus.INVALID, Reason.SYNTAX)
    if d.timed_out:
        return Verification(d, EmailStatus.UNKNOWN, Reason.TIMEOUT)
    settled = _route(d.route)
    if settled is not None:
        return Verification(d, *settled)
    assert d.route is not None
    if d.route.accepts_all is not None:
        status = EmailStatus.HIGH_PROBABILITY if d.corroborated else EmailStatus.CATCH_ALL
        return Verification(d, status, Reason.ACCEPTS_ALL)
    reply = d.reply
    if reply is None:
        return Verification(d, EmailStatus.UNKNOWN, Reason.NO_REPLY)
    if reply.kind.temporary or reply.kind is ReplyKind.POLICY:
        return Verification(d, EmailStatus.UNKNOWN, Reason.of_reply(reply.kind))
    if reply.kind is not ReplyKind.ACCEPTED:
        return Verification(d, EmailStatus.INVALID, Reason.of_reply(reply.kind))
    catch_all = d.catch_all.verdict if d.catch_all is not None else None
    if catch_all is False:
        return Verification(d, EmailStatus.DELIVERABLE)
    if catch_all and d.corroborated:
        return Verification(d, EmailStatus.HIGH_PROBABILITY)
    return Verification(d, EmailStatus.CATCH_ALL)


def unverifiable(d: FindDetails) -> bool:
    """A domain where RCPT proves nothing (its host or its catch-all accepts everyone)."""
    accepts_all = d.route is not None and d.route.accepts_all is not None
    return accepts_all or (d.catch_all is not None and d.catch_all.verdict is True)


def find_verdict(d: FindDetails) -> FindResult:
    """A name at a domain: the first guess the server accepts, DELIVERABLE only when the
    domain rejected a random address. Where the domain accepts everyone, the likeliest
    guess: HIGH_PROBABILITY when it follows the pattern learned from a confirmed address."""
    if d.timed_out:
        return FindResult(d, None, EmailStatus.UNKNOWN, Reason.TIMEOUT)
    if d.domain_error is not None:
        return FindResult(d, None, EmailStatus.INVALID_DOMAIN, Reason.BAD_DOMAIN)
    settled = _route(d.route)
    if settled is not None:
        return FindResult(d, None, *settled)
    if not d.guesses:
        return FindResult(d, None, EmailStatus.UNKNOWN, Reason.NO_USABLE_NAME)
    if unverifiable(d):
        first = d.guesses[0]
        learned = d.learned_pattern is not None and first.pattern == d.learned_pattern
        status = EmailStatus.HIGH_PROBABILITY if learned else EmailStatus.CATCH_ALL
        reason = Reason.ACCEPTS_ALL if d.route and d.route.accepts_all else None
        return FindResult(d, first.email, status, reason, first.pattern)
    replies = d.rcpt.replies if d.rcpt is not None else {}
    tried = tuple(g.email for g in d.guesses if g.email in replies)
    for guess in d.guesses:
        reply = replies.get(guess.email)
        if reply is not None and reply.kind is ReplyKind.ACCEPTED:
            proven = d.catch_all is not None and d.catch_all.verdict is False
            status = EmailStatus.DELIVERABLE if proven else EmailStatus.CATCH_ALL
            return FindResult(d, guess.email, status, None, guess.pattern, tried)
    kinds = [replies[email].kind for email in tried]
    if not tried or any(k.temporary or k is ReplyKind.POLICY for k in kinds):
        return FindResult(d, None, EmailStatus.UNKNOWN, Reason.UNRESOLVED, tried=tried)
    return FindResult(d, None, EmailStatus.INVALID, Reason.EVERY_CANDIDATE_REJECTED, tried=tried)
