"""Action item services on SQLite and PostgreSQL: list, detail, moves, comments, owner, due date,
summary; and a client of brand A never reaches brand B's action, nor reads its brand's name."""

from datetime import date, timedelta

import pytest
from sqlmodel import select

from data.db import read_scope, write_scope
from journeys.actions import items
from journeys.errors import NotFoundError, PermissionDenied, ValidationError
from journeys.language import use_language
from journeys.models import ActionEvent, ActionItem, ChangeLog, Role
from tests.action_items.conftest import answered_contact
from tests.factories import T0

TODAY = date(2026, 3, 25)


def test_client_lists_only_its_brand(world):
    """Brand A's client reads A's actions, with what was found in words and the overdue flag; never B's."""
    frame = items.action_list(world["engine"], world["client"], today=TODAY)
    assert set(frame["id"]) == {world["action"].id, world["score_action"].id}
    assert "Brand B" not in frame.to_string() and "Secret" not in frame.to_string()
    row = frame.set_index("id").loc[world["action"].id]
    assert row["found"] == "Knock-out item 'Criterion 2' failed"
    assert (row["overdue"], row["days_overdue"], row["status_text"], row["owner"]) == (True, 5, "Open", "Client A")
    score = frame.set_index("id").loc[world["score_action"].id]
    assert score["found"] == "Score 42.0 below 60" and not score["overdue"] and score["owner"] == "No owner yet"
    assert list(frame["id"])[0] == world["action"].id  # overdue first


def test_region_client_sees_nothing_of_another_region(world):
    """A client granted region Zuid does not see the Noord location's actions."""
    assert items.action_list(world["engine"], world["client_zuid"], today=TODAY).empty


def test_manager_lists_all_and_filters(world):
    """The agency reads every brand; the filters narrow by brand, status and overdue."""
    engine, manager = world["engine"], world["manager"]
    assert len(items.action_list(engine, manager, today=TODAY)) == 3
    assert set(items.action_list(engine, manager, brand_id=world["brand_b"].id)["id"]) == {world["action_b"].id}
    assert set(items.action_list(engine, manager, status="done")["id"]) == {world["score_action"].id}
    assert len(items.action_list(engine, manager, only_overdue=True, today=TODAY)) == 2
    assert items.action_list(engine, manager, only_overdue=True, today=date(2026, 3, 20)).empty
    with pytest.raises(ValidationError, match="status.*allowed: open"):
        items.action_list(engine, manager, status="closed")


def test_auditor_is_refused(world):
    """An auditor reads no action plan."""
    with pytest.raises(PermissionDenied, match="read action plans"):
        items.action_list(world["engine"], world["auditor"])


@pytest.mark.parametrize("call", ["get", "status", "comment"])
def test_client_is_refused_brand_b_without_its_name(world, call):
    """Brand B's action is refused to brand A's client in one sentence that names no brand."""
    with pytest.raises(PermissionDenied) as refused, write_scope(world["engine"]) as s:
        if call == "get":
            items.get_action(s, world["client"], world["action_b"].id)
        elif call == "status":
            items.set_status(s, world["client"], world["action_b"].id, "progress")
        else:
            items.add_comment(s, world["client"], world["action_b"].id, "hello")
    assert str(refused.value) == f"Action {world['action_b'].id} is not among your actions."
    with pytest.raises(PermissionDenied, match="Action 999999 is not among your actions"), \
            read_scope(world["engine"]) as s:
        items.get_action(s, world["client"], 999999)
    with read_scope(world["engine"]) as s:
        assert s.get(ActionItem, world["action_b"].id).status == "open"
        with pytest.raises(NotFoundError):
            items.get_action(s, world["manager"], 999999)


def test_detail_has_contact_history_and_follow_up(world):
    """The detail links the readable contact, names the item, and says the next wave has not measured it."""
    with read_scope(world["engine"]) as s:
        detail = items.get_action(s, world["client"], world["action"].id)
    assert (detail.contact_id, detail.criterion, detail.evidence_count) == (world["contact"].id, "C2 · Criterion 2", 0)
    assert detail.history == () and detail.follow_up == "Fixed in 2026-Q2: not measured yet"


