"""A few consultation requests in various states, walked through the real operations."""

from __future__ import annotations

import random
from datetime import UTC, date, datetime, timedelta

from sqlalchemy import select

from ..access.operations import ensure_account
from ..auth.models import User
from ..consultation import operations as ops
from ..directory.models import Field, Organization, Person, person_field

#: What the agency asks the union to do, as the summary's verb.
KIND_VERB = {"consultation": "tư vấn về", "critique": "phản biện", "assessment": "giám định xã hội"}

# (kind, title, field codes, how far it goes, what the agency writes after its name)
PLAN = [
    ("critique", "Dự thảo Quy hoạch phát triển cảng biển Lạch Huyện giai đoạn 2026-2030",
     ["ENG-TRA", "SOC-ECO"], "closed",
     "đề nghị Liên hiệp Hội phản biện Dự thảo Quy hoạch phát triển cảng biển Lạch Huyện "
     "giai đoạn 2026-2030, trọng tâm là quy mô bến, kết nối đường sắt và đường thủy nội địa "
     "với khu kinh tế Đình Vũ – Cát Hải."),
    ("assessment", "Dự án khu xử lý chất thải rắn tập trung khu vực Thủy Nguyên",
     ["ENG-ENV", "MED-PUB"], "published",
     "đề nghị Liên hiệp Hội giám định xã hội Dự án khu xử lý chất thải rắn tập trung khu vực "
     "Thủy Nguyên, công suất 1.200 tấn/ngày, trước khi trình Ủy ban nhân dân thành phố phê "
     "duyệt chủ trương đầu tư."),
    ("consultation", "Đề án chuyển đổi số trong các cơ quan hành chính thành phố",
     ["ENG-IT"], "approval",
     "đề nghị Liên hiệp Hội tư vấn về Đề án chuyển đổi số trong các cơ quan hành chính thành "
     "phố sau hợp nhất, nhất là việc hợp nhất hai hệ thống thông tin giải quyết thủ tục hành "
     "chính của Hải Phòng và Hải Dương."),
    ("critique", "Chương trình phát triển nuôi trồng thủy sản bền vững vùng ven biển",
     ["AGR-AQU"], "in_review",
     "đề nghị Liên hiệp Hội phản biện Chương trình phát triển nuôi trồng thủy sản bền vững "
     "vùng ven biển Cát Hải, Bạch Long Vĩ và Kiến Thụy giai đoạn 2026-2030."),
    ("consultation", "Kế hoạch nâng cấp hệ thống y tế cơ sở sau hợp nhất",
     ["MED-PUB", "SOC-SOC"], "panel_forming",
     "đề nghị Liên hiệp Hội tư vấn về Kế hoạch nâng cấp hệ thống y tế cơ sở sau hợp nhất, "
     "gồm việc sắp xếp lại trạm y tế xã, phường và trung tâm y tế khu vực."),
    ("critique", "Dự thảo Nghị quyết về chính sách thu hút nhân lực chất lượng cao",
     ["SOC-ECO", "SOC-EDU"], "submitted",
     "đề nghị Liên hiệp Hội phản biện Dự thảo Nghị quyết của Hội đồng nhân dân thành phố về "
     "chính sách thu hút, đãi ngộ nhân lực chất lượng cao giai đoạn 2026-2030."),
    ("assessment", "Dự án mở rộng khu công nghiệp Nam Đình Vũ", ["ENG-CON"], "draft",
     "đề nghị Liên hiệp Hội giám định xã hội Dự án mở rộng khu công nghiệp Nam Đình Vũ "
     "(giai đoạn 3), diện tích 480 ha."),
]  # fmt: skip

