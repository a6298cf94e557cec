"""Telling contributors what happened to their notes, by email: what it says, and to whom.

A decision does not send anything: it puts the email in the outbox (``archive.moderation.outbox``)
and ``flask notify send`` sends it later, outside any request. The email is written when it is
sent, in the language the note was sent in, to the address the note holds then.
"""

from __future__ import annotations

import hashlib
import hmac
import smtplib
import ssl
from collections.abc import Iterable
from email.message import EmailMessage

from flask import current_app, url_for
from flask_babel import force_locale, gettext
from itsdangerous import BadSignature, URLSafeTimedSerializer

from archive.config import ConfigError
from archive.i18n import DEFAULT_LANGUAGE, LANGUAGES
from archive.models import AccountEmail, Contribution, ContributionStatus, Institution, User


def configured_reasons(institution: Institution | None = None) -> dict[str, str]:
    """The rejection reasons by code, untranslated: the institution's own when it wrote some,
    else the site's (``REJECTION_REASONS``)."""
    if institution is not None and institution.rejection_reasons.strip():
        own = {}
        for line in institution.rejection_reasons.splitlines():
            code, _sep, text = line.partition("=")
            if code.strip() and text.strip():
                own[code.strip()[:50]] = text.strip()
        if own:
            return own
    return dict(current_app.config["REJECTION_REASONS"])


def shared_reasons(institutions: Iterable[Institution]) -> dict[str, str]:
    """The rejection reasons, untranslated, that every one of ``institutions`` offers (the
    same code with the same text): what one decision on notes of them all may give."""
    offered = [configured_reasons(institution) for institution in institutions]
    if not offered:
        return configured_reasons(None)
    shared = offered[0]
    for other in offered[1:]:
        shared = {code: text for code, text in shared.items() if other.get(code) == text}
    return shared


def translated(reasons: dict[str, str]) -> dict[str, str]:
    """Reasons in the current language (the page's, or the email's) where the archive has a
    translation of them (the default ones); others as written."""
    return {code: gettext(text) if text else text for code, text in reasons.items()}


def rejection_reasons(institution: Institution | None = None) -> dict[str, str]:
    """The rejection reasons by code (see ``configured_reasons``), in the current language."""
    return translated(configured_reasons(institution))


def rejection_text(contribution: Contribution) -> str:
    """The reason a contributor is given for a rejection: the chosen one, in the current
    language, then the archivist's own words, never translated."""
    reasons = rejection_reasons(contribution.item.collection.institution)
    chosen = reasons.get(contribution.rejection_code, "") if contribution.rejection_code else ""
    parts = [chosen] if chosen else []
    if contribution.decision_reason:
        parts.append(contribution.decision_reason)
    return " ".join(p for p in parts if p)


def recipient(contribution: Contribution) -> str | None:
    """Where news of the note goes: its address once its owner confirmed it, else the address
    of the confirmed, open account it was sent from; else nowhere. An address typed by anyone
    into the form is never written to about the note before its owner says it is theirs."""
    if contribution.email and contribution.email_confirmed_at is not None:
        return contribution.email
    account = contribution.submitted_by
    if account is not None and account.active and account.email_confirmed_at is not None:
        return account.email
    return None


# --- confirming a note's address ---------------------------------------------------------------

ADDRESS_CONFIRMATION_DAYS = 3


def _address_serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"],
                                  salt="note-address-confirmation")


def _address_stamp(contribution: Contribution) -> str:
    # Tied to the address: an erased (or changed) address makes every link sent to it useless.
    return hashlib.sha256((contribution.email or "").encode()).hexdigest()[:16]


def address_confirmation_token(contribution: Contribution) -> str:
    """What the link emailed to a note's address carries: signed, for this note and this
    address, valid ``ADDRESS_CONFIRMATION_DAYS`` days."""
    return _address_serializer().dumps([contribution.id, _address_stamp(contribution)])


def note_for_address_token(token: str) -> Contribution | None:
    """The note whose address ``token`` confirms; None when the token is forged, expired, or
    its note or address is gone."""
    from archive.extensions import db

    try:
        note_id, stamp = _address_serializer().loads(
            token, max_age=ADDRESS_CONFIRMATION_DAYS * 24 * 3600)
        note = db.session.get(Contribution, int(note_id))
    except (BadSignature, ValueError, TypeError):
        return None
    if note is None or not note.email or note.erased_at is not None:
        return None
    if not hmac.compare_digest(str(stamp), _address_stamp(note)):
        return None
    return note


