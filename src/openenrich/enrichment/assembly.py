"""Turn a contact's findings into the spec's `RecordEnrichment`, and decide what it costs."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from openenrich.domain import (
    EmailFinding,
    EmailStatus,
    Field,
    Finding,
    LineType,
    PhoneFinding,
    ProfileFinding,
)
from openenrich.phones import Phone, normalise_phone
from openenrich.waterfall.engine import Origin, origin_key

# Wire statuses: UNKNOWN is not in the spec's enum, so an unproven address is not shown.
_SHOWN = frozenset(s for s in EmailStatus if s is not EmailStatus.UNKNOWN)


@dataclass(slots=True)
class ContactInfo:
    work_emails: list[tuple[str, EmailStatus]] = field(default_factory=list)
    personal_emails: list[tuple[str, EmailStatus]] = field(default_factory=list)
    phones: list[Phone] = field(default_factory=list)
    profile: Mapping[str, Any] | None = None
    # Where each value came from, by `origin_key` (emails, profile) or E.164 (phones).
    origins: dict[str, Origin] = field(default_factory=dict)

    def origin(self, value: str, kind: str) -> Origin | None:
        key = f"e:{value}" if kind == "email" else (value if kind == "profile" else f"n:{value}")
        return self.origins.get(key)

    def own_key_items(self) -> frozenset[Field]:
        """Items whose every found value came from the workspace's own vendor keys."""
        groups = {
            Field.WORK_EMAIL: [f"e:{a}" for a, st in self.work_emails if st.is_found],
            Field.PERSONAL_EMAIL: [f"e:{a}" for a, st in self.personal_emails if st.is_found],
            Field.PHONE: [f"n:{p.e164}" for p in self.phones],
        }
        return frozenset(
            item
            for item, keys in groups.items()
            if keys and all((o := self.origins.get(k)) and o.own_key for k in keys)
        )

    def items(self) -> list[Field]:
        """Chargeable items found, cheapest first."""
        found = []
        if any(status.is_found for _, status in self.work_emails):
            found.append(Field.WORK_EMAIL)
        if any(status.is_found for _, status in self.personal_emails):
            found.append(Field.PERSONAL_EMAIL)
        if self.phones:
            found.append(Field.PHONE)
        return found

    def without(self, item: Field) -> None:
        """Withhold an item that could not be paid for."""
        if item is Field.WORK_EMAIL:
            self.work_emails = []
        elif item is Field.PERSONAL_EMAIL:
            self.personal_emails = []
        elif item is Field.PHONE:
            self.phones = []


def _email_domain(address: str) -> str:
    return address.rsplit("@", 1)[-1].lower()


def _rank_emails(
    findings: Iterable[EmailFinding], prefer_domain: str
) -> list[tuple[str, EmailStatus]]:
    best: dict[str, EmailStatus] = {}
    for finding in findings:
        status = finding.status or EmailStatus.UNKNOWN
        if status not in _SHOWN:
            continue
        address = finding.email.strip().lower()
        if address not in best or status.rank < best[address].rank:
            best[address] = status

    def key(item: tuple[str, EmailStatus]) -> tuple[int, int]:
        address, status = item
        domain = _email_domain(address)
        near = domain == prefer_domain or domain.endswith("." + prefer_domain)
        return status.rank, 0 if near or not prefer_domain else 1

    return sorted(best.items(), key=key)


def collect(
    findings: Iterable[Finding],
    fields: Iterable[str],
    domain: str,
    region_hint: str | None = None,
    origins: Mapping[str, Origin] | None = None,
) -> ContactInfo:
    """Keep what was asked for: emails best first, mobile phones in international format.
    `origins` (the waterfall's, by `origin_key`) is kept for provenance and credits."""
    wanted = set(fields)
    known = origins or {}
    work: list[EmailFinding] = []
    personal: list[EmailFinding] = []
    phones: dict[str, Phone] = {}
    info = ContactInfo()
    for finding in findings:
        if isinstance(finding, EmailFinding):
            if finding.field is Field.PERSONAL_EMAIL:
                personal.append(finding)
            else:
                work.append(finding)
        elif isinstance(finding, PhoneFinding):
            phone = normalise_phone(
                finding.number, finding.region or region_hint, finding.line_type
            )
            if phone and phone.line_type is LineType.MOBILE:
                phones.setdefault(phone.e164, phone)
                if (origin := known.get(origin_key(finding))) is not None:
                    info.origins.setdefault(f"n:{phone.e164}", origin)
        elif isinstance(finding, ProfileFinding) and info.profile is None:
            info.profile = finding.person
    info.origins.update((key, origin) for key, origin in known.items() if not key.startswith("p:"))
    if Field.WORK_EMAIL.value in wanted:
        info.work_emails = _rank_emails(work, domain)
    if Field.PERSONAL_EMAIL.value in wanted:
        info.personal_emails = _rank_emails(personal, "")
    if Field.PHONE.value in wanted:
        info.phones = list(phones.values())
    return info


