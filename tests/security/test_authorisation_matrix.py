"""Every route of the app, for every role: the server itself enforces who may use it.

The routes come from the app's URL map, so a route added later is checked without any change
here. Each endpoint must either be public (listed below, or marked with
``archive.auth.decorators.public``) or carry the ``required_role`` attribute that
``role_required`` sets; the test then asks as every role and checks the answer.
"""

from __future__ import annotations

import pytest
from flask import url_for

from archive.models import Role

ROLES = [None, *Role]  # None: an anonymous visitor

# Endpoints anyone may use. A new public page is added here on purpose, never by accident.
PUBLIC_ENDPOINTS = {
    "static",
    "public.home",
    "public.browse",
    "public.collection",
    "public.item",
    "contribute.contribute",
    "images.media",
    "auth.login",
    "contributors.register",  # contributor accounts are open to anyone
    "ops.healthz",
    "images.vendor",
    "search.search_page",
    "search.pot_luck",
    "search.most_viewed_page",
    # Harvesting and IIIF: published records for aggregators and viewers, read-only.
    "harvesting.oai",
    "harvesting.image_service",
    "harvesting.image_info",
    "harvesting.image_file",
    "harvesting.manifest",
    "harvesting.archive_collection",
    "harvesting.collection",
    "harvesting.annotation_collection",
    "harvesting.annotation_page",
    "harvesting.note_annotation",
}


def _methods(rule) -> list[str]:
    return sorted(rule.methods - {"HEAD", "OPTIONS"})


def _required_role(app, endpoint):
    return getattr(app.view_functions[endpoint], "required_role", None)


def _is_public(app, endpoint) -> bool:
    return endpoint in PUBLIC_ENDPOINTS or getattr(app.view_functions[endpoint], "is_public",
                                                   False)


@pytest.mark.database_independent
def test_every_route_is_either_public_or_requires_a_role(app):
    unguarded = sorted(
        rule.endpoint for rule in app.url_map.iter_rules()
        if not _is_public(app, rule.endpoint) and _required_role(app, rule.endpoint) is None
    )
    assert unguarded == [], (
        "these endpoints neither require a role (archive.auth.decorators.role_required) nor "
        f"are declared public: {unguarded}"
    )


@pytest.mark.database_independent
def test_no_route_is_both_public_and_guarded(app):
    both = sorted(rule.endpoint for rule in app.url_map.iter_rules()
                  if _is_public(app, rule.endpoint) and _required_role(app, rule.endpoint))
    assert both == []


@pytest.fixture
def world(app, make_item, make_contribution, make_user):
    item = make_item()
    note = make_contribution(item)
    users = {role: make_user(role) for role in Role}
    with app.app_context():
        from archive.extensions import db
        from archive.models import Collection

        collection = db.session.get(Collection, item.collection_id)
        slug = collection.slug
    return {"item": item, "note": note, "users": users, "slug": slug}


def _sample_value(name: str, converter, world) -> object:
    item, note = world["item"], world["note"]
    if hasattr(converter, "items"):  # any(...): one of its words
        return sorted(converter.items)[0]
    if name == "identifier":
        return item.identifier
    if name == "slug":
        return world["slug"]
    if name == "filename":
        return item.images[0].thumb_path
    if name == "fmt":
        return "csv"
    if type(converter).__name__ == "IntegerConverter":
        return note.id
    return "1"


def _urls(app, world) -> list[tuple[str, str, str]]:
    """(endpoint, method, url) for every route, with arguments naming objects that exist."""
    found = []
    with app.test_request_context():
        for rule in app.url_map.iter_rules():
            values = {name: _sample_value(name, conv, world)
                      for name, conv in rule._converters.items()}
            for method in _methods(rule):
                found.append((rule.endpoint, method, url_for(rule.endpoint, **values)))
    return found


def _as(app, login_client, world, role):
    """A client logged in as ``role``, read afresh: logging out ends the user's sessions."""
    if role is None:
        return app.test_client()
    from archive.extensions import db
    from archive.models import User

    with app.app_context():
        user = db.session.get(User, world["users"][role].id)
        db.session.expunge(user)
    return login_client(app, user)


def _ask(client, method, url):
    response = client.open(url, method=method, data={})
    response.get_data()  # streamed responses (exports) end their request context when read
    response.close()
    return response


def test_every_guarded_route_refuses_every_role_below_its_own(app, world, login_client):
    checked = 0
    for endpoint, method, url in _urls(app, world):
        needed = _required_role(app, endpoint)
        if needed is None:
            continue
        for role in ROLES:
            if role is None:
                response = _ask(app.test_client(), method, url)
                assert response.status_code in (302, 401), (endpoint, method, "anonymous")
                if response.status_code == 302:
                    assert "/login" in response.headers["Location"], (endpoint, method)
                checked += 1
                continue
            response = _ask(_as(app, login_client, world, role), method, url)
            if role.includes(needed):
                assert response.status_code not in (401, 403), (endpoint, method, role)
                assert "/login" not in response.headers.get("Location", ""), (endpoint, role)
                assert response.status_code < 500, (endpoint, method, role)
            else:
                assert response.status_code == 403, (endpoint, method, role)
            checked += 1
    assert checked >= 5 * 4  # the moderation and export pages at least


def test_public_routes_answer_everyone_without_asking_to_log_in(app, world, login_client):
    for endpoint, method, url in _urls(app, world):
        if not _is_public(app, endpoint) or method != "GET":
            continue
        for role in ROLES:
            response = _ask(_as(app, login_client, world, role), method, url)
            assert response.status_code < 500, (endpoint, role)
            assert response.status_code not in (401, 403), (endpoint, role)
