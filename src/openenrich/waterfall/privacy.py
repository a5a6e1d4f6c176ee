"""What the waterfall keeps of people, registered with `openenrich.privacy`: providers'
answers in the result cache (found emails, phones, profiles), and the provider-call log,
which holds no personal data, only a digest of each input."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import Text, cast, delete, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from openenrich.db import rows_affected
from openenrich.privacy.registry import Found, Store
from openenrich.privacy.settings import PrivacySettings
from openenrich.privacy.subjects import Person
from openenrich.waterfall.models import ProviderCacheEntry, ProviderCall


async def erase_cache(session: AsyncSession, person: Person) -> Found:
    """Every cached answer that holds one of the person's addresses or profile URLs."""
    needles = person.needles()
    if not needles:
        return Found(0, 0)
    matches = or_(*(cast(ProviderCacheEntry.payload, Text).ilike(f"%{n}%") for n in needles))
    gone = rows_affected(await session.execute(delete(ProviderCacheEntry).where(matches)))
    return Found(gone, gone)


async def purge_cache(
    session: AsyncSession, now: datetime, limit: int, settings: PrivacySettings
) -> int:
    expired = (
        select(ProviderCacheEntry.key)
        .where(ProviderCacheEntry.expires_at <= now)
        .limit(limit)
        .scalar_subquery()
    )
    result = await session.execute(
        delete(ProviderCacheEntry).where(ProviderCacheEntry.key.in_(expired))
    )
    return rows_affected(result)


async def erase_calls(session: AsyncSession, person: Person) -> Found:
    """Unlink the person's calls: their input digest is cleared, the call stays counted."""
    if not person.input_hashes:
        return Found(0, 0)
    result = await session.execute(
        update(ProviderCall)
        .where(ProviderCall.input_hash.in_(sorted(person.input_hashes)))
        .values(input_hash="")
    )
    touched = rows_affected(result)
    return Found(touched, touched)


async def purge_calls(
    session: AsyncSession, now: datetime, limit: int, settings: PrivacySettings
) -> int:
    cutoff = now - timedelta(days=settings.call_log_days)
    old = (
        select(ProviderCall.id).where(ProviderCall.created_at < cutoff).limit(limit)
    ).scalar_subquery()
    return rows_affected(
        await session.execute(delete(ProviderCall).where(ProviderCall.id.in_(old)))
    )


STORES = [
    Store(
        name="provider_cache",
        tables=("provider_cache",),
        keeps=(
            "each source's answer for a normalised input (emails, phones, profiles), keyed"
            " by a digest of the input, so a source is not paid twice for the same person"
        ),
        retention=lambda s: "its TTL from the waterfall file ([cache] hit/miss/verify days)",
        erase=erase_cache,
        purge=purge_cache,
    ),
    Store(
        name="provider_calls",
        tables=("provider_calls",),
        keeps="one row per provider request: source, outcome, cost, latency, input digest",
        retention=lambda s: f"{s.call_log_days:g} days",
        erase=erase_calls,
        purge=purge_calls,
    ),
]