def contact_info_body(info: ContactInfo) -> dict[str, Any]:
    """The spec's `contact_info`; a value found with the workspace's own vendor key
    carries FullEnrich's `byok_provider` (absent otherwise, so bodies are unchanged)."""

    def email(address: str, status: EmailStatus) -> dict[str, str]:
        body = {"email": address, "status": status.value}
        origin = info.origin(address, "email")
        if origin is not None and origin.own_key:
            body["byok_provider"] = origin.own_key
        return body

    def phone(found: Phone) -> dict[str, Any]:
        body: dict[str, Any] = {"number": found.number, "region": found.region}
        origin = info.origin(found.e164, "phone")
        if origin is not None and origin.own_key:
            body["byok_provider"] = origin.own_key
        return body

    body: dict[str, Any] = {}
    found_work = [e for e in info.work_emails if e[1].is_found]
    found_personal = [e for e in info.personal_emails if e[1].is_found]
    if found_work:
        body["most_probable_work_email"] = email(*found_work[0])
    if found_personal:
        body["most_probable_personal_email"] = email(*found_personal[0])
    if info.phones:
        body["most_probable_phone"] = phone(info.phones[0])
    body["work_emails"] = [email(*e) for e in info.work_emails]
    body["personal_emails"] = [email(*e) for e in info.personal_emails]
    body["phones"] = [phone(p) for p in info.phones]
    return body


def _origin_body(origin: Origin | None) -> dict[str, Any]:
    if origin is None:
        return {"found_by": [], "verified_by": None}
    body: dict[str, Any] = {"found_by": list(origin.found_by), "verified_by": origin.verified_by}
    if origin.own_key:
        body["byok_provider"] = origin.own_key
    return body


def provenance_body(info: ContactInfo) -> dict[str, Any]:
    """The `provenance` extension of a record: for every value shown, which sources
    returned it (first first) and which verifier's verdict stands."""
    body: dict[str, Any] = {
        "work_emails": [
            {"email": a, **_origin_body(info.origin(a, "email"))} for a, _ in info.work_emails
        ],
        "personal_emails": [
            {"email": a, **_origin_body(info.origin(a, "email"))} for a, _ in info.personal_emails
        ],
        "phones": [
            {"number": p.number, **_origin_body(info.origin(p.e164, "phone"))} for p in info.phones
        ],
    }
    if info.profile:
        body["profile"] = _origin_body(info.origin("profile", "profile"))
    return body


def input_echo(stored: Mapping[str, str]) -> dict[str, str]:
    """The spec's `ContactEnrichmentInput`: `domain` and `linkedin_url` are renamed."""
    echo: dict[str, str] = {}
    first, last = stored.get("first_name", ""), stored.get("last_name", "")
    if first:
        echo["first_name"] = first
    if last:
        echo["last_name"] = last
    if first or last:
        echo["full_name"] = " ".join(p for p in (first, last) if p)
    if stored.get("raw_domain") or stored.get("domain"):
        echo["company_domain"] = stored.get("raw_domain") or stored["domain"]
    if stored.get("company_name"):
        echo["company_name"] = stored["company_name"]
    if stored.get("raw_linkedin_url") or stored.get("linkedin_url"):
        echo["professional_network_url"] = stored.get("raw_linkedin_url") or stored["linkedin_url"]
    return echo


def record(
    stored_input: Mapping[str, str],
    custom: Mapping[str, Any] | None,
    info: ContactInfo | None,
    provenance: bool = False,
) -> dict[str, Any]:
    """One `RecordEnrichment`. `info` is None for a contact never processed; with
    `provenance`, the record carries the `provenance` extension object."""
    body: dict[str, Any] = {
        "input": input_echo(stored_input),
        "custom": dict(custom or {}),
        "contact_info": contact_info_body(info or ContactInfo()),
    }
    if info is not None and info.profile:
        body["profile"] = dict(info.profile)
    if provenance:
        body["provenance"] = provenance_body(info or ContactInfo())
    return body
