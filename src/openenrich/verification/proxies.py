"""SMTP through SOCKS5 proxies (python-socks): a list of proxies, each with its own number
of sessions at once and its own HELO name, optionally reserved for some mail providers
(recognised by MX, see `mailhosts.py`). For hosts whose own port 25 is blocked (most
clouds), the usual reason every verification comes out unknown."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Sequence
from typing import Any

from pydantic import BaseModel, Field
from python_socks import ProxyError as SocksError
from python_socks import ProxyTimeoutError
from python_socks.async_.asyncio import Proxy

from openenrich.verification.mailhosts import provider_of_host
from openenrich.verification.smtp import Outbound, ProxyError


class ProxySettings(BaseModel):
    """One entry of `OPENENRICH_SMTP_PROXIES` (a JSON list of these objects)."""

    url: str  # socks5://[user:password@]host:port
    helo: str | None = None  # the HELO name whose PTR matches this proxy's exit address
    concurrency: int = Field(default=8, ge=1)
    # Provider keys (google, microsoft365, yahoo...) this proxy is kept for; empty: any.
    providers: list[str] = []


def parse_proxies(value: Any) -> list[ProxySettings]:
    if isinstance(value, str):
        value = json.loads(value) if value.strip() else []
    return [ProxySettings.model_validate(item) for item in value or []]


class _Exit:
    def __init__(self, settings: ProxySettings) -> None:
        self.settings = settings
        self._proxy: Proxy | None = None  # made in the event loop that uses it
        self.slots = asyncio.Semaphore(settings.concurrency)
        self.open = 0

    @property
    def proxy(self) -> Proxy:
        if self._proxy is None:
            self._proxy = Proxy.from_url(self.settings.url)
        return self._proxy


class ProxyConnector:
    """`smtp.Connector` over SOCKS5: the least busy proxy kept for the MX's provider, else
    the least busy general one. A session holds its proxy slot until it closes."""

    def __init__(self, proxies: Sequence[ProxySettings]) -> None:
        self.exits = [_Exit(p) for p in proxies]

    def choose(self, mx_host: str) -> _Exit:
        provider = provider_of_host(mx_host)
        key = provider.key if provider else None
        kept = [e for e in self.exits if key is not None and key in e.settings.providers]
        general = [e for e in self.exits if not e.settings.providers]
        candidates = kept or general or self.exits
        return min(candidates, key=lambda e: e.open)

    async def connect(self, address: str, port: int, mx_host: str, seconds: float) -> Outbound:
        chosen = self.choose(mx_host)
        chosen.open += 1
        released = False

        def release() -> None:
            nonlocal released
            if not released:
                released = True
                chosen.open -= 1
                chosen.slots.release()

        try:
            async with asyncio.timeout(seconds):
                await chosen.slots.acquire()
        except BaseException:
            chosen.open -= 1
            raise
        try:
            sock = await chosen.proxy.connect(dest_host=address, dest_port=port, timeout=seconds)
        except (SocksError, ProxyTimeoutError, OSError) as exc:
            release()
            raise ProxyError(str(exc)) from exc
        except BaseException:
            release()
            raise
        return Outbound(sock, chosen.settings.helo, release)
