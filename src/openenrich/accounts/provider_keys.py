"""Bring Your Own Key: FullEnrich's beta `/providers` endpoints over the vendor adapters
this server has. A workspace (or each sub-account scope) holds at most one key per vendor;
credentials are checked with the vendor before they are saved, sealed at rest under the
server secret, and never returned (lists show them masked) nor logged."""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

import httpx
from sqlalchemy import delete, select
from sqlalchemy.exc import IntegrityError

from openenrich import errors
from openenrich.accounts.repository import Caller
from openenrich.accounts.team_models import ProviderKey
from openenrich.db import Database, rows_affected, utcnow
from openenrich.domain import Field
from openenrich.errors import ProviderConfigError
from openenrich.providers import registry
from openenrich.waterfall.check import check_key
from openenrich.webhooks.sealing import Sealer

SEALING_INFO = b"openenrich provider keys v1"
MASK = "********"
ZONES = ("front", "back", "auto")
DATA_TYPES = (Field.WORK_EMAIL, Field.PERSONAL_EMAIL, Field.PHONE)


@dataclass(frozen=True, slots=True)
class Vendor:
    """A `provider` value of the BYOK API, and the adapter of ours behind it."""

    provider: str
    adapter: str
    required: tuple[str, ...] = ("api_key",)
    optional: tuple[str, ...] = ()

    def credential(self, credentials: Mapping[str, str]) -> str:
        """The one string the adapter takes (Snov's client id and secret, joined)."""
        if self.required == ("client_id", "client_secret"):
            return f"{credentials['client_id']}:{credentials['client_secret']}"
        return credentials["api_key"]

    @property
    def data_types(self) -> list[str]:
        fields = registry.adapter_class(self.adapter).fields
        return [kind.value for kind in DATA_TYPES if kind in fields]


# FullEnrich's names where it supports the vendor too; our adapters' names otherwise.
VENDORS: dict[str, Vendor] = {
    v.provider: v
    for v in (
        Vendor("prospeo", "prospeo"),
        Vendor("lusha", "lusha"),
        Vendor("apollo_io", "apollo"),
        Vendor("icypeas", "icypeas", optional=("account_email",)),
        Vendor("contactout", "contactout", optional=("personal_email_api_key",)),
        Vendor("hunter", "hunter"),
        Vendor("pdl", "pdl"),
        Vendor("leadmagic", "leadmagic"),
        Vendor("findymail", "findymail"),
        Vendor("rocketreach", "rocketreach"),
        Vendor("dropcontact", "dropcontact"),
        Vendor("snov", "snov", required=("client_id", "client_secret")),
        Vendor("fullenrich", "fullenrich"),
    )
}


def _bad(reason: str, message: str) -> ProviderConfigError:
    return ProviderConfigError(reason, message)


def vendor_of(name: Any) -> Vendor:
    vendor = VENDORS.get(name) if isinstance(name, str) else None
    if vendor is None:
        raise _bad("provider_unsupported", "Unknown provider name")
    return vendor


def _credentials(vendor: Vendor, value: Any) -> dict[str, str]:
    if value is None:
        raise _bad("credentials_required", "Field 'credentials' is required")
    if not isinstance(value, dict):
        raise _bad("credentials_invalid", "Field 'credentials' must be an object")
    allowed = set(vendor.required) | set(vendor.optional)
    if set(value) - allowed or set(vendor.required) - set(value):
        expected = ", ".join(vendor.required)
        raise _bad("credentials_invalid", f"Credentials for {vendor.provider} take: {expected}")
    if not all(isinstance(v, str) and v.strip() and len(v) <= 1000 for v in value.values()):
        raise _bad("credentials_invalid", "Credential values must be non-empty strings")
    return {k: v.strip() for k, v in value.items()}


def _priority(value: Any) -> int:
    if value is None:
        raise _bad("priority_required", "Field 'priority' is required")
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise _bad("priority_invalid", "Field 'priority' must be a positive integer")
    return value


