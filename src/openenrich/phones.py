"""Phone numbers in international format with their region, through phonenumbers."""

from __future__ import annotations

from dataclasses import dataclass

import phonenumbers
from phonenumbers import PhoneNumberFormat, PhoneNumberType

from openenrich.providers.base import LineType

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


def normalise_phone(
    raw: str, region_hint: str | None = None, declared: LineType = LineType.UNKNOWN
) -> Phone | None:
    """Parse and validate; None for anything that is not a real, dialable number.

    A source's own line type wins; otherwise the numbering plan decides (North American
    numbers cannot be told apart, so FIXED_LINE_OR_MOBILE counts as mobile)."""
    try:
        parsed = phonenumbers.parse(raw, (region_hint or "").upper() or None)
    except phonenumbers.NumberParseException:
        return None
    if not phonenumbers.is_valid_number(parsed):
        return None
    region = phonenumbers.region_code_for_number(parsed) or (region_hint or "").upper()
    line_type = declared
    if line_type is LineType.UNKNOWN:
        line_type = _LINE_TYPES.get(phonenumbers.number_type(parsed), LineType.UNKNOWN)
    return Phone(
        number=phonenumbers.format_number(parsed, PhoneNumberFormat.INTERNATIONAL),
        e164=phonenumbers.format_number(parsed, PhoneNumberFormat.E164),
        region=region,
        line_type=line_type,
    )
