"""Fixtures of the security tests: a loopback webhook receiver, and the loopback DNS and
mail rigs of the verifier's tests for the SMTP attack reproductions."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from tests.verification.conftest import anyio_backend, make_rig
from tests.webhooks.receiver import Receiver

__all__ = ["anyio_backend", "make_rig", "receiver"]


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    running = Receiver().start()
    yield running
    running.stop()
