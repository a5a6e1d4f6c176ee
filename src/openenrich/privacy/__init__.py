"""Privacy by default: the opt-out list, erasure on request, retention, the audit trail,
and the registry of every place that keeps contact data (`registry`).

Other packages record audited actions with `record(session, actor, action, subject)`."""

from openenrich.privacy.audit import Action, Actor, record
from openenrich.privacy.optout import OptOutList
from openenrich.privacy.registry import Found, Store
from openenrich.privacy.service import Privacy, Receipt
from openenrich.privacy.settings import PrivacySettings
from openenrich.privacy.subjects import Person, Subject

__all__ = [
    "Action",
    "Actor",
    "Found",
    "OptOutList",
    "Person",
    "Privacy",
    "PrivacySettings",
    "Receipt",
    "Store",
    "Subject",
    "record",
]