# What each expert of a panel writes, in seat order (chair, secretary, reviewer, member):
# (stance, summary, assessment, recommendations as (topic, text)). The consolidation is
# built from these: a topic two experts share is one recommendation with both as
# endorsers; a dissent is only ever an expert who wrote one.
OPINIONS: dict[int, list[tuple[str, str, str, list[tuple[str, str]]]]] = {
    0: [
        (
            "support_with_changes",
            "Tán thành định hướng; cần tính lại quy mô bến theo dự báo hàng container.",
            "Dự báo hàng hóa trong Dự thảo dựa trên tăng trưởng 12 %/năm, cao hơn mức thực tế "
            "bình quân 8 % của giai đoạn 2019-2024; quy mô 12 bến container có nguy cơ dư thừa.",
            [
                (
                    "du_bao",
                    "Rà soát dự báo hàng hóa theo số liệu thực tế 2019-2024 và điều chỉnh "
                    "quy mô bến theo từng giai đoạn.",
                ),
                ("ket_noi", "Bổ sung phương án kết nối đường sắt vào cảng Lạch Huyện."),
            ],
        ),
        (
            "support",
            "Tán thành; đề nghị bổ sung kết nối đường sắt và đường thủy nội địa.",
            "Quy hoạch phù hợp chiến lược phát triển kinh tế biển; phần kết nối hạ tầng còn sơ "
            "lược, chưa có lộ trình đầu tư tuyến đường sắt Lạch Huyện.",
            [
                (
                    "ket_noi",
                    "Xác định lộ trình đầu tư tuyến đường sắt và các bến thủy nội địa kết "
                    "nối cảng Lạch Huyện.",
                )
            ],
        ),
        (
            "support_with_changes",
            "Cần đánh giá kỹ tác động đến rừng ngập mặn và luồng hàng hải.",
            "Việc nạo vét luồng và lấn biển có thể làm suy giảm diện tích rừng ngập mặn Cát Hải; "
            "Dự thảo chưa có đánh giá môi trường chiến lược đầy đủ.",
            [
                (
                    "moi_truong",
                    "Lập đánh giá môi trường chiến lược, trong đó có tác động đến rừng "
                    "ngập mặn và chế độ bồi lắng luồng.",
                )
            ],
        ),
        (
            "support",
            "Tán thành; đề nghị làm rõ cơ chế huy động vốn ngoài ngân sách.",
            "Nhu cầu vốn khoảng 95.000 tỷ đồng chủ yếu từ nhà đầu tư; cần làm rõ cơ chế đối tác "
            "công tư cho hạ tầng dùng chung.",
            [
                (
                    "von",
                    "Làm rõ cơ chế huy động vốn ngoài ngân sách và đối tác công tư cho hạ tầng "
                    "dùng chung.",
                ),
                ("du_bao", "Phân kỳ đầu tư bến theo sản lượng thực tế."),
            ],
        ),
    ],
    1: [
        (
            "support_with_changes",
            "Cơ bản tán thành; công nghệ đốt phát điện phù hợp nhưng phải kiểm soát khí thải.",
            "Công nghệ đốt rác phát điện phù hợp với khối lượng 1.200 tấn/ngày; hồ sơ chưa nêu "
            "rõ tiêu chuẩn kiểm soát dioxin/furan và phương án quan trắc tự động.",
            [
                (
                    "khi_thai",
                    "Áp dụng quy chuẩn khí thải lò đốt QCVN 61-MT:2016/BTNMT, lắp đặt quan "
                    "trắc tự động, liên tục và công khai số liệu.",
                ),
                ("khoang_cach", "Rà soát khoảng cách an toàn môi trường đến khu dân cư gần nhất."),
            ],
        ),
        (
            "support",
            "Tán thành chủ trương; đề nghị làm rõ lộ trình phân loại rác tại nguồn.",
            "Hiệu quả của nhà máy phụ thuộc vào chất lượng rác đầu vào; hồ sơ chưa gắn với lộ "
            "trình phân loại rác tại nguồn của thành phố.",
            [
                (
                    "phan_loai",
                    "Gắn dự án với lộ trình phân loại chất thải rắn sinh hoạt tại nguồn "
                    "trên địa bàn.",
                )
            ],
        ),
        (
            "oppose",
            "Chưa tán thành vị trí; khoảng cách đến khu dân cư chưa bảo đảm.",
            "Vị trí dự kiến cách khu dân cư xã Lại Xuân khoảng 900 m, chưa đánh giá ảnh hưởng "
            "của gió mùa đông bắc mang mùi và khí thải về khu dân cư.",
            [
                (
                    "khoang_cach",
                    "Đánh giá lại vị trí, bảo đảm khoảng cách an toàn môi trường theo "
                    "hướng gió chủ đạo.",
                )
            ],
        ),
        (
            "support_with_changes",
            "Tán thành; cần giám sát sức khỏe cộng đồng quanh nhà máy.",
            "Cần có chương trình giám sát sức khỏe cộng đồng định kỳ cho dân cư trong bán kính "
            "2 km, do cơ quan y tế độc lập thực hiện.",
            [
                (
                    "khi_thai",
                    "Công khai số liệu quan trắc khí thải trên cổng thông tin của thành phố.",
                ),
                (
                    "suc_khoe",
                    "Xây dựng chương trình giám sát sức khỏe cộng đồng định kỳ quanh nhà máy.",
                ),
            ],
        ),
    ],
    2: [
        (
            "support_with_changes",
            "Tán thành; ưu tiên hợp nhất hai hệ thống thủ tục hành chính trước.",
            "Hai hệ thống thông tin giải quyết thủ tục hành chính đang vận hành song song gây "
            "khó khăn cho người dân; Đề án cần đặt việc hợp nhất lên hàng đầu.",
            [
                (
                    "hop_nhat",
                    "Hợp nhất hai hệ thống thông tin giải quyết thủ tục hành chính trong "
                    "năm 2026, bảo đảm không gián đoạn dịch vụ.",
                ),
                ("du_lieu", "Xây dựng kho dữ liệu dùng chung và danh mục dữ liệu mở."),
            ],
        ),
        (
            "support",
            "Tán thành; đề nghị bổ sung nội dung an toàn thông tin.",
            "Đề án chưa có phương án bảo đảm an toàn thông tin theo cấp độ cho các hệ thống sau "
            "hợp nhất.",
            [
                (
                    "an_toan",
                    "Phê duyệt cấp độ an toàn thông tin và diễn tập ứng cứu sự cố cho các "
                    "hệ thống dùng chung.",
                )
            ],
        ),
        (
            "support",
            "Tán thành; cần kế hoạch đào tạo kỹ năng số cho cán bộ.",
            "Năng lực số của cán bộ cấp xã không đồng đều; cần kế hoạch bồi dưỡng cụ thể.",
            [
                ("dao_tao", "Bồi dưỡng kỹ năng số cho cán bộ, công chức cấp xã theo lộ trình."),
                ("hop_nhat", "Chuẩn hóa quy trình thủ tục trước khi hợp nhất hệ thống."),
            ],
        ),
        (
            "support_with_changes",
            "Cơ bản tán thành; kinh phí cần phân kỳ theo kết quả.",
            "Tổng kinh phí 1.850 tỷ đồng chưa gắn với chỉ tiêu đầu ra; đề nghị phân kỳ và đánh "
            "giá giữa kỳ.",
            [("kinh_phi", "Phân kỳ kinh phí theo chỉ tiêu đầu ra và tổ chức đánh giá giữa kỳ.")],
        ),
    ],
    3: [
        (
            "support_with_changes",
            "Tán thành; cần quy hoạch lại vùng nuôi lồng bè quanh Cát Bà.",
            "Mật độ lồng bè tại vịnh Lan Hạ vượt sức tải môi trường; Chương trình cần xác định "
            "sức tải và di dời một phần lồng bè.",
            [
                (
                    "suc_tai",
                    "Đánh giá sức tải môi trường các vùng nuôi và quy hoạch lại vùng nuôi lồng bè.",
                )
            ],
        ),
        (
            "support",
            "Tán thành; đề nghị bổ sung hệ thống cảnh báo dịch bệnh thủy sản.",
            "Dịch bệnh trên tôm nuôi gây thiệt hại lớn trong các năm gần đây; cần hệ thống quan "
            "trắc, cảnh báo sớm.",
            [
                (
                    "dich_benh",
                    "Xây dựng hệ thống quan trắc môi trường và cảnh báo dịch bệnh thủy sản.",
                )
            ],
        ),
    ],
}

