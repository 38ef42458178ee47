"""``expertnet import publications FILE --expert ID [--dry-run]``."""

from __future__ import annotations

import csv
import json
import secrets
from pathlib import Path

import click
from flask import current_app
from flask.cli import with_appcontext

from ..core.cli import CommandError
from ..roster.commands import import_group


def write_report(rejected, person_id: int) -> str:
    """A CSV of the rejected entries and why, under the instance's upload folder."""
    folder = Path(current_app.config["EXPERTNET_UPLOAD_DIR"]) / "scholarly" / "reports"
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"publications-report-person{person_id}-{secrets.token_urlsafe(8)}.csv"
    with path.open("w", encoding="utf-8-sig", newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow(["entry", "reason"])
        for r in rejected:
            writer.writerow([r.entry, r.reason])
    return str(path)


@import_group.command("publications")
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--expert", "person_id", type=int, required=True, help="person id")
@click.option("--dry-run", is_flag=True, help="check and report, write nothing")
@with_appcontext
def import_publications(file: Path, person_id: int, dry_run: bool) -> None:
    """Import publications (BibTeX, RIS, CSL-JSON, ORCID, Crossref, OpenAlex, CSV/XLSX)."""
    from ..directory.models import Person
    from ..extensions import db
    from .importers import ImportFormatError, parse_file
    from .operations import import_works

    person = db.session.get(Person, person_id)
    if person is None:
        raise CommandError(f"no person with id {person_id}")
    if not file.is_file():
        raise CommandError(f"no such file: {file}")
    try:
        parsed = parse_file(file.read_bytes(), file.name)
        plan = import_works(db.session, person, parsed.works, parsed.rejected, dry_run)
        if not dry_run:  # a dry run only planned: nothing was added to the session
            db.session.commit()
    except ImportFormatError as exc:
        db.session.rollback()
        raise CommandError(str(exc)) from exc
    except Exception as exc:
        db.session.rollback()
        detail = (str(exc).splitlines() or [type(exc).__name__])[0]
        raise CommandError(f"import failed, nothing was imported: {detail}") from exc
    for m in plan.merged:
        fills = ", ".join(m.filled) or "nothing new"
        click.echo(f"merge: {m.work.label} into publication {m.publication.id} ({fills})", err=True)
    for r in plan.rejected:
        click.echo(f"rejected: {r.entry}: {r.reason}", err=True)
    summary = {
        "created": len(plan.created),
        "merged": len(plan.merged),
        "rejected": len(plan.rejected),
        "report": write_report(plan.rejected, person.id),
        "format": parsed.format,
        "dry_run": dry_run,
    }
    click.echo(json.dumps(summary, ensure_ascii=False))


@click.group("embeddings")
def embeddings_group() -> None:
    """The learned affinity source: sentence embeddings of publications and requests."""


@embeddings_group.command("compute")
@click.option("--sample", type=click.IntRange(min=1), default=None, help="only the N newest")
@with_appcontext
def compute_embeddings(sample: int | None) -> None:
    """Embed publications (all, or a sample) and requests not embedded yet (a backfill)."""
    from .embeddings import EmbeddingModelError, compute_all

    try:
        result = compute_all(sample)
    except EmbeddingModelError as exc:
        raise CommandError(str(exc)) from exc
    if sample:
        result["note"] = f"a sample: only the {sample} newest publications were embedded"
    click.echo(json.dumps(result, ensure_ascii=False))
