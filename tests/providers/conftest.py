"""Shared helpers for adapter tests: fixtures, replies to built requests, error checks."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any, Protocol, TypeVar

import httpx
import pytest

from openenrich.domain import CompanyQuery, ContactQuery, Field
from openenrich.providers.base import CompanyAdapter, ErrorKind, Pending, ProviderError

FIXTURES = Path(__file__).parent / "fixtures"

# The columns of an adapter's table of HTTP error cases.
ERROR_CASES = ("status", "body", "headers", "kind", "retry")

R_co = TypeVar("R_co", covariant=True)


class _Finder(Protocol[R_co]):
    def build_request(
        self, query: ContactQuery, fields: frozenset[Field], api_key: str
    ) -> httpx.Request: ...

    def parse_response(self, response: httpx.Response) -> R_co: ...


class _Poller(Protocol[R_co]):
    def build_poll(self, pending: Pending, api_key: str) -> httpx.Request: ...

    def parse_poll(self, response: httpx.Response) -> R_co: ...


def load_fixture(vendor: str, name: str) -> Any:
    """The parsed JSON of tests/providers/fixtures/<vendor>/<name>.json (a fresh copy)."""
    return json.loads((FIXTURES / vendor / f"{name}.json").read_text())


def fixtures(vendor: str) -> Callable[[str], Any]:
    """`load_fixture` for one vendor: `fixture = fixtures("apollo")`."""
    return lambda name: load_fixture(vendor, name)


def reply(
    request: httpx.Request,
    status: int = 200,
    body: Any = None,
    *,
    text: str | None = None,
    headers: dict[str, str] | None = None,
) -> httpx.Response:
    """An `httpx.Response` to `request`: JSON `body`, or raw `text` (garbage bodies)."""
    if text is not None:
        return httpx.Response(status, text=text, headers=headers, request=request)
    return httpx.Response(status, json=body, headers=headers, request=request)


def parser(
    adapter: _Finder[R_co], query: ContactQuery, fields: frozenset[Field]
) -> Callable[..., R_co]:
    """`parse(status, body=None, **reply_kw)`: the adapter's reading of that reply to the
    request it builds for `query` and `fields`."""

    def parse(status: int, body: Any = None, **kw: Any) -> R_co:
        request = adapter.build_request(query, fields, "k")
        return adapter.parse_response(reply(request, status, body, **kw))

    return parse


def company_parser(
    adapter: CompanyAdapter, query: CompanyQuery
) -> Callable[..., dict[str, Any] | None]:
    """`parse(status, body=None, **reply_kw)`: the adapter's reading of that reply to the
    company request it builds for `query`."""

    def parse(status: int, body: Any = None, **kw: Any) -> dict[str, Any] | None:
        request = adapter.build_company_request(query, "k")
        return adapter.parse_company_response(reply(request, status, body, **kw))

    return parse


def poller(adapter: _Poller[R_co], handle: str) -> Callable[..., R_co]:
    """`poll(status, body=None, **reply_kw)`: the adapter's reading of that reply to its
    poll for `handle`."""

    def poll(status: int, body: Any = None, **kw: Any) -> R_co:
        request = adapter.build_poll(Pending(handle), "k")
        return adapter.parse_poll(reply(request, status, body, **kw))

    return poll


def check_request(
    request: httpx.Request,
    method: str,
    url: str,
    *,
    headers: dict[str, str] | None = None,
    body: Any = None,
    params: dict[str, str] | None = None,
) -> None:
    """Assert a built request: method, URL (without its query string when `params` are
    given, then the query parameters exactly), each of `headers`, and the JSON `body`."""
    assert request.method == method
    if params is None:
        assert str(request.url) == url
    else:
        assert request.url.copy_with(query=None) == url
        assert dict(request.url.params) == params
    for name, value in (headers or {}).items():
        assert request.headers[name] == value
    if body is not None:
        assert json.loads(request.content) == body


def raised(call: Callable[..., object], *args: Any, **kwargs: Any) -> ProviderError:
    """The `ProviderError` that `call(*args, **kwargs)` raises; the test fails without one."""
    with pytest.raises(ProviderError) as caught:
        call(*args, **kwargs)
    return caught.value


def check_error(
    parse: Callable[..., object],
    status: int,
    body: Any,
    headers: dict[str, str] | None,
    kind: ErrorKind,
    retry: float | None,
) -> ProviderError:
    """Assert that the reply (`status`, `body`, `headers`) raises `kind` with `retry`."""
    error = raised(parse, status, body, headers=headers)
    assert (error.kind, error.retry_after) == (kind, retry)
    return error


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"
