"""The one contact the security tests enrich: found at once by the sandbox provider."""

from __future__ import annotations

CONTACT = {
    "first_name": "Ada",
    "last_name": "Lovelace",
    "domain": "analytical.example",
    "enrich_fields": ["contact.work_emails"],
}
