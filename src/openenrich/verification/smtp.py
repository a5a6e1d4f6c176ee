"""RCPT probes over pooled SMTP sessions: per-MX-host concurrency limits, several RCPTs per
session (and per mail transaction), a fresh session after "too many recipients", fail-over
to the next MX, timeouts on the connect and on every command, and a time budget per host.

Where a server offers PIPELINING (RFC 2920), the recipients of a call go in one round trip
(the catch-all probe and a group of guesses together), and single-address checks waiting
for the same host ride along in one group; a reply out of step (503 bad sequence) turns
pipelining off for that host and the group is asked again one command at a time."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import socket
import ssl
import time
from collections.abc import AsyncIterator, Callable, Sequence
from dataclasses import dataclass, field
from typing import Protocol

from openenrich.netpolicy import AllowList, refusal
from openenrich.verification.replies import Reply, ReplyKind, classify
from openenrich.verification.routes import MailHost, MailRoute
from openenrich.verification.smtpwire import Wire, WireError


class ProxyError(Exception):
    """The proxy would not (or could not) connect to the MX."""


log = logging.getLogger(__name__)


@dataclass(slots=True)
class Outbound:
    """How one session reaches its MX: a socket already connected (through a proxy; None
    to connect directly), the HELO name to announce on it, and what to call when the
    session ends (a proxy counts its sessions)."""

    sock: socket.socket | None = None
    helo: str | None = None
    release: Callable[[], None] = lambda: None


class Connector(Protocol):
    async def connect(self, address: str, port: int, mx_host: str, seconds: float) -> Outbound:
        """A way to `address`:`port` (the MX host `mx_host`), within `seconds`."""


@dataclass(frozen=True, slots=True)
class SmtpConfig:
    helo: str = "localhost"
    mail_from: str = "verify@localhost"
    port: int = 25
    starttls: bool = True
    connect_timeout: float = 10.0
    command_timeout: float = 10.0
    max_per_host: int = 4
    max_rcpt_per_session: int = 25
    idle_seconds: float = 15.0
    # A host that refused or failed a connection is tried last for this long.
    host_backoff_seconds: float = 60.0
    # Internal addresses the operator lets the prober reach (local rigs, tests).
    allow: AllowList = field(default_factory=AllowList)
    # Most time one call spends on one address; past it the host counts as a tarpit.
    host_budget_seconds: float = 30.0
    # Send RCPT groups in one round trip where the server offers PIPELINING.
    pipelining: bool = True
    # Opens the TCP connection (a SOCKS5 proxy, see `proxies.py`) and names the HELO to
    # use on it; None connects directly with `helo`.
    connector: Connector | None = None


@dataclass(slots=True)
class ProbeStats:
    """Client-side counters: commands sent (the greeting counts as one), connections, and
    round trips (a pipelined group is one)."""

    commands: int = 0
    connections: int = 0
    round_trips: int = 0


@dataclass(slots=True)
class RcptOutcome:
    replies: dict[str, Reply] = field(default_factory=dict)
    host: str | None = None  # the MX that gave the last reply
    address: str | None = None
    trail: list[str] = field(default_factory=list)  # what failed on the way, for evidence
    stopped: bool = False


@dataclass(slots=True)
class _Call:
    """One `rcpt` call's progress: the recipients left, when to stop, what it got, and
    the failure reply for a recipient no host answered."""

    remaining: list[str]
    stop: Callable[[str, Reply], bool]
    out: RcptOutcome
    failure: dict[str, Reply]


class _SessionFailed(Exception):
    def __init__(self, reason: str, reply: Reply | None = None) -> None:
        super().__init__(reason)
        self.reply = reply


class _OutOfStep(Exception):
    """A pipelined group's replies do not match its commands."""


def _never(_recipient: str, _reply: Reply) -> bool:
    return False


class _Session:
    def __init__(
        self, wire: Wire, host: MailHost, address: str, release: Callable[[], None]
    ) -> None:
        self.wire = wire
        self.host = host
        self.address = address
        self._release: Callable[[], None] | None = release
        self.in_transaction = 0  # RCPTs sent since the last MAIL FROM
        self.needs_mail = False  # MAIL FROM deferred to go with the first pipelined group
        self.last_used = time.monotonic()

    @property
    def alive(self) -> bool:
        return self.wire.is_connected

    def close(self) -> None:
        self.wire.close()
        release = self._release
        self._release = None
        if release is not None:
            release()


