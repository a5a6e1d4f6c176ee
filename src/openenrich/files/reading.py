"""Reading the CSV files people actually have: UTF-8 with or without BOM, UTF-16 from
Excel's "Unicode text", Windows-1252/Latin-1 from older exports; `,` `;` tab or `|`; quoted
newlines. A file that cannot be read raises `CsvFormatError` with the line number, which
callers show as is, so no one sees a traceback for a bad file."""

from __future__ import annotations

import codecs
import csv
import hashlib
import io
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

DELIMITERS = (",", ";", "\t", "|")
SAMPLE_BYTES = 64 * 1024
# Bytes Windows-1252 leaves undefined: a file holding them is Latin-1, not 1252.
_UNDEFINED_1252 = frozenset(b"\x81\x8d\x8f\x90\x9d")
# Large enough for long free-text cells, small enough to stop at a runaway quote.
csv.field_size_limit(10 * 1024 * 1024)


class CsvFormatError(Exception):
    """The file cannot be read as CSV; `line` is 1-based, None when not about one line."""

    def __init__(self, message: str, line: int | None = None) -> None:
        super().__init__(f"line {line}: {message}" if line else message)
        self.line = line
        self.reason = message


@dataclass(frozen=True)
class CsvFormat:
    encoding: str
    delimiter: str
    bom: bool
    sha256: str
    size: int


@dataclass(frozen=True)
class Row:
    index: int  # 0-based position among data rows
    line: int  # 1-based line where the record starts
    values: list[str]


def detect(path: Path) -> CsvFormat:
    """Encoding (from the BOM, else a full strict UTF-8 pass), delimiter (the candidate that
    splits the first records most consistently) and a digest of the bytes, so a resumed run
    can tell the file did not change."""
    digest = hashlib.sha256()
    size = 0
    decoder = codecs.getincrementaldecoder("utf-8")()
    utf8 = True
    undefined_1252 = False
    line = 1
    try:
        with path.open("rb") as handle:
            head = handle.read(4)
            handle.seek(0)
            if head.startswith(b"PK\x03\x04"):
                raise CsvFormatError("this is a spreadsheet (XLSX/zip), not CSV: save it as CSV")
            wide = head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE))
            while chunk := handle.read(1024 * 1024):
                digest.update(chunk)
                size += len(chunk)
                nul = -1 if wide else chunk.find(b"\x00")
                if nul >= 0:
                    at = line + chunk[:nul].count(b"\n")
                    raise CsvFormatError("the line contains a NUL byte (binary data?)", at)
                undefined_1252 = undefined_1252 or bool(_UNDEFINED_1252.intersection(chunk))
                line += chunk.count(b"\n")
                if utf8:
                    try:
                        decoder.decode(chunk)
                    except UnicodeDecodeError:
                        utf8 = False
            if utf8:
                try:
                    decoder.decode(b"", final=True)
                except UnicodeDecodeError:
                    utf8 = False
    except OSError as error:
        raise CsvFormatError(f"cannot read {path}: {error.strerror or error}") from None
    if size == 0:
        raise CsvFormatError("the file is empty")
    bom = False
    if head.startswith(codecs.BOM_UTF8):
        encoding, bom = "utf-8-sig", True
    elif head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        encoding, bom = "utf-16", True
    elif utf8:
        encoding = "utf-8"
    else:
        encoding = "latin-1" if undefined_1252 else "cp1252"
    sample = _sample(path, encoding)
    return CsvFormat(encoding, _delimiter(sample), bom, digest.hexdigest(), size)


def _sample(path: Path, encoding: str) -> str:
    with path.open("r", encoding=encoding, newline="", errors="replace") as handle:
        text = handle.read(SAMPLE_BYTES)
    cut = max(text.rfind("\n"), text.rfind("\r"))
    return text[: cut + 1] if cut > 0 and len(text) >= SAMPLE_BYTES else text


def _delimiter(sample: str) -> str:
    best, best_score = ",", (-1.0, 0)
    for candidate in DELIMITERS:
        try:
            records = []
            for record in csv.reader(io.StringIO(sample), delimiter=candidate):
                if record:
                    records.append(record)
                if len(records) >= 50:
                    break
        except csv.Error:
            continue
        if not records or len(records[0]) < 2:
            continue
        width = len(records[0])
        consistent = sum(1 for r in records if len(r) == width) / len(records)
        score = (consistent, width)
        if score > best_score:
            best, best_score = candidate, score
    return best


def rows(path: Path, fmt: CsvFormat) -> tuple[list[str], Iterator[Row]]:
    """The header and an iterator over the data rows (blank lines skipped). Short rows are
    padded; a row longer than the header is an error unless its extra cells are empty."""
    handle = path.open("r", encoding=fmt.encoding, newline="")
    reader = csv.reader(handle, delimiter=fmt.delimiter, strict=True)
    try:
        header = next(reader)
    except StopIteration:
        handle.close()
        raise CsvFormatError("the file has no header line", 1) from None
    except (csv.Error, UnicodeDecodeError) as error:
        handle.close()
        raise CsvFormatError(str(error), reader.line_num or 1) from None
    header = [h.strip() for h in header]
    if not any(header):
        handle.close()
        raise CsvFormatError("the header line is empty", 1)
    width = len(header)

    def data() -> Iterator[Row]:
        index = 0
        start = reader.line_num + 1
        try:
            while True:
                try:
                    record = next(reader)
                except StopIteration:
                    return
                except csv.Error as error:
                    raise CsvFormatError(_explain(error), start) from None
                except UnicodeDecodeError as error:
                    raise CsvFormatError(
                        f"not {fmt.encoding} text: {error.reason}", start
                    ) from None
                line, start = start, reader.line_num + 1
                if not record or (len(record) == 1 and not record[0].strip()):
                    continue
                if len(record) > width:
                    if any(cell.strip() for cell in record[width:]):
                        raise CsvFormatError(
                            f"{len(record)} fields where the header has {width} "
                            f"(is a value holding an unquoted '{_show(fmt.delimiter)}'?)",
                            line,
                        )
                    record = record[:width]
                elif len(record) < width:
                    record = record + [""] * (width - len(record))
                yield Row(index, line, record)
                index += 1
        finally:
            handle.close()

    return header, data()


def _explain(error: csv.Error) -> str:
    text = str(error)
    if "unexpected end of data" in text or "EOF" in text:
        return "a quoted value is never closed"
    if "expected after" in text:
        return "a quote inside a quoted value is not doubled"
    if "NUL" in text:
        return "the line contains a NUL byte (is this a spreadsheet, not a CSV?)"
    return text


def _show(delimiter: str) -> str:
    return "\\t" if delimiter == "\t" else delimiter
