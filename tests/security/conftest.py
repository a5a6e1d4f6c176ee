"""Fixtures of the security tests: a loopback webhook receiver."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from tests.webhooks.receiver import Receiver


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    running = Receiver().start()
    yield running
    running.stop()
