"""What the app adds to Flask-Limiter: giving back a refused form's count, the wait to tell a
paused visitor, and keeping a response's own ``Retry-After``.

Keys: every limit counts by ``archive.extensions.visitor_key`` (a keyed hash of the address,
or of an IPv6 address's /64), so no address reaches the storage (Redis keys included).
"""

from __future__ import annotations

import time

from flask import Flask, Response, g
from limits.strategies import FixedWindowRateLimiter

from archive.extensions import limiter


def give_back_hits() -> None:
    """The request counted against its route's limits is not one that counts (a form sent back
    for a correction): take it off again, so that only accepted sendings use the allowance.

    The count is taken when the request arrives (an atomic increment, so posts at the same
    moment can never all slip under the limit) and given back here; with a strategy other than
    the fixed window (the default) nothing is given back.
    """
    if not (limiter.enabled and limiter.initialized):
        return
    strategy = limiter.limiter
    if not isinstance(strategy, FixedWindowRateLimiter):
        return
    for request_limit in limiter.current_limits:
        if not request_limit.breached:
            strategy.storage.incr(request_limit.key, request_limit.limit.get_expiry(), amount=-1)


def retry_after_seconds() -> int:
    """Seconds until the limit this request broke lets it through again (at least 1)."""
    current = limiter.current_limit
    if current is None:
        return 60
    # As Flask-Limiter counts it for the header.
    return max(1, int(current.reset_at - time.time()))


def init_app(app: Flask) -> None:
    """Bind the limiter to ``app``, keeping the ``Retry-After`` a response set itself (a 503
    while the database is away, an export being prepared): Flask-Limiter, adding its headers
    after every view with a limit, would replace it by the limit's reset time even on a
    response that was not limited. Only a 429 carries the limit's wait.

    ``after_request`` hooks run last-registered first: ``remember`` (registered after the
    limiter's) sees the response before Flask-Limiter does, ``restore`` after it.
    """

    @app.after_request
    def restore(response: Response) -> Response:
        if response.status_code != 429 and "_own_retry_after" in g:
            own = g.pop("_own_retry_after")
            if own is None:
                response.headers.pop("Retry-After", None)
            else:
                response.headers["Retry-After"] = own
        return response

    # Flask-Limiter keeps the first app's key prefix for good; each app counts under its own.
    limiter._key_prefix = app.config.get("RATELIMIT_KEY_PREFIX", "")
    limiter.init_app(app)

    @app.after_request
    def remember(response: Response) -> Response:
        g._own_retry_after = response.headers.get("Retry-After")
        return response
