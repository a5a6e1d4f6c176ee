"""Findings, verdicts and companies to JSON and back, for the result cache."""

from __future__ import annotations

from typing import Any

import orjson

from openenrich.domain import (
    EmailFinding,
    EmailStatus,
    Field,
    Finding,
    LineType,
    PhoneFinding,
    ProfileFinding,
    Verdict,
)


def _finding_to_dict(finding: Finding) -> dict[str, Any]:
    if isinstance(finding, EmailFinding):
        return {
            "type": "email",
            "email": finding.email,
            "field": str(finding.field),
            "status": finding.status and str(finding.status),
        }
    if isinstance(finding, PhoneFinding):
        return {
            "type": "phone",
            "number": finding.number,
            "line_type": str(finding.line_type),
            "region": finding.region,
        }
    return {"type": "profile", "person": dict(finding.person)}


def _finding_from_dict(data: dict[str, Any]) -> Finding:
    if data["type"] == "email":
        status = data.get("status")
        return EmailFinding(
            email=data["email"],
            field=Field(data["field"]),
            status=EmailStatus(status) if status else None,
        )
    if data["type"] == "phone":
        return PhoneFinding(
            number=data["number"], line_type=LineType(data["line_type"]), region=data["region"]
        )
    return ProfileFinding(person=data["person"])


def dump_findings(findings: list[Finding]) -> str:
    return orjson.dumps([_finding_to_dict(f) for f in findings]).decode()


def load_findings(payload: str) -> list[Finding]:
    return [_finding_from_dict(item) for item in orjson.loads(payload)]


def dump_verdict(verdict: Verdict) -> str:
    return orjson.dumps(
        {
            "email": verdict.email,
            "status": str(verdict.status),
            "evidence": dict(verdict.evidence),
            "personal": verdict.personal,
            "disposable": verdict.disposable,
            "role": verdict.role,
        },
        default=str,
    ).decode()


def load_verdict(payload: str) -> Verdict:
    data = orjson.loads(payload)
    return Verdict(
        email=data["email"],
        status=EmailStatus(data["status"]),
        evidence=data.get("evidence") or {},
        personal=bool(data.get("personal")),
        disposable=bool(data.get("disposable")),
        role=bool(data.get("role")),
    )


def dump_company(company: dict[str, Any]) -> str:
    return orjson.dumps(company).decode()


def load_company(payload: str) -> dict[str, Any]:
    data = orjson.loads(payload)
    if not isinstance(data, dict):
        raise ValueError("a cached company is an object")
    return data
