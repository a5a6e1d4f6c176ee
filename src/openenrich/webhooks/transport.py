"""An httpx transport that connects only to addresses the `Guard` checked.

The request URL's host is swapped for the checked address; the `Host` header keeps the
name (httpx set it when the request was built) and TLS uses the name for SNI and for the
certificate check (httpcore's `sni_hostname` extension). Redirects are the client's
business and are never followed (`follow_redirects=False`).
"""

from __future__ import annotations

import ipaddress

import httpx

from openenrich.webhooks.ssrf import Guard

_DEFAULT_PORTS = {"http": 80, "https": 443}


class PinnedTransport(httpx.AsyncBaseTransport):
    def __init__(self, guard: Guard, inner: httpx.AsyncBaseTransport | None = None) -> None:
        self.guard = guard
        self.inner = inner or httpx.AsyncHTTPTransport(retries=0)
        # The address each request was sent to, for the delivery log and for tests.
        self.last_address: str | None = None

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        host = request.url.host
        port = request.url.port or _DEFAULT_PORTS.get(request.url.scheme, 80)
        address = (await self.guard.addresses(host, port))[0]
        self.last_address = str(address)
        if request.url.scheme == "https" and not _is_literal(host):
            request.extensions = {**request.extensions, "sni_hostname": host}
        request.url = request.url.copy_with(host=str(address))
        return await self.inner.handle_async_request(request)

    async def aclose(self) -> None:
        await self.inner.aclose()


def _is_literal(host: str) -> bool:
    try:
        ipaddress.ip_address(host)
    except ValueError:
        return False
    return True
