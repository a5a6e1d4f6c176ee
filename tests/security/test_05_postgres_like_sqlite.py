"""Item 5: PostgreSQL answers like SQLite.

Observed on PostgreSQL only: a NUL in the job name, a name over 500 characters or a
webhook URL over 2,048 gave a 500 (SQLite stored them); vendor findings over 320
characters or holding NUL made contacts retry five times and end FAILED inside a job
reported FINISHED, with nothing in the result saying so. Every test here runs on SQLite
and on PostgreSQL and must see the same answers."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import select, update
from tests.harness import make_settings, running_api

from openenrich.domain import EmailStatus
from openenrich.enrichment.jobs import CONTACT_FAILED
from openenrich.enrichment.models import Contact, ContactStatus, Enrichment, FindingRow
from openenrich.waterfall import WaterfallConfig
from openenrich.waterfall.config import ProviderConfig

pytestmark = pytest.mark.anyio

ENRICH = "/api/v2/contact/enrich/bulk"
CONTACT = {
    "first_name": "Ada",
    "last_name": "Lovelace",
    "domain": "example.com",
    "enrich_fields": ["contact.work_emails"],
}


@pytest.mark.parametrize(
    ("change", "code"),
    [
        ({"name": "job\x00name"}, "error.request.nul_character"),
        ({"name": "n" * 501}, "error.enrichment.name.exceeded"),
        (
            {"webhook_url": "https://hooks.example/" + "p" * 2030},
            "error.enrichment.webhook_url.exceeded",
        ),
        (
            {"webhook_events": {"contact_finished": "https://h.example/" + "p" * 2040}},
            "error.enrichment.webhook_url.exceeded",
        ),
    ],
)
async def test_what_gave_a_500_on_postgres_is_a_400_on_both(
    database_url: str, tmp_path: Path, change: dict[str, Any], code: str
) -> None:
    settings = make_settings(database_url, tmp_path, embedded_worker=False)
    async with running_api(settings) as api:
        body = {"name": "job", "data": [CONTACT], **change}
        response = await api.client.post(ENRICH, json=body, headers=api.auth())
        assert response.status_code == 400, response.text
        assert response.json()["code"] == code


async def test_the_longest_accepted_values_are_stored(
    database_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("OPENENRICH_WEBHOOK_ALLOW_HOSTS", "127.0.0.1")
    settings = make_settings(database_url, tmp_path, embedded_worker=False)
    async with running_api(settings) as api:
        hook = "http://127.0.0.1/" + "p" * (2048 - len("http://127.0.0.1/"))
        body = {"name": "n" * 500, "webhook_url": hook, "data": [CONTACT]}
        response = await api.client.post(ENRICH, json=body, headers=api.auth())
        assert response.status_code == 200, response.text
        async with api.services.db.read() as session:
            row = await session.get(Enrichment, response.json()["enrichment_id"])
            assert row is not None and len(row.name) == 500 and row.webhook_url == hook


def _apollo(request: httpx.Request) -> httpx.Response:
    """A vendor answering what PostgreSQL could not store: an address of 400 characters,
    one with a NUL, a profile with NUL in its data and a URL of 3,000 characters."""
    person = {
        "id": "p1",
        "first_name": "Ada\x00",
        "last_name": "Lovelace",
        "name": "Ada\x00 Lovelace",
        "linkedin_url": "https://www.linkedin.com/in/ada-" + "x" * 3000,
        "email": "ada@example.com",
        "email_status": "verified",
        "personal_emails": ["a" * 390 + "@example.net", "ada\x00@example.net", "ada@example.org"],
    }
    return httpx.Response(200, json={"person": person})


async def test_findings_too_long_or_with_nul_do_not_fail_the_contact(
    database_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("APOLLO_KEY", "k")
    config = WaterfallConfig(
        order={"work_email": ["apollo"], "personal_email": ["apollo"], "profile": ["apollo"]},
        verifiers=[],
        providers={
            "apollo": ProviderConfig(
                api_key_env="APOLLO_KEY",
                base_url="https://apollo.test/api/v1",
                trusted_statuses=[EmailStatus.DELIVERABLE],
            )
        },
    )
    http = httpx.AsyncClient(transport=httpx.MockTransport(_apollo))
    async with running_api(
        make_settings(database_url, tmp_path), http=http, waterfall_config=config
    ) as api:
        contact = {
            **CONTACT,
            "linkedin_url": "https://www.linkedin.com/in/ada-lovelace",
            "enrich_fields": ["contact.work_emails", "contact.personal_emails"],
        }
        job = await api.enrich({"name": "vendor", "data": [contact]}, key=api.key)
        result = (await api.wait(job, key=api.key)).json()
        assert result["status"] == "FINISHED"
        record = result["data"][0]
        assert "error" not in record
        info = record["contact_info"]
        assert info["most_probable_work_email"]["email"] == "ada@example.com"
        assert "\x00" not in str(record.get("profile"))
        async with api.services.db.read() as session:
            states = (await session.execute(select(Contact.status))).scalars().all()
            values = (await session.execute(select(FindingRow.value))).scalars().all()
        assert states == [ContactStatus.DONE]
        assert all(len(v) <= 2048 and "\x00" not in v for v in values)
        # The real addresses are kept; the impossible ones are not, cut or otherwise.
        assert {"ada@example.com", "ada@example.org"} <= set(values)
        assert not any("example.net" in v for v in values)
    await http.aclose()


async def test_a_failed_contact_says_so_in_a_finished_job(
    database_url: str, tmp_path: Path
) -> None:
    settings = make_settings(database_url, tmp_path, embedded_worker=False)
    async with running_api(settings) as api:
        job = await api.enrich({"name": "job", "data": [CONTACT, CONTACT]})
        async with api.services.db.transaction() as session:
            first = (
                await session.execute(
                    select(Contact.id).where(Contact.enrichment_id == job, Contact.idx == 0)
                )
            ).scalar_one()
            # What the worker does after the last attempt of a contact failed.
            await session.execute(
                update(Contact)
                .where(Contact.enrichment_id == job)
                .values(status=ContactStatus.FAILED)
                .where(Contact.id == first)
            )
            await session.execute(
                update(Contact)
                .where(Contact.enrichment_id == job, Contact.id != first)
                .values(status=ContactStatus.DONE, result={"input": {}, "custom": {}})
            )
            enrichment = await session.get(Enrichment, job)
            assert enrichment is not None
            assert await api.services.jobs.close_if_done(session, enrichment)
        for path in ("/api/v2", "/api/v1"):
            response = await api.client.get(f"{path}/contact/enrich/bulk/{job}", headers=api.auth())
            body = response.json()
            assert body["status"] == "FINISHED"
            records = body.get("data", body.get("datas"))
            assert records[0]["error"] == CONTACT_FAILED
            assert "error" not in records[1]
