"""Consolidation starts from the opinions: grouped recommendations, rows reworked without saving."""

from __future__ import annotations

import re
from types import SimpleNamespace

from helpers import csrf_from
from sqlalchemy import func, select

from expertnet.consultation.consolidate import group_recommendations, similarity
from expertnet.consultation.models import Consolidation

OPINIONS = (
    [
        "Bổ sung đánh giá tác động môi trường.",
        "Làm rõ nguồn vốn đầu tư.",
    ],
    [
        "Cần bổ sung đánh giá tác động môi trường của dự án.",
        "Xem xét phương án tái định cư cho người dân.",
    ],
    [
        "Làm rõ nguồn vốn đầu tư của dự án",
        "Bổ sung đánh giá tác động môi trường",
    ],
)


def _opinion(person_id, texts):
    return SimpleNamespace(
        submitted=True, person_id=person_id, recommendations=[{"text": t} for t in texts]
    )


def test_similar_wordings_group_and_different_ones_do_not():
    groups = group_recommendations(_opinion(n, t) for n, t in enumerate(OPINIONS, start=1))
    assert [(g.text, g.endorsed_by) for g in groups] == [
        ("Bổ sung đánh giá tác động môi trường.", [1, 2, 3]),
        ("Làm rõ nguồn vốn đầu tư.", [1, 3]),
        ("Xem xét phương án tái định cư cho người dân.", [2]),
    ]
    assert [w.person_id for w in groups[0].wordings] == [1, 2, 3]


def test_similarity_keeps_accents_apart():
    assert similarity("Bảo vệ vùng biển", "Bảo vệ vùng biển.") == 1.0
    assert similarity("Bảo vệ vùng biển", "phản biện dự án") < 0.6
    assert similarity("Đánh giá tác động", "danh gia tac dong") < 0.6


def _signed_in(app, who):
    client = app.test_client()
    client.set_cookie("expertnet_lang", "en")
    page = client.get("/login")
    client.post(
        "/login",
        data={
            "email": who.user.email,
            "password": "correct horse battery",
            "csrf_token": csrf_from(page.text),
        },
    )
    return client


def _to_consolidation(world) -> int:
    w = world
    rid = w.to_in_review()
    for expert, texts in zip(w.experts[:3], OPINIONS, strict=True):
        body = {
            "summary": f"Nhận xét của chuyên gia {expert.person_id}",
            "assessment": f"**Đánh giá** riêng số {expert.person_id}.",
            "position": "support_with_changes",
            "recommendations": [{"text": t} for t in texts],
        }
        w.ok(expert, "PUT", f"/api/v1/requests/{rid}/opinion", body)
        w.ok(expert, "POST", f"/api/v1/requests/{rid}/opinion/submit")
    w.act(w.coordinator, rid, "close_review")
    return rid


def _fields(html: str) -> dict[str, list[str]]:
    """The form's values as a browser would post them (text areas, ticked boxes, selects)."""
    data: dict[str, list[str]] = {}
    for name, value in re.findall(
        r'<textarea[^>]*name="([^"]+)"[^>]*>(?:\r?\n)?(.*?)</textarea>', html, re.S
    ):
        if "__n__" not in name:
            data.setdefault(name, []).append(_unescape(value))
    for tag in re.findall(r"<input[^>]*>", html):
        name = re.search(r'name="([^"]+)"', tag)
        if not name or "__n__" in name.group(1):
            continue
        kind = re.search(r'type="([^"]+)"', tag)
        value = re.search(r'value="([^"]*)"', tag)
        if kind and kind.group(1) == "checkbox" and "checked" not in tag:
            continue
        data.setdefault(name.group(1), []).append(_unescape(value.group(1) if value else ""))
    for name, options in re.findall(r'<select[^>]*name="([^"]+)"[^>]*>(.*?)</select>', html, re.S):
        if "__n__" in name:
            continue
        for value in re.findall(r'<option[^>]*selected[^>]*value="([^"]*)"', options) + re.findall(
            r'<option[^>]*value="([^"]*)"[^>]*selected', options
        ):
            data.setdefault(name, []).append(_unescape(value))
    return data


def _unescape(text: str) -> str:
    import html

    return html.unescape(text)


def test_the_editor_starts_from_the_grouped_opinions(app, world, session):
    w = world
    rid = _to_consolidation(w)
    page = _signed_in(app, w.coordinator).get(f"/requests/{rid}/consolidation").text
    data = _fields(page)
    e = [x.person_id for x in w.experts[:3]]
    assert data["recommendations-0-text"] == ["Bổ sung đánh giá tác động môi trường."]
    assert sorted(map(int, data["recommendations-0-endorsed_by"])) == sorted(e)
    assert data["recommendations-1-text"] == ["Làm rõ nguồn vốn đầu tư."]
    assert sorted(map(int, data["recommendations-1-endorsed_by"])) == [e[0], e[2]]
    assert data["recommendations-2-text"] == ["Xem xét phương án tái định cư cho người dân."]
    assert data["recommendations-3-text"] == [""]  # and one empty row
    # Each group shows every expert's own wording, and the assessments are beside it.
    assert "Cần bổ sung đánh giá tác động môi trường của dự án." in page
    assert page.count("<strong>Đánh giá</strong> riêng số") == 3
    assert session.scalar(select(func.count(Consolidation.id))) == 0


