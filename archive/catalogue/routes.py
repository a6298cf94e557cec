from __future__ import annotations

import os

from flask import abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user

from archive.auth.decorators import role_required
from archive.catalogue import bp
from archive.catalogue.forms import ImageMoveForm, ImageRemoveForm, ItemForm
from archive.catalogue.services import (
    RECORD_FIELDS,
    CatalogueError,
    NewImage,
    add_image,
    collection_for,
    create_item,
    item_by_identifier,
    move_image,
    remove_image,
    store_upload,
    update_record,
)
from archive.extensions import db
from archive.forms import required_text
from archive.http import accepts_uploads
from archive.models import Item, Role
from archive.public.services import collections_with_counts
from archive.scope import staff_scope


def _form(**kwargs) -> ItemForm:
    form = ItemForm(**kwargs)
    # The curator's own institutions' collections: the form refuses any other.
    form.collection.choices = [(s.collection.slug, s.collection.title)
                               for s in collections_with_counts(staff_scope(Role.CURATOR))]
    return form


def _values(form: ItemForm) -> dict:
    values = {name: getattr(form, name).data or "" for name in RECORD_FIELDS}
    values["needs_help"] = bool(form.needs_help.data)
    return values


def _store_upload(form: ItemForm) -> NewImage | None:
    """The uploaded file, checked and stored; None when none was chosen."""
    stored = store_upload(form.image.data)
    if stored is None:
        return None
    name = os.path.basename(form.image.data.filename.replace("\\", "/"))[:300] or "upload"
    return NewImage(stored, name)


def _edit_page(form, item=None, status=200):
    return render_template("catalogue/edit.html", form=form, item=item,
                           remove_form=ImageRemoveForm(), move_form=ImageMoveForm()), status


@bp.route("/items/new", methods=["GET", "POST"])
@role_required(Role.CURATOR)
@accepts_uploads
def new_item():
    form = _form()
    if not form.collection.choices:
        flash(_("Create a collection first (the CSV import creates them)."), "warning")
    if form.validate_on_submit():
        try:
            collection = collection_for(form.collection.data)
            item = create_item(required_text(form.identifier), collection, _values(form),
                               user=current_user)
        except CatalogueError as exc:
            db.session.rollback()
            _add_error(form, form.identifier, exc)
            return _edit_page(form, status=422)
        try:
            new = _store_upload(form)
            if new is not None:
                add_image(item, new)
        except CatalogueError as exc:
            db.session.rollback()  # the record is not created without its image
            _add_error(form, form.image, exc)
            return _edit_page(form, status=422)
        db.session.commit()
        flash(_("The record has been created."), "success")
        return redirect(url_for("catalogue.edit_item", identifier=item.identifier))
    return _edit_page(form, status=422 if form.errors else 200)


def _curated_item(identifier: str) -> Item:
    """The item at ``identifier``, if the curator looking holds it (404 otherwise)."""
    item = item_by_identifier(identifier)
    if item is None:
        abort(404)
    staff_scope(Role.CURATOR).require_item(item)
    return item


@bp.route("/items/<identifier>/edit", methods=["GET", "POST"])
@role_required(Role.CURATOR)
@accepts_uploads
def edit_item(identifier: str):
    item = _curated_item(identifier)
    form = _form(obj=item)
    if not form.is_submitted():
        form.collection.data = item.collection.slug
    form.identifier.data = item.reference  # fixed once created
    if form.validate_on_submit():
        try:
            collection = collection_for(form.collection.data)
            changed = update_record(item, _values(form), user=current_user,
                                    collection=collection)
            new = _store_upload(form)
            if new is not None:
                add_image(item, new)
                changed = True
        except CatalogueError as exc:
            db.session.rollback()
            _add_error(form, form.image, exc)
            return _edit_page(form, item, status=422)
        db.session.commit()
        flash(_("The record has been saved.") if changed else _("Nothing was changed."), "success")
        return redirect(url_for("catalogue.edit_item", identifier=item.identifier))
    return _edit_page(form, item, status=422 if form.errors else 200)


def _add_error(form: ItemForm, field, exc: Exception) -> None:
    message = str(exc)
    if field is form.image:
        message = _("This file cannot be used: %(problem)s. Nothing was saved; choose another "
                    "file.", problem=message)
    target = field if field is not None else form.title
    target.errors = [*target.errors, message]


@bp.post("/items/<identifier>/images/<int:image_id>/remove")
@role_required(Role.CURATOR)
def remove_item_image(identifier: str, image_id: int):
    item = _curated_item(identifier)
    form = ImageRemoveForm()
    if not form.validate_on_submit():
        abort(400)
    try:
        remove_image(item, image_id)
    except CatalogueError:
        abort(404)
    db.session.commit()
    flash(_("The image has been removed from the record."), "success")
    return redirect(url_for("catalogue.edit_item", identifier=item.identifier))


@bp.post("/items/<identifier>/images/<int:image_id>/move")
@role_required(Role.CURATOR)
def move_item_image(identifier: str, image_id: int):
    item = _curated_item(identifier)
    form = ImageMoveForm()
    if not form.validate_on_submit():
        abort(400)
    try:
        changed = move_image(item, image_id, form.where.data or "")
    except CatalogueError:
        abort(404)
    db.session.commit()
    if changed:
        position = next(n for n, image in enumerate(item.images, 1) if image.id == image_id)
        flash(_("The image is now number %(n)s of %(total)s.", n=position,
                total=len(item.images)), "success")
    else:
        flash(_("Nothing was changed."), "success")
    return redirect(url_for("catalogue.edit_item", identifier=item.identifier,
                            _anchor="images-heading"))
