"""Dashboard settings (prefix ``OPENENRICH_DASHBOARD_``), passed in like `Settings`."""

from __future__ import annotations

from pydantic_settings import BaseSettings, SettingsConfigDict


class DashboardSettings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="OPENENRICH_DASHBOARD_", extra="ignore")

    enabled: bool = True
    # A session ends after this long without a request, and this long after sign-in anyway.
    idle_minutes: float = 60.0
    absolute_hours: float = 12.0
    # `Secure` cookies: None decides per request (HTTPS as seen through the proxy headers).
    secure_cookies: bool | None = None
    # Sign-in attempts allowed per email and per client address in a window.
    login_attempts_per_email: int = 5
    login_attempts_per_address: int = 30
    login_window_minutes: int = 15
    max_upload_bytes: int = 50 * 1024 * 1024
    page_size: int = 50
