"""The finder tries every spelling: names whose letters transliterate two ways, against a
scripted mail server holding one mailbox per name in one of the less obvious spellings.
Every one is found, within the per-domain budget, and the ordering rule holds: each
likely pattern is tried in every spelling before the next pattern in any."""

from __future__ import annotations

import pytest
from tests.rigs.loopback import MailBehaviour

from openenrich.domain import EmailStatus
from openenrich.verification.names import name_parts
from openenrich.verification.patterns import TOP_PATTERNS, candidates

from .conftest import MakeRig, mx_zone

# (first, last, the mailbox the server holds)
TABLE = [
    ("Jürgen", "Müller", "juergen.muller"),  # mixed: spelled first name, plain surname
    ("Jürgen", "Müller", "jurgen.mueller"),
    ("Björn", "Ström", "bstroem"),  # an initial with a spelled-out surname
    ("Øystein", "Løvås", "oeystein.loevaas"),  # ø as oe, å as aa
    ("Åsa", "Ålund", "aasa"),  # first name only, å as aa
    ("Søren", "Kierkegård", "soeren.kierkegard"),
    ("Hans", "Groß", "hgross"),  # ß has one spelling: ss
    ("Zoë", "Ängström", "zoe.aengstroem"),
    ("Jörg", "Schäfer", "joergschaefer"),
    ("Mårten", "Öberg", "m.oeberg"),
]


def test_each_likely_pattern_in_every_spelling_before_the_next_pattern() -> None:
    parts = name_parts("Jürgen", "Müller")
    ranked = candidates(parts)
    patterns = [c.pattern for c in ranked]
    # Pattern-major: all spellings of first.last, then of first, then of flast...
    seen: list[str] = []
    for pattern in patterns:
        if not seen or seen[-1] != pattern:
            assert pattern not in seen, patterns
            seen.append(pattern)
    assert seen[:5] == list(TOP_PATTERNS)
    assert [c.local for c in ranked[:4]] == [
        "jurgen.muller",
        "juergen.mueller",
        "jurgen.mueller",
        "juergen.muller",
    ]
    # A learned pattern still goes first, in every spelling.
    learned = candidates(parts, learned="lastf")
    assert [c.local for c in learned[:2]] == ["mullerj", "muellerj"]


@pytest.mark.anyio
async def test_every_spelling_is_found(make_rig: MakeRig) -> None:
    domains = {
        f"co{i}.example": [(10, f"mx.co{i}.example", "127.0.0.2")] for i in range(len(TABLE))
    }
    mailboxes = frozenset(f"{local}@co{i}.example" for i, (_, _, local) in enumerate(TABLE))
    server = MailBehaviour(mailboxes=mailboxes)
    rig = make_rig(mx_zone(domains), {"127.0.0.2": server})
    engine = rig.engine()
    budget = engine.settings.finder_max_candidates
    for i, (first, last, local) in enumerate(TABLE):
        found = await engine.find(first, last, f"co{i}.example")
        assert (found.email, found.status) == (f"{local}@co{i}.example", EmailStatus.DELIVERABLE), (
            first,
            last,
        )
        assert len(found.tried) <= budget
    await engine.aclose()
