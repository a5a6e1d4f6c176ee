"""Issue 15 item 3, webhook half: fair share of the sender across workspaces.

Observed: a receiver that never answers delayed another workspace's webhook from 0.5 s to
180 s: events were sent in rounds and a round waited for its slowest attempt."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from tests.harness import Api, make_settings, running_api
from tests.security.contacts import CONTACT
from tests.webhooks.receiver import Receiver, delivering, eventually, fast_settings

from openenrich.accounts import repository
from openenrich.webhooks.fairness import Gate
from openenrich.webhooks.repository import Candidate

pytestmark = pytest.mark.anyio


class Tarpit:
    """Accepts connections, reads, and never answers; counts connections open at once."""

    def __init__(self) -> None:
        self.open = 0
        self.most_open = 0
        self.port = 0
        self._server: asyncio.Server | None = None

    async def start(self) -> Tarpit:
        self._server = await asyncio.start_server(self._hold, "127.0.0.1", 0)
        self.port = self._server.sockets[0].getsockname()[1]
        return self

    async def _hold(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.open += 1
        self.most_open = max(self.most_open, self.open)
        try:
            while await reader.read(65536):
                pass
        finally:
            self.open -= 1
            writer.close()

    async def stop(self) -> None:
        if self._server is not None:
            self._server.close()


@pytest.fixture
async def api(database_url: str, tmp_path: Path) -> AsyncIterator[Api]:
    async with running_api(make_settings(database_url, tmp_path)) as running:
        yield running


async def test_a_receiver_that_never_answers_does_not_delay_another_workspace(
    api: Api, receiver: Receiver
) -> None:
    tarpit = await Tarpit().start()
    settings = fast_settings(
        webhook_timeout_seconds=30.0,  # the tarpit holds every attempt this long
        webhook_concurrency=4,
        webhook_max_in_flight_per_workspace=2,
        webhook_max_in_flight_per_receiver=2,
    )
    async with api.services.db.transaction() as session:
        other = await repository.create_workspace(
            session, "other", api.services.secret, sandbox_credits=100
        )
    try:
        async with delivering(api.services, settings):
            flood = [
                await api.enrich(
                    {
                        "name": f"flood {n}",
                        "webhook_url": f"http://127.0.0.1:{tarpit.port}/hook",
                        "data": [CONTACT],
                    }
                )
                for n in range(8)
            ]
            for enrichment_id in flood:
                await api.wait(enrichment_id)
            await eventually(lambda: tarpit.open == 2)

            started = time.monotonic()
            victim = await api.enrich(
                {"name": "victim", "webhook_url": receiver.url(), "data": [CONTACT]},
                key=other.sandbox_api_key,
            )
            await api.wait(victim, key=other.sandbox_api_key)
            await eventually(lambda: len(receiver.received) == 1, timeout=10)
            waited = time.monotonic() - started
            assert tarpit.most_open == 2  # never more than its cap in flight
    finally:
        await tarpit.stop()
    assert waited < 5.0, f"the other workspace's webhook waited {waited:.1f} s"


def test_a_failing_receiver_is_paused_and_forgiven_when_it_answers() -> None:
    now = [0.0]
    gate = Gate(per_workspace=2, per_receiver=1, pause_base=10, pause_max=60, clock=lambda: now[0])
    bad = Candidate("e1", "w1", "bad.test:443")
    good = Candidate("e2", "w2", "good.test:443")
    gate.enter("w1", "bad.test:443")
    assert gate.choose([bad, good], 10) == [good]  # the receiver is at its cap
    gate.leave("w1", "bad.test:443", receiver_failed=True)
    assert gate.skip_receivers() == ["bad.test:443"]
    now[0] = 10.5
    assert gate.skip_receivers() == []
    gate.enter("w1", "bad.test:443")
    gate.leave("w1", "bad.test:443", receiver_failed=True)  # twice in a row: 20 s
    now[0] = 25.0
    assert gate.skip_receivers() == ["bad.test:443"]
    now[0] = 31.0
    gate.enter("w1", "bad.test:443")
    gate.leave("w1", "bad.test:443", receiver_failed=False)
    assert gate.skip_receivers() == []
    assert gate.choose(
        [Candidate("e3", "w1", "a:1"), Candidate("e4", "w1", "b:1"), Candidate("e5", "w1", "c:1")],
        10,
    ) == [
        Candidate("e3", "w1", "a:1"),
        Candidate("e4", "w1", "b:1"),
    ]  # at most two of one workspace