def _zone(value: Any) -> str | None:
    if value is not None and value not in ZONES:
        raise _bad("zone_invalid", "Field 'zone' must be one of front, back, auto")
    return str(value) if value is not None else None


def _data_types(vendor: Vendor, value: Any) -> list[str] | None:
    if value is None:
        return None
    supplied = vendor.data_types
    if (
        not isinstance(value, list)
        or not value
        or not all(isinstance(v, str) and v in supplied for v in value)
    ):
        raise _bad(
            "data_types_invalid",
            f"{vendor.provider} supplies only: {', '.join(supplied)}",
        )
    return sorted(set(value), key=supplied.index)


def _flag(name: str, value: Any) -> bool | None:
    if value is not None and not isinstance(value, bool):
        raise _bad("request_invalid", f"Field '{name}' must be a boolean or null")
    return bool(value) if value is not None else None


def view(row: ProviderKey) -> dict[str, Any]:
    """The key object: defaults resolved, credentials masked."""
    vendor = VENDORS[row.provider]
    return {
        "provider": row.provider,
        "credentials": {name: MASK for name in row.credential_fields},
        "priority": row.priority,
        "zone": row.zone or "auto",
        "data_types": row.data_types or vendor.data_types,
        "verify": True if row.verify is None else row.verify,
        "enabled": True if row.enabled is None else row.enabled,
    }


