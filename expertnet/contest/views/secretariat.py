"""The secretariat's pages: set an edition up, move it along, screen entries, seat judges."""

from __future__ import annotations

from typing import Any

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import format_decimal, get_locale
from flask_babel import gettext as _
from flask_login import current_user, login_required

from workflows import COMMENT_REQUIRED, CONTEST_EDITION_WORKFLOW, EditionAction, EntryState

from ...core.errors import ApiError
from ...core.forms import choices
from ...core.i18n import tr
from ...directory.queries import leaf_fields
from ...extensions import db
from .. import judging, queries
from .. import operations as ops
from ..forms import (
    ActionForm,
    EditionForm,
    MembersForm,
    PlanForm,
    ScreenForm,
    SwapForm,
    UploadForm,
)
from ..models import Edition, Entry, can_run_contests
from . import (
    Page,
    add_document,
    bp,
    comment_payload,
    edition_or_404,
    edition_url,
    entry_or_404,
    entry_url,
    form_action,
    put_errors,
    version_of,
)
from .author import render_entry


def _require_secretariat() -> None:
    if not can_run_contests(current_user):
        abort(403)


def _fill_edition_choices(form: EditionForm) -> None:
    locale = str(get_locale())
    fields = leaf_fields()
    form.fields.choices = choices((f.code, f.display_name(locale)) for f in fields)


def _default_text(form: EditionForm) -> None:
    from ..models import DEFAULT_AWARDS, DEFAULT_CRITERIA

    form.criteria.data = "\n".join(f"{_(n)} | {p}" for n, p in DEFAULT_CRITERIA)
    form.award_levels.data = "\n".join(
        f"{_(n)} | {t} | {q or ''}".rstrip(" |") for n, t, q in DEFAULT_AWARDS
    )


@bp.route("/new", methods=["GET", "POST"])
@login_required
def new_edition() -> Page:
    _require_secretariat()
    form = EditionForm()
    _fill_edition_choices(form)
    if request.method == "GET":
        _default_text(form)

    def again(status: int) -> Page:
        return render_template("contest/edition_form.html", form=form, edition=None), status

    if request.method == "GET":
        return again(200)
    return form_action(
        form,
        lambda: ops.create_edition(current_user, form.to_data()),
        _("The edition was saved as a draft."),
        on_error=again,
        redirect_to=edition_url,
    )


@bp.route("/<int:edition_id>/edit", methods=["GET", "POST"])
@login_required
def edit_edition(edition_id: int) -> Page:
    edition = edition_or_404(edition_id)
    if not edition.can_edit(current_user):
        abort(403)
    setup = edition.state in ops.SETUP_STATES
    form = EditionForm(obj=None if request.method == "POST" else edition)
    _fill_edition_choices(form)
    if request.method == "GET":
        form.fields.data = [f.code for f in edition.fields]
        form.version.data = str(edition.version)
        form.fill_text(edition)
    if not setup:  # criteria and awards are fixed once entries open: shown, not posted
        form.fill_text(edition)
        for name in ("min_judges", "max_spread", "judge_cap"):
            form[name].data = getattr(edition, name)
            form[name].raw_data = [str(getattr(edition, name))]

    def again(status: int) -> Page:
        return render_template(
            "contest/edition_form.html", form=form, edition=edition, setup=setup
        ), status

    if request.method == "GET":
        return again(200)
    return form_action(
        form,
        lambda: ops.update_edition(edition, current_user, form.to_data(with_scoring=setup)),
        _("The edition was saved."),
        on_error=again,
        redirect_to=edition_url(edition),
        fresh_for=edition,
        stale_to=url_for("contest.edit_edition", edition_id=edition.id),
    )


def _members_form(edition: Edition, posted: MembersForm | None = None) -> MembersForm:
    form = posted or MembersForm(formdata=None)
    approvers = queries.approvers()
    form.board.choices = choices((u.id, f"{u.name} ({u.email})") for u in approvers)
    if posted is None:
        form.board.data = [m.user_id for m in edition.board]
        form.jury.data = "\n".join(
            f"{m.person_id} | {m.field.code if m.field else ''}{' | chair' if m.chair else ''}"
            for m in edition.jury
        )
        form.version.data = str(edition.version)
    return form


