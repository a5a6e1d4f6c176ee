"""Provenance on records (off by default, on per request or per workspace), the budget
and provenance commands, and `openenrich providers stats --workspace`."""

from __future__ import annotations

import asyncio
import importlib
import json
from pathlib import Path
from typing import Any

import pytest
import typer
from tests.accounts.test_provider_keys import SERVER_KEY, FakeHunter, add_key, hunter_api, person
from tests.harness import Api, make_settings, running_api
from tests.test_credits_and_jobs import FixedProvider
from typer.testing import CliRunner

from openenrich.cli import COMMAND_MODULES
from openenrich.domain import EmailStatus, Field, Verdict
from openenrich.waterfall import Waterfall

pytestmark = pytest.mark.anyio
ALL = ["contact.work_emails", "contact.personal_emails", "contact.phones"]


class Checker:
    name = "checker"

    async def verify(self, email: str) -> Verdict:
        return Verdict(email=email, status=EmailStatus.DELIVERABLE)


def use_fixed(api: Api) -> None:
    live = Waterfall({f: [FixedProvider()] for f in Field}, verifiers=[Checker()])
    api.services.processors["enrich"].waterfall_for = (  # type: ignore[attr-defined]
        lambda sandbox: live
    )


def contact(first: str) -> dict[str, Any]:
    return {"first_name": first, "last_name": "Doe", "domain": "acme.example", "enrich_fields": ALL}


def run(*args: str, url: str) -> Any:
    app = typer.Typer()
    for name in COMMAND_MODULES:
        importlib.import_module(name).register(app)
    return CliRunner().invoke(app, list(args), env={"OPENENRICH_DATABASE_URL": url})


async def cli(*args: str, url: str) -> Any:
    """The command in a thread of its own: it runs its own event loop."""
    return await asyncio.to_thread(run, *args, url=url)


async def test_provenance_off_by_default_on_per_request(database_url: str, tmp_path: Path) -> None:
    async with running_api(make_settings(database_url, tmp_path), credits=100) as api:
        use_fixed(api)
        plain = (
            await api.wait(
                await api.enrich({"name": "p", "data": [contact("a")]}, key=api.key), key=api.key
            )
        ).json()
        assert "provenance" not in plain["data"][0]
        assert "byok_provider" not in json.dumps(plain)
        asked = await api.enrich(
            {"name": "p", "provenance": True, "data": [contact("b")]}, key=api.key
        )
        record = (await api.wait(asked, key=api.key)).json()["data"][0]
        assert record["provenance"] == {
            "work_emails": [
                {"email": "b@acme.example", "found_by": ["fixed"], "verified_by": "checker"}
            ],
            "personal_emails": [
                {"email": "b@mail.example", "found_by": ["fixed"], "verified_by": "checker"}
            ],
            "phones": [{"number": "+33 6 12 34 56 78", "found_by": ["fixed"], "verified_by": None}],
        }
        by_query = await api.enrich(
            {"name": "q", "data": [contact("c")]}, key=api.key, provenance="true"
        )
        assert "provenance" in (await api.wait(by_query, key=api.key)).json()["data"][0]


async def test_provenance_per_workspace_and_budget_from_the_cli(
    sqlite_url: str, tmp_path: Path
) -> None:
    async with running_api(make_settings(sqlite_url, tmp_path), credits=100) as api:
        use_fixed(api)
        url = sqlite_url
        done = await cli("provenance", "on", api.workspace_id, url=url)
        assert done.exit_code == 0, done.output
        job = await api.enrich({"name": "w", "data": [contact("a")]}, key=api.key)
        assert "provenance" in (await api.wait(job, key=api.key)).json()["data"][0]
        job = await api.enrich(
            {"name": "w", "provenance": False, "data": [contact("b")]}, key=api.key
        )
        assert "provenance" not in (await api.wait(job, key=api.key)).json()["data"][0]

        assert (await cli("budget", "set", api.workspace_id, "20", url=url)).exit_code == 0
        shown = await cli("budget", "show", api.workspace_id, "--json", url=url)
        assert json.loads(shown.output) == {
            "workspace_id": api.workspace_id,
            "monthly_budget": 20,
            "spent_this_month": 28,
            "balance": 72,
        }
        job = await api.enrich({"name": "over", "data": [contact("c")]}, key=api.key)
        assert (await api.wait(job, key=api.key)).json()["status"] == "CREDITS_INSUFFICIENT"
        assert (await cli("budget", "clear", api.workspace_id, "--json", url=url)).exit_code != 0
        assert (await cli("budget", "clear", api.workspace_id, url=url)).exit_code == 0
        job = await api.enrich({"name": "free again", "data": [contact("d")]}, key=api.key)
        assert (await api.wait(job, key=api.key)).json()["status"] == "FINISHED"
        assert (await cli("budget", "set", "nope", "5", url=url)).exit_code != 0


async def test_providers_stats_per_workspace(
    sqlite_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from openenrich.accounts import repository

    monkeypatch.setenv("TEST_SERVER_HUNTER_KEY", SERVER_KEY)
    async with hunter_api(sqlite_url, tmp_path, FakeHunter(), server_key=True) as api:
        async with api.services.db.transaction() as session:
            other = await repository.create_workspace(session, "o", api.services.secret, credits=9)
        await add_key(api, "ws-a-key-1111")
        await api.wait(
            await api.enrich({"name": "a", "data": [person("Ann")]}, key=api.key), key=api.key
        )
        await api.wait(
            await api.enrich({"name": "b", "data": [person("Bob")]}, key=other.api_key),
            key=other.api_key,
        )
    mine = await cli(
        "providers",
        "stats",
        "--workspace",
        api.workspace_id,
        "--database-url",
        sqlite_url,
        url=sqlite_url,
    )
    assert mine.exit_code == 0, mine.output
    names = [line.split()[0] for line in mine.output.splitlines()[1:] if line.strip()]
    assert names == ["own:hunter"]
    theirs = await cli(
        "providers",
        "stats",
        "--workspace",
        other.workspace_id,
        "--database-url",
        sqlite_url,
        url=sqlite_url,
    )
    names = [line.split()[0] for line in theirs.output.splitlines()[1:] if line.strip()]
    assert names == ["hunter"]
    everyone = await cli("providers", "stats", "--database-url", sqlite_url, url=sqlite_url)
    names = [line.split()[0] for line in everyone.output.splitlines()[1:] if line.strip()]
    assert names == ["hunter", "own:hunter"]
