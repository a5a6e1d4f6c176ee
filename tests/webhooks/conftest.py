"""Fixtures of webhook tests: a loopback receiver and fast delivery settings."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from tests.webhooks.receiver import Receiver


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    running = Receiver().start()
    yield running
    running.stop()
