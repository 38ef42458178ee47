"""Valid contest input, as the API would receive it after validation."""

from __future__ import annotations

from typing import Any

FIELDS = ["ENG-MEC", "ENG-IT", "ENG-ENE"]


def edition_data(**overrides: Any) -> dict[str, Any]:
    from expertnet.contest.schemas import EditionSchema

    raw = {
        "name": "Hội thi Sáng tạo Kỹ thuật thành phố Hải Phòng",
        "number": 5,
        "organisers": "Liên hiệp các Hội KH&KT; Sở KH&CN; LĐLĐ; Thành Đoàn",
        "fields": FIELDS,
        "entries_open_on": "2026-03-01",
        "entries_close_on": "2026-09-30",
        **overrides,
    }
    return EditionSchema().load(raw)


def entry_data(field: str = "ENG-MEC", **overrides: Any) -> dict[str, Any]:
    from expertnet.contest.schemas import EntrySchema

    raw = {
        "title": "Thiết bị tự động cấp phôi cho máy tiện CNC",
        "field": field,
        "description": "Giải pháp giảm 30% thời gian dừng máy.",
        "applying_organization_name": "Công ty CP Cơ khí Hải Phòng",
        "applied_where": "Phân xưởng gia công, Công ty CP Cơ khí Hải Phòng",
        "applied_since": "2024-06-01",
        "authors": [
            {"full_name": "Trần Văn Bình", "share": 60, "employer": "Công ty CP Cơ khí Hải Phòng",
             "email": "binh@example.vn", "phone": "0912345678"},
            {"full_name": "Lê Thị Hoa", "share": 40, "employer": "Trường CĐ Kỹ thuật"},
        ],
        **overrides,
    }  # fmt: skip
    return EntrySchema().load(raw)
