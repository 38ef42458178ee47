"""JSON shapes of consultation objects, as the API (and the pages' scripts) see them."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

import markdown
import nh3

from .models import (
    Consolidation,
    Document,
    Invitation,
    Meeting,
    Notification,
    Opinion,
    PublishedOpinion,
    Request,
    RequestHistory,
)

_MD_TAGS = {
    "p", "br", "strong", "em", "b", "i", "ul", "ol", "li", "blockquote", "code", "pre",
    "h3", "h4", "h5", "h6", "table", "thead", "tbody", "tr", "th", "td", "a", "hr",
}  # fmt: skip


def markdown_html(text: str | None) -> str:
    """Markdown rendered to HTML and sanitised: no scripts, no styles, safe links only."""
    if not text:
        return ""
    html = markdown.markdown(text, extensions=["tables"], output_format="html")
    return nh3.clean(
        html,
        tags=_MD_TAGS,
        attributes={"a": {"href", "title"}},
        url_schemes={"http", "https", "mailto"},
        link_rel="noopener noreferrer nofollow",
    )


def _iso(value: date | datetime | None) -> str | None:
    return value.isoformat() if value is not None else None


def request_json(req: Request, *, allowed_actions: list[str] | None = None) -> dict[str, Any]:
    data: dict[str, Any] = {
        "id": req.id,
        "kind": req.kind,
        "title": req.title,
        "summary": req.summary,
        "state": req.state,
        "version": req.version,
        "fields": [f.code for f in req.fields],
        "subject_organizations": [{"id": o.id, "name": o.name} for o in req.subject_organizations],
        "agency": {"id": req.agency.id, "name": req.agency.name} if req.agency else None,
        "filed_by": req.filed_by_id,
        "coordinator": (
            {"id": req.coordinator.id, "name": req.coordinator.name} if req.coordinator else None
        ),
        "due_date": _iso(req.due_date),
        "agency_letter_number": req.agency_letter_number,
        "agency_letter_date": _iso(req.agency_letter_date),
        "opinion_due_at": _iso(req.opinion_due_at),
        "consultation_form": req.consultation_form,
        "confidential": req.confidential,
        "created_at": _iso(req.created_at),
        "updated_at": _iso(req.updated_at),
        "submitted_at": _iso(req.submitted_at),
        "published_at": _iso(req.published_at),
        "closed_at": _iso(req.closed_at),
        "published_opinion": req.published_opinion.id if req.published_opinion else None,
    }
    if allowed_actions is not None:
        data["allowed_actions"] = allowed_actions
    return data


def history_json(entry: RequestHistory) -> dict[str, Any]:
    return {
        "action": entry.action,
        "from_state": entry.from_state,
        "to_state": entry.to_state,
        "actor": {"id": entry.actor_user_id, "name": entry.actor.name, "role": entry.actor_role},
        "at": _iso(entry.at),
        "comment": entry.comment,
        "payload": entry.payload,
        "version": entry.version,
    }


def document_json(doc: Document) -> dict[str, Any]:
    return {
        "id": doc.id,
        "request_id": doc.request_id,
        "filename": doc.filename,
        "sha256": doc.sha256,
        "size": doc.size,
        "media_type": doc.media_type,
        "uploaded_by": doc.uploaded_by_id,
        "uploaded_at": _iso(doc.uploaded_at),
    }


def invitation_json(inv: Invitation, *, workload: int | None = None) -> dict[str, Any]:
    data = {
        "id": inv.id,
        "request_id": inv.request_id,
        "request_title": inv.request.title,
        "expert_id": inv.person_id,
        "expert_name": inv.person.display_name,
        "role": inv.role,
        "state": inv.state,
        "respond_by": _iso(inv.respond_by),
        "invited_at": _iso(inv.invited_at),
        "responded_at": _iso(inv.responded_at),
        "conflict_declaration": inv.conflict_declaration,
        "conflict_resolution": inv.conflict_resolution,
        "conflict_note": inv.conflict_note,
        "decline_reason": inv.decline_reason,
        "replaced_by": inv.replaced_by_id,
        "version": inv.version,
    }
    if workload is not None:
        data["workload"] = workload
        data["max_assignments"] = inv.person.max_assignments
    return data


def opinion_json(opinion: Opinion) -> dict[str, Any]:
    return {
        "id": opinion.id,
        "request_id": opinion.request_id,
        "expert_id": opinion.person_id,
        "expert_name": opinion.person.display_name,
        "summary": opinion.summary,
        "assessment": opinion.assessment,
        "assessment_html": markdown_html(opinion.assessment),
        "position": opinion.position,
        "recommendations": opinion.recommendations,
        "submitted": opinion.submitted,
        "submitted_at": _iso(opinion.submitted_at),
        "updated_at": _iso(opinion.updated_at),
        "version": opinion.version,
    }


def consolidation_json(c: Consolidation) -> dict[str, Any]:
    return {
        "id": c.id,
        "request_id": c.request_id,
        "text": c.text,
        "text_html": markdown_html(c.text),
        "recommendations": c.recommendations,
        "recipients": list(c.recipients or []),
        "author": {"id": c.author_id, "name": c.author.name},
        "updated_at": _iso(c.updated_at),
        "version": c.version,
    }


def published_summary_json(op: PublishedOpinion) -> dict[str, Any]:
    req = op.content["request"]
    return {
        "id": op.id,
        "request_id": op.request_id,
        "number": op.number,
        "kind": req["kind"],
        "title": req["title"],
        "agency": req["agency"],
        "fields": req["fields"],
        "published_at": _iso(op.published_at),
        "confidential": op.confidential,
    }


def published_json(op: PublishedOpinion) -> dict[str, Any]:
    content = op.content
    experts = content.get("experts", {})

    def person(pid: int) -> dict[str, Any]:
        return {"id": pid, "name": experts.get(str(pid))}

    recommendations = []
    for rec in op.recommendations:
        response = rec.response
        recommendations.append(
            {
                "id": rec.id,
                "position": rec.position,
                "text": rec.text,
                "endorsed_by": list(rec.endorsed_by),
                "endorsers": [person(pid) for pid in rec.endorsed_by],
                "dissent": [
                    {
                        "expert_id": d["expert_id"],
                        "name": experts.get(str(d["expert_id"])),
                        "text": d["text"],
                    }
                    for d in rec.dissent
                ],
                "response": (
                    {
                        "status": response.status,
                        "explanation": response.explanation,
                        "recorded_at": _iso(response.recorded_at),
                    }
                    if response is not None
                    else None
                ),
            }
        )
    return {
        **published_summary_json(op),
        "summary": content["request"]["summary"],
        "text": content["text"],
        "text_html": markdown_html(content["text"]),
        "panel": [
            {"expert_id": p["expert_id"], "name": p["name"], "role": p["role"]}
            for p in content["panel"]
        ],
        "recommendations": recommendations,
        "dates": content["dates"],
        "approved_by": content["approved_by"],
        "content_hash": op.content_hash,
        "response_recorded": all(r["response"] is not None for r in recommendations),
    }


def meeting_json(m: Meeting) -> dict[str, Any]:
    return {
        "id": m.id,
        "request_id": m.request_id,
        "kind": m.kind,
        "title": m.title,
        "starts_at": _iso(m.starts_at),
        "place": m.place,
        "online_url": m.online_url,
        "agenda": m.agenda,
        "minutes": m.minutes,
        "guests": m.guests,
        "held": m.held,
        "experts": [
            {"expert_id": p.person_id, "name": p.person.display_name, "attended": p.attended}
            for p in m.participants
        ],
    }


def notification_json(n: Notification) -> dict[str, Any]:
    return {
        "id": n.id,
        "kind": n.kind,
        "request_id": n.request_id,
        "subject": n.subject,
        "body": n.body,
        "created_at": _iso(n.created_at),
        "read_at": _iso(n.read_at),
    }
