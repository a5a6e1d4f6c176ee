"""`openenrich verify` and `openenrich find` against loopback servers, configured through
the environment like an operator would."""

from __future__ import annotations

import json

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
