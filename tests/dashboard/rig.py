"""Helpers of dashboard tests: members, signing in with a plain HTTP client, CSV bodies,
and a real server on a loopback port for the browser."""

from __future__ import annotations

import asyncio
import re
import socket
import threading
import time
from collections.abc import Coroutine, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any, TypeVar

import httpx
import uvicorn

from openenrich.accounts import repository
from openenrich.accounts.keys import load_secret
from openenrich.app import create_app
from openenrich.config import Settings
from openenrich.dashboard import DashboardSettings, members
from openenrich.db import Database

PASSWORD = "correct horse battery"
T = TypeVar("T")
_CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


def csrf_of(html: str) -> str:
    found = _CSRF.search(html)
    assert found is not None, html[:500]
    return found.group(1)


async def add_member(db: Database, workspace_id: str, email: str, operator: bool = False) -> None:
    async with db.transaction() as session:
        await members.add_member(session, workspace_id, email, PASSWORD, operator)


async def sign_in(client: httpx.AsyncClient, email: str, password: str = PASSWORD) -> str:
    """Sign in through the form; returns the session's CSRF token."""
    page = await client.get("/app/login")
    response = await client.post(
        "/app/login",
        data={"email": email, "password": password, "csrf_token": csrf_of(page.text)},
    )
    assert response.status_code == 303, response.text[:500]
    home = await client.get("/app/enrichments")
    assert home.status_code == 200
    return csrf_of(home.text)


def people_csv(rows: int, separator: str = ",", header: tuple[str, ...] | None = None) -> str:
    """A contact list the sandbox can enrich; the company column is named oddly on purpose
    (the mapping has to be fixed by hand)."""
    names = header or ("First Name", "Last Name", "Employer site", "Notes")
    lines = [separator.join(names)]
    for i in range(rows):
        lines.append(separator.join((f"Ann{i}", f"Lee{i}", f"acme{i % 7}.com", f"row {i}")))
    return "\n".join(lines) + "\n"


@dataclass
class Workspace:
    id: str
    key: str
    sandbox_key: str
    email: str


async def seed(settings: Settings, name: str, email: str, operator: bool = True) -> Workspace:
    db = Database(settings.database_url)
    try:
        secret = load_secret(settings.secret_key, settings.secret_key_file)
        async with db.transaction() as session:
            created = await repository.create_workspace(
                session, name, secret, credits=100, sandbox_credits=100_000
            )
        await add_member(db, created.workspace_id, email, operator)
    finally:
        await db.dispose()
    return Workspace(created.workspace_id, created.api_key, created.sandbox_api_key, email)


def run_apart(work: Coroutine[Any, Any, T]) -> T:
    """Run a coroutine on a loop of its own thread (Playwright's sync API owns this one)."""
    result: list[T] = []
    thread = threading.Thread(target=lambda: result.append(asyncio.run(work)))
    thread.start()
    thread.join()
    return result[0]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


@contextmanager
def live_server(settings: Settings, dashboard: DashboardSettings | None = None) -> Iterator[str]:
    """The whole app (API, workers, dashboard) on a loopback port, in a thread."""
    port = free_port()
    config = uvicorn.Config(
        create_app(settings, dashboard=dashboard),
        host="127.0.0.1",
        port=port,
        log_level="warning",
        loop="asyncio",
        lifespan="on",
    )
    server = uvicorn.Server(config)
    thread = threading.Thread(target=lambda: asyncio.run(server.serve()), daemon=True)
    thread.start()
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 20
    while not server.started:
        if time.monotonic() > deadline:
            raise AssertionError("server did not start")
        time.sleep(0.05)
    try:
        yield url
    finally:
        server.should_exit = True
        thread.join(timeout=20)


def wait_finished(url: str, key: str, enrichment_id: str) -> dict[str, Any]:
    for _ in range(400):
        response = httpx.get(
            f"{url}/api/v2/contact/enrich/bulk/{enrichment_id}",
            headers={"Authorization": f"Bearer {key}"},
            params={"forceResults": "true"},
        )
        body: dict[str, Any] = response.json()
        if body.get("status") in ("FINISHED", "CREDITS_INSUFFICIENT", "CANCELED"):
            return body
        time.sleep(0.05)
    raise AssertionError("enrichment did not finish")