def compose_address_confirmation(contribution: Contribution) -> EmailMessage:
    """The email asking the owner of a note's address to confirm it. It names the photograph
    and nothing the sender wrote: whoever typed the address chose none of its words."""
    language = contribution.language if contribution.language in LANGUAGES else DEFAULT_LANGUAGE
    config = current_app.config
    name = config["ARCHIVE_NAME"]
    item = contribution.item
    with current_app.test_request_context(base_url=public_base_url()), force_locale(language):
        link = url_for("contribute.confirm_address",
                       token=address_confirmation_token(contribution), _external=True)
        photograph = url_for("public.item", identifier=item.identifier, _external=True)
        subject = gettext("Confirm your email address for %(archive)s", archive=name)
        body = "\n\n".join([
            gettext("Hello,"),
            gettext("Someone (we hope you) sent %(archive)s a note about the photograph "
                    "“%(title)s” and gave this email address, so that we may tell them what "
                    "becomes of it.", archive=name, title=item.title) + f"\n{photograph}",
            gettext("If it was you, confirm the address within %(days)d days with this link; "
                    "we will write to you only after that:",
                    days=ADDRESS_CONFIRMATION_DAYS) + f"\n{link}",
            gettext("If it was not you, ignore this email: we will not write to you again "
                    "about it."),
            f"— {name}",
        ])
    message = EmailMessage()
    message["Subject"] = subject
    message["From"] = config["MAIL_FROM"]
    message["To"] = contribution.email
    message.set_content(body)
    return message


def compose(contribution: Contribution,
            announces: ContributionStatus | None = None) -> EmailMessage:
    """The email announcing a decision (``announces``, else the note's status now), in the
    language the note was sent in.

    It is written outside any request, so its links start with ``PUBLIC_BASE_URL``.
    """
    language = contribution.language if contribution.language in LANGUAGES else DEFAULT_LANGUAGE
    with current_app.test_request_context(base_url=public_base_url()), force_locale(language):
        return _compose(contribution, announces or contribution.status)


def public_base_url() -> str:
    """The site's public address, which every link in an email starts with."""
    base_url = current_app.config.get("PUBLIC_BASE_URL")
    if not base_url:
        raise ConfigError("PUBLIC_BASE_URL is not set: emails link to the note's page, so set "
                          "it to the site's public address (https://…).")
    return base_url


def _compose(contribution: Contribution, status: ContributionStatus) -> EmailMessage:
    config = current_app.config
    item = contribution.item
    link = url_for("public.item", identifier=item.identifier, _external=True)
    if status is ContributionStatus.APPROVED:
        subject = gettext("Your note on “%(title)s” is published", title=item.title)
        news = [gettext("Thank you: an archivist has read your note and published it on the "
                        "photograph's page:") + f"\n{link}#note-{contribution.id}"]
        if contribution.edited_body is not None:
            news.append(gettext("The archivist made a small edit to the text before "
                                "publishing it."))
    elif status is ContributionStatus.REJECTED:
        subject = gettext("Your note on “%(title)s”", title=item.title)
        news = [gettext("Thank you for your note. An archivist has read it and could not "
                        "publish it.")]
        reason = rejection_text(contribution)
        if reason:
            news.append(gettext("The reason: %(reason)s", reason=reason))
    else:
        subject = gettext("Your note on “%(title)s” was taken down", title=item.title)
        news = [gettext("Your note, published earlier, is no longer shown on the "
                        "photograph's page.")]
        if contribution.decision_reason:
            news.append(gettext("The reason: %(reason)s", reason=contribution.decision_reason))
    # Only a published note's text is quoted: what was never published (or was taken down)
    # is not repeated to anyone, whoever typed the address.
    quoted = ([gettext("What you wrote:") + f"\n{contribution.body}"]
              if status is ContributionStatus.APPROVED else [])
    body = "\n\n".join([
        gettext("Hello,"),
        *news,
        *quoted,
        f"— {config['ARCHIVE_NAME']}",
    ])
    message = EmailMessage()
    message["Subject"] = subject
    message["From"] = config["MAIL_FROM"]
    message["To"] = recipient(contribution)
    message.set_content(body)
    return message