def test_client_works_the_action_and_the_manager_verifies(world):
    """Start, done (done_at), verify (verified_at, by): each a history step and a change-log line."""
    engine, action_id = world["engine"], world["action"].id
    with write_scope(engine) as s:
        items.set_status(s, world["client"], action_id, "progress", now=T0)
    with write_scope(engine) as s:
        items.add_comment(s, world["client"], action_id, "New greeting script", now=T0 + timedelta(hours=1))
    with write_scope(engine) as s:
        items.set_status(s, world["client"], action_id, "done", now=T0 + timedelta(hours=2))
    with pytest.raises(PermissionDenied, match="verify actions"), write_scope(engine) as s:
        items.set_status(s, world["client"], action_id, "verified")
    with write_scope(engine) as s:
        items.set_status(s, world["manager"], action_id, "verified", now=T0 + timedelta(hours=3))
    with read_scope(engine) as s:
        action = s.get(ActionItem, action_id)
        assert (action.status, action.done_at, action.verified_at, action.verified_by_id) == (
            "verified", T0 + timedelta(hours=2), T0 + timedelta(hours=3), world["manager"].id)
        history = items.get_action(s, world["client"], action_id).history
        assert [h.what for h in history] == ["Open → In progress", "Comment", "In progress → Done", "Done → Verified"]
        assert history[1].text == "New greeting script" and history[0].by == "Client A"
        assert history[3].by == "the agency"  # the manager's name stays with the agency
        assert items.get_action(s, world["manager"], action_id).history[3].by == "Manager1"
        log = s.exec(select(ChangeLog).where(ChangeLog.entity == "action_item", ChangeLog.entity_id == action_id)
                     ).all()
        assert [(entry.old_value, entry.new_value) for entry in log] == [
            ("open", "progress"), ("progress", "done"), ("done", "verified")]
    with pytest.raises(ValidationError, match="status: cannot follow verified; allowed: none"), \
            write_scope(engine) as s:
        items.set_status(s, world["manager"], action_id, "progress")


def test_reject_and_send_back_need_a_reason(world):
    """Rejecting without a reason is refused and writes nothing; sending back keeps its reason."""
    engine = world["engine"]
    with pytest.raises(ValidationError, match="reason: is required"), write_scope(engine) as s:
        items.set_status(s, world["client"], world["action"].id, "rejected", "  ")
    with read_scope(engine) as s:
        assert s.get(ActionItem, world["action"].id).status == "open"
        assert not s.exec(select(ActionEvent)).all()
    with write_scope(engine) as s:
        items.set_status(s, world["manager"], world["score_action"].id, "progress", "Score still low at the till")
    with write_scope(engine) as s:
        items.set_status(s, world["client"], world["action"].id, "rejected", "Not our store's fault")
    with read_scope(engine) as s:
        back = s.get(ActionItem, world["score_action"].id)
        assert (back.status, back.status_reason) == ("progress", "Score still low at the till")
        assert s.get(ActionItem, world["action"].id).status_reason == "Not our store's fault"


def test_comment_must_have_text(world):
    """An empty comment names the field."""
    with pytest.raises(ValidationError, match="comment: is required"), write_scope(world["engine"]) as s:
        items.add_comment(s, world["client"], world["action"].id, " ")


def test_owner_must_be_granted_on_the_action(world):
    """The owner is an active client user of the action's brand or location: B's client is refused, A's taken."""
    engine = world["engine"]
    with pytest.raises(PermissionDenied), write_scope(engine) as s:
        items.assign_owner(s, world["client"], world["action"].id, world["client"].id)
    with pytest.raises(ValidationError, match="owner: must be an active client user.*allowed: client_a"), \
            write_scope(engine) as s:
        items.assign_owner(s, world["manager"], world["action"].id, world["client_b"].id)
    with write_scope(engine) as s:
        items.assign_owner(s, world["manager"], world["action"].id, None)
        items.assign_owner(s, world["manager"], world["score_action"].id, world["client"].id)
    with read_scope(engine) as s:
        assert s.get(ActionItem, world["action"].id).owner_id is None
        assert s.get(ActionItem, world["score_action"].id).owner_id == world["client"].id


def test_due_date(world):
    """A manager moves the due date; a date before the action was created is refused."""
    engine = world["engine"]
    with pytest.raises(ValidationError, match="due date: must be on or after"), write_scope(engine) as s:
        items.set_due_date(s, world["manager"], world["score_action"].id, date(2026, 1, 1))
    with write_scope(engine) as s:
        items.set_due_date(s, world["manager"], world["score_action"].id, date(2026, 5, 1))
    with read_scope(engine) as s:
        assert s.get(ActionItem, world["score_action"].id).due_on == date(2026, 5, 1)
    with pytest.raises(PermissionDenied), write_scope(engine) as s:
        items.set_due_date(s, world["client"], world["action"].id, date(2026, 5, 1))


