"""Test harness shared by every test package: settings, a running app, service checks."""

from __future__ import annotations

import asyncio
import contextlib
import os
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import create_engine, text

from openenrich.accounts import repository
from openenrich.app import create_app
from openenrich.config import Settings
from openenrich.dashboard import DashboardSettings
from openenrich.services import Services, build_services
from openenrich.waterfall.config import WaterfallConfig

POSTGRES_ADMIN_URL = os.environ.get(
    "OPENENRICH_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test"
)
REDIS_URL = os.environ.get("OPENENRICH_TEST_REDIS_URL", "redis://127.0.0.1:6379/15")
IN_CI = os.environ.get("CI", "").lower() == "true"


def _postgres_reachable() -> str | None:
    try:
        engine = create_engine(POSTGRES_ADMIN_URL.replace("+psycopg", "+psycopg"))
        with engine.connect() as conn:
            conn.execute(text("SELECT 1"))
        engine.dispose()
    except Exception as error:
        return str(error).splitlines()[0]
    return None


def require_postgres() -> None:
    problem = _postgres_reachable()
    if problem:
        if IN_CI:
            pytest.fail(f"PostgreSQL is required under CI=true but unreachable: {problem}")
        pytest.skip(f"PostgreSQL not reachable at {POSTGRES_ADMIN_URL}: {problem}")


def require_redis() -> None:
    import redis

    try:
        redis.Redis.from_url(REDIS_URL, socket_connect_timeout=1).ping()
    except Exception as error:
        if IN_CI:
            pytest.fail(f"Redis is required under CI=true but unreachable: {error}")
        pytest.skip(f"Redis not reachable at {REDIS_URL}: {error}")


def _truncate_postgres(url: str) -> None:
    engine = create_engine(url)
    with engine.begin() as conn:
        tables = conn.execute(
            text(
                "SELECT tablename FROM pg_tables WHERE schemaname='public' "
                "AND tablename <> 'alembic_version'"
            )
        ).scalars()
        names = ", ".join(f'"{t}"' for t in tables)
        if names:
            conn.execute(text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))
    engine.dispose()


def make_settings(database_url: str, tmp_path: Path, **overrides: Any) -> Settings:
    values: dict[str, Any] = {
        "database_url": database_url,
        "secret_key": "test-secret",
        "secret_key_file": tmp_path / "secret.key",
        "sweep_interval_seconds": 0.2,
        "rate_limit_per_minute": 0,
        # A small sandbox population: loading the full one takes a while.
        "sandbox_people": 300,
    }
    values.update(overrides)
    return Settings(**values)


@dataclass
class Api:
    """A running app on one database: an HTTP client, its services, and a workspace."""

    client: httpx.AsyncClient
    services: Services
    workspace_id: str
    key: str
    sandbox_key: str
    app: Any = None

    def auth(self, key: str | None = None) -> dict[str, str]:
        return {"Authorization": f"Bearer {key or self.sandbox_key}"}

    async def enrich(self, body: dict[str, Any], key: str | None = None, **params: Any) -> str:
        response = await self.client.post(
            "/api/v2/contact/enrich/bulk", json=body, headers=self.auth(key), params=params
        )
        assert response.status_code == 200, response.text
        enrichment_id: str = response.json()["enrichment_id"]
        return enrichment_id

    async def wait(
        self, enrichment_id: str, key: str | None = None, path: str = "enrich"
    ) -> httpx.Response:
        """Poll until the job is terminal (bounded)."""
        for _ in range(400):
            response = await self.client.get(
                f"/api/v2/contact/{path}/bulk/{enrichment_id}",
                headers=self.auth(key),
                params={"forceResults": "true"} if path == "enrich" else None,
            )
            if response.json().get("status") in ("FINISHED", "CREDITS_INSUFFICIENT", "CANCELED"):
                return response
            await asyncio.sleep(0.05)
        raise AssertionError(f"enrichment {enrichment_id} did not finish")


@contextlib.asynccontextmanager
async def running_api(
    settings: Settings,
    credits: int = 1000,
    sandbox_credits: int = 1000,
    dashboard: DashboardSettings | None = None,
    **build: Any,
) -> AsyncIterator[Api]:
    # No built-in SMTP probing unless a test asks for it: tests never leave loopback.
    build.setdefault("waterfall_config", WaterfallConfig(order={}, verifiers=[]))
    found = build_services(settings, **build)
    async with found.db.transaction() as session:
        created = await repository.create_workspace(
            session, "test", found.secret, credits=credits, sandbox_credits=sandbox_credits
        )
    app = create_app(settings, prebuilt=found, dashboard=dashboard)
    pool = found.worker_pool() if settings.embedded_worker else None
    worker = asyncio.create_task(pool.run()) if pool is not None else None
    app.state.services = found
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
        try:
            yield Api(
                client, found, created.workspace_id, created.api_key, created.sandbox_api_key, app
            )
        finally:
            if pool is not None and worker is not None:
                pool.stop()
                await worker
            await found.close()
