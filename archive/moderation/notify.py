"""Telling contributors what happened to their notes, by email.

Sent after the decision is committed (a rolled-back decision must not be announced). Each note
is claimed with a conditional UPDATE of ``notified_at`` before its mail goes out, so a note is
announced once even when two processes send at the same moment. Without ``MAIL_SERVER`` nothing
is sent; the contributor's account page shows the same news.
"""

from __future__ import annotations

import logging
import smtplib
import ssl
from email.message import EmailMessage
from typing import cast

import sqlalchemy as sa
from flask import current_app, url_for
from flask_babel import force_locale, gettext

from archive.extensions import db
from archive.i18n import DEFAULT_LANGUAGE, LANGUAGES
from archive.models import Contribution, ContributionStatus, utcnow

log = logging.getLogger(__name__)

ANNOUNCED = (ContributionStatus.APPROVED, ContributionStatus.REJECTED,
             ContributionStatus.WITHDRAWN)


def rejection_reasons() -> dict[str, str]:
    """The configured rejection reasons by code, in the current language (the page's, or the
    email's) where the archive has a translation of them (the default ones); others as
    configured."""
    return {code: gettext(text) if text else text
            for code, text in current_app.config["REJECTION_REASONS"].items()}


def rejection_text(contribution: Contribution) -> str:
    """The reason a contributor is given for a rejection: the chosen one, in the current
    language, then the archivist's own words, never translated."""
    chosen = rejection_reasons().get(contribution.rejection_code, "") \
        if contribution.rejection_code else ""
    parts = [chosen] if chosen else []
    if contribution.decision_reason:
        parts.append(contribution.decision_reason)
    return " ".join(p for p in parts if p)


def recipient(contribution: Contribution) -> str | None:
    if contribution.email:
        return contribution.email
    if contribution.submitted_by is not None and contribution.submitted_by.active:
        return contribution.submitted_by.email
    return None


def compose(contribution: Contribution) -> EmailMessage:
    """The email about a decision, in the language the note was sent in."""
    language = contribution.language if contribution.language in LANGUAGES else DEFAULT_LANGUAGE
    with force_locale(language):
        return _compose(contribution)


def _compose(contribution: Contribution) -> EmailMessage:
    config = current_app.config
    item = contribution.item
    link = url_for("public.item", identifier=item.identifier, _external=True)
    if config.get("PUBLIC_BASE_URL"):
        link = config["PUBLIC_BASE_URL"].rstrip("/") + url_for(
            "public.item", identifier=item.identifier)
    status = contribution.status
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
    body = "\n\n".join([
        gettext("Hello,"),
        *news,
        gettext("What you wrote:") + f"\n{contribution.body}",
        f"— {config['ARCHIVE_NAME']}",
    ])
    message = EmailMessage()
    message["Subject"] = subject
    message["From"] = config["MAIL_FROM"]
    message["To"] = recipient(contribution)
    message.set_content(body)
    return message


def _smtp():
    config = current_app.config
    timeout = config.get("MAIL_TIMEOUT", 10)
    if config.get("MAIL_USE_SSL"):
        smtp: smtplib.SMTP = smtplib.SMTP_SSL(config["MAIL_SERVER"], config["MAIL_PORT"],
                                              timeout=timeout,
                                              context=ssl.create_default_context())
    else:
        smtp = smtplib.SMTP(config["MAIL_SERVER"], config["MAIL_PORT"], timeout=timeout)
        if config.get("MAIL_USE_TLS"):
            smtp.starttls(context=ssl.create_default_context())
    if config.get("MAIL_USERNAME"):
        smtp.login(config["MAIL_USERNAME"], config.get("MAIL_PASSWORD") or "")
    return smtp


def notify_contributors(contribution_ids: list[int]) -> int:
    """Email the senders of these (committed) decisions; the number of emails sent.

    A mail server that cannot be reached is logged and the notes stay unannounced (so a
    later run can send them): the archivist's decision stands either way.
    """
    if not current_app.config.get("MAIL_SERVER") or not contribution_ids:
        return 0
    notes = list(db.session.scalars(
        sa.select(Contribution).where(Contribution.id.in_(contribution_ids),
                                      Contribution.notified_at.is_(None),
                                      Contribution.status.in_(ANNOUNCED))))
    notes = [n for n in notes if recipient(n)]
    if not notes:
        return 0
    sent = 0
    try:
        smtp = _smtp()
    except (OSError, smtplib.SMTPException) as error:
        log.warning("mail server unreachable, %d notes not announced: %s", len(notes), error)
        return 0
    with smtp:
        for note in notes:
            claimed = cast(sa.CursorResult, db.session.execute(
                sa.update(Contribution)
                .where(Contribution.id == note.id, Contribution.notified_at.is_(None))
                .values(notified_at=utcnow())
                .execution_options(synchronize_session=False)))
            if claimed.rowcount != 1:
                db.session.rollback()
                continue
            try:
                smtp.send_message(compose(note))
            except (OSError, smtplib.SMTPException) as error:
                db.session.rollback()
                log.warning("could not email the sender of note %s: %s", note.id, error)
                continue
            db.session.commit()
            sent += 1
    return sent
