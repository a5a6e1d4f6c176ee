"""RCPT probes over pooled SMTP sessions: per-MX-host concurrency limits, several RCPTs per
session (and per mail transaction), a fresh session after "too many recipients", fail-over
to the next MX, and timeouts on the connect and on every command."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import AsyncIterator, Callable, Sequence
from dataclasses import dataclass, field

import aiosmtplib

from openenrich.netpolicy import AllowList, refusal
from openenrich.verification.replies import Reply, ReplyKind, classify
from openenrich.verification.routes import MailHost, MailRoute

log = logging.getLogger(__name__)


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


@dataclass(slots=True)
class ProbeStats:
    """Client-side counters: commands sent (the greeting counts as one) and connections."""

    commands: int = 0
    connections: int = 0


@dataclass(slots=True)
class RcptOutcome:
    replies: dict[str, Reply] = field(default_factory=dict)
    host: str | None = None  # the MX that gave the last reply
    address: str | None = None
    trail: list[str] = field(default_factory=list)  # what failed on the way, for evidence
    stopped: bool = False


class _SessionFailed(Exception):
    def __init__(self, reason: str, reply: Reply | None = None) -> None:
        super().__init__(reason)
        self.reply = reply


class _Session:
    def __init__(self, smtp: aiosmtplib.SMTP, host: MailHost, address: str) -> None:
        self.smtp = smtp
        self.host = host
        self.address = address
        self.in_transaction = 0  # RCPTs sent since the last MAIL FROM
        self.last_used = time.monotonic()

    @property
    def alive(self) -> bool:
        return self.smtp.is_connected


class _HostPool:
    def __init__(self, limit: int) -> None:
        self.slots = asyncio.Semaphore(limit)
        self.idle: list[_Session] = []


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

    async def _command(self, session: _Session, verb: bytes, arg: bytes) -> Reply:
        self.stats.commands += 1
        try:
            response = await session.smtp.execute_command(verb, arg)
        except aiosmtplib.SMTPTimeoutError as exc:
            raise _SessionFailed("timeout", _timeout_reply(f"{verb.decode()} timed out")) from exc
        except aiosmtplib.SMTPServerDisconnected as exc:
            raise _SessionFailed("disconnected") from exc
        session.last_used = time.monotonic()
        return classify(response.code, response.message)

    async def _open(self, host: MailHost, address: str) -> _Session:
        cfg = self.config
        refused = refusal(address, host.name, cfg.allow)
        if refused is not None:  # whatever route the caller passed: never reach inside
            raise _SessionFailed(f"refused by the address policy: {refused}")
        smtp = aiosmtplib.SMTP(
            hostname=address,
            port=cfg.port,
            local_hostname=cfg.helo,
            timeout=cfg.command_timeout,
            start_tls=False,
            validate_certs=False,
        )
        self.stats.connections += 1
        self.stats.commands += 1
        try:
            await smtp.connect(timeout=cfg.connect_timeout)
            session = _Session(smtp, host, address)
            self.stats.commands += 1
            try:
                await smtp.ehlo()
            except aiosmtplib.SMTPHeloError:
                self.stats.commands += 1
                await smtp.helo()
            if cfg.starttls and smtp.supports_extension("starttls"):
                self.stats.commands += 2
                await smtp.starttls()
                await smtp.ehlo()
            await self._mail_from(session)
            return session
        except aiosmtplib.SMTPResponseException as exc:
            smtp.close()
            raise _SessionFailed(
                f"{exc.code} {exc.message}", classify(exc.code, exc.message)
            ) from exc
        except aiosmtplib.SMTPTimeoutError as exc:
            smtp.close()
            raise _SessionFailed("timeout", _timeout_reply("connect timed out")) from exc
        except (aiosmtplib.SMTPException, OSError) as exc:
            smtp.close()
            raise _SessionFailed(type(exc).__name__) from exc
        except BaseException:  # cut off (the host's time budget) or cancelled
            smtp.close()
            raise

    async def _mail_from(self, session: _Session) -> None:
        reply = await self._command(session, b"MAIL", f"FROM:<{self.config.mail_from}>".encode())
        if reply.kind is not ReplyKind.ACCEPTED:
            session.smtp.close()
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
        return await self._open(host, address), False

    async def _quit(self, session: _Session) -> None:
        if session.alive:
            with contextlib.suppress(aiosmtplib.SMTPException, OSError, asyncio.TimeoutError):
                self.stats.commands += 1
                await session.smtp.quit(timeout=min(1.0, self.config.command_timeout))
        session.smtp.close()

    async def _rcpt(self, session: _Session, recipient: str) -> Reply:
        if session.in_transaction >= self.config.max_rcpt_per_session:
            await self._command(session, b"RSET", b"")
            await self._mail_from(session)
        session.in_transaction += 1
        return await self._command(session, b"RCPT", f"TO:<{recipient}>".encode())

    async def rcpt(
        self,
        route: MailRoute,
        recipients: Sequence[str],
        stop: Callable[[str, Reply], bool] = lambda _r, _x: False,
    ) -> RcptOutcome:
        """RCPT each recipient in order on the most preferred MX that will talk, until `stop`
        says so. Recipients no host could answer get a TIMEOUT / NO_CONNECTION reply."""
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
            await self._on_host(host, address, remaining, stop, out, failure)
        for recipient in remaining if not out.stopped else ():
            out.replies[recipient] = failure.get(recipient, Reply(0, "", ReplyKind.NO_CONNECTION))
        return out

    async def _on_host(
        self,
        host: MailHost,
        address: str,
        remaining: list[str],
        stop: Callable[[str, Reply], bool],
        out: RcptOutcome,
        failure: dict[str, Reply],
    ) -> None:
        pool = self._pool(address)
        await acquire(pool.slots, self.waiting)
        try:
            if self._slow_until.get(address, 0.0) > time.monotonic():
                out.trail.append(f"{host.name} [{address}]: skipped, over its time budget")
                if remaining:
                    failure[remaining[0]] = _timeout_reply("host over its time budget")
                return
            try:
                async with asyncio.timeout(self.config.host_budget_seconds):
                    await self._session_rcpts(pool, host, address, remaining, stop, out, failure)
            except TimeoutError:
                log.debug("MX %s [%s] spent its time budget", host.name, address)
                out.trail.append(f"{host.name} [{address}]: over its time budget")
                self._slow_until[address] = time.monotonic() + self.config.host_backoff_seconds
                if remaining:
                    failure[remaining[0]] = _timeout_reply("host over its time budget")
        finally:
            pool.slots.release()

    async def _session_rcpts(
        self,
        pool: _HostPool,
        host: MailHost,
        address: str,
        remaining: list[str],
        stop: Callable[[str, Reply], bool],
        out: RcptOutcome,
        failure: dict[str, Reply],
    ) -> None:
        """RCPT `remaining` on one address, on a pooled session or a new one."""
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
                recipient = remaining[0]
                try:
                    reply = await self._rcpt(session, recipient)
                except _SessionFailed as exc:
                    if reused and fresh_tries and exc.reply is None:
                        fresh_tries -= 1
                        session, reused = await self._open(host, address), False
                        continue
                    raise
                reused = False
                if reply.kind is ReplyKind.TOO_MANY_RECIPIENTS and session.in_transaction > 1:
                    # The server caps RCPTs per session or transaction: start over.
                    await self._quit(session)
                    session = await self._open(host, address)
                    continue
                if reply.kind is ReplyKind.UNAVAILABLE:
                    session.smtp.close()
                    failure[recipient] = reply
                    out.trail.append(f"{host.name} [{address}]: {reply.summary()}")
                    return
                out.replies[recipient] = reply
                out.host, out.address = host.name, address
                remaining.pop(0)
                if stop(recipient, reply):
                    out.stopped = True
                    break
        except _SessionFailed as exc:
            log.debug("MX %s [%s] failed mid-session: %s", host.name, address, exc)
            out.trail.append(f"{host.name} [{address}]: {exc}")
            self._down_until[address] = time.monotonic() + self.config.host_backoff_seconds
            if remaining and exc.reply is not None:
                failure[remaining[0]] = exc.reply
            session.smtp.close()
            return
        except BaseException:  # cut off (the host's time budget) or cancelled
            session.smtp.close()
            raise
        if session.alive:
            pool.idle.append(session)

    async def aclose(self) -> None:
        """QUIT every idle session, all at once."""
        sessions = [session for pool in self._pools.values() for session in pool.idle]
        self._pools.clear()
        await asyncio.gather(*(self._quit(session) for session in sessions))
