"""A finder behind the opt-out list and the workspace's cache switch: a value found for a
contact that is on the list is never returned, and a workspace that asked for a private
cache never shares answers with the rest of the server (company lookups included)."""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence

from sqlalchemy import select

from openenrich.db import Database
from openenrich.domain import CompanyQuery, ContactQuery, Field
from openenrich.privacy.models import WorkspacePrivacy
from openenrich.privacy.optout import OptOutList
from openenrich.waterfall import Waterfall, WaterfallOutcome
from openenrich.waterfall.engine import CompanyAnswer, OwnSource


class Switches:
    """Per-workspace switches, read at most once per `ttl` seconds per process."""

    def __init__(
        self, db: Database, *, ttl: float = 5.0, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self.db = db
        self.ttl = ttl
        self.clock = clock
        self._held: dict[str, tuple[float, bool]] = {}

    def forget(self) -> None:
        self._held.clear()

    async def private_cache(self, workspace_id: str) -> bool:
        if not workspace_id:
            return False
        held = self._held.get(workspace_id)
        now = self.clock()
        if held is not None and held[0] > now:
            return held[1]
        async with self.db.read() as session:
            value = await session.scalar(
                select(WorkspacePrivacy.private_cache).where(
                    WorkspacePrivacy.workspace_id == workspace_id
                )
            )
        if len(self._held) > 10_000:
            self._held.clear()
        self._held[workspace_id] = (now + self.ttl, bool(value))
        return bool(value)


class ScreenedFinder:
    def __init__(self, waterfall: Waterfall, optouts: OptOutList, switches: Switches) -> None:
        self.waterfall = waterfall
        self.optouts = optouts
        self.switches = switches

    async def run(
        self,
        query: ContactQuery,
        fields: frozenset[Field],
        *,
        workspace_id: str = "",
        own: Sequence[OwnSource] = (),
    ) -> WaterfallOutcome:
        private = await self.switches.private_cache(workspace_id)
        outcome = await self.waterfall.run(
            query, fields, workspace_id=workspace_id, own=own, private_cache=private
        )
        outcome.findings = await self.optouts.screen(workspace_id, outcome.findings)
        return outcome

    async def company(
        self, query: CompanyQuery, *, workspace_id: str = "", own: Sequence[OwnSource] = ()
    ) -> CompanyAnswer | None:
        """A company lookup under the workspace's cache switch (company facts are no one's
        personal data: there is nothing to screen)."""
        private = await self.switches.private_cache(workspace_id)
        return await self.waterfall.company(
            query, workspace_id=workspace_id, own=own, private_cache=private
        )
