from __future__ import annotations

from flask import current_app, redirect, render_template, request, url_for

from archive.search import bp
from archive.search.forms import SearchForm
from archive.search.services import Filters, most_viewed, random_item, search


@bp.get("/search")
def search_page():
    form = SearchForm(request.args)
    results = None
    if form.validate():
        decade = form.decade.data
        filters = Filters(collection=form.collection.data or None,
                          decade=decade - decade % 10 if decade else None,
                          needs_help=bool(form.help.data))
        results = search(form.q.data or "", filters, page=form.page.data or 1,
                         per_page=current_app.config["ITEMS_PER_PAGE"])
    return render_template("search/results.html", form=form, results=results)


@bp.get("/pot-luck")
def pot_luck():
    item = random_item()
    if item is None:
        return render_template("search/empty.html"), 404
    response = redirect(url_for("public.item", identifier=item.identifier))
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.get("/most-viewed")
def most_viewed_page():
    return render_template("search/most_viewed.html", items=most_viewed())
