from __future__ import annotations

import tempfile
from collections.abc import Iterator
from datetime import UTC, datetime, time
from typing import IO

from flask import (
    Response,
    abort,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user

from archive.auth.decorators import role_required
from archive.curation import bp
from archive.curation.forms import ExportFilterForm, RestoreForm, WithdrawForm
from archive.curation.withdrawal import (
    WithdrawalError,
    restore_item,
    withdraw_item,
    withdrawn_items,
)
from archive.extensions import db
from archive.forms import required_text
from archive.harvesting.exporters import FORMATS, export_chunks
from archive.harvesting.links import Links
from archive.harvesting.records import RecordFilter
from archive.models import Role
from archive.public.services import collections_with_counts
from archive.queries import get_item_or_404
from archive.scope import staff_scope


def public_base_url() -> str:
    return Links.for_app().base_url


@bp.get("/")
@role_required(Role.CURATOR)
def exports():
    return render_template("curation/exports.html", formats=FORMATS,
                           collections=collections_with_counts(staff_scope(Role.CURATOR)))


def _start_of_day(day) -> datetime | None:
    return datetime.combine(day, time.min, tzinfo=UTC) if day is not None else None


@bp.get("/export.<fmt>")
@role_required(Role.CURATOR)
def download(fmt: str):
    if fmt not in FORMATS:
        abort(404)
    form = ExportFilterForm(request.args)
    if not form.validate():
        abort(400, description="; ".join(str(e) for errors in form.errors.values() for e in errors))
    slug = form.collection.data or None
    since = _start_of_day(form.since.data)
    filters = RecordFilter(
        collection_slug=slug,
        changed_since=None if form.new_notes.data else since,
        notes_since=since if form.new_notes.data else None,
        scope=staff_scope(Role.CURATOR),
    )
    try:
        chunks = export_chunks(fmt, base_url=public_base_url(), filters=filters)
    except LookupError:
        abort(404)
    stamp = datetime.now(UTC).strftime("%Y%m%d-%H%M")
    filename = f"archive-{slug or 'all'}-{stamp}.{FORMATS[fmt].extension}"
    spool, size = _spooled(chunks)
    return Response(
        _read_and_close(spool),
        mimetype=FORMATS[fmt].mimetype,
        headers={"Content-Disposition": f'attachment; filename="{filename}"',
                 "Content-Length": str(size), "Cache-Control": "no-store"},
    )


# Exports are written to a temporary file first, in memory up to this size, then on disk.
SPOOL_IN_MEMORY = 1024 * 1024


def _read_and_close(spool: IO[bytes]) -> Iterator[bytes]:
    try:
        while block := spool.read(64 * 1024):
            yield block
    finally:
        spool.close()


def _spooled(chunks) -> tuple[IO[bytes], int]:
    """The whole export in a temporary file, and its size.

    Written before anything is sent: a database failure part-way is then the 503 page, never
    a 200 whose file ends early. (Streamed, a failure after the first byte could only cut the
    connection, which a client reading without chunked encoding takes for a complete file.)
    The file is sent with its length, so a connection cut while sending is seen as such too.
    Memory stays flat: beyond ``SPOOL_IN_MEMORY`` the file is on disk.
    """
    spool = tempfile.SpooledTemporaryFile(max_size=SPOOL_IN_MEMORY)  # noqa: SIM115 - sent
    try:
        for chunk in chunks:
            spool.write(chunk.encode("utf-8"))
    except BaseException:
        spool.close()
        raise
    size = spool.tell()
    spool.seek(0)
    return spool, size


# --- withdrawing items from public view --------------------------------------------------------


@bp.route("/items/<identifier>/withdraw", methods=["GET", "POST"])
@role_required(Role.CURATOR)
def withdraw(identifier: str):
    item = staff_scope(Role.CURATOR).require_item(
        get_item_or_404(identifier, include_withdrawn=True))
    if item.is_withdrawn:
        flash(_("This item is already withdrawn."), "info")
        return redirect(url_for("curation.withdrawn"))
    form = WithdrawForm()
    if form.validate_on_submit():
        try:
            withdraw_item(item, current_user, reason=required_text(form.reason))
        except WithdrawalError as error:
            db.session.rollback()
            form.reason.errors.append(str(error))  # type: ignore[attr-defined]  # a list once validated
        else:
            db.session.commit()
            flash(_("“%(title)s” is withdrawn from public view.", title=item.title), "success")
            return redirect(url_for("curation.withdrawn"))
    return render_template("curation/withdraw.html", item=item, form=form)


@bp.post("/items/<identifier>/restore")
@role_required(Role.CURATOR)
def restore(identifier: str):
    item = staff_scope(Role.CURATOR).require_item(
        get_item_or_404(identifier, include_withdrawn=True))
    form = RestoreForm()
    if not form.validate_on_submit():
        abort(400)
    try:
        restore_item(item, current_user)
    except WithdrawalError as error:
        db.session.rollback()
        flash(str(error), "error")
        return redirect(url_for("curation.withdrawn"))
    db.session.commit()
    flash(_("“%(title)s” is back in public view.", title=item.title), "success")
    return redirect(url_for("public.item", identifier=item.identifier))


@bp.get("/withdrawn")
@role_required(Role.CURATOR)
def withdrawn():
    return render_template("curation/withdrawn.html",
                           items=withdrawn_items(staff_scope(Role.CURATOR)),
                           restore_form=RestoreForm())
