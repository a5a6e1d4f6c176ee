"""Issue 15 item 1: a domain whose MX (or A fallback) points at an internal address made
the server speak SMTP there and report DELIVERABLE, an oracle on internal mail servers.
Such a route is never probed; the address is UNKNOWN (not charged) with reason
`private_route`, unless OPENENRICH_VERIFY_ALLOW_HOSTS allows the host."""

from __future__ import annotations

import pytest
from tests.rigs.loopback import MailBehaviour
from tests.verification.conftest import MakeRig, Rig, mx_zone, present

from openenrich.domain import EmailStatus
from openenrich.verification.details import Reason
from openenrich.verification.replies import ReplyKind
from openenrich.verification.routes import MailHost, MailRoute, RouteStatus
from openenrich.verification.smtp import SmtpConfig, SmtpProber

pytestmark = pytest.mark.anyio

JANE = "jane@inside.example"


def internal_rig(make_rig: MakeRig) -> tuple[MailBehaviour, MailBehaviour, Rig]:
    inside = MailBehaviour(mailboxes=frozenset({JANE, "jane@mixed.example"}))
    other = MailBehaviour(mailboxes=frozenset({"jane@mixed.example"}))
    zone = mx_zone(
        {
            "inside.example": [(10, "mx.inside.example", "127.0.0.2")],
            "mixed.example": [
                (10, "mx1.mixed.example", "127.0.0.2"),
                (20, "mx2.mixed.example", "127.0.0.3"),
            ],
        }
    )
    # No MX: the A fallback (RFC 5321 §5.1) points inside too.
    zone["nomx.example"] = {"A": ["127.0.0.2"]}
    # IPv4-mapped IPv6 and cloud metadata, in AAAA / A answers.
    zone["mapped.example"] = {"MX": ["10 mx.mapped.example."]}
    zone["mx.mapped.example"] = {"AAAA": ["::ffff:127.0.0.2"]}
    zone["metadata.example"] = {"MX": ["10 mx.metadata.example."]}
    zone["mx.metadata.example"] = {"A": ["169.254.169.254"]}
    zone["cgnat.example"] = {"MX": ["10 mx.cgnat.example."]}
    zone["mx.cgnat.example"] = {"A": ["100.64.0.7"]}
    rig = make_rig(zone, {"127.0.0.2": inside, "127.0.0.3": other})
    return inside, other, rig


@pytest.mark.parametrize(
    "email",
    [JANE, "jane@nomx.example", "jane@mapped.example", "x@metadata.example", "x@cgnat.example"],
)
async def test_internal_mail_hosts_are_never_probed(make_rig: MakeRig, email: str) -> None:
    inside, _, rig = internal_rig(make_rig)
    engine = rig.engine(verify_allow_hosts="")
    verdict = await engine.verify(email)
    await engine.aclose()
    assert verdict.status is EmailStatus.UNKNOWN
    assert not verdict.status.is_found  # never charged
    assert verdict.reason is Reason.PRIVATE_ROUTE
    assert present(verdict.details.route).refused
    assert verdict.details.rcpt is None
    assert inside.connections == 0


async def test_the_finder_does_not_probe_inside_either(make_rig: MakeRig) -> None:
    inside, _, rig = internal_rig(make_rig)
    engine = rig.engine(verify_allow_hosts="")
    found = await engine.find("Jane", "", "inside.example")
    await engine.aclose()
    assert (found.email, found.status, found.reason) == (
        None,
        EmailStatus.UNKNOWN,
        Reason.PRIVATE_ROUTE,
    )
    assert inside.connections == 0


async def test_only_the_allowed_part_of_a_mixed_route_is_probed(make_rig: MakeRig) -> None:
    inside, other, rig = internal_rig(make_rig)
    engine = rig.engine(verify_allow_hosts="127.0.0.3")
    verdict = await engine.verify("jane@mixed.example")
    await engine.aclose()
    assert verdict.status is EmailStatus.DELIVERABLE
    assert present(verdict.details.rcpt).address == "127.0.0.3"
    assert [r.address for r in present(verdict.details.route).refused] == ["127.0.0.2"]
    assert inside.connections == 0 and other.connections == 1


async def test_the_allow_list_takes_host_names_and_ranges(make_rig: MakeRig) -> None:
    _, _, rig = internal_rig(make_rig)
    for allow in ("mx.inside.example", "127.0.0.0/30"):
        engine = rig.engine(verify_allow_hosts=allow)
        verdict = await engine.verify(JANE)
        await engine.aclose()
        assert verdict.status is EmailStatus.DELIVERABLE, allow


async def test_the_prober_refuses_internal_addresses_whatever_route_it_is_given() -> None:
    """Defence in depth: a stale or forged route (cached facts) still cannot reach in."""
    prober = SmtpProber(SmtpConfig(port=1, connect_timeout=0.5))
    route = MailRoute("x.example", RouteStatus.OK, (MailHost("mx.x.example", 10, ("127.0.0.1",)),))
    outcome = await prober.rcpt(route, ["a@x.example"])
    await prober.aclose()
    assert outcome.replies["a@x.example"].kind is ReplyKind.NO_CONNECTION
    assert "address policy" in outcome.trail[0]
    assert prober.stats.connections == 0