#: The union's consolidated text per request: (opening paragraph, recommendations as
#: (text, topics it gathers, dissent as (seat index, text))). Endorsers are the experts
#: whose own recommendations touch one of the topics.
CONSOLIDATIONS: dict[int, tuple[str, list[tuple[str, tuple[str, ...], list[tuple[int, str]]]]]] = {
    0: ("Liên hiệp Hội tán thành định hướng phát triển cảng biển Lạch Huyện trong Dự thảo "
        "Quy hoạch, đồng thời kiến nghị hoàn thiện các nội dung sau.",
        [("Rà soát dự báo hàng hóa theo số liệu thực tế và phân kỳ đầu tư bến theo sản lượng.",
          ("du_bao",), []),
         ("Xác định lộ trình đầu tư đường sắt và bến thủy nội địa kết nối cảng Lạch Huyện.",
          ("ket_noi",), []),
         ("Lập đánh giá môi trường chiến lược, trong đó có tác động đến rừng ngập mặn Cát Hải.",
          ("moi_truong",), []),
         ("Làm rõ cơ chế huy động vốn ngoài ngân sách cho hạ tầng dùng chung.",
          ("von",), [])]),
    1: ("Liên hiệp Hội cơ bản tán thành chủ trương đầu tư khu xử lý chất thải rắn tập trung "
        "khu vực Thủy Nguyên với các kiến nghị sau.",
        [("Áp dụng quy chuẩn khí thải lò đốt, quan trắc tự động, liên tục và công khai số liệu.",
          ("khi_thai",), []),
         ("Bảo đảm khoảng cách an toàn môi trường đến khu dân cư theo hướng gió chủ đạo.",
          ("khoang_cach",),
          [(2, "Đề nghị lựa chọn vị trí khác; điều chỉnh khoảng cách tại vị trí hiện nay "
               "không đủ bảo đảm an toàn cho dân cư xã Lại Xuân.")]),
         ("Gắn dự án với lộ trình phân loại chất thải rắn sinh hoạt tại nguồn.",
          ("phan_loai",), []),
         ("Giám sát sức khỏe cộng đồng định kỳ cho dân cư quanh nhà máy.",
          ("suc_khoe",), [])]),
    2: ("Liên hiệp Hội tán thành sự cần thiết của Đề án và kiến nghị như sau.",
        [("Ưu tiên hợp nhất hai hệ thống thông tin giải quyết thủ tục hành chính, chuẩn hóa "
          "quy trình trước khi hợp nhất.", ("hop_nhat",), []),
         ("Xây dựng kho dữ liệu dùng chung, bảo đảm an toàn thông tin theo cấp độ.",
          ("du_lieu", "an_toan"), []),
         ("Bồi dưỡng kỹ năng số cho cán bộ, công chức cấp xã.", ("dao_tao",), []),
         ("Phân kỳ kinh phí theo chỉ tiêu đầu ra, đánh giá giữa kỳ.", ("kinh_phi",), [])]),
}  # fmt: skip

