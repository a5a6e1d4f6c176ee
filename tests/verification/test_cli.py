"""`openenrich verify` and `openenrich find` against loopback servers, configured through
the environment like an operator would."""

from __future__ import annotations

import json
import re
from typing import Any

import pytest
import typer
from tests.rigs.loopback import MailBehaviour
from typer.testing import CliRunner

from openenrich.verification.cli import register

from .conftest import MakeRig, mx_zone


@pytest.fixture
def app() -> typer.Typer:
    app = typer.Typer()
    register(app)
    return app


def env_for(make_rig: MakeRig, behaviour: MailBehaviour) -> dict[str, str]:
    zone = mx_zone({"acme.example": [(10, "mx1.acme.example", "127.0.0.2")]})
    zone["nullmx.example"] = {"MX": ["0 ."]}
    rig = make_rig(zone, {"127.0.0.2": behaviour})
    return {
        "OPENENRICH_DNS_NAMESERVERS": rig.dns.nameserver,
        "OPENENRICH_SMTP_PORT": str(rig.mail.port),
        "OPENENRICH_VERIFY_ALLOW_HOSTS": "127.0.0.0/8",
        "OPENENRICH_SMTP_HELO": "verifier.example",
        "OPENENRICH_SMTP_MAIL_FROM": "probe@verifier.example",
        "OPENENRICH_GREYLIST_RETRY_SECONDS": "0.05",
    }


def test_verify_json_lines(make_rig: MakeRig, app: typer.Typer) -> None:
    env = env_for(make_rig, MailBehaviour(mailboxes=frozenset({"jane.doe@acme.example"})))
    result = CliRunner().invoke(
        app,
        ["verify", "jane.doe@acme.example", "bob@acme.example", "x@nullmx.example", "--json"],
        env=env,
    )
    assert result.exit_code == 0, result.output
    lines = [json.loads(line) for line in result.output.splitlines()]
    assert [(r["email"], r["status"]) for r in lines] == [
        ("jane.doe@acme.example", "DELIVERABLE"),
        ("bob@acme.example", "INVALID"),
        ("x@nullmx.example", "INVALID_DOMAIN"),
    ]
    assert lines[0]["evidence"]["mx"] == "mx1.acme.example"


def test_verify_human_output_shows_evidence(make_rig: MakeRig, app: typer.Typer) -> None:
    env = env_for(make_rig, MailBehaviour(mailboxes=frozenset({"jane.doe@acme.example"})))
    result = CliRunner().invoke(app, ["verify", "jane.doe@acme.example"], env=env)
    assert result.exit_code == 0, result.output
    assert "DELIVERABLE" in result.output
    assert "mx: mx1.acme.example" in result.output and "reply: 250" in result.output


def test_verify_timeout_bounds_greylisting(make_rig: MakeRig, app: typer.Typer) -> None:
    env = env_for(
        make_rig, MailBehaviour(mailboxes=frozenset({"jane.doe@acme.example"}), greylist_seconds=60)
    )
    env["OPENENRICH_GREYLIST_RETRY_SECONDS"] = "30,60"
    result = CliRunner().invoke(
        app, ["verify", "jane.doe@acme.example", "--json", "--timeout", "0.5"], env=env
    )
    record = json.loads(result.output)
    assert record["status"] == "UNKNOWN" and record["evidence"]["reason"] == "timeout"


def test_find_json(make_rig: MakeRig, app: typer.Typer) -> None:
    env = env_for(make_rig, MailBehaviour(mailboxes=frozenset({"jane@acme.example"})))
    result = CliRunner().invoke(app, ["find", "Jane", "Doe", "www.acme.example", "--json"], env=env)
    assert result.exit_code == 0, result.output
    record = json.loads(result.output)
    assert (record["email"], record["status"]) == ("jane@acme.example", "DELIVERABLE")
    assert record["evidence"]["pattern"] == "first"


PROBE = "<random probe>"