def _edition_action_forms(edition: Edition, posted: dict[str, ActionForm]):
    out = []
    for name in ops.edition_actions_for(edition, current_user):
        form = posted.get(name) or ActionForm(prefix=name, formdata=None)
        form.version.data = str(edition.version)
        transition = CONTEST_EDITION_WORKFLOW.transition(edition.state, EditionAction(name))
        needs = transition is not None and COMMENT_REQUIRED in transition.guards
        form.comment.flags.required = needs
        out.append((name, form, needs))
    return out


def _upload_form(edition: Edition, posted: UploadForm | None) -> UploadForm | None:
    if not edition.can_edit(current_user):
        return None
    form = posted or UploadForm(formdata=None)
    form.version.data = str(edition.version)
    return form


def render_manage(edition: Edition, posted: dict[str, Any] | None = None, status: int = 200):
    posted = posted or {}
    screen_forms = {}
    for e in edition.entries:
        if e.state == EntryState.SUBMITTED:
            form = (posted.get("screen") or {}).get(e.id) or ScreenForm(
                prefix=f"e{e.id}", formdata=None
            )
            form.version.data = str(e.version)
            screen_forms[e.id] = form
    return render_template(
        "contest/manage.html",
        edition=edition,
        entries=edition.entries,
        screen_forms=screen_forms,
        action_forms=_edition_action_forms(edition, posted.get("actions") or {}),
        members_form=_members_form(edition, posted.get("members")),
        upload_form=_upload_form(edition, posted.get("upload")),
        can_plan=edition.state in ("closed", "judging"),
        flagged=[e for e in edition.entries if e.state == EntryState.FLAGGED],
        history=ops.history_of(edition),
    ), status


@bp.get("/<int:edition_id>/manage")
@login_required
def manage(edition_id: int) -> Page:
    """The secretariat's desk for an edition: its transitions, screening, jury and judges."""
    _require_secretariat()
    return render_manage(edition_or_404(edition_id))


def _manage_url(edition: Edition) -> str:
    return url_for("contest.manage", edition_id=edition.id)


@bp.post("/<int:edition_id>/actions/<action>")
@login_required
def edition_action(edition_id: int, action: str) -> Page:
    """An edition transition: the secretariat's, or the board's (send back, approve, publish)."""
    edition = edition_or_404(edition_id)
    if action not in {a.value for a in EditionAction}:
        abort(404)
    staff = can_run_contests(current_user)
    back = _manage_url(edition) if staff else url_for("contest.board", edition_id=edition.id)
    form = ActionForm(prefix=action)

    def again(status: int) -> Page:
        if staff:
            return render_manage(edition, {"actions": {action: form}}, status)
        from .board import render_board

        return render_board(edition, {"actions": {action: form}}, status)

    return form_action(
        form,
        lambda: ops.perform_edition_action(
            edition, action, current_user, comment_payload(form.comment.data), version_of(form)
        ),
        _("Done: %(action)s.", action=tr(EditionAction(action).label)),
        on_error=again,
        redirect_to=back,
        fresh_for=edition,
        conflict_to=back,
    )


@bp.post("/<int:edition_id>/documents")
@login_required
def edition_upload(edition_id: int) -> Page:
    """The edition's rules (thể lệ) and other documents, public with the edition."""
    edition = edition_or_404(edition_id)
    if not edition.can_edit(current_user):
        abort(403)
    return add_document(
        edition,
        None,
        edition,
        lambda form, status: render_manage(edition, {"upload": form}, status),
        _manage_url(edition),
    )


@bp.post("/<int:edition_id>/members")
@login_required
def members(edition_id: int) -> Page:
    edition = edition_or_404(edition_id)
    _require_secretariat()
    form = _members_form(edition, MembersForm())
    return form_action(
        form,
        lambda: ops.set_members(edition, current_user, form.to_data()),
        _("The board and the jury were saved."),
        on_error=lambda status: render_manage(edition, {"members": form}, status),
        redirect_to=_manage_url(edition),
        fresh_for=edition,
    )