#: Seniority of a degree, to seat the most senior expert of the field as chair.
SENIORITY = {"TSKH": 4, "TS": 3, "ThS": 2}
TITLE_SENIORITY = {"GS": 2, "PGS": 1}

ORDER = ["draft", "submitted", "panel_forming", "in_review", "approval", "published", "closed"]


def _seniority(person: Person) -> tuple[int, int, int]:
    return (
        TITLE_SENIORITY.get(person.academic_title or "", 0),
        SENIORITY.get(person.degree or "", 0),
        -person.id,
    )


def _experts(
    session, field_codes: list[str], n: int, rng: random.Random, featured: Person | None = None
) -> list[Person]:
    """A panel of senior experts of the fields, each with an account: the most senior one
    (title, then degree) first, as chair; ``featured`` in the third seat."""
    stmt = (
        select(Person)
        .join(Person.fields)
        .where(Field.code.in_(field_codes), Person.degree.in_(list(SENIORITY)))
        .order_by(Person.id)
        .limit(400)
    )
    pool = list(dict.fromkeys(session.scalars(stmt)))
    in_field = {p.id for p in pool}
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
    # The chair knows the subject: experts of the request's fields first, then seniority.
    pool.sort(key=lambda p: (p.id in in_field, *_seniority(p)), reverse=True)
    chair, rest = pool[0], pool[1:]
    chosen = [chair, *rng.sample(rest[: max(n * 4, 12)], n - 1)]
    if featured is not None:
        # The demo expert sits on this panel, so their inbox shows real work.
        chosen[min(2, n - 1)] = featured
    for person in chosen:
        if person.user is None:
            if person.email is None:
                person.email = demo_address(person)
            # No password: like a real invitee, the expert answers by the links in the mail
            # (the demo's outbox page shows them).
            ensure_account(person)
    session.flush()
    return chosen


