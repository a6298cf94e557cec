"""Every route of the app, for every role: the server itself enforces who may use it.

The routes come from the app's URL map, so a route added later is checked without any change
here. Each endpoint must either be public (listed below, or marked with
``archive.auth.decorators.public``) or carry the ``required_role`` attribute that
``role_required`` sets; the test then asks as every role and checks the answer.

On a platform shared by several institutions, every staff route is then asked again with the
records of another institution: a page naming one of them answers 404 to staff who do not work
there, and a page listing records shows none of them.
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
    "public.institutions",
    "public.institution",
    "public.institution_impact",
    "public.institution_item",
    "public.institution_theme",
    "public.institution_logo",
    "public.platform_impact",
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
    "harvesting.institution_collection",
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
    if name in world.get("ids", {}):
        return world["ids"][name]
    if type(converter).__name__ == "IntegerConverter":
        return note.id
    return "1"


def _urls(app, world) -> list[tuple[str, str, str]]:
    """(endpoint, method, url) for every route, with arguments naming objects that exist."""
    return [(endpoint, method, url) for endpoint, method, url, _names in _urls_naming(app, world)]


def _urls_naming(app, world) -> list[tuple[str, str, str, set[str]]]:
    """As ``_urls``, with the names of the arguments each URL carries."""
    found = []
    with app.test_request_context():
        for rule in app.url_map.iter_rules():
            values = {name: _sample_value(name, conv, world)
                      for name, conv in rule._converters.items()}
            for method in _methods(rule):
                found.append((rule.endpoint, method, url_for(rule.endpoint, **values),
                              set(values)))
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


# --- several institutions: nobody reaches another's records -------------------------------------

MARK = "Zanzibar"  # in every text of the other institution's records, and nowhere else


@pytest.fixture
def other_world(app, world, make_institution, make_collection, make_item, make_contribution,
                make_user):
    """A second institution sharing the platform, with a record, notes, a decision, a record
    change, a block and a withdrawn record of its own."""
    from archive.extensions import db
    from archive.models import Block, BlockKind, Contribution, Item
    from archive.moderation.services import apply_enrichment, approve_contribution

    other = make_institution(slug="zanzibar-society", name=f"{MARK} Society")
    collection = make_collection(institution=other, slug="zanzibar", title=f"{MARK} harbour")
    item = make_item(collection=collection, identifier="ZANZ-0001", title=f"{MARK} quay")
    make_item(collection=collection, identifier="ZANZ-0002", title=f"{MARK} withdrawn",
              withdrawn_at=sa_now(), withdrawal_reason=f"{MARK} reason")
    pending = make_contribution(item, body=f"{MARK} pending note", email="z@example.org")
    decided = make_contribution(item, body=f"{MARK} approved note", suggested_place="Pier")
    staff = make_user("curator", institution=other, display_name=f"{MARK} curator")
    with app.app_context():
        actor = db.session.get(type(staff), staff.id)
        note = db.session.get(Contribution, decided.id)
        approve_contribution(note, actor)
        enrichment = apply_enrichment(db.session.get(Item, item.id), "place", f"{MARK} pier",
                                      actor, contribution=note)
        block = Block(kind=BlockKind.EMAIL, value="z@example.org", reason=f"{MARK} block",
                      institution_id=other.id, created_by_id=staff.id)
        db.session.add(block)
        db.session.commit()
        ids = {"contribution_id": pending.id, "enrichment_id": enrichment.id,
               "block_id": block.id, "image_id": item.images[0].id}
    return {**world, "item": item, "note": pending, "slug": "zanzibar", "ids": ids,
            "users": {**world["users"], "other": staff}}


def sa_now():
    from archive.models import utcnow

    return utcnow()


OBJECT_ARGUMENTS = {"identifier", "contribution_id", "enrichment_id", "block_id", "image_id"}


def test_no_staff_route_reaches_another_institutions_records(app, other_world, login_client):
    checked = 0
    for endpoint, method, url, names in _urls_naming(app, other_world):
        needed = _required_role(app, endpoint)
        if needed is None or needed is Role.ADMIN:
            continue  # public, or the platform administrator's (who works on everything)
        for role in (Role.ARCHIVIST, Role.CURATOR):
            if not role.includes(needed):
                continue
            response = _ask(_as(app, login_client, other_world, role), method, url)
            if names & OBJECT_ARGUMENTS:
                assert response.status_code == 404, (endpoint, method, role, url)
            else:
                assert response.status_code < 500, (endpoint, method, role)
                assert MARK not in response.get_data(as_text=True), (endpoint, method, role)
            checked += 1
    assert checked >= 30


def test_the_other_institutions_staff_and_the_administrator_do_reach_them(
        app, other_world, login_client):
    from archive.extensions import db
    from archive.models import User

    with app.app_context():
        staff = db.session.get(User, other_world["users"]["other"].id)
        admin = db.session.get(User, other_world["users"][Role.ADMIN].id)
        db.session.expunge_all()
    for user in (staff, admin):
        client = login_client(app, user)
        for url in ("/moderation/", "/moderation/log", "/moderation/blocks",
                    "/curation/withdrawn", "/curation/export.csv",
                    f"/moderation/contributions/{other_world['note'].id}",
                    "/moderation/items/ZANZ-0001/question", "/catalogue/items/ZANZ-0001/edit"):
            response = _ask(client, "GET", url)
            assert response.status_code == 200, (user.role, url)
            assert MARK in response.get_data(as_text=True), (user.role, url)
