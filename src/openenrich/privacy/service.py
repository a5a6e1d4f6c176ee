"""The privacy use cases: erase a person, change the opt-out list, purge what is past
retention. Callers pass who acts; every change is audited in its own transaction."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from openenrich.db import Database, utcnow
from openenrich.errors import OptOutNotFound
from openenrich.privacy import audit, optout, registry
from openenrich.privacy.audit import Action, Actor
from openenrich.privacy.models import SERVER_WIDE
from openenrich.privacy.optout import OptOutList
from openenrich.privacy.settings import PrivacySettings
from openenrich.privacy.subjects import Person, Subject

# Rounds of identification: a name teaches an email, which teaches a lookup, ...
_MAX_ROUNDS = 4


@dataclass(slots=True)
class Receipt:
    """What an erasure found where, and what it removed or redacted."""

    subject: Subject
    digest: str
    scope: str  # "server" or a workspace id
    stores: list[dict[str, Any]] = field(default_factory=list)
    opted_out: bool = False

    @property
    def found(self) -> int:
        return sum(int(s["found"]) for s in self.stores)

    @property
    def removed(self) -> int:
        return sum(int(s["removed"]) for s in self.stores)

    def as_dict(self) -> dict[str, Any]:
        return {
            "subject": {"kind": self.subject.kind.value, "digest": self.digest},
            "scope": self.scope,
            "stores": self.stores,
            "found": self.found,
            "removed": self.removed,
            "opted_out": self.opted_out,
        }


# Run before an erasure (flush buffered writes) and after it (forget what is held in memory).
Hook = Callable[[Person], Awaitable[None] | None]


class Privacy:
    def __init__(
        self,
        db: Database,
        secret: bytes,
        settings: PrivacySettings,
        optouts: OptOutList | None = None,
        *,
        clock: Callable[[], datetime] = utcnow,
        before_erase: Sequence[Hook] = (),
        after_erase: Sequence[Hook] = (),
    ) -> None:
        self.db = db
        self.secret = secret
        self.settings = settings
        self.optouts = optouts or OptOutList(db, secret)
        self.clock = clock
        self.before_erase = list(before_erase)
        self.after_erase = list(after_erase)

    # Erasure

    async def erase(
        self,
        actor: Actor,
        subject: Subject,
        *,
        workspace_id: str | None = None,
        add_to_optout: bool = True,
    ) -> Receipt:
        """Remove or redact the person everywhere (in one workspace's data when
        `workspace_id` is given; shared caches always), then list them unless told not to.
        Running it again finds nothing more."""
        person = Person.of(subject)
        person.workspace_id = workspace_id
        await self._hooks(self.before_erase, person)
        scope = workspace_id or SERVER_WIDE
        receipt = Receipt(
            subject, subject.digest(self.secret), workspace_id or "server", opted_out=False
        )
        async with self.db.transaction() as session:
            for _ in range(_MAX_ROUNDS):
                learnt = False
                for store in registry.stores():
                    if store.identify is not None:
                        learnt = await store.identify(session, person) or learnt
                if not learnt:
                    break
            for store in registry.stores():
                done = await store.erase(session, person)
                receipt.stores.append(
                    {
                        "store": store.name,
                        "tables": list(store.tables),
                        "found": done.found,
                        "removed": done.removed,
                    }
                )
            if add_to_optout:
                # Every identifier learnt, so no spelling of them is enriched again.
                for known in person.subjects():
                    await optout.add(session, self.secret, scope, known)
                receipt.opted_out = True
            await audit.record(
                session,
                actor,
                Action.ERASE,
                receipt.digest,
                {
                    "kind": subject.kind.value,
                    "found": receipt.found,
                    "removed": receipt.removed,
                    "opted_out": receipt.opted_out,
                },
                workspace_id=workspace_id,
            )
        self.optouts.forget()
        await self._hooks(self.after_erase, person)
        return receipt

    @staticmethod
    async def _hooks(hooks: Sequence[Hook], person: Person) -> None:
        for hook in hooks:
            pending = hook(person)
            if pending is not None:
                await pending

    # Opt-out list

    async def opt_out(self, actor: Actor, subject: Subject, workspace_id: str | None) -> bool:
        scope = workspace_id or SERVER_WIDE
        async with self.db.transaction() as session:
            added = await optout.add(session, self.secret, scope, subject)
            await audit.record(
                session,
                actor,
                Action.OPTOUT_ADD,
                self._named(subject),
                {"kind": subject.kind.value, "new": added},
                workspace_id=workspace_id,
            )
        self.optouts.forget()
        return added

    async def opt_out_many(
        self, actor: Actor, subjects: Sequence[Subject], workspace_id: str | None
    ) -> int:
        """An import: every entry in one transaction, one audit event for the file."""
        scope = workspace_id or SERVER_WIDE
        added = 0
        async with self.db.transaction() as session:
            for subject in subjects:
                added += await optout.add(session, self.secret, scope, subject)
            await audit.record(
                session,
                actor,
                Action.OPTOUT_ADD,
                f"import of {len(subjects)} entries",
                {"entries": len(subjects), "new": added},
                workspace_id=workspace_id,
            )
        self.optouts.forget()
        return added

    async def opt_back_in(self, actor: Actor, subject: Subject, workspace_id: str | None) -> None:
        scope = workspace_id or SERVER_WIDE
        async with self.db.transaction() as session:
            if not await optout.remove(session, self.secret, scope, subject):
                raise OptOutNotFound()
            await audit.record(
                session,
                actor,
                Action.OPTOUT_REMOVE,
                self._named(subject),
                {"kind": subject.kind.value},
                workspace_id=workspace_id,
            )
        self.optouts.forget()

    def _named(self, subject: Subject) -> str:
        """The audit subject: a digest for a person, the domain itself for a company."""
        return subject.digest(self.secret) if subject.is_person else subject.value

    # Retention

    async def purge_once(self, now: datetime | None = None) -> dict[str, int]:
        """One bounded batch per store, each in its own short transaction."""
        now = now or self.clock()
        removed: dict[str, int] = {}
        for store in registry.stores():
            if store.purge is None:
                continue
            async with self.db.transaction() as session:
                removed[store.name] = await store.purge(
                    session, now, self.settings.purge_batch_size, self.settings
                )
        return removed

    async def purge(self, now: datetime | None = None, max_batches: int = 100) -> dict[str, int]:
        """Batches until nothing is past retention (or `max_batches`, to come back later)."""
        now = now or self.clock()
        total: dict[str, int] = {}
        for _ in range(max_batches):
            removed = await self.purge_once(now)
            for name, count in removed.items():
                total[name] = total.get(name, 0) + count
            if not any(removed.values()):
                break
            await asyncio.sleep(0)  # let other work in between batches
        return total

    def retention(self) -> list[dict[str, Any]]:
        """What each place keeps and for how long (`openenrich retention show`)."""
        return [
            {
                "store": store.name,
                "tables": list(store.tables),
                "keeps": store.keeps,
                "kept_for": store.retention(self.settings),
            }
            for store in registry.stores()
        ]
