"""Addresses harvesters and viewers use: ``/oai``, ``/iiif/...`` and ``/annotations``.

Thin views over :mod:`archive.harvesting.oai`, :mod:`archive.harvesting.iiif` and
:mod:`archive.harvesting.annotations`. Everything here is public, read-only and open to other
sites (CORS), and shows only items in public view and approved notes.
"""

from __future__ import annotations

import json
import re

import sqlalchemy as sa
from flask import Response, abort, current_app, redirect, request

from archive.extensions import csrf, db
from archive.harvesting import annotations as anno
from archive.harvesting import bp, iiif
from archive.harvesting.linked_data import photograph
from archive.harvesting.links import Links
from archive.harvesting.oai import Repository, respond
from archive.images.processing import derivative_path, derivative_sizes
from archive.images.routes import send_media
from archive.models import Collection, Image, Institution, Item
from archive.queries import IN_PUBLIC_VIEW, approved_notes_of, public_collection, public_item

ONE_HOUR = 3600
_SHA = re.compile(r"[0-9a-f]{64}")
_SIZE = re.compile(r"([1-9][0-9]{0,5}),([1-9][0-9]{0,5})")


def _language() -> str:
    return current_app.config["CONTRIBUTION_LANGUAGE"]


@bp.after_request
def allow_other_sites(response: Response) -> Response:
    response.headers["Access-Control-Allow-Origin"] = "*"
    return response


def _json(document: dict, media_type: str, *, max_age: int = 0) -> Response:
    response = Response(json.dumps(document, ensure_ascii=False), content_type=media_type)
    if max_age:
        response.cache_control.public = True
        response.cache_control.max_age = max_age
    else:
        response.cache_control.no_cache = True
    return response


# --- OAI-PMH -----------------------------------------------------------------------------------


@bp.route("/oai", methods=["GET", "POST"])
@csrf.exempt  # a read-only protocol endpoint for machines: no session, nothing changes
def oai():
    links = Links.for_app()
    name = current_app.config["ARCHIVE_NAME"]
    fallback = f"archive@{links.repository_id}"
    if "." not in links.repository_id:
        fallback = "archive@localhost.localdomain"
    repository = Repository(
        links=links,
        name=name,
        admin_email=current_app.config["OAI_ADMIN_EMAIL"] or fallback,
        secret_key=current_app.config["SECRET_KEY"],
        page_size=current_app.config["OAI_PAGE_SIZE"],
    )
    args = request.form if request.method == "POST" else request.args
    body = respond(args, repository)
    response = Response(body, content_type="text/xml; charset=utf-8")
    response.cache_control.no_cache = True
    return response


# --- IIIF Image API 3, level 0 -----------------------------------------------------------------


def _public_image(ref: str) -> Image:
    """An image of an item in public view, by its id or the SHA-256 of its original."""
    query = sa.select(Image).join(Item, Item.id == Image.item_id).where(IN_PUBLIC_VIEW)
    if _SHA.fullmatch(ref):
        query = query.where(Image.sha256 == ref)
    elif ref.isdigit() and len(ref) < 10:
        query = query.where(Image.id == int(ref))
    else:
        abort(404)
    image = db.session.scalars(query.order_by(Image.id).limit(1)).first()
    if image is None:
        abort(404)
    return image


@bp.get("/iiif/image/<ref>")
def image_service(ref: str):
    image = _public_image(ref)
    return redirect(Links.for_app().image_service(image.sha256) + "/info.json", code=303)


@bp.get("/iiif/image/<ref>/info.json")
def image_info(ref: str):
    image = _public_image(ref)
    return _json(iiif.image_info(image, Links.for_app()), iiif.IMAGE_MEDIA_TYPE,
                 max_age=ONE_HOUR)


@bp.get("/iiif/image/<ref>/full/<size>/0/default.jpg")
def image_file(ref: str, size: str):
    image = _public_image(ref)
    sizes = derivative_sizes(image.width, image.height)
    if size == "max":
        edge = sizes[-1][0]
    else:
        match = _SIZE.fullmatch(size)
        if match is None:
            abort(400, description="This level 0 service answers only w,h and max sizes.")
        wanted = (int(match[1]), int(match[2]))
        listed = next((e for e, w, h in sizes if (w, h) == wanted), None)
        if listed is None:
            abort(404, description="This size is not one the image's info.json lists.")
        edge = listed
    # Served as /media/ serves it: no symbolic link followed, and cached for a bounded time,
    # since the item may be withdrawn.
    return send_media(derivative_path(image.sha256, edge), public=True, mimetype="image/jpeg")


