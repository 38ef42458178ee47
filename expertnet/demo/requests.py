"""A few consultation requests in various states, walked through the real operations."""

from __future__ import annotations

import random
from datetime import UTC, date, datetime, timedelta

from sqlalchemy import select

from ..access.operations import ensure_account
from ..auth.models import User
from ..consultation import operations as ops
from ..directory.models import Field, Organization, Person

# (kind, title, field codes, how far it goes)
#: What the agency asks the union to do, as the summary's verb.
KIND_VERB = {"consultation": "tư vấn về", "critique": "phản biện", "assessment": "giám định xã hội"}

PLAN = [
    ("critique", "Dự thảo Quy hoạch phát triển cảng biển Lạch Huyện giai đoạn 2026-2030",
     ["ENG-TRA", "SOC-ECO"], "closed"),
    ("assessment", "Dự án khu xử lý chất thải rắn tập trung khu vực Thủy Nguyên",
     ["ENG-ENV", "MED-PUB"], "published"),
    ("consultation", "Đề án chuyển đổi số trong các cơ quan hành chính thành phố",
     ["ENG-IT"], "approval"),
    ("critique", "Chương trình phát triển nuôi trồng thủy sản bền vững vùng ven biển",
     ["AGR-AQU"], "in_review"),
    ("consultation", "Kế hoạch nâng cấp hệ thống y tế cơ sở sau hợp nhất",
     ["MED-PUB", "SOC-SOC"], "panel_forming"),
    ("critique", "Dự thảo Nghị quyết về chính sách thu hút nhân lực chất lượng cao",
     ["SOC-ECO", "SOC-EDU"], "submitted"),
    ("assessment", "Dự án mở rộng khu công nghiệp Nam Đình Vũ", ["ENG-CON"], "draft"),
]  # fmt: skip

ORDER = ["draft", "submitted", "panel_forming", "in_review", "approval", "published", "closed"]


def _experts(
    session, field_codes: list[str], n: int, rng: random.Random, featured: Person | None = None
) -> list[Person]:
    """Senior experts in the fields (or any senior expert), each with an account."""
    stmt = (
        select(Person)
        .join(Person.fields)
        .where(Field.code.in_(field_codes), Person.degree.in_(["TS", "TSKH", "ThS"]))
        .order_by(Person.id)
        .limit(40)
    )
    pool = list(dict.fromkeys(session.scalars(stmt)))
    if len(pool) < n:
        pool += session.scalars(
            select(Person).where(Person.degree == "TS").order_by(Person.id).limit(40)
        ).all()
    pool = list(dict.fromkeys(p for p in pool if p is not featured))
    # Only experts with a free seat under their workload cap: a small demo reuses the same
    # few senior people across panels, and accepting past the cap is (rightly) refused.
    load = ops.workload([p.id for p in pool])
    pool = [p for p in pool if p.available and load.get(p.id, 0) < p.max_assignments]
    if featured is not None and (
        not featured.available
        or ops.workload([featured.id])[featured.id] >= featured.max_assignments
    ):
        featured = None
    if len(pool) < n:
        return []  # a tiny demo has too few senior experts for a panel
    chosen = rng.sample(pool, n)
    if featured is not None:
        # The demo expert sits on this panel, so their inbox shows real work.
        chosen = [featured, *chosen[: n - 1]]
    for person in chosen:
        if person.user is None:
            if person.email is None:
                person.email = demo_address(person)
            # No password: like a real invitee, the expert answers by the links in the mail
            # (the demo's outbox page shows them).
            ensure_account(person)
    session.flush()
    return chosen


def demo_address(person: Person) -> str:
    return f"chuyengia{person.id}@demo.expertnet.vn"


def give_every_expert_an_address(session) -> int:
    """Every demo expert can be invited: those the generator left without e-mail get one."""
    from sqlalchemy.orm import selectinload

    people = session.scalars(
        select(Person).where(Person.email.is_(None)).options(selectinload(Person.fields))
    ).all()
    n = 0
    for person in people:
        if person.is_expert:
            person.email = demo_address(person)
            n += 1
    session.flush()
    return n


