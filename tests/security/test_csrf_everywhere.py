"""Every route that changes something refuses a request without a valid CSRF token."""

from __future__ import annotations

import re

import sqlalchemy as sa
from flask import url_for

from archive.extensions import csrf, db
from archive.models import Role

UNSAFE = {"POST", "PUT", "PATCH", "DELETE"}


def _row_counts(app) -> dict[str, int]:
    with app.app_context():
        return {t.name: db.session.scalar(sa.select(sa.func.count()).select_from(t))
                for t in db.metadata.sorted_tables}


def _exempt(app, endpoint) -> bool:
    view = app.view_functions[endpoint]
    return f"{view.__module__}.{view.__name__}" in csrf._exempt_views


def test_every_unsafe_request_without_a_valid_token_is_refused(
        make_app, make_item, make_contribution, make_user, login_client):
    app = make_app(WTF_CSRF_ENABLED=True)
    item = make_item()
    note = make_contribution(item)
    admin = make_user(Role.ADMIN)
    values = {"identifier": item.identifier, "contribution_id": note.id, "slug": "default",
              "image_id": item.images[0].id}
    with app.test_request_context():
        targets = [
            (rule.endpoint, method,
             url_for(rule.endpoint, **{k: values.get(k, 1) for k in rule.arguments}))
            for rule in app.url_map.iter_rules() for method in sorted(rule.methods & UNSAFE)
        ]
    assert len(targets) >= 4
    before = _row_counts(app)
    bad_tokens = [None, "", "forged-token", "IjEyMyI.forged.signature"]
    for endpoint, method, url in targets:
        for token in bad_tokens:
            for client in (app.test_client(), login_client(app, admin)):
                data = {"body": "A note", "consent": "y", "action": "approve",
                        "email": admin.email, "password": "correct horse battery"}
                if token is not None:
                    data["csrf_token"] = token
                response = client.open(url, method=method, data=data)
                response.close()
                if _exempt(app, endpoint):
                    continue  # read-only protocols (OAI-PMH) that harvesters POST to
                assert response.status_code == 400, (endpoint, method, token)
                assert "Your form has expired" in response.text, endpoint
    assert _row_counts(app) == before


def test_a_token_from_the_page_is_accepted_so_the_refusals_mean_something(
        make_app, make_item):
    app = make_app(WTF_CSRF_ENABLED=True)
    item = make_item()
    client = app.test_client()
    page = client.get(f"/items/{item.identifier}").text
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"|'
                      r'name="csrf_token" value="([^"]+)"', page)
    token = token.group(1) or token.group(2)

    response = client.post(f"/items/{item.identifier}/contribute",
                           data={"body": "A note", "consent": "y", "csrf_token": token})

    assert response.status_code == 303
