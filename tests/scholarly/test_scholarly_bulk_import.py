"""The bulk import write path: the same outcome as one work at a time, re-imports create
nothing, every work created or filled in is audited, organisation lists in one go."""

from __future__ import annotations

from sqlalchemy import func, select

from expertnet.audit.models import AuditEntry
from expertnet.audit.recorder import acting_as
from expertnet.scholarly.importers import parse_file
from expertnet.scholarly.models import Publication, PublicationAuthor, ScholarProfile
from expertnet.scholarly.operations import (
    apply_plan,
    apply_plans,
    create_publication,
    plan_import,
    plan_organization_import,
)

MIXED = """
@article{doi_twin,
  title = {A title that differs from the recorded one},
  author = {Nguyen, Van An and Smith, John},
  journal = {Aquaculture},
  year = {2021},
  doi = {https://doi.org/10.1000/ABC.1},
  keywords = {shrimp, ponds}
}
@article{title_twin,
  title = {QUẢN LÝ nước ao nuôi: tôm!},
  author = {Trần Thị Bình and Nguyễn Văn An},
  journal = {Tạp chí Thủy sản},
  year = {2020},
  doi = {10.1000/new.2},
  abstract = {Tóm tắt mới.}
}
@inproceedings{new_one,
  title = {Mô hình nuôi cá tra tuần hoàn},
  author = {Lê Văn Cường and Trần Thị Bình and Nguyễn Văn An},
  booktitle = {Hội thảo Thủy sản},
  year = {2024},
  keywords = {cá tra}
}
@article{new_twin,
  title = {Mô hình nuôi cá tra tuần hoàn.},
  author = {Nguyễn Văn An},
  year = {2024}
}
@article{malformed,
  title = {No year here},
  year = {nineteen}
}
"""


def _setup(session, expert, make_person):
    owner = expert["person"]
    colleague = make_person(full_name="Trần Thị Bình", organizations=[expert["org"]])
    holder = make_person(full_name="Lê Văn Cường")
    session.add(ScholarProfile(person_id=holder.id, orcid="0000-0002-1825-0097"))
    session.flush()
    by_doi = create_publication(
        session,
        owner,
        {"title": "Recorded title", "year": 2021, "doi": "10.1000/abc.1", "keywords": ["shrimp"]},
    )
    by_title = create_publication(
        session,
        owner,
        {"title": "Quản lý nước ao nuôi tôm", "year": 2020, "venue": "Đã có", "authors": []},
    )
    return owner, colleague, holder, by_doi, by_title


def _import(session, owner, data: str):
    parsed = parse_file(data.encode(), "mixed.bib")
    plan = plan_import(session, owner, parsed.works)
    plan.rejected[:0] = parsed.rejected
    apply_plan(session, plan)
    session.expire_all()
    return plan


def _count(session, model, *where):
    return session.scalar(select(func.count()).select_from(model).where(*where))


def test_mixed_file_new_doi_twin_title_twin_and_bad_rows(session, expert, make_person):
    owner, colleague, _holder, by_doi, by_title = _setup(session, expert, make_person)
    parsed = parse_file(MIXED.encode(), "mixed.bib")
    plan = plan_import(session, owner, parsed.works)
    plan.rejected[:0] = parsed.rejected
    preview = plan.preview()
    assert preview["created"] == 1
    assert [(m["entry"], m["into"], m["by"], m["fills"]) for m in preview["merges"]] == [
        ("doi_twin", by_doi.id, "doi", ["venue", "keywords", "authors"]),
        ("title_twin", by_title.id, "title_year", ["doi", "abstract", "authors"]),
    ]
    reasons = {r["entry"]: r["reason"] for r in preview["rejected"]}
    assert "year" in reasons["malformed"]
    assert reasons["new_twin"] == "Appears twice in this file (same as new_one)."
    assert _count(session, Publication) == 2  # planning writes nothing

    apply_plan(session, plan)
    session.expire_all()
    pubs = session.scalars(select(Publication).order_by(Publication.id)).all()
    assert len(pubs) == 3
    first, second, new = pubs
    assert first.title == "Recorded title"  # nothing overwritten
    assert first.venue == "Aquaculture" and first.keywords == ["shrimp", "ponds"]
    assert [(a.name, a.person_id) for a in first.authors] == [
        ("Nguyen Van An", owner.id),  # the owner's own name on their own record
        ("John Smith", None),
    ]
    assert second.doi == "10.1000/new.2" and second.venue == "Đã có"
    assert second.abstract == "Tóm tắt mới."
    assert new.title == "Mô hình nuôi cá tra tuần hoàn" and new.type == "conference_paper"
    assert new.source == "bibtex" and new.year == 2024 and new.keywords == ["cá tra"]
    assert new.title_key == "mo hinh nuoi ca tra tuan hoan"
    assert [(a.position, a.name, a.person_id, a.candidate_person_id) for a in new.authors] == [
        (1, "Lê Văn Cường", None, None),  # a name alone links nobody
        (2, "Trần Thị Bình", None, colleague.id),  # a colleague: only suggested
        (3, "Nguyễn Văn An", owner.id, None),
    ]


def test_reimporting_the_same_file_creates_and_changes_nothing(session, expert, make_person):
    owner, *_rest = _setup(session, expert, make_person)
    _import(session, owner, MIXED)
    pubs = _count(session, Publication)
    authors = _count(session, PublicationAuthor)
    entries = _count(session, AuditEntry, AuditEntry.entity_type == "publication")
    again = _import(session, owner, MIXED)
    assert len(again.created) == 0
    # The file's twin of a new work now meets that work in the record: merged, not new.
    labels = ["doi_twin", "title_twin", "new_one", "new_twin"]
    assert [m.work.label for m in again.merged] == labels
    assert all(m.filled == [] for m in again.merged)
    assert _count(session, Publication) == pubs == 3
    assert _count(session, PublicationAuthor) == authors
    assert _count(session, AuditEntry, AuditEntry.entity_type == "publication") == entries


