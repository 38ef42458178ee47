"""The authors' pages: file an entry, my entries, edit until entries close, the entry page.

The entry page is shared: authors see their entry and its screening outcome, judges their
own scoring form, the secretariat the screening, the judges and every score; each sees
only the forms the model and the engine allow them.
"""

from __future__ import annotations

from typing import Any

from flask import abort, render_template, request, url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_login import current_user, login_required

from workflows import COMMENT_REQUIRED, CONTEST_ENTRY_WORKFLOW, EntryAction, EntryState

from ...core.forms import choices
from ...core.i18n import tr
from ...directory.queries import organization_names
from .. import judging, queries
from .. import operations as ops
from ..forms import (
    AUTHOR_ROWS,
    ActionForm,
    ConflictForm,
    EntryForm,
    ScreenForm,
    SwapForm,
    UploadForm,
    score_form_class,
)
from ..models import Entry, JudgeState, can_run_contests
from . import (
    Page,
    add_document,
    bp,
    comment_payload,
    edition_or_404,
    entry_or_404,
    entry_url,
    form_action,
    version_of,
)

# Entry actions that have a page or a form of their own rather than a plain button.
OWN_FORM_ACTIONS = {
    EntryAction.MARK_ELIGIBLE,
    EntryAction.MARK_INELIGIBLE,
    EntryAction.COMPLETE_SCORING,
    EntryAction.FLAG,
    EntryAction.OPEN_SCORING,
}


def _fill_entry_choices(form: EntryForm, edition) -> None:
    locale = str(get_locale())
    form.field.choices = choices(
        ((f.code, f.display_name(locale)) for f in edition.fields), blank=True
    )
    orgs = organization_names()
    form.applying_organization_id.choices = choices(((str(i), n) for i, n in orgs), blank=True)


def _entry_page(form: EntryForm, edition, entry: Entry | None, save) -> Page:
    """The entry form's page (GET), or its post: ``save(data)`` and the file chosen with it."""

    def again(status: int) -> Page:
        page = render_template("contest/entry_form.html", form=form, edition=edition, entry=entry)
        return page, status

    if request.method == "GET":
        return again(200)

    def run() -> Entry:
        saved = save(form.to_data())
        upload = form.file.data
        if upload is not None and getattr(upload, "filename", ""):
            ops.add_document(saved.edition, saved, current_user, upload.filename, upload.stream)
        return saved

    return form_action(
        form,
        run,
        (
            (lambda saved: _("Your entry was filed as number %(n)s.", n=saved.number))
            if entry is None
            else _("The entry was saved.")
        ),
        on_error=again,
        redirect_to=entry_url,
        fresh_for=entry,
        stale_to=entry_url(entry) if entry is not None else None,
        names={"applied_since": form.applied_since},
    )


@bp.route("/<int:edition_id>/entries/new", methods=["GET", "POST"])
@login_required
def new_entry(edition_id: int) -> Page:
    """The public entry form: authors with an account, or staff entering a paper dossier."""
    edition = edition_or_404(edition_id)
    if not ops.can_file_entry(edition, current_user):
        abort(403)
    form = EntryForm()
    _fill_entry_choices(form, edition)
    if request.method == "GET" and not can_run_contests(current_user):
        first = form.authors[0].form
        first.full_name.data, first.email.data, first.share.data = (
            current_user.name,
            current_user.email,
            100,
        )
    return _entry_page(form, edition, None, lambda d: ops.create_entry(edition, current_user, d))


@bp.route("/entries/<int:entry_id>/edit", methods=["GET", "POST"])
@login_required
def edit_entry(entry_id: int) -> Page:
    entry = entry_or_404(entry_id)
    if not entry.can_edit(current_user):
        abort(403)
    form = EntryForm(obj=None if request.method == "POST" else entry)
    _fill_entry_choices(form, entry.edition)
    if request.method == "GET":
        form.field.data = entry.field.code
        form.applying_organization_id.data = str(entry.applying_organization_id or "")
        form.version.data = str(entry.version)
        rows = max(AUTHOR_ROWS, len(entry.authors) + 1)
        while len(form.authors) < rows:
            form.authors.append_entry()
        for row, author in zip(form.authors, entry.authors, strict=False):
            row.form.full_name.data = author.full_name
            row.form.share.data = author.share
            row.form.employer.data = author.employer
            row.form.email.data = author.email
            row.form.phone.data = author.phone
    return _entry_page(
        form, entry.edition, entry, lambda d: ops.update_entry(entry, current_user, d)
    )


@bp.get("/entries/mine")
@login_required
def my_entries() -> Page:
    """The entries the user filed or is an author of, in every edition."""
    entries = queries.entries_of(current_user)
    return render_template("contest/my_entries.html", entries=entries)


# --- the entry page -------------------------------------------------------------------------


def _action_forms(entry: Entry, posted: dict[str, Any]) -> list[tuple[str, ActionForm, bool]]:
    out = []
    for name in ops.entry_actions_for(entry, current_user):
        if EntryAction(name) in OWN_FORM_ACTIONS:
            continue
        form = posted.get(name) or ActionForm(prefix=name, formdata=None)
        form.version.data = str(entry.version)
        transition = CONTEST_ENTRY_WORKFLOW.transition(entry.state, EntryAction(name))
        needs = transition is not None and COMMENT_REQUIRED in transition.guards
        form.comment.flags.required = needs
        out.append((name, form, needs))
    return out


