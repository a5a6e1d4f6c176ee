"""An httpx transport that connects only to addresses the `Guard` checked.

The request URL's host is swapped for the checked address; the `Host` header keeps the
name (httpx set it when the request was built) and TLS uses the name for SNI and for the
certificate check (httpcore's `sni_hostname` extension). Redirects are the client's
business and are never followed (`follow_redirects=False`).

httpcore pools connections by the URL it is given, which here holds the address: two
names on one address would share a kept-alive connection, and a TLS session verified for
one name would carry requests for the other. So each (scheme, name, port) gets its own
pool; the least recently used ones are closed once idle.
"""

from __future__ import annotations

import ipaddress
from collections.abc import AsyncIterator, Callable

import httpx
from cachetools import LRUCache

from openenrich.webhooks.ssrf import DEFAULT_PORTS, Guard

PoolKey = tuple[str, str, int]


def _new_pool() -> httpx.AsyncBaseTransport:
    return httpx.AsyncHTTPTransport(retries=0)


class _Pool:
    """A per-name transport and the responses still streaming from it."""

    def __init__(self, transport: httpx.AsyncBaseTransport) -> None:
        self.transport = transport
        self.busy = 0
        self.retired = False

    async def release(self) -> None:
        self.busy -= 1
        if self.retired and not self.busy:
            await self.transport.aclose()


class _Releasing(httpx.AsyncByteStream):
    """A response body that hands its pool back when closed."""

    def __init__(self, stream: httpx.AsyncByteStream, pool: _Pool) -> None:
        self._stream = stream
        self._pool: _Pool | None = pool

    async def __aiter__(self) -> AsyncIterator[bytes]:
        async for chunk in self._stream:
            yield chunk

    async def aclose(self) -> None:
        try:
            await self._stream.aclose()
        finally:
            pool, self._pool = self._pool, None
            if pool is not None:
                await pool.release()


class PinnedTransport(httpx.AsyncBaseTransport):
    """`inner`, when given, carries every request (tests inject an `httpx.MockTransport`);
    otherwise `pool_factory` builds one transport per (scheme, host name, port), at most
    `max_pools` kept."""

    def __init__(
        self,
        guard: Guard,
        inner: httpx.AsyncBaseTransport | None = None,
        *,
        pool_factory: Callable[[], httpx.AsyncBaseTransport] = _new_pool,
        max_pools: int = 64,
    ) -> None:
        self.guard = guard
        self.inner = inner
        self._factory = pool_factory
        self._max_pools = max(1, max_pools)
        self._pools: LRUCache[PoolKey, _Pool] = LRUCache(self._max_pools)

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        host = request.url.host
        port = request.url.port or DEFAULT_PORTS.get(request.url.scheme, 80)
        address = (await self.guard.addresses(host, port))[0]
        if request.url.scheme == "https" and not _is_literal(host):
            request.extensions = {**request.extensions, "sni_hostname": host}
        request.url = request.url.copy_with(host=str(address))
        if self.inner is not None:
            return await self.inner.handle_async_request(request)
        pool = await self._pool((request.url.scheme, host.lower(), port))
        pool.busy += 1
        try:
            response = await pool.transport.handle_async_request(request)
        except BaseException:
            await pool.release()
            raise
        assert isinstance(response.stream, httpx.AsyncByteStream)
        return httpx.Response(
            status_code=response.status_code,
            headers=response.headers,
            stream=_Releasing(response.stream, pool),
            extensions=response.extensions,
        )

    async def _pool(self, key: PoolKey) -> _Pool:
        pool = self._pools.get(key)
        if pool is not None:
            return pool
        # Make room (the least recently used go), and add the new pool before any await.
        retired = [self._pools.popitem()[1] for _ in range(len(self._pools) - self._max_pools + 1)]
        pool = self._pools[key] = _Pool(self._factory())
        for old in retired:
            old.retired = True
            if not old.busy:
                await old.transport.aclose()
        return pool

    def pool_count(self) -> int:
        return len(self._pools)

    async def aclose(self) -> None:
        pools = list(self._pools.values())
        self._pools.clear()
        for pool in pools:
            await pool.transport.aclose()
        if self.inner is not None:
            await self.inner.aclose()


def _is_literal(host: str) -> bool:
    try:
        ipaddress.ip_address(host)
    except ValueError:
        return False
    return True
