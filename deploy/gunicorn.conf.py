"""gunicorn settings for Recollect: ``gunicorn -c deploy/gunicorn.conf.py 'archive:create_app()'``.

Every value can be changed by an environment variable of the same name (in capitals with a
``GUNICORN_`` prefix), so one file serves every host.
"""

import logging
import multiprocessing
import os
import sys

from gunicorn import glogging

from archive.ops.log_privacy import WithoutAddresses


def _env(name: str, default):
    return os.environ.get(f"GUNICORN_{name}", default)


# Behind nginx on the same host; nginx terminates TLS and sets X-Forwarded-* (set
# TRUSTED_PROXY_COUNT=1 for the app to believe them).
bind = _env("BIND", "127.0.0.1:8000")
workers = int(_env("WORKERS", multiprocessing.cpu_count() * 2 + 1))
# Plain synchronous workers: every request holds one database connection while it runs, so
# PostgreSQL needs max_connections >= hosts x workers x (pool_size + max_overflow) + margin.
worker_class = "sync"
timeout = int(_env("TIMEOUT", 60))  # exports stream; a stuck worker is restarted after this
graceful_timeout = int(_env("GRACEFUL_TIMEOUT", 30))
keepalive = 5
# Recycle workers now and then so a slow leak can never grow without bound.
max_requests = int(_env("MAX_REQUESTS", 2000))
max_requests_jitter = int(_env("MAX_REQUESTS_JITTER", 200))
# Build the app in each worker, after the fork: no database connection or Redis client is
# ever shared between processes.
preload_app = False
forwarded_allow_ips = _env("FORWARDED_ALLOW_IPS", "127.0.0.1")
limit_request_line = 8190

accesslog = _env("ACCESSLOG", "-")
errorlog = "-"
loglevel = _env("LOGLEVEL", "info")
# No client addresses in the access log: the app keeps them only as keyed hashes. Nor query
# strings (%(U)s is the path alone): a filter or a search can hold a name or an email.
access_log_format = '%(t)s %(p)s "%(m)s %(U)s %(H)s" %(s)s %(b)s %(M)sms'  # %(p)s: <worker pid>


class LoggerWithoutAddresses(glogging.Logger):
    """gunicorn's logger, its error log without client addresses ("Invalid request from ip=…"
    becomes "… ip=[address]")."""

    def setup(self, cfg):
        super().setup(cfg)
        if not any(isinstance(f, WithoutAddresses) for f in self.error_log.filters):
            self.error_log.addFilter(WithoutAddresses())


logger_class = LoggerWithoutAddresses

# The app's own warnings (database unavailable, rate-limit storage unreachable) go to the
# same stream as gunicorn's, without addresses either; workers inherit this from the master.
logging.basicConfig(
    level=logging.INFO, stream=sys.stderr,
    format="[%(asctime)s] [%(process)d] [%(levelname)s] %(name)s: %(message)s")
for _handler in logging.getLogger().handlers:
    _handler.addFilter(WithoutAddresses())
# Alembic announces its plugins at INFO when the app imports it; workers run no migrations.
logging.getLogger("alembic").setLevel(logging.WARNING)
