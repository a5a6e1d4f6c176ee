"""A SOCKS5 server on loopback (RFC 1928, CONNECT only, no auth or username/password per
RFC 1929), in a background thread: what the proxy tests put between the verifier and the
loopback mail servers. Records every destination it was asked for."""

from __future__ import annotations

import asyncio
import contextlib
import ipaddress
import socket
import struct

from tests.rigs.loopback import BackgroundLoop


class LoopbackSocks5(BackgroundLoop):
    def __init__(self, username: str | None = None, password: str | None = None) -> None:
        super().__init__()
        self.username, self.password = username, password
        self.destinations: list[tuple[str, int]] = []
        self.open_now = 0
        self.open_peak = 0
        self._server: asyncio.AbstractServer | None = None
        self.port = 0

    @property
    def url(self) -> str:
        auth = f"{self.username}:{self.password}@" if self.username else ""
        return f"socks5://{auth}127.0.0.1:{self.port}"

    async def _handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.open_now += 1
        self.open_peak = max(self.open_peak, self.open_now)
        upstream: asyncio.StreamWriter | None = None
        try:
            version, count = await reader.readexactly(2)
            methods = await reader.readexactly(count)
            wanted = 2 if self.username else 0
            if version != 5 or wanted not in methods:
                writer.write(b"\x05\xff")
                return
            writer.write(bytes([5, wanted]))
            if wanted == 2:
                _, ulen = await reader.readexactly(2)
                user = (await reader.readexactly(ulen)).decode()
                (plen,) = await reader.readexactly(1)
                password = (await reader.readexactly(plen)).decode()
                ok = (user, password) == (self.username, self.password)
                writer.write(b"\x01\x00" if ok else b"\x01\x01")
                if not ok:
                    return
            _, _command, _, kind = await reader.readexactly(4)
            if kind == 1:
                host = str(ipaddress.IPv4Address(await reader.readexactly(4)))
            elif kind == 4:
                host = str(ipaddress.IPv6Address(await reader.readexactly(16)))
            else:
                (length,) = await reader.readexactly(1)
                host = (await reader.readexactly(length)).decode()
            (port,) = struct.unpack("!H", await reader.readexactly(2))
            self.destinations.append((host, port))
            try:
                up_reader, upstream = await asyncio.open_connection(host, port)
            except OSError:
                writer.write(b"\x05\x05\x00\x01" + bytes(4) + b"\x00\x00")  # refused
                return
            writer.write(b"\x05\x00\x00\x01" + socket.inet_aton("127.0.0.1") + b"\x00\x00")
            await asyncio.gather(_pipe(reader, upstream), _pipe(up_reader, writer))
        except (asyncio.IncompleteReadError, ConnectionError):
            pass
        finally:
            self.open_now -= 1
            if upstream is not None:
                upstream.close()
            writer.close()

    async def _start(self) -> None:
        self._server = await asyncio.start_server(self._handle, "127.0.0.1", 0)
        self.port = self._server.sockets[0].getsockname()[1]

    async def _stop(self) -> None:
        if self._server is not None:
            self._server.close()
        for task in asyncio.all_tasks():
            if task is not asyncio.current_task():
                task.cancel()


async def _pipe(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    with contextlib.suppress(ConnectionError, asyncio.CancelledError):
        while data := await reader.read(65536):
            writer.write(data)
            await writer.drain()
    with contextlib.suppress(OSError, RuntimeError):
        writer.write_eof()
