"""Settings, read from the environment (prefix ``OPENENRICH_``) and passed in, never imported."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

from pydantic import Field, NonNegativeInt, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

DEFAULT_DATABASE_URL = "sqlite+aiosqlite:///./var/openenrich.db"


def normalise_database_url(url: str) -> str:
    """Map plain ``postgresql://`` and ``sqlite://`` URLs onto the async drivers we ship."""
    for plain, driver in (
        ("postgresql://", "postgresql+psycopg://"),
        ("postgres://", "postgresql+psycopg://"),
        ("postgresql+psycopg2://", "postgresql+psycopg://"),
        ("sqlite://", "sqlite+aiosqlite://"),
    ):
        if url.startswith(plain):
            return driver + url[len(plain) :]
    return url


class Settings(BaseSettings):
    """Every knob of the server. Tests build their own instance."""

    model_config = SettingsConfigDict(env_prefix="OPENENRICH_", extra="ignore")

    database_url: str = DEFAULT_DATABASE_URL
    redis_url: str | None = None
    secret_key_file: Path = Path("./var/secret.key")
    secret_key: str | None = Field(default=None, repr=False)

    rate_limit_per_minute: int = 60
    sandbox_latency_ms: int = 0
    in_progress_as_status: bool = False
    max_body_bytes: int = 1024 * 1024
    # Memory kept for the bodies of finished jobs served by GET (least recently read
    # dropped first; a body larger than this is served from the database every time).
    result_cache_bytes: int = Field(default=64 * 1024 * 1024, ge=0)
    # Slow clients (`openenrich serve`): a request head must arrive within
    # `header_timeout_seconds` of the connection opening (or of the previous response), each
    # chunk of a body within `body_timeout_seconds` of the previous one (else 408), and an
    # idle kept-alive connection is closed after `keep_alive_seconds`.
    header_timeout_seconds: float = 10.0
    body_timeout_seconds: float = 30.0
    keep_alive_seconds: float = 5.0
    # `/metrics` requires `Authorization: Bearer <token>` when set.
    metrics_token: str | None = Field(default=None, repr=False)

    # Credit prices (FullEnrich's by default): whole, non-negative numbers, or start-up fails.
    price_work_email: NonNegativeInt = 1
    price_personal_email: NonNegativeInt = 3
    price_phone: NonNegativeInt = 10
    price_reverse_profile: NonNegativeInt = 1
    # Each address the verify API checks to a conclusion (any status but UNKNOWN).
    price_verified_email: NonNegativeInt = 0
    # Each person or company a search or lookup returns that the workspace was not given
    # before, in credits with at most two decimals (FullEnrich: 0.25).
    price_search_record: Decimal = Field(default=Decimal("0.25"), ge=0, decimal_places=2)
    price_lookup_record: Decimal = Field(default=Decimal("0.25"), ge=0, decimal_places=2)
    dedup_days: NonNegativeInt = 90
    # `POST /email/verify` answers within this many seconds (greylisted addresses are
    # answered at once and retried by a one-address job, see `retry` in the answer).
    verify_api_timeout_seconds: float = Field(default=25.0, gt=0)
    # Reverse lookups answer from profiles built in the same workspace only, unless shared.
    share_profiles_across_workspaces: bool = False
    # How many people of the synthetic population sandbox keys search (loaded on first
    # use, across the population's 3,000 companies).
    sandbox_people: NonNegativeInt = 30_000
    # Load it when the server starts (`make run` does) rather than on the first search.
    sandbox_preload: bool = False

    # Workers: contacts processed at once per process, lease and sweeper timing. A contact
    # spends nearly all its time waiting on providers (whose own rate limits the waterfall
    # keeps), so a whole job of 100 runs at once, and its contacts finish together.
    worker_concurrency: int = 100
    # Renewed every third of itself while a contact runs; a killed worker's contacts go back
    # to the queue this long after it died, whatever the deployment.
    lease_seconds: float = 30.0
    sweep_interval_seconds: float = 5.0
    # Embedded mode: this process runs workers; scaled mode runs `openenrich worker` instead.
    embedded_worker: bool = True

    # Whether a request without `Sub-Account-ID` reads the jobs of the workspace's
    # sub-accounts too (FullEnrich answers 404 there; set false for that behaviour).
    parent_sees_sub_accounts: bool = True

    bootstrap_sandbox_credits: int = 10_000
    bootstrap_credits: int = 0

    @field_validator("database_url")
    @classmethod
    def _driver(cls, value: str) -> str:
        return normalise_database_url(value)
