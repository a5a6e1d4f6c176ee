"""`openenrich enrich IN.csv -o OUT.csv`: a CSV file through any FullEnrich-compatible
server, via the SDK. Every expected failure ends with one clear line and exit code 2
(usage, file), 3 (credits ran out; rerun to continue) or 4 (the server refused)."""

from __future__ import annotations

import asyncio
import sys
import time
from pathlib import Path
from typing import Annotated

import typer

from openenrich.client import AsyncClient, EnrichField, OpenEnrichError
from openenrich.files import run as runner
from openenrich.files.mapping import (
    MappingError,
    apply_overrides,
    auto_map,
    check_usable,
    describe,
)
from openenrich.files.reading import CsvFormatError, detect, rows

DEFAULT_FIELDS = "work_email"
_FIELD_NAMES = {
    "work_email": EnrichField.WORK_EMAILS.value,
    "work_emails": EnrichField.WORK_EMAILS.value,
    "personal_email": EnrichField.PERSONAL_EMAILS.value,
    "personal_emails": EnrichField.PERSONAL_EMAILS.value,
    "phone": EnrichField.PHONES.value,
    "phones": EnrichField.PHONES.value,
}


def _fail(message: str, code: int = 2) -> typer.Exit:
    typer.echo(f"error: {message}", err=True)
    return typer.Exit(code)


def _fields(text: str) -> list[str]:
    chosen: list[str] = []
    for item in (part.strip().lower() for part in text.split(",") if part.strip()):
        value = _FIELD_NAMES.get(item.removeprefix("contact."))
        if value is None:
            raise _fail(f"--fields: unknown field {item!r} (work_email, personal_email, phone)")
        if value not in chosen:
            chosen.append(value)
    if not chosen:
        raise _fail("--fields: name at least one field")
    return chosen


class _Reporter:
    """A rich progress bar on a terminal; a plain line every few seconds otherwise."""

    def __init__(self, total: int) -> None:
        self.total = total
        self.tty = sys.stderr.isatty()
        self.last = 0.0
        self.bar = None
        if self.tty:
            from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn

            self.bar = Progress(
                TextColumn("enriching"),
                BarColumn(),
                MofNCompleteColumn(),
                TextColumn("{task.fields[found]}"),
                transient=False,
            )
            self.task = self.bar.add_task("rows", total=total, found="")
            self.bar.start()

    def __call__(self, stats: runner.Stats) -> None:
        done = max(stats.rows_done, 1)
        found = (
            f"work {stats.found_work / done:.0%} · personal {stats.found_personal / done:.0%}"
            f" · phone {stats.found_phone / done:.0%} · {stats.credits:g} credits"
        )
        if self.bar is not None:
            self.bar.update(self.task, completed=stats.rows_done, found=found)
            return
        now = time.monotonic()
        if now - self.last >= 2 or stats.rows_done == self.total:
            self.last = now
            typer.echo(f"{stats.rows_done}/{self.total} rows · {found}", err=True)

    def close(self) -> None:
        if self.bar is not None:
            self.bar.stop()


def register(app: typer.Typer) -> None:
    @app.command()
    def enrich(
        source: Annotated[Path, typer.Argument(help="The CSV file to enrich.")],
        output: Annotated[Path, typer.Option("-o", "--output", help="Where to write.")],
        fields: Annotated[
            str, typer.Option(help="Comma-separated: work_email, personal_email, phone.")
        ] = DEFAULT_FIELDS,
        mapping: Annotated[
            list[str] | None,
            typer.Option("--map", help="COLUMN=FIELD, repeatable (FIELD none unmaps)."),
        ] = None,
        base_url: Annotated[
            str | None, typer.Option(help="Server (default $OPENENRICH_BASE_URL).")
        ] = None,
        api_key: Annotated[
            str | None, typer.Option(help="API key (default $OPENENRICH_API_KEY).")
        ] = None,
        yes: Annotated[bool, typer.Option("--yes", "-y", help="Do not ask to confirm.")] = False,
        dry_run: Annotated[
            bool, typer.Option("--dry-run", help="Show the mapping and cost only.")
        ] = False,
        max_pending: Annotated[int, typer.Option(help="Jobs in flight at once.")] = 20,
        poll_interval: Annotated[float, typer.Option(help="First polling delay (s).")] = 1.0,
        max_poll_interval: Annotated[float, typer.Option(help="Longest polling delay (s).")] = 5.0,
    ) -> None:
        """Enrich a CSV file: keeps every column and row, appends enriched_* columns.
        Run the same command again after an interruption to continue where it stopped."""
        wanted = _fields(fields)
        try:
            fmt = detect(source)
            header, _ = rows(source, fmt)
            columns = apply_overrides(header, auto_map(header), mapping or [])
            check_usable(columns)
            plan = runner.plan(source, fmt, columns)
        except (CsvFormatError, MappingError) as error:
            raise _fail(f"{source}: {error}") from None
        if output.resolve() == source.resolve():
            raise _fail("the output must not be the input file")
        delimiter = {"\t": "tab"}.get(fmt.delimiter, fmt.delimiter)
        typer.echo(f"{source}: {plan.rows} rows, {fmt.encoding}, delimiter {delimiter}")
        for field, column in describe(header, columns):
            typer.echo(f"  {field:<13} <- {column}")
        typer.echo(f"to send: {plan.sendable} rows in {plan.batches()} jobs")
        for reason, count in sorted(plan.reasons.items()):
            typer.echo(f"not sent: {count} rows ({reason})")
        cost = plan.max_cost(wanted)
        typer.echo(
            f"fields: {', '.join(wanted)}; maximum cost {cost} credits "
            "(at FullEnrich's prices, only for what is found)"
        )
        if dry_run:
            return
        if not yes:
            if not sys.stdin.isatty():
                raise _fail("not a terminal: pass --yes to spend credits, or --dry-run")
            if not typer.confirm("Spend up to that?", default=False):
                raise typer.Exit(1)
        reporter = _Reporter(plan.rows)

        async def main() -> runner.Stats:
            async with AsyncClient(
                base_url=base_url,
                api_key=api_key,
                poll_interval=poll_interval,
                max_poll_interval=max(poll_interval, max_poll_interval),
            ) as client:
                return await runner.enrich_file(
                    client,
                    source,
                    fmt,
                    columns,
                    output,
                    wanted,
                    total_rows=plan.rows,
                    max_pending=max_pending,
                    on_progress=reporter,
                )

        try:
            stats = asyncio.run(main())
        except runner.CreditsExhausted as error:
            raise _fail(str(error), 3) from None
        except runner.StateMismatch as error:
            raise _fail(str(error)) from None
        except CsvFormatError as error:
            raise _fail(f"{source}: {error}") from None
        except OpenEnrichError as error:
            raise _fail(str(error), 4) from None
        finally:
            reporter.close()
        typer.echo(
            f"wrote {output}: {stats.rows_done} rows; found work {stats.found_work}, "
            f"personal {stats.found_personal}, phone {stats.found_phone}; "
            f"{stats.credits:g} credits"
        )
