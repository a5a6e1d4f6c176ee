"""Members and their passwords (argon2id through argon2-cffi). Callers own the transaction."""

from __future__ import annotations

import asyncio
import secrets

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from openenrich.dashboard.models import Member
from openenrich.db import utcnow

_hasher = PasswordHasher()
# Verified against when the email is unknown, so a miss costs the same time as a hit.
_DUMMY = _hasher.hash(secrets.token_urlsafe(16))
MIN_PASSWORD = 10


class MemberError(ValueError):
    """A member cannot be added as asked (message is shown to the operator)."""


def generate_password() -> str:
    return secrets.token_urlsafe(15)


def normalise_email(email: str) -> str:
    return email.strip().casefold()


def _verify(hashed: str, password: str) -> bool:
    try:
        return _hasher.verify(hashed, password)
    except (VerificationError, InvalidHashError):
        return False


async def add_member(
    session: AsyncSession, workspace_id: str, email: str, password: str, operator: bool = False
) -> Member:
    address = normalise_email(email)
    if "@" not in address or len(address) > 320:
        raise MemberError("not an email address")
    if len(password) < MIN_PASSWORD:
        raise MemberError(f"the password needs at least {MIN_PASSWORD} characters")
    if await session.scalar(select(Member.id).where(Member.email == address)) is not None:
        raise MemberError("a member with this email already exists")
    member = Member(
        workspace_id=workspace_id,
        email=address,
        password_hash=await asyncio.to_thread(_hasher.hash, password),
        operator=operator,
    )
    session.add(member)
    await session.flush()
    return member


async def authenticate(session: AsyncSession, email: str, password: str) -> Member | None:
    """The member if the password matches; rehashes when argon2's parameters changed."""
    member = await session.scalar(select(Member).where(Member.email == normalise_email(email)))
    # argon2 is slow on purpose: off the event loop, so workers and pages keep running.
    if not await asyncio.to_thread(_verify, member.password_hash if member else _DUMMY, password):
        return None
    if member is None:
        return None
    if _hasher.check_needs_rehash(member.password_hash):
        member.password_hash = await asyncio.to_thread(_hasher.hash, password)
    member.last_sign_in_at = utcnow()
    return member


async def count_members(session: AsyncSession) -> int:
    return len((await session.execute(select(Member.id).limit(1))).all())
