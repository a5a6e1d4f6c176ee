"""Configuration, the adapter registry, the rate limiter (in-process and through Redis),
the CLI and the metrics body."""

from __future__ import annotations

import os
import socket
import time
import uuid
from pathlib import Path

import httpx
import pytest
from tests.waterfall.fakes import LocalFinder
from typer.testing import CliRunner

from openenrich.db import Database
from openenrich.domain import ContactQuery, Field
from openenrich.providers import registry
from openenrich.waterfall import build_waterfall, load_config, metrics_response
from openenrich.waterfall.calllog import CallLog, CallRecord
from openenrich.waterfall.check import check_key
from openenrich.waterfall.cli import register
from openenrich.waterfall.config import WaterfallConfig
from openenrich.waterfall.factory import describe_sources
from openenrich.waterfall.policies import RateLimiter, limiter_storage
from openenrich.waterfall.store import BatchWriter

EXAMPLE = Path(__file__).parents[2] / "openenrich.example.toml"
REDIS_URL = os.environ.get("OPENENRICH_TEST_REDIS_URL", "redis://127.0.0.1:6379/0")


def test_the_example_file_is_valid_and_every_vendor_in_it_is_registered() -> None:
    config = load_config(EXAMPLE)
    assert config.order["work_email"][0] == "builtin"
    for name, provider in config.providers.items():
        if name != "builtin":
            assert (provider.adapter or name) in registry.ADAPTERS
    statuses = {s.name: s for s in describe_sources(config, environ={"HUNTER_API_KEY": "k"})}
    assert statuses["hunter"].usable and statuses["hunter"].keys == 1
    assert statuses["builtin"].usable
    assert "PDL_API_KEY" in (statuses["pdl"].problem or "")
    assert statuses["millionverifier"].problem == "disabled"


