"""Checks a JSON answer against the response body the OpenAPI document describes."""

from __future__ import annotations

from typing import Any

_TYPES = {
    "object": dict,
    "array": list,
    "string": str,
    "integer": int,
    "number": (int, float),
    "boolean": bool,
}


def check(spec: dict, schema: dict, value: Any, where: str = "$") -> list[str]:
    """The ways ``value`` breaks ``schema`` (OpenAPI 3.0 subset the document uses)."""
    if "$ref" in schema:
        name = schema["$ref"].rsplit("/", 1)[1]
        return check(spec, spec["components"]["schemas"][name], value, where)
    if "allOf" in schema:
        return [p for part in schema["allOf"] for p in check(spec, part, value, where)]
    if value is None:
        return [] if schema.get("nullable") or not schema.get("type") else [f"{where}: null"]
    kind = schema.get("type")
    if kind is None:
        return []
    expected = _TYPES[kind]
    if isinstance(value, bool) and kind in ("integer", "number"):
        return [f"{where}: bool for {kind}"]
    if not isinstance(value, expected):
        return [f"{where}: {type(value).__name__} for {kind}"]
    problems: list[str] = []
    if kind == "object" and "properties" in schema:
        props = schema["properties"]
        for key in schema.get("required", []):
            if key not in value:
                problems.append(f"{where}.{key}: missing")
        if schema.get("additionalProperties") is not True:
            problems += [f"{where}.{k}: not described" for k in value if k not in props]
        for key, item in value.items():
            if key in props:
                problems += check(spec, props[key], item, f"{where}.{key}")
    if kind == "array" and "items" in schema:
        for i, item in enumerate(value[:5]):
            problems += check(spec, schema["items"], item, f"{where}[{i}]")
    return problems


def operation(spec: dict, url: str, method: str) -> dict:
    path = url.split("?", 1)[0]
    for template, ops in spec["paths"].items():
        parts, real = template.strip("/").split("/"), path.strip("/").split("/")
        if (
            len(parts) == len(real)
            and all(
                p == r or (p.startswith("{") and p.endswith("}"))
                for p, r in zip(parts, real, strict=True)
            )
            and method in ops
        ):
            return ops[method]
    raise AssertionError(f"{method.upper()} {path} is not in the OpenAPI document")


def answer_problems(spec: dict, url: str, method: str, res) -> list[str]:
    """The ways a real answer ``res`` breaks the body documented for its status."""
    responses = operation(spec, url, method)["responses"]
    status = str(res.status_code)
    if status not in responses:
        return [f"{method.upper()} {url}: {status} is not documented"]
    schema = responses[status]["content"]["application/json"]["schema"]
    return [f"{method.upper()} {url}: {p}" for p in check(spec, schema, res.get_json())]
