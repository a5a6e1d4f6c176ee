"""Choosing what a record shows: best email first (never an invalid one), ties to the
input's domain, mobile phones in international format, nothing unproven."""

from __future__ import annotations

from openenrich.domain import EmailFinding, EmailStatus, Field, Finding, LineType, PhoneFinding
from openenrich.enrichment.assembly import collect, contact_info_body, record

WORK = Field.WORK_EMAIL.value
ALL = [WORK, Field.PERSONAL_EMAIL.value, Field.PHONE.value]


def work(email: str, status: EmailStatus | None) -> EmailFinding:
    return EmailFinding(email, Field.WORK_EMAIL, status)


def test_best_status_first_and_never_invalid() -> None:
    info = collect(
        [
            work("a@acme.example", EmailStatus.CATCH_ALL),
            work("b@acme.example", EmailStatus.INVALID),
            work("c@acme.example", EmailStatus.HIGH_PROBABILITY),
            work("d@acme.example", EmailStatus.UNKNOWN),
            work("e@acme.example", None),
            work("C@ACME.example", EmailStatus.DELIVERABLE),  # same address, better status
        ],
        [WORK],
        "acme.example",
    )
    body = contact_info_body(info)
    assert body["most_probable_work_email"] == {"email": "c@acme.example", "status": "DELIVERABLE"}
    # Unproven addresses (no status, UNKNOWN) are not shown; INVALID ones are, last.
    assert [e["email"] for e in body["work_emails"]] == [
        "c@acme.example",
        "a@acme.example",
        "b@acme.example",
    ]
    only_invalid = contact_info_body(
        collect([work("x@acme.example", EmailStatus.INVALID)], [WORK], "acme.example")
    )
    assert "most_probable_work_email" not in only_invalid
    assert only_invalid["work_emails"] == [{"email": "x@acme.example", "status": "INVALID"}]


def test_ties_prefer_the_input_domain() -> None:
    findings = [
        work("j@other.example", EmailStatus.DELIVERABLE),
        work("j@eu.acme.example", EmailStatus.DELIVERABLE),
    ]
    body = contact_info_body(collect(findings, [WORK], "acme.example"))
    assert body["most_probable_work_email"]["email"] == "j@eu.acme.example"


def test_phones_mobile_only_international_with_region() -> None:
    info = collect(
        [
            PhoneFinding("06 12 34 56 78", LineType.UNKNOWN, "FR"),
            PhoneFinding("+33612345678", LineType.MOBILE),  # the same number again
            PhoneFinding("+33 1 42 68 53 00"),  # a landline by its numbering plan
            PhoneFinding("+1 201-555-0123", LineType.LANDLINE),  # the source says landline
            PhoneFinding("not a number"),
        ],
        ALL,
        "",
    )
    body = contact_info_body(info)
    assert body["phones"] == [{"number": "+33 6 12 34 56 78", "region": "FR"}]
    assert body["most_probable_phone"] == body["phones"][0]
    assert info.items() == [Field.PHONE]


def test_only_requested_fields_are_kept_and_charged() -> None:
    findings: list[Finding] = [
        work("a@acme.example", EmailStatus.DELIVERABLE),
        EmailFinding("a@mail.example", Field.PERSONAL_EMAIL, EmailStatus.DELIVERABLE),
        PhoneFinding("+33612345678", LineType.MOBILE),
    ]
    info = collect(findings, [WORK], "acme.example")
    assert info.items() == [Field.WORK_EMAIL]
    body = record({"first_name": "A", "domain": "acme.example"}, {"k": "v"}, info)
    assert body["contact_info"]["personal_emails"] == [] and body["contact_info"]["phones"] == []
    assert body["input"] == {"first_name": "A", "full_name": "A", "company_domain": "acme.example"}
    info.without(Field.WORK_EMAIL)  # could not be paid for: withheld
    assert "most_probable_work_email" not in contact_info_body(info)
