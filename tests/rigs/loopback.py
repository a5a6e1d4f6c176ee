"""Real DNS and SMTP servers on loopback, for tests and benchmarks: a UDP DNS server that
answers from a dict, and aiosmtpd mail servers with scripted behaviour (unknown users,
catch-all, greylisting, 421 on connect, recipient limits, slow replies). Test scaffolding,
kept out of the shipped package; needs the `test` extra (aiosmtpd)."""

from __future__ import annotations

import asyncio
import contextlib
import socket
import socketserver
import ssl
import threading
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Self

import dns.flags
import dns.message
import dns.rcode
import dns.rdataclass
import dns.rdatatype
import dns.rrset

# name -> record type -> records in zone-file text ("10 mx1.acme.example.", "127.0.0.2").
Zone = Mapping[str, Mapping[str, Sequence[str]]]


class _DnsHandler(socketserver.BaseRequestHandler):
    server: _DnsUdpServer

    def handle(self) -> None:
        data, sock = self.request
        try:
            query = dns.message.from_wire(data)
        except dns.exception.DNSException:
            return
        response = dns.message.make_response(query)
        response.flags |= dns.flags.AA
        question = query.question[0]
        name = question.name.to_text(omit_final_dot=True).lower()
        records = self.server.zone.get(name)
        if records is None:
            response.set_rcode(dns.rcode.NXDOMAIN)
        else:
            rdtype = dns.rdatatype.to_text(question.rdtype)
            texts = list(records.get(rdtype, ()))
            if texts:
                response.answer.append(
                    dns.rrset.from_text_list(question.name, 60, dns.rdataclass.IN, rdtype, texts)
                )
        sock.sendto(response.to_wire(), self.client_address)


class _DnsUdpServer(socketserver.ThreadingUDPServer):
    daemon_threads = True
    zone: Zone


class LoopbackDns:
    """`with LoopbackDns(zone) as dns_server:` then resolve against `dns_server.nameserver`."""

    def __init__(self, zone: Zone, host: str = "127.0.0.1") -> None:
        self._server = _DnsUdpServer((host, 0), _DnsHandler)
        self._server.zone = {k.lower().rstrip("."): v for k, v in zone.items()}
        address = self._server.server_address
        self.host, self.port = str(address[0]), int(address[1])
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )

    @property
    def nameserver(self) -> str:
        return f"{self.host}:{self.port}"

    def __enter__(self) -> LoopbackDns:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._server.shutdown()
        self._server.server_close()


@dataclass
class MailBehaviour:
    """How one fake MX answers."""

    mailboxes: frozenset[str] = frozenset()  # lower-case addresses that exist
    catch_all: frozenset[str] = frozenset()  # domains that accept any local part
    greylist_seconds: float | None = None  # 450 until this long after the first try
    greet_421: bool = False
    max_rcpt_per_session: int | None = None  # then "452 4.5.3 Too many recipients"
    delay: float = 0.0  # before every reply, the greeting included
    rcpt_delay: float = 0.0  # extra wait before RCPT replies only
    starttls: bool = False  # offer STARTTLS (self-signed certificate) and require it
    pipelining: bool = False  # offer PIPELINING (RFC 2920)
    # Offer PIPELINING but answer "503 bad sequence" to commands that came in a group.
    pipelining_out_of_step: bool = False
    # Counters, read by tests and the benchmark.
    connections: int = 0
    commands: int = 0
    # Groups of commands that arrived together (a pipelined group is one; the greeting
    # counts as one): `delay` is paid once per round trip, as network latency would be.
    round_trips: int = 0
    rcpts: int = 0
    tls_rcpts: int = 0  # RCPTs that arrived over TLS
    open_now: int = 0
    open_peak: int = 0  # most sessions open at once
    seen: list[str] = field(default_factory=list)  # every RCPT address, in order
    helos: list[str] = field(default_factory=list)  # every EHLO name, in order
    first_seen: dict[str, float] = field(default_factory=dict)


class _Handler:
    def __init__(self, behaviour: MailBehaviour) -> None:
        self.b = behaviour

    async def handle_EHLO(
        self, server: Any, session: Any, envelope: Any, hostname: str, responses: list[str]
    ) -> list[str]:
        session.host_name = hostname
        self.b.helos.append(hostname)
        if self.b.pipelining or self.b.pipelining_out_of_step:
            return [*responses[:-1], "250-PIPELINING", responses[-1]]
        return responses

    async def handle_RCPT(
        self, server: Any, session: Any, envelope: Any, address: str, options: Any
    ) -> str:
        b = self.b
        b.rcpts += 1
        b.tls_rcpts += bool(session.ssl)
        b.seen.append(address)
        lowered = address.lower()
        if b.greylist_seconds is not None:
            first = b.first_seen.setdefault(lowered, time.monotonic())
            if time.monotonic() - first < b.greylist_seconds:
                return f"450 4.2.0 <{address}>: Recipient address rejected: Greylisted, retry later"
        if lowered in b.mailboxes or lowered.rpartition("@")[2] in b.catch_all:
            envelope.rcpt_tos.append(address)
            return "250 2.1.5 OK"
        return f"550 5.1.1 <{address}>: Recipient address rejected: User unknown"