def swap_form(entry: Entry, posted: SwapForm | None = None) -> SwapForm:
    form = posted or SwapForm(formdata=None)
    names = {m.person_id: m.person.full_name for m in entry.edition.sub_jury(entry.field_id)}
    seated = {j.person_id for j in entry.judges}
    form.replacing.choices = choices(
        [(0, "—"), *((j.person_id, j.person.full_name) for j in entry.active_judges)]
    )
    form.expert_id.choices = choices(
        (pid, name) for pid, name in names.items() if pid not in seated
    )
    return form


def render_entry(entry: Entry, posted: dict[str, Any] | None = None, status: int = 200) -> Page:
    posted = posted or {}
    user = current_user
    staff = can_run_contests(user)
    actions = ops.entry_actions_for(entry, user)
    screen_form = None
    if EntryAction.MARK_ELIGIBLE in actions:
        screen_form = posted.get("screen") or ScreenForm(formdata=None)
        screen_form.version.data = str(entry.version)
    upload_form = None
    if entry.can_edit(user):
        upload_form = posted.get("upload") or UploadForm(formdata=None)
        upload_form.version.data = str(entry.version)
    score_form = conflict_form = None
    my_seat = None
    if entry.is_judge(user):
        my_seat = next(j for j in entry.active_judges if j.person_id == user.person_id)
        if entry.state == EntryState.SCORING:
            score_form = posted.get("score") or score_form_class(entry.edition.criteria)(
                formdata=None
            )
            score_form.version.data = str(entry.version)
            for s in my_seat.current_scores(entry.score_round):
                field = score_form._fields.get(f"c{s.criterion_id}")
                if field is not None and field.data is None:
                    field.data = s.points
                    score_form.comment.data = score_form.comment.data or s.comment
            conflict_form = posted.get("conflict") or ConflictForm(formdata=None)
    staffing = entry.state in judging.STAFFING_STATES
    conflicts = {}
    if staff and entry.judges:
        conflicts = judging.conflicts_of(entry, [j.person_id for j in entry.judges])
    return render_template(
        "contest/entry.html",
        entry=entry,
        edition=entry.edition,
        staff=staff,
        is_author=entry.is_author(user),
        can_edit=entry.can_edit(user),
        action_forms=_action_forms(entry, posted.get("actions") or {}),
        screen_form=screen_form,
        upload_form=upload_form,
        score_form=score_form,
        conflict_form=conflict_form,
        swap=swap_form(entry, posted.get("swap")) if staff and staffing else None,
        my_seat=my_seat,
        scores=judging.visible_scores(entry, user),
        conflicts=conflicts,
        totals=_totals(entry, user),
        history=ops.history_of(entry.edition, entry) if staff or entry.is_author(user) else [],
        judge_states=JudgeState,
    ), status


def _totals(entry: Entry, user) -> list[tuple[str, Any, int]]:
    """(judge, total, round) for the scores the viewer may see, one line per judge and round."""
    sums: dict[tuple[int, int], Any] = {}
    names: dict[int, str] = {}
    for s in judging.visible_scores(entry, user):
        key = (s.judge.person_id, s.round)
        sums[key] = sums.get(key, 0) + s.points
        names[s.judge.person_id] = s.judge.person.full_name
    ordered = sorted(sums.items(), key=lambda kv: (kv[0][1], kv[0][0]))
    return [(names[pid], total, rnd) for (pid, rnd), total in ordered]


@bp.get("/entries/<int:entry_id>")
@login_required
def entry(entry_id: int) -> Page:
    return render_entry(entry_or_404(entry_id))


@bp.post("/entries/<int:entry_id>/actions/<action>")
@login_required
def entry_action(entry_id: int, action: str) -> Page:
    """A workflow action on an entry (withdraw, re-score, keep the scores, reopen …)."""
    entry = entry_or_404(entry_id)
    if action not in {a.value for a in EntryAction} or EntryAction(action) in OWN_FORM_ACTIONS:
        abort(404)
    form = ActionForm(prefix=action)

    def run() -> None:
        payload = comment_payload(form.comment.data)
        if action == EntryAction.REQUEST_RESCORE:
            judging.request_rescore(entry, current_user, payload.get("comment", ""))
        else:
            ops.perform_entry_action(entry, action, current_user, payload, version_of(form))

    return form_action(
        form,
        run,
        _("Done: %(action)s.", action=tr(EntryAction(action).label)),
        on_error=lambda status: render_entry(entry, {"actions": {action: form}}, status),
        redirect_to=entry_url(entry),
        fresh_for=entry,
        conflict_to=entry_url(entry),
        names={"comment": form.comment, "scores": form.comment},
    )


@bp.post("/entries/<int:entry_id>/documents")
@login_required
def entry_upload(entry_id: int) -> Page:
    entry = entry_or_404(entry_id)
    if not entry.can_edit(current_user):
        abort(403)
    return add_document(
        entry.edition,
        entry,
        entry,
        lambda form, status: render_entry(entry, {"upload": form}, status),
        entry_url(entry),
    )


def my_entries_url() -> str:
    return url_for("contest.my_entries")
