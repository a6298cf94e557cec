"""Logs without visitors' addresses: the app keeps them only as keyed hashes, and so must its logs.

gunicorn writes the client's address into some of its own error-log lines ("Invalid request from
ip=…"), and libraries log it too (Flask-Limiter names the client whose rate limit was reached).
:class:`WithoutAddresses`, a logging filter, replaces every IPv4 and IPv6 address in a record's
message with ``[address]``; ``deploy/gunicorn.conf.py`` puts it on gunicorn's error log and on
the handler the app's own records go to.
"""

from __future__ import annotations

import logging
import re

HIDDEN = "[address]"

_DOTTED = r"(?:\d{1,3}\.){3}\d{1,3}"
_IPV4 = rf"(?<![\w.:])(?:::ffff:)?{_DOTTED}(?![\w.])"  # also written as an IPv6 one
_HEX = r"[0-9A-Fa-f]{1,4}"
# Eight groups, or fewer around a "::" (a clock time such as 12:30:45 is neither).
_IPV6 = (rf"(?<![\w:])(?:(?:{_HEX}:){{7}}{_HEX}"
         rf"|(?:{_HEX}:){{0,6}}{_HEX}?::(?:{_HEX}:){{0,6}}{_HEX}?)(?![\w:.])")
ADDRESS = re.compile(f"{_IPV4}|{_IPV6}")


def scrub(text: str) -> str:
    """``text`` with every IP address in it replaced by ``[address]``."""
    return ADDRESS.sub(HIDDEN, text)


class WithoutAddresses(logging.Filter):
    """Rewrites each record's message (and traceback text) without IP addresses."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        cleaned = scrub(message)
        if cleaned != message:
            record.msg, record.args = cleaned, ()
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = scrub(record.exc_text)
        return True
