"""The opt-out list: entries per workspace and server-wide, stored as keyed digests, and
the checks the workers make before and after asking any source."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable, Mapping
from typing import Any

from sqlalchemy import delete, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from openenrich.db import Database, rows_affected
from openenrich.domain import EmailFinding, Finding, ProfileFinding
from openenrich.privacy.models import SERVER_WIDE, OptOutEntry
from openenrich.privacy.subjects import Kind, Subject, subjects_of_input
from openenrich.waterfall.normalise import normalise_domain, normalise_linkedin


async def add(session: AsyncSession, secret: bytes, scope: str, subject: Subject) -> bool:
    """Whether the entry is new (adding one twice is harmless)."""
    digest = subject.digest(secret)
    exists = await session.scalar(
        select(OptOutEntry.id).where(
            OptOutEntry.scope == scope,
            OptOutEntry.kind == subject.kind.value,
            OptOutEntry.digest == digest,
        )
    )
    if exists is not None:
        return False
    session.add(OptOutEntry(scope=scope, kind=subject.kind.value, digest=digest))
    await session.flush()
    return True


async def remove(session: AsyncSession, secret: bytes, scope: str, subject: Subject) -> int:
    result = await session.execute(
        delete(OptOutEntry).where(
            OptOutEntry.scope == scope,
            OptOutEntry.kind == subject.kind.value,
            OptOutEntry.digest == subject.digest(secret),
        )
    )
    return rows_affected(result)


async def entries(session: AsyncSession, scope: str | None) -> list[OptOutEntry]:
    """A workspace's entries, the server-wide ones (SERVER_WIDE), or all (None)."""
    query = select(OptOutEntry)
    if scope is not None:
        query = query.where(OptOutEntry.scope == scope)
    rows = await session.execute(query.order_by(OptOutEntry.created_at, OptOutEntry.id))
    return list(rows.scalars())


def as_dict(entry: OptOutEntry) -> dict[str, Any]:
    return {
        "id": entry.id,
        "kind": entry.kind,
        "scope": "server" if entry.scope == SERVER_WIDE else "workspace",
        "workspace_id": None if entry.scope == SERVER_WIDE else entry.scope,
        "created_at": entry.created_at.isoformat(),
    }


def parse_line(line: str) -> Subject | None:
    """One line of an import file: an email, a LinkedIn URL, `Full Name,domain`, or a
    domain. Blank lines and `#` comments give None."""
    text = line.strip()
    if not text or text.startswith("#"):
        return None
    if "," in text:
        name, domain = (part.strip() for part in text.split(",", 1))
        return Subject.of(name=name, domain=domain)
    if "@" in text:
        return Subject.of(email=text)
    if "linkedin.com/" in text.lower():
        return Subject.of(linkedin_url=text)
    return Subject.of(domain=text)


class OptOutList:
    """The check the workers make: is a contact listed, and is a found value listed.

    A workspace's digests (its own and the server-wide ones) are read at most once per
    `ttl` seconds per process; a change made here forgets them at once."""

    def __init__(
        self,
        db: Database,
        secret: bytes,
        *,
        ttl: float = 5.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.db = db
        self.secret = secret
        self.ttl = ttl
        self.clock = clock
        self._held: dict[str, tuple[float, frozenset[tuple[str, str]]]] = {}

    def forget(self) -> None:
        self._held.clear()

    async def _digests(self, workspace_id: str) -> frozenset[tuple[str, str]]:
        held = self._held.get(workspace_id)
        now = self.clock()
        if held is not None and held[0] > now:
            return held[1]
        async with self.db.read() as session:
            rows = await session.execute(
                select(OptOutEntry.kind, OptOutEntry.digest).where(
                    or_(OptOutEntry.scope == workspace_id, OptOutEntry.scope == SERVER_WIDE)
                )
            )
            digests = frozenset((kind, digest) for kind, digest in rows.all())
        if len(self._held) > 10_000:
            self._held.clear()
        self._held[workspace_id] = (now + self.ttl, digests)
        return digests

    def _listed(self, digests: frozenset[tuple[str, str]], subjects: Iterable[Subject]) -> bool:
        return any((s.kind.value, s.digest(self.secret)) in digests for s in subjects)

    async def blocks(self, workspace_id: str, stored_input: Mapping[str, Any]) -> bool:
        """Whether a contact is on the list: it must reach no source and cost nothing."""
        digests = await self._digests(workspace_id)
        return bool(digests) and self._listed(digests, subjects_of_input(stored_input))

    async def screen(self, workspace_id: str, findings: list[Finding]) -> list[Finding]:
        """Findings without any value on the list (an address or its domain, a profile's
        URL, or its name at its company's domain)."""
        digests = await self._digests(workspace_id)
        if not digests:
            return findings
        return [f for f in findings if not self._listed(digests, _subjects_of(f))]


def _subjects_of(finding: Finding) -> list[Subject]:
    if isinstance(finding, EmailFinding):
        email = finding.email.strip().lower()
        found = [Subject(Kind.EMAIL, email)]
        if "@" in email:
            found.append(Subject(Kind.DOMAIN, normalise_domain(email.rsplit("@", 1)[1])))
        return found
    if isinstance(finding, ProfileFinding):
        person = finding.person
        found = []
        url = str(
            (person.get("social_profiles") or {}).get("professional_network", {}).get("url") or ""
        )
        if url:
            found.append(Subject(Kind.LINKEDIN, normalise_linkedin(url)))
        company = (((person.get("employment") or {}).get("current") or {}).get("company")) or {}
        domain = str(company.get("domain") or "")
        stored = {
            "first_name": str(person.get("first_name") or ""),
            "last_name": str(person.get("last_name") or ""),
            "domain": domain,
        }
        found += [s for s in subjects_of_input(stored) if s.kind is not Kind.DOMAIN]
        return found
    return []
