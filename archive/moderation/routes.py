from __future__ import annotations

from datetime import date, datetime
from typing import Any

import sqlalchemy as sa
from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user
from wtforms.validators import ValidationError

from archive.auth.decorators import role_required
from archive.extensions import db
from archive.forms import required_text
from archive.models import (
    Block,
    BlockKind,
    Collection,
    Contribution,
    ContributionStatus,
    Enrichment,
    EventAllowance,
    Institution,
    Item,
    Role,
    merge_names,
    utcnow,
)
from archive.moderation import bp
from archive.moderation.allowances import (
    AllowanceError,
    allowances_for,
    close_allowance,
    open_allowance,
)
from archive.moderation.audit import LogFilter, audit_log, staff_members
from archive.moderation.campaigns import (
    ask_for_help,
    close_question,
    mark_solved,
    reopen_question,
)
from archive.moderation.dashboard import dashboard as dashboard_figures
from archive.moderation.diff import word_diff
from archive.moderation.forms import (
    AllowanceForm,
    BlockForm,
    BulkForm,
    DecisionForm,
    EmptyForm,
    EnrichForm,
    QuestionForm,
    WithdrawForm,
)
from archive.moderation.intake import (
    BLOCK_LABELS,
    active_blocks,
    block_sender,
    blocks_for,
    lift_block,
)
from archive.moderation.lifecycle import ACTION_LABELS, Action
from archive.moderation.notify import (
    configured_reasons,
    rejection_reasons,
    rejection_text,
    shared_reasons,
    translated,
)
from archive.moderation.outbox import queue_outcome_emails
from archive.moderation.services import (
    ACTIONS,
    KEEP_REGION,
    EditedRegion,
    ModerationError,
    QueueFilter,
    approve_contribution,
    bulk_decide,
    contribution_history,
    decide,
    enrich_from_note,
    enrichments_from,
    pending_queue,
    region_change,
    revert_enrichment,
    withdraw_contribution,
)
from archive.queries import approved_notes_of, get_item_or_404
from archive.scope import staff_scope
from archive.text import clean_text

# The queue's filters, carried through decisions so the archivist stays where they were.
QUEUE_PARAMS = ("after", "status", "collection", "item", "help", "who", "q")


