"""Bodies of the verify API: one address, or a bulk job as JSON or as a CSV upload."""

from __future__ import annotations

import csv
import io
from typing import Any

from openenrich.domain import Field
from openenrich.enrichment.validation import (
    BulkRequest,
    ContactInput,
    string,
    type_error,
    webhook_url,
)
from openenrich.errors import invalid

MAX_ADDRESSES = 10_000
MAX_EMAIL = 320  # RFC 5321: 64 + 1 + 255
MAX_NAME = 500
MAX_CSV_COLUMNS = 10
MAX_CELL = 100
FIELDS = (Field.VERIFIED_EMAIL.value,)
Row = tuple[str, dict[str, str] | None]  # an address, and the CSV's other columns


def email_text(value: Any, where: str = "email") -> str:
    """An address as given (its syntax is part of the verdict, not a 400), bounded."""
    if not isinstance(value, str):
        raise type_error(where, "a string")
    text = value.strip()
    if not text:
        raise invalid("error.verify.email.empty", "Email cannot be empty")
    if len(text) > MAX_EMAIL or "\x00" in text:
        raise invalid("error.verify.email.invalid", "Email is too long or contains NUL")
    return text


def one(body: Any) -> str:
    if not isinstance(body, dict):
        raise type_error("body", "a JSON object")
    return email_text(body.get("email"))


def _request(name: str, hook: str | None, rows: list[Row]) -> BulkRequest:
    if not rows:
        raise invalid("error.verify.emails.empty", "No email to verify")
    if len(rows) > MAX_ADDRESSES:
        raise invalid(
            "error.verify.emails.exceeded",
            f"Too many emails (max: {MAX_ADDRESSES} per job)",
        )
    if len(name) > MAX_NAME or "\x00" in name:
        raise invalid("error.verify.name.invalid", "Name is too long or contains NUL")
    request = BulkRequest(name or "email verification", hook, None)
    request.contacts = [ContactInput(email=e, fields=FIELDS, custom=c) for e, c in rows]
    return request


def bulk_json(body: Any) -> BulkRequest:
    """`{"name"?, "webhook_url"?, "emails": ["a@b.example", ...]}`."""
    if not isinstance(body, dict):
        raise type_error("body", "a JSON object")
    emails = body.get("emails")
    if not isinstance(emails, list):
        raise type_error("emails", "an array")
    rows: list[Row] = [(email_text(e, "emails[]"), None) for e in emails[: MAX_ADDRESSES + 1]]
    return _request(string(body, "name"), webhook_url(string(body, "webhook_url")), rows)


def bulk_csv(text: str, name: str, hook: str | None) -> BulkRequest:
    """A CSV with a header: the column named `email` (any case), else the first one,
    holds the addresses; up to 10 other columns are kept and echoed as `custom`."""
    if "\x00" in text:
        raise invalid("error.verify.csv.invalid", "CSV contains NUL")
    reader = csv.reader(io.StringIO(text))
    try:
        header = [h.strip() for h in next(reader)]
    except (StopIteration, csv.Error):
        raise invalid("error.verify.csv.invalid", "CSV has no header row") from None
    lowered = [h.lower() for h in header]
    column = lowered.index("email") if "email" in lowered else 0
    extra = [(i, h) for i, h in enumerate(header) if i != column and h][:MAX_CSV_COLUMNS]
    rows: list[Row] = []
    try:
        for line in reader:
            if not any(cell.strip() for cell in line):
                continue
            if len(rows) > MAX_ADDRESSES:
                break
            email = email_text(line[column] if column < len(line) else "", "email")
            custom = {h: line[i][:MAX_CELL] for i, h in extra if i < len(line)}
            rows.append((email, custom or None))
    except csv.Error:
        raise invalid("error.verify.csv.invalid", "CSV cannot be parsed") from None
    return _request(name, webhook_url(hook or ""), rows)
