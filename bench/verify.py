"""Verification throughput: pooled sessions and cached domain facts vs one connection per
address.

1,000 candidate addresses over 20 company domains, each domain on its own fake MX (loopback
127.0.0.2-21, one port) that waits DELAY seconds before every reply, greeting included, as a
distant server would. The servers run in their own process. Both runs have the same
per-MX-host concurrency limit, start cold, and are timed best of ROUNDS.

- naive: per address, connect, EHLO, MAIL FROM, RCPT a random probe, RCPT the address, QUIT.
  It is handed each MX address directly (no DNS lookups: an advantage to the baseline).
- engine: `EmailEngine.verify` for all addresses at once (DNS route and catch-all verdict
  found once per domain, sessions reused across addresses, one RCPT per address after that),
  once with PIPELINING turned off (for reference) and once as configured by default.

The fake servers offer PIPELINING (RFC 2920) and pay DELAY once per round trip (commands
that arrive together wait once, as they would over a real network); the naive client
sends one command at a time, the engine pipelines RCPT groups and lets concurrent checks
of one host share them.

Prints addresses per second, and server-counted SMTP commands and round trips per address
for both, checks that both reach the same statuses, and ends with
`ratio=<engine speed / naive speed>`.
Run: .venv/bin/python bench/verify.py
"""

from __future__ import annotations

import asyncio
import multiprocessing
import random
import secrets
import sys
import time
from collections.abc import Callable, Coroutine
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any

# The loopback servers are test scaffolding (tests/rigs), not part of the package: run as
# `python bench/verify.py`, the repo root must be importable for `tests.rigs`.
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import aiosmtplib
from tests.rigs.loopback import LoopbackDns, LoopbackMailServers, MailBehaviour

from openenrich.domain import EmailStatus
from openenrich.verification.domains import registrable_domain
from openenrich.verification.engine import EmailEngine
from openenrich.verification.replies import ReplyKind, classify
from openenrich.verification.settings import VerificationSettings

DOMAINS = 20
ADDRESSES = 1_000
DELAY = 0.02  # seconds before every SMTP reply
PER_HOST = 4  # sessions open at once to one MX, in both runs
ROUNDS = 3
CATCH_ALL = {3, 11}  # indexes of catch-all domains
FIRST = ["jane", "john", "ann", "li", "omar", "eva", "raj", "mia", "tom", "ines"]
LAST = ["doe", "roe", "lee", "chen", "haddad", "novak", "patel", "rossi", "smith", "garcia"]


def build() -> tuple[
    dict[str, dict[str, list[str]]], dict[str, MailBehaviour], list[tuple[str, EmailStatus]]
]:
    rng = random.Random(7)
    zone: dict[str, dict[str, list[str]]] = {}
    hosts: dict[str, MailBehaviour] = {}
    work: list[tuple[str, EmailStatus]] = []
    per_domain = ADDRESSES // DOMAINS
    for d in range(DOMAINS):
        domain, mx, ip = f"company{d}.example", f"mx.company{d}.example", f"127.0.0.{d + 2}"
        zone[domain] = {"MX": [f"10 {mx}."]}
        zone[mx] = {"A": [ip]}
        locals_ = [
            f"{first}.{last}{i}"
            for i, (first, last) in enumerate(
                zip(rng.choices(FIRST, k=per_domain), rng.choices(LAST, k=per_domain), strict=True)
            )
        ]
        existing = {f"{local}@{domain}" for local in locals_ if rng.random() < 0.4}
        catch_all = d in CATCH_ALL
        hosts[ip] = MailBehaviour(
            mailboxes=frozenset(existing),
            catch_all=frozenset({domain}) if catch_all else frozenset(),
            delay=DELAY,
            pipelining=True,  # offered to both runs; only the engine uses it
        )
        for local in locals_:
            email = f"{local}@{domain}"
            if catch_all:
                expected = EmailStatus.CATCH_ALL
            else:
                expected = EmailStatus.DELIVERABLE if email in existing else EmailStatus.INVALID
            work.append((email, expected))
    rng.shuffle(work)
    return zone, hosts, work


