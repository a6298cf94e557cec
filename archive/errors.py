"""The error pages: one template, ``errors/error.html``, given a heading and an explanation.

The handlers (``_register_error_pages`` in ``archive/__init__.py``, and the 503 in
``archive/ops/health.py``) pick one of the pages below and render it. The words stay English
here (``N_`` only marks them for the translators); the template translates them in the
visitor's language when it shows them, as the audit log does with its action names.
"""

from __future__ import annotations

from dataclasses import dataclass

from flask import render_template

from archive.i18n_words import N_

TEMPLATE = "errors/error.html"


@dataclass(frozen=True)
class ErrorPage:
    status: int
    heading: str
    explanation: str
    # Only the message, no header, footer or language switch: a page shown while the database
    # cannot be reached, so that rendering it asks the database nothing.
    standalone: bool = False

    def render(self, *, back: tuple[str, str] | None = None) -> tuple[str, int]:
        """``back``: a link (English label, address) to offer before the home page's, such as
        the page a paused form is on."""
        return render_template(TEMPLATE, page=self, back=back), self.status


BAD_REQUEST = ErrorPage(
    400, N_("That request could not be understood"),
    N_("Something in the request was not right. Please go back and try again."))
FORM_EXPIRED = ErrorPage(
    400, N_("Your form has expired"),
    N_("For your security, forms expire. Please go back, reload the page and send it again."))
FORBIDDEN = ErrorPage(
    403, N_("You don't have access to this page"),
    N_("Your account does not have the role this page needs. If you think it should, ask an "
       "administrator."))
NOT_FOUND = ErrorPage(
    404, N_("Page not found"),
    N_("We couldn't find that page or photograph. It may have moved, or the address may be "
       "mistyped."))
METHOD_NOT_ALLOWED = ErrorPage(
    405, N_("That action isn't possible here"), N_("This page can't be used that way."))
GONE = ErrorPage(
    410, N_("This photograph has been withdrawn"),
    N_("The archive has withdrawn this photograph from public view. It may return after "
       "review."))
# 413: an upload form (its view is marked ``accepts_uploads``) is told about the file; any
# other form about what was typed.
UPLOAD_TOO_LARGE = ErrorPage(
    413, N_("That file is too large"),
    N_("The file you sent is larger than this site accepts. Please try a smaller file."))
TOO_LARGE = ErrorPage(
    413, N_("What you sent is too large"),
    N_("This page accepts a few thousand characters at most. Please shorten what you typed and "
       "send it again."))
# 429: the wait is in the Retry-After header that Flask-Limiter adds. (A paused note is not
# shown this page: its form comes back as typed, archive/contribute/routes.py.)
TOO_MANY_REQUESTS = ErrorPage(
    429, N_("Please slow down"),
    N_("You have sent a lot in a short time, so we've paused you for a little while. Nothing "
       "from this last attempt was saved. Please wait a while and try again — thank you for "
       "your patience."))
SEARCHING_TOO_FAST = ErrorPage(
    429, N_("Please slow down"),
    N_("You have searched a lot in a short time, so we've paused searching for you for a "
       "little while. Please wait a minute and search again: browsing the collections works "
       "meanwhile."))
SERVER_ERROR = ErrorPage(
    500, N_("Something went wrong on our side"),
    N_("Sorry: the archive could not finish that request. Please try again in a moment."))
# 503: the handler adds Retry-After (archive/ops/health.py).
DATABASE_UNAVAILABLE = ErrorPage(
    503, N_("Back in a moment"),
    N_("The archive cannot reach its records just now. Nothing you sent in this last request "
       "was saved: please try again in a few seconds."),
    standalone=True)

# Where a paused visitor is sent back to (the page itself still opens while its form or
# search is paused).
BACK_TO_LOGIN = N_("Back to the login page")
BACK_TO_REGISTRATION = N_("Back to the registration page")
BROWSE_INSTEAD = N_("Browse the collections")

# The pages ``abort(code)`` (and Werkzeug, and Flask-Limiter) lead to.
BY_STATUS = {page.status: page for page in (
    BAD_REQUEST, FORBIDDEN, NOT_FOUND, METHOD_NOT_ALLOWED, GONE, TOO_MANY_REQUESTS)}
