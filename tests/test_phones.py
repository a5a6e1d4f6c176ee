"""The kind of a phone line, decided once (`openenrich.phones`) for the waterfall's stop
rule and for what is charged."""

from __future__ import annotations

from openenrich.domain import Field, LineType, PhoneFinding
from openenrich.enrichment.assembly import collect
from openenrich.phones import line_type, normalise_phone
from openenrich.waterfall.stop import StopRules, with_line_type

# The North American plan cannot tell fixed lines from mobiles: FIXED_LINE_OR_MOBILE.
AMBIGUOUS = "+1 201-555-0123"
PHONE = Field.PHONE.value


def test_fixed_line_or_mobile_counts_as_mobile_everywhere() -> None:
    assert line_type(AMBIGUOUS) is LineType.MOBILE
    found = with_line_type(PhoneFinding(AMBIGUOUS))
    assert found.line_type is LineType.MOBILE
    # The phone waterfall stops at it...
    assert StopRules().satisfied(Field.PHONE, [found])
    # ...and it is shown and charged as a mobile phone.
    phone = normalise_phone(AMBIGUOUS)
    assert phone is not None and phone.line_type is LineType.MOBILE
    info = collect([PhoneFinding(AMBIGUOUS)], [PHONE], "")
    assert [p.e164 for p in info.phones] == ["+12015550123"]
    assert info.items() == [Field.PHONE]


def test_a_source_that_says_landline_wins_over_the_plan() -> None:
    landline = PhoneFinding(AMBIGUOUS, LineType.LANDLINE)
    assert with_line_type(landline) is landline
    assert not StopRules().satisfied(Field.PHONE, [landline])
    assert collect([landline], [PHONE], "").items() == []


def test_plans_that_tell_lines_apart() -> None:
    assert line_type("+33 6 12 34 56 78") is LineType.MOBILE
    assert line_type("+33 1 42 68 53 00") is LineType.LANDLINE
    assert line_type("06 12 34 56 78", "fr") is LineType.MOBILE
    assert line_type("not a number") is LineType.UNKNOWN
    assert with_line_type(PhoneFinding("+33 1 42 68 53 00")).line_type is LineType.LANDLINE
