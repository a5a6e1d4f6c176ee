"""The dashboard in a real browser (Debian's Chromium driven by Playwright), against a real
server on a loopback port: sign in, upload, fix a mapping, start, watch, download, keys,
isolation, CSRF and expiry. Screenshots of every page at desktop and phone width go to
$OPENENRICH_SCREENSHOTS (docs/screenshots in the repository) when it is set."""

from __future__ import annotations

import csv
import io
import os
import re
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import httpx
import openpyxl
import pytest
from playwright.sync_api import Browser, Page, ViewportSize, expect, sync_playwright
from sqlalchemy import create_engine, update
from tests.dashboard.rig import (
    PASSWORD,
    Workspace,
    live_server,
    people_csv,
    run_apart,
    seed,
    wait_finished,
)
from tests.harness import IN_CI, make_settings

from openenrich.dashboard.models import WebSession
from openenrich.db import utcnow

pytestmark = pytest.mark.slow
CHROMIUM = Path("/usr/bin/chromium")
DESKTOP: ViewportSize = {"width": 1280, "height": 860}
PHONE: ViewportSize = {"width": 390, "height": 844}


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    if not CHROMIUM.exists():
        if IN_CI:
            pytest.fail("Chromium is required under CI=true (.ci/run installs it)")
        pytest.skip("needs Playwright and /usr/bin/chromium")
    with sync_playwright() as driver:
        launched = driver.chromium.launch(
            executable_path=str(CHROMIUM), args=["--no-sandbox", "--disable-dev-shm-usage"]
        )
        yield launched
        launched.close()


def shots_dir(tmp_path: Path) -> Path:
    configured = os.environ.get("OPENENRICH_SCREENSHOTS")
    folder = Path(configured) if configured else tmp_path / "screenshots"
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def sign_in(page: Page, url: str, email: str) -> None:
    page.goto(f"{url}/app/login")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", name="Enrichments")).to_be_visible()


def api_records(url: str, key: str, ids: list[str]) -> dict[tuple[str, str], dict[str, Any]]:
    records = {}
    for enrichment_id in ids:
        for record in wait_finished(url, key, enrichment_id)["data"]:
            given = record["input"]
            records[(given["first_name"], given["last_name"])] = record["contact_info"]
    return records


def check_export(rows: list[list[str]], expected: dict[tuple[str, str], dict[str, Any]]) -> None:
    assert rows[0][:4] == ["First Name", "Last Name", "Employer site", "Notes"]
    assert rows[0][4] == "enriched_work_email" and len(rows) == 41
    for row in rows[1:]:
        info = expected[(row[0], row[1])]
        work = info.get("most_probable_work_email") or {}
        assert row[4:6] == [work.get("email", ""), work.get("status", "")]