def compose_account_email(user: User, kind: AccountEmail, *,
                          language: str | None = None) -> EmailMessage:
    """An email about an account, to its address, in ``language`` (that of the page the
    account was asked for from). Its link is made now, for the account as it is when sent."""
    from archive.auth.services import CONFIRMATION_DAYS, confirmation_token

    language = language if language in LANGUAGES else DEFAULT_LANGUAGE
    config = current_app.config
    name = config["ARCHIVE_NAME"]
    with current_app.test_request_context(base_url=public_base_url()), force_locale(language):
        if kind is AccountEmail.CONFIRM:
            link = url_for("contributors.confirm", token=confirmation_token(user),
                           _external=True)
            subject = gettext("Finish opening your account on %(archive)s", archive=name)
            news = [
                gettext("Someone (we hope you) asked to open an account on %(archive)s with "
                        "this email address. To finish, open this link within %(days)d days:",
                        archive=name, days=CONFIRMATION_DAYS) + f"\n{link}",
                gettext("If it was not you, ignore this email: no account is opened without "
                        "the link."),
            ]
        else:
            link = url_for("auth.login", _external=True)
            subject = gettext("Your account on %(archive)s", archive=name)
            news = [
                gettext("Someone asked to open an account on %(archive)s with this email "
                        "address, which already has one. If it was you, log in with it:",
                        archive=name) + f"\n{link}",
                gettext("If you have forgotten the password, ask the archive to set a new "
                        "one. If it was not you, ignore this email: nothing has changed."),
            ]
        body = "\n\n".join([gettext("Hello,"), *news, f"— {name}"])
    message = EmailMessage()
    message["Subject"] = subject
    message["From"] = config["MAIL_FROM"]
    message["To"] = user.email
    message.set_content(body)
    return message


class MailConfigError(ConfigError):
    """The mail settings cannot work (a refused login, TLS the server does not offer)."""


def check_mail_settings() -> None:
    """Settings that cannot work together, found without asking the mail server."""
    config = current_app.config
    public_base_url()
    if config.get("MAIL_USE_SSL") and config.get("MAIL_USE_TLS"):
        raise MailConfigError("MAIL_USE_SSL and MAIL_USE_TLS are both on: use MAIL_USE_SSL=1 "
                              "for SMTP over TLS (port 465), or MAIL_USE_TLS=1 for STARTTLS.")


def connect() -> smtplib.SMTP:
    """An open, logged-in connection to ``MAIL_SERVER``.

    A server that cannot be reached raises ``OSError`` or ``smtplib.SMTPException`` (try again
    later); settings that cannot work raise :class:`MailConfigError` (retrying will not help).
    """
    check_mail_settings()
    config = current_app.config
    timeout = config.get("MAIL_TIMEOUT", 10)
    if config.get("MAIL_USE_SSL"):
        smtp: smtplib.SMTP = smtplib.SMTP_SSL(config["MAIL_SERVER"], config["MAIL_PORT"],
                                              timeout=timeout,
                                              context=ssl.create_default_context())
    else:
        smtp = smtplib.SMTP(config["MAIL_SERVER"], config["MAIL_PORT"], timeout=timeout)
    try:
        if config.get("MAIL_USE_TLS"):
            smtp.starttls(context=ssl.create_default_context())
        if config.get("MAIL_USERNAME"):
            smtp.login(config["MAIL_USERNAME"], config.get("MAIL_PASSWORD") or "")
    except smtplib.SMTPNotSupportedError as error:
        smtp.close()
        raise MailConfigError(f"The mail server {config['MAIL_SERVER']} does not offer what "
                              f"the MAIL_* settings ask for ({error}): check MAIL_USE_TLS and "
                              "MAIL_USERNAME.") from None
    except smtplib.SMTPAuthenticationError as error:
        smtp.close()
        raise MailConfigError(f"The mail server {config['MAIL_SERVER']} refused the login "
                              f"({error.smtp_code}): check MAIL_USERNAME and "
                              "MAIL_PASSWORD.") from None
    except BaseException:
        smtp.close()
        raise
    return smtp
