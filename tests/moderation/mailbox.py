"""A real SMTP server on loopback (aiosmtpd) that can refuse on request, and helpers to read
what it received. The fixtures using it are in this folder's conftest.py."""

from __future__ import annotations

import email
import email.header
import email.message
import re
import socket
import threading

from aiosmtpd.smtp import AuthResult


class Inbox:
    """What the server received. ``refuse_data`` and ``refuse_rcpt`` hold the answers to give
    to the next DATA or RCPT commands instead of accepting (one each, in order)."""

    def __init__(self):
        self.messages: list[email.message.Message] = []
        self.refuse_data: list[str] = []
        self.refuse_rcpt: list[str] = []
        self.always_refuse: str | None = None
        self.lock = threading.Lock()

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        with self.lock:
            if self.refuse_rcpt:
                return self.refuse_rcpt.pop(0)
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        with self.lock:
            if self.always_refuse:
                return self.always_refuse
            if self.refuse_data:
                return self.refuse_data.pop(0)
            message = email.message_from_bytes(envelope.content)
            message["X-Envelope-To"] = ", ".join(envelope.rcpt_tos)
            self.messages.append(message)
        return "250 Message accepted"


def refuse_every_login(server, session, envelope, mechanism, auth_data):
    return AuthResult(success=False, handled=False)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def body_of(message) -> str:
    return message.get_payload(decode=True).decode()


def subject_of(message) -> str:
    """The subject as read, a long one unfolded."""
    subject = str(email.header.make_header(email.header.decode_header(message["Subject"])))
    return " ".join(subject.split())


def confirmation_link(message) -> str:
    """The path of the link in an email asking to confirm a note's address."""
    [link] = re.findall(r"https://photos\.example\.org(/notes/confirm-address\?token=\S+)",
                        body_of(message))
    return link


def confirm_by_link(app, message):
    """What the owner of the address does: open the link, then press the page's button."""
    visitor = app.test_client()
    link = confirmation_link(message)
    page = visitor.get(link)
    assert page.status_code == 200
    token = link.split("token=", 1)[1]
    return visitor.post("/notes/confirm-address", data={"token": token})
