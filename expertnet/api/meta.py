"""The OpenAPI document, generated from the URL map and the views' ``@doc`` facts."""

from __future__ import annotations

import re

from apispec import APISpec
from apispec.ext.marshmallow import MarshmallowPlugin
from flask import current_app, jsonify

from ..contest import responses as contest
from ..core.inputs import INT_MAX
from ..scholarly import responses as scholarly
from . import bp, doc
from . import responses as r

_CONVERTER = re.compile(r"<(?:(\w+):)?(\w+)>")
_ERROR = {
    "type": "object",
    "properties": {
        "error": {
            "type": "object",
            "properties": {
                "code": {"type": "string"},
                "message": {"type": "string"},
                "fields": {"type": "object", "additionalProperties": {"type": "string"}},
            },
            "required": ["code", "message"],
        }
    },
}
#: The ``response`` label of ``@doc`` → the marshmallow schema of the answer, wrapped as
#: one object, a page (``items``, ``total``, ``page``, ``per_page``) or a list.
_ONE = {
    "expert": r.ExpertResponse,
    "organisation": r.OrganizationResponse,
    "request": r.RequestResponse,
    "invitation": r.InvitationResponse,
    "the new invitation": r.InvitationResponse,
    "opinion": r.OpinionResponse,
    "consolidation": r.ConsolidationResponse,
    "meeting": r.MeetingResponse,
    "published opinion": r.PublishedResponse,
    "notification": r.NotificationResponse,
    "relationship": r.RelationshipResponse,
    "document": r.DocumentResponse,
    "status": r.StatusResponse,
    "suggestions": r.SuggestionsResponse,
    "the proposed panels": r.PanelPlanResponse,
    "nodes and edges": r.NetworkResponse,
    "statistics": r.NetworkStatsResponse,
    "activity report": r.ActivityReportResponse,
    "publication": scholarly.PublicationResponse,
    "project": scholarly.ProjectResponse,
    "patent": scholarly.PatentResponse,
    "the iD": scholarly.OrcidResponse,
    "import summary": scholarly.ImportSummaryResponse,
    "the invitation outcome": r.AccountInvitationResponse,
    "counts per outcome": r.RosterInvitationsResponse,
    "edition": contest.EditionResponse,
    "entry": contest.EntryResponse,
    "results": contest.ResultsResponse,
    "the judge seats": contest.ContestPlanResponse,
    "the declared conflict": contest.ConflictDeclaredResponse,
    "the author link": contest.AuthorLinkResponse,
}
_PAGE = {
    "page of requests": r.RequestResponse,
    "page of published opinions": r.PublishedSummaryResponse,
    "page of organisations": r.OrganizationResponse,
    "page of notifications": r.NotificationResponse,
    "page of experts with facets": r.ExpertPageItem,
    "page of publications": scholarly.PublicationResponse,
    "page of projects": scholarly.ProjectResponse,
    "page of patents": scholarly.PatentResponse,
}
_LIST = {
    "list of transitions": r.TransitionResponse,
    "list of documents": r.DocumentResponse,
    "list of invitations": r.InvitationResponse,
    "list of opinions": r.OpinionResponse,
    "list of meetings": r.MeetingResponse,
    "list of fields": r.FieldResponse,
    "list of relationships": r.RelationshipResponse,
    "list of editions": contest.EditionResponse,
    "list of entries": contest.EntryResponse,
}
#: Keys a page or list answer carries besides its items and counts.
_EXTRA = {
    "page of experts with facets": {
        # Facet name → value → number of hits.
        "facets": {
            "type": "object",
            "additionalProperties": {
                "type": "object",
                "additionalProperties": {"type": "integer"},
            },
        },
        "suggestion": {"type": "string", "nullable": True},
        "notice": {"type": "string", "nullable": True},
    },
    "list of invitations": {"workload": {"type": "integer"}},
}
#: Answers that are files, by label.
_FILES = {
    "the file": [
        "application/pdf",
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        "application/vnd.oasis.opendocument.text",
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    ],
    "PDF document": ["application/pdf"],
    "DOCX document": ["application/vnd.openxmlformats-officedocument.wordprocessingml.document"],
    "XLSX workbook": ["application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"],
}
#: Whole-number query parameters, typed as such (larger values answer 404 or 422).
_INT_QUERY = {"page", "per_page", "year", "size", "depth"}


def _name(schema: type) -> str:
    return schema.__name__.removesuffix("Schema")


def _ref(spec: APISpec, seen: set[str], schema: type) -> dict:
    name = _name(schema)
    if name not in seen:
        spec.components.schema(name, schema=schema)
        seen.add(name)
    return {"$ref": f"#/components/schemas/{name}"}


