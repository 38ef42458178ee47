"""Every workflow the engine runs, by name, and their tables as the Markdown of docs/design.md."""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType

from .consultation import CONSULTATION_WORKFLOW
from .contest import CONTEST_EDITION_WORKFLOW, CONTEST_ENTRY_WORKFLOW
from .engine import Workflow

WORKFLOWS: Mapping[str, Workflow] = MappingProxyType(
    {
        wf.name: wf
        for wf in (CONSULTATION_WORKFLOW, CONTEST_EDITION_WORKFLOW, CONTEST_ENTRY_WORKFLOW)
    }
)


def design_tables() -> str:
    """One section per workflow with its ``describe()`` table; ``python -m workflows`` prints it."""
    sections = []
    for name, wf in WORKFLOWS.items():
        sections.append(
            f"### `{name}`\n\nGenerated from `workflows.WORKFLOWS[{name!r}].describe()`"
            f" (initial state `{wf.initial}`):\n\n{wf.describe()}\n"
        )
    return "\n".join(sections)
