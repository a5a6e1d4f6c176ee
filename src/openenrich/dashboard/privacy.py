"""What the dashboard keeps of people, registered with `openenrich.privacy`: the lines of
uploaded files (each row's cells, as uploaded). Members and their sessions are the
server's users, not the contacts it enriches."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession

from openenrich.dashboard.models import Upload, UploadRow
from openenrich.db import rows_affected
from openenrich.privacy.registry import Found, Store
from openenrich.privacy.settings import PrivacySettings
from openenrich.privacy.subjects import Person


def _as_input(upload: Upload, cells: list[str]) -> dict[str, str]:
    """A row as the contact input its upload's column mapping makes of it."""
    found = {}
    for name, column in (upload.mapping or {}).items():
        if str(column).isdigit() and int(column) < len(cells):
            found[name] = cells[int(column)].strip()
    return found


async def erase(session: AsyncSession, person: Person) -> Found:
    """Uploaded lines that name the person (by the mapped columns, or quoting one of their
    addresses or profile handles anywhere) are deleted."""
    needles = person.needles()
    uploads = select(Upload)
    if person.workspace_id is not None:
        uploads = uploads.where(Upload.workspace_id == person.workspace_id)
    removed = 0
    for upload in (await session.execute(uploads)).scalars():
        rows = await session.execute(select(UploadRow).where(UploadRow.upload_id == upload.id))
        for row in rows.scalars():
            text = "\x1f".join(row.cells).lower()
            if person.is_input_of(_as_input(upload, row.cells)) or any(
                needle in text for needle in needles
            ):
                await session.delete(row)
                removed += 1
    return Found(removed, removed)


async def purge(session: AsyncSession, now: datetime, limit: int, settings: PrivacySettings) -> int:
    """Uploads older than the results' retention, with their lines."""
    cutoff = now - timedelta(days=settings.result_retention_days)
    old = list(
        (
            await session.execute(select(Upload.id).where(Upload.created_at < cutoff).limit(limit))
        ).scalars()
    )
    if not old:
        return 0
    await session.execute(delete(UploadRow).where(UploadRow.upload_id.in_(old)))
    return rows_affected(await session.execute(delete(Upload).where(Upload.id.in_(old))))


STORES = [
    Store(
        name="uploads",
        tables=("uploads", "upload_rows"),
        keeps="the lines of files uploaded to the dashboard, as uploaded",
        retention=lambda s: f"{s.result_retention_days:g} days after the upload",
        erase=erase,
        purge=purge,
    )
]

EXEMPT = {
    "members": "the dashboard's users: sign-in emails and argon2 password hashes",
    "web_sessions": "sign-in sessions of those users (token digests)",
}
