"""JSON of the scholarly record, as the API answers it."""

from __future__ import annotations

from typing import Any

from .models import Patent, Publication, ResearchProject

#: Authors listed per publication in lists and pages; the rest are counted ("et al.").
AUTHORS_SHOWN = 50


def publication_json(pub: Publication, *, all_authors: bool = False) -> dict[str, Any]:
    authors = pub.authors if all_authors else pub.authors[:AUTHORS_SHOWN]
    hidden = len(pub.authors) - len(authors) + (pub.authors_truncated or 0)
    return {
        "id": pub.id,
        "person_id": pub.person_id,
        "type": pub.type,
        "title": pub.title,
        "authors": [
            {
                "name": a.name,
                "person_id": a.person_id,
                "position": a.position,
                "orcid": a.orcid,
                "suggested_person_id": a.candidate_person_id,
            }
            for a in authors
        ],
        "authors_not_shown": hidden,
        "year": pub.year,
        "venue": pub.venue,
        "volume": pub.volume,
        "issue": pub.issue,
        "pages": pub.pages,
        "publisher": pub.publisher,
        "doi": pub.doi,
        "isbn": pub.isbn,
        "language": pub.language,
        "abstract": pub.abstract,
        "keywords": list(pub.keywords or []),
        "url": pub.url,
        "source": pub.source,
    }


def project_json(p: ResearchProject) -> dict[str, Any]:
    return {
        "id": p.id,
        "person_id": p.person_id,
        "code": p.code,
        "title": p.title,
        "level": p.level,
        "role": p.role,
        "funder": p.funder,
        "start_year": p.start_year,
        "end_year": p.end_year,
        "status": p.status,
        "result": p.result,
    }


def patent_json(p: Patent) -> dict[str, Any]:
    return {
        "id": p.id,
        "person_id": p.person_id,
        "kind": p.kind,
        "title": p.title,
        "number": p.number,
        "office": p.office,
        "year": p.year,
        "status": p.status,
        "inventors": p.inventors,
    }
