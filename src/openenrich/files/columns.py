"""The columns appended to an enriched file, and how a result fills them. Documented in
README ("CSV enrichment"); scripts rely on the names, so add, never rename."""

from __future__ import annotations

from collections.abc import Iterable

from openenrich.client import EnrichmentRecord

RESULT_COLUMNS = (
    "enriched_work_email",
    "enriched_work_email_status",
    "enriched_personal_email",
    "enriched_personal_email_status",
    "enriched_phone",
    "enriched_phone_region",
    "enriched_other_work_emails",
    "enriched_other_personal_emails",
    "enriched_other_phones",
    "enriched_linkedin_url",
    "enriched_full_name",
    "enriched_title",
    "enriched_company",
    "enriched_company_domain",
    "enriched_status",
    "enriched_reason",
)

# enriched_status values
FOUND = "found"
NOT_FOUND = "not_found"
NOT_SENT = "not_sent"
CREDITS_INSUFFICIENT = "credits_insufficient"
FAILED = "failed"


def _join(values: Iterable[str | None], skip: str | None) -> str:
    return ";".join(v for v in values if v and v != skip)


def not_sent(reason: str) -> list[str]:
    return [""] * (len(RESULT_COLUMNS) - 2) + [NOT_SENT, reason]


def result_cells(record: EnrichmentRecord | None, job_status: str) -> list[str]:
    """The appended cells for one row. `job_status` is its job's final status: a row of a
    job that ran out of credits or failed says so when nothing came back for it."""
    if record is None:
        return [""] * (len(RESULT_COLUMNS) - 2) + [NOT_SENT, "rejected by the server"]
    info = record.contact_info
    work = info.most_probable_work_email if info else None
    personal = info.most_probable_personal_email if info else None
    phone = info.most_probable_phone if info else None
    profile = record.profile
    current = profile.employment.current if profile and profile.employment else None
    company = current.company if current else None
    network = (
        profile.social_profiles.professional_network
        if profile and profile.social_profiles
        else None
    )
    cells = [
        (work.email or "") if work else "",
        (work.status or "") if work else "",
        (personal.email or "") if personal else "",
        (personal.status or "") if personal else "",
        (phone.number or "") if phone else "",
        (phone.region or "") if phone else "",
        _join(
            (e.email for e in (info.work_emails or [])) if info else (),
            work.email if work else None,
        ),
        _join(
            (e.email for e in (info.personal_emails or [])) if info else (),
            personal.email if personal else None,
        ),
        _join(
            (p.number for p in (info.phones or [])) if info else (), phone.number if phone else None
        ),
        (network.url or "") if network else "",
        (profile.full_name or "") if profile else "",
        (current.title or "") if current else "",
        (company.name or "") if company else "",
        (company.domain or "") if company else "",
    ]
    found = any(cells[i] for i in (0, 2, 4))
    if found:
        status, reason = FOUND, ""
    elif job_status == "CREDITS_INSUFFICIENT":
        status, reason = CREDITS_INSUFFICIENT, "the workspace ran out of credits"
    elif job_status != "FINISHED":
        status, reason = FAILED, f"the enrichment ended {job_status}"
    else:
        status, reason = NOT_FOUND, ""
    return [*cells, status, reason]
