"""SQL of idempotency keys. A key is claimed by inserting its unique row in a transaction
of its own, before the work; the response is stored once the work is done."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import delete, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from openenrich import errors
from openenrich.accounts.repository import Caller
from openenrich.accounts.team_models import IdempotencyRecord
from openenrich.db import Database, rows_affected, utcnow


@dataclass(frozen=True, slots=True)
class Claimed:
    """This request owns the key: it does the work, then `complete`s or `release`s."""

    record_id: int


@dataclass(frozen=True, slots=True)
class Completed:
    """The first request with this key answered this: replay it."""

    status_code: int
    body: bytes


class Busy:
    """Another request with this key is still working."""


Claim = Claimed | Completed | Busy


class IdempotencyStore:
    def __init__(
        self,
        db: Database,
        ttl: timedelta = timedelta(hours=24),
        stale: timedelta = timedelta(seconds=120),
    ) -> None:
        self.db = db
        self.ttl = ttl
        # A claim left unfinished this long belongs to a process that died: taken over.
        self.stale = stale

    async def claim(self, caller: Caller, key: str, fingerprint: str) -> Claim:
        """Claim `key`, or say what became of the request that claimed it first. Raises
        `IdempotencyKeyReused` when that request had another body."""
        now = utcnow()
        try:
            async with self.db.transaction() as session:
                row = (
                    await session.execute(
                        select(IdempotencyRecord).where(
                            IdempotencyRecord.workspace_id == caller.workspace_id,
                            IdempotencyRecord.scope == caller.scope,
                            IdempotencyRecord.key == key,
                        )
                    )
                ).scalar_one_or_none()
                if row is None:
                    fresh = IdempotencyRecord(
                        workspace_id=caller.workspace_id,
                        scope=caller.scope,
                        key=key,
                        fingerprint=fingerprint,
                        created_at=now,
                        claimed_at=now,
                    )
                    session.add(fresh)
                    await session.flush()
                    return Claimed(fresh.id)
                expired = row.created_at < now - self.ttl
                if not expired and row.fingerprint != fingerprint:
                    raise errors.IdempotencyKeyReused()
                if not expired and row.status_code is not None:
                    return Completed(row.status_code, row.response_body or b"")
                if expired or row.claimed_at < now - self.stale:
                    return await self._take_over(session, row, fingerprint, now)
                return Busy()
        except IntegrityError:  # claimed by a concurrent request meanwhile
            return Busy()

    @staticmethod
    async def _take_over(
        session: AsyncSession, row: IdempotencyRecord, fingerprint: str, now: datetime
    ) -> Claimed | Busy:
        taken = await session.execute(
            update(IdempotencyRecord)
            .where(IdempotencyRecord.id == row.id, IdempotencyRecord.claimed_at == row.claimed_at)
            .values(
                fingerprint=fingerprint,
                created_at=now,
                claimed_at=now,
                status_code=None,
                response_body=None,
            )
        )
        return Claimed(row.id) if rows_affected(taken) else Busy()

    async def complete(self, claim: Claimed, status_code: int, body: bytes) -> None:
        async with self.db.transaction() as session:
            await session.execute(
                update(IdempotencyRecord)
                .where(IdempotencyRecord.id == claim.record_id)
                .values(status_code=status_code, response_body=body)
            )

    async def release(self, claim: Claimed) -> None:
        """The work failed unexpectedly: a retry with the key may run it again."""
        async with self.db.transaction() as session:
            await session.execute(
                delete(IdempotencyRecord).where(
                    IdempotencyRecord.id == claim.record_id,
                    IdempotencyRecord.status_code.is_(None),
                )
            )

    async def purge(self) -> None:
        async with self.db.transaction() as session:
            await session.execute(
                delete(IdempotencyRecord).where(IdempotencyRecord.created_at < utcnow() - self.ttl)
            )
