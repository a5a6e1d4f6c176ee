"""What the dashboard keeps for the process: its settings, templates and sign-in throttle."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

from fastapi.templating import Jinja2Templates

from openenrich.dashboard.config import DashboardSettings
from openenrich.dashboard.throttle import LoginThrottle

HERE = Path(__file__).parent


def _when(value: datetime | None) -> str:
    return value.strftime("%Y-%m-%d %H:%M UTC") if value else "never"


@dataclass
class Dashboard:
    settings: DashboardSettings
    templates: Jinja2Templates
    throttle: LoginThrottle

    @property
    def idle(self) -> timedelta:
        return timedelta(minutes=self.settings.idle_minutes)

    @property
    def absolute(self) -> timedelta:
        return timedelta(hours=self.settings.absolute_hours)


def build_dashboard(settings: DashboardSettings, redis_url: str | None) -> Dashboard:
    templates = Jinja2Templates(directory=str(HERE / "templates"))
    templates.env.filters["when"] = _when
    return Dashboard(
        settings=settings,
        templates=templates,
        throttle=LoginThrottle(
            settings.login_attempts_per_email,
            settings.login_attempts_per_address,
            settings.login_window_minutes,
            redis_url,
        ),
    )
