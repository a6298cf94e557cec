"""The interface's languages: English and Welsh.

Only the interface is translated. The catalogue (titles, descriptions, questions, notes) and the
machine formats (exports, OAI-PMH, IIIF, JSON) stay exactly as the archive holds them.

The language is the ``lang`` cookie set by the switch in every page's header, else the best
match for the browser's ``Accept-Language`` header, else English.
"""

from __future__ import annotations

from flask import Blueprint, abort, current_app, has_request_context, redirect, request, url_for

from archive.auth.decorators import public
from archive.http import safe_next_url

LANGUAGES = {"en": "English", "cy": "Cymraeg"}
DEFAULT_LANGUAGE = "en"
COOKIE_NAME = "lang"
COOKIE_MAX_AGE = 365 * 24 * 60 * 60

bp = Blueprint("i18n", __name__)


def select_locale() -> str:
    if not has_request_context():
        return DEFAULT_LANGUAGE  # commands and emails sent outside a request
    chosen = request.cookies.get(COOKIE_NAME)
    if chosen in LANGUAGES:
        return chosen
    return request.accept_languages.best_match(LANGUAGES) or DEFAULT_LANGUAGE


@bp.post("/language")
@public
def set_language():
    """The language switch: remember the choice in a cookie, then go back to the page."""
    language = request.form.get("lang", "")
    if language not in LANGUAGES:
        abort(400)
    response = redirect(safe_next_url(request.form.get("next")) or url_for("public.home"), code=303)
    response.set_cookie(
        COOKIE_NAME, language, max_age=COOKIE_MAX_AGE, httponly=True, samesite="Lax",
        secure=bool(current_app.config.get("SESSION_COOKIE_SECURE")),
    )
    return response


def init_app(app) -> None:
    from archive.extensions import babel

    babel.init_app(app, locale_selector=select_locale, default_locale=DEFAULT_LANGUAGE,
                   default_translation_directories="translations")
    app.register_blueprint(bp)
    app.jinja_env.policies["ext.i18n.trimmed"] = True

    @app.context_processor
    def languages():
        from flask_babel import get_locale

        locale = get_locale()
        return {"languages": LANGUAGES, "current_language": str(locale) if locale else "en"}

    @app.after_request
    def vary_on_language(response):
        # A page's language follows the Accept-Language header when no cookie chose it.
        if response.mimetype == "text/html" and request.blueprint != "images":
            response.vary.add("Accept-Language")
        return response
