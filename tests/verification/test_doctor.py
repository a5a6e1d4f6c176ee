"""`openenrich doctor` against a loopback DNS server and mail server: port 25 reachable and
unreachable, a HELO name whose reverse DNS matches and one whose does not."""

from __future__ import annotations

import pytest
import typer
from tests.rigs.loopback import MailBehaviour
from tests.rigs.socks import LoopbackSocks5
from typer.testing import CliRunner

from openenrich.verification.cli import register

from .conftest import MakeRig, Rig, mx_zone


@pytest.fixture
def app() -> typer.Typer:
    app = typer.Typer()
    register(app)
    return app


def rig_for(make_rig: MakeRig) -> Rig:
    zone = mx_zone(
        {
            "probe.example": [(10, "mx.probe.example", "127.0.0.2")],
            "closed.example": [(10, "mx.closed.example", "127.0.0.9")],  # nothing listens
            "verifier.example": [(10, "mx.verifier.example", "127.0.0.2")],
        }
    )
    zone["out.verifier.example"] = {"A": ["127.0.0.7"]}
    zone["7.0.0.127.in-addr.arpa"] = {"PTR": ["out.verifier.example."]}
    zone["wrong.verifier.example"] = {"A": ["127.0.0.8"]}
    zone["8.0.0.127.in-addr.arpa"] = {"PTR": ["host-8.isp.example."]}
    return make_rig(zone, {"127.0.0.2": MailBehaviour()})


def env(rig: Rig, **extra: str) -> dict[str, str]:
    return {
        "OPENENRICH_DNS_NAMESERVERS": rig.dns.nameserver,
        "OPENENRICH_DNS_TIMEOUT": "2",
        "OPENENRICH_SMTP_PORT": str(rig.mail.port),
        "OPENENRICH_SMTP_CONNECT_TIMEOUT": "2",
        "OPENENRICH_VERIFY_ALLOW_HOSTS": "127.0.0.0/8",
        "OPENENRICH_SMTP_HELO": "out.verifier.example",
        "OPENENRICH_SMTP_MAIL_FROM": "probe@verifier.example",
        "OPENENRICH_SMTP_PROXIES": "",
        **extra,
    }


def lines(output: str) -> dict[str, str]:
    found = {}
    for line in output.splitlines():
        parts = line.split(None, 2)
        if len(parts) == 3 and parts[0] in ("ok", "warn", "FAIL"):
            found[parts[1]] = parts[0]
    return found


def test_all_good(make_rig: MakeRig, app: typer.Typer) -> None:
    rig = rig_for(make_rig)
    result = CliRunner().invoke(app, ["doctor", "--domain", "probe.example"], env=env(rig))
    assert result.exit_code == 0, result.output
    assert lines(result.output) == {"dns": "ok", "port": "ok", "helo": "ok", "sender": "ok"}
    assert "greets 220" in result.output


def test_port_25_unreachable(make_rig: MakeRig, app: typer.Typer) -> None:
    rig = rig_for(make_rig)
    result = CliRunner().invoke(app, ["doctor", "--domain", "closed.example"], env=env(rig))
    assert result.exit_code == 1
    assert lines(result.output)["port"] == "FAIL"
    assert "OPENENRICH_SMTP_PROXIES" in result.output  # the fix is printed


def test_port_25_through_a_proxy(make_rig: MakeRig, app: typer.Typer) -> None:
    rig = rig_for(make_rig)
    with LoopbackSocks5() as proxy:
        proxies = f'[{{"url": "{proxy.url}", "helo": "out.verifier.example"}}]'
        result = CliRunner().invoke(
            app,
            ["doctor", "--domain", "probe.example"],
            env=env(rig, OPENENRICH_SMTP_PROXIES=proxies),
        )
    assert result.exit_code == 0, result.output
    assert "through the SOCKS5 proxy" in result.output
    assert proxy.destinations == [("127.0.0.2", rig.mail.port)]


def test_mismatched_helo(make_rig: MakeRig, app: typer.Typer) -> None:
    rig = rig_for(make_rig)
    result = CliRunner().invoke(
        app,
        ["doctor", "--domain", "probe.example"],
        env=env(rig, OPENENRICH_SMTP_HELO="wrong.verifier.example"),
    )
    assert result.exit_code == 1
    assert lines(result.output)["helo"] == "FAIL"
    assert "host-8.isp.example" in result.output
    assert "set the PTR of 127.0.0.8 to wrong.verifier.example" in result.output


def test_internal_mx_without_allow_list(make_rig: MakeRig, app: typer.Typer) -> None:
    rig = rig_for(make_rig)
    result = CliRunner().invoke(
        app,
        ["doctor", "--domain", "probe.example"],
        env=env(rig, OPENENRICH_VERIFY_ALLOW_HOSTS=""),
    )
    assert lines(result.output)["port"] == "FAIL"
    assert "OPENENRICH_VERIFY_ALLOW_HOSTS" in result.output
