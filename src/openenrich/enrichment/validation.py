"""Request validation with the spec's exact error codes and messages.

Validation reads the decoded JSON by hand rather than through a model, because the wire
contract is the error *codes*: a generic schema error would not say which one applies.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import SplitResult, urlsplit

from openenrich.domain import Field
from openenrich.errors import AppError, WebhookUrlInvalid, invalid
from openenrich.verification import domains
from openenrich.webhooks.ssrf import url_host

MAX_CONTACTS = 100
MAX_CUSTOM_KEYS = 10
MAX_CUSTOM_KEY = 100
MAX_CUSTOM_VALUE = 100
MAX_URL = 2048  # webhook URLs, LinkedIn URLs, and domains (a website URL is accepted there)


@dataclass(frozen=True, slots=True)
class Limit:
    """The longest value a string field takes (in characters), and the code of a 400 for a
    longer one. Each bound is no larger than the column that stores the field."""

    length: int
    code: str


# Every string field of every request body (v1 and v2 are validated here, reverse lookups
# too), by the label its errors name; `string()` refuses a field that is not listed.
LIMITS: dict[str, Limit] = {
    "name": Limit(500, "error.enrichment.name.exceeded"),
    "webhook_url": Limit(MAX_URL, "error.enrichment.webhook_url.exceeded"),
    "webhook_events.contact_finished": Limit(MAX_URL, "error.enrichment.webhook_url.exceeded"),
    "first_name": Limit(100, "error.enrichment.first_name.exceeded"),
    "last_name": Limit(100, "error.enrichment.last_name.exceeded"),
    "company_name": Limit(256, "error.enrichment.company_name.exceeded"),
    "domain": Limit(MAX_URL, "error.enrichment.domain.exceeded"),
    "linkedin_url": Limit(MAX_URL, "error.enrichment.linkedin_url.exceeded"),
    "email": Limit(254, "error.reverse.email.exceeded"),  # RFC 5321's longest address
}
NUL_CODE = "error.request.nul_character"
ENRICH_FIELDS = (Field.WORK_EMAIL.value, Field.PERSONAL_EMAIL.value, Field.PHONE.value)
_LINKEDIN = re.compile(r"^(?:[a-z]+\.)?linkedin\.com$")


def type_error(name: str, expected: str) -> AppError:
    return invalid("error.request.invalid", f"Field '{name}' must be {expected}")


def too_long(name: str, limit: Limit) -> AppError:
    return invalid(limit.code, f"Field '{name}' max len exceeded (max: {limit.length} characters)")


def refuse_nul(name: str, value: str) -> None:
    """NUL cannot be stored (PostgreSQL text refuses it) and is never meaningful input."""
    if "\x00" in value:
        raise invalid(NUL_CODE, f"Field '{name}' must not contain NUL characters")


def string(body: Mapping[str, Any], key: str, label: str | None = None) -> str:
    """A string field, stripped; absent or null is empty; any other type, a value longer
    than its `LIMITS` entry or one holding a NUL character is a 400."""
    name = label or key
    limit = LIMITS[name]
    value = body.get(key)
    if value is None:
        return ""
    if not isinstance(value, str):
        raise type_error(name, "a string")
    if len(value) > limit.length:
        raise too_long(name, limit)
    refuse_nul(name, value)
    return value.strip()


def split_url(value: str) -> SplitResult | None:
    """`urlsplit`, or None for what it cannot parse (an unclosed `[` raises ValueError)."""
    try:
        parts = urlsplit(value)
        parts.hostname  # noqa: B018 - parsing the host can raise too
    except ValueError:
        return None
    return parts


def webhook_url(value: str) -> str | None:
    """A webhook URL as given, or None when absent. Only its shape is checked here; where
    it may point depends on the server's allow list (`WebhookHub.check_destinations`)."""
    if not value:
        return None
    if url_host(value) is None:
        raise WebhookUrlInvalid()
    return value


def normalise_domain(value: str) -> str:
    """`https://www.Example.com/about` -> `example.com` (IDNA-encoded), or '' if it is not
    a domain at all."""
    try:
        return domains.normalise_domain(value)
    except domains.DomainError:
        return ""


def normalise_linkedin(value: str) -> str:
    """A LinkedIn profile URL (standard or Sales Navigator) in canonical form, or ''."""
    text = value.strip()
    if "://" not in text:
        text = "https://" + text
    parts = split_url(text)
    if parts is None:
        return ""
    host = (parts.hostname or "").lower()
    segments = [s for s in parts.path.split("/") if s]
    if not _LINKEDIN.match(host) or len(segments) < 2:
        return ""
    if segments[0] == "in":
        return f"https://www.linkedin.com/in/{segments[1]}"
    if segments[0] == "sales" and len(segments) >= 3 and segments[1] in ("lead", "people"):
        return f"https://www.linkedin.com/in/{segments[2].split(',')[0]}"
    return ""


def custom_fields(value: Any) -> dict[str, str] | None:
    if value is None:
        return None
    if not isinstance(value, dict):
        raise type_error("custom", "an object")
    if len(value) > MAX_CUSTOM_KEYS:
        raise invalid(
            "error.enrichment.custom.key.exceeded",
            "Custom field contains too many keys (max: 10 keys)",
        )
    for key, item in value.items():
        if len(key) > MAX_CUSTOM_KEY:
            raise invalid(
                "error.enrichment.custom.key.length",
                f"Custom field key max len exceeded (max: {MAX_CUSTOM_KEY} characters)",
            )
        refuse_nul("custom", key)
        if not isinstance(item, str):
            raise invalid(
                "error.enrichment.custom.value.type", "Custom field values must be strings"
            )
        if len(item) > MAX_CUSTOM_VALUE:
            raise invalid(
                "error.enrichment.custom.value.exceeded",
                "Custom field value max len exceeded (max: 100 character)",
            )
        refuse_nul("custom", item)
    return dict(value)