def _smtp_class() -> type[Any]:
    from aiosmtpd.smtp import SMTP

    class FakeSMTP(SMTP):
        def __init__(self, handler: _Handler, **kwargs: Any) -> None:
            super().__init__(handler, **kwargs)
            self.behaviour = handler.b
            self.session_rcpts = 0
            self.batch_open = False  # the last command had more queued behind it

        async def _handle_client(self) -> None:
            b = self.behaviour
            b.connections += 1
            b.commands += 1
            b.round_trips += 1
            b.open_now += 1
            b.open_peak = max(b.open_peak, b.open_now)
            try:
                if b.delay:
                    await asyncio.sleep(b.delay)
                if b.greet_421:
                    await self.push("421 4.3.2 Service not available, closing channel")
                    if self.transport is not None:
                        self.transport.close()
                    return
                await super()._handle_client()
            finally:
                b.open_now -= 1

    def wrap(verb: str) -> None:
        original = getattr(SMTP, f"smtp_{verb}")

        async def method(self: Any, arg: str) -> None:
            b = self.behaviour
            b.commands += 1
            # Commands that arrived together (pipelined) are one round trip: only the
            # first of a group waits `delay`.
            queued = bool(self._reader._buffer)
            grouped = self.batch_open
            self.batch_open = queued
            if grouped and b.pipelining_out_of_step:
                await self.push("503 5.5.1 Error: bad sequence of commands")
                return
            if not grouped:
                b.round_trips += 1
                if b.delay:
                    await asyncio.sleep(b.delay)
            if verb == "RCPT":
                if b.rcpt_delay:
                    await asyncio.sleep(b.rcpt_delay)
                self.session_rcpts += 1
                if b.max_rcpt_per_session and self.session_rcpts > b.max_rcpt_per_session:
                    await self.push("452 4.5.3 Too many recipients")
                    return
            await original(self, arg)

        setattr(FakeSMTP, f"smtp_{verb}", method)

    for verb in ("EHLO", "HELO", "MAIL", "RCPT", "RSET", "NOOP", "QUIT"):
        wrap(verb)
    return FakeSMTP


def _self_signed_context() -> ssl.SSLContext:
    """A server TLS context with a throwaway self-signed certificate."""
    import datetime
    import tempfile

    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "mx.loopback.example")])
    now = datetime.datetime.now(datetime.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(minutes=1))
        .not_valid_after(now + datetime.timedelta(days=1))
        .sign(key, hashes.SHA256())
    )
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    with tempfile.TemporaryDirectory() as tmp:
        cert_path, key_path = f"{tmp}/cert.pem", f"{tmp}/key.pem"
        with open(cert_path, "wb") as out:
            out.write(cert.public_bytes(serialization.Encoding.PEM))
        with open(key_path, "wb") as out:
            out.write(
                key.private_bytes(
                    serialization.Encoding.PEM,
                    serialization.PrivateFormat.PKCS8,
                    serialization.NoEncryption(),
                )
            )
        context.load_cert_chain(cert_path, key_path)
    return context


def free_port(hosts: Sequence[str]) -> int:
    """A TCP port free on every one of the loopback addresses."""
    for _ in range(50):
        with socket.socket() as probe:
            probe.bind((hosts[0], 0))
            port = int(probe.getsockname()[1])
        ok = True
        for host in hosts:
            with socket.socket() as sock:
                try:
                    sock.bind((host, port))
                except OSError:
                    ok = False
                    break
        if ok:
            return port
    raise RuntimeError("no common free port")


class BackgroundLoop:
    """Servers run by their own event loop in a daemon thread, for the length of a `with`
    block: subclasses say how to `_start` and `_stop` them."""

    def __init__(self) -> None:
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._loop.run_forever, daemon=True)

    async def _start(self) -> None:
        raise NotImplementedError

    async def _stop(self) -> None:
        raise NotImplementedError

    def __enter__(self) -> Self:
        self._thread.start()
        asyncio.run_coroutine_threadsafe(self._start(), self._loop).result(10)
        return self

    def __exit__(self, *exc: object) -> None:
        asyncio.run_coroutine_threadsafe(self._stop(), self._loop).result(10)
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(5)
        self._loop.close()


class LoopbackMailServers(BackgroundLoop):
    """Fake MX hosts on distinct loopback addresses sharing one port, served by one event
    loop in a background thread. `with LoopbackMailServers({"127.0.0.2": b, ...}) as s:`"""

    def __init__(self, hosts: Mapping[str, MailBehaviour], port: int | None = None) -> None:
        super().__init__()
        self.hosts = dict(hosts)
        self.port = port or free_port(list(self.hosts))
        self._servers: list[asyncio.AbstractServer] = []

    async def _start(self) -> None:
        cls = _smtp_class()
        for host, behaviour in self.hosts.items():
            handler = _Handler(behaviour)

            tls: dict[str, Any] = {}
            if behaviour.starttls:
                tls = {"tls_context": _self_signed_context(), "require_starttls": True}

            def factory(handler: _Handler = handler, host: str = host, tls: Any = tls) -> Any:
                return cls(handler, hostname=f"mx.{host}", enable_SMTPUTF8=True, **tls)

            server = await self._loop.create_server(factory, host, self.port, reuse_address=True)
            self._servers.append(server)

    async def _stop(self) -> None:
        for server in self._servers:
            server.close()
        for task in asyncio.all_tasks():
            if task is not asyncio.current_task():
                task.cancel()
        for server in self._servers:
            with contextlib.suppress(Exception):
                await asyncio.wait_for(server.wait_closed(), 1.0)
