"""The registry of every place that keeps contact data.

A package that stores contact data declares, in its own `privacy.py`, a `STORES` list of
`Store` (what it keeps, how to find and erase a person in it, how long it keeps rows and
how to purge them) and an `EXEMPT` mapping of its other tables to why they hold no contact
data, then names that module in `STORE_MODULES` below. Erasure and the retention purge
run over `stores()`; `unregistered(tables)` names any table of the database that is in
neither list, and a test fails on it, so a table added later cannot be missed:

    # src/openenrich/people/privacy.py
    STORES = [Store(name="people", tables=("people", "employments"), keeps="...",
                    retention=lambda s: "until erased", erase=erase_people)]
    EXEMPT = {"companies": "company facts only, no person"}
"""

from __future__ import annotations

import importlib
from collections.abc import Awaitable, Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from functools import cache

from sqlalchemy.ext.asyncio import AsyncSession

from openenrich.privacy.settings import PrivacySettings
from openenrich.privacy.subjects import Person

# Modules exposing `STORES: list[Store]` and `EXEMPT: Mapping[str, str]`.
STORE_MODULES: tuple[str, ...] = (
    "openenrich.enrichment.privacy",
    "openenrich.waterfall.privacy",
    "openenrich.webhooks.privacy",
    "openenrich.accounts.privacy",
    "openenrich.verification.privacy",
    "openenrich.dashboard.privacy",
    "openenrich.people.privacy",
    "openenrich.privacy.own",
)

# The migration tool's own bookkeeping.
ALWAYS_EXEMPT = {"alembic_version": "schema version only"}


@dataclass(frozen=True, slots=True)
class Found:
    """What one store held of a person, and how much of it was removed or redacted."""

    found: int
    removed: int


# Learn more identifiers of the person from the rows that match (before erasing).
Identify = Callable[[AsyncSession, Person], Awaitable[bool]]
Erase = Callable[[AsyncSession, Person], Awaitable[Found]]
# Delete up to `limit` rows past retention as of `now`; returns how many went.
Purge = Callable[[AsyncSession, datetime, int, PrivacySettings], Awaitable[int]]


@dataclass(frozen=True, slots=True)
class Store:
    name: str
    tables: tuple[str, ...]
    keeps: str
    retention: Callable[[PrivacySettings], str]
    erase: Erase
    identify: Identify | None = None
    purge: Purge | None = None


@cache
def _loaded() -> tuple[tuple[Store, ...], Mapping[str, str]]:
    stores: list[Store] = []
    exempt: dict[str, str] = dict(ALWAYS_EXEMPT)
    for name in STORE_MODULES:
        module = importlib.import_module(name)
        stores.extend(getattr(module, "STORES", ()))
        exempt.update(getattr(module, "EXEMPT", {}))
    return tuple(stores), exempt


def stores() -> tuple[Store, ...]:
    """Every registered store, in registration order (erasure and purge run in it)."""
    return _loaded()[0]


def exempt() -> Mapping[str, str]:
    """Tables declared to hold no contact data, with the reason."""
    return _loaded()[1]


def unregistered(tables: Iterable[str]) -> list[str]:
    """Tables neither covered by a store nor declared exempt."""
    covered = {t for store in stores() for t in store.tables} | set(exempt())
    return sorted(t for t in tables if t not in covered)
