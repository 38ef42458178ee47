"""``expertnet import members FILE --organization ID [--dry-run]``."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import click
from flask.cli import with_appcontext

from ..core.cli import CommandError


@click.group("import")
def import_group() -> None:
    """Import data from files."""


@import_group.command("members")
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--organization", "organization_id", type=int, required=True, help="organisation id")
@click.option("--dry-run", is_flag=True, help="check and report, write nothing")
@with_appcontext
def import_members(file: Path, organization_id: int, dry_run: bool) -> None:
    """Import a member roster (CSV or XLSX); the last line printed is a JSON summary."""
    from ..directory.models import Organization
    from ..extensions import db
    from ..search.index import record_position, sync_index
    from .importer import RosterImport
    from .reader import RosterError
    from .uploads import report_dir

    org = db.session.get(Organization, organization_id)
    if org is None:
        raise CommandError(f"no organisation with id {organization_id}")
    if not file.is_file():
        raise CommandError(f"no such file: {file}")
    job = RosterImport(db.session, org, file, dry_run=dry_run, report_dir=report_dir())
    try:
        _header, data = job.read()
        with click.progressbar(length=len(data), label="check", file=sys.stderr) as bar:
            result = job.plan(progress=bar.update)
        if dry_run:
            job.write()
            db.session.rollback()
        else:
            with click.progressbar(
                length=max(result.created, 1), label="write", file=sys.stderr
            ) as bar:
                job.write(progress=bar.update)
            db.session.commit()
    except RosterError as exc:
        db.session.rollback()
        raise CommandError(str(exc)) from exc
    except Exception as exc:
        db.session.rollback()
        detail = (str(exc).splitlines() or [type(exc).__name__])[0]
        raise CommandError(f"import failed, nothing was imported: {detail}") from exc
    if not dry_run and result.touched_ids:
        # The commit logged the change for every node; this node's index takes it now
        # (a large import rebuilds it, with a progress bar).
        try:
            report = sync_index(progress_label="index")
            db.session.commit()
            record_position(position=report.position)
            db.session.commit()
        except Exception as exc:  # the import is committed; the index can catch up later
            db.session.rollback()
            click.echo(
                f"warning: search index not updated ({type(exc).__name__}); "
                "run `expertnet index sync`",
                err=True,
            )
    for column in result.unknown_columns:
        click.echo(f"unknown column ignored: {column}", err=True)
    click.echo(json.dumps(result.summary(), ensure_ascii=False))
