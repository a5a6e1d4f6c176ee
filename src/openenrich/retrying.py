"""When to try again: a server's `Retry-After`, and exponential backoff with jitter.

Shared by the vendor adapters and the engine's retries (`waterfall`) and by webhook
delivery (`webhooks`), so both read a header and space their retries the same way.
"""

from __future__ import annotations

import math
import random
import time
from collections.abc import Callable
from datetime import UTC
from email.utils import parsedate_to_datetime

__all__ = ["exponential_backoff", "retry_after_seconds"]

_MAX_DOUBLINGS = 64  # past this, any cap has long been reached (and 2.0**n would overflow)


def retry_after_seconds(value: str | None, now: float | None = None) -> float | None:
    """Seconds to wait from a `Retry-After` value: delta-seconds or an HTTP date, never
    negative. None when absent or unreadable. `now` (epoch seconds) is for tests."""
    value = (value or "").strip()
    if not value:
        return None
    try:
        seconds = float(value)
    except ValueError:
        pass
    else:
        return max(0.0, seconds) if math.isfinite(seconds) else None
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0.0, when.timestamp() - (time.time() if now is None else now))


def exponential_backoff(
    attempt: int,
    *,
    base: float,
    cap: float,
    jitter: float = 1.0,
    draw: Callable[[], float] = random.random,
) -> float:
    """Seconds before retry number `attempt` (0 for the first): min(cap, base * 2**attempt),
    of which a `jitter` fraction is random (1.0, the default, is full jitter: spread over
    [0, delay] so that clients failing together do not retry together)."""
    delay = min(cap, base * 2.0 ** min(max(attempt, 0), _MAX_DOUBLINGS))
    jitter = max(0.0, min(1.0, jitter))
    return delay * (1.0 - jitter) + delay * jitter * draw()