@dataclass(slots=True)
class _Ask:
    """Recipients of one call waiting to ride along in another call's pipelined group."""

    recipients: list[str]
    done: asyncio.Future[_Answer]


@dataclass(slots=True)
class _Answer:
    replies: dict[str, Reply]
    failure: dict[str, Reply]
    trail: list[str]


class _HostPool:
    def __init__(self, limit: int) -> None:
        self.slots = asyncio.Semaphore(limit)
        self.idle: list[_Session] = []
        self.pipelining: bool | None = None  # unknown until a session says
        self.pending: list[_Ask] = []
        self.drivers: set[asyncio.Task[None]] = set()  # serving `pending`


def _timeout_reply(what: str) -> Reply:
    return Reply(0, what, ReplyKind.TIMEOUT)


Waiting = Callable[[], contextlib.AbstractAsyncContextManager[None]]


@contextlib.asynccontextmanager
async def _just_wait() -> AsyncIterator[None]:
    yield


async def acquire(primitive: asyncio.Lock | asyncio.Semaphore, waiting: Waiting) -> None:
    """Take a lock or semaphore; when that means waiting for someone else, wait inside
    `waiting` (a worker gives its slot back meanwhile). Never leaks the primitive when
    cancelled while taking the worker slot back."""
    if not primitive.locked():
        await primitive.acquire()
        return
    acquired = False
    try:
        async with waiting():
            await primitive.acquire()
            acquired = True
    except BaseException:
        if acquired:
            primitive.release()
        raise


def _answer(batch: list[_Ask], sub: RcptOutcome, sub_failure: dict[str, Reply]) -> None:
    """Hand each call of a shared group its own replies (and the group's failure)."""
    for ask in batch:
        if ask.done.done():
            continue
        mine = set(ask.recipients)
        replies = {r: sub.replies[r] for r in ask.recipients if r in sub.replies}
        fail = {r: f for r, f in sub_failure.items() if r in mine}
        unanswered = [r for r in ask.recipients if r not in replies]
        if unanswered and not fail and sub_failure:
            # The group failed as a whole (a timeout, a 421): the same for all.
            fail = {unanswered[0]: next(iter(sub_failure.values()))}
        ask.done.set_result(_Answer(replies, fail, list(sub.trail)))


def _tls_context() -> ssl.SSLContext:
    """Opportunistic STARTTLS: encryption without authentication, as MTAs do (RFC 7435)."""
    context = ssl.create_default_context()
    context.check_hostname = False
    context.verify_mode = ssl.CERT_NONE
    return context


