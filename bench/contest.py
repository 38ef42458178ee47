"""Benchmark: the contest's batch assignment at the scale of a real edition.

An edition of 300 eligible entries in 5 fields and a jury of 60 (12 per sub-jury), a
third of whom work at one of the 20 companies whose staff file the entries (so conflicts
exclude them from those entries); three judges per entry, at most ``--cap`` entries per
juror. The whole plan is computed and saved by ``judging.apply_plan`` (the expert graph,
conflicts with the authors, affinities, the min-cost flow over the edition). The target
is 5 s; the suite (``tests/contest/test_contest_assignment_scale.py``) checks the same
assignment for correctness only, so its result never depends on the machine's load.

    python bench/contest.py [--entries 300] [--jurors 60] [--cap 17] [--runs 3]
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

TARGET_S = 5.0
FIELDS = ["ENG-MEC", "ENG-IT", "ENG-ENE", "ENG-CON", "ENG-CHE"]


def one_run(app, entries: int, jurors: int, cap: int) -> tuple[float, int]:
    from expertnet.auth.models import User
    from expertnet.contest import judging
    from expertnet.contest import operations as ops
    from expertnet.contest.models import Entry, EntryAuthor
    from expertnet.contest.schemas import EditionSchema
    from expertnet.directory.models import Field, Organization, Person
    from expertnet.extensions import db

    with app.app_context():
        session = db.session
        secretariat = User(email="bench@example.vn", name="Thư ký", role="coordinator")
        session.add(secretariat)
        companies = [
            Organization(code=f"CT{i}", name=f"Công ty {i}", kind="enterprise") for i in range(20)
        ]
        session.add_all(companies)
        session.flush()
        data = EditionSchema().load(
            {"name": "Hội thi Sáng tạo Kỹ thuật", "number": 1, "fields": FIELDS,
             "judge_cap": cap}
        )  # fmt: skip
        edition = ops.create_edition(secretariat, data)
        per_field = jurors // len(FIELDS)
        fields = {f.code: f for f in session.query(Field).filter(Field.code.in_(FIELDS))}
        jury = []
        for f, code in enumerate(FIELDS):
            for i in range(per_field):
                person = Person(
                    full_name=f"Giám khảo {code} {i}",
                    expertise=[f"chuyên môn {i}"],
                    max_assignments=5,
                    employer_id=companies[(f * per_field + i) % 20].id if i % 3 == 0 else None,
                )
                person.fields = [fields[code]]
                session.add(person)
                session.flush()
                jury.append({"expert_id": person.id, "field": code})
        ops.set_members(edition, secretariat, {"jury": jury})
        for n in range(entries):
            code = FIELDS[n % len(FIELDS)]
            session.add(
                Entry(
                    edition=edition, number=n + 1, title=f"Giải pháp kỹ thuật số {n + 1}",
                    description="Cải tiến quy trình sản xuất, tiết kiệm năng lượng.",
                    field_id=fields[code].id, state="eligible", version=1,
                    filed_by_id=secretariat.id,
                    authors=[EntryAuthor(position=1, full_name=f"Tác giả {n}", share=100,
                                         employer_organization_id=companies[n % 20].id)],
                )
            )  # fmt: skip
        edition.state = "closed"
        session.flush()
        started = time.perf_counter()
        created = judging.apply_plan(edition, secretariat)
        elapsed = time.perf_counter() - started
        session.rollback()
        return elapsed, len(created)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--entries", type=int, default=300)
    parser.add_argument("--jurors", type=int, default=60)
    parser.add_argument("--cap", type=int, default=17)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args(argv)

    from flask_migrate import upgrade

    import expertnet.models  # noqa: F401
    from expertnet import create_app
    from expertnet.directory.taxonomy import ensure_fields
    from expertnet.extensions import db

    with tempfile.TemporaryDirectory() as work:
        app = create_app(
            {
                "INSTANCE_PATH": work,
                "SQLALCHEMY_DATABASE_URI": f"sqlite:///{work}/bench.db",
                "EXPERTNET_INDEX_DIR": os.path.join(work, "index"),
                "EXPERTNET_INDEX_AUTOREBUILD": False,
                "SECRET_KEY": "bench-only",
            }
        )
        with app.app_context():
            upgrade()
            ensure_fields(db.session)
            db.session.commit()
        times, seats = [], 0
        for _ in range(args.runs):
            elapsed, seats = one_run(app, args.entries, args.jurors, args.cap)
            times.append(elapsed)
    worst = max(times)
    print(
        f"contest assignment: {args.entries} entries x {args.jurors} jurors, {seats} seats; "
        f"median {statistics.median(times):.2f} s, worst {worst:.2f} s "
        f"(target {TARGET_S:.0f} s: {'met' if worst <= TARGET_S else 'MISSED'}); "
        f"load average {os.getloadavg()[0]:.1f}"
    )
    return 0 if worst <= TARGET_S else 1


if __name__ == "__main__":
    raise SystemExit(main())