async def naive_one(email: str, ip: str, port: int, limit: asyncio.Semaphore) -> EmailStatus:
    domain = email.rpartition("@")[2]
    async with limit:
        smtp = aiosmtplib.SMTP(
            hostname=ip, port=port, local_hostname="bench.example", timeout=10, start_tls=False
        )
        await smtp.connect()
        await smtp.ehlo()
        await smtp.execute_command(b"MAIL", b"FROM:<probe@bench.example>")
        probe = await smtp.execute_command(
            b"RCPT", f"TO:<{secrets.token_hex(7)}@{domain}>".encode()
        )
        user = await smtp.execute_command(b"RCPT", f"TO:<{email}>".encode())
        await smtp.quit()
    if classify(user.code, user.message).kind is not ReplyKind.ACCEPTED:
        return EmailStatus.INVALID
    return EmailStatus.CATCH_ALL if 200 <= probe.code < 300 else EmailStatus.DELIVERABLE


async def naive(work: list[tuple[str, EmailStatus]], port: int) -> list[EmailStatus]:
    limits: dict[str, asyncio.Semaphore] = {}

    def ip_of(email: str) -> str:
        return f"127.0.0.{int(email.rpartition('@')[2].split('.')[0][7:]) + 2}"

    jobs = []
    for email, _ in work:
        ip = ip_of(email)
        limit = limits.setdefault(ip, asyncio.Semaphore(PER_HOST))
        jobs.append(naive_one(email, ip, port, limit))
    return list(await asyncio.gather(*jobs))


async def engine_run(
    work: list[tuple[str, EmailStatus]], settings: VerificationSettings
) -> list[EmailStatus]:
    engine = EmailEngine(settings)
    try:
        verdicts = await asyncio.gather(*(engine.verify(email) for email, _ in work))
    finally:
        await engine.aclose()
    return [v.status for v in verdicts]


def serve(hosts: dict[str, MailBehaviour], conn: Connection) -> None:
    """The fake MX hosts, in their own process: in a thread they would share the GIL with
    the client, and every wake-up would wait for the other side's time slice."""
    with LoopbackMailServers(hosts) as mail:
        conn.send(mail.port)
        while conn.recv() == "count":
            conn.send(
                (
                    sum(h.commands for h in hosts.values()),
                    sum(h.round_trips for h in hosts.values()),
                )
            )


def measure(
    label: str,
    servers: Connection,
    run: Callable[[], Coroutine[Any, Any, list[EmailStatus]]],
    work: list[tuple[str, EmailStatus]],
) -> float:
    """Best of ROUNDS cold runs (other work on a small machine only ever adds time)."""
    best = 0.0
    for _ in range(ROUNDS):
        servers.send("count")
        commands_before, trips_before = servers.recv()
        started = time.perf_counter()
        statuses = asyncio.run(run())
        elapsed = time.perf_counter() - started
        servers.send("count")
        commands_after, trips_after = servers.recv()
        commands = (commands_after - commands_before) / len(work)
        trips = (trips_after - trips_before) / len(work)
        correct = sum(got is want for got, (_, want) in zip(statuses, work, strict=True))
        if correct != len(work):
            raise SystemExit(f"{label}: {len(work) - correct} wrong statuses")
        best = max(best, len(work) / elapsed)
    print(
        f"{label:22} {best:8.1f} addresses/s  {commands:5.2f} SMTP commands/address"
        f"  {trips:5.2f} SMTP round trips/address"
        f"  ({len(work) / best:.2f} s; statuses all as expected)"
    )
    return best


def main() -> None:
    zone, hosts, work = build()
    print(
        f"{len(work)} addresses, {DOMAINS} domains ({len(CATCH_ALL)} catch-all),"
        f" {DELAY * 1000:.0f} ms before every SMTP reply, {PER_HOST} sessions per MX,"
        f" best of {ROUNDS}"
    )
    registrable_domain("example.com")  # load the public suffix list (once per process) now
    ctx = multiprocessing.get_context("spawn")
    servers, child = ctx.Pipe()
    process = ctx.Process(target=serve, args=(hosts, child), daemon=True)
    process.start()
    port = servers.recv()
    with LoopbackDns(zone) as dns_server:
        settings = VerificationSettings(
            dns_nameservers=[dns_server.nameserver],
            smtp_port=port,
            verify_allow_hosts="127.0.0.0/8",
            smtp_helo="bench.example",
            smtp_mail_from="probe@bench.example",
            smtp_max_per_host=PER_HOST,
            greylist_retry_seconds=[],
        )
        base = measure("naive", servers, lambda: naive(work, port), work)
        unpiped = settings.model_copy(update={"smtp_pipelining": False})
        measure("engine, no pipelining", servers, lambda: engine_run(work, unpiped), work)
        ours = measure("engine", servers, lambda: engine_run(work, settings), work)
    servers.send("stop")
    process.join(10)
    print(f"ratio={ours / base:.2f}")


if __name__ == "__main__":
    main()
