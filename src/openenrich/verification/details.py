"""What each step of a check learned, as typed records: the route, the RCPT replies, the
catch-all probe. The engine only gathers them; `verdict.py` alone decides what they mean."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum

from openenrich.verification.replies import Reply, ReplyKind
from openenrich.verification.routes import MailHost, MailRoute, RouteStatus


class Reason(StrEnum):
    """Why a check ended without proof either way, or with a refutation. The values are
    the strings the evidence has always carried (scripts read them from `--json`)."""

    SYNTAX = "syntax"  # shown as "syntax: <what is wrong>"
    BAD_DOMAIN = "domain"  # shown as "domain: <what is wrong>"
    TIMEOUT = "timeout"  # the whole check, or one SMTP command, ran out of time
    NXDOMAIN = "nxdomain"
    NULL_MX = "null_mx"
    NO_MAIL = "no_mail"
    DNS_ERROR = "dns_error"
    ACCEPTS_ALL = "host accepts every recipient"
    NO_REPLY = "none"
    USER_UNKNOWN = "user_unknown"
    REJECTED = "rejected"
    GREYLISTED = "greylisted"
    TEMPORARY = "temporary"
    TOO_MANY_RECIPIENTS = "too_many_recipients"
    UNAVAILABLE = "unavailable"
    NO_CONNECTION = "no_connection"
    POLICY = "refused by policy"
    # Every address of the domain's mail hosts is internal (loopback, private, link-local,
    # CGNAT, reserved, metadata): the server never connects there for a tenant.
    PRIVATE_ROUTE = "private_route"
    NO_USABLE_NAME = "no usable name"
    UNRESOLVED = "unresolved"
    EVERY_CANDIDATE_REJECTED = "every candidate rejected"

    @classmethod
    def of_route(cls, status: RouteStatus) -> Reason:
        return _ROUTE_REASONS[status]

    @classmethod
    def of_reply(cls, kind: ReplyKind) -> Reason:
        return _REPLY_REASONS[kind]


_ROUTE_REASONS = {
    RouteStatus.NXDOMAIN: Reason.NXDOMAIN,
    RouteStatus.NULL_MX: Reason.NULL_MX,
    RouteStatus.NO_MAIL: Reason.NO_MAIL,
    RouteStatus.DNS_ERROR: Reason.DNS_ERROR,
}
_REPLY_REASONS = {
    ReplyKind.USER_UNKNOWN: Reason.USER_UNKNOWN,
    ReplyKind.REJECTED: Reason.REJECTED,
    ReplyKind.POLICY: Reason.POLICY,
    ReplyKind.GREYLISTED: Reason.GREYLISTED,
    ReplyKind.TEMPORARY: Reason.TEMPORARY,
    ReplyKind.TOO_MANY_RECIPIENTS: Reason.TOO_MANY_RECIPIENTS,
    ReplyKind.UNAVAILABLE: Reason.UNAVAILABLE,
    ReplyKind.TIMEOUT: Reason.TIMEOUT,
    ReplyKind.NO_CONNECTION: Reason.NO_CONNECTION,
}


@dataclass(frozen=True, slots=True)
class Refusal:
    """An MX address the address policy refuses, and why (`openenrich.netpolicy`)."""

    host: str
    address: str
    reason: str

    def summary(self) -> str:
        return f"{self.host} [{self.address}]: {self.reason}"


@dataclass(frozen=True, slots=True)
class RouteCheck:
    """Where the domain's mail goes (MX hosts in preference order, the A/AAAA fallback,
    null MX, NXDOMAIN...), whether that came from the facts store, and whether one of
    its hosts is known to accept every recipient (then RCPT proves nothing)."""

    route: MailRoute
    cached: bool = False
    accepts_all: str | None = None  # the MX host that accepts everyone
    # Addresses of the route the address policy refuses: never connected to. When every
    # address is refused, nothing is probed at all.
    refused: tuple[Refusal, ...] = ()

    @property
    def routable(self) -> bool:
        return self.route.status is RouteStatus.OK

    @property
    def probe_route(self) -> MailRoute:
        """The route with the refused addresses left out: what the prober may use."""
        dropped = {r.address for r in self.refused}
        hosts = tuple(
            MailHost(h.name, h.preference, tuple(a for a in h.addresses if a not in dropped))
            for h in self.route.hosts
        )
        return MailRoute(self.route.domain, self.route.status, hosts, self.route.implicit)

    @property
    def private(self) -> bool:
        """Routable, but only through addresses the policy refuses."""
        return self.routable and not any(h.addresses for h in self.probe_route.hosts)


@dataclass(frozen=True, slots=True)
class RcptCheck:
    """The RCPT replies, greylisting retries included, and the MX host that gave them."""

    replies: Mapping[str, Reply] = field(default_factory=dict)
    host: str | None = None
    address: str | None = None
    attempts: int = 0
    failures: tuple[str, ...] = ()  # hosts that failed on the way, and why


@dataclass(frozen=True, slots=True)
class CatchAllCheck:
    """Whether the domain accepts any local part: True, False, or None (nothing proven).
    `reply` is the random probe's answer; None when stored facts (or a concurrent check
    of the same domain) settled it."""

    verdict: bool | None
    reply: Reply | None = None

    @property
    def cached(self) -> bool:
        return self.reply is None and self.verdict is not None


@dataclass(frozen=True, slots=True)
class VerifyDetails:
    """Everything the verifier learned about one address, step by step. A step that did
    not run is None."""

    email: str  # as given (stripped)
    address: str = ""  # local part @ normalised domain: the RCPT recipient
    syntax_error: str | None = None
    timed_out: bool = False
    # Another source gave this address too: lifts a catch-all domain to HIGH_PROBABILITY.
    corroborated: bool = False
    personal: bool = False
    disposable: bool = False
    role: bool = False
    route: RouteCheck | None = None
    rcpt: RcptCheck | None = None
    catch_all: CatchAllCheck | None = None

    @property
    def reply(self) -> Reply | None:
        """The mail server's answer about this address."""
        return self.rcpt.replies.get(self.address) if self.rcpt is not None else None


@dataclass(frozen=True, slots=True)
class Guess:
    """A candidate address for a name, and the pattern that produced it."""

    email: str
    pattern: str


@dataclass(frozen=True, slots=True)
class FindDetails:
    """Everything the finder learned about a name at a domain, step by step."""

    domain: str = ""  # registrable domain
    domain_error: str | None = None
    timed_out: bool = False
    route: RouteCheck | None = None
    learned_pattern: str | None = None  # fresh pattern from a confirmed address
    guesses: tuple[Guess, ...] = ()  # in the order they are tried
    rcpt: RcptCheck | None = None  # the guesses (and the catch-all probe, if it ran)
    catch_all: CatchAllCheck | None = None
