"""Streaming multipart: the file part goes to a temporary file chunk by chunk as it
arrives, so an upload's size never shows in the server's memory."""

from __future__ import annotations

import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO

from python_multipart.multipart import MultipartParser, parse_options_header
from starlette.requests import Request

MAX_FIELD = 4096


class UploadRefused(ValueError):
    """The request is not a usable upload (message shown to the member)."""


@dataclass
class Received:
    fields: dict[str, str] = field(default_factory=dict)
    path: Path | None = None
    filename: str = ""
    size: int = 0

    def discard(self) -> None:
        if self.path is not None:
            self.path.unlink(missing_ok=True)
            self.path = None


async def receive(request: Request, file_field: str, limit: int) -> Received:
    """Small form fields in memory, the one file field on disk; refuses over `limit`."""
    content_type, params = parse_options_header(request.headers.get("content-type", ""))
    boundary = params.get(b"boundary")
    if content_type != b"multipart/form-data" or not boundary:
        raise UploadRefused("Send the file with the upload form.")
    got = Received()
    state: dict[str, bytes] = {"header_field": b"", "header_value": b""}
    headers: dict[bytes, bytes] = {}
    current: dict[str, object] = {}
    sink: list[IO[bytes]] = []
    values: list[bytes] = []

    def on_part_begin() -> None:
        headers.clear()
        current.clear()
        values.clear()

    def on_header_field(data: bytes, start: int, end: int) -> None:
        state["header_field"] += data[start:end]

    def on_header_value(data: bytes, start: int, end: int) -> None:
        state["header_value"] += data[start:end]

    def on_header_end() -> None:
        headers[state["header_field"].lower()] = state["header_value"]
        state["header_field"] = state["header_value"] = b""

    def on_headers_finished() -> None:
        _, options = parse_options_header(headers.get(b"content-disposition", b""))
        name = options.get(b"name", b"").decode("utf-8", "replace")
        current["name"] = name
        if name == file_field and b"filename" in options:
            got.filename = options[b"filename"].decode("utf-8", "replace")[-255:]
            handle = tempfile.NamedTemporaryFile(prefix="openenrich-upload-", delete=False)  # noqa: SIM115
            got.path = Path(handle.name)
            sink.append(handle)
            current["file"] = True

    def on_part_data(data: bytes, start: int, end: int) -> None:
        if current.get("file"):
            got.size += end - start
            if got.size > limit:
                raise UploadRefused(f"The file is larger than {limit // (1024 * 1024)} MB.")
            sink[-1].write(data[start:end])
        else:
            values.append(data[start:end])
            if sum(len(v) for v in values) > MAX_FIELD:
                raise UploadRefused("A form field is too long.")

    def on_part_end() -> None:
        if current.get("file"):
            sink[-1].close()
        elif current.get("name"):
            got.fields[str(current["name"])] = b"".join(values).decode("utf-8", "replace")

    parser = MultipartParser(
        boundary,
        {
            "on_part_begin": on_part_begin,
            "on_header_field": on_header_field,
            "on_header_value": on_header_value,
            "on_header_end": on_header_end,
            "on_headers_finished": on_headers_finished,
            "on_part_data": on_part_data,
            "on_part_end": on_part_end,
        },
    )
    try:
        async for chunk in request.stream():
            parser.write(chunk)
        parser.finalize()
    except Exception as exc:
        for handle in sink:
            handle.close()
        got.discard()
        if isinstance(exc, UploadRefused):
            raise
        raise UploadRefused("The upload was cut off or is not a form upload.") from None
    return got
