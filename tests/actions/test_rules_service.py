"""Rules as data (journeys.actions.rules): validation naming field and value, roles, the change
log, and the plain-words description in English and Dutch."""

import pytest
from sqlmodel import select

from data.db import write_scope
from journeys.actions.generate import apply_rules
from journeys.actions.rules import (
    create_rule,
    describe_rule,
    list_rules,
    rule_owner_candidates,
    set_rule_active,
    update_rule,
)
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


def test_the_clients_admin_sets_its_own_brands_rules(world):
    """A client user granted on the whole brand (the client's admin) adds, changes and switches its
    brand's rules and reads the agency's rules for every brand; another brand's rules it neither
    reads nor changes, and it cannot make or change a rule for every brand."""
    admin = world["users"]["client_brand"]
    with write_scope(world["engine"]) as s:
        agency = create_rule(s, world["manager"], kind="critical")  # every brand
        theirs = create_rule(s, world["manager"], kind="score", threshold=50, brand_id=world["brand_b"].id)
        mine = create_rule(s, admin, kind="score", threshold=60, brand_id=world["brand"].id,
                           owner_id=world["users"]["client_centrum"].id)
        update_rule(s, admin, mine.id, threshold=65)
        set_rule_active(s, admin, mine.id, False)
        assert {line.rule.id for line in list_rules(s, admin)} == {agency.id, mine.id}
        assert [c.username for c in rule_owner_candidates(s, admin, world["brand"].id)] == [
            "client_brand", "client_centrum", "client_haven", "client_region"]
        for call in (lambda: create_rule(s, admin, kind="critical"),
                     lambda: create_rule(s, admin, kind="critical", brand_id=world["brand_b"].id),
                     lambda: set_rule_active(s, admin, agency.id, False),
                     lambda: update_rule(s, admin, theirs.id, due_days=3),
                     lambda: update_rule(s, admin, mine.id, brand_id=None),
                     lambda: rule_owner_candidates(s, admin, world["brand_b"].id)):
            with pytest.raises(PermissionDenied, match="only for your own brands") as refusal:
                call()
            assert "Brand B" not in str(refusal.value)
        assert s.get(ActionRule, agency.id).active and s.get(ActionRule, theirs.id).due_days == 14
        assert (s.get(ActionRule, mine.id).threshold, s.get(ActionRule, mine.id).active) == (65.0, False)


def test_a_client_without_a_whole_brand_grant_may_not_set_rules(world):
    """A location's or a region's client user is not the client's admin."""
    for name in ("client_centrum", "client_region"):
        client = world["users"][name]
        with write_scope(world["engine"]) as s:
            for call in (lambda c=client: create_rule(s, c, kind="critical", brand_id=world["brand"].id),
                         lambda c=client: list_rules(s, c), lambda c=client: set_rule_active(s, c, 1, False),
                         lambda c=client: update_rule(s, c, 1, due_days=3)):
                with pytest.raises(PermissionDenied, match="granted on a whole brand"):
                    call()


def test_only_the_agency_applies_the_rules_on_demand(world):
    with pytest.raises(PermissionDenied, match="apply the action rules now"):
        apply_rules(world["engine"], actor=world["users"]["client_brand"])


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
