"""Fixtures for contributors' emails: a real SMTP server, and an app that sends through it."""

from __future__ import annotations

import pytest
from aiosmtpd.controller import Controller

from tests.moderation.mailbox import Inbox, free_port


@pytest.fixture
def smtp():
    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=free_port())
    controller.start()
    yield controller.port, inbox
    controller.stop()


@pytest.fixture
def mail_app(make_app, smtp):
    port, _ = smtp
    return make_app(MAIL_SERVER="127.0.0.1", MAIL_PORT=port, MAIL_FROM="archive@example.org",
                    PUBLIC_BASE_URL="https://photos.example.org")
