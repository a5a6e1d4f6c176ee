"""The verify API end to end: a running app, a real loopback DNS server and scripted SMTP
servers, single and bulk (JSON and CSV), greylisting, isolation, credits, webhooks."""

from __future__ import annotations

import asyncio
import csv
import io
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from tests.harness import Api, make_settings, running_api
from tests.rigs.loopback import MailBehaviour
from tests.rigs.socks import LoopbackSocks5
from tests.webhooks.receiver import Receiver, delivering, eventually

from openenrich.accounts import repository

from .conftest import MakeRig, Rig, mx_zone

pytestmark = pytest.mark.anyio

JANE = "jane.doe@acme.example"


def verify_rig(make_rig: MakeRig) -> tuple[Rig, dict[str, MailBehaviour]]:
    hosts = {
        "127.0.0.2": MailBehaviour(mailboxes=frozenset({JANE, "info@acme.example"})),
        "127.0.0.3": MailBehaviour(catch_all=frozenset({"catch.example"})),
        "127.0.0.4": MailBehaviour(mailboxes=frozenset({"ann@grey.example"}), greylist_seconds=0.3),
        "127.0.0.5": MailBehaviour(mailboxes=frozenset({"bob@gw.example"})),
    }
    zone = mx_zone(
        {
            "acme.example": [(10, "mx.acme.example", "127.0.0.2")],
            "catch.example": [(10, "mx.catch.example", "127.0.0.3")],
            "grey.example": [(10, "mx.grey.example", "127.0.0.4")],
            # Recognised by its MX name: a Google Workspace domain.
            "gw.example": [(1, "aspmx.l.google.com", "127.0.0.5")],
            "inside.example": [(10, "mx.inside.example", "127.0.0.9")],
        }
    )
    zone["nullmx.example"] = {"MX": ["0 ."]}
    return make_rig(zone, hosts), hosts


@pytest.fixture
async def live(make_rig: MakeRig, sqlite_url: str, tmp_path: Path) -> AsyncIterator[Api]:
    rig, _ = verify_rig(make_rig)
    settings = make_settings(sqlite_url, tmp_path, price_verified_email=1)
    # 127.0.0.9 stays outside the allow list: inside.example is a private route.
    verification = rig.settings(
        greylist_retry_seconds=[0.4], verify_allow_hosts="127.0.0.2,127.0.0.3,127.0.0.4,127.0.0.5"
    )
    async with running_api(settings, credits=100, verification=verification) as api:
        yield api


async def check(api: Api, email: str, key: str | None = None) -> dict[str, Any]:
    response = await api.client.post(
        "/api/v2/email/verify", json={"email": email}, headers=api.auth(key or api.key)
    )
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    assert list(body)[:2] == ["email", "status"]
    return body


async def finished(api: Api, job_id: str, key: str | None = None) -> dict[str, Any]:
    for _ in range(400):
        response = await api.client.get(
            f"/api/v2/email/verify/bulk/{job_id}", headers=api.auth(key or api.key)
        )
        body: dict[str, Any] = response.json()
        if body.get("status") in ("FINISHED", "CREDITS_INSUFFICIENT", "CANCELED"):
            return body
        await asyncio.sleep(0.05)
    raise AssertionError("job did not finish")


async def balance(api: Api) -> int:
    async with api.services.db.read() as session:
        return await repository.balance(session, api.workspace_id, False)