def test_rows_are_added_and_merged_without_saving(app, world, session):
    w = world
    rid = _to_consolidation(w)
    client = _signed_in(app, w.coordinator)
    page = client.get(f"/requests/{rid}/consolidation").text
    data = _fields(page)
    data["text"] = ["Nội dung tổng hợp đang soạn."]
    data["recommendations-2-text"] = ["Xem xét tái định cư tại chỗ."]
    # Add a row: the page comes back with what was typed and one more row.
    res = client.post(f"/requests/{rid}/consolidation", data={**data, "do": "add_row"})
    assert res.status_code == 200
    again = _fields(res.text)
    assert again["text"] == ["Nội dung tổng hợp đang soạn."]
    assert again["recommendations-2-text"] == ["Xem xét tái định cư tại chỗ."]
    assert [k for k in again if k.endswith("-text") and "dissents" not in k] == [
        f"recommendations-{n}-text" for n in range(5)
    ]
    # Merge rows 1 and 2: one row, both texts, the endorsers of both.
    again["recommendations-1-pick"] = ["y"]
    again["recommendations-2-pick"] = ["y"]
    res = client.post(f"/requests/{rid}/consolidation", data={**again, "do": "merge"})
    merged = _fields(res.text)
    assert merged["recommendations-1-text"] == [
        "Làm rõ nguồn vốn đầu tư.\nXem xét tái định cư tại chỗ."
    ]
    e = [x.person_id for x in w.experts[:3]]
    assert sorted(map(int, merged["recommendations-1-endorsed_by"])) == sorted(e)
    assert "recommendations-2-text" not in merged
    assert session.scalar(select(func.count(Consolidation.id))) == 0
    # Saving keeps the merged rows in order.
    merged["recommendations-1-text"] = ["Làm rõ nguồn vốn và phương án tái định cư."]
    res = client.post(f"/requests/{rid}/consolidation", data={**merged, "do": "save"})
    assert res.status_code == 303, res.text[:3000]
    saved = session.scalar(select(Consolidation).where(Consolidation.request_id == rid))
    assert [r["text"] for r in saved.recommendations] == [
        "Bổ sung đánh giá tác động môi trường.",
        "Làm rõ nguồn vốn và phương án tái định cư.",
    ]


def test_several_dissents_on_one_recommendation(app, world, session):
    w = world
    rid = _to_consolidation(w)
    client = _signed_in(app, w.coordinator)
    data = _fields(client.get(f"/requests/{rid}/consolidation").text)
    e = [x.person_id for x in w.experts[:3]]
    data["recommendations-1-dissents-0-expert_id"] = [str(e[1])]
    data["recommendations-1-dissents-0-text"] = ["Nguồn vốn đã rõ."]
    res = client.post(f"/requests/{rid}/consolidation", data={**data, "do": "add_dissent-1"})
    assert res.status_code == 200
    data = _fields(res.text)
    assert data["recommendations-1-dissents-0-text"] == ["Nguồn vốn đã rõ."]
    assert data["recommendations-1-dissents-1-text"] == [""]
    data["recommendations-1-dissents-1-expert_id"] = [str(e[2])]
    data["recommendations-1-dissents-1-text"] = ["Không cần thiết ở giai đoạn này."]
    data["recommendations-1-endorsed_by"] = [str(e[0])]
    res = client.post(f"/requests/{rid}/consolidation", data={**data, "do": "save"})
    assert res.status_code == 303, res.text[:3000]
    saved = session.scalar(select(Consolidation).where(Consolidation.request_id == rid))
    assert saved.recommendations[1]["dissent"] == [
        {"expert_id": e[1], "text": "Nguồn vốn đã rõ."},
        {"expert_id": e[2], "text": "Không cần thiết ở giai đoạn này."},
    ]
    # The recorded dissents come back as kept, and survive a merge into another row.
    data = _fields(client.get(f"/requests/{rid}/consolidation").text)
    assert "Nguồn vốn đã rõ." in data["recommendations-1-kept"][0]
    data["recommendations-0-pick"] = ["y"]
    data["recommendations-1-pick"] = ["y"]
    merged = _fields(
        client.post(f"/requests/{rid}/consolidation", data={**data, "do": "merge"}).text
    )
    assert "Không cần thiết ở giai đoạn này." in merged["recommendations-0-kept"][0]
    res = client.post(f"/requests/{rid}/consolidation", data={**merged, "do": "save"})
    assert res.status_code == 303, res.text[:3000]
    session.refresh(saved)
    assert len(saved.recommendations[0]["dissent"]) == 2
