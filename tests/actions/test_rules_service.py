"""Rules as data (journeys.actions.rules): validation naming field and value, roles, the change
log, and the plain-words description in English and Dutch."""

import pytest
from sqlmodel import select

from data.db import write_scope
from journeys.actions.rules import create_rule, describe_rule, list_rules, set_rule_active, update_rule
from journeys.errors import PermissionDenied, ValidationError
from journeys.language import use_language
from journeys.models import ActionRule, ChangeLog


def _fields(exc) -> dict:
    return {p.field: p.value for p in exc.value.problems}


def test_validation_names_each_field_and_value(world):
    with write_scope(world["engine"]) as s:
        with pytest.raises(ValidationError) as exc:
            create_rule(s, world["manager"], kind="score", threshold=101, due_days=400)
        assert _fields(exc) == {"threshold": 101, "due_days": 400}
        with pytest.raises(ValidationError) as exc:
            create_rule(s, world["manager"], kind="late", threshold=0)
        assert _fields(exc) == {"threshold": 0}
        with pytest.raises(ValidationError) as exc:
            create_rule(s, world["manager"], kind="sometimes")
        assert "critical, score, late, gap" in str(exc.value)
        with pytest.raises(ValidationError) as exc:  # an owner of brand B for a rule of brand A
            create_rule(s, world["manager"], kind="critical", brand_id=world["brand"].id,
                        owner_id=world["users"]["client_b"].id)
        assert _fields(exc) == {"owner_id": world["users"]["client_b"].id}
        with pytest.raises(ValidationError):  # a named owner needs a brand
            create_rule(s, world["manager"], kind="critical", owner_id=world["users"]["client_brand"].id)
        with pytest.raises(ValidationError):  # not a client user
            create_rule(s, world["manager"], kind="critical", brand_id=world["brand"].id,
                        owner_id=world["manager"].id)
        assert create_rule(s, world["manager"], kind="gap", threshold=0).threshold == 0
        assert create_rule(s, world["manager"], kind="critical", threshold=5).threshold is None


def test_a_client_may_not_set_rules(world):
    client = world["users"]["client_brand"]
    with write_scope(world["engine"]) as s:
        for call in (lambda: create_rule(s, client, kind="critical"), lambda: list_rules(s, client),
                     lambda: set_rule_active(s, client, 1, False), lambda: update_rule(s, client, 1, due_days=3)):
            with pytest.raises(PermissionDenied, match="manage action rules"):
                call()


def test_changes_are_logged_and_listed_in_plain_words(world):
    with write_scope(world["engine"]) as s:
        rule = create_rule(s, world["manager"], kind="score", brand_id=world["brand"].id, threshold=60,
                           owner_id=world["users"]["client_region"].id, due_days=7, urgent=True)
        update_rule(s, world["manager"], rule.id, threshold=55)
        set_rule_active(s, world["manager"], rule.id, False)
        log = s.exec(select(ChangeLog).where(ChangeLog.entity == "action_rule").order_by(ChangeLog.id)).all()
        assert [(c.action, c.field, c.old_value, c.new_value) for c in log] == [
            ("create", "kind", None, "score"), ("update", "threshold", "60.0", "55.0"),
            ("update", "active", "True", "False")]
        (line,) = list_rules(s, world["manager"])
        assert line.text == ("When a contact of Koopklik scores below 55 points → action for client_region, "
                             "due in 7 days (urgent: mail at once) (switched off)")


def test_describe_rule_in_both_languages():
    critical = ActionRule(kind="critical", due_days=14)
    assert describe_rule(critical) == ("When a knock-out item fails on any channel → action for the location's "
                                       "client user, due in 14 days")
    late = ActionRule(kind="late", threshold=7200, due_days=1, journey_id=1)
    assert describe_rule(late, journey="Parcel") == (
        "When a channel in journey Parcel misses its first-response target by more than 2.0 h → action for the "
        "location's client user, due in 1 day")
    gap = ActionRule(kind="gap", threshold=15, due_days=0)
    assert describe_rule(gap) == ("When the channel gap of a journey in a wave exceeds 15 points → action for the "
                                  "location's client user, due today")
    with use_language("nl"):
        text = describe_rule(ActionRule(kind="score", threshold=60, due_days=7, urgent=True), brand="Vliegwel",
                             owner="client1")
        assert "Vliegwel" in text and "60" in text and "client1" in text and "7 dagen" in text
        assert "When" not in text
