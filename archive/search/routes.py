from __future__ import annotations

import functools

from flask import current_app, redirect, render_template, request, url_for

from archive.extensions import limiter
from archive.search import bp
from archive.search.forms import SearchForm
from archive.search.services import Filters, SearchResults, most_viewed, random_item, search


def search_url(results: SearchResults, **changes) -> str:
    """The address of these results with ``changes`` (a filter set or removed, another page);
    the page resets to the first unless given."""
    filters = results.filters
    params = {"q": results.query or None, "collection": filters.collection,
              "institution": filters.institution,
              "decade": filters.decade, "help": "1" if filters.needs_help else None,
              "solved": "1" if filters.solved else None, "page": None}
    return url_for("search.search_page", **{**params, **changes})


def _search_limit() -> str:
    return current_app.config["SEARCH_RATE_LIMIT"]


@bp.get("/search")
@limiter.limit(_search_limit)
def search_page():
    form = SearchForm(request.args)
    results = None
    if form.validate():
        decade = form.decade.data
        filters = Filters(collection=form.collection.data or None,
                          institution=form.institution.data or None,
                          decade=decade - decade % 10 if decade else None,
                          needs_help=bool(form.help.data),
                          # the two are exclusive: an open question is not a solved one
                          solved=bool(form.solved.data) and not form.help.data)
        results = search(form.q.data or "", filters, page=form.page.data or 1,
                         per_page=current_app.config["ITEMS_PER_PAGE"])
    # The template builds links only when there are results.
    links = functools.partial(search_url, results) if results is not None else None
    return render_template("search/results.html", form=form, results=results, search_url=links)


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
