"""v1 request bodies into the v2 ones the services take: `datas` for `data`,
`firstname`/`lastname` for `first_name`/`last_name`, `contact.emails` for
`contact.work_emails`. Validation (and its error codes) is v2's."""

from __future__ import annotations

from typing import Any

from openenrich.domain import Field
from openenrich.enrichment import validation
from openenrich.enrichment.validation import BulkRequest, type_error
from openenrich.reverse.validation import bulk_reverse

FIELD_NAMES = {
    "contact.emails": Field.WORK_EMAIL.value,
    "contact.personal_emails": Field.PERSONAL_EMAIL.value,
    "contact.phones": Field.PHONE.value,
}
# v1 clients often leave `enrich_fields` out; v1 then looked for work emails.
DEFAULT_FIELDS = ["contact.emails"]
_RENAMED = {"firstname": "first_name", "lastname": "last_name"}
_KEPT = ("domain", "company_name", "linkedin_url", "custom")


def v2_contact(item: Any) -> Any:
    if not isinstance(item, dict):
        return item
    out: dict[str, Any] = {}
    for v1_key, v2_key in _RENAMED.items():
        if v1_key in item:
            out[v2_key] = item[v1_key]
        elif v2_key in item:
            out[v2_key] = item[v2_key]
    for key in _KEPT:
        if key in item:
            out[key] = item[key]
    fields = item.get("enrich_fields")
    if fields is None:  # absent or null
        fields = DEFAULT_FIELDS
    if isinstance(fields, list):
        fields = [FIELD_NAMES.get(f, f) if isinstance(f, str) else f for f in fields]
    out["enrich_fields"] = fields
    return out


def _v2_body(body: Any, convert: bool) -> dict[str, Any]:
    if not isinstance(body, dict):
        raise type_error("body", "a JSON object")
    data = body.get("datas", body.get("data"))
    if convert and isinstance(data, list):
        data = [v2_contact(item) for item in data]
    return {
        "name": body.get("name"),
        "webhook_url": body.get("webhook_url"),
        "webhook_events": body.get("webhook_events"),
        "data": data,
    }


def bulk_enrich(body: Any, silent_fail: bool) -> BulkRequest:
    return validation.bulk_enrich(_v2_body(body, convert=True), silent_fail)


def bulk_reverse_v1(body: Any) -> BulkRequest:
    return bulk_reverse(_v2_body(body, convert=False))