async def test_every_status_with_details(live: Api) -> None:
    before = await balance(live)
    jane = await check(live, JANE)
    assert jane["status"] == "DELIVERABLE"
    assert jane["smtp"]["code"] == 250 and jane["smtp"]["catch_all"] is False
    assert jane["domain"]["mx"] == [{"host": "mx.acme.example", "preference": 10}]
    assert jane["syntax"]["address"] == JANE and jane["flags"]["role"] is False
    nobody = await check(live, "nobody@acme.example")
    assert (nobody["status"], nobody["reason"]) == ("INVALID", "user_unknown")
    assert (nobody["smtp"]["code"], nobody["smtp"]["enhanced_code"]) == (550, "5.1.1")
    catch = await check(live, "x@catch.example")
    assert catch["status"] == "CATCH_ALL" and catch["smtp"]["catch_all"] is True
    null = await check(live, "x@nullmx.example")
    assert (null["status"], null["domain"]["null_mx"]) == ("INVALID_DOMAIN", True)
    role = await check(live, "info@acme.example")
    assert role["flags"]["role"] is True
    google = await check(live, "bob@gw.example")
    assert (google["status"], google["domain"]["provider"]) == ("DELIVERABLE", "google")
    # Internal MX: never probed, UNKNOWN, not charged.
    inside = await check(live, "x@inside.example")
    assert (inside["status"], inside["reason"]) == ("UNKNOWN", "private_route")
    assert inside["smtp"]["checked"] is False
    # One credit per conclusive answer (six of them), none for UNKNOWN.
    assert await balance(live) == before - 6


async def test_typo_suggestion_and_syntax(live: Api) -> None:
    typo = await check(live, "Jane@gmial.com", live.sandbox_key)
    assert typo["syntax"]["suggestion"] == "jane@gmail.com"
    broken = await check(live, "not-an-address", live.sandbox_key)
    assert (broken["status"], broken["syntax"]["valid"]) == ("INVALID", False)


async def test_greylisted_answers_now_and_is_retried_by_a_job(live: Api) -> None:
    first = await check(live, "ann@grey.example")
    assert (first["status"], first["retrying"], first["smtp"]["greylisted"]) == (
        "UNKNOWN",
        True,
        True,
    )
    retried = await finished(live, first["retry"]["id"])
    assert retried["data"][0]["status"] == "DELIVERABLE"
    assert retried["data"][0]["smtp"]["greylisted"] is True


async def test_bulk_json_partial_reads_and_isolation(live: Api, tmp_path: Path) -> None:
    emails = [JANE, "nobody@acme.example", "x@catch.example", "x@nullmx.example", "bad"]
    response = await live.client.post(
        "/api/v2/email/verify/bulk",
        json={"name": "five", "emails": emails},
        headers=live.auth(live.key),
    )
    assert response.status_code == 200, response.text
    job_id = response.json()["id"]
    partial = await live.client.get(
        f"/api/v2/email/verify/bulk/{job_id}",
        params={"forceResults": "true"},
        headers=live.auth(live.key),
    )
    assert partial.status_code == 200 and "data" in partial.json()
    body = await finished(live, job_id)
    assert [r["email"] for r in body["data"]] == emails
    assert [r["status"] for r in body["data"]] == [
        "DELIVERABLE",
        "INVALID",
        "CATCH_ALL",
        "INVALID_DOMAIN",
        "INVALID",
    ]
    assert body["cost"]["credits"] == 5
    # The sandbox key of the same workspace, and another workspace, see nothing.
    hidden = await live.client.get(
        f"/api/v2/email/verify/bulk/{job_id}", headers=live.auth(live.sandbox_key)
    )
    assert (hidden.status_code, hidden.json()["code"]) == (404, "error.verify.not_found")
    async with live.services.db.transaction() as session:
        other = await repository.create_workspace(session, "other", live.services.secret)
    foreign = await live.client.get(
        f"/api/v2/email/verify/bulk/{job_id}", headers=live.auth(other.api_key)
    )
    assert foreign.status_code == 404