def test_summary_per_location_and_item(world):
    """Counts per location and item over the actor's actions only."""
    summary = items.action_summary(world["engine"], world["client"], today=TODAY)
    rows = {(r.location, r.item): (r.n, r.open, r.overdue, r.done, r.verified) for r in summary.itertuples()}
    assert rows == {("Centrum", "C2 · Criterion 2"): (1, 1, 1, 0, 0), ("Centrum", "–"): (1, 0, 0, 1, 0)}
    by_kind = items.action_summary(world["engine"], world["manager"], by=("location", "kind"), today=TODAY)
    assert int(by_kind["n"].sum()) == 3


def test_follow_up_in_the_next_wave(world):
    """The next wave's released contacts at the location: the item passes → yes (n); fails → no; the
    score action compares the mean with its threshold; an unreleased contact does not count."""
    engine = world["engine"]
    with write_scope(engine) as s:
        answered_contact(s, world, (1, 1, 1), location_id=world["loc_a"].id, wave_id=world["next_wave"].id)
        answered_contact(s, world, (1, 0, 1), location_id=world["loc_a"].id, wave_id=world["next_wave"].id,
                         review_status="approved", released_at=None)
    with read_scope(engine) as s:
        detail = items.get_action(s, world["client"], world["action"].id)
    assert detail.follow_up == "Fixed in 2026-Q2: yes (n = 1)"
    frame = items.action_list(engine, world["manager"]).set_index("id")
    assert frame.loc[world["score_action"].id, "follow_up"] == "Fixed in 2026-Q2: yes (n = 1)"
    assert frame.loc[world["action_b"].id, "follow_up"] == "Fixed in 2026-Q2: not measured yet"
    with write_scope(engine) as s:
        answered_contact(s, world, (0, 0, 0), location_id=world["loc_a"].id, wave_id=world["next_wave"].id)
    frame = items.action_list(engine, world["manager"]).set_index("id")
    assert frame.loc[world["action"].id, "follow_up"] == "Fixed in 2026-Q2: no (n = 2)"
    assert frame.loc[world["score_action"].id, "follow_up"] == "Fixed in 2026-Q2: no (n = 2)"


def test_found_text_for_each_kind():
    """Late and gap actions read as the issue writes them."""
    assert items.found_text("late", measured=3 * 3600 + 600, threshold=600, target_s=3600) == (
        "First response 3.2 h late (target 60 min)")
    assert items.found_text("gap", measured=18.5, threshold=15, wave="2026-Q3", channel="E-mail") == (
        "Channel gap 18.5 points in 2026-Q3 (lowest: E-mail)")
    assert Role.CLIENT  # the module reads roles by value


def test_refusal_in_dutch(world):
    """The refusal and the follow-up read in Dutch."""
    from journeys.language import use_language

    with use_language("nl"), read_scope(world["engine"]) as s:
        with pytest.raises(PermissionDenied) as refused:
            items.get_action(s, world["client"], world["action_b"].id)
        detail = items.get_action(s, world["client"], world["action"].id)
    assert str(refused.value) == f"Actiepunt {world['action_b'].id} hoort niet bij uw actiepunten."
    assert detail.follow_up == "Opgelost in 2026-Q2: nog niet gemeten"
    assert detail.row["status_text"] == "Open" and detail.row["found"] == "Knock-outitem 'Criterion 2' niet gehaald"


def test_owner_and_due_date_changes_read_in_the_readers_language(world):
    """The history's owner and due-date steps come from the change log and are worded when read: in
    Dutch for a Dutch reader, the date as people write it, the owner's current name."""
    engine = world["engine"]
    action_id = world["score_action"].id
    with write_scope(engine) as s:
        items.set_due_date(s, world["manager"], action_id, date(2026, 5, 1))
        items.assign_owner(s, world["manager"], action_id, world["client"].id)
        items.assign_owner(s, world["manager"], action_id, None)
    with read_scope(engine) as s:
        history = items.get_action(s, world["manager"], action_id).history
        assert [(h.what, h.text) for h in history] == [
            ("Due date", "1 May 2026"), ("Owner", "Client A"), ("Owner", "No owner yet")]
        assert {h.by for h in history} == {"Manager1"}
        assert [h.by for h in items.get_action(s, world["client"], world["action"].id).history] == []
        with use_language("nl"):
            history = items.get_action(s, world["manager"], action_id).history
            assert [(h.what, h.text) for h in history] == [
                ("Vervaldatum", "1 mei 2026"), ("Eigenaar", "Client A"), ("Eigenaar", "Nog geen eigenaar")]
