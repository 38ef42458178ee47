"""The one path of a posted form on a page: validate → run the operation → commit → flash → go.

Pages of every feature share it (consultation wraps it with its freshness check and version
conflicts in ``consultation/views/common.py``); the API has its own, shorter path (an
operation's refusal is raised to the JSON error handler).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import flash, redirect
from werkzeug.wrappers import Response

from ..extensions import db
from .errors import ApiError

#: What a view answers: a page, a page with its status, or a redirect.
Page = str | tuple[str, int] | Response


def form_action(
    form,
    run: Callable[[], Any],
    ok_message: str | Callable[[Any], str],
    *,
    on_error: Callable[[int], Page],
    redirect_to: str | Callable[[Any], str],
    put_errors: Callable[[Any, Exception], Any],
    validate: bool = True,
    before: Callable[[], Page | None] | None = None,
    on_refusal: Callable[[Exception], Page | None] | None = None,
    refusals: tuple[type[Exception], ...] = (ApiError,),
    redirect_status: int = 303,
) -> Page:
    """Run a page's write once, with one commit, and answer the way every page does.

    - ``form`` not valid (when ``validate``): ``on_error(422)``, the page again with its messages;
    - ``before()`` may answer instead (a stale form, say) before anything runs;
    - ``run()`` calls the operation (the API calls the same one); its result goes to
      ``ok_message`` and ``redirect_to`` when they are callables;
    - a refusal (one of ``refusals``) rolls back; ``on_refusal(exc)`` may answer instead,
      else ``put_errors(form, exc)`` shows it and ``on_error(status)`` renders the page again
      (the status is the refusal's, 422 for one without a status).
    """
    if validate and not form.validate_on_submit():
        return on_error(422)
    if before is not None:
        answer = before()
        if answer is not None:
            return answer
    try:
        result = run()
        db.session.commit()
    except refusals as exc:
        db.session.rollback()
        if on_refusal is not None:
            answer = on_refusal(exc)
            if answer is not None:
                return answer
        put_errors(form, exc)
        return on_error(getattr(exc, "status", 422))
    flash(ok_message(result) if callable(ok_message) else ok_message, "success")
    return redirect(redirect_to(result) if callable(redirect_to) else redirect_to, redirect_status)
