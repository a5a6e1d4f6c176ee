"""Server-side sessions: the cookie carries a random token, the database its hash, the
member, a CSRF token and the credits mode. Idle and absolute expiry are both enforced."""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import delete, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from openenrich.dashboard.models import Member, WebSession
from openenrich.db import utcnow

COOKIE = "oe_session"
LOGIN_COOKIE = "oe_login"  # double-submit token of the sign-in form, before any session
# last_seen_at is written at most this often, so reading pages costs no write each time.
TOUCH_EVERY = timedelta(seconds=60)


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def same_token(a: str | None, b: str | None) -> bool:
    return bool(a) and bool(b) and hmac.compare_digest(str(a), str(b))


@dataclass(frozen=True, slots=True)
class SignedIn:
    """The member behind a request, as the pages need it."""

    member_id: str
    email: str
    workspace_id: str
    operator: bool
    sandbox: bool
    csrf_token: str
    token_hash: str


async def create(
    session: AsyncSession, member: Member, idle: timedelta, absolute: timedelta
) -> str:
    """A new session for `member`; returns the cookie's token (never stored)."""
    token = secrets.token_urlsafe(32)
    now = utcnow()
    session.add(
        WebSession(
            token_hash=token_hash(token),
            member_id=member.id,
            workspace_id=member.workspace_id,
            csrf_token=secrets.token_urlsafe(32),
            sandbox=True,
            created_at=now,
            last_seen_at=now,
            expires_at=now + absolute,
        )
    )
    # Expired sessions of anyone are swept on sign-in: no background job needed.
    await session.execute(delete(WebSession).where(WebSession.expires_at < now - idle))
    return token


@dataclass(frozen=True, slots=True)
class Lookup:
    signed: SignedIn | None
    expired: bool = False
    stale: bool = False  # last_seen_at is worth writing again


async def resolve(session: AsyncSession, token: str, idle: timedelta) -> Lookup:
    """Read-only: the live session of `token`, or whether it expired. The caller writes
    (touch or delete) only when needed, so a page view is a read."""
    row = (
        await session.execute(
            select(WebSession, Member)
            .join(Member, Member.id == WebSession.member_id)
            .where(WebSession.token_hash == token_hash(token))
        )
    ).first()
    if row is None:
        return Lookup(None)
    web, member = row
    now = utcnow()
    if web.expires_at <= now or web.last_seen_at + idle <= now:
        return Lookup(None, expired=True)
    signed = SignedIn(
        member_id=member.id,
        email=member.email,
        workspace_id=web.workspace_id,
        operator=member.operator,
        sandbox=web.sandbox,
        csrf_token=web.csrf_token,
        token_hash=web.token_hash,
    )
    return Lookup(signed, stale=now - web.last_seen_at >= TOUCH_EVERY)


async def touch(session: AsyncSession, hashed: str) -> None:
    await session.execute(
        update(WebSession).where(WebSession.token_hash == hashed).values(last_seen_at=utcnow())
    )


async def end(session: AsyncSession, hashed: str) -> None:
    await session.execute(delete(WebSession).where(WebSession.token_hash == hashed))


async def set_mode(session: AsyncSession, hashed: str, sandbox: bool) -> None:
    web = await session.get(WebSession, hashed)
    if web is not None:
        web.sandbox = sandbox