def describe_age(since: datetime, now: datetime | None = None) -> str:
    """``3 days``, ``5 hours``, ``12 minutes``: how long a note has waited, in the page's
    language."""
    seconds = max(int(((now or utcnow()) - since).total_seconds()), 0)
    if seconds >= 86400:
        return ngettext("%(num)d day", "%(num)d days", seconds // 86400)
    if seconds >= 3600:
        return ngettext("%(num)d hour", "%(num)d hours", seconds // 3600)
    if seconds >= 60:
        return ngettext("%(num)d minute", "%(num)d minutes", seconds // 60)
    return _("less than a minute")


def _decision_form(institution: Institution | None = None, **kwargs) -> DecisionForm:
    return DecisionForm(rejection_reasons=configured_reasons(institution), **kwargs)


def _queue_institution() -> Institution | None:
    """The one institution whose notes the archivist's queue holds; None when several (the
    queue then offers the site's rejection reasons)."""
    ids = staff_scope().institution_ids
    if ids is None:
        only = db.session.scalars(sa.select(Institution).limit(2)).all()
        return only[0] if len(only) == 1 else None
    return db.session.get(Institution, next(iter(ids))) if len(ids) == 1 else None


def _queue_params(source) -> dict[str, str]:
    return {k: source.get(k)[:500] for k in QUEUE_PARAMS if source.get(k)}


def _queue_filter(args) -> tuple[QueueFilter, list[str]]:
    """The filters named in the query string; unknown values are reported, not guessed."""
    problems = []
    try:
        status = ContributionStatus(args.get("status") or "pending")
    except ValueError:
        status = ContributionStatus.PENDING
        problems.append(_("Unknown status: showing pending notes."))
    collection_id = item_id = None
    scope = staff_scope()
    if args.get("collection"):
        collection_id = db.session.scalar(
            sa.select(Collection.id).where(Collection.slug == args["collection"][:100],
                                           scope.collections()))
        if collection_id is None:
            problems.append(_("There is no collection “%(slug)s”.",
                              slug=args["collection"][:100]))
            collection_id = -1
    if args.get("item"):
        wanted = args["item"].strip()[:250]
        # The item's address (what links carry), else the reference its institution uses.
        item_id = db.session.scalar(
            sa.select(Item.id).where(Item.identifier == wanted, scope.items()))
        if item_id is None:
            matches = db.session.scalars(
                sa.select(Item.id).where(Item.reference == wanted[:100], scope.items())
                .limit(2)).all()
            item_id = matches[0] if len(matches) == 1 else None
        if item_id is None:
            problems.append(_("No photograph has the reference “%(reference)s”.",
                              reference=args["item"][:100]))
            item_id = -1
    return QueueFilter(status=status, collection_id=collection_id, item_id=item_id,
                       help_only=args.get("help") == "1",
                       contributor=(args.get("who") or "")[:320],
                       text=(args.get("q") or "")[:200], scope=scope), problems


@bp.get("/")
@role_required(Role.ARCHIVIST)
def queue():
    filters, problems = _queue_filter(request.args)
    page = pending_queue(after=request.args.get("after"),
                         limit=current_app.config["QUEUE_PAGE_SIZE"], filters=filters,
                         count_limit=current_app.config["QUEUE_COUNT_LIMIT"])
    params = _queue_params(request.args)
    params.pop("after", None)
    collections = db.session.scalars(sa.select(Collection).where(filters.scope.collections())
                                     .order_by(Collection.title)).all()
    institution = _queue_institution()
    return render_template(
        "moderation/queue.html", page=page, form=_decision_form(institution),
        after=request.args.get("after"),
        filters=filters, params=params, problems=problems, collections=collections,
        statuses=list(ContributionStatus), args=request.args,
        status_params={k: v for k, v in params.items() if k != "status"},
        oldest_age=describe_age(page.oldest_pending) if page.oldest_pending else "",
        reasons=rejection_reasons(institution), bulk_form=BulkForm(
            rejection_reasons=configured_reasons(institution)),
        # Each note is decided with the reasons of the institution holding its photograph.
        reasons_by_institution={
            c.item.collection.institution_id: rejection_reasons(c.item.collection.institution)
            for c in page.contributions})


def _get_contribution(contribution_id: int) -> Contribution:
    """The note, if it is one of the archivist's institutions' notes; else 404."""
    contribution = db.session.get(Contribution, contribution_id)
    if contribution is None:
        abort(404)
    return staff_scope().require_contribution(contribution)


def _enrich_form(contribution: Contribution, formdata=None) -> EnrichForm:
    """The record's current values, with the note's suggestions put in where it made one."""
    item = contribution.item
    data = {
        "date_text": contribution.suggested_date or item.date_text,
        "place": contribution.suggested_place or item.place,
        "people": merge_names(item.people, contribution.suggested_people),
        "subjects": item.subjects,
        "seen_date_text": item.date_text, "seen_place": item.place,
        "seen_people": item.people, "seen_subjects": item.subjects,
    }
    return EnrichForm(formdata=formdata, data=data)


def _contribution_page(contribution: Contribution, *, status: int = 200, **forms):
    institution = contribution.item.collection.institution
    forms.setdefault("form", _decision_form(institution))
    forms.setdefault("withdraw_form", WithdrawForm(revert_enrichments=True))
    forms.setdefault("enrich_form", _enrich_form(contribution))
    forms.setdefault("block_form", BlockForm())
    diff = (word_diff(contribution.body, contribution.edited_body)
            if contribution.edited_body is not None else None)
    return render_template(
        "moderation/contribution.html", contribution=contribution,
        history=contribution_history(contribution), diff=diff,
        enrichments=enrichments_from(contribution), blocks=blocks_for(contribution),
        block_labels=BLOCK_LABELS, action_labels=ACTION_LABELS,
        reasons=rejection_reasons(institution),
        rejection=rejection_text(contribution), revert_form=EmptyForm(),
        **forms), status


@bp.get("/contributions/<int:contribution_id>")
@role_required(Role.ARCHIVIST)
def contribution(contribution_id: int):
    return _contribution_page(_get_contribution(contribution_id))


def _back_to_queue(source, next_id: str | None = None) -> str:
    anchor = f"c{next_id}" if next_id and next_id.isdigit() else None
    # Typed Any: mypy would otherwise match the str values against url_for's _external.
    params: dict[str, Any] = _queue_params(source)
    return url_for("moderation.queue", **params, _anchor=anchor)


@bp.post("/contributions/<int:contribution_id>/decide")
@role_required(Role.ARCHIVIST)
def decide_contribution(contribution_id: int):
    contribution = _get_contribution(contribution_id)
    form = _decision_form(contribution.item.collection.institution)
    from_page = request.form.get("from") == "contribution"
    back = (url_for("moderation.contribution", contribution_id=contribution.id) if from_page
            else _back_to_queue(request.form, request.form.get("next")))
    if not form.validate_on_submit():
        flash(_("That decision could not be read; please try again."), "error")
        return redirect(back, code=303)
    edited = form.edited_text.data
    if edited is not None and clean_text(edited) == contribution.body:
        edited = None  # the text was not changed
    edited_region: EditedRegion = KEEP_REGION
    try:
        if form.region_sent:
            edited_region = region_change(contribution, form.sent_region())
        if form.action.data == "approve":
            approve_contribution(contribution, current_user, apply=form.suggestions_to_apply(),
                                 reason=form.reason.data or "", edited_text=edited or None,
                                 edited_region=edited_region)
        elif edited:
            raise ModerationError(_("You changed the text: approve the note with your edit, "
                                    "or reject it as written."))
        elif edited_region is not KEEP_REGION:
            raise ModerationError(_("You changed the box: approve the note with your edit, "
                                    "or reject it as sent."))
        else:
            decide(contribution, current_user, ACTIONS[form.action.data],
                   reason=form.reason.data or "",
                   rejection_code=form.rejection_code.data
                   if form.action.data == "reject" else "")
    except (ModerationError, ValidationError) as error:
        db.session.rollback()
        flash(str(error), "warning")
        if (edited or edited_region is not KEEP_REGION or isinstance(error, ValidationError)) \
                and from_page:  # keep what the archivist typed and drew
            return _contribution_page(_get_contribution(contribution_id), status=409,
                                      form=form)
        return redirect(back, code=303)
    queue_outcome_emails([contribution])  # sent later by `flask notify send`
    db.session.commit()
    done = {
        "approved": _("Note #%(id)s on “%(title)s”: approved."),
        "approved_edited": _("Note #%(id)s on “%(title)s”: approved with your edit."),
        "rejected": _("Note #%(id)s on “%(title)s”: rejected."),
        "spam": _("Note #%(id)s on “%(title)s”: spam."),
    }
    key = contribution.status.value
    if (contribution.edited_body is not None or contribution.region_edited) \
            and key == "approved":
        key = "approved_edited"
    flash(done.get(key, _("Note #%(id)s on “%(title)s”: %(status)s.")) % {
        "id": contribution.id, "title": contribution.item.title, "status": key}, "success")
    return redirect(back, code=303)


@bp.post("/contributions/<int:contribution_id>/withdraw")
@role_required(Role.ARCHIVIST)
def withdraw(contribution_id: int):
    contribution = _get_contribution(contribution_id)
    form = WithdrawForm()
    if not form.validate_on_submit():
        flash(_("Say why the note is withdrawn."), "error")
        return _contribution_page(contribution, status=400, withdraw_form=form)
    try:
        withdraw_contribution(contribution, current_user, reason=required_text(form.reason),
                              revert_enrichments=form.revert_enrichments.data)
    except ModerationError as error:
        db.session.rollback()
        flash(str(error), "warning")
        return _contribution_page(_get_contribution(contribution_id), status=409,
                                  withdraw_form=form)
    queue_outcome_emails([contribution])  # sent later by `flask notify send`
    db.session.commit()
    flash(_("Note #%(id)s is withdrawn: it is no longer on the item page or in the exports.",
            id=contribution.id), "success")
    return redirect(url_for("moderation.contribution", contribution_id=contribution.id),
                    code=303)


@bp.post("/contributions/<int:contribution_id>/enrich")
@role_required(Role.ARCHIVIST)
def enrich(contribution_id: int):
    contribution = _get_contribution(contribution_id)
    form = _enrich_form(contribution, formdata=request.form)
    if not form.validate_on_submit():
        return _contribution_page(contribution, status=400, enrich_form=form)
    try:
        applied = enrich_from_note(contribution, current_user, form.changes(),
                                   years=form.years())
    except ModerationError as error:
        db.session.rollback()
        flash(str(error), "warning")
        contribution = _get_contribution(contribution_id)
        return _contribution_page(contribution, status=409, enrich_form=form)
    db.session.commit()
    if applied:
        fields = ", ".join(_(e.field.replace("_text", "")) for e in applied)
        flash(_("The record of “%(title)s” is updated (%(fields)s), crediting this note.",
                title=contribution.item.title, fields=fields), "success")
    else:
        flash(_("The record already held those values: nothing changed."), "info")
    return redirect(url_for("moderation.contribution", contribution_id=contribution.id),
                    code=303)


@bp.post("/enrichments/<int:enrichment_id>/revert")
@role_required(Role.ARCHIVIST)
def revert(enrichment_id: int):
    enrichment = db.session.get(Enrichment, enrichment_id)
    if enrichment is None:
        abort(404)
    item = db.session.get_one(Item, enrichment.item_id)  # the foreign key keeps it there
    staff_scope().require_item(item)
    form = EmptyForm()
    back = request.form.get("from")
    target = (url_for("moderation.contribution", contribution_id=int(back))
              if back and back.isdigit() else
              url_for("public.item", identifier=item.identifier, _anchor="history-heading"))
    if not form.validate_on_submit():
        flash(_("That request could not be read; please try again."), "error")
        return redirect(target, code=303)
    try:
        revert_enrichment(enrichment, current_user)
    except ModerationError as error:
        db.session.rollback()
        flash(str(error), "warning")
        return redirect(target, code=303)
    db.session.commit()
    flash(_("The change to the %(field)s is reverted; the revert is recorded in the record's "
            "history.", field=_(enrichment.field.replace("_text", ""))), "success")
    return redirect(target, code=303)


# --- several notes at once ---------------------------------------------------------------------


@bp.post("/bulk")
@role_required(Role.ARCHIVIST)
def bulk():
    """First the confirmation page (what will change), then, confirmed, the decisions."""
    back = _back_to_queue(request.form)
    form = BulkForm()
    notes = list(db.session.scalars(
        sa.select(Contribution).where(Contribution.id.in_((form.ids.data or [])[:201]),
                                      staff_scope().contributions())
        .order_by(Contribution.created_at, Contribution.id)))
    # One decision on notes of several institutions may give only a reason they all offer.
    institutions = {n.item.collection.institution_id: n.item.collection.institution
                    for n in notes}
    reasons = shared_reasons(institutions.values())
    form.offer_reasons(reasons)
    if not form.validate_on_submit():
        errors = form.ids.errors or [_("That selection could not be read; please try again.")]
        flash(str(errors[0]), "error")
        return redirect(back, code=303)
    if not notes:  # none of them is the archivist's to decide
        abort(404)
    to_status = ACTIONS[form.action.data]
    if form.confirm.data != "yes":
        return render_template("moderation/bulk_confirm.html", form=form, notes=notes,
                               to_status=to_status, reasons=translated(reasons),
                               institutions=len(institutions),
                               params=_queue_params(request.form))
    result = bulk_decide(notes, current_user, to_status, reason=form.reason.data or "",
                         rejection_code=form.rejection_code.data or "")
    queue_outcome_emails(result.decided)  # sent later by `flask notify send`
    db.session.commit()
    if result.decided:
        count = len(result.decided)
        decided = {
            "approved": ngettext("%(num)d note approved.", "%(num)d notes approved.", count),
            "rejected": ngettext("%(num)d note rejected.", "%(num)d notes rejected.", count),
            "spam": ngettext("%(num)d note spam.", "%(num)d notes spam.", count),
        }
        flash(decided[to_status.value], "success")
    for note, message in result.skipped:
        flash(_("Note #%(id)s skipped: %(reason)s", id=note.id, reason=message), "warning")
    return redirect(back, code=303)


# --- the log -----------------------------------------------------------------------------------


def _date_arg(name: str, problems: list[str]) -> date | None:
    raw = request.args.get(name, "").strip()
    if not raw:
        return None
    try:
        return date.fromisoformat(raw[:10])
    except ValueError:
        problems.append(_("“%(value)s” is not a date (write it as 2024-03-31).",
                          value=raw[:20]))
        return None


@bp.get("/log")
@role_required(Role.ARCHIVIST)
def log():
    problems: list[str] = []
    actor = request.args.get("actor", "")
    action = None
    if request.args.get("action"):
        try:
            action = Action(request.args["action"])
        except ValueError:
            problems.append(_("Unknown action: showing every action."))
    filters = LogFilter(actor_id=int(actor) if actor.isdigit() and len(actor) < 10 else None,
                        action=action, since=_date_arg("since", problems),
                        until=_date_arg("until", problems))
    before = request.args.get("before", "")
    scope = staff_scope()
    page = audit_log(filters, before=int(before) if before.isdigit() and len(before) < 10
                     else None, limit=current_app.config["AUDIT_PAGE_SIZE"], scope=scope)
    params = {k: request.args[k][:50] for k in ("actor", "action", "since", "until")
              if request.args.get(k)}
    return render_template("moderation/log.html", page=page, filters=filters, params=params,
                           problems=problems, staff=staff_members(scope),
                           actions=ACTION_LABELS)


# --- "Can you help?" ---------------------------------------------------------------------------


@bp.route("/items/<identifier>/question", methods=["GET", "POST"])
@role_required(Role.ARCHIVIST)
def question(identifier: str):
    item = staff_scope().require_item(get_item_or_404(identifier, include_withdrawn=True))
    form = QuestionForm(data={"question": item.help_question})
    status = 200
    if request.method == "POST":
        if form.validate_on_submit():
            try:
                if form.action.data == "ask":
                    ask_for_help(item, form.question.data or "", current_user)
                    message = _("The question is open: it is listed on the home page.")
                elif form.action.data == "solve":
                    notes = mark_solved(item, form.solved_by.data or [], current_user,
                                        reason=form.reason.data or "")
                    message = ngettext("Marked solved, crediting %(num)d note.",
                                       "Marked solved, crediting %(num)d notes.", len(notes))
                elif form.action.data == "reopen":
                    reopen_question(item, current_user)
                    message = _("The question is open again.")
                else:
                    close_question(item, current_user)
                    message = _("The public is no longer asked this question.")
            except ModerationError as error:
                db.session.rollback()
                item = get_item_or_404(identifier, include_withdrawn=True)
                flash(str(error), "warning")
                status = 409
            else:
                db.session.commit()
                flash(message, "success")
                return redirect(url_for("moderation.question", identifier=item.identifier),
                                code=303)
        else:
            status = 400
    return render_template("moderation/question.html", item=item, form=form,
                           notes=approved_notes_of(item)), status


# --- blocks ------------------------------------------------------------------------------------


@bp.post("/contributions/<int:contribution_id>/block")
@role_required(Role.ARCHIVIST)
def block(contribution_id: int):
    contribution = _get_contribution(contribution_id)
    form = BlockForm()
    if not form.validate_on_submit():
        flash(_("That block could not be read; please try again."), "error")
    else:
        try:
            made = block_sender(contribution, BlockKind(form.kind.data), current_user,
                                reason=form.reason.data or "")
        except ModerationError as error:
            db.session.rollback()
            flash(str(error), "warning")
        else:
            db.session.commit()
            flash(_("Blocked (%(kind)s): this sender's next notes go straight to spam.",
                    kind=_(BLOCK_LABELS[made.kind])), "success")
    return redirect(url_for("moderation.contribution", contribution_id=contribution.id),
                    code=303)


@bp.get("/blocks")
@role_required(Role.ARCHIVIST)
def blocks():
    return render_template("moderation/blocks.html", blocks=active_blocks(staff_scope().blocks()),
                           labels=BLOCK_LABELS, form=EmptyForm())


@bp.post("/blocks/<int:block_id>/lift")
@role_required(Role.ARCHIVIST)
def lift(block_id: int):
    found = db.session.get(Block, block_id)
    if found is None or not staff_scope().covers(found.institution_id):
        abort(404)
    if not EmptyForm().validate_on_submit():
        flash(_("That request could not be read; please try again."), "error")
    else:
        try:
            lift_block(found, current_user)
        except ModerationError as error:
            db.session.rollback()
            flash(str(error), "warning")
        else:
            db.session.commit()
            flash(_("Block lifted."), "success")
    return redirect(url_for("moderation.blocks"), code=303)


# --- event allowances --------------------------------------------------------------------------


def _allowance_institutions() -> list[Institution]:
    """The institutions the signed-in archivist may open an allowance for."""
    return list(db.session.scalars(
        sa.select(Institution).where(staff_scope().institutions())
        .order_by(Institution.name, Institution.id)))


def _allowances_page(form: AllowanceForm, status: int = 200):
    institutions = _allowance_institutions()
    form.institution.choices = [(str(i.id), i.name) for i in institutions]
    if not form.is_submitted() and len(institutions) == 1:
        form.institution.data = str(institutions[0].id)
    open_now, ended = allowances_for(staff_scope())
    return render_template("moderation/allowances.html", form=form, open_now=open_now,
                           ended=ended, close_form=EmptyForm(),
                           show_institution=len(institutions) != 1), status


@bp.get("/allowances")
@role_required(Role.ARCHIVIST)
def allowances():
    return _allowances_page(AllowanceForm())


@bp.post("/allowances")
@role_required(Role.ARCHIVIST)
def open_event_allowance():
    form = AllowanceForm()
    form.institution.choices = [(str(i.id), i.name) for i in _allowance_institutions()]
    if not form.validate_on_submit():
        return _allowances_page(form, 400)
    institution = db.session.get(Institution, int(form.institution.data))
    if institution is None or not staff_scope().covers(institution.id):
        abort(404)
    try:
        opened = open_allowance(
            institution, current_user, label=form.label.data or "",
            network=form.network.data or "", notes_per_hour=form.notes_per_hour.data or 0,
            hours=form.hours.data or 0, salt=current_app.config["IP_HASH_SALT"])
    except AllowanceError as error:
        db.session.rollback()
        form.network.errors = [_(str(error))]
        return _allowances_page(form, 400)
    db.session.commit()
    flash(_("Allowance opened: %(count)s notes an hour until %(end)s (UTC).",
            count=opened.notes_per_hour, end=opened.ends_at.strftime("%Y-%m-%d %H:%M")),
          "success")
    return redirect(url_for("moderation.allowances"), code=303)


@bp.post("/allowances/<int:allowance_id>/close")
@role_required(Role.ARCHIVIST)
def close_event_allowance(allowance_id: int):
    found = db.session.get(EventAllowance, allowance_id)
    if found is None or not staff_scope().covers(found.institution_id):
        abort(404)
    if not EmptyForm().validate_on_submit():
        flash(_("That request could not be read; please try again."), "error")
    else:
        try:
            close_allowance(found, current_user)
        except AllowanceError as error:
            db.session.rollback()
            flash(_(str(error)), "warning")
        else:
            db.session.commit()
            flash(_("Allowance closed: the usual limit applies again."), "success")
    return redirect(url_for("moderation.allowances"), code=303)


# --- dashboard ---------------------------------------------------------------------------------


@bp.get("/dashboard")
@role_required(Role.ARCHIVIST)
def dashboard():
    return render_template("moderation/dashboard.html",
                           figures=dashboard_figures(scope=staff_scope()))
