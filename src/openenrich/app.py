"""The ASGI application: `create_app(settings)` wires everything the process holds."""

from __future__ import annotations

import asyncio
import contextlib
import hmac
import json
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from functools import cache
from pathlib import Path
from typing import Any

from fastapi import FastAPI, Request
from fastapi.openapi.utils import get_openapi
from fastapi.responses import Response
from sqlalchemy import text

from openenrich.accounts.endpoints import router as accounts_router
from openenrich.accounts.team_endpoints import router as teams_router
from openenrich.api.deps import Db
from openenrich.api.fastpath import CachedResults
from openenrich.api.http import BodyLimit, install_error_handlers, json_response
from openenrich.config import Settings
from openenrich.dashboard import UPLOAD_PATH, DashboardSettings
from openenrich.dashboard import install as install_dashboard
from openenrich.enrichment.endpoints import router as enrichment_router
from openenrich.errors import MetricsUnauthorized
from openenrich.people.endpoints import router as people_router
from openenrich.privacy.endpoints import router as privacy_router
from openenrich.reverse.endpoints import router as reverse_router
from openenrich.services import Services, build_services
from openenrich.v1.endpoints import router as v1_router
from openenrich.verification.endpoints import router as verify_router
from openenrich.waterfall.metrics import metrics_response
from openenrich.webhooks.endpoints import router as webhooks_router

# FullEnrich's published OpenAPI YAML, converted once to JSON so serving needs no YAML parser;
# tests/test_spec_json.py checks it still equals the YAML.
SPEC = Path(__file__).parent / "api" / "fullenrich-v2-openapi.json"


@cache
def _contract() -> dict[str, Any]:
    loaded: dict[str, Any] = json.loads(SPEC.read_bytes())
    return loaded


def openapi_document(app: FastAPI) -> dict[str, Any]:
    """The published v2 contract as it is (same paths, fields and errors), under `/api/v2`,
    plus what this server adds (v1, webhook deliveries) as FastAPI describes it."""
    contract = _contract()
    document: dict[str, Any] = {
        **contract,
        "info": {**contract["info"], "title": "OpenEnrich API (FullEnrich compatible)"},
        "servers": [{"url": "/"}],
        "paths": {f"/api/v2{path}": item for path, item in contract["paths"].items()},
    }
    generated = get_openapi(title=app.title, version=app.version, routes=app.routes)
    for path, item in generated.get("paths", {}).items():
        document["paths"].setdefault(path, item)
    schemas = document.setdefault("components", {}).setdefault("schemas", {})
    for name, schema in generated.get("components", {}).get("schemas", {}).items():
        schemas.setdefault(name, schema)
    return document


def create_app(
    settings: Settings | None = None,
    prebuilt: Services | None = None,
    dashboard: DashboardSettings | None = None,
) -> FastAPI:
    settings = settings or Settings()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        found = prebuilt or build_services(settings)
        app.state.services = found
        pool = found.worker_pool() if settings.embedded_worker else None
        worker = asyncio.create_task(pool.run()) if pool is not None else None
        delivery: asyncio.Task[None] | None = None
        if settings.embedded_worker:
            delivery = asyncio.create_task(found.webhooks.deliverer().run())
        # The sandbox population loads in the background, so that the first sandbox
        # search rarely waits for it (off by default: it competes with the work at hand).
        preload: asyncio.Task[None] | None = None
        if settings.sandbox_preload:
            preload = asyncio.create_task(found.people.preload())
        try:
            yield
        finally:
            if preload is not None:
                preload.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await preload
            if delivery is not None:
                delivery.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await delivery
            if pool is not None and worker is not None:
                pool.stop()  # running contacts get a grace period, then come back later
                with contextlib.suppress(asyncio.CancelledError):
                    await worker
            if prebuilt is None:
                await found.close()

    app = FastAPI(
        title="OpenEnrich",
        lifespan=lifespan,
        docs_url="/docs",
        redoc_url=None,
        openapi_url="/openapi.json",
    )

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            app.openapi_schema = openapi_document(app)
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]
    install_error_handlers(app)
    board = dashboard or DashboardSettings()
    app.add_middleware(
        BodyLimit,
        limit=settings.max_body_bytes,
        timeout=settings.body_timeout_seconds,
        # The upload form streams to disk and enforces its own limit; this is the backstop.
        larger={UPLOAD_PATH: board.max_upload_bytes + 64 * 1024},
    )
    app.add_middleware(CachedResults)  # outermost: a poll of a finished job stops here
    app.include_router(accounts_router, prefix="/api/v2")
    app.include_router(enrichment_router, prefix="/api/v2")
    app.include_router(reverse_router, prefix="/api/v2")
    app.include_router(verify_router, prefix="/api/v2")
    app.include_router(webhooks_router, prefix="/api/v2")
    app.include_router(teams_router, prefix="/api/v2")
    app.include_router(privacy_router, prefix="/api/v2")
    app.include_router(people_router, prefix="/api/v2")
    app.include_router(v1_router, prefix="/api/v1")
    install_dashboard(app, board, settings.redis_url)

    @app.get("/healthz", include_in_schema=False)
    async def healthz(db: Db) -> Response:
        try:
            async with db.read() as session:
                await session.execute(text("SELECT 1"))
        except Exception:
            return json_response({"code": "error.database", "message": "Database unavailable"}, 503)
        return json_response({"status": "ok"})

    @app.get("/metrics", include_in_schema=False)
    async def metrics(request: Request) -> Response:
        """Prometheus metrics; behind `OPENENRICH_METRICS_TOKEN` when it is set."""
        if settings.metrics_token:
            given = request.headers.get("authorization", "").partition(" ")
            expected = settings.metrics_token.encode()
            if given[0].lower() != "bearer" or not hmac.compare_digest(
                given[2].strip().encode(), expected
            ):
                raise MetricsUnauthorized()
        body, content_type = metrics_response()
        return Response(content=body, media_type=content_type)

    return app