# --- IIIF Presentation API 3 -------------------------------------------------------------------


@bp.get("/iiif/<identifier>/manifest")
def manifest(identifier: str):
    item = public_item(identifier)
    if item is None or not item.images:
        abort(404)
    notes = approved_notes_of(item)
    document = iiif.manifest(item, notes, Links.for_app(),
                             archive_name=current_app.config["ARCHIVE_NAME"],
                             language=_language())
    return _json(document, iiif.PRESENTATION_MEDIA_TYPE)


@bp.get("/iiif/collections")
def archive_collection():
    collections = db.session.scalars(sa.select(Collection).order_by(Collection.title))
    document = iiif.archive_collection_document(
        collections, Links.for_app(), archive_name=current_app.config["ARCHIVE_NAME"])
    return _json(document, iiif.PRESENTATION_MEDIA_TYPE)


@bp.get("/iiif/collections/<slug>")
def collection(slug: str):
    found = public_collection(slug)
    if found is None:
        abort(404)
    items = db.session.scalars(
        sa.select(Item).where(Item.collection_id == found.id, IN_PUBLIC_VIEW)
        .order_by(Item.identifier, Item.id))
    return _json(iiif.collection_document(found, items, Links.for_app()),
                 iiif.PRESENTATION_MEDIA_TYPE)


@bp.get("/iiif/institutions/<slug>")
def institution_collection(slug: str):
    institution = db.session.scalar(sa.select(Institution).where(Institution.slug == slug))
    if institution is None:
        abort(404)
    collections = db.session.scalars(sa.select(Collection).where(
        Collection.institution_id == institution.id).order_by(Collection.title))
    return _json(iiif.institution_collection_document(institution, collections,
                                                      Links.for_app()),
                 iiif.PRESENTATION_MEDIA_TYPE)


# --- W3C Web Annotations -----------------------------------------------------------------------


def _annotation_page_size() -> int:
    return int(current_app.config["ANNOTATION_PAGE_SIZE"])


@bp.get("/annotations")
def annotation_collection():
    slug = request.args.get("collection") or None
    try:
        document = anno.annotation_collection(
            Links.for_app(), collection_slug=slug,
            archive_name=current_app.config["ARCHIVE_NAME"],
            secret_key=current_app.config["SECRET_KEY"], page_size=_annotation_page_size())
    except LookupError:
        abort(404)
    return _json(document, anno.ANNO_MEDIA_TYPE)


@bp.get("/annotations/page/<int:number>")
def annotation_page(number: int):
    slug = request.args.get("collection") or None
    try:
        document = anno.annotation_page(Links.for_app(), number, collection_slug=slug,
                                        language=_language(),
                                        secret_key=current_app.config["SECRET_KEY"],
                                        cursor=request.args.get("cursor"),
                                        page_size=_annotation_page_size())
    except LookupError:
        abort(404)
    if document is None:
        abort(404)
    return _json(document, anno.ANNO_MEDIA_TYPE)


@bp.get("/annotations/notes/<int:note_id>", defaults={"part": ""})
@bp.get("/annotations/notes/<int:note_id>/<any(people):part>")
def note_annotation(note_id: int, part: str):
    if note_id > 2**31 - 1:
        abort(404)
    links = Links.for_app()
    found = anno.single_note_annotations(links, note_id, language=_language())
    wanted = links.annotation(note_id, part)
    document = next((a for a in found or [] if a["id"] == wanted), None)
    if document is None:
        abort(404)
    return _json({"@context": anno.ANNO_CONTEXT, **document}, anno.ANNO_MEDIA_TYPE)


# --- linked data on the item page --------------------------------------------------------------


@bp.app_template_global()
def item_linked_data(item: Item, notes) -> dict:
    """Schema.org (Photograph) description of an item page, its notes as comments."""
    return photograph(item, notes, Links.for_app())


@bp.app_template_global()
def item_alternate_links(item: Item) -> dict:
    links = Links.for_app()
    return {"manifest": links.manifest(item.identifier) if item.images else None,
            "oai_record": links.oai_record(item.identifier)}