def test_created_and_filled_works_are_audited_with_their_actor(
    session, expert, make_person, make_user
):
    owner, _colleague, _holder, by_doi, _by_title = _setup(session, expert, make_person)
    user, _token = make_user("coordinator")
    with acting_as(user.id):
        _import(session, owner, MIXED)
    new_id = session.scalar(select(Publication.id).where(Publication.year == 2024))
    (created,) = session.scalars(
        select(AuditEntry).where(
            AuditEntry.entity_type == "publication", AuditEntry.entity_id == new_id
        )
    ).all()
    assert created.action == "create" and created.actor_user_id == user.id
    assert created.changes["title"] == [None, "Mô hình nuôi cá tra tuần hoàn"]
    assert created.changes["authors"] == [
        None,
        ["Lê Văn Cường", "Trần Thị Bình", "Nguyễn Văn An"],
    ]
    updates = session.scalars(
        select(AuditEntry).where(
            AuditEntry.entity_type == "publication",
            AuditEntry.entity_id == by_doi.id,
            AuditEntry.action == "update",
        )
    ).all()
    (filled,) = updates
    assert filled.actor_user_id == user.id
    assert filled.changes["venue"] == [None, "Aquaculture"]
    assert filled.changes["keywords"] == [["shrimp"], ["shrimp", "ponds"]]
    assert filled.changes["authors"] == [[], ["Nguyen Van An", "John Smith"]]
    (summary,) = session.scalars(
        select(AuditEntry).where(AuditEntry.entity_type == "publication_import")
    ).all()
    assert summary.entity_id == owner.id and summary.action == "import"
    assert summary.actor_user_id == user.id
    assert {k: summary.changes[k] for k in ("created", "merged", "rejected")} == {
        "created": 1,
        "merged": 2,
        "rejected": 2,
    }


def test_an_organisation_list_for_many_experts_in_one_go(session, expert, make_person):
    org = expert["org"]
    an = expert["person"]
    binh = make_person(full_name="Trần Thị Bình", organizations=[org], email="binh@example.org")
    session.flush()
    create_publication(session, binh, {"title": "Nuôi tôm sú", "year": 2020})
    csv = (
        "expert,title,year,authors,doi\n"
        "an@example.org,Nuôi tôm sú,2020,Nguyễn Văn An; Trần Thị Bình,\n"
        f"{binh.id},Nuôi tôm sú,2020,Nguyễn Văn An; Trần Thị Bình,10.1000/x.1\n"
        "binh@example.org,Nuôi cá tra,2021,Trần Thị Bình,\n"
        "nobody@example.org,Không ai,2021,,\n"
        ",Không chuyên gia,2021,,\n"
        "an@example.org,Năm sai,1800,,\n"
    ).encode()
    parsed = parse_file(csv, "list.csv")
    plans, rejected = plan_organization_import(session, org.id, parsed.works, parsed.rejected)
    assert [p.owner.id for p in plans] == sorted([an.id, binh.id])
    assert len(rejected) == 3  # the unknown expert, the empty column and the bad year
    by_owner = {p.owner.id: p for p in plans}
    assert len(by_owner[an.id].created) == 1
    assert len(by_owner[binh.id].created) == 1 and by_owner[binh.id].merged[0].filled == [
        "doi",
        "authors",
    ]
    apply_plans(session, plans)
    session.expire_all()
    an_pub = session.scalar(select(Publication).where(Publication.person_id == an.id))
    assert [(a.person_id, a.candidate_person_id) for a in an_pub.authors] == [
        (an.id, None),
        (None, binh.id),
    ]
    assert _count(session, Publication) == 3
    plans, _r = plan_organization_import(session, org.id, parsed.works, parsed.rejected)
    apply_plans(session, plans)
    assert sum(len(p.created) for p in plans) == 0
    assert _count(session, Publication) == 3


def test_colleagues_are_found_by_their_current_name_whatever_wrote_it(
    session, expert, make_person, make_org
):
    """Authors meet people through ``person.name_words``: kept up to date when a person
    is renamed and filled in by a bulk Core insert; a namesake elsewhere is not suggested."""
    from sqlalchemy import insert

    from expertnet.directory.models import Person

    org = expert["org"]
    owner = expert["person"]
    renamed = make_person(full_name="Trần Thị Bình", organizations=[org])
    renamed.full_name = "Đỗ Thị Hạnh"
    session.flush()
    employed = session.execute(
        insert(Person).values(full_name="Phạm Quốc Huy", employer_id=org.id).returning(Person.id)
    ).scalar_one()
    make_person(full_name="Vũ Minh Tâm", organizations=[make_org(name="Hội khác")])
    bib = """
@article{a,
  title = {Nuôi tôm thẻ chân trắng},
  author = {Nguyen, Van An and Do Thi Hanh and Tran Thi Binh and HUY Pham Quoc and Vu Minh Tam},
  year = {2023}
}
"""
    _import(session, owner, bib)
    authors = session.scalars(select(PublicationAuthor).order_by(PublicationAuthor.position)).all()
    assert [(a.person_id, a.candidate_person_id) for a in authors] == [
        (owner.id, None),
        (None, renamed.id),
        (None, None),
        (None, employed),
        (None, None),
    ]
