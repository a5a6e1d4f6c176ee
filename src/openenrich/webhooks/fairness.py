"""Fair shares of the sender: attempts in flight are capped per workspace and per receiver,
and a receiver that fails or never answers is paused, so it cannot hold the slots other
workspaces' webhooks need.

The caps hold per process (each `openenrich worker` has its own); the pause is a process's
view of a receiver too. Both only decide what to claim next: an event's own retry schedule
is its row's."""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Callable, Iterable

from openenrich.retrying import exponential_backoff
from openenrich.webhooks.repository import Candidate


class Gate:
    def __init__(
        self,
        *,
        per_workspace: int,
        per_receiver: int,
        pause_base: float,
        pause_max: float,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.per_workspace = max(1, per_workspace)
        self.per_receiver = max(1, per_receiver)
        self.pause_base = pause_base
        self.pause_max = pause_max
        self.clock = clock
        self.workspaces: Counter[str] = Counter()
        self.receivers: Counter[str] = Counter()
        self._failures: Counter[str] = Counter()
        self._paused_until: dict[str, float] = {}

    def paused(self) -> list[str]:
        """Receivers backed off now (expired pauses are forgotten)."""
        now = self.clock()
        for receiver in [r for r, until in self._paused_until.items() if until <= now]:
            del self._paused_until[receiver]
        return list(self._paused_until)

    def skip_receivers(self) -> list[str]:
        """Receivers not to claim for: paused, or at their cap of attempts in flight."""
        full = [r for r, n in self.receivers.items() if n >= self.per_receiver]
        return list(dict.fromkeys(self.paused() + full))

    def skip_workspaces(self) -> list[str]:
        """Workspaces at their cap of attempts in flight."""
        return [w for w, n in self.workspaces.items() if n >= self.per_workspace]

    def choose(self, candidates: Iterable[Candidate], limit: int) -> list[Candidate]:
        """Candidates that fit under the caps, counting what is already in flight."""
        workspaces = Counter(self.workspaces)
        receivers = Counter(self.receivers)
        chosen: list[Candidate] = []
        for candidate in candidates:
            if len(chosen) >= limit:
                break
            if (
                workspaces[candidate.workspace_id] >= self.per_workspace
                or receivers[candidate.receiver] >= self.per_receiver
            ):
                continue
            workspaces[candidate.workspace_id] += 1
            receivers[candidate.receiver] += 1
            chosen.append(candidate)
        return chosen

    def enter(self, workspace_id: str, receiver: str) -> None:
        self.workspaces[workspace_id] += 1
        self.receivers[receiver] += 1

    def leave(self, workspace_id: str, receiver: str, receiver_failed: bool) -> None:
        """An attempt ended; a receiver that failed it (no answer, 5xx, 429) is paused for
        longer each time in a row, one that answered is trusted again."""
        self.workspaces[workspace_id] -= 1
        if self.workspaces[workspace_id] <= 0:
            del self.workspaces[workspace_id]
        self.receivers[receiver] -= 1
        if self.receivers[receiver] <= 0:
            del self.receivers[receiver]
        if not receiver_failed:
            self._failures.pop(receiver, None)
            self._paused_until.pop(receiver, None)
            return
        self._failures[receiver] += 1
        delay = exponential_backoff(
            self._failures[receiver] - 1, base=self.pause_base, cap=self.pause_max, jitter=0.0
        )
        self._paused_until[receiver] = self.clock() + delay
