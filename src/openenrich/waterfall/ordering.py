"""The `adaptive` order: cheapest measured cost per found result first."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from openenrich.domain import Field
from openenrich.providers.base import Priced, Provider


def expected_cost(provider: Provider) -> float:
    """The most one call to `provider` can cost; 0 for a source without a price."""
    return provider.expected_cost if isinstance(provider, Priced) else 0.0


@dataclass(slots=True)
class _Tally:
    cost: float = 0.0
    calls: int = 0
    found: int = 0


class AdaptiveRanker:
    """Ranks sources per field by (spent + prior) / (found + prior), so a source with no
    history starts at its configured price over an assumed hit rate and moves towards its
    measured figure. Free sources rank first; ties keep the configured order."""

    def __init__(self, prior_hit_rate: float = 0.3, prior_weight: float = 5.0) -> None:
        self.prior_hit_rate = prior_hit_rate
        self.prior_weight = prior_weight
        self._tallies: dict[tuple[str, Field], _Tally] = {}

    def observe(self, provider: str, wanted: Field, cost: float, found: bool) -> None:
        tally = self._tallies.setdefault((provider, wanted), _Tally())
        tally.cost += cost
        tally.calls += 1
        tally.found += int(found)

    def score(self, provider: Provider, wanted: Field) -> float:
        tally = self._tallies.get((provider.name, wanted), _Tally())
        expected = expected_cost(provider)
        spent = tally.cost + self.prior_weight * expected
        found = tally.found + self.prior_weight * self.prior_hit_rate
        return spent / found

    def order(self, wanted: Field, providers: Sequence[Provider]) -> list[Provider]:
        ranked = sorted(
            enumerate(providers), key=lambda item: (self.score(item[1], wanted), item[0])
        )
        return [provider for _, provider in ranked]
