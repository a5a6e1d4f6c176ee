"""Uploads over plain HTTP: encodings and separators, malformed files, mapping, start in
batches through the API's use case, progress, cancel, and the CSV and XLSX results."""

from __future__ import annotations

import asyncio
import csv
import io
import re
import tracemalloc
from collections.abc import AsyncIterator
from typing import Any

import httpx
import openpyxl
import pytest
from tests.dashboard.conftest import OWNER, STRANGER, Site
from tests.dashboard.rig import people_csv, sign_in

from openenrich.dashboard.models import Upload
from openenrich.files import columns

pytestmark = pytest.mark.anyio


async def upload(
    client: httpx.AsyncClient, token: str, content: bytes, name: str = "people.csv"
) -> httpx.Response:
    return await client.post(
        "/app/uploads",
        data={"csrf_token": token},
        files={"file": (name, content, "text/csv")},
    )


def upload_id(response: httpx.Response) -> str:
    assert response.status_code == 303, response.text[:800]
    return response.headers["location"].rsplit("/", 1)[-1]


async def wait_done(client: httpx.AsyncClient, uid: str) -> str:
    for _ in range(400):
        fragment = (await client.get(f"/app/uploads/{uid}/progress")).text
        if 'id="state">finished' in fragment or 'id="state">canceled' in fragment:
            return fragment
        await asyncio.sleep(0.05)
    raise AssertionError("upload did not finish")


def enrichment_ids(page: str) -> list[str]:
    return re.findall(r'href="/app/enrichments/([0-9a-f-]{36})"', page)


async def api_results(site: Site, ids: list[str]) -> dict[tuple[str, str], dict[str, Any]]:
    """Each contact's record from the API, by (first name, last name)."""
    records: dict[tuple[str, str], dict[str, Any]] = {}
    for enrichment_id in ids:
        body = (await site.api.wait(enrichment_id)).json()
        for record in body["data"]:
            given = record["input"]
            records[(given["first_name"], given["last_name"])] = record["contact_info"]
    return records


async def test_upload_map_start_follow_download(site_any_db: Site) -> None:
    site = site_any_db
    token = await sign_in(site.client, OWNER)
    header = ("First Name", "Last Name", "Employer site", "Note générale")
    content = people_csv(150, separator=";", header=header).encode("cp1252")
    uid = upload_id(await upload(site.client, token, content))
    mapping = (await site.client.get(f"/app/uploads/{uid}")).text
    assert "cp1252" in mapping and "semicolons" in mapping
    # First and last name are recognised; the company column is not, so nothing is valid.
    assert re.search(r'<option value="0" selected>First Name', mapping)
    assert '<strong id="valid-count">0</strong>' in mapping
    choice = {
        "csrf_token": token,
        "map_first_name": "0",
        "map_last_name": "1",
        "map_domain": "2",
        "field": ["contact.work_emails", "contact.phones"],
    }
    preview = await site.client.post(f"/app/uploads/{uid}", data={**choice, "action": "preview"})
    assert '<strong id="valid-count">150</strong>' in preview.text
    assert '<strong id="max-cost">1650</strong>' in preview.text  # 150 x (1 + 10)
    started = await site.client.post(f"/app/uploads/{uid}", data={**choice, "action": "start"})
    assert started.status_code == 303
    again = await site.client.post(f"/app/uploads/{uid}", data={**choice, "action": "start"})
    assert again.status_code == 303  # a double submit starts nothing twice
    fragment = await wait_done(site.client, uid)
    assert 'id="percent">100%' in fragment and "150 of 150" in fragment
    ids = sorted(set(enrichment_ids(fragment)))
    assert len(ids) == 2  # 100 + 50
    expected = await api_results(site, ids)
    detail = (await site.client.get(f"/app/enrichments/{ids[0]}")).text
    assert "via sandbox" in detail and "unrecorded" not in detail  # each value's source

    exported = (await site.client.get(f"/app/uploads/{uid}/result.csv")).content
    rows = list(csv.reader(io.StringIO(exported.decode("utf-8-sig")), delimiter=";"))
    assert rows[0][:4] == list(header)
    # The `enrich` command's result columns, appended to every input column.
    assert rows[0][4:] == list(columns.RESULT_COLUMNS)
    at = {name: 4 + i for i, name in enumerate(columns.RESULT_COLUMNS)}
    assert len(rows) == 151 and [r[3] for r in rows[1:4]] == ["row 0", "row 1", "row 2"]
    found = 0
    for row in rows[1:]:
        info = expected[(row[0], row[1])]
        work = info.get("most_probable_work_email") or {}
        phone = info.get("most_probable_phone") or {}
        assert row[at["enriched_work_email"]] == work.get("email", "")
        assert row[at["enriched_work_email_status"]] == work.get("status", "")
        assert row[at["enriched_phone"]] == phone.get("number", "")
        hit = bool(work or phone)
        assert row[at["enriched_status"]] == ("found" if hit else "not_found")
        found += hit
    assert found > 0

    book = openpyxl.load_workbook(
        io.BytesIO((await site.client.get(f"/app/uploads/{uid}/result.xlsx")).content)
    )
    cells = book.worksheets[0].iter_rows(values_only=True)
    assert [["" if c is None else c for c in r] for r in cells] == rows

    stranger = site.browser()
    await sign_in(stranger, STRANGER)
    assert (await stranger.get(f"/app/uploads/{uid}")).status_code == 404
    assert (await stranger.get(f"/app/uploads/{uid}/result.csv")).status_code == 404
    assert "people.csv" not in (await stranger.get("/app/uploads")).text


