"""``python -m workflows``: print every workflow's table, for docs/design.md."""

from .registry import design_tables

print(design_tables(), end="")
