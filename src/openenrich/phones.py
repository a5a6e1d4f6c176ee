"""Phone numbers: international format, region, and the kind of line, through phonenumbers.

The one rule for the kind of line (the waterfall's stop rule and the credit charged both
read it from here): a source's own line type always wins; otherwise the numbering plan
decides, and a number the plan calls FIXED_LINE_OR_MOBILE (North America and other plans
whose fixed and mobile ranges overlap) counts as a MOBILE. Such a number therefore stops a
phone waterfall and is charged as a mobile phone, unless a source said it is a landline.
"""

from __future__ import annotations

from dataclasses import dataclass

import phonenumbers
from phonenumbers import PhoneNumber, PhoneNumberFormat, PhoneNumberType

from openenrich.domain import LineType

_LINE_TYPES = {
    PhoneNumberType.MOBILE: LineType.MOBILE,
    PhoneNumberType.FIXED_LINE_OR_MOBILE: LineType.MOBILE,
    PhoneNumberType.FIXED_LINE: LineType.LANDLINE,
    PhoneNumberType.VOIP: LineType.VOIP,
}


@dataclass(frozen=True, slots=True)
class Phone:
    number: str  # "+1 555-123-4567"
    e164: str
    region: str
    line_type: LineType


def plan_line_type(parsed: PhoneNumber) -> LineType:
    """The kind of line the numbering plan gives `parsed` (see the module's rule)."""
    return _LINE_TYPES.get(phonenumbers.number_type(parsed), LineType.UNKNOWN)


def line_type(
    raw: str, region_hint: str | None = None, declared: LineType = LineType.UNKNOWN
) -> LineType:
    """`declared` when a source said it; otherwise what the numbering plan says, UNKNOWN
    for a number that cannot be parsed."""
    if declared is not LineType.UNKNOWN:
        return declared
    try:
        parsed = phonenumbers.parse(raw, (region_hint or "").upper() or None)
    except phonenumbers.NumberParseException:
        return LineType.UNKNOWN
    return plan_line_type(parsed)


def normalise_phone(
    raw: str, region_hint: str | None = None, declared: LineType = LineType.UNKNOWN
) -> Phone | None:
    """Parse and validate; None for anything that is not a real, dialable number. The
    line type follows the module's rule."""
    try:
        parsed = phonenumbers.parse(raw, (region_hint or "").upper() or None)
    except phonenumbers.NumberParseException:
        return None
    if not phonenumbers.is_valid_number(parsed):
        return None
    region = phonenumbers.region_code_for_number(parsed) or (region_hint or "").upper()
    return Phone(
        number=phonenumbers.format_number(parsed, PhoneNumberFormat.INTERNATIONAL),
        e164=phonenumbers.format_number(parsed, PhoneNumberFormat.E164),
        region=region,
        line_type=declared if declared is not LineType.UNKNOWN else plan_line_type(parsed),
    )
