"""Running the rules (journeys.actions.generate.apply_rules) on SQLite and PostgreSQL: one action
per finding with the right owner and due date, nothing new on a rerun, released contacts only,
brand restrictions, the owner resolution order, and two runs at once."""

from datetime import timedelta

import pytest
from sqlmodel import Session, select

from data.db import read_scope, write_scope
from journeys.actions.generate import apply_rules
from journeys.actions.rules import create_rule, set_rule_active
from journeys.errors import PermissionDenied
from journeys.local_time import to_local
from journeys.models import ActionItem, ClientGrant, User

from .conftest import AS_OF


def _rule(w, **kw):
    with write_scope(w["engine"]) as s:
        return create_rule(s, w["manager"], **{"kind": "critical", **kw})


def _items(w):
    with read_scope(w["engine"]) as s:
        return list(s.exec(select(ActionItem).order_by(ActionItem.id)).all())


def test_a_critical_failure_makes_one_action_and_a_rerun_nothing(world):
    rule = _rule(world, brand_id=world["brand"].id, due_days=14, urgent=True)
    result = apply_rules(world["engine"], actor=world["manager"], as_of=AS_OF)
    assert result.created_count == 1 and result.findings == 1 and result.skipped_existing == 0
    (item,) = _items(world)
    assert item.id == result.created[0]
    assert (item.rule_id, item.kind, item.contact_id, item.criterion_id) == (
        rule.id, "critical", world["contact"].id, world["criteria"][0].id)
    assert item.finding_key == f"critical:{world['contact'].id}:{world['criteria'][0].id}"
    assert (item.brand_id, item.location_id, item.journey_id, item.wave_id, item.channel_id) == (
        world["brand"].id, world["centrum"].id, world["journey"].id, world["wave"].id,
        world["channels"]["email"].id)
    assert item.owner_id == world["users"]["client_centrum"].id  # the location's grant is the narrowest
    assert item.due_on == to_local(AS_OF).date() + timedelta(days=14)
    assert item.status == "open" and item.urgent is True
    again = apply_rules(world["engine"], as_of=AS_OF + timedelta(days=1))
    assert again.created == () and again.findings == 1 and again.skipped_existing == 1
    assert len(_items(world)) == 1


def test_an_unreleased_contact_makes_no_action_and_a_brand_rule_ignores_other_brands(world):
    _rule(world, brand_id=world["brand_b"].id)
    apply_rules(world["engine"], as_of=AS_OF)
    items = _items(world)
    assert [i.contact_id for i in items] == [world["other"].id]
    assert items[0].owner_id == world["users"]["client_b"].id
    assert world["unreleased"].id not in {i.contact_id for i in items}


def test_every_brand_rule_and_an_inactive_rule(world):
    rule = _rule(world)
    off = _rule(world, kind="score", threshold=100)
    with write_scope(world["engine"]) as s:
        set_rule_active(s, world["manager"], off.id, False)
    result = apply_rules(world["engine"], as_of=AS_OF)
    assert sorted(i.contact_id for i in _items(world)) == sorted([world["contact"].id, world["other"].id])
    assert {i.rule_id for i in _items(world)} == {rule.id} and result.created_count == 2


