from __future__ import annotations

import pytest


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


@pytest.fixture
def receiver():  # type: ignore[no-untyped-def]
    from tests.webhooks.receiver import Receiver

    running = Receiver().start()
    yield running
    running.stop()
