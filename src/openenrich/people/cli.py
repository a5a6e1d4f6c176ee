"""`openenrich import people|companies FILE`: your own people and companies into the store.

Every expected failure (a file that cannot be read, an unknown workspace, a bad `--map`)
ends with one `error:` line and exit code 2; rejected rows are reported in the summary
and do not change the exit code."""

from __future__ import annotations

import gc
import json
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated, Any

import typer
from sqlalchemy.exc import SQLAlchemyError

from openenrich.cli import with_db
from openenrich.db import Database
from openenrich.people import importer
from openenrich.people.importer import ImportFailed, Kind, Summary

Workspace = Annotated[
    str | None,
    typer.Option(
        "--workspace",
        metavar="ID",
        help="The workspace that owns the records (default: visible to every workspace).",
    ),
]
Mapping = Annotated[
    list[str] | None,
    typer.Option(
        "--map",
        metavar="COLUMN=FIELD",
        help="CSV: fill FIELD from COLUMN (repeatable; FIELD none leaves COLUMN out).",
    ),
]
AsJson = Annotated[bool, typer.Option("--json", help="Print the summary as one JSON object.")]
File = Annotated[Path, typer.Argument(metavar="FILE", help="JSON Lines (.jsonl) or CSV.")]


def _help(kind: Kind) -> str:
    people = kind is Kind.PEOPLE
    noun, shape = ("people", "Person") if people else ("companies", "Company")
    example = (
        "employment.current.company.headcount_range" if people else "locations.headquarters.line1"
    )
    lists = "skills and languages" if people else "specialties"
    size = "company_size" if people else "headcount"
    return (
        f"Import {noun} into the store: JSON Lines of the spec's `{shape}` (one per line), "
        "or CSV with columns recognised by their header. Importing the same file again "
        "changes nothing; rejected lines are listed with their reason.\n\n"
        f"CSV fields for --map: {', '.join(importer.fields_of(kind))}; or a dotted path into "
        f"the spec's `{shape}`, e.g. {example}. {lists.capitalize()} are split on ';' or ','; "
        f"{size} takes a number or a range ('51-200'); linkedin_url takes a URL or a handle"
        + ("; location reads 'City, Region, Country'." if people else ".")
    )


class _Progress:
    """A rich progress bar on stdout when it is a terminal; nothing otherwise."""

    def __init__(self, kind: Kind, enabled: bool) -> None:
        self.bar: Any = None
        if not enabled:
            return
        from rich.progress import (
            BarColumn,
            DownloadColumn,
            Progress,
            TextColumn,
            TimeRemainingColumn,
        )

        self.bar = Progress(
            TextColumn(f"importing {kind.value}"),
            BarColumn(),
            DownloadColumn(),
            TextColumn("{task.fields[counts]}"),
            TimeRemainingColumn(),
            transient=True,
        )
        self.task = self.bar.add_task("import", total=None, counts="")
        self.bar.start()

    def __call__(self, summary: Summary, done: int, total: int) -> None:
        if self.bar is None:
            return
        counts = (
            f"{summary.read:,} read · {summary.inserted:,} new · {summary.merged:,} merged"
            f" · {summary.rejected:,} rejected"
        )
        self.bar.update(self.task, completed=done, total=total, counts=counts)

    def close(self) -> None:
        if self.bar is not None:
            self.bar.stop()


def _print(summary: Summary) -> None:
    typer.echo(
        f"{summary.file}: {summary.read} read, {summary.inserted} inserted, "
        f"{summary.merged} merged, {summary.unchanged} unchanged, {summary.rejected} rejected"
    )
    owner = f"workspace {summary.workspace}" if summary.workspace else "every workspace"
    typer.echo(f"  {summary.kind.value} for {owner}, source {summary.source}")
    if summary.columns:
        pairs = ", ".join(f"{column} -> {name}" for column, name in summary.columns.items())
        typer.echo(f"  columns: {pairs}")
    if summary.ignored_columns:
        typer.echo(f"  columns left out: {', '.join(summary.ignored_columns)}")
    if summary.ignored_fields:
        typer.echo(
            "  fields the spec does not have, left out: "
            + ", ".join(f"{path} ({count})" for path, count in summary.ignored_fields.items())
        )
    for error in summary.errors:
        typer.echo(f"  line {error.line}: {error.reason}")
    if summary.not_listed:
        typer.echo(f"  ... and {summary.not_listed} more rejected lines")


@contextmanager
def _frozen_heap() -> Iterator[None]:
    """What is loaded before the import (modules, caches) is frozen for its run: the
    collector's full passes no longer rescan it each time, which took a fifth of an
    import's time. Collections themselves keep their pace, so memory stays flat."""
    gc.freeze()
    try:
        yield
    finally:
        gc.unfreeze()


def _run(
    kind: Kind, file: Path, workspace: str | None, overrides: list[str], as_json: bool
) -> None:
    progress = _Progress(kind, enabled=not as_json and sys.stdout.isatty())

    async def work(db: Database) -> Summary:
        importer.tune_for_import(db)
        return await importer.import_file(
            db, kind, file, workspace=workspace, overrides=overrides, on_progress=progress
        )

    try:
        with _frozen_heap():
            summary = with_db(work, **importer.ENGINE_OPTIONS)
    except ImportFailed as error:
        typer.echo(f"error: {error}", err=True)
        raise typer.Exit(2) from None
    except SQLAlchemyError as error:
        reason = str(getattr(error, "orig", None) or error).strip().splitlines()
        typer.echo(
            f"error: the database: {reason[0] if reason else type(error).__name__}", err=True
        )
        raise typer.Exit(1) from None
    finally:
        progress.close()
    if as_json:
        typer.echo(json.dumps(summary.as_dict()))
    else:
        _print(summary)


def register(app: typer.Typer) -> None:
    imports = typer.Typer(
        help="Import your own people and companies into the store.", no_args_is_help=True
    )
    app.add_typer(imports, name="import")

    @imports.command("people", help=_help(Kind.PEOPLE))
    def people(
        file: File,
        workspace: Workspace = None,
        mapping: Mapping = None,
        as_json: AsJson = False,
    ) -> None:
        _run(Kind.PEOPLE, file, workspace, mapping or [], as_json)

    @imports.command("companies", help=_help(Kind.COMPANIES))
    def companies(
        file: File,
        workspace: Workspace = None,
        mapping: Mapping = None,
        as_json: AsJson = False,
    ) -> None:
        _run(Kind.COMPANIES, file, workspace, mapping or [], as_json)