def test_dashboard_in_a_browser(browser: Browser, sqlite_url: str, tmp_path: Path) -> None:
    settings = make_settings(sqlite_url, tmp_path, sandbox_latency_ms=40, worker_concurrency=4)
    owner: Workspace = run_apart(seed(settings, "acme", "owner@example.com"))
    stranger: Workspace = run_apart(seed(settings, "rival", "rival@example.org", False))
    shots = shots_dir(tmp_path)
    source = tmp_path / "people.csv"
    source.write_text(people_csv(40))
    with live_server(settings) as url:
        context = browser.new_context(viewport=DESKTOP, accept_downloads=True)
        page = context.new_page()
        page.goto(f"{url}/app/enrichments")
        expect(page.get_by_role("heading", name="Sign in to OpenEnrich")).to_be_visible()
        page.screenshot(path=shots / "login-desktop.png")
        sign_in(page, url, owner.email)
        expect(page.get_by_text("No sandbox enrichments yet")).to_be_visible()
        page.screenshot(path=shots / "enrichments-empty-desktop.png")

        # Upload; the company column is not recognised, fix it by hand, then start.
        page.get_by_role("link", name="Enrich a file").first.click()
        page.screenshot(path=shots / "upload-desktop.png")
        page.get_by_label("CSV file").set_input_files(str(source))
        page.get_by_role("button", name="Upload and map columns").click()
        expect(page.locator("#valid-count")).to_have_text("0")
        assert page.get_by_label("First name").input_value() == "0"
        page.get_by_label("Company domain").select_option(label="Employer site")
        page.get_by_role("button", name="Update the summary").click()
        expect(page.locator("#valid-count")).to_have_text("40")
        expect(page.locator("#max-cost")).to_have_text("40")
        page.screenshot(path=shots / "upload-mapping-desktop.png", full_page=True)
        page.get_by_role("button", name="Start enrichment").click()
        expect(page.locator("#progress")).to_be_visible()
        expect(page.locator("#percent")).to_have_text("100%", timeout=30_000)  # live updates
        expect(page.locator("#state")).to_have_text("finished")
        page.screenshot(path=shots / "upload-progress-desktop.png", full_page=True)
        upload_url = page.url
        ids = re.findall(r"/app/enrichments/([0-9a-f-]{36})", page.content())
        expected = api_records(url, owner.sandbox_key, sorted(set(ids)))

        with page.expect_download() as got:
            page.get_by_role("link", name="Download CSV").click()
        text = Path(got.value.path()).read_text(encoding="utf-8-sig")
        check_export(list(csv.reader(io.StringIO(text))), expected)
        with page.expect_download() as got:
            page.get_by_role("link", name="Download Excel").click()
        book = openpyxl.load_workbook(io.BytesIO(Path(got.value.path()).read_bytes()))
        sheet = [["" if c is None else str(c) for c in r] for r in book.worksheets[0].values]
        check_export(sheet, expected)

        page.goto(f"{url}/app/enrichments")
        expect(page.get_by_role("link", name="people.csv (1)")).to_be_visible()
        page.screenshot(path=shots / "enrichments-desktop.png", full_page=True)
        page.get_by_role("link", name="people.csv (1)").click()
        expect(page.get_by_role("heading", name="people.csv (1)")).to_be_visible()
        page.screenshot(path=shots / "enrichment-desktop.png", full_page=True)

        # A key: created (shown once), accepted by the API, revoked, then refused.
        page.goto(f"{url}/app/keys")
        page.get_by_label("Name").fill("Browser key")
        page.get_by_role("button", name="Create key").click()
        key = page.get_by_label("API key").input_value()
        # The documentation shows no key, even a throwaway one.
        page.get_by_label("API key").evaluate("(el) => { el.value = 'oe_test_' + '•'.repeat(43); }")
        page.screenshot(path=shots / "keys-desktop.png", full_page=True)
        bearer = {"Authorization": f"Bearer {key}"}
        assert httpx.get(f"{url}/api/v2/account/credits", headers=bearer).status_code == 200
        page.goto(f"{url}/app/keys")
        assert key not in page.content()
        page.get_by_role("button", name=re.compile("Revoke key Browser key")).click()
        expect(page.get_by_text("revoked").first).to_be_visible()
        refused = httpx.get(f"{url}/api/v2/account/credits", headers=bearer)
        assert refused.status_code == 401 and refused.json()["code"] == "error.api.key"

        for name in ("account", "webhooks", "providers", "uploads"):
            page.goto(f"{url}/app/{name}")
            page.screenshot(path=shots / f"{name}-desktop.png", full_page=True)

        # Phone width: the same pages, same session.
        phone = browser.new_context(viewport=PHONE, storage_state=context.storage_state())
        small = phone.new_page()
        for name, path in (
            ("enrichments", "/app/enrichments"),
            ("upload-progress", upload_url.removeprefix(url)),
            ("upload", "/app/uploads/new"),
            ("account", "/app/account"),
            ("keys", "/app/keys"),
            ("webhooks", "/app/webhooks"),
            ("providers", "/app/providers"),
            ("uploads", "/app/uploads"),
        ):
            small.goto(url + path)
            small.screenshot(path=shots / f"{name}-phone.png", full_page=True)
        small.goto(f"{url}/app/enrichments")
        small.get_by_role("link", name="people.csv (1)").click()
        small.screenshot(path=shots / "enrichment-phone.png", full_page=True)
        phone.close()
        anonymous = browser.new_context(viewport=PHONE).new_page()
        anonymous.goto(f"{url}/app/login")
        anonymous.screenshot(path=shots / "login-phone.png")

        # A member of another workspace sees none of it.
        rival = browser.new_context(viewport=DESKTOP).new_page()
        sign_in(rival, url, stranger.email)
        expect(rival.get_by_text("No sandbox enrichments yet")).to_be_visible()
        rival.goto(upload_url)
        expect(rival.get_by_text("No such upload.")).to_be_visible()
        rival.goto(f"{url}/app/enrichments/{ids[0]}")
        expect(rival.get_by_text("No such enrichment.")).to_be_visible()
        rival.goto(f"{url}/app/providers")
        expect(rival.get_by_text("This page is for operators")).to_be_visible()

        # A forged form from another page is refused (SameSite keeps the session cookie
        # off a cross-site POST, and the token would not match anyway); so is a stale
        # session.
        forged = context.new_page()
        forged.set_content(
            f'<form method="post" action="{url}/app/keys"><input name="name" value="evil">'
            '<input name="csrf_token" value="guess"><button>go</button></form>'
        )
        forged.get_by_role("button", name="go").click()
        expect(forged.get_by_role("heading", name="Sign in to OpenEnrich")).to_be_visible()
        same_site = page.evaluate(
            """async () => (await fetch('/app/keys', {method: 'POST',
                 headers: {'Content-Type': 'application/x-www-form-urlencoded'},
                 body: 'name=evil&csrf_token=guess'})).status"""
        )
        assert same_site == 403
        page.goto(f"{url}/app/keys")
        expect(page.get_by_text("evil")).to_have_count(0)
        engine = create_engine(settings.database_url.replace("+aiosqlite", ""))
        with engine.begin() as conn:
            conn.execute(update(WebSession).values(last_seen_at=utcnow() - timedelta(days=1)))
        engine.dispose()
        page.goto(f"{url}/app/account")
        expect(page.get_by_role("heading", name="Sign in to OpenEnrich")).to_be_visible()
        context.close()
