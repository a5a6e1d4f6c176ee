"""`POST /contact/reverse/email/bulk` bodies, with the spec's error codes."""

from __future__ import annotations

import re
from typing import Any

from openenrich.domain import Field
from openenrich.enrichment.validation import (
    BulkRequest,
    ContactInput,
    bulk_header,
    custom_fields,
    normalise_domain,
    string,
    type_error,
)
from openenrich.errors import invalid

_LOCAL = re.compile(r"^[A-Za-z0-9!#$%&'*+/=?^_`{|}~.-]{1,64}$")
FIELDS = (Field.PROFILE.value,)


def email_address(value: str) -> str:
    """A plausible address, lowercased; raises the spec's 400 otherwise."""
    if not value:
        raise invalid("error.reverse.email.empty", "Email cannot be empty")
    local, at, domain = value.rpartition("@")
    if (
        not at
        or not _LOCAL.match(local)
        or local.startswith(".")
        or local.endswith(".")
        or ".." in local
        or normalise_domain(domain) != domain.lower()
    ):
        raise invalid("error.reverse.email.invalid", "Email is invalid")
    return f"{local}@{domain}".lower()


def item(value: Any) -> ContactInput:
    if not isinstance(value, dict):
        raise type_error("data[]", "an object")
    return ContactInput(
        email=email_address(string(value, "email")),
        fields=FIELDS,
        custom=custom_fields(value.get("custom")),
    )


def bulk_reverse(body: Any) -> BulkRequest:
    name, hook, contact_hook, data = bulk_header(body)
    request = BulkRequest(name, hook, contact_hook)
    request.contacts = [item(entry) for entry in data]
    return request
