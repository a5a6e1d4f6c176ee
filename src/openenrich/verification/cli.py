"""`openenrich verify EMAIL...` and `openenrich find FIRST LAST DOMAIN`."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Mapping
from typing import Annotated, Any

import typer

from openenrich.verification.doctor import Doctor, Level
from openenrich.verification.engine import EmailEngine
from openenrich.verification.evidence import as_verdict, find_evidence
from openenrich.verification.settings import VerificationSettings
from openenrich.verification.verdict import FindResult

JsonOpt = Annotated[bool, typer.Option("--json", help="One JSON object per line.")]
TimeoutOpt = Annotated[
    float | None,
    typer.Option("--timeout", help="Seconds for the whole check, greylisting retries included."),
]


def _print(record: dict[str, Any], as_json: bool) -> None:
    if as_json:
        typer.echo(json.dumps(record, default=str))
        return
    typer.echo(f"{record['email'] or '-'}  {record['status']}")
    flags = [k for k in ("personal", "disposable", "role") if record.get(k)]
    if flags:
        typer.echo(f"  flags: {', '.join(flags)}")
    evidence: Mapping[str, Any] = record.get("evidence", {})
    for key, value in evidence.items():
        if value not in (None, [], {}):
            typer.echo(f"  {key}: {value}")


async def _verify(emails: list[str], time_limit: float | None) -> list[dict[str, Any]]:
    engine = EmailEngine(VerificationSettings())
    try:
        results = await asyncio.gather(*(engine.verify(e, time_limit=time_limit) for e in emails))
    finally:
        await engine.aclose()
    return [
        {
            "email": v.email,
            "status": v.status.value,
            "personal": v.personal,
            "disposable": v.disposable,
            "role": v.role,
            "evidence": dict(v.evidence),
        }
        for v in map(as_verdict, results)
    ]


async def _find(first: str, last: str, domain: str, time_limit: float | None) -> FindResult:
    engine = EmailEngine(VerificationSettings())
    try:
        return await engine.find(first, last, domain, time_limit=time_limit)
    finally:
        await engine.aclose()


def register(app: typer.Typer) -> None:
    @app.command("doctor")
    def doctor(
        domain: Annotated[
            str, typer.Option("--domain", help="A domain whose MX to try port 25 on.")
        ] = "gmail.com",
    ) -> None:
        """Check that this machine can verify addresses: DNS, outbound port 25, HELO name
        and its reverse DNS, the sending address. Exits 1 when something must be fixed."""
        checks = asyncio.run(Doctor(VerificationSettings()).run(domain))
        for check in checks:
            typer.echo(f"{check.level.value:4}  {check.name:6}  {check.detail}")
            if check.fix:
                typer.echo(f"      fix: {check.fix}")
        if any(check.level is Level.FAIL for check in checks):
            raise typer.Exit(1)

    @app.command("verify")
    def verify(emails: list[str], as_json: JsonOpt = False, timeout: TimeoutOpt = None) -> None:
        """Check addresses against their domain's mail server (no mail is sent)."""
        for record in asyncio.run(_verify(emails, timeout)):
            _print(record, as_json)

    @app.command("find")
    def find(
        first: str, last: str, domain: str, as_json: JsonOpt = False, timeout: TimeoutOpt = None
    ) -> None:
        """Find a person's work address at a company domain."""
        result = asyncio.run(_find(first, last, domain, timeout))
        record = {
            "email": result.email,
            "status": result.status.value,
            "evidence": find_evidence(result),
            "tried": list(result.tried),
        }
        _print(record, as_json)
