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
    # Ports deliveries may go to: comma-separated ports and low-high ranges, or `*`.
    webhook_allowed_ports: str = "80,443"
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
    # Attempts in flight per process, and at most this many of one workspace and of one
    # receiver (`host:port`), so a slow or silent receiver cannot hold every slot.
    webhook_concurrency: int = 16
    webhook_max_in_flight_per_workspace: int = 4
    webhook_max_in_flight_per_receiver: int = 4
    # A receiver that fails (no answer, 5xx, 429) is not sent anything for a while: the
    # backoff base, doubling per failure in a row, up to this long.
    webhook_receiver_pause_max_seconds: float = 300.0
    # Bytes of the receiver's answer kept in the delivery log: a short excerpt.
    webhook_response_max_bytes: int = 256
