"""Privacy settings (prefix ``OPENENRICH_``), read apart from the main `Settings`."""

from __future__ import annotations

from pydantic_settings import BaseSettings, SettingsConfigDict


class PrivacySettings(BaseSettings):
    """How long each kind of data is kept, and the data-minimisation switch."""

    model_config = SettingsConfigDict(env_prefix="OPENENRICH_", extra="ignore")

    # Finished enrichments and reverse lookups: the result, its contact rows and findings.
    result_retention_days: float = 90.0
    # Webhook bodies (delivered or given up), with their delivery attempts.
    webhook_retention_days: float = 30.0
    # The provider-call log (cached answers keep the TTLs of the waterfall file).
    call_log_days: float = 90.0
    # Rows deleted per transaction by the periodic purge.
    purge_batch_size: int = 500
    # Keep no profile data beyond what a result needs: profiles are not kept as findings
    # (so reverse lookups cannot answer from them), only inside the result they belong to.
    minimal_profile_data: bool = False
