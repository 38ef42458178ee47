"""Vietnamese alphabetical order: letters a ă â … d đ …, tones ordered, given name first."""

from __future__ import annotations

import random

import pytest

from search_index.collation import person_name_key, sort_key


@pytest.mark.parametrize(
    "ordered",
    [
        ["Anh", "Ánh"],
        ["anh", "Anh", "ánh"],  # case decides only between otherwise equal words
        ["Dương", "Đào", "Đặng", "Đỗ"],  # d < đ
        ["Nga", "Ngô", "Nguyễn"],  # ô < u
        ["an", "anh", "ăn", "ân"],  # a < ă < â (letter by letter), shorter first
        ["Ha", "Hà", "Hả", "Hã", "Há", "Hạ"],  # no tone, huyền, hỏi, ngã, sắc, nặng
        ["Hoa", "Hòa", "Hóa"],
        ["o", "ô", "ơ", "p", "u", "ư", "v"],
        ["e", "ê", "g"],
    ],
)
def test_vietnamese_alphabetical_order(ordered):
    shuffled = ordered[:]
    random.Random(1).shuffle(shuffled)
    assert sorted(shuffled, key=sort_key) == ordered


def test_both_tone_orthographies_sort_as_one_word():
    assert sort_key("Hoà") == sort_key("Hòa")
    assert sort_key("Thuỷ") == sort_key("Thủy")


def test_people_sort_by_given_name_then_middle_then_family_name():
    people = [
        "Bùi Thị Ánh",
        "Cao Thúy Anh",
        "Đặng Thanh Ánh",
        "Bùi Thị Kim Ánh",
        "Đặng Ngọc Anh",
        "Nguyễn Văn An",
        "Đỗ Văn Bình",
        "Dương Văn Bình",
        "Nguyễn Văn Bình",
        "Ngô Văn Bình",
    ]
    assert sorted(people, key=person_name_key) == [
        "Nguyễn Văn An",
        "Đặng Ngọc Anh",
        "Cao Thúy Anh",  # every Anh before every Ánh
        "Đặng Thanh Ánh",
        "Bùi Thị Ánh",
        "Bùi Thị Kim Ánh",
        "Dương Văn Bình",  # same given and middle name: by family name, D < Đ, Ngô < Nguyễn
        "Đỗ Văn Bình",
        "Ngô Văn Bình",
        "Nguyễn Văn Bình",
    ]


def test_keys_are_bytes_that_sort_like_the_python_order():
    names = ["Lê Văn Tám", "Lê Văn Tâm", "Lê Văn Tấm", "Trần Tâm", "Lê Tâm"]
    assert sorted(names, key=person_name_key) == sorted(
        names, key=lambda n: person_name_key(n).hex()
    )
    assert all(isinstance(person_name_key(n), bytes) for n in names)