@pytest.mark.parametrize(
    ("encoding", "separator", "shown"),
    [
        ("utf-8", ",", "commas"),
        ("utf-8-sig", ";", "semicolons"),
        ("cp1252", "\t", "tabs"),
        ("latin-1", ",", "commas"),
    ],
)
async def test_encodings_and_separators(
    site: Site, encoding: str, separator: str, shown: str
) -> None:
    token = await sign_in(site.client, OWNER)
    text = separator.join(("Prénom", "Nom", "Société", "Site web")) + "\n"
    text += separator.join(("Zoé", '"Müller; Jr"', '"Crème, SA"', "creme.fr")) + "\r\n"
    uid = upload_id(await upload(site.client, token, text.encode(encoding)))
    page = (await site.client.get(f"/app/uploads/{uid}")).text
    assert f"separated by {shown}" in page
    assert "<td>Müller; Jr</td>" in page and "<td>Crème, SA</td>" in page
    # Recognised by name: first name, last name, company and website; the row is valid.
    assert '<strong id="valid-count">1</strong>' in page


async def test_malformed_files_are_named_by_line(site: Site) -> None:
    token = await sign_in(site.client, OWNER)
    unclosed = b'first,last,domain\nAnn,Lee,acme.com\nBo,Ek,x.com\n"Cy,Dee,y.com\nEd,Fa,z.com\n'
    response = await upload(site.client, token, unclosed, "broken.csv")
    assert response.status_code == 400
    assert "broken.csv cannot be read. Line 4: a quoted value is never closed" in response.text
    wide = b"first,last,domain\nAnn,Lee,acme.com\nBo,Ek,x.com,extra,more\n"
    response = await upload(site.client, token, wide, "wide.csv")
    assert "Line 3: 5 fields where the header has 3" in response.text
    binary = b"first,last\nAnn,Lee\nBo,\x00\x01\x02\n"
    response = await upload(site.client, token, binary, "binary.csv")
    assert "Line 3: the line contains a NUL byte" in response.text
    sheet = b"PK\x03\x04\x00\x00binary"
    response = await upload(site.client, token, sheet, "sheet.xlsx")
    assert "This is a spreadsheet (XLSX/zip), not CSV: save it as CSV." in response.text
    assert "broken.csv" not in (await site.client.get("/app/uploads")).text  # nothing kept


async def _streamed_upload(site: Site, token: str, rows: int) -> int:
    """Upload `rows` rows with a streamed request body; the peak of traced memory."""
    boundary = "oe-test-boundary"

    async def body() -> AsyncIterator[bytes]:
        yield (
            f'--{boundary}\r\nContent-Disposition: form-data; name="csrf_token"\r\n\r\n'
            f'{token}\r\n--{boundary}\r\nContent-Disposition: form-data; name="file"; '
            'filename="big.csv"\r\nContent-Type: text/csv\r\n\r\n'
        ).encode()
        yield b"first,last,domain,notes\n"
        for start in range(0, rows, 500):
            yield "".join(
                f"Ann{i},Lee{i},acme{i % 50}.com,{'x' * 60}\n"
                for i in range(start, min(rows, start + 500))
            ).encode()
        yield f"\r\n--{boundary}--\r\n".encode()

    tracemalloc.start()
    tracemalloc.reset_peak()
    response = await site.client.post(
        "/app/uploads",
        content=body(),
        headers={"Content-Type": f"multipart/form-data; boundary={boundary}"},
    )
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    uid = upload_id(response)
    async with site.api.services.db.read() as session:
        stored = await session.get(Upload, uid)
    assert stored is not None and stored.row_count == rows
    return peak


async def test_large_uploads_stream(site: Site) -> None:
    """A 2,000-row upload, then files of 1.4 and 4 MB: the peak of traced memory stops
    growing once the file outgrows the reader's 1 MiB chunk, since no file is held whole
    (the multipart body goes to disk as it arrives, rows go to the database in chunks)."""
    token = await sign_in(site.client, OWNER)
    await _streamed_upload(site, token, 200)  # warm caches
    small = await _streamed_upload(site, token, 2_000)
    medium = await _streamed_upload(site, token, 15_000)
    large = await _streamed_upload(site, token, 45_000)
    assert small < 2 * 1024 * 1024, small
    assert large < medium + 256 * 1024, (small, medium, large)


async def test_cancel_stops_the_rest(slow_site: Site) -> None:
    site = slow_site
    token = await sign_in(site.client, OWNER)
    uid = upload_id(await upload(site.client, token, people_csv(300).encode()))
    choice = {
        "csrf_token": token,
        "map_first_name": "0",
        "map_last_name": "1",
        "map_domain": "2",
        "field": "contact.work_emails",
    }
    await site.client.post(f"/app/uploads/{uid}", data={**choice, "action": "start"})
    canceled = await site.client.post(f"/app/uploads/{uid}/cancel", data={"csrf_token": token})
    assert canceled.status_code == 303, canceled.text
    fragment = await wait_done(site.client, uid)
    assert 'id="state">canceled' in fragment, re.findall(r'id="state">[^<]*', fragment)
    statuses = {(await site.api.wait(i)).json()["status"] for i in set(enrichment_ids(fragment))}
    assert statuses == {"CANCELED"}
    assert re.search(r"<dt>Not run</dt><dd>\d+</dd>", fragment)