def _content(spec: APISpec, seen: set[str], label: str | None) -> dict:
    """The ``content`` of a success answer described by ``label``."""
    if label in _FILES:
        binary = {"type": "string", "format": "binary"}
        return {media: {"schema": binary} for media in _FILES[label]}
    if label in _ONE:
        body = _ref(spec, seen, _ONE[label])
    elif label in _PAGE or label in _LIST:
        paged = label in _PAGE
        item = _ref(spec, seen, (_PAGE if paged else _LIST)[label])
        counts = ["total", "page", "per_page"] if paged else ["total"]
        body = {
            "type": "object",
            "required": ["items", *counts],
            "properties": {
                "items": {"type": "array", "items": item},
                **{c: {"type": "integer"} for c in counts},
                **_EXTRA.get(label, {}),
            },
        }
    else:
        body = {"type": "object", "description": label or "OK"}
    return {"application/json": {"schema": body}}


_STATUS_TEXT = {
    200: "OK",
    201: "Created",
    202: "Accepted",
    204: "No content",
    400: "Malformed request",
    401: "Not authenticated",
    403: "Not allowed",
    404: "Not found",
    409: "State or version conflict",
    413: "Too large",
    422: "Validation failed",
    503: "The database is briefly unavailable (see Retry-After)",
}


def build_spec(app) -> dict:
    spec = APISpec(
        title="expertnet API",
        version="1",
        openapi_version="3.0.3",
        plugins=[MarshmallowPlugin()],
        info={"description": "Expert network and consultation workflow of the union."},
    )
    spec.components.security_scheme("bearer", {"type": "http", "scheme": "bearer"})
    spec.components.schema("Error", _ERROR)
    schemas_seen: set[str] = set()
    paths: dict[str, dict] = {}
    for rule in sorted(app.url_map.iter_rules(), key=lambda r: r.rule):
        if not (rule.rule.startswith("/api/v1") or rule.rule == "/healthz"):
            continue
        view = app.view_functions[rule.endpoint]
        facts = getattr(view, "_apidoc", None) or {"summary": rule.endpoint}
        params = [
            {
                "name": name,
                "in": "path",
                "required": True,
                "schema": {"type": "integer" if conv == "int" else "string"},
            }
            for conv, name in _CONVERTER.findall(rule.rule)
        ]
        path = _CONVERTER.sub(r"{\2}", rule.rule)
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            op: dict = {"summary": facts["summary"], "operationId": f"{rule.endpoint}_{method}"}
            query = facts.get("query") or {}
            op["parameters"] = params + [
                {
                    "name": k,
                    "in": "query",
                    "required": False,
                    "description": v,
                    "schema": (
                        {"type": "integer", "minimum": 1, "maximum": INT_MAX}
                        if k in _INT_QUERY
                        else {"type": "string"}
                    ),
                }
                for k, v in query.items()
            ]
            body = facts.get("body")
            if body is not None and method in ("POST", "PUT", "PATCH"):
                op["requestBody"] = {
                    "required": True,
                    "content": {"application/json": {"schema": _ref(spec, schemas_seen, body)}},
                }
            label = facts.get("response")
            statuses = facts.get("statuses") or ()
            # The success answers the view names (an import answers 200 for a dry run and
            # 201 otherwise), else 204 without a body, else 200.
            successes = [s for s in (200, 201, 202) if s in statuses]
            responses: dict = {}
            for status in successes or ([204] if 204 in statuses else [200]):
                responses[str(status)] = {"description": label or _STATUS_TEXT[status]}
                if status != 204:
                    responses[str(status)]["content"] = _content(spec, schemas_seen, label)
            # Every answer may be an error of one shape: the ones the view names, a 404
            # for an object in the path, a 422 for input, a 503 while the database is away.
            errors = set(statuses) - {200, 201, 202, 204} | {503}
            if params:
                errors.add(404)
            if query or (body is not None and method in ("POST", "PUT", "PATCH")):
                errors |= {400, 422}
            for status in sorted(errors):
                responses[str(status)] = {
                    "description": _STATUS_TEXT.get(status, "Error"),
                    "content": {
                        "application/json": {"schema": {"$ref": "#/components/schemas/Error"}}
                    },
                }
            if facts.get("auth", True):
                op["security"] = [{"bearer": []}]
                responses.setdefault("401", {"description": _STATUS_TEXT[401]})
            op["responses"] = responses
            paths.setdefault(path, {})[method.lower()] = op
    for path, ops in paths.items():
        spec.path(path=path, operations=ops)
    return spec.to_dict()


@bp.get("/openapi.json")
@doc("This OpenAPI document", response="OpenAPI 3 document", auth=False)
def openapi():
    return jsonify(build_spec(current_app))
