"""The text score: declared expertise "or" a BM25-style match over the whole record."""

from __future__ import annotations

import numpy as np
import pytest

from expertnet.panel.affinity import RECORD_WEIGHT, AffinityModel, segments


def _texts():
    return {
        1: (["nuôi trồng thủy sản"], None, None, ()),
        2: (["nuôi trồng thủy sản", "kinh tế biển", "du lịch sinh thái"], None, None, ()),
        3: (["quy hoạch đô thị"], "Kiến trúc sư", "Quy hoạch đô thị ven biển", ()),
        4: (["cơ khí chế tạo"], None, None, ()),
    }


def _works():
    return {
        1: [(2024, "Nuôi trồng thủy sản nước lợ ở Cát Hải")],
        2: [(2010, "Kinh tế biển Hải Phòng"), (2022, "Nuôi tôm thẻ chân trắng")],
        3: [(2025, "Quy hoạch đô thị ven biển"), (2019, "Không gian công cộng đô thị")],
    }


def _scores(m: AffinityModel, text: str) -> dict[int, float]:
    return dict(
        zip(m.person_ids.tolist(), m.text_scores(m.query_vector(text)).tolist(), strict=True)
    )


def test_declared_phrases_match_whole_and_without_diacritics():
    m = AffinityModel.build(_texts(), {}, works=_works(), this_year=2026)
    with_marks = _scores(m, "Đề án phát triển nuôi trồng thủy sản bền vững")
    without = _scores(m, "De an phat trien nuoi trong thuy san ben vung")
    assert with_marks == pytest.approx(without)
    # The whole declared expertise of expert 1 is named: 1; a third of expert 2's.
    assert with_marks[1] == 1.0
    assert 0 < with_marks[2] < with_marks[1]
    assert with_marks[4] == 0.0
    # Half a phrase is not the phrase: "thủy sản" alone is only record evidence.
    half = _scores(m, "Thủy sản")
    assert 0 < half[1] <= RECORD_WEIGHT
    assert all(0.0 <= s <= 1.0 for s in [*with_marks.values(), *half.values()])


def test_record_evidence_saturates_and_stays_in_range():
    texts = {p: (["cơ khí"], None, None, ()) for p in (1, 2)}
    one = [(2025, "Quy hoạch đô thị ven biển")]
    many = one * 30
    m = AffinityModel.build(texts, {}, works={1: one, 2: many}, this_year=2026)
    s = _scores(m, "Quy hoạch đô thị ven biển")
    # More matching works count, with diminishing returns, never past RECORD_WEIGHT.
    assert 0 < s[1] < s[2] <= RECORD_WEIGHT
    assert s[2] < 3 * s[1]


def test_a_patch_rebuilds_records_like_a_build():
    m = AffinityModel.build(_texts(), {}, works=_works(), this_year=2026)
    request = "Quy hoạch đô thị ven biển và nuôi trồng thủy sản"
    before = m.text_scores(m.query_vector(request))
    # Re-reading unchanged profiles gives the same model: the works stay in the record.
    same = m.patched({2: _texts()[2], 3: _texts()[3]}, {})
    assert np.allclose(same.text_scores(same.query_vector(request)), before)
    assert np.allclose(same.record.toarray(), m.record.toarray())
    assert (same.declared != m.declared).nnz == 0
    # An edited profile changes only that expert; one who is gone loses their works.
    edited = m.patched({4: (["quy hoạch đô thị"], None, None, ()), 1: None}, {})
    after = _scores(edited, request)
    assert 1 not in after and after[4] > before[m.row_of[4]]
    assert after[3] == pytest.approx(before[m.row_of[3]])
    assert edited.work_owner is not None and len(edited.work_owner) == len(m.work_owner) - 1


def test_segments_drop_stopwords_and_split_at_punctuation():
    assert list(segments("Kinh tế và xã hội; Hải Phòng")) == [
        ["kinh", "te", "xa", "hoi"],
        ["hai", "phong"],
    ]
