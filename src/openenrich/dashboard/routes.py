"""The dashboard's pages under `/app`: server-rendered, one form per action, CSRF-checked.

Pages reach the same services as the API: jobs start through the API's use case and are
canceled through the jobs' own cancel, so the dashboard adds no second way to start or
charge anything.
"""

from __future__ import annotations

import csv
import io
import secrets
import tempfile
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Annotated, Any
from urllib.parse import quote

from fastapi import APIRouter, Depends, FastAPI, Request
from fastapi.responses import FileResponse, RedirectResponse, Response, StreamingResponse
from openpyxl import Workbook
from starlette.background import BackgroundTask
from starlette.datastructures import FormData

from openenrich.accounts import repository as accounts
from openenrich.accounts import revocations
from openenrich.accounts.models import ApiKey
from openenrich.accounts.repository import Caller
from openenrich.api.deps import Auth, Db, Jobs
from openenrich.dashboard import members, operator_views, queries, sessions, uploads
from openenrich.dashboard.deps import ContactsJobs, Dash, Process, Secret, get_dashboard
from openenrich.dashboard.models import Upload, UploadStatus
from openenrich.dashboard.receive import UploadRefused, receive
from openenrich.dashboard.sessions import COOKIE, LOGIN_COOKIE, SignedIn, same_token
from openenrich.db import Database
from openenrich.domain import Field
from openenrich.enrichment.jobs import ContactJobs
from openenrich.enrichment.models import Enrichment
from openenrich.enrichment.validation import BulkRequest
from openenrich.webhooks import repository as webhook_repository
from openenrich.webhooks.views import group

router = APIRouter(prefix="/app", include_in_schema=False)


class SignInRequired(Exception):
    """No live session: the browser is sent to the sign-in page."""


