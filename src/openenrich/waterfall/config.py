"""The waterfall's configuration: a TOML file named by ``OPENENRICH_CONFIG``.

Without a file, the only source is the built-in finder for work emails, verified by the
built-in verifier. See ``openenrich.example.toml`` for every key.
"""

from __future__ import annotations

import os
import tomllib
from collections.abc import Mapping
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from openenrich.domain import EmailStatus
from openenrich.domain import Field as EnrichField

# Short names used in the TOML file for each field's waterfall: the kinds' own keys.
FIELD_NAMES: Mapping[str, EnrichField] = {kind.key: kind for kind in EnrichField.findable()}


class WaterfallSettings(BaseSettings):
    """Environment knobs of the waterfall (the rest lives in the TOML file)."""

    model_config = SettingsConfigDict(env_prefix="OPENENRICH_", extra="ignore")

    config: Path | None = None


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class ProviderConfig(_Strict):
    """One source (a finder) or verifier, and the policies the engine applies to it."""

    # Registry name of the adapter; defaults to the table's own name, so one vendor can
    # appear twice (two accounts) under different names.
    adapter: str | None = None
    enabled: bool = True
    # Environment variables holding API keys; several keys are used in rotation, each with
    # its own concurrency cap, rate limit and breaker.
    api_key_env: str | list[str] | None = None
    base_url: str | None = None
    # Price in your own unit (dollars, credits): per completed call, plus per call that
    # found something. With neither set, the cost the adapter reports is used.
    price_per_call: float | None = None
    price_per_hit: float | None = None
    concurrency: int = Field(default=10, ge=1)
    # A `limits` rate string, e.g. "15/second;500/minute"; none means unlimited.
    rate_limit: str | None = None
    timeout: float = Field(default=20.0, gt=0)
    max_retries: int = Field(default=2, ge=0)
    # Email statuses reported by this source that are accepted without verification.
    trusted_statuses: list[EmailStatus] = Field(default_factory=list)
    # Asynchronous vendors: give up polling after this many seconds.
    poll_deadline: float = Field(default=300.0, gt=0)

    @property
    def key_envs(self) -> list[str]:
        if self.api_key_env is None:
            return []
        return [self.api_key_env] if isinstance(self.api_key_env, str) else self.api_key_env

    def api_keys(self, environ: Mapping[str, str] | None = None) -> list[str]:
        env = os.environ if environ is None else environ
        return [env[name] for name in self.key_envs if env.get(name)]


# The built-in finder proves its addresses on the mail server itself (no second check
# needed); its transient failures (greylisting) are worth retrying minutes later, not now.
BUILTIN_DEFAULTS = ProviderConfig(
    concurrency=20,
    # Its own `verify_timeout` (greylisting retries included) bounds a check; this only
    # catches a hang.
    timeout=900.0,
    max_retries=0,
    trusted_statuses=[
        EmailStatus.DELIVERABLE,
        EmailStatus.HIGH_PROBABILITY,
        EmailStatus.CATCH_ALL,
        EmailStatus.INVALID,
        EmailStatus.INVALID_DOMAIN,
    ],
)


class BreakerConfig(_Strict):
    failure_threshold: int = Field(default=5, ge=1)
    open_seconds: float = Field(default=30.0, gt=0)
    max_open_seconds: float = Field(default=600.0, gt=0)
    # Bad keys and exhausted credits rarely fix themselves within seconds.
    auth_open_seconds: float = Field(default=3600.0, gt=0)
    quota_open_seconds: float = Field(default=3600.0, gt=0)


class CacheConfig(_Strict):
    enabled: bool = True
    hit_ttl_days: float = Field(default=90.0, ge=0)
    miss_ttl_days: float = Field(default=30.0, ge=0)
    verify_ttl_days: float = Field(default=30.0, ge=0)
    # "server": one answer serves every workspace; "workspace": each pays for its own.
    scope: Literal["server", "workspace"] = "server"
    memory_entries: int = Field(default=100_000, ge=0)


class WaterfallConfig(_Strict):
    """The whole file."""

    order: dict[str, list[str]] = Field(default_factory=lambda: {"work_email": ["builtin"]})
    verifiers: list[str] = Field(default_factory=lambda: ["builtin"])
    # Sources a company lookup asks, in order, until one knows the company. None: every
    # source in [order] whose adapter enriches companies, in the order they first appear.
    companies: list[str] | None = None
    providers: dict[str, ProviderConfig] = Field(default_factory=dict)
    # "configured": the order above; "adaptive": cheapest measured cost per found result.
    ordering: Literal["configured", "adaptive"] = "configured"
    # The email status at which an email waterfall stops looking for better.
    email_stop_status: EmailStatus = EmailStatus.DELIVERABLE
    # Never accept a CATCH_ALL address (they are dropped, and the waterfall goes on).
    safe_only: bool = False
    # A phone waterfall stops at a mobile; with False, at any number.
    phone_requires_mobile: bool = True
    # Spending cap per contact, across fields; none means unlimited.
    max_cost_per_contact: float | None = Field(default=None, ge=0)
    breaker: BreakerConfig = Field(default_factory=BreakerConfig)
    cache: CacheConfig = Field(default_factory=CacheConfig)

    @field_validator("order")
    @classmethod
    def _known_fields(cls, value: dict[str, list[str]]) -> dict[str, list[str]]:
        unknown = set(value) - set(FIELD_NAMES)
        if unknown:
            raise ValueError(f"unknown field(s) in [order]: {sorted(unknown)}")
        return value

    @model_validator(mode="after")
    def _listed_are_declared(self) -> WaterfallConfig:
        named = {name for names in self.order.values() for name in names} | set(self.verifiers)
        named |= set(self.companies or ())
        missing = named - set(self.providers) - {"builtin"}
        if missing:
            raise ValueError(f"no [providers.<name>] table for: {sorted(missing)}")
        return self

    def provider(self, name: str) -> ProviderConfig:
        """The table for `name`; the built-in sources work without one."""
        if name in self.providers:
            return self.providers[name]
        if name == "builtin":
            return BUILTIN_DEFAULTS
        return ProviderConfig()

    def field_order(self) -> dict[EnrichField, list[str]]:
        return {FIELD_NAMES[key]: names for key, names in self.order.items()}


def load_config(path: Path | str | None = None) -> WaterfallConfig:
    """Read the TOML file at `path`, or at ``OPENENRICH_CONFIG``, or return the defaults."""
    if path is None:
        path = WaterfallSettings().config
    if path is None:
        return WaterfallConfig()
    with Path(path).open("rb") as handle:
        return WaterfallConfig.model_validate(tomllib.load(handle))
