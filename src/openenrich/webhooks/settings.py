"""Webhook settings (prefix ``OPENENRICH_``), read apart from the main `Settings`."""

from __future__ import annotations

from pydantic_settings import BaseSettings, SettingsConfigDict


class WebhookSettings(BaseSettings):
    """Delivery timing and the SSRF allow-list.

    The default schedule (10 s doubling, capped at 6 h, 12 attempts) keeps trying for about
    six hours, where FullEnrich gives up after five tries a minute apart."""

    model_config = SettingsConfigDict(env_prefix="OPENENRICH_", extra="ignore")

    # Comma-separated hosts, addresses or CIDR ranges allowed although private/loopback.
    webhook_allow_hosts: str = ""
    webhook_max_attempts: int = 12
    webhook_backoff_base_seconds: float = 10.0
    webhook_backoff_max_seconds: float = 6 * 3600.0
    # Fraction of each delay that is random (0 = none, 1 = full jitter).
    webhook_jitter: float = 0.5
    # A receiver's Retry-After is honoured up to this long.
    webhook_retry_after_max_seconds: float = 24 * 3600.0
    # Whole attempt, DNS to last response byte.
    webhook_timeout_seconds: float = 15.0
    webhook_poll_seconds: float = 0.5
    webhook_concurrency: int = 16
    # Response bytes kept in the delivery log.
    webhook_response_max_bytes: int = 2048