async def test_bulk_csv_in_and_out(live: Api) -> None:
    upload = "Company,EMAIL\nAcme,jane.doe@acme.example\nAcme,nobody@acme.example\n\n"
    response = await live.client.post(
        "/api/v2/email/verify/bulk",
        content=upload.encode(),
        params={"name": "csv"},
        headers={**live.auth(live.key), "Content-Type": "text/csv"},
    )
    assert response.status_code == 200, response.text
    job_id = response.json()["id"]
    await finished(live, job_id)
    out = await live.client.get(
        f"/api/v2/email/verify/bulk/{job_id}",
        params={"format": "csv"},
        headers=live.auth(live.key),
    )
    assert out.headers["content-type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(out.text)))
    assert [(r["email"], r["status"], r["Company"]) for r in rows] == [
        ("jane.doe@acme.example", "DELIVERABLE", "Acme"),
        ("nobody@acme.example", "INVALID", "Acme"),
    ]


async def test_bulk_validation(live: Api) -> None:
    async def post(body: Any) -> httpx.Response:
        return await live.client.post(
            "/api/v2/email/verify/bulk", json=body, headers=live.auth(live.key)
        )

    assert (await post({"emails": []})).json()["code"] == "error.verify.emails.empty"
    too_many = await post({"emails": ["a@b.example"] * 10_001})
    assert too_many.json()["code"] in ("error.verify.emails.exceeded", "error.request.too_large")
    assert (await post({"emails": ["x" * 400]})).json()["code"] == "error.verify.email.invalid"
    assert (await post({"emails": [1]})).status_code == 400


async def test_webhook_on_completion(live: Api) -> None:
    receiver = Receiver().start()
    try:
        async with delivering(live.services):
            response = await live.client.post(
                "/api/v2/email/verify/bulk",
                json={"emails": [JANE], "webhook_url": receiver.url()},
                headers=live.auth(live.key),
            )
            assert response.status_code == 200, response.text
            await eventually(lambda: bool(receiver.at("/hook")))
        event = receiver.at("/hook")[0]
        assert b"DELIVERABLE" in event.body
    finally:
        receiver.stop()


async def test_sandbox_keys_never_touch_the_network(live: Api) -> None:
    for local, status in (
        ("someone", "DELIVERABLE"),
        ("invalid.one", "INVALID"),
        ("catchall", "CATCH_ALL"),
    ):
        body = await check(live, f"{local}@anything.example", live.sandbox_key)
        assert body["status"] == status


@pytest.mark.parametrize("pipelining", [True, False], ids=["pipelining", "no-pipelining"])
async def test_both_endpoints_through_a_socks5_proxy(
    make_rig: MakeRig, sqlite_url: str, tmp_path: Path, pipelining: bool
) -> None:
    """Single and bulk, with the mail server offering PIPELINING or not, every session
    through a SOCKS5 proxy run here."""
    server = MailBehaviour(mailboxes=frozenset({JANE}), pipelining=pipelining)
    rig = make_rig(
        mx_zone({"acme.example": [(10, "mx.acme.example", "127.0.0.2")]}), {"127.0.0.2": server}
    )
    with LoopbackSocks5() as proxy:
        verification = rig.settings(smtp_proxies=[{"url": proxy.url, "helo": "out.example"}])
        settings = make_settings(sqlite_url, tmp_path)
        async with running_api(settings, verification=verification) as api:
            assert (await check(api, JANE))["status"] == "DELIVERABLE"
            emails = [f"user{i}@acme.example" for i in range(12)] + [JANE]
            response = await api.client.post(
                "/api/v2/email/verify/bulk", json={"emails": emails}, headers=api.auth(api.key)
            )
            body = await finished(api, response.json()["id"])
    assert [r["status"] for r in body["data"]] == ["INVALID"] * 12 + ["DELIVERABLE"]
    assert proxy.destinations and set(proxy.destinations) == {("127.0.0.2", rig.mail.port)}
    assert set(server.helos) == {"out.example"}
    # Pipelined: commands arrive in groups (MAIL FROM with the first RCPTs at least);
    # otherwise every command is a round trip of its own.
    if pipelining:
        assert server.commands > server.round_trips
    else:
        assert server.commands == server.round_trips
