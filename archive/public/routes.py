from __future__ import annotations

from flask import abort, current_app, render_template, request
from flask_login import current_user

from archive.contribute.forms import ContributionForm
from archive.extensions import db
from archive.institutions.services import all_institutions
from archive.public import bp
from archive.public.services import (
    BROWSE_SORTS,
    browse_items,
    collections_with_counts,
    get_collection_or_404,
    open_questions,
    recent_notes,
)
from archive.queries import get_item_or_404, item_page_context, note_just_sent
from archive.scope import EVERYTHING, Scope
from archive.search.services import count_view

# Far beyond any archive's last page, and small enough that (page - 1) * ITEMS_PER_PAGE fits in
# a 64-bit database integer.
MAX_PAGE = 1_000_000


@bp.get("/")
def home():
    institutions = all_institutions()
    return render_template(
        "public/home.html",
        questions=open_questions(),
        notes=recent_notes(),
        collections=collections_with_counts(),
        # With one institution the site is that archive's own; with more, they are presented.
        institutions=institutions if len(institutions) > 1 else [],
    )


def _browse(collection=None):
    institutions = all_institutions()
    institution = None
    if collection is None and request.args.get("institution"):
        institution = next((i for i in institutions
                            if i.slug == request.args["institution"][:100]), None)
        if institution is None:
            abort(404)
    scope = Scope.of(institution) if institution is not None else EVERYTHING
    sort = request.args.get("sort", "added")
    if sort not in BROWSE_SORTS:
        sort = "added"
    page = request.args.get("page", 1, type=int)
    if page > MAX_PAGE:
        abort(404)  # its offset would overflow the database's integers
    pagination = browse_items(
        collection=collection,
        scope=scope,
        sort=sort,
        page=max(page, 1),
        per_page=current_app.config["ITEMS_PER_PAGE"],
    )
    if pagination.page > max(pagination.pages, 1):
        abort(404)  # past the last page: not an empty page that says "page 9 of 2"
    return render_template(
        "public/browse.html",
        pagination=pagination,
        collection=collection,
        collections=collections_with_counts(scope),
        # With several institutions, visitors may browse one institution's photographs.
        institutions=institutions if len(institutions) > 1 else [],
        institution=institution,
        sort=sort,
        sorts={key: label for key, (label, _) in BROWSE_SORTS.items()},
    )


@bp.get("/browse")
def browse():
    return _browse()


@bp.get("/collections/<slug>")
def collection(slug: str):
    return _browse(get_collection_or_404(slug))


@bp.get("/items/<identifier>")
def item(identifier: str):
    item = get_item_or_404(identifier)
    # A contributor's name is filled in: their notes are credited to it unless they choose.
    name = current_user.display_name if current_user.is_authenticated else None
    form = ContributionForm(credit_name=name)
    page = render_template("public/item.html", **item_page_context(
        item, form=form, image_number=request.args.get("image", type=int)),
                           note_just_sent=note_just_sent(item))
    count_view(item.id)  # one UPDATE ... SET view_count = view_count + 1
    db.session.commit()
    return page