class ProviderKeys:
    """The `/providers` use cases; each owns its transaction."""

    def __init__(
        self,
        db: Database,
        secret: bytes,
        http: httpx.AsyncClient,
        on_change: Callable[[], None] = lambda: None,
    ) -> None:
        self.db = db
        self.sealer = Sealer(secret, SEALING_INFO)
        self.http = http
        self.on_change = on_change

    def open(self, row: ProviderKey) -> dict[str, str] | None:
        """The credentials of a row, or None if sealed under another server secret."""
        plain = self.sealer.open(row.sealed_credentials)
        return None if plain is None else dict(json.loads(plain))

    async def _check(self, vendor: Vendor, credentials: Mapping[str, str]) -> str:
        """valid | rejected | unavailable, from the adapter's free check call."""
        adapter = registry.create_adapter(vendor.adapter)
        result = await check_key(adapter, vendor.credential(credentials), self.http)
        if result.ok is False:
            return "unavailable" if result.detail.startswith("unreachable") else "rejected"
        return "valid"

    async def _checked(self, vendor: Vendor, credentials: Mapping[str, str]) -> None:
        status = await self._check(vendor, credentials)
        if status == "rejected":
            raise _bad("credentials_rejected", "Provider rejected the credentials")
        if status == "unavailable":
            raise ProviderConfigError(
                "provider_unavailable", "Provider did not answer; nothing saved", 503
            )

    @staticmethod
    def _writable(caller: Caller) -> None:
        if caller.sub_account_archived:
            raise errors.SubAccountArchived()

    async def create(self, caller: Caller, body: Any) -> dict[str, Any]:
        self._writable(caller)
        if not isinstance(body, dict):
            raise _bad("request_invalid", "Body must be a JSON object")
        if "provider" not in body:
            raise _bad("request_invalid", "Field 'provider' is required")
        vendor = vendor_of(body["provider"])
        credentials = _credentials(vendor, body.get("credentials"))
        row = ProviderKey(
            workspace_id=caller.workspace_id,
            scope=caller.sub_account_id or "",
            provider=vendor.provider,
            credential_fields=sorted(credentials),
            priority=_priority(body.get("priority")),
            zone=_zone(body.get("zone")),
            data_types=_data_types(vendor, body.get("data_types")),
            verify=_flag("verify", body.get("verify")),
            enabled=_flag("enabled", body.get("enabled")),
        )
        if await self._exists(caller, vendor.provider):
            raise self._duplicate()
        await self._checked(vendor, credentials)
        row.sealed_credentials = self.sealer.seal(json.dumps(credentials))
        try:
            async with self.db.transaction() as session:
                session.add(row)
                await session.flush()
        except IntegrityError:
            raise self._duplicate() from None
        self.on_change()
        return view(row)

    @staticmethod
    def _duplicate() -> ProviderConfigError:
        return ProviderConfigError(
            "already_exists", "A key for this provider already exists in this scope", 409
        )

    def _where(self, caller: Caller) -> Any:
        return (ProviderKey.workspace_id == caller.workspace_id) & (
            ProviderKey.scope == (caller.sub_account_id or "")
        )

    async def _exists(self, caller: Caller, provider: str) -> bool:
        return await self._get(caller, provider) is not None

    async def _get(self, caller: Caller, provider: str) -> ProviderKey | None:
        async with self.db.read() as session:
            return (
                await session.execute(
                    select(ProviderKey).where(self._where(caller), ProviderKey.provider == provider)
                )
            ).scalar_one_or_none()

    @staticmethod
    def _not_found() -> ProviderConfigError:
        return ProviderConfigError("not_found", "No key for this provider in this scope", 404)

    async def list(self, caller: Caller) -> list[dict[str, Any]]:
        async with self.db.read() as session:
            rows = await session.execute(
                select(ProviderKey).where(self._where(caller)).order_by(ProviderKey.provider)
            )
            return [view(row) for row in rows.scalars()]

    async def update(self, caller: Caller, provider: str, body: Any) -> dict[str, Any]:
        """Partial: omitted fields keep their value, `null` resets zone, data_types,
        verify and enabled; new credentials are checked with the vendor first."""
        self._writable(caller)
        vendor = vendor_of(provider)
        if not isinstance(body, dict):
            raise _bad("request_invalid", "Body must be a JSON object")
        fields = set(body) - {"provider"}
        if not fields:
            raise _bad("request_invalid", "Send at least one field to change")
        if "provider" in body and body["provider"] != vendor.provider:
            raise _bad("request_invalid", "The provider is fixed by the path")
        changes: dict[str, Any] = {}
        credentials = None
        if "credentials" in body:
            credentials = _credentials(vendor, body["credentials"])
        if "priority" in body:
            changes["priority"] = _priority(body["priority"])
        if "zone" in body:
            changes["zone"] = _zone(body["zone"])
        if "data_types" in body:
            changes["data_types"] = _data_types(vendor, body["data_types"])
        for flag in ("verify", "enabled"):
            if flag in body:
                changes[flag] = _flag(flag, body[flag])
        if await self._get(caller, vendor.provider) is None:
            raise self._not_found()
        if credentials is not None:
            await self._checked(vendor, credentials)
            changes["sealed_credentials"] = self.sealer.seal(json.dumps(credentials))
            changes["credential_fields"] = sorted(credentials)
        async with self.db.transaction() as session:
            row = (
                await session.execute(
                    select(ProviderKey).where(
                        self._where(caller), ProviderKey.provider == vendor.provider
                    )
                )
            ).scalar_one_or_none()
            if row is None:
                raise self._not_found()
            for name, value in changes.items():
                setattr(row, name, value)
            row.updated_at = utcnow()
            await session.flush()
            answer = view(row)
        self.on_change()
        return answer

    async def delete(self, caller: Caller, provider: str) -> None:
        self._writable(caller)
        vendor = vendor_of(provider)
        async with self.db.transaction() as session:
            gone = await session.execute(
                delete(ProviderKey).where(
                    self._where(caller), ProviderKey.provider == vendor.provider
                )
            )
        if not rows_affected(gone):
            raise self._not_found()
        self.on_change()

    async def status(self, caller: Caller, provider: str) -> dict[str, str]:
        """Send the saved credentials to the vendor's free check call; nothing changes."""
        vendor = vendor_of(provider)
        row = await self._get(caller, vendor.provider)
        if row is None:
            raise self._not_found()
        credentials = self.open(row)
        if credentials is None:
            return {"status": "rejected"}
        return {"status": await self._check(vendor, credentials)}
