"""Shared helpers for adapter tests: load a JSON fixture, build a reply to a request."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import httpx
import pytest

FIXTURES = Path(__file__).parent / "fixtures"


def load_fixture(vendor: str, name: str) -> Any:
    """The parsed JSON of tests/providers/fixtures/<vendor>/<name>.json."""
    return json.loads((FIXTURES / vendor / f"{name}.json").read_text())


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


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"
