"""Prometheus metrics of the sources, and the `/metrics` body."""

from __future__ import annotations

from prometheus_client import (
    CONTENT_TYPE_LATEST,
    REGISTRY,
    CollectorRegistry,
    Counter,
    Gauge,
    Histogram,
    generate_latest,
)

CALLS = Counter(
    "openenrich_provider_calls",
    "Requests sent to a source, by outcome (found, miss, pending or an error kind).",
    ["provider", "operation", "outcome"],
)
CACHE = Counter(
    "openenrich_provider_cache_lookups",
    "Answers served from the result cache (hit) or asked of the source (miss).",
    ["provider", "result"],
)
LATENCY = Histogram(
    "openenrich_provider_latency_seconds",
    "Time a source took to answer one request.",
    ["provider"],
    buckets=(0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 20, 60),
)
ERRORS = Counter(
    "openenrich_provider_errors",
    "Failed requests to a source, by error kind.",
    ["provider", "kind"],
)
SPEND = Counter(
    "openenrich_provider_spend",
    "What the sources cost, in the unit of the configured prices.",
    ["provider"],
)
SKIPPED = Counter(
    "openenrich_provider_skipped",
    "Steps skipped without a request (breaker open, cost cap reached).",
    ["provider", "reason"],
)
BREAKER_OPEN = Gauge(
    "openenrich_provider_breaker_open",
    "1 while a source's breaker is open or half-open for a key.",
    ["provider", "key_id"],
)


def metrics_response(registry: CollectorRegistry = REGISTRY) -> tuple[bytes, str]:
    """Body and content type for `GET /metrics`."""
    return generate_latest(registry), CONTENT_TYPE_LATEST
