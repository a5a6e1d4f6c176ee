"""A minimal SMTP client connection: the greeting, EHLO/HELO, STARTTLS, and commands sent
one at a time or pipelined (RFC 2920) — what the prober needs and nothing more.

aiosmtplib pairs each read with one written command and drops reply data that arrives
while a parsed reply awaits pickup, so it cannot read the several replies of a pipelined
group; this reads replies off a plain `asyncio` stream instead, in order.
"""

from __future__ import annotations

import asyncio
import socket
import ssl
from collections.abc import Sequence
from dataclasses import dataclass

MAX_LINE = 4096  # RFC 5321 §4.5.3.1.5 says 512; servers send longer texts


class WireError(Exception):
    """The connection broke, or the server said something that is not SMTP."""


@dataclass(frozen=True, slots=True)
class WireReply:
    code: int
    text: str  # the lines' texts joined by newlines


class Wire:
    """One SMTP connection. Every read has a timeout; a timeout raises `TimeoutError`,
    a closed or garbled connection `WireError`."""

    def __init__(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.reader = reader
        self.writer = writer
        self.extensions: frozenset[str] = frozenset()
        self.round_trips = 0

    @classmethod
    async def open(
        cls,
        host: str,
        port: int,
        seconds: float,
        sock: socket.socket | None = None,
    ) -> tuple[Wire, WireReply]:
        """Connect (or take over a connected `sock`, e.g. through a SOCKS5 proxy) and read
        the greeting."""
        async with asyncio.timeout(seconds):
            if sock is not None:
                reader, writer = await asyncio.open_connection(sock=sock, limit=MAX_LINE * 4)
            else:
                reader, writer = await asyncio.open_connection(host, port, limit=MAX_LINE * 4)
        wire = cls(reader, writer)
        try:
            greeting = await wire.read_reply(seconds)
        except BaseException:
            wire.close()
            raise
        wire.round_trips += 1
        return wire, greeting

    @property
    def is_connected(self) -> bool:
        return not self.writer.is_closing() and not self.reader.at_eof()

    @property
    def pipelining(self) -> bool:
        return "PIPELINING" in self.extensions

    async def read_reply(self, seconds: float) -> WireReply:
        code = 0
        texts: list[str] = []
        async with asyncio.timeout(seconds):
            while True:
                try:
                    raw = await self.reader.readline()
                except (ValueError, asyncio.LimitOverrunError) as exc:
                    raise WireError("reply line too long") from exc
                except (ConnectionError, OSError) as exc:
                    raise WireError(type(exc).__name__) from exc
                if not raw:
                    raise WireError("disconnected")
                line = raw.decode("utf-8", "replace").rstrip("\r\n")
                if len(line) < 3 or not line[:3].isdigit() or line[3:4] not in ("", " ", "-"):
                    raise WireError("not an SMTP reply")
                if code and int(line[:3]) != code:
                    raise WireError("reply lines disagree")
                code = int(line[:3])
                texts.append(line[4:])
                if line[3:4] != "-":
                    return WireReply(code, "\n".join(texts))

    def _send(self, lines: Sequence[str]) -> None:
        for line in lines:
            if "\r" in line or "\n" in line:
                raise ValueError("command contains a line break")
        self.writer.write("".join(f"{line}\r\n" for line in lines).encode())

    async def command(self, line: str, seconds: float) -> WireReply:
        self._send([line])
        self.round_trips += 1
        return await self.read_reply(seconds)

    async def pipeline(self, lines: Sequence[str], seconds: float) -> list[WireReply]:
        """Send every command in one write, then read their replies in order."""
        self._send(lines)
        self.round_trips += 1
        return [await self.read_reply(seconds) for _ in lines]

    async def ehlo(self, name: str, seconds: float) -> WireReply:
        reply = await self.command(f"EHLO {name}", seconds)
        if 200 <= reply.code < 300:
            keywords = (line.split(" ", 1)[0].upper() for line in reply.text.split("\n")[1:])
            self.extensions = frozenset(k for k in keywords if k)
        return reply

    async def starttls(self, context: ssl.SSLContext, server_name: str, seconds: float) -> None:
        async with asyncio.timeout(seconds):
            await self.writer.start_tls(context, server_hostname=server_name)
        self.extensions = frozenset()

    def close(self) -> None:
        if not self.writer.is_closing():
            self.writer.close()