def _consolidation(n: int, panel: list[Person]) -> dict:
    """The union's consolidated text for request ``n``, built from what its experts wrote."""
    opening, recommendations = CONSOLIDATIONS[n]
    topics_of = [{topic for topic, _text in op[3]} for op in OPINIONS[n]]
    out = []
    for text, topics, dissent in recommendations:
        dissenters = {i for i, _t in dissent}
        endorsers = [
            panel[i].id
            for i, own in enumerate(topics_of)
            if own & set(topics) and i not in dissenters and i < len(panel)
        ]
        out.append(
            {
                "text": text,
                "endorsed_by": endorsers,
                "dissent": [{"expert_id": panel[i].id, "text": t} for i, t in dissent],
            }
        )
    return {"text": opening, "recommendations": out}


#: The agency's answer to each recommendation, by status.
ANSWERS = {
    "adopted": "Tiếp thu; đã giao chủ đầu tư bổ sung vào hồ sơ hoàn thiện.",
    "partially_adopted": "Tiếp thu một phần; nội dung còn lại sẽ xem xét ở bước lập dự án.",
    "not_adopted": "Chưa tiếp thu do đã được quy định tại văn bản khác; cơ quan đã giải trình.",
}


def demo_address(person: Person) -> str:
    return f"chuyengia{person.id}@demo.expertnet.vn"


def give_every_expert_an_address(session) -> int:
    """Every demo expert can be invited: those the generator left without e-mail get one.

    Only those experts are loaded as objects (an edit, audited like one); who they are is
    found with two plain reads, not by loading every person without an address.
    """
    from sqlalchemy.orm import selectinload

    with_fields = set(session.scalars(select(person_field.c.person_id).distinct()))
    ids = [
        pid
        for pid, expertise in session.execute(
            select(Person.id, Person.expertise).where(Person.email.is_(None))
        )
        if expertise or pid in with_fields
    ]
    n = 0
    for start in range(0, len(ids), 1000):
        chunk = ids[start : start + 1000]
        people = session.scalars(
            select(Person)
            .where(Person.id.in_(chunk))
            .options(selectinload(Person.fields))
            .order_by(Person.id)
        ).all()
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
    for n, (kind, title, fields, goal, asks) in enumerate(PLAN):
        req = ops.create_request(
            agency,
            {
                "kind": kind, "title": title,
                "summary": f"{agency.organization.name} {asks}",
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
        for person, (stance, summary, assessment, recs) in zip(writers, OPINIONS[n], strict=False):
            ops.save_opinion(
                req, person.user,
                {"summary": summary, "assessment": assessment, "position": stance,
                 "recommendations": [{"text": text} for _topic, text in recs]},
            )  # fmt: skip
            ops.submit_opinion(req, person.user)
        if reach < 4:
            continue
        act(coordinator, "close_review", 4)
        ops.save_consolidation(req, coordinator, _consolidation(n, panel))
        act(coordinator, "submit_consolidation", 4)
        act(approver, "approve", 5)
        if reach >= 6:
            recommendations = req.published_opinion.recommendations
            statuses = ["adopted", "partially_adopted", "adopted", "not_adopted"]
            act(agency, "record_response", 6, responses=[
                {"recommendation": r.id, "status": statuses[i % 4],
                 "explanation": ANSWERS[statuses[i % 4]]}
                for i, r in enumerate(recommendations)
            ])  # fmt: skip
    session.flush()
    return len(PLAN)
