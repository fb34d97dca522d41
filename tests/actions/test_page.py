"""The Action rules page (AppTest): rules in plain words with switches, adding a rule, applying them."""

import pytest
from sqlmodel import Session, select

from data import db
from data.db import read_scope, write_scope
from journeys.actions.rules import create_rule
from journeys.models import ActionItem, ActionRule, Answer, ClientGrant, Criterion, Role, User
from tests.apptest import open_page
from tests.factories import make_contact, make_world
from tests.shown import shown


@pytest.fixture
def seeded(app_env):
    engine = db.get_engine(app_env)
    with Session(engine, expire_on_commit=False) as s:
        w = make_world(s)
        criteria = s.exec(select(Criterion).where(Criterion.version_id == w["version"].id)
                          .order_by(Criterion.position)).all()
        criteria[0].critical_policy = "flag_fail"
        contact = make_contact(w)
        s.add(contact)
        s.flush()
        for criterion, value in zip(criteria, (0, 1, 1), strict=True):
            s.add(Answer(contact_id=contact.id, criterion_id=criterion.id, value=float(value), is_na=False))
        manager = User(username="manager1", role=Role.MANAGER.value, password_hash="x")
        client = User(username="client1", role=Role.CLIENT.value, password_hash="x")
        s.add_all([manager, client])
        s.flush()
        s.add(ClientGrant(user_id=client.id, brand_id=w["brand"].id))
        s.commit()
    return dict(engine=engine, manager=manager, client=client, brand=w["brand"])


def test_manager_adds_switches_and_applies_rules(seeded):
    at = open_page("action_rules", seeded["manager"])
    assert any("No action rules yet" in i.value for i in at.info)
    at.selectbox(key="rule_new_kind").set_value("critical")
    at.selectbox(key="rule_new_brand").set_value(seeded["brand"].id).run()
    at.selectbox(key=f"rule_new_owner_{seeded['brand'].id}").set_value(seeded["client"].id)
    at.number_input(key="rule_new_due").set_value(7)
    at.button(key="rule_new_submit").click().run()
    assert not at.exception, at.exception
    with read_scope(seeded["engine"]) as s:
        (rule,) = s.exec(select(ActionRule)).all()
    assert (rule.kind, rule.brand_id, rule.owner_id, rule.due_days) == (
        "critical", seeded["brand"].id, seeded["client"].id, 7)
    toggle = at.toggle(key=f"rule_active_{rule.id}")
    assert shown(toggle.label) == ("When a knock-out item fails on any channel of Koopklik → action for client1, "
                            "due in 7 days")
    at.button(key="rules_apply").click().run()
    assert any("1 new action created." == m.value for m in at.success)
    at.button(key="rules_apply").click().run()
    assert any("0 new actions created." == m.value for m in at.success)
    with read_scope(seeded["engine"]) as s:
        assert len(s.exec(select(ActionItem)).all()) == 1
    at.toggle(key=f"rule_active_{rule.id}").set_value(False).run()
    assert not at.exception, at.exception
    with read_scope(seeded["engine"]) as s:
        assert s.get(ActionRule, rule.id).active is False


def test_a_bad_threshold_is_refused_on_the_page(seeded):
    with write_scope(seeded["engine"]) as s:
        create_rule(s, seeded["manager"], kind="late", threshold=3600)
    at = open_page("action_rules", seeded["manager"])
    assert "more than 60 min" in shown(at.toggle[0].label)
    at.selectbox(key="rule_new_kind").set_value("late").run()
    at.number_input(key="rule_new_threshold_late").set_value(0.0)
    at.button(key="rule_new_submit").click().run()
    assert any("must be a number of seconds above 0" in e.value for e in at.error)


def test_the_clients_admin_sets_its_brands_rules_on_the_page(seeded):
    """A client user granted on the whole brand: its brand only in the form (no "every brand"), the
    agency's rule for every brand shown but not switchable, no "Apply now"."""
    with write_scope(seeded["engine"]) as s:
        agency = create_rule(s, seeded["manager"], kind="critical")
    at = open_page("action_rules", seeded["client"])
    assert at.selectbox(key="rule_new_brand").options == ["Koopklik"]
    assert at.toggle(key=f"rule_active_{agency.id}").disabled
    assert not [b for b in at.button if b.key == "rules_apply"]
    at.selectbox(key="rule_new_kind").set_value("score").run()
    at.number_input(key="rule_new_threshold_score").set_value(55.0)
    at.button(key="rule_new_submit").click().run()
    assert not at.exception, at.exception
    with read_scope(seeded["engine"]) as s:
        rule = s.exec(select(ActionRule).where(ActionRule.kind == "score")).one()
    assert (rule.brand_id, rule.threshold, rule.created_by_id) == (seeded["brand"].id, 55.0, seeded["client"].id)
    assert not at.toggle(key=f"rule_active_{rule.id}").disabled


def test_a_location_client_is_told_it_may_not_set_rules(seeded):
    with write_scope(seeded["engine"]) as s:
        grant = s.exec(select(ClientGrant).where(ClientGrant.user_id == seeded["client"].id)).one()
        grant.region = "Noord"
    at = open_page("action_rules", seeded["client"])
    assert not at.toggle and not at.button
    assert any("granted on a whole brand" in e.value for e in at.error)