@bp.post("/entries/<int:entry_id>/screen")
@login_required
def screen(entry_id: int) -> Page:
    """Eligible, or ineligible with the reason the authors will read."""
    entry = entry_or_404(entry_id)
    _require_secretariat()
    from_manage = request.form.get("from") == "manage"
    form = ScreenForm(prefix=f"e{entry.id}" if from_manage else "")

    def again(status: int) -> Page:
        if from_manage:
            return render_manage(entry.edition, {"screen": {entry.id: form}}, status)
        return render_entry(entry, {"screen": form}, status)

    def run() -> None:
        action = "mark_eligible" if form.decision.data == "eligible" else "mark_ineligible"
        payload = comment_payload(form.reason.data)
        ops.perform_entry_action(entry, action, current_user, payload, version_of(form))

    return form_action(
        form,
        run,
        _("Entry %(n)s was screened.", n=entry.number),
        on_error=again,
        redirect_to=_manage_url(entry.edition) if from_manage else entry_url(entry),
        fresh_for=entry,
        conflict_to=entry_url(entry),
        names={"comment": form.reason},
    )


def render_preview(edition: Edition, status: int = 200) -> Page:
    """The planned judges of every open seat, with the confirm form carrying the plan's print."""
    try:
        preview = judging.preview_plan(edition, current_user)
    except ApiError as exc:
        db.session.rollback()
        flash(exc.message, "error")
        return redirect(_manage_url(edition), 303)
    form = PlanForm(formdata=None)
    form.fingerprint.data = preview.fingerprint
    return render_template(
        "contest/plan_preview.html",
        edition=edition,
        preview=preview,
        form=form,
        decimal2=lambda x: format_decimal(x, "0.00"),
    ), status


@bp.get("/<int:edition_id>/assignments/preview")
@login_required
def plan_preview(edition_id: int) -> Page:
    """The batch assignment computed but not saved: who would judge which entry, and why not."""
    edition = edition_or_404(edition_id)
    _require_secretariat()
    return render_preview(edition)


@bp.post("/<int:edition_id>/assignments")
@login_required
def plan(edition_id: int) -> Page:
    """Save the previewed plan of every open seat (the min-cost-flow batch assignment).

    Only the plan the secretariat saw is saved: if the edition or the plan changed since the
    preview, nothing is written and the fresh preview is shown.
    """
    edition = edition_or_404(edition_id)
    _require_secretariat()
    form = PlanForm()

    def unconfirmed(status: int) -> Page:
        db.session.rollback()
        flash(_("Preview the assignment first, then confirm it."), "error")
        return render_preview(edition, status)

    def refused(exc: ApiError) -> Page:
        if exc.code == "plan_changed":
            flash(exc.message, "warning")
            return render_preview(edition, 409)
        flash(exc.message, "error")
        return redirect(_manage_url(edition), 303)

    def filled(created) -> str:
        short = sum(
            1
            for e in edition.entries
            if e.state in judging.STAFFING_STATES and len(e.active_judges) < edition.min_judges
        )
        message = _("%(count)s judge seats were filled.", count=len(created))
        if short:
            message += " " + _("%(count)s entries still lack judges.", count=short)
        return message

    return form_action(
        form,
        lambda: judging.apply_plan(edition, current_user, form.fingerprint.data),
        filled,
        on_error=unconfirmed,
        redirect_to=_manage_url(edition),
        on_refusal=refused,
    )


@bp.post("/entries/<int:entry_id>/judges")
@login_required
def swap(entry_id: int) -> Page:
    """Seat a juror on the entry by hand, or swap one for another."""
    entry = entry_or_404(entry_id)
    _require_secretariat()
    from .author import swap_form

    form = swap_form(entry, SwapForm())

    def show(form: SwapForm, exc: ApiError) -> None:
        if exc.code == "conflict_of_interest":  # on the field, with the path that links them
            path = " → ".join(step["label"] for step in (exc.extra or {}).get("path", []))
            form.expert_id.errors = [f"{exc.message} ({path})" if path else exc.message]
        else:
            put_errors(form, exc)

    return form_action(
        form,
        lambda: judging.assign_judge(
            entry, current_user, form.expert_id.data, replacing=form.replacing.data or None
        ),
        _("The judges were changed."),
        on_error=lambda status: render_entry(entry, {"swap": form}, status),
        redirect_to=entry_url(entry),
        put=show,
    )


def entries_of(edition: Edition) -> list[Entry]:
    return list(edition.entries)
