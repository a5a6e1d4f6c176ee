"""Reading CSVs as people have them, and mapping their columns."""

from __future__ import annotations

import codecs
from pathlib import Path

import pytest

from openenrich.files.mapping import MappingError, apply_overrides, auto_map, prepare
from openenrich.files.reading import CsvFormatError, detect, rows

TEXT = (
    "Prénom{d}Nom{d}Société{d}Website{d}Notes\r\n"
    'Émile{d}Zola{d}Les Éditions{d}https://www.zola.example/x{d}"two\nlines"\r\n'
    "Ada{d}Lovelace{d}{d}ada.example{d}\r\n"
)


@pytest.mark.parametrize(
    ("encoding", "delimiter", "expected"),
    [
        ("utf-8", ",", "utf-8"),
        ("utf-8-sig", ",", "utf-8-sig"),
        ("utf-8", ";", "utf-8"),
        ("utf-8", "\t", "utf-8"),
        ("latin-1", ";", "cp1252"),
        ("cp1252", "\t", "cp1252"),
        ("utf-16", "\t", "utf-16"),
    ],
)
def test_dialects_and_encodings(
    tmp_path: Path, encoding: str, delimiter: str, expected: str
) -> None:
    path = tmp_path / "in.csv"
    path.write_bytes(TEXT.format(d=delimiter).encode(encoding))
    fmt = detect(path)
    assert (fmt.encoding, fmt.delimiter) == (expected, delimiter)
    header, data = rows(path, fmt)
    assert header[:3] == ["Prénom", "Nom", "Société"]
    found = list(data)
    assert [r.values[0] for r in found] == ["Émile", "Ada"]
    assert found[0].values[4] == "two\nlines"
    assert [r.line for r in found] == [2, 4]
    mapping = auto_map(header)
    assert mapping == {"first_name": 0, "last_name": 1, "company_name": 2, "website": 3}
    assert prepare(found[0].values, mapping).contact == {
        "first_name": "Émile",
        "last_name": "Zola",
        "domain": "zola.example",
        "company_name": "Les Éditions",
    }


def test_latin1_bytes_1252_leaves_undefined(tmp_path: Path) -> None:
    path = tmp_path / "in.csv"
    path.write_bytes(b"name,company\nA\x81b C,x\n")
    assert detect(path).encoding == "latin-1"


@pytest.mark.parametrize(
    ("content", "line", "words"),
    [
        (b'a,b\n1,2\n3,"open\n4,5\n', 3, "never closed"),
        (b'a,b\n1,2\n3,"x"y"\n', 3, "not doubled"),
        (b"a,b\n1,2\n3,4,5\n", 3, "3 fields where the header has 2"),
    ],
)
def test_malformed_files_name_the_line(
    tmp_path: Path, content: bytes, line: int, words: str
) -> None:
    path = tmp_path / "bad.csv"
    path.write_bytes(content)
    _, data = rows(path, detect(path))
    with pytest.raises(CsvFormatError) as caught:
        list(data)
    assert caught.value.line == line and words in str(caught.value)


def test_binary_files(tmp_path: Path) -> None:
    path = tmp_path / "bad.csv"
    path.write_bytes(b"a,b\n1,2\n\x00,4\n")
    with pytest.raises(CsvFormatError) as caught:
        detect(path)
    assert caught.value.line == 3 and "NUL" in str(caught.value)
    path.write_bytes(b"PK\x03\x04rest")
    with pytest.raises(CsvFormatError, match="spreadsheet"):
        detect(path)


def test_empty_file(tmp_path: Path) -> None:
    path = tmp_path / "empty.csv"
    path.write_bytes(b"")
    with pytest.raises(CsvFormatError, match="empty"):
        detect(path)
    path.write_bytes(codecs.BOM_UTF8)
    with pytest.raises(CsvFormatError, match="no header"):
        rows(path, detect(path))


def test_mapping_spellings_and_overrides() -> None:
    header = ["FIRST NAME", "last_name", "Full Name", "Organization", "LinkedIn Profile URL", "x"]
    mapping = auto_map(header)
    assert mapping == {
        "first_name": 0,
        "last_name": 1,
        "full_name": 2,
        "company_name": 3,
        "linkedin_url": 4,
    }
    changed = apply_overrides(header, mapping, ["x=domain", "organization=none"])
    assert changed["domain"] == 5 and "company_name" not in changed
    with pytest.raises(MappingError):
        apply_overrides(header, mapping, ["nope=domain"])
    with pytest.raises(MappingError):
        apply_overrides(header, mapping, ["x=fax"])


def test_prepare_reasons() -> None:
    mapping = {"full_name": 0, "domain": 1, "linkedin_url": 2}
    assert prepare(["Jean de la Fontaine", "lf.example", ""], mapping).contact == {
        "first_name": "Jean",
        "last_name": "de la Fontaine",
        "domain": "lf.example",
    }
    assert prepare(["", "", "linkedin.com/in/x"], mapping).contact == {
        "linkedin_url": "https://linkedin.com/in/x"
    }
    assert prepare(["Solo", "", ""], mapping).reason == "missing last_name, domain or company_name"
    assert prepare(["", "", "https://x.example/in/y"], mapping).reason == (
        "linkedin_url is not a LinkedIn profile URL"
    )
