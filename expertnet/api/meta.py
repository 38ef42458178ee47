"""The OpenAPI document, generated from the URL map and the views' ``@doc`` facts."""

from __future__ import annotations

import re

from apispec import APISpec
from apispec.ext.marshmallow import MarshmallowPlugin
from flask import current_app, jsonify

from . import bp, doc

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
_STATUS_TEXT = {
    200: "OK",
    201: "Created",
    400: "Malformed request",
    401: "Not authenticated",
    403: "Not allowed",
    404: "Not found",
    409: "State or version conflict",
    413: "Too large",
    422: "Validation failed",
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
                    "schema": {"type": "string"},
                }
                for k, v in query.items()
            ]
            body = facts.get("body")
            if body is not None and method in ("POST", "PUT", "PATCH"):
                name = body.__name__.removesuffix("Schema")
                if name not in schemas_seen:
                    spec.components.schema(name, schema=body)
                    schemas_seen.add(name)
                op["requestBody"] = {
                    "required": True,
                    "content": {
                        "application/json": {"schema": {"$ref": f"#/components/schemas/{name}"}}
                    },
                }
            responses: dict = {
                "200": {
                    "description": facts.get("response") or "OK",
                    "content": {"application/json": {"schema": {"type": "object"}}},
                }
            }
            for status in facts.get("statuses") or ():
                if status == 201:
                    responses.pop("200", None)
                    responses["201"] = {"description": facts.get("response") or "Created"}
                else:
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
