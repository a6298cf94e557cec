"""Logs carry no visitor's address: not nginx's access log, not gunicorn's logs, not the app's."""

from __future__ import annotations

import logging
import re
import runpy
from pathlib import Path

import pytest

from archive.ops.log_privacy import WithoutAddresses, scrub

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.parametrize(("text", "expected"), [
    ("Invalid request from ip=203.0.113.9: Invalid HTTP method",
     "Invalid request from ip=[address]: Invalid HTTP method"),
    ("ratelimit 10 per 1 hour (2001:db8::17) exceeded at endpoint: contribute.contribute",
     "ratelimit 10 per 1 hour ([address]) exceeded at endpoint: contribute.contribute"),
    ("from ::ffff:198.51.100.4 and fe80::1ff:fe23:4567:890a",
     "from [address] and [address]"),
    ("2001:0db8:0000:0000:0000:ff00:0042:8329 wrote", "[address] wrote"),
    # Not addresses: kept as they are.
    ("worker 12 booted at 12:30:45, version 3.1.2, item 1.2.3.4.5", None),
])
def test_addresses_are_hidden_and_nothing_else_is(text, expected):
    assert scrub(text) == (text if expected is None else expected)


def test_the_filter_rewrites_messages_arguments_and_tracebacks():
    try:
        raise ValueError("client 192.0.2.44 went away")
    except ValueError:
        import sys

        record = logging.LogRecord("gunicorn.error", logging.WARNING, __file__, 1,
                                   "Invalid request from ip=%s: %s", ("192.0.2.44", "x"),
                                   sys.exc_info())

    assert WithoutAddresses().filter(record)
    assert record.getMessage() == "Invalid request from ip=[address]: x"
    assert "192.0.2.44" not in record.exc_text and "[address]" in record.exc_text


def test_gunicorns_logs_carry_no_client_address(capfd):
    from gunicorn.config import Config

    settings = runpy.run_path(str(ROOT / "deploy" / "gunicorn.conf.py"))
    # The access log: no %(h)s (the client), no query strings.
    assert "%(h)s" not in settings["access_log_format"]
    assert "%(r)s" not in settings["access_log_format"]
    assert "%(q)s" not in settings["access_log_format"]
    cfg = Config()
    cfg.set("errorlog", "-")
    logger = settings["logger_class"](cfg)

    logger.warning("Invalid request from ip=%s: %s", "203.0.113.9", "Invalid HTTP Version")
    logger.error("Error handling request from %s", "2001:db8::42")
    for handler in logger.error_log.handlers:
        handler.flush()

    err = capfd.readouterr().err
    assert "Invalid request from ip=[address]" in err
    assert "203.0.113.9" not in err and "2001:db8::42" not in err


def test_nginx_logs_requests_without_client_addresses_or_query_strings():
    text = (ROOT / "deploy" / "nginx.conf").read_text(encoding="utf-8")
    config = "\n".join(line.split("#", 1)[0] for line in text.splitlines())

    formats = dict(re.findall(r"log_format\s+(\w+)\s+((?:'[^']*'\s*)+);", config))
    assert set(formats) == {"recollect"}
    for variable in ("$remote_addr", "$http_x_forwarded_for", "$binary_remote_addr",
                     "$request ", "$request_uri", "$args", "$query_string", "$http_referer"):
        assert variable not in formats["recollect"] + " ", variable
    for line in re.findall(r"access_log\s+([^;]+);", config):
        assert line == "off" or line.endswith(" recollect"), line
