"""The per-provider policy table: recognition by MX, what a 250 means, and the docs."""

from __future__ import annotations

from pathlib import Path

from openenrich.verification.mailhosts import (
    ACCEPT_ALL_SUFFIXES,
    PROVIDERS,
    RcptPolicy,
    markdown_rows,
    provider_of_host,
)
from openenrich.verification.settings import VerificationSettings

DOC = Path(__file__).parents[2] / "docs" / "email-verification.md"


def test_providers_are_recognised_by_mx() -> None:
    cases = {
        "aspmx.l.google.com": "google",
        "acme-com.mail.protection.outlook.com": "microsoft365",
        "eur.olc.protection.outlook.com": "outlook",  # the longest suffix wins
        "mta5.am0.yahoodns.net": "yahoo",
        "mxa-001.pphosted.com": "proofpoint",
        "eu-smtp-inbound-1.mimecast.com": "mimecast",
        "mx.acme.example": None,
    }
    for host, key in cases.items():
        found = provider_of_host(host)
        assert (found.key if found else None) == key, host


def test_every_row_has_a_source_and_the_accept_all_default_follows_the_table() -> None:
    assert all(p.source and p.note for p in PROVIDERS)
    assert len({p.key for p in PROVIDERS}) == len(PROVIDERS)
    accept_all = {p.key for p in PROVIDERS if p.policy is RcptPolicy.ACCEPTS_ALL}
    assert accept_all == {"yahoo", "mailru"}
    assert VerificationSettings().smtp_accept_all_mx == list(ACCEPT_ALL_SUFFIXES)


def test_the_docs_show_the_table() -> None:
    text = DOC.read_text()
    block = text.split("<!-- providers:start -->\n")[1].split("<!-- providers:end -->")[0]
    assert block.splitlines()[2:] == markdown_rows()
