"""v2 `/email/verify` (one address, synchronous) and `/email/verify/bulk` (jobs of up to
10,000 addresses, as JSON or a CSV upload; results as JSON or CSV)."""

from __future__ import annotations

import csv
import io

import orjson
from fastapi import APIRouter, Query, Request
from fastapi.responses import Response

from openenrich.api.deps import ApiKey, CurrentKey, Reader, Verify
from openenrich.api.http import json_body, json_response
from openenrich.enrichment.models import JobKind
from openenrich.errors import AppError
from openenrich.verification import validation
from openenrich.verification.report import CSV_COLUMNS, csv_cells

router = APIRouter()


@router.post("/email/verify")
async def verify_email(request: Request, who: CurrentKey, key: ApiKey, verify: Verify) -> Response:
    email = validation.one(await json_body(request))
    return json_response(await verify.verify_one(who, key, email))


@router.post("/email/verify/bulk")
async def start_verify_bulk(
    request: Request,
    who: CurrentKey,
    key: ApiKey,
    verify: Verify,
    name: str = Query(""),
    webhook_url: str = Query(""),
) -> Response:
    """JSON (`{"emails": [...]}`) or CSV (`Content-Type: text/csv`, name and webhook_url
    then come as query parameters)."""
    if request.headers.get("content-type", "").split(";")[0].strip() == "text/csv":
        raw = await request.body()
        try:
            text = raw.decode("utf-8-sig")
        except UnicodeDecodeError:
            raise AppError("error.verify.csv.invalid", "CSV is not UTF-8") from None
        bulk = validation.bulk_csv(text, name, webhook_url or None)
    else:
        bulk = validation.bulk_json(await json_body(request))
    job = await verify.start(who, key, bulk)
    return json_response({"id": job.id, "enrichment_id": job.id})


@router.get("/email/verify/bulk/{job_id}")
async def get_verify_bulk(
    job_id: str,
    request: Request,
    who: CurrentKey,
    reader: Reader,
    force_results: bool = Query(False, alias="forceResults"),
    format: str = Query("json"),
) -> Response:
    status, body = await reader.read(who, job_id, JobKind.VERIFY_EMAIL, force_results)
    wants_csv = format == "csv" or "text/csv" in request.headers.get("accept", "")
    if not wants_csv:
        return json_response(body, status)
    return Response(_csv(body), status_code=status, media_type="text/csv; charset=utf-8")


def _csv(body: bytes) -> bytes:
    """The records as CSV: our columns, then the upload's own columns (from `custom`)."""
    records = orjson.loads(body).get("data") or []
    extra: list[str] = []
    for record in records:
        for column in record.get("custom") or {}:
            if column not in extra:
                extra.append(column)
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow([*CSV_COLUMNS, *extra])
    for record in records:
        custom = record.get("custom") or {}
        writer.writerow([*csv_cells(record), *(custom.get(c, "") for c in extra)])
    return out.getvalue().encode()
