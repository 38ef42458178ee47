""" "Who may see a person" is one rule (``directory/visibility.py``) read four ways: the model
(``Person.can_view``), the SQL filter (``visible_people``), the expert graph
(``panel.network.person_visible``) and the search index's filter (``Viewer.sees_all_in``).
Here all four answer the same for every viewer and every kind of person."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import select

from expertnet.directory.models import Person
from expertnet.directory.visibility import Viewer, visible_people
from expertnet.panel.graph import build_graph
from expertnet.panel.network import person_visible


class _Public:
    is_authenticated = False


@pytest.fixture
def world(session, make_org, make_person, make_user):
    org, other = make_org(), make_org()
    people = {
        "public": make_person("Công Khai", organizations=[other], public_profile=True),
        "member": make_person("Hội Viên", organizations=[org], public_profile=False),
        "outsider": make_person("Người Ngoài", organizations=[other], public_profile=False),
        "former": make_person("Thành Viên Cũ", organizations=[org], public_profile=False),
    }
    people["former"].memberships[0].ended_on = date(2020, 1, 1)
    expert_person = make_person("Chuyên Gia", organizations=[other], public_profile=False)
    people["self"] = expert_person
    session.flush()
    viewers = {
        "public": _Public(),
        "coordinator": make_user("coordinator")[0],
        "approver": make_user("approver")[0],
        "agency": make_user("agency")[0],
        "expert": make_user("expert", person=expert_person)[0],
        "liaison": make_user("liaison", organization=org)[0],
    }
    expected = {
        # viewer: the people they see
        "public": {"public"},
        "coordinator": set(people),
        "approver": set(people),
        "agency": {"public"},
        "expert": {"public", "self"},
        "liaison": {"public", "member"},
    }
    return people, viewers, expected, org


def test_the_four_readings_of_the_rule_agree(session, world):
    people, viewers, expected, _org = world
    eg = build_graph(session.connection())
    ids = {p.id: name for name, p in people.items()}
    for who, user in viewers.items():
        viewer = Viewer.of(user)
        by_model = {name for name, p in people.items() if p.can_view(user)}
        by_sql = {
            ids[i] for i in session.scalars(visible_people(select(Person.id), viewer)) if i in ids
        }
        by_graph = {name for name, p in people.items() if person_visible(eg, p.id, viewer)}
        assert by_model == expected[who], who
        assert by_sql == expected[who], who
        assert by_graph == expected[who], who


def test_the_index_filter_opens_only_where_every_person_is_visible(session, world):
    people, viewers, expected, org = world
    for who, user in viewers.items():
        viewer = Viewer.of(user)
        # With no organisation filter the index may show non-public people only to those
        # who see everyone.
        assert viewer.sees_all_in([]) == (expected[who] == set(people)), who
        # Filtered to one organisation: open exactly when every current member is visible.
        members = {name for name, p in people.items() if org.id in p.organization_ids()}
        assert viewer.sees_all_in([org.id]) == (members <= expected[who]), who


def test_an_expert_who_is_also_a_liaison_sees_as_a_liaison(session, make_org, make_person):
    from expertnet.auth.operations import create_user

    org = make_org()
    member = make_person("Hội Viên", organizations=[org], public_profile=False)
    me = make_person("Chuyên Gia", organizations=[org])
    user = create_user(
        email="both@example.org",
        name="Both",
        role="expert",
        password="correct horse battery",
        organization_id=org.id,
        person_id=me.id,
        extra_roles=("liaison",),
    )
    session.flush()
    viewer = Viewer.of(user)
    assert viewer.liaison_of == org.id
    assert member.can_view(user)
    assert session.scalar(visible_people(select(Person.id), viewer).where(Person.id == member.id))
