"""The opt-out list: a listed contact reaches no provider or verifier and costs nothing,
in a batch whose other contacts are enriched normally; a listed value found for someone
else is not returned; entries are stored as keyed digests only."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import select
from tests.privacy.rig import BARNABY, CORNELIA, OTTOLINE, Vendors, live_api
from tests.privacy.scan import find_traces

from openenrich.accounts.models import LedgerEntry
from openenrich.enrichment.models import Contact

pytestmark = pytest.mark.anyio

FIELDS = ["contact.work_emails", "contact.personal_emails", "contact.phones"]


async def test_opted_out_contact_reaches_no_source_and_costs_nothing(
    database_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    vendors = Vendors([OTTOLINE, BARNABY, CORNELIA])
    async with live_api(database_url, tmp_path, monkeypatch, vendors) as api:
        listed = await api.client.post(
            "/api/v2/privacy/optouts",
            json={"name": "Ottoline  QUENNELL", "domain": "https://www.acme.example/"},
            headers=api.auth(api.key),
        )
        assert listed.json() == {"kind": "name", "added": True}
        # A company that asked to be left out.
        await api.client.post(
            "/api/v2/privacy/optouts",
            json={"domain": "globex.example"},
            headers=api.auth(api.key),
        )
        before = await api.client.get("/api/v2/account/credits", headers=api.auth(api.key))
        enrichment_id = await api.enrich(
            {
                "name": "batch",
                "data": [
                    OTTOLINE.contact(*FIELDS, with_url=False),
                    BARNABY.contact(*FIELDS),
                    CORNELIA.contact(*FIELDS, with_url=False),
                ],
            },
            key=api.key,
        )
        body = (await api.wait(enrichment_id, key=api.key)).json()
        hers, his, theirs = (r["contact_info"] for r in body["data"])
        assert hers == theirs == {"work_emails": [], "personal_emails": [], "phones": []}
        assert his["most_probable_work_email"]["email"] == BARNABY.work_email
        # Zero calls about her or the listed company: no finder, no verifier.
        assert not vendors.asked_about(OTTOLINE) and not vendors.asked_about(CORNELIA)
        assert vendors.asked_about(BARNABY)
        after = await api.client.get("/api/v2/account/credits", headers=api.auth(api.key))
        charged = before.json()["balance"] - after.json()["balance"]
        async with api.services.db.read() as session:
            contacts = (
                (
                    await session.execute(
                        select(Contact)
                        .where(Contact.enrichment_id == enrichment_id)
                        .order_by(Contact.idx)
                    )
                )
                .scalars()
                .all()
            )
            ledger = (
                await session.execute(
                    select(LedgerEntry.contact_id, LedgerEntry.amount).where(
                        LedgerEntry.enrichment_id == enrichment_id
                    )
                )
            ).all()
        assert [c.cost_credits for c in contacts] == [0, 14, 0]
        assert body["cost"]["credits"] == charged == 14
        assert {contact_id for contact_id, _ in ledger} == {contacts[1].id}
        # The list holds digests, not the values it protects.
        assert all(t != "optout_entries" for t, _, _ in find_traces(database_url, ["globex"]))
        assert all(t != "optout_entries" for t, _, _ in find_traces(database_url, ["quennell"]))


async def test_a_listed_value_found_for_another_contact_is_not_returned(
    database_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    vendors = Vendors([BARNABY])
    async with live_api(database_url, tmp_path, monkeypatch, vendors) as api:
        await api.client.post(
            "/api/v2/privacy/optouts",
            json={"email": BARNABY.personal_email.upper()},
            headers=api.auth(api.key),
        )
        # Asked about under another name: the vendor still answers with Barnaby's data.
        contact = {**BARNABY.contact(*FIELDS), "first_name": "B."}
        enrichment_id = await api.enrich({"name": "x", "data": [contact]}, key=api.key)
        info = (await api.wait(enrichment_id, key=api.key)).json()["data"][0]["contact_info"]
        assert info["personal_emails"] == []
        assert info["most_probable_work_email"]["email"] == BARNABY.work_email
        listed = await api.client.get("/api/v2/privacy/optouts", headers=api.auth(api.key))
        assert [e["kind"] for e in listed.json()["optouts"]] == ["email"]
        removed = await api.client.post(
            "/api/v2/privacy/optouts/remove",
            json={"email": BARNABY.personal_email},
            headers=api.auth(api.key),
        )
        assert removed.status_code == 200
        again = await api.client.post(
            "/api/v2/privacy/optouts/remove",
            json={"email": BARNABY.personal_email},
            headers=api.auth(api.key),
        )
        assert again.status_code == 404
        assert again.json() == {
            "code": "error.privacy.optout.not_found",
            "message": "Opt-out entry not found",
        }
        bad = await api.client.post(
            "/api/v2/privacy/optouts", json={"name": "No Domain"}, headers=api.auth(api.key)
        )
        assert bad.status_code == 400
        assert bad.json()["code"] == "error.privacy.subject.invalid"
