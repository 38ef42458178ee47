"""What pages and the API call: suggestions for a stored request, and their JSON.

The coordinator's panel page should call, in its view:

    from expertnet.panel.service import can_view_suggestions, check_panel_state,
        suggestions_for_request, suggestion_json

``suggestions_for_request(req, size)`` returns a ``Suggestion`` (``panel``, ``chair_id``,
``ranked``, ``excluded``, ``unmet``); each candidate has ``person_id``, ``name``,
``score``, ``affinity`` and translated ``reasons``; each exclusion has its ``reason``
and, for a conflict, ``conflict.path`` (render it with ``path_labels``).
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from typing import Any

from ..core.errors import ApiError
from ..core.roles import STAFF
from .cache import get_graph
from .conflicts import Conflict, path_json
from .graph import ExpertGraph
from .i18n import _
from .suggest import (
    MAX_PANEL_SIZE,
    Candidate,
    PanelConstraints,
    RequestProfile,
    Suggestion,
    suggest,
)

#: Request states in which a panel is formed or a seat replaced.
PANEL_STATES = ("accepted", "panel_forming", "in_review")
#: Exclusions whose ``reason`` in the API is their rule's code (API.md: ``coauthor``).
CODED_REASONS = frozenset({"coauthor"})
#: The API lists at most this many exclusions (best fits first); the total is given too.
MAX_EXCLUDED = 200


def can_view_suggestions(user: Any) -> bool:
    return (
        bool(getattr(user, "is_authenticated", False)) and user.role in STAFF
    )  # agencies, experts and liaisons may not


def check_panel_state(req: Any) -> None:
    """A 409 unless the request is at a stage where a panel is formed."""
    if req.state not in PANEL_STATES:
        raise ApiError(
            409,
            _(
                "Panel suggestions are made once a request is accepted and until its review "
                "ends; this request is %(state)s.",
                state=req.state,
            ),
            code="invalid_state",
        )


def profile_for_request(req: Any) -> RequestProfile:
    """The plain profile of a stored consultation request (duck-typed on its attributes)."""
    # The text of its PDF, DOCX and ODT documents (extracted once, cached by content).
    from ..scholarly.doctext import request_document_texts

    docs = request_document_texts(req)
    declared = frozenset(
        i.person_id
        for i in getattr(req, "invitations", ()) or ()
        if getattr(i, "has_conflict", False) and i.state != "revoked"
    )
    return RequestProfile(
        request_id=req.id,
        title=req.title,
        summary=req.summary or "",
        field_codes=tuple(f.code for f in req.fields),
        agency_id=req.agency_id,
        subject_ids=tuple(o.id for o in req.subject_organizations),
        document_text="\n".join(docs),
        declared_person_ids=declared,
    )


def suggestions_for_request(
    req: Any, size: int = 5, constraints: PanelConstraints | None = None
) -> Suggestion:
    return suggest(profile_for_request(req), size, constraints=constraints)


#: Answers kept per snapshot (``ExpertGraph.memo``), by request profile, size and language.
ANSWERS_KEEP = 64
_answers_lock = threading.Lock()


def suggestions_response(req: Any, size: int = 5) -> Any:
    """The API's answer as the JSON response ``jsonify`` makes of it, encoded once."""
    from flask import current_app

    return current_app.response_class(_answer(req, size)[1], mimetype=current_app.json.mimetype)


def _answer(req: Any, size: int) -> tuple[dict[str, Any], bytes]:
    """The API's answer (``suggestion_json``) for a stored request, with default rules.

    It depends only on the snapshot (a change to the directory, a request, a panel or a
    workload makes a new ``ExpertGraph`` with an empty ``memo``), the request's profile
    (title, summary, fields, organisations, documents, declared conflicts), the size, the
    learned source and the language of the reasons; it is kept in the snapshot's memo
    under those, so the same question between two changes is answered without scoring.
    """
    from flask_babel import get_locale

    from ..scholarly import embeddings

    profile = profile_for_request(req)
    eg = get_graph()
    learned = embeddings.learned_scores(eg, profile)
    key = (profile, size, str(get_locale()), id(learned))
    with _answers_lock:
        store = eg.memo.setdefault("suggestions_answer", OrderedDict())
        hit = store.get(key)
        if hit is not None:
            store.move_to_end(key)
            return hit[0], hit[1]
    from flask import current_app

    answer = suggestion_json(suggest(profile, size, graph=eg, explain_ranked=0), req.id)
    encoded = current_app.json.response(answer).get_data()
    with _answers_lock:
        # ``learned`` is kept with the answer so that its ``id`` in the key stays its own.
        store[key] = (answer, encoded, learned)
        while len(store) > ANSWERS_KEEP:
            store.popitem(last=False)
    return answer, encoded


def parse_size(raw: str | None, default: int = 5) -> int:
    """The ``size`` query argument: a whole number from 1 to ``MAX_PANEL_SIZE``."""
    from ..core.errors import ValidationFailed

    if raw is None or raw == "":
        return default
    try:
        size = int(raw)
    except ValueError:
        raise ValidationFailed({"size": _("Must be a whole number.")}) from None
    if not 1 <= size <= MAX_PANEL_SIZE:
        raise ValidationFailed({"size": _("Must be between 1 and %(n)s.", n=MAX_PANEL_SIZE)})
    return size


def _conflict_json(eg: ExpertGraph, c: Conflict) -> dict[str, Any]:
    return {
        "rule": c.rule,
        "severity": c.severity,
        "reason": str(c.reason),
        "path": path_json(eg, c),
    }


def candidate_json(eg: ExpertGraph, c: Candidate, chair_id: int | None = None) -> dict[str, Any]:
    return {
        "expert_id": c.person_id,
        "name": c.name,
        "score": round(c.score, 4),
        "affinity": round(c.affinity, 4),
        "reasons": list(c.reasons),
        "chair": c.person_id == chair_id,
        "organizations": list(c.orgs),
        "former_provinces": sorted(c.provinces),
        "workload": {"active": c.load, "max": c.cap},
        "potential_conflicts": [_conflict_json(eg, x) for x in c.potential_conflicts],
    }


def suggestion_json(s: Suggestion, request_id: int | None = None) -> dict[str, Any]:
    eg = s.graph or get_graph()
    excluded = []
    for e in s.excluded[:MAX_EXCLUDED]:
        item: dict[str, Any] = {
            "expert_id": e.person_id,
            # The contract names co-authorship by its code; other reasons are sentences.
            "reason": e.rule if e.rule in CODED_REASONS else str(e.reason),
            "message": str(e.reason),
            "rule": e.rule,
            "affinity": round(e.affinity, 4),
        }
        if e.conflict is not None:
            item["path"] = path_json(eg, e.conflict)
        excluded.append(item)
    return {
        "request_id": request_id,
        "size": s.size,
        "items": [candidate_json(eg, c, s.chair_id) for c in s.panel],
        "chair_id": s.chair_id,
        "unmet": [{"constraint": u.constraint, "message": u.message} for u in s.unmet],
        "excluded": excluded,
        "excluded_total": len(s.excluded),
        "qualified": s.qualified_count,
        "graph_version": list(eg.version),
    }


def path_labels(eg: ExpertGraph, c: Conflict) -> list[str]:
    """The path as text for a page: "Nguyễn Văn A → Hội X"."""
    return [item["label"] for item in path_json(eg, c)]
