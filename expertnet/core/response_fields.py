"""Field helpers for the response schemas that describe API answers in the OpenAPI document."""

from __future__ import annotations

from marshmallow import fields

Str = fields.String
Int = fields.Integer
Bool = fields.Boolean


def opt(field_cls=Str, **kw):
    """A key that is always present and may be null."""
    return field_cls(required=True, allow_none=True, **kw)


def req(field_cls=Str, **kw):
    """A key that is always present and never null."""
    return field_cls(required=True, **kw)