def load_demo_requests(session, seed: int = 1) -> int:
    """File and walk the requests of ``PLAN``; returns how many were created."""
    rng = random.Random(seed)
    agency = session.scalar(select(User).where(User.role == "agency").order_by(User.id))
    coordinator = session.scalar(select(User).where(User.role == "coordinator").order_by(User.id))
    approver = session.scalar(select(User).where(User.role == "approver").order_by(User.id))
    if not (agency and coordinator and approver):
        return 0
    associations = session.scalars(
        select(Organization).where(Organization.kind == "member_association")
    ).all()
    known = set(session.scalars(select(Field.code)))
    demo_expert = session.scalar(select(User).where(User.role == "expert").order_by(User.id))
    now = datetime.now(UTC)
    for n, (kind, title, fields, goal) in enumerate(PLAN):
        req = ops.create_request(
            agency,
            {
                "kind": kind, "title": title,
                "summary": f"{agency.organization.name} đề nghị Liên hiệp Hội "
                f"{KIND_VERB[kind]} {title[:1].lower() + title[1:]}.",
                "fields": [f for f in fields if f in known],
                "subject_organizations": [rng.choice(associations).id] if n % 3 == 0 else [],
                "due_date": date.today() + timedelta(days=30 + 10 * n),
                "confidential": n == 2,
            },
        )  # fmt: skip
        reach = ORDER.index(goal)

        def act(user, action, when, req=req, reach=reach, **payload):
            if reach >= when:
                ops.perform_action(req, action, user, payload or None)

        act(agency, "submit", 1)
        act(coordinator, "accept", 2)
        act(coordinator, "open_panel", 2)
        if reach < 2:
            continue
        featured = demo_expert.person if demo_expert and goal == "in_review" else None
        panel = _experts(session, fields, 4, rng, featured)
        if not panel:
            continue
        roles = ["chair", "secretary", "reviewer", "member"]
        invitations = [
            ops.invite(req, p, role, now + timedelta(days=7), coordinator)
            for p, role in zip(panel, roles, strict=True)
        ]
        accepting = invitations if reach >= 3 else invitations[:2]
        for inv in accepting:
            ops.accept_invitation(inv, inv.person.user, {"has_conflict": False})
        act(coordinator, "start_review", 3)
        if reach < 3:
            continue
        writers = panel if reach >= 4 else panel[:2]
        for person in writers:
            ops.save_opinion(
                req, person.user,
                {"summary": "Cơ bản nhất trí, đề nghị bổ sung một số nội dung.",
                 "assessment": "Hồ sơ **cơ bản đầy đủ**; cần làm rõ tác động môi trường "
                               "và nguồn vốn thực hiện.",
                 "position": rng.choice(["support", "support_with_changes"]),
                 "recommendations": [{"text": "Bổ sung đánh giá tác động môi trường."},
                                     {"text": "Làm rõ nguồn vốn và lộ trình thực hiện."}]},
            )  # fmt: skip
            ops.submit_opinion(req, person.user)
        if reach < 4:
            continue
        act(coordinator, "close_review", 4)
        ids = [p.id for p in panel]
        ops.save_consolidation(
            req, coordinator,
            {"text": "Liên hiệp Hội cơ bản nhất trí với hồ sơ, với các kiến nghị sau.",
             "recommendations": [
                 {"text": "Bổ sung đánh giá tác động môi trường và phương án giám sát.",
                  "endorsed_by": ids[:3],
                  "dissent": [{"expert_id": ids[3], "text": "Đề nghị đánh giá độc lập."}]},
                 {"text": "Làm rõ nguồn vốn và lộ trình thực hiện theo từng giai đoạn.",
                  "endorsed_by": ids, "dissent": []},
             ]},
        )  # fmt: skip
        act(coordinator, "submit_consolidation", 4)
        act(approver, "approve", 5)
        if reach >= 6:
            recommendations = req.published_opinion.recommendations
            statuses = ["adopted", "partially_adopted", "not_adopted"]
            act(agency, "record_response", 6, responses=[
                {"recommendation": r.id, "status": statuses[i % 3],
                 "explanation": "Cơ quan tiếp thu và sẽ bổ sung trong hồ sơ hoàn thiện."}
                for i, r in enumerate(recommendations)
            ])  # fmt: skip
    session.flush()
    return len(PLAN)
