"""A minimal CSV reader for uploads: encoding and separator detection, rows streamed with
their line numbers, a clear error naming the line of a malformed record, and a guess of
which column holds which contact field.

Minimal on purpose: the shared `openenrich.files` package (CSV/XLSX for the CLI and the
dashboard) replaces it once it lands.
"""

from __future__ import annotations

import codecs
import csv
import re
from collections.abc import Iterator
from pathlib import Path

SEPARATORS = (",", ";", "\t")
_CHUNK = 64 * 1024
csv.field_size_limit(1024 * 1024)


class MalformedFile(ValueError):
    """The file cannot be read as CSV; the message names the line."""

    def __init__(self, line: int, problem: str) -> None:
        super().__init__(f"Line {line}: {problem}")
        self.line = line


def detect_encoding(path: Path) -> str:
    """UTF-8 (with or without BOM) when the whole file decodes as such, else Latin-1
    (Windows-1252 when it fits, which spreadsheet exports usually are)."""
    with path.open("rb") as handle:
        if b"\x00" in handle.read(_CHUNK):  # a spreadsheet, an archive, or UTF-16
            raise MalformedFile(1, _explain("NUL"))
        handle.seek(0)
        start = handle.read(3)
        if start == codecs.BOM_UTF8:
            return "utf-8-sig"
        handle.seek(0)
        for encoding in ("utf-8", "cp1252"):
            decoder = codecs.getincrementaldecoder(encoding)()
            handle.seek(0)
            try:
                while chunk := handle.read(_CHUNK):
                    decoder.decode(chunk)
                decoder.decode(b"", final=True)
            except UnicodeDecodeError:
                continue
            return encoding
    return "latin-1"


def detect_separator(path: Path, encoding: str) -> str:
    """The separator that splits the header line into the most columns (quotes aside)."""
    with path.open(encoding=encoding, newline="") as handle:
        first = handle.readline()
    unquoted = re.sub(r'"[^"]*"', "", first)
    counts = {sep: unquoted.count(sep) for sep in SEPARATORS}
    best = max(SEPARATORS, key=lambda sep: counts[sep])
    return best if counts[best] else ","


def records(path: Path, encoding: str, separator: str) -> Iterator[tuple[int, list[str]]]:
    """(line number where the record starts, cells), header included, blank lines skipped.
    Reads one record at a time, whatever the file's size."""
    with path.open(encoding=encoding, newline="") as handle:
        reader = csv.reader(handle, delimiter=separator, strict=True)
        start = 1
        width: int | None = None
        while True:
            try:
                cells = next(reader)
            except StopIteration:
                return
            except csv.Error as exc:
                raise MalformedFile(start, _explain(str(exc))) from None
            except UnicodeDecodeError:
                raise MalformedFile(start, "the text encoding changes in the file") from None
            line, start = start, reader.line_num + 1
            if not any(cell.strip() for cell in cells):
                continue
            if width is None:
                width = len(cells)
            elif len(cells) > width and any(c.strip() for c in cells[width:]):
                raise MalformedFile(line, f"{len(cells)} columns where the header has {width}")
            yield line, [cell.strip() for cell in cells[:width]] + [""] * (width - len(cells))


def _explain(message: str) -> str:
    if "NUL" in message:
        return "binary data, this is not a CSV file (save the sheet as CSV UTF-8)"
    if "unexpected end of data" in message or "EOF" in message:
        return "a quoted value is never closed"
    return message


_SYNONYMS: dict[str, tuple[str, ...]] = {
    "first_name": ("first name", "firstname", "first", "given name", "prenom", "prénom"),
    "last_name": ("last name", "lastname", "last", "surname", "family name", "nom"),
    "domain": (
        "domain",
        "company domain",
        "website",
        "company website",
        "url",
        "site",
        "company url",
    ),
    "company_name": ("company", "company name", "organization", "organisation", "account"),
    "linkedin_url": ("linkedin", "linkedin url", "linkedin profile", "profile url", "li url"),
}
TARGETS = tuple(_SYNONYMS)


def _plain(header: str) -> str:
    return re.sub(r"[\s_\-./]+", " ", header.strip().casefold()).strip()


def guess_mapping(header: list[str]) -> dict[str, int]:
    """Which column holds each contact field, by name; unknown fields are left out."""
    plain = [_plain(h) for h in header]
    mapping: dict[str, int] = {}
    for target, names in _SYNONYMS.items():
        for index, name in enumerate(plain):
            if index in mapping.values():
                continue
            if name in names or name == target.replace("_", " "):
                mapping[target] = index
                break
    return mapping