def test_defaults_without_a_file(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("OPENENRICH_CONFIG", raising=False)
    config = load_config()
    assert config.order == {"work_email": ["builtin"]} and config.verifiers == ["builtin"]


def test_configuration_errors_are_reported(tmp_path: Path) -> None:
    bad = tmp_path / "bad.toml"
    bad.write_text('[order]\nwork_email = ["nobody"]\n')
    with pytest.raises(ValueError, match="nobody"):
        load_config(bad)
    bad.write_text('[order]\nfax = ["builtin"]\n')
    with pytest.raises(ValueError, match="fax"):
        load_config(bad)


def test_registry_imports_lazily_and_a_missing_module_disables_only_that_vendor(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setitem(registry.ADAPTERS, "ghost", ("openenrich.providers.ghost", "Ghost"))
    available = registry.availability()
    assert "openenrich.providers.ghost" in (available["ghost"] or "")
    # Every vendor whose module exists resolves to a class whose `name` is its own.
    for name, problem in available.items():
        if problem is None:
            assert registry.create_adapter(name).name == name
    adapter = registry.create_adapter("hunter", base_url="http://127.0.0.1:9/")
    assert adapter.base_url.startswith("http://127.0.0.1:9")


@pytest.mark.anyio
async def test_unusable_sources_are_left_out_and_the_rest_runs() -> None:
    config = WaterfallConfig.model_validate(
        {
            "order": {"work_email": ["hunter", "local"]},
            "verifiers": [],
            "providers": {"hunter": {"api_key_env": "UNSET_KEY_X"}, "local": {}},
        }
    )
    local = LocalFinder("local", {})
    async with httpx.AsyncClient() as http:
        waterfall = build_waterfall(config, http, extra_providers={"local": local}, environ={})
        assert [p.name for p in waterfall.order[Field.WORK_EMAIL]] == ["local"]
        outcome = await waterfall.run(ContactQuery(first_name="A"), frozenset({Field.WORK_EMAIL}))
    assert outcome.findings == [] and sum(local.calls.values()) == 1


@pytest.mark.anyio
async def test_in_process_rate_limit_refuses_past_the_rate() -> None:
    limiter = RateLimiter("3/second", "vendor:key", limiter_storage(None))
    assert [await limiter.try_acquire() for _ in range(3)] == [0.0, 0.0, 0.0]
    wait = await limiter.try_acquire()
    assert 0 < wait <= 1.0
    started = time.monotonic()
    await limiter.acquire()
    assert time.monotonic() - started >= wait * 0.5


def _redis_reachable() -> bool:
    host_port = REDIS_URL.split("//", 1)[1].split("/", 1)[0]
    host, _, port = host_port.rpartition(":")
    try:
        with socket.create_connection((host or "127.0.0.1", int(port or 6379)), timeout=0.5):
            return True
    except OSError:
        return False


@pytest.mark.anyio
@pytest.mark.redis
async def test_rate_limit_is_shared_across_processes_through_redis() -> None:
    if not _redis_reachable():
        if os.environ.get("CI") == "true":
            pytest.fail(f"Redis at {REDIS_URL} is required in CI")
        pytest.skip(f"no Redis at {REDIS_URL}")
    identity = f"vendor:{uuid.uuid4().hex}"
    # Two storages: as two processes would each have their own connection.
    one = RateLimiter("4/minute", identity, limiter_storage(REDIS_URL))
    two = RateLimiter("4/minute", identity, limiter_storage(REDIS_URL))
    assert [await one.try_acquire() for _ in range(2)] == [0.0, 0.0]
    assert [await two.try_acquire() for _ in range(2)] == [0.0, 0.0]
    assert await one.try_acquire() > 0
    assert await two.try_acquire() > 0
    # Another key of the same vendor has its own budget.
    other = RateLimiter("4/minute", f"{identity}:other", limiter_storage(REDIS_URL))
    assert await other.try_acquire() == 0.0


@pytest.mark.anyio
async def test_check_classifies_the_answer() -> None:
    class Checkable:
        def build_check(self, api_key: str) -> httpx.Request:
            return httpx.Request("GET", "https://vendor.test/account", params={"key": api_key})

    def handler(request: httpx.Request) -> httpx.Response:
        status = {"good": 200, "bad": 401, "broke": 402}[request.url.params["key"]]
        return httpx.Response(status, json={})

    async with httpx.AsyncClient(transport=httpx.MockTransport(handler)) as http:
        results = [await check_key(Checkable(), key, http) for key in ("good", "bad", "broke")]
        unchecked = await check_key(object(), "good", http)
    assert [r.ok for r in results] == [True, False, False]
    assert "401" in results[1].detail and "credits" in results[2].detail
    assert unchecked.ok is None


def test_cli_list_and_stats(tmp_path: Path, db_url_with_calls: str) -> None:
    import typer

    app = typer.Typer()
    register(app)
    runner = CliRunner()
    listed = runner.invoke(
        app,
        ["providers", "list", "--config", str(EXAMPLE)],
        env={"HUNTER_API_KEY": "x", "PDL_API_KEY": ""},
    )
    assert listed.exit_code == 0, listed.output
    lines = {line.split()[0]: line for line in listed.output.splitlines() if line.strip()}
    assert lines["hunter"].rstrip().endswith("ok")
    assert "PDL_API_KEY" in lines["pdl"]
    stats = runner.invoke(app, ["providers", "stats", "--database-url", db_url_with_calls])
    assert stats.exit_code == 0, stats.output
    row = next(line for line in stats.output.splitlines() if line.startswith("hunter"))
    assert row.split()[1:6] == ["3", "1", "1", "1", "50.0%"]


@pytest.fixture
def db_url_with_calls(tmp_path: Path) -> str:
    import asyncio

    from openenrich.db import Base
    from openenrich.waterfall.models import ProviderCacheEntry, ProviderCall

    url = f"sqlite+aiosqlite:///{tmp_path / 'calls.db'}"

    async def fill() -> None:
        db = Database(url)
        tables = [Base.metadata.tables[m.__tablename__] for m in (ProviderCall, ProviderCacheEntry)]
        async with db.engine.begin() as conn:
            await conn.run_sync(lambda sync: Base.metadata.create_all(sync, tables=tables))
        writer = BatchWriter(db)
        log = CallLog(writer)
        for outcome, cost in (("found", 0.05), ("miss", 0.0), ("timeout", 0.0)):
            log.record(CallRecord("hunter", "k", "find", "h", outcome, 0.1, cost))
        await writer.aclose()
        await db.dispose()

    asyncio.run(fill())
    return url


def test_metrics_body_names_the_provider_series() -> None:
    CallLog().record(CallRecord("metricvendor", "k", "find", "h", "found", 0.12, 0.5))
    body, content_type = metrics_response()
    text = body.decode()
    assert content_type.startswith("text/plain")
    assert (
        'openenrich_provider_calls_total{operation="find",outcome="found",provider="metricvendor"}'
        in text
    )
    assert 'openenrich_provider_spend_total{provider="metricvendor"} 0.5' in text
    assert "openenrich_provider_latency_seconds_bucket" in text


@pytest.mark.anyio
@pytest.mark.redis
async def test_two_engines_share_a_vendor_budget_through_redis() -> None:
    if not _redis_reachable():
        if os.environ.get("CI") == "true":
            pytest.fail(f"Redis at {REDIS_URL} is required in CI")
        pytest.skip(f"no Redis at {REDIS_URL}")
    vendor = f"vendor{uuid.uuid4().hex[:8]}"
    config = WaterfallConfig.model_validate(
        {
            "order": {"work_email": [vendor]},
            "verifiers": [],
            "providers": {vendor: {"api_key_env": "K", "rate_limit": "2/minute"}},
        }
    )
    answers = LocalFinder(vendor, {})
    async with httpx.AsyncClient() as http:
        engines = [
            build_waterfall(
                config,
                http,
                redis_url=REDIS_URL,
                extra_providers={vendor: answers},
                environ={"K": "secret"},
            )
            for _ in range(2)
        ]
        for n, engine in enumerate(engines):
            await engine.run(ContactQuery(first_name=f"p{n}"), frozenset({Field.WORK_EMAIL}))
        limiter = engines[0].guards[vendor].slots[0].limiter
        assert limiter is not None
        # Each engine spent one token of the same bucket: none is left for either.
        assert await limiter.try_acquire() > 0
        other = engines[1].guards[vendor].slots[0].limiter
        assert other is not None and await other.try_acquire() > 0
    assert sum(answers.calls.values()) == 2


@pytest.mark.anyio
async def test_providers_check_exchanges_tokens_and_reports_missing_keys(
    capsys: pytest.CaptureFixture[str],
) -> None:
    from openenrich.waterfall.cli import check_all

    config = WaterfallConfig.model_validate(
        {
            "order": {"work_email": ["builtin", "snov", "hunter"]},
            "verifiers": [],
            "providers": {
                "builtin": {},
                "snov": {"api_key_env": ["SNOV_GOOD", "SNOV_BAD"]},
                "hunter": {"api_key_env": "HUNTER_UNSET"},
            },
        }
    )

    def handler(request: httpx.Request) -> httpx.Response:
        assert request.url.path.endswith("/oauth/access_token")
        if b"client_id=id" in request.content:
            return httpx.Response(200, json={"access_token": "t", "expires_in": 3600})
        return httpx.Response(401, json={"error": "invalid_client"})

    environ = {"SNOV_GOOD": "id:secret", "SNOV_BAD": "nope:wrong"}
    async with httpx.AsyncClient(transport=httpx.MockTransport(handler)) as http:
        failures = await check_all(config, http, environ)
    lines = capsys.readouterr().out.splitlines()
    assert failures == 2
    assert lines[0] == "builtin: built in, no key needed"
    assert lines[1].startswith("snov [SNOV_GOOD]: ok")
    assert lines[2].startswith("snov [SNOV_BAD]: FAILED")
    assert lines[3].startswith("hunter [HUNTER_UNSET]: FAILED: not set")