def _pinned(output: str) -> list[dict[str, Any]]:
    """JSON lines, with the random catch-all probe's local part replaced by a marker."""
    text = re.sub(r"<[a-z0-9]{14}@", f"{PROBE}@", output)
    return [json.loads(line) for line in text.splitlines()]


def test_json_output_keeps_its_keys_and_values(make_rig: MakeRig, app: typer.Typer) -> None:
    """The `--json` records are a contract for scripts: every key and value, pinned."""
    zone = mx_zone(
        {
            "acme.example": [(10, "mx1.acme.example", "127.0.0.2")],
            "catch.example": [(10, "mx.catch.example", "127.0.0.2")],
            "yahoo.example": [(1, "mta5.am0.yahoodns.net", "127.0.0.2")],
        }
    )
    zone["nullmx.example"] = {"MX": ["0 ."]}
    zone["implicit.example"] = {"A": ["127.0.0.2"]}
    server = MailBehaviour(
        mailboxes=frozenset({"jane.doe@acme.example", "ann@implicit.example"}),
        catch_all=frozenset({"catch.example"}),
    )
    rig = make_rig(zone, {"127.0.0.2": server})
    env = {
        "OPENENRICH_DNS_NAMESERVERS": rig.dns.nameserver,
        "OPENENRICH_SMTP_PORT": str(rig.mail.port),
        "OPENENRICH_VERIFY_ALLOW_HOSTS": "127.0.0.0/8",
        "OPENENRICH_GREYLIST_RETRY_SECONDS": "0.05",
        "OPENENRICH_FINDER_MAX_CANDIDATES": "2",
    }
    addresses = [
        "jane.doe@acme.example",
        "bob@acme.example",
        "x@nullmx.example",
        "not-an-email",
        "ann@implicit.example",
        "Info@Catch.example",
        "jane@yahoo.example",
    ]
    result = CliRunner().invoke(app, ["verify", *addresses, "--json"], env=env)
    assert result.exit_code == 0, result.output
    mx1 = {"mx_records": ["10 mx1.acme.example"]}
    at_mx1 = {"mx": "mx1.acme.example", "mx_address": "127.0.0.2", "attempts": 1}
    flags = {"personal": False, "disposable": False, "role": False}
    rejected = "550 5.1.1 {}: Recipient address rejected: User unknown"
    assert _pinned(result.output) == [
        {
            "email": "jane.doe@acme.example",
            "status": "DELIVERABLE",
            **flags,
            "evidence": {
                **mx1,
                "facts_cached": False,
                **at_mx1,
                "reply": "250 2.1.5 OK",
                "probe_reply": rejected.format(f"{PROBE}@acme.example>"),
                "catch_all_cached": False,
                "catch_all": False,
            },
        },
        {
            "email": "bob@acme.example",
            "status": "INVALID",
            **flags,
            "evidence": {
                **mx1,
                "facts_cached": True,
                **at_mx1,
                "reply": rejected.format("<bob@acme.example>"),
                "reason": "user_unknown",
            },
        },
        {
            "email": "x@nullmx.example",
            "status": "INVALID_DOMAIN",
            **flags,
            "evidence": {"mx_records": [], "facts_cached": False, "reason": "null_mx"},
        },
        {
            "email": "not-an-email",
            "status": "INVALID",
            **flags,
            "evidence": {"reason": "syntax: not an email address"},
        },
        {
            "email": "ann@implicit.example",
            "status": "DELIVERABLE",
            **flags,
            "evidence": {
                "mx_records": ["0 implicit.example"],
                "facts_cached": False,
                "implicit_mx": True,
                "mx": "implicit.example",
                "mx_address": "127.0.0.2",
                "attempts": 1,
                "reply": "250 2.1.5 OK",
                "probe_reply": rejected.format(f"{PROBE}@implicit.example>"),
                "catch_all_cached": False,
                "catch_all": False,
            },
        },
        {
            "email": "Info@Catch.example",
            "status": "CATCH_ALL",
            **flags,
            "role": True,
            "evidence": {
                "mx_records": ["10 mx.catch.example"],
                "facts_cached": False,
                "mx": "mx.catch.example",
                "mx_address": "127.0.0.2",
                "attempts": 1,
                "reply": "250 2.1.5 OK",
                "probe_reply": "250 2.1.5 OK",
                "catch_all_cached": False,
                "catch_all": True,
            },
        },
        {
            "email": "jane@yahoo.example",
            "status": "CATCH_ALL",
            **flags,
            "evidence": {
                "mx_records": ["1 mta5.am0.yahoodns.net"],
                "facts_cached": False,
                "reason": "host accepts every recipient",
                "mx": "mta5.am0.yahoodns.net",
            },
        },
    ]

    def find(*args: str) -> dict[str, Any]:
        result = CliRunner().invoke(app, ["find", *args, "--json"], env=env)
        assert result.exit_code == 0, result.output
        [record] = _pinned(result.output)
        return record

    assert find("Jane", "Doe", "www.acme.example") == {
        "email": "jane.doe@acme.example",
        "status": "DELIVERABLE",
        "evidence": {
            "domain": "acme.example",
            **mx1,
            "facts_cached": False,
            "learned_pattern": None,
            **at_mx1,
            "probe_reply": rejected.format(f"{PROBE}@acme.example>"),
            "replies": {"jane.doe@acme.example": "250 2.1.5 OK"},
            "pattern": "first.last",
            "catch_all": False,
        },
        "tried": ["jane.doe@acme.example"],
    }
    assert find("Zed", "Nobody", "implicit.example") == {
        "email": None,
        "status": "INVALID",
        "evidence": {
            "domain": "implicit.example",
            "mx_records": ["0 implicit.example"],
            "facts_cached": False,
            "learned_pattern": None,
            "mx": "implicit.example",
            "mx_address": "127.0.0.2",
            "attempts": 1,
            "probe_reply": rejected.format(f"{PROBE}@implicit.example>"),
            "replies": {
                e: rejected.format(f"<{e}>")
                for e in ("zed.nobody@implicit.example", "zed@implicit.example")
            },
            "reason": "every candidate rejected",
        },
        "tried": ["zed.nobody@implicit.example", "zed@implicit.example"],
    }
    assert find("Jane", "Doe", "catch.example") == {
        "email": "jane.doe@catch.example",
        "status": "CATCH_ALL",
        "evidence": {
            "domain": "catch.example",
            "mx_records": ["10 mx.catch.example"],
            "facts_cached": False,
            "learned_pattern": None,
            "mx": "mx.catch.example",
            "mx_address": "127.0.0.2",
            "attempts": 1,
            "probe_reply": "250 2.1.5 OK",
            "catch_all": True,
            "pattern": "first.last",
        },
        "tried": [],
    }
    assert find("Jane", "Doe", "yahoo.example") == {
        "email": "jane.doe@yahoo.example",
        "status": "CATCH_ALL",
        "evidence": {
            "domain": "yahoo.example",
            "mx_records": ["1 mta5.am0.yahoodns.net"],
            "facts_cached": False,
            "learned_pattern": None,
            "catch_all": True,
            "pattern": "first.last",
            "reason": "host accepts every recipient",
            "mx": "mta5.am0.yahoodns.net",
        },
        "tried": [],
    }
    assert find("Jane", "Doe", "nullmx.example") == {
        "email": None,
        "status": "INVALID_DOMAIN",
        "evidence": {
            "domain": "nullmx.example",
            "mx_records": [],
            "facts_cached": False,
            "reason": "null_mx",
        },
        "tried": [],
    }
    assert find("", "", "acme.example")["evidence"] == {
        "domain": "acme.example",
        **mx1,
        "facts_cached": False,
        "reason": "no usable name",
    }
    assert find("Jane", "Doe", "not a domain")["evidence"]["reason"].startswith("domain: ")