class Refused(Exception):
    """A request the member may not make (bad CSRF token, not an operator)."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message


def _secure(request: Request) -> bool:
    configured = get_dashboard(request).settings.secure_cookies
    return request.url.scheme == "https" if configured is None else configured


async def signed_in(request: Request, db: Db, state: Dash) -> SignedIn:
    token = request.cookies.get(COOKIE)
    if not token:
        raise SignInRequired
    async with db.read() as session:
        lookup = await sessions.resolve(session, token, state.idle)
    if lookup.expired:
        async with db.transaction() as session:
            await sessions.end(session, sessions.token_hash(token))
    if lookup.signed is None:
        raise SignInRequired
    if lookup.stale:
        async with db.transaction() as session:
            await sessions.touch(session, lookup.signed.token_hash)
    return lookup.signed


async def operator(who: Annotated[SignedIn, Depends(signed_in)]) -> SignedIn:
    if not who.operator:
        raise Refused(403, "This page is for operators of the server.")
    return who


Who = Annotated[SignedIn, Depends(signed_in)]
Operator = Annotated[SignedIn, Depends(operator)]


def _same_origin(request: Request) -> bool:
    origin = request.headers.get("origin")
    if not origin or origin == "null":
        return origin is None
    expected = f"{request.url.scheme}://{request.url.netloc}"
    forwarded = request.headers.get("x-forwarded-host")
    return origin == expected or (forwarded is not None and origin.endswith("//" + forwarded))


def check_csrf(request: Request, who: SignedIn, token: str | None) -> None:
    if not _same_origin(request) or not same_token(token, who.csrf_token):
        raise Refused(403, "This form has expired or did not come from this site. Reload it.")


async def form(request: Request, who: SignedIn) -> FormData:
    """The posted form, once its CSRF token and origin are checked."""
    data = await request.form()
    token = data.get("csrf_token")
    check_csrf(request, who, token if isinstance(token, str) else None)
    return data


def render(
    request: Request, template: str, who: SignedIn | None, status: int = 200, **context: Any
) -> Response:
    context.update(
        who=who,
        csrf=who.csrf_token if who else "",
        path=request.url.path,
    )
    response = get_dashboard(request).templates.TemplateResponse(
        request, template, context, status_code=status
    )
    _harden(response)
    return response


def _harden(response: Response) -> None:
    response.headers["Cache-Control"] = "no-store"
    response.headers["X-Frame-Options"] = "DENY"
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Referrer-Policy"] = "same-origin"
    response.headers["Content-Security-Policy"] = (
        "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
        "frame-ancestors 'none'; form-action 'self'; base-uri 'none'"
    )


def go(url: str) -> RedirectResponse:
    return RedirectResponse(url, status_code=303)


def not_found(request: Request, who: SignedIn, what: str) -> Response:
    return render(request, "message.html", who, 404, title="Not found", message=f"No such {what}.")


def _caller(who: SignedIn, sandbox: bool) -> Caller:
    # Dashboard jobs are started by a member, not an API key: no key id is recorded.
    return Caller(who.workspace_id, "", sandbox)


def install_handlers(app: FastAPI) -> None:
    async def sign_in_required(request: Request, _: Exception) -> Response:
        target = request.url.path
        if request.url.query:
            target += "?" + request.url.query
        if request.method != "GET" or request.headers.get("hx-request"):
            target = "/app/enrichments"
        response = go("/app/login?next=" + quote(target, safe="/"))
        if request.headers.get("hx-request"):
            response.headers["HX-Redirect"] = "/app/login"
        return response

    async def refused(request: Request, error: Exception) -> Response:
        assert isinstance(error, Refused)
        return render(
            request, "message.html", None, error.status, title="Refused", message=error.message
        )

    app.add_exception_handler(SignInRequired, sign_in_required)
    app.add_exception_handler(Refused, refused)


# --- sign-in --------------------------------------------------------------------------


def _login_page(
    request: Request, error: str | None = None, status: int = 200, email: str = ""
) -> Response:
    token = request.cookies.get(LOGIN_COOKIE) or secrets.token_urlsafe(24)
    response = render(
        request,
        "login.html",
        None,
        status,
        login_csrf=token,
        error=error,
        email=email,
        next=request.query_params.get("next", ""),
    )
    response.set_cookie(
        LOGIN_COOKIE, token, httponly=True, samesite="lax", path="/app", secure=_secure(request)
    )
    return response


@router.get("")
async def home() -> Response:
    return go("/app/enrichments")


@router.get("/login")
async def login_page(request: Request) -> Response:
    return _login_page(request)


@router.post("/login")
async def login(request: Request, db: Db) -> Response:
    data = await request.form()
    email = str(data.get("email") or "").strip()
    password = str(data.get("password") or "")
    if not _same_origin(request) or not same_token(
        str(data.get("csrf_token") or ""), request.cookies.get(LOGIN_COOKIE)
    ):
        return _login_page(request, "The form expired. Please sign in again.", 403, email)
    state = get_dashboard(request)
    address = request.client.host if request.client else "unknown"
    if not await state.throttle.allow(members.normalise_email(email), address):
        minutes = state.settings.login_window_minutes
        return _login_page(
            request, f"Too many attempts. Try again in {minutes} minutes.", 429, email
        )
    async with db.transaction() as session:
        member = await members.authenticate(session, email, password)
        token = (
            await sessions.create(session, member, state.idle, state.absolute) if member else None
        )
    if member is None or token is None:
        return _login_page(request, "Wrong email or password.", 401, email)
    target = str(data.get("next") or "")
    if not target.startswith("/app/") or target.startswith("//"):
        target = "/app/enrichments"
    response = go(target)
    response.set_cookie(
        COOKIE,
        token,
        max_age=int(state.absolute.total_seconds()),
        httponly=True,
        samesite="lax",
        secure=_secure(request),
        path="/app",
    )
    response.delete_cookie(LOGIN_COOKIE, path="/app")
    return response


@router.post("/logout")
async def logout(request: Request, who: Who, db: Db) -> Response:
    await form(request, who)
    async with db.transaction() as session:
        await sessions.end(session, who.token_hash)
    response = go("/app/login")
    response.delete_cookie(COOKIE, path="/app")
    return response


@router.post("/mode")
async def switch_mode(request: Request, who: Who, db: Db) -> Response:
    data = await form(request, who)
    async with db.transaction() as session:
        await sessions.set_mode(session, who.token_hash, data.get("mode") != "live")
    back = str(data.get("back") or "/app/enrichments")
    return go(back if back.startswith("/app/") else "/app/enrichments")


# --- enrichments ----------------------------------------------------------------------


@router.get("/enrichments")
async def enrichments(request: Request, who: Who, db: Db, before: str | None = None) -> Response:
    size = get_dashboard(request).settings.page_size
    async with db.read() as session:
        lines, next_cursor = await queries.enrichments_page(
            session, who.workspace_id, who.sandbox, before, size
        )
    return render(
        request,
        "enrichments.html",
        who,
        lines=lines,
        next_cursor=next_cursor,
        first_page=before is None,
    )


@router.get("/enrichments/{enrichment_id}")
async def enrichment(request: Request, who: Who, enrichment_id: str, db: Db) -> Response:
    async with db.read() as session:
        found = await queries.enrichment_of(session, enrichment_id, who.workspace_id)
        if found is None:
            return not_found(request, who, "enrichment")
        contacts = await queries.contacts_with_findings(session, found.id)
    return render(request, "enrichment.html", who, enrichment=found, contacts=contacts)


# --- uploads --------------------------------------------------------------------------


def _prices(jobs: ContactJobs) -> dict[str, int]:
    """Credits per found value, by the enrich field that finds it."""
    return {field: jobs.pricing.prices.get(Field(field), 0) for field in uploads.FIELD_LABELS}


@router.get("/uploads")
async def upload_list(request: Request, who: Who, db: Db) -> Response:
    async with db.read() as session:
        found = await uploads.list_uploads(session, who.workspace_id, 50)
    return render(request, "uploads.html", who, uploads=found)


@router.get("/uploads/new")
async def upload_form(request: Request, who: Who) -> Response:
    return render(request, "upload_new.html", who, error=None)


@router.post("/uploads")
async def upload_file(request: Request, who: Who, db: Db) -> Response:
    state = get_dashboard(request)
    try:
        got = await receive(request, "file", state.settings.max_upload_bytes)
    except UploadRefused as refused:
        return render(request, "upload_new.html", who, 400, error=str(refused))
    try:
        check_csrf(request, who, got.fields.get("csrf_token"))
        if got.path is None or not got.filename:
            return render(request, "upload_new.html", who, 400, error="Choose a CSV file.")
        try:
            upload = await uploads.ingest(
                db,
                who.workspace_id,
                who.member_id,
                who.sandbox,
                got.path,
                got.filename,
            )
        except uploads.UnreadableFile as unreadable:
            message = f"{got.filename} cannot be read. {unreadable}"
            return render(request, "upload_new.html", who, 400, error=message)
    finally:
        got.discard()
    return go(f"/app/uploads/{upload.id}")


async def _upload(db: Database, who: SignedIn, upload_id: str) -> Upload | None:
    async with db.read() as session:
        return await uploads.get_upload(session, upload_id, who.workspace_id)


async def _mapping_page(
    request: Request,
    who: SignedIn,
    db: Database,
    prices: dict[str, int],
    upload: Upload,
    status: int = 200,
    error: str | None = None,
) -> Response:
    checked = uploads.summary(upload, prices)
    async with db.read() as session:
        preview = await uploads.first_rows(session, upload.id, 5)
    return render(
        request,
        "upload_map.html",
        who,
        status,
        upload=upload,
        check=checked,
        preview=preview,
        targets=uploads.TARGET_LABELS,
        field_labels=uploads.FIELD_LABELS,
        prices=prices,
        error=error,
    )


@router.get("/uploads/{upload_id}")
async def upload_page(
    request: Request, who: Who, upload_id: str, db: Db, jobs: ContactsJobs
) -> Response:
    upload = await _upload(db, who, upload_id)
    if upload is None:
        return not_found(request, who, "upload")
    if upload.status == UploadStatus.READY:
        return await _mapping_page(request, who, db, _prices(jobs), upload)
    async with db.read() as session:
        progress = await uploads.progress(session, upload)
    return render(
        request,
        "upload_progress.html",
        who,
        upload=upload,
        progress=progress,
        field_labels=uploads.FIELD_LABELS,
    )


def _choice(data: FormData, upload: Upload) -> tuple[dict[str, int], list[str]]:
    mapping: dict[str, int] = {}
    for target in uploads.TARGET_LABELS:
        value = str(data.get(f"map_{target}") or "")
        if value.isdigit() and int(value) < len(upload.header):
            mapping[target] = int(value)
    fields = [str(f) for f in data.getlist("field") if f in uploads.FIELD_LABELS]
    return mapping, fields


@router.post("/uploads/{upload_id}")
async def upload_choose(
    request: Request, who: Who, upload_id: str, db: Db, jobs: ContactsJobs, starter: Jobs
) -> Response:
    data = await form(request, who)
    upload = await _upload(db, who, upload_id)
    if upload is None:
        return not_found(request, who, "upload")
    if upload.status != UploadStatus.READY:
        return go(f"/app/uploads/{upload.id}")
    mapping, fields = _choice(data, upload)
    prices = _prices(jobs)
    if not fields:
        problem = "Choose at least one field to find."
        return await _mapping_page(request, who, db, prices, upload, 400, problem)
    await uploads.save_choice(db, upload, mapping, fields)
    if data.get("action") != "start":
        return await _mapping_page(request, who, db, prices, upload)
    if not upload.valid_count:
        problem = "No row can be enriched yet."
        return await _mapping_page(request, who, db, prices, upload, 400, problem)
    if not upload.sandbox and data.get("confirm_live") != "yes":
        problem = "Tick the box to confirm spending live credits."
        return await _mapping_page(request, who, db, prices, upload, 400, problem)
    caller = _caller(who, upload.sandbox)

    async def start(bulk: BulkRequest) -> Enrichment:
        # No API key: dashboard jobs carry no webhook, so no signing state is kept.
        return await starter.start(caller, "", bulk)

    await uploads.start(db, upload, start)
    return go(f"/app/uploads/{upload.id}")


@router.get("/uploads/{upload_id}/progress")
async def upload_progress(request: Request, who: Who, upload_id: str, db: Db) -> Response:
    upload = await _upload(db, who, upload_id)
    if upload is None:
        return not_found(request, who, "upload")
    async with db.read() as session:
        progress = await uploads.progress(session, upload)
    return render(
        request,
        "_progress.html",
        who,
        upload=upload,
        progress=progress,
        field_labels=uploads.FIELD_LABELS,
    )


@router.post("/uploads/{upload_id}/cancel")
async def upload_cancel(
    request: Request, who: Who, upload_id: str, db: Db, jobs: ContactsJobs
) -> Response:
    await form(request, who)
    upload = await _upload(db, who, upload_id)
    if upload is None:
        return not_found(request, who, "upload")
    await uploads.cancel(db, upload, jobs.cancel)
    return go(f"/app/uploads/{upload.id}")


def _download_name(upload: Upload, suffix: str) -> str:
    stem = Path(upload.filename).stem or "upload"
    safe = "".join(c if c.isalnum() or c in "-_." else "_" for c in stem)[:80]
    return f"{safe}-enriched.{suffix}"


@router.get("/uploads/{upload_id}/result.csv")
async def download_csv(request: Request, who: Who, upload_id: str, db: Db) -> Response:
    upload = await _upload(db, who, upload_id)
    if upload is None:
        return not_found(request, who, "upload")

    async def body() -> AsyncIterator[bytes]:
        yield "\ufeff".encode()  # a BOM, so spreadsheet apps read UTF-8 as such
        buffer = io.StringIO()
        writer = csv.writer(buffer, delimiter=upload.delimiter, lineterminator="\r\n")
        async for row in uploads.export(db, upload):
            writer.writerow(row)
            if buffer.tell() > 64 * 1024:
                yield buffer.getvalue().encode()
                buffer.seek(0)
                buffer.truncate()
        yield buffer.getvalue().encode()

    name = _download_name(upload, "csv")
    return StreamingResponse(
        body(),
        media_type="text/csv; charset=utf-8",
        headers={
            "Content-Disposition": f'attachment; filename="{name}"',
            "Cache-Control": "no-store",
        },
    )


@router.get("/uploads/{upload_id}/result.xlsx")
async def download_xlsx(request: Request, who: Who, upload_id: str, db: Db) -> Response:
    upload = await _upload(db, who, upload_id)
    if upload is None:
        return not_found(request, who, "upload")
    book = Workbook(write_only=True)
    sheet = book.create_sheet("Enriched")
    async for row in uploads.export(db, upload):
        sheet.append(row)
    handle = tempfile.NamedTemporaryFile(suffix=".xlsx", delete=False)  # noqa: SIM115
    handle.close()
    path = Path(handle.name)
    book.save(path)
    return FileResponse(
        path,
        media_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        filename=_download_name(upload, "xlsx"),
        background=BackgroundTask(path.unlink, missing_ok=True),
        headers={"Cache-Control": "no-store"},
    )


# --- account --------------------------------------------------------------------------


@router.get("/account")
async def account(request: Request, who: Who, db: Db, before: int | None = None) -> Response:
    size = get_dashboard(request).settings.page_size
    async with db.read() as session:
        live = await accounts.balance(session, who.workspace_id, False)
        sandbox = await accounts.balance(session, who.workspace_id, True)
        lines, next_before = await queries.ledger_page(
            session, who.workspace_id, who.sandbox, before, size
        )
    return render(
        request,
        "account.html",
        who,
        live=live,
        sandbox=sandbox,
        lines=lines,
        next_before=next_before,
        first_page=before is None,
    )


async def _keys_page(
    request: Request,
    who: SignedIn,
    db: Database,
    new_key: str | None = None,
    error: str | None = None,
    status: int = 200,
) -> Response:
    async with db.read() as session:
        keys = await queries.keys_of(session, who.workspace_id)
    return render(request, "keys.html", who, status, keys=keys, new_key=new_key, error=error)


@router.get("/keys")
async def keys(request: Request, who: Who, db: Db) -> Response:
    return await _keys_page(request, who, db)


@router.post("/keys")
async def create_key(request: Request, who: Who, db: Db, secret: Secret) -> Response:
    data = await form(request, who)
    name = str(data.get("name") or "").strip()
    if not name:
        return await _keys_page(request, who, db, error="Give the key a name.", status=400)
    async with db.transaction() as session:
        created = await accounts.create_key(
            session, who.workspace_id, data.get("mode") != "live", secret, name
        )
    return await _keys_page(request, who, db, new_key=created.key)


@router.post("/keys/{key_id}/revoke")
async def revoke_key(request: Request, who: Who, key_id: str, db: Db, auth: Auth) -> Response:
    await form(request, who)
    # The operators' `keys revoke`: refused from the next request on, on every replica.
    if not await revocations.revoke(db, auth.revocations, who.workspace_id, key_id):
        async with db.read() as session:
            key = await session.get(ApiKey, key_id)
        if key is None or key.workspace_id != who.workspace_id:
            return not_found(request, who, "API key")
    return go("/app/keys")


# --- providers and webhooks -----------------------------------------------------------


@router.get("/providers")
async def providers(request: Request, who: Operator, db: Db, process: Process) -> Response:
    view = await operator_views.providers_view(db, process, checks=None)
    return render(request, "providers.html", who, view=view)


@router.post("/providers/check")
async def providers_check(request: Request, who: Operator, db: Db, process: Process) -> Response:
    await form(request, who)
    checks = await operator_views.check_keys(process)
    view = await operator_views.providers_view(db, process, checks=checks)
    return render(request, "providers.html", who, view=view)


@router.get("/webhooks")
async def webhooks(request: Request, who: Who, db: Db) -> Response:
    async with db.read() as session:
        events = await webhook_repository.events_of(session, who.workspace_id, None, None, 50)
        attempts = await webhook_repository.attempts_of(session, [e.id for e in events])
    return render(request, "webhooks.html", who, deliveries=group(events, attempts))


@router.post("/webhooks/{event_id}/redeliver")
async def redeliver(request: Request, who: Who, event_id: str, db: Db) -> Response:
    await form(request, who)
    async with db.transaction() as session:
        if await webhook_repository.get_event(session, event_id, who.workspace_id) is None:
            return not_found(request, who, "delivery")
        await webhook_repository.reschedule(session, event_id)
    return go("/app/webhooks")