class SmtpProber:
    """Asks MX hosts about recipients. One instance per event loop; `aclose()` at the end.
    `waiting` wraps waits for a host's sessions (a worker gives its slot back meanwhile)."""

    def __init__(self, config: SmtpConfig, waiting: Waiting = _just_wait) -> None:
        self.config = config
        self.stats = ProbeStats()
        self.waiting = waiting
        self._pools: dict[str, _HostPool] = {}
        self._down_until: dict[str, float] = {}
        # Hosts that spent a whole time budget (tarpits): skipped until then.
        self._slow_until: dict[str, float] = {}

    def _pool(self, address: str) -> _HostPool:
        pool = self._pools.get(address)
        if pool is None:
            pool = self._pools[address] = _HostPool(self.config.max_per_host)
        return pool

    # -- one session -------------------------------------------------------------------

    async def _command(self, session: _Session, line: str) -> Reply:
        self.stats.commands += 1
        self.stats.round_trips += 1
        try:
            response = await session.wire.command(line, self.config.command_timeout)
        except TimeoutError as exc:
            verb = line.split(" ", 1)[0]
            raise _SessionFailed("timeout", _timeout_reply(f"{verb} timed out")) from exc
        except WireError as exc:
            raise _SessionFailed(str(exc)) from exc
        session.last_used = time.monotonic()
        return classify(response.code, response.text)

    async def _open(self, host: MailHost, address: str) -> _Session:
        cfg = self.config
        refused = refusal(address, host.name, cfg.allow)
        if refused is not None:  # whatever route the caller passed: never reach inside
            raise _SessionFailed(f"refused by the address policy: {refused}")
        self.stats.connections += 1
        self.stats.commands += 1
        self.stats.round_trips += 1
        outbound = Outbound()
        wire: Wire | None = None
        try:
            if cfg.connector is not None:
                outbound = await cfg.connector.connect(
                    address, cfg.port, host.name, cfg.connect_timeout
                )
            wire, greeting = await Wire.open(address, cfg.port, cfg.connect_timeout, outbound.sock)
            session = _Session(wire, host, address, outbound.release)
            wire, outbound = None, Outbound(helo=outbound.helo)  # the session's from now on
            first = classify(greeting.code, greeting.text)
            try:
                if greeting.code != 220:
                    raise _SessionFailed(first.summary(), first)
                helo = outbound.helo or cfg.helo
                await self._hello(session, helo)
                if cfg.starttls and "STARTTLS" in session.wire.extensions:
                    await self._expect(session, "STARTTLS")
                    await session.wire.starttls(_tls_context(), host.name, cfg.command_timeout)
                    await self._hello(session, helo)
                if cfg.pipelining and session.wire.pipelining:
                    session.needs_mail = True  # sent in the first group: one round trip less
                else:
                    await self._mail_from(session)
            except BaseException:
                session.close()
                raise
            return session
        except TimeoutError as exc:
            self._abandon(wire, outbound)
            raise _SessionFailed("timeout", _timeout_reply("connect timed out")) from exc
        except (WireError, OSError, ssl.SSLError, ProxyError) as exc:
            self._abandon(wire, outbound)
            raise _SessionFailed(type(exc).__name__) from exc
        except BaseException:  # refused, cut off (the host's time budget), cancelled
            self._abandon(wire, outbound)
            raise

    @staticmethod
    def _abandon(wire: Wire | None, outbound: Outbound) -> None:
        """A connection that never became a session: close it, free its proxy slot (a
        session's own `close` does both once it exists)."""
        if wire is not None:
            wire.close()
            outbound.release()
        elif outbound.sock is not None:
            outbound.sock.close()
            outbound.release()

    async def _hello(self, session: _Session, name: str) -> None:
        self.stats.commands += 1
        self.stats.round_trips += 1
        try:
            reply = await session.wire.ehlo(name, self.config.command_timeout)
        except WireError as exc:
            raise _SessionFailed(str(exc)) from exc
        if not 200 <= reply.code < 300:
            await self._expect(session, f"HELO {name}")

    async def _expect(self, session: _Session, line: str) -> None:
        """A command that must be accepted for the session to go on."""
        reply = await self._command(session, line)
        if reply.kind is not ReplyKind.ACCEPTED:
            raise _SessionFailed(reply.summary(), reply)

    def _mail_line(self) -> str:
        return f"MAIL FROM:<{self.config.mail_from}>"

    async def _mail_from(self, session: _Session) -> None:
        reply = await self._command(session, self._mail_line())
        if reply.kind is not ReplyKind.ACCEPTED:
            session.close()
            raise _SessionFailed(f"MAIL FROM: {reply.summary()}", reply)
        session.in_transaction = 0

    async def _checkout(
        self, pool: _HostPool, host: MailHost, address: str
    ) -> tuple[_Session, bool]:
        """An idle session to this address if a live, recent one exists, else a new one."""
        now = time.monotonic()
        while pool.idle:
            session = pool.idle.pop()
            if session.alive and now - session.last_used < self.config.idle_seconds:
                return session, True
            await self._quit(session)
        session = await self._open(host, address)
        if pool.pipelining is None:
            pool.pipelining = self.config.pipelining and session.wire.pipelining
        return session, False

    async def _quit(self, session: _Session) -> None:
        if session.alive:
            with contextlib.suppress(WireError, OSError, TimeoutError):
                self.stats.commands += 1
                await session.wire.command("QUIT", min(1.0, self.config.command_timeout))
        session.close()

    async def _rcpt(self, session: _Session, recipient: str) -> Reply:
        if session.needs_mail:
            await self._mail_from(session)
            session.needs_mail = False
        elif session.in_transaction >= self.config.max_rcpt_per_session:
            await self._command(session, "RSET")
            await self._mail_from(session)
        session.in_transaction += 1
        return await self._command(session, f"RCPT TO:<{recipient}>")

    async def _group(self, session: _Session, recipients: list[str]) -> list[Reply]:
        """RCPT as many of `recipients` as the transaction has room for, pipelined: one
        write (RSET and MAIL FROM first when the transaction is full), then the replies."""
        cfg = self.config
        lines: list[str] = []
        reset = session.in_transaction >= cfg.max_rcpt_per_session and not session.needs_mail
        mail = reset or session.needs_mail
        if reset:
            lines.append("RSET")
        if mail:
            lines.append(self._mail_line())
            session.in_transaction, session.needs_mail = 0, False
        group = recipients[: cfg.max_rcpt_per_session - session.in_transaction]
        lines += [f"RCPT TO:<{r}>" for r in group]
        self.stats.commands += len(lines)
        self.stats.round_trips += 1
        try:
            answers = await session.wire.pipeline(lines, cfg.command_timeout)
        except TimeoutError as exc:
            raise _SessionFailed("timeout", _timeout_reply("RCPT timed out")) from exc
        except WireError as exc:
            raise _SessionFailed(str(exc)) from exc
        session.last_used = time.monotonic()
        replies = [classify(a.code, a.text) for a in answers]
        if mail:
            mail_reply = replies[int(reset)]
            replies = replies[int(reset) + 1 :]
            if mail_reply.kind is not ReplyKind.ACCEPTED:
                session.close()
                raise _SessionFailed(f"MAIL FROM: {mail_reply.summary()}", mail_reply)
        if any(r.code == 503 for r in replies):  # "bad sequence": out of step
            raise _OutOfStep
        session.in_transaction += len(group)
        return replies

    # -- calls -------------------------------------------------------------------------

    async def rcpt(
        self,
        route: MailRoute,
        recipients: Sequence[str],
        stop: Callable[[str, Reply], bool] | None = None,
    ) -> RcptOutcome:
        """RCPT each recipient in order on the most preferred MX that will talk, until `stop`
        says so. Recipients no host could answer get a TIMEOUT / NO_CONNECTION reply.
        Calls without `stop` may share pipelined groups with other calls."""
        out = RcptOutcome()
        remaining = list(recipients)
        failure: dict[str, Reply] = {}
        now = time.monotonic()
        targets = [(host, address) for host in route.hosts for address in host.addresses]
        # Preference order, but hosts that just failed go last (stable sort).
        targets.sort(key=lambda target: self._down_until.get(target[1], 0.0) > now)
        for host, address in targets:
            if not remaining or out.stopped:
                break
            pool = self._pool(address)
            call = _Call(remaining, stop or _never, out, failure)
            if pool.pipelining is not False and stop is None:
                await self._ride_along(pool, host, address, call)
            else:
                await self._on_host(host, address, call)
        for recipient in remaining if not out.stopped else ():
            out.replies[recipient] = failure.get(recipient, Reply(0, "", ReplyKind.NO_CONNECTION))
        return out

    async def _ride_along(self, pool: _HostPool, host: MailHost, address: str, call: _Call) -> None:
        """Queue the recipients for this host: a driver task holding one of its sessions
        sends everything queued in one pipelined group (a transaction's worth at a time),
        so concurrent checks share round trips. Up to `max_per_host` drivers run."""
        remaining, out, failure = call.remaining, call.out, call.failure
        ask = _Ask(list(remaining), asyncio.get_running_loop().create_future())
        pool.pending.append(ask)
        # Waiting behind other calls' groups gives the worker slot back; a call that starts
        # a driver of its own keeps it (it is about to be answered).
        waiting = self.waiting
        if len(pool.drivers) < self.config.max_per_host:
            task = asyncio.create_task(self._drive(pool, host, address))
            pool.drivers.add(task)
            task.add_done_callback(pool.drivers.discard)
            waiting = _just_wait
        try:
            async with waiting():
                answer = await asyncio.shield(ask.done)
        finally:
            if ask in pool.pending:  # cancelled before any driver took it
                pool.pending.remove(ask)
        for recipient, reply in answer.replies.items():
            out.replies[recipient] = reply
            remaining.remove(recipient)
        if answer.replies:  # this call's MX name (sessions are pooled per address)
            out.host, out.address = host.name, address
        out.trail += answer.trail
        failure.update(answer.failure)

    async def _drive(self, pool: _HostPool, host: MailHost, address: str) -> None:
        async with pool.slots:
            while pool.pending:
                batch: list[_Ask] = []
                size = 0
                while pool.pending and (not batch or size < self.config.max_rcpt_per_session):
                    ask = pool.pending.pop(0)
                    batch.append(ask)
                    size += len(ask.recipients)
                recipients = [r for ask in batch for r in ask.recipients]
                sub = RcptOutcome()
                sub_failure: dict[str, Reply] = {}
                try:
                    await self._budgeted(
                        pool, host, address, _Call(recipients, _never, sub, sub_failure)
                    )
                finally:
                    _answer(batch, sub, sub_failure)

    async def _on_host(self, host: MailHost, address: str, call: _Call) -> None:
        pool = self._pool(address)
        await acquire(pool.slots, self.waiting)
        try:
            await self._budgeted(pool, host, address, call)
        finally:
            pool.slots.release()

    async def _budgeted(self, pool: _HostPool, host: MailHost, address: str, call: _Call) -> None:
        """`_session_rcpts` within the host's time budget; a host that spends it all is
        skipped by every call for the backoff period (a tarpit)."""
        remaining, out, failure = call.remaining, call.out, call.failure
        if self._slow_until.get(address, 0.0) > time.monotonic():
            out.trail.append(f"{host.name} [{address}]: skipped, over its time budget")
            if remaining:
                failure[remaining[0]] = _timeout_reply("host over its time budget")
            return
        try:
            async with asyncio.timeout(self.config.host_budget_seconds):
                await self._session_rcpts(pool, host, address, call)
        except TimeoutError:
            log.debug("MX %s [%s] spent its time budget", host.name, address)
            out.trail.append(f"{host.name} [{address}]: over its time budget")
            self._slow_until[address] = time.monotonic() + self.config.host_backoff_seconds
            if remaining:
                failure[remaining[0]] = _timeout_reply("host over its time budget")

    async def _session_rcpts(
        self, pool: _HostPool, host: MailHost, address: str, call: _Call
    ) -> None:
        """RCPT `remaining` on one address, on a pooled session or a new one: pipelined
        groups where the server allows, else one command at a time."""
        remaining, stop, out, failure = call.remaining, call.stop, call.out, call.failure
        try:
            session, reused = await self._checkout(pool, host, address)
        except _SessionFailed as exc:
            log.debug("MX %s [%s] refused a session: %s", host.name, address, exc)
            out.trail.append(f"{host.name} [{address}]: {exc}")
            if exc.reply is not None and remaining:
                failure[remaining[0]] = exc.reply
            self._down_until[address] = time.monotonic() + self.config.host_backoff_seconds
            return
        self._down_until.pop(address, None)
        fresh_tries = 1  # reopen once after 452 / a stale pooled session
        try:
            while remaining:
                piped = bool(pool.pipelining)  # MAIL FROM rides with even one RCPT
                try:
                    if piped:
                        replies = await self._group(session, remaining)
                    else:
                        replies = [await self._rcpt(session, remaining[0])]
                except _OutOfStep:
                    log.debug("MX %s [%s]: pipelined replies out of step", host.name, address)
                    pool.pipelining = False
                    session.close()
                    session, reused = await self._open(host, address), False
                    continue
                except _SessionFailed as exc:
                    if reused and fresh_tries and exc.reply is None:
                        fresh_tries -= 1
                        session, reused = await self._open(host, address), False
                        continue
                    raise
                reused = False
                for reply in replies:
                    recipient = remaining[0]
                    if reply.kind is ReplyKind.TOO_MANY_RECIPIENTS and session.in_transaction > 1:
                        # The server caps RCPTs per session or transaction: start over.
                        await self._quit(session)
                        session = await self._open(host, address)
                        break
                    if reply.kind is ReplyKind.UNAVAILABLE:
                        session.close()
                        failure[recipient] = reply
                        out.trail.append(f"{host.name} [{address}]: {reply.summary()}")
                        return
                    out.replies[recipient] = reply
                    out.host, out.address = host.name, address
                    remaining.pop(0)
                    if stop(recipient, reply):
                        out.stopped = True
                        break
                if out.stopped:
                    break
        except _SessionFailed as exc:
            log.debug("MX %s [%s] failed mid-session: %s", host.name, address, exc)
            out.trail.append(f"{host.name} [{address}]: {exc}")
            self._down_until[address] = time.monotonic() + self.config.host_backoff_seconds
            if remaining and exc.reply is not None:
                failure[remaining[0]] = exc.reply
            session.close()
            return
        except BaseException:  # cut off (the host's time budget) or cancelled
            session.close()
            raise
        if session.alive:
            pool.idle.append(session)

    async def aclose(self) -> None:
        """QUIT every idle session, all at once."""
        drivers = [task for pool in self._pools.values() for task in pool.drivers]
        for task in drivers:
            task.cancel()
        await asyncio.gather(*drivers, return_exceptions=True)
        sessions = [session for pool in self._pools.values() for session in pool.idle]
        self._pools.clear()
        await asyncio.gather(*(self._quit(session) for session in sessions))