@dataclass(frozen=True, slots=True)
class ContactInput:
    """One validated contact, as stored and as echoed back."""

    first_name: str = ""
    last_name: str = ""
    domain: str = ""
    company_name: str = ""
    linkedin_url: str = ""
    email: str = ""
    fields: tuple[str, ...] = ()
    custom: dict[str, str] | None = None
    raw_domain: str = ""
    raw_linkedin_url: str = ""

    def stored(self) -> dict[str, str]:
        data = {
            "first_name": self.first_name,
            "last_name": self.last_name,
            "domain": self.domain,
            "company_name": self.company_name,
            "linkedin_url": self.linkedin_url,
            "email": self.email,
            "raw_domain": self.raw_domain,
            "raw_linkedin_url": self.raw_linkedin_url,
        }
        return {key: value for key, value in data.items() if value}

    def dedup_key(self) -> str:
        """Identical input, whatever its spelling, gives the same key; different input a
        different one. The parts are hashed as a JSON array, an unambiguous encoding: no
        character inside a field can move the boundary between two fields. (Keys written
        before this encoding joined the parts with a separator; they simply stop matching,
        so a repeat of such input is charged once more.)"""
        parts = [
            self.first_name.casefold(),
            self.last_name.casefold(),
            self.domain,
            self.company_name.casefold(),
            self.linkedin_url.casefold(),
            self.email.casefold(),
        ]
        encoded = json.dumps(parts, ensure_ascii=False, separators=(",", ":"))
        return hashlib.sha256(encoded.encode()).hexdigest()


def enrich_fields(value: Any) -> tuple[str, ...]:
    if value is None or value == []:
        raise invalid("error.enrichment.enrich_fields.empty", "enrichFields cannot be empty")
    if not isinstance(value, list):
        raise type_error("enrich_fields", "an array of strings")
    fields: list[str] = []
    for item in value:
        if item not in ENRICH_FIELDS:
            shown = item if isinstance(item, str) else str(item)
            raise invalid(
                "error.enrichment.enrich_field.value",
                f"enrichField '{shown}' not valid must be contact.work_emails or "
                "contact.phones or contact.personal_emails",
            )
        if item not in fields:
            fields.append(item)
    return tuple(fields)


def contact(item: Any) -> ContactInput:
    """Validate one `data[]` item of a v2 bulk enrichment."""
    if not isinstance(item, dict):
        raise type_error("data[]", "an object")
    first = string(item, "first_name")
    last = string(item, "last_name")
    raw_domain = string(item, "domain")
    company = string(item, "company_name")
    raw_linkedin = string(item, "linkedin_url")
    linkedin = normalise_linkedin(raw_linkedin) if raw_linkedin else ""
    if raw_linkedin and not linkedin:
        raise invalid("error.enrichment.linkedin_url.invalid", "LinkedIn URL is invalid")
    domain = normalise_domain(raw_domain) if raw_domain else ""
    if raw_domain and not domain:
        raise invalid("error.enrichment.domain.invalid", "Domain is invalid")
    if not linkedin:
        if not first:
            raise invalid("error.enrichment.first_name.empty", "First name cannot be empty")
        if not last:
            raise invalid("error.enrichment.last_name.empty", "Last name cannot be empty")
        if not domain and not company:
            raise invalid("error.enrichment.domain.empty", "Domain cannot be empty")
    return ContactInput(
        first_name=first,
        last_name=last,
        domain=domain,
        company_name=company,
        linkedin_url=linkedin,
        fields=enrich_fields(item.get("enrich_fields")),
        custom=custom_fields(item.get("custom")),
        raw_domain=raw_domain,
        raw_linkedin_url=raw_linkedin,
    )


@dataclass(slots=True)
class BulkRequest:
    name: str
    webhook_url: str | None
    contact_webhook_url: str | None
    contacts: list[ContactInput] = field(default_factory=list)
    # Extensions (`enrichment.extensions`): absent for FullEnrich clients.
    max_credits: int | None = None
    provenance: bool | None = None


def webhook_events(body: Mapping[str, Any]) -> str | None:
    events = body.get("webhook_events")
    if events is None:
        return None
    if not isinstance(events, dict):
        raise type_error("webhook_events", "an object")
    return webhook_url(string(events, "contact_finished", "webhook_events.contact_finished"))


def bulk_header(body: Any) -> tuple[str, str | None, str | None, list[Any]]:
    """The parts every bulk request shares: name, webhooks and the data array."""
    if not isinstance(body, dict):
        raise type_error("body", "a JSON object")
    name = string(body, "name")
    if not name:
        raise invalid("error.enrichment.name.empty", "Enrichment name not set")
    hook = webhook_url(string(body, "webhook_url"))
    contact_hook = webhook_events(body)
    data = body.get("data")
    if data is None or data == []:
        raise invalid("error.enrichment.data.empty", "Data is empty")
    if not isinstance(data, list):
        raise type_error("data", "an array")
    if len(data) > MAX_CONTACTS:
        raise invalid(
            "error.enrichment.data.exceeded",
            "Data contains too many contacts (max: 100 contacts)",
        )
    return name, hook, contact_hook, data


def bulk_enrich(body: Any, silent_fail: bool) -> BulkRequest:
    """Validate a v2 `POST /contact/enrich/bulk` body. With `silent_fail`, invalid contacts
    are dropped instead of failing the whole request."""
    name, hook, contact_hook, data = bulk_header(body)
    request = BulkRequest(name, hook, contact_hook)
    for item in data:
        try:
            request.contacts.append(contact(item))
        except AppError:
            if not silent_fail:
                raise
    return request