def test_owner_resolution_order(world):
    """location grant > region grant > brand grant; ties the lowest username; a named owner first,
    when one of their grants covers the finding's location."""
    engine, users = world["engine"], world["users"]
    rule = _rule(world, brand_id=world["brand"].id)

    def owner_now():
        with write_scope(engine) as s:
            s.exec(select(ActionItem)).all()
            for item in s.exec(select(ActionItem)).all():
                s.delete(item)
        apply_rules(engine, as_of=AS_OF, rule_ids=[rule.id])
        (item,) = _items(world)
        return item.owner_id

    assert owner_now() == users["client_centrum"].id
    with write_scope(engine) as s:  # a second location grant: the lower username wins
        extra = User(username="client_aa", role="client", password_hash="x")
        s.add(extra)
        s.flush()
        s.add(ClientGrant(user_id=extra.id, brand_id=world["brand"].id, location_id=world["centrum"].id))
    assert owner_now() == extra.id
    with write_scope(engine) as s:  # without location grants: the region's client user
        for grant in s.exec(select(ClientGrant).where(ClientGrant.location_id == world["centrum"].id)).all():
            s.delete(grant)
    assert owner_now() == users["client_region"].id
    with write_scope(engine) as s:  # an inactive user is never the owner: then the brand's
        s.get(User, users["client_region"].id).active = False
    assert owner_now() == users["client_brand"].id
    with write_scope(engine) as s:
        s.get(User, users["client_brand"].id).active = False
    assert owner_now() is None  # nobody: the action is without owner
    with write_scope(engine) as s:
        s.get(User, users["client_haven"].id).active = True
        from journeys.actions.rules import update_rule
        update_rule(s, world["manager"], rule.id, owner_id=users["client_haven"].id)
    assert owner_now() is None  # the named owner's grant is on another location: not theirs
    with write_scope(engine) as s:  # a brand-wide grant covers it: the named owner before any other
        s.add(ClientGrant(user_id=users["client_haven"].id, brand_id=world["brand"].id))
        s.get(User, users["client_brand"].id).active = True
    assert owner_now() == users["client_haven"].id
    with write_scope(engine) as s:  # the named owner deactivated: back to the narrowest grant
        s.get(User, users["client_haven"].id).active = False
        s.get(User, users["client_brand"].id).active = True
    assert owner_now() == users["client_brand"].id


def test_a_client_may_not_run_the_rules(world):
    _rule(world)
    with pytest.raises(PermissionDenied):
        apply_rules(world["engine"], actor=world["users"]["client_brand"], as_of=AS_OF)
    assert _items(world) == []


def test_a_concurrent_run_inserts_nothing_twice(world):
    """A second run whose skip list is stale (it read before the first committed) does not crash."""
    _rule(world)
    first = apply_rules(world["engine"], as_of=AS_OF)
    assert first.created_count == 2
    from journeys.actions import generate
    real = generate.select

    # simulate the race: the second run sees no existing action items when it checks
    def stale(*args):
        query = real(*args)
        if len(args) == 2 and args[0] is ActionItem.rule_id:
            return query.where(ActionItem.id < 0)
        return query

    generate.select = stale
    try:
        second = apply_rules(world["engine"], as_of=AS_OF)
    finally:
        generate.select = real
    assert second.created == () and second.skipped_existing == 2
    assert len(_items(world)) == 2


def test_nothing_to_do_without_rules(world):
    assert apply_rules(world["engine"], as_of=AS_OF).created == ()
    with Session(world["engine"]) as s:
        assert s.exec(select(ActionItem)).all() == []


def test_two_runs_at_once_create_each_action_once(world):
    """Two threads apply the rules at the same moment: neither fails, each action exists once."""
    import threading

    _rule(world)
    results, errors = [], []
    start = threading.Barrier(2)

    def run():
        try:
            start.wait()
            results.append(apply_rules(world["engine"], as_of=AS_OF))
        except Exception as exc:  # noqa: BLE001 - the test reports whatever a run raised
            errors.append(exc)

    threads = [threading.Thread(target=run) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert errors == []
    assert sorted(r.created_count for r in results) == [0, 2]
    assert len(_items(world)) == 2


def test_the_contacts_of_many_findings_are_looked_up_a_slice_at_a_time(world, monkeypatch):
    """A slice of one id per query (PostgreSQL takes at most 65,535 parameters in a statement;
    a first run at a million contacts finds more): the same actions as in one query."""
    from journeys.actions import generate

    _rule(world, brand_id=None, due_days=7)
    monkeypatch.setattr(generate, "LOOKUP_CHUNK", 1)
    result = apply_rules(world["engine"], actor=world["manager"], as_of=AS_OF)
    items = _items(world)
    assert result.created_count == len(items) >= 1
    assert all(item.contact_id is not None and item.brand_id is not None and item.channel_id is not None
               for item in items)
