"""Knobs of the built-in finder and verifier (environment prefix ``OPENENRICH_``)."""

from __future__ import annotations

import json
from typing import Annotated, Any

from pydantic import field_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

from openenrich.verification.mailhosts import ACCEPT_ALL_SUFFIXES
from openenrich.verification.proxies import ProxySettings, parse_proxies

# MX hosts (suffixes) that accept any recipient at RCPT time and bounce later, so an
# accepted RCPT there proves nothing: the accept-all rows of the provider table.
DEFAULT_ACCEPT_ALL_MX = ACCEPT_ALL_SUFFIXES


def _split_list(value: Any) -> Any:
    """Accept a comma-separated string (``127.0.0.1:5353,10.0.0.1``), a JSON list, or a list."""
    if isinstance(value, str) and value.strip().startswith("["):
        return json.loads(value)
    if isinstance(value, str):
        return [part.strip() for part in value.split(",") if part.strip()]
    return value


class VerificationSettings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="OPENENRICH_", extra="ignore")

    # DNS: "host" or "host:port" ("[v6]:port"); empty means the system's resolvers.
    dns_nameservers: Annotated[list[str], NoDecode] = []
    dns_timeout: float = 5.0

    smtp_helo: str = "localhost"
    smtp_mail_from: str = "verify@localhost"
    smtp_port: int = 25
    smtp_starttls: bool = True
    smtp_connect_timeout: float = 10.0
    smtp_command_timeout: float = 10.0
    # Sessions open at once to one MX host, and how many RCPTs one mail transaction carries.
    smtp_max_per_host: int = 4
    smtp_max_rcpt_per_session: int = 25
    # An idle session is reused for this long, then closed (servers drop idle clients).
    smtp_idle_seconds: float = 15.0
    # An MX host that failed a connection is tried after the others for this long.
    smtp_host_backoff_seconds: float = 60.0
    # Most time one check spends on one MX address (connect and every command): a host
    # that tarpits (answers each command just inside its timeout) is cut off there, and
    # skipped by every check for smtp_host_backoff_seconds.
    smtp_host_budget_seconds: float = 30.0
    # Mail hosts the verifier may reach although their addresses are internal (loopback,
    # private, link-local, CGNAT, reserved): host names, addresses or CIDR ranges, comma-
    # separated, as OPENENRICH_WEBHOOK_ALLOW_HOSTS. For local mail rigs and tests only.
    verify_allow_hosts: str = ""
    smtp_accept_all_mx: Annotated[list[str], NoDecode] = list(DEFAULT_ACCEPT_ALL_MX)

    # SOCKS5 proxies for the SMTP connections, a JSON list of objects:
    # [{"url": "socks5://user:pass@10.0.0.5:1080", "helo": "mx1.example.com",
    #   "concurrency": 8, "providers": ["google"]}]. Empty: connect directly.
    smtp_proxies: Annotated[list[ProxySettings], NoDecode] = []
    # RCPT groups in one round trip where the server offers PIPELINING (RFC 2920).
    smtp_pipelining: bool = True

    # Greylisting: wait this many seconds before each retry of a temporary failure.
    greylist_retry_seconds: Annotated[list[float], NoDecode] = [60.0, 240.0]
    # Bound on one whole check (DNS, SMTP, greylisting retries).
    verify_timeout: float = 420.0

    # Candidate addresses tried per name at one domain (see `patterns.candidates`).
    finder_max_candidates: int = 16

    # How long cached domain facts are trusted.
    fact_route_ttl: float = 86_400.0
    fact_catch_all_ttl: float = 7 * 86_400.0
    fact_pattern_ttl: float = 90 * 86_400.0
    fact_invalid_domain_ttl: float = 3_600.0

    @field_validator("smtp_proxies", mode="before")
    @classmethod
    def _proxies(cls, value: Any) -> Any:
        return parse_proxies(value)

    @field_validator(
        "dns_nameservers", "smtp_accept_all_mx", "greylist_retry_seconds", mode="before"
    )
    @classmethod
    def _lists(cls, value: Any) -> Any:
        return _split_list(value)
