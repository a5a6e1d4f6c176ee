"""Fixtures of dashboard tests: a running app with two workspaces, each with a member."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest
from tests.dashboard.rig import add_member
from tests.harness import Api, make_settings, running_api

from openenrich.accounts import repository
from openenrich.dashboard import DashboardSettings

OWNER = "owner@example.com"
STRANGER = "stranger@example.org"


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


@dataclass
class Site:
    api: Api
    client: httpx.AsyncClient
    other_workspace: str
    other_sandbox_key: str

    def browser(self) -> httpx.AsyncClient:
        """Another browser (its own cookies) on the same app."""
        transport = httpx.ASGITransport(app=self.api.app)
        return httpx.AsyncClient(transport=transport, base_url="http://testserver")


async def _site(
    url: str, tmp_path: Path, dashboard: DashboardSettings, **overrides: Any
) -> AsyncIterator[Site]:
    settings = make_settings(url, tmp_path, **overrides)
    async with running_api(settings, dashboard=dashboard) as api:
        await add_member(api.services.db, api.workspace_id, OWNER, operator=True)
        async with api.services.db.transaction() as session:
            other = await repository.create_workspace(
                session, "other", api.services.secret, sandbox_credits=1000
            )
        await add_member(api.services.db, other.workspace_id, STRANGER)
        yield Site(api, api.client, other.workspace_id, other.sandbox_api_key)


@pytest.fixture
async def site(sqlite_url: str, tmp_path: Path) -> AsyncIterator[Site]:
    async for running in _site(sqlite_url, tmp_path, DashboardSettings()):
        yield running


@pytest.fixture
async def site_any_db(database_url: str, tmp_path: Path) -> AsyncIterator[Site]:
    """On SQLite and on PostgreSQL."""
    async for running in _site(database_url, tmp_path, DashboardSettings()):
        yield running


@pytest.fixture
async def slow_site(sqlite_url: str, tmp_path: Path) -> AsyncIterator[Site]:
    """Sandbox answers take 100 ms and five run at once: jobs last long enough to cancel."""
    overrides = {"sandbox_latency_ms": 100, "worker_concurrency": 5}
    async for running in _site(sqlite_url, tmp_path, DashboardSettings(), **overrides):
        yield running
