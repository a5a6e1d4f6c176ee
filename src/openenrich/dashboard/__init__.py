"""The web dashboard at `/app`: members sign in, upload files, follow enrichments, manage
keys and see what things cost. Server-rendered, with htmx vendored in `static/`."""

from __future__ import annotations

from fastapi import FastAPI
from fastapi.staticfiles import StaticFiles

from openenrich.dashboard.config import DashboardSettings
from openenrich.dashboard.state import HERE, build_dashboard

UPLOAD_PATH = "/app/uploads"

__all__ = ["UPLOAD_PATH", "DashboardSettings", "install"]


def install(app: FastAPI, settings: DashboardSettings, redis_url: str | None) -> None:
    """Mount the pages, their static files and their error pages on `app`."""
    from openenrich.dashboard.routes import install_handlers, router

    if not settings.enabled:
        return
    app.state.dashboard = build_dashboard(settings, redis_url)
    install_handlers(app)
    app.include_router(router)
    app.mount("/app/static", StaticFiles(directory=HERE / "static"), name="dashboard-static")
