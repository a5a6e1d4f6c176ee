"""`Retry-After` and backoff, shared by vendor calls and webhook delivery."""

from __future__ import annotations

import email.utils
from datetime import UTC, datetime

import httpx
import pytest

from openenrich.providers.reading import retry_after
from openenrich.retrying import exponential_backoff, retry_after_seconds

NOW = datetime(2030, 1, 1, 12, 0, tzinfo=UTC).timestamp()


@pytest.mark.parametrize(
    ("value", "seconds"),
    [
        ("120", 120.0),
        (" 1.5 ", 1.5),
        ("-3", 0.0),  # never negative
        ("Tue, 01 Jan 2030 12:00:30 GMT", 30.0),
        ("Tue, 01 Jan 2030 11:59:00 GMT", 0.0),  # already past
        ("soon", None),
        ("inf", None),
        ("", None),
        (None, None),
    ],
)
def test_retry_after_seconds(value: str | None, seconds: float | None) -> None:
    assert retry_after_seconds(value, now=NOW) == seconds


def test_adapters_read_the_header_the_same_way() -> None:
    later = email.utils.format_datetime(datetime.now(UTC), usegmt=True)
    response = httpx.Response(429, headers={"Retry-After": "7"})
    assert retry_after(response) == 7.0
    assert retry_after(httpx.Response(429, headers={"Retry-After": later})) == pytest.approx(
        0.0, abs=1.0
    )
    assert retry_after(httpx.Response(429)) is None


def test_exponential_backoff_doubles_up_to_the_cap() -> None:
    fixed = [exponential_backoff(n, base=1.0, cap=10.0, jitter=0.0) for n in range(6)]
    assert fixed == [1.0, 2.0, 4.0, 8.0, 10.0, 10.0]
    assert exponential_backoff(3, base=1.0, cap=10.0, draw=lambda: 0.0) == 0.0
    assert exponential_backoff(3, base=1.0, cap=10.0, draw=lambda: 1.0) == 8.0
    half = exponential_backoff(2, base=1.0, cap=10.0, jitter=0.5, draw=lambda: 0.0)
    assert half == 2.0
    assert exponential_backoff(10_000, base=1.0, cap=10.0, jitter=0.0) == 10.0
