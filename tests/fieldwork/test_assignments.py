"""Assigning planned contacts to auditors through the database (journeys.fieldwork.assignments):
profiles, the rotation lockout, preview and apply, by hand, closed waves."""

from datetime import UTC, date, datetime, timedelta

import pandas as pd
import pytest
from sqlmodel import Session, func, select

from data import db
from journeys.accounts.users import create_user
from journeys.catalogue.reference import get_or_create_location, get_or_create_wave
from journeys.errors import PermissionDenied, ValidationError
from journeys.fieldwork import assignments as service
from journeys.fieldwork.assignment_rules import Lockout, Reason
from journeys.models import Assignment, ChangeLog
from tests.factories import make_contact, make_plan_line, make_world

TODAY = date(2026, 3, 2)
WAVE_START, WAVE_END = date(2026, 3, 1), date(2026, 3, 31)


@pytest.fixture
def study(db_url):
    """A wave of March 2026, three locations (Noord, Noord, Zuid), auditor1 and auditor2 and a manager."""
    engine = db.get_engine(db_url)
    with db.session_scope(engine) as session:
        world = make_world(session)
        world["wave"].starts_on, world["wave"].ends_on = WAVE_START, WAVE_END
        world["auditor2"] = create_user(session=session, username="auditor2", role="auditor",
                                        password="auditor2-pass", display_name="Sam")
        world["manager"] = create_user(session=session, username="manager", role="manager", password="manager-pass")
        world["locations"] = []
        for name, region in (("Groningen", "Noord"), ("Assen", "Noord"), ("Breda", "Zuid")):
            location = get_or_create_location(session=session, brand=world["brand"], name=name)
            location.region = region
            world["locations"].append(location)
        session.flush()
    world["engine"] = engine
    return world


def _plan(world, channels=("phone", "email"), quantity=2, wave=None, due_on=WAVE_END, auditor=None):
    """A plan line per location and channel, ``quantity`` planned contacts each."""
    with db.session_scope(world["engine"]) as session:
        target = dict(world, wave=wave or world["wave"])
        for location in world["locations"]:
            for channel in channels:
                make_plan_line(session, target, channel=channel, quantity=quantity, location=location,
                               due_on=due_on, auditor=auditor)


def _holders(world, wave=None) -> dict:
    """Planned contacts per auditor id (None: unassigned) in the wave."""
    with Session(world["engine"]) as session:
        rows = session.exec(select(Assignment.auditor_id, func.count()).where(
            Assignment.wave_id == (wave or world["wave"]).id).group_by(Assignment.auditor_id)).all()
    return dict(rows)


def _preview(world, wave=None):
    with db.read_scope(world["engine"]) as session:
        return service.propose_assignment(session=session, actor=world["manager"],
                                          wave_id=(wave or world["wave"]).id, today=TODAY)


def _apply(world, preview):
    with db.session_scope(world["engine"]) as session:
        return service.apply_assignment(session=session, actor=world["manager"], wave_id=preview.wave_id,
                                        proposal=preview.proposal)


def test_two_auditors_share_twelve_planned_contacts_six_each(study):
    """2 auditors × 12 planned contacts: the preview writes nothing, applying gives each 6, logged per contact."""
    _plan(study)
    preview = _preview(study)
    assert preview.open_count == 12 and preview.assigned_count == 12 and preview.unassigned.empty
    assert sorted(preview.loads["new"]) == [6, 6] and sorted(preview.loads["total"]) == [6, 6]
    assert _holders(study) == {None: 12}
    assert _apply(study, preview) == 12
    assert _holders(study) == {study["auditor"].id: 6, study["auditor2"].id: 6}
    with Session(study["engine"]) as session:
        assert all(a.assigned_at is not None for a in session.exec(select(Assignment)).all())
        assert session.exec(select(func.count()).select_from(ChangeLog).where(
            ChangeLog.entity == "assignment")).one() == 12


def test_profiles_are_respected_from_the_database_to_the_assignment(study):
    """Channels, regions and absences stored for each auditor decide who gets what; the rest says why."""
    _plan(study)
    with db.session_scope(study["engine"]) as session:
        phone = study["channels"]["phone"].id
        service.set_auditor_channels(session=session, actor=study["manager"], user_id=study["auditor"].id,
                                     channel_ids=[phone])
        service.set_auditor_regions(session=session, actor=study["manager"], user_id=study["auditor2"].id,
                                    regions=["Noord", " ", "Noord"])
    preview = _preview(study)
    _apply(study, preview)
    with Session(study["engine"]) as session:
        frame = service.wave_planned(session=session, actor=study["manager"], wave_id=study["wave"].id, today=TODAY)
    held = {(row.channel, row.region, None if pd.isna(row.auditor_id) else int(row.auditor_id))
            for row in frame.itertuples()}
    sam, one = study["auditor2"].id, study["auditor"].id
    assert held == {("phone", "Noord", one), ("phone", "Noord", sam), ("phone", "Zuid", one),
                    ("email", "Noord", sam), ("email", "Zuid", None)}
    assert set(preview.unassigned["reason"]) == {Reason.REGION}
    assert preview.unassigned["why"].iloc[0] == "No auditor who does the channel E-mail covers the region Zuid."
    assert len(preview.unassigned) == 2
    assert frame[frame["auditor_id"] == sam]["region"].eq("Noord").all()

    with db.session_scope(study["engine"]) as session:  # away for the whole wave: nothing more for auditor1
        service.add_absence(session=session, actor=study["manager"], user_id=study["auditor"].id,
                            starts_on=WAVE_START, ends_on=WAVE_END, note="holiday")
    with db.session_scope(study["engine"]) as session:
        make_plan_line(session, study, channel="phone", quantity=1, location=study["locations"][2], due_on=WAVE_END,
                       time_slot="after_hours")
    preview = _preview(study)
    assert preview.assigned_count == 0
    assert set(preview.unassigned["reason"]) == {Reason.REGION, Reason.AVAILABILITY}
    with Session(study["engine"]) as session:
        profiles = service.auditor_profiles_frame(session=session, actor=study["manager"], wave_id=study["wave"].id)
    mine = profiles.set_index("auditor").loc["auditor1"]
    assert mine["channels"] == "Phone" and mine["regions"] == "all" and mine["load"] == 5
    assert mine["absences"] == "1 Mar 2026 – 31 Mar 2026 (holiday)"


def test_lockout_keeps_an_auditor_from_a_location_of_the_previous_wave(study):
    """With a lockout of one wave, whoever held a location in the wave before does not get it again."""
    with db.session_scope(study["engine"]) as session:
        earlier = get_or_create_wave(session=session, name="2025-Q4", starts_on=date(2025, 10, 1),
                                     ends_on=date(2025, 12, 31))
        study["earlier"] = earlier
    groningen, assen, breda = study["locations"]
    with db.session_scope(study["engine"]) as session:
        before = dict(study, wave=study["earlier"])
        make_plan_line(session, before, location=groningen, quantity=1, auditor=study["auditor"])
        make_plan_line(session, before, location=assen, quantity=1, auditor=study["auditor2"])
        session.add(make_contact(before, channel="phone", location_id=breda.id, auditor_id=study["auditor"].id,
                                 wave_id=study["earlier"].id))
        make_plan_line(session, before, location=breda, quantity=1, auditor=study["auditor2"])
        service.set_lockout(session=session, actor=study["manager"], waves=1, days=0)
    _plan(study, channels=("phone",), quantity=1)
    preview = _preview(study)
    with Session(study["engine"]) as session:
        location_of = {a.id: p for a, p in session.exec(select(Assignment, Assignment.plan_line_id)).all()}
        frame = service.wave_planned(session=session, actor=study["manager"], wave_id=study["wave"].id, today=TODAY)
    places = dict(zip(frame["assignment_id"], frame["location"], strict=True))
    given = {places[i]: a for i, a in preview.proposal.assigned.items()}
    assert given == {"Groningen": study["auditor2"].id, "Assen": study["auditor"].id}
    assert list(preview.unassigned["location"]) == ["Breda"] and location_of
    assert list(preview.unassigned["reason"]) == [Reason.LOCKOUT]
    assert "rotation lockout" in preview.unassigned["why"].iloc[0]

    with db.session_scope(study["engine"]) as session:  # off again: Breda is assigned too
        service.set_lockout(session=session, actor=study["manager"], waves=0, days=0)
    assert _preview(study).assigned_count == 3


def test_a_stale_preview_is_refused_and_nothing_is_written(study):
    """A planned contact assigned by hand after the preview makes applying it refuse, all or nothing."""
    _plan(study)
    preview = _preview(study)
    some = sorted(preview.proposal.assigned)[0]
    with db.session_scope(study["engine"]) as session:
        service.assign_by_hand(session=session, actor=study["manager"], assignment_ids=[some],
                               auditor_id=study["auditor"].id, today=TODAY)
    with pytest.raises(service.StalePreview, match="1 planned contact of the preview was assigned"):
        _apply(study, preview)
    assert _holders(study) == {None: 11, study["auditor"].id: 1}
    assert _apply(study, _preview(study)) == 11


def test_assigning_by_hand_warns_about_broken_rules_and_refuses_what_it_must(study):
    """By hand the planner may break a rule and is told which; started contacts and non-auditors are refused."""
    _plan(study)
    with db.session_scope(study["engine"]) as session:
        service.set_auditor_channels(session=session, actor=study["manager"], user_id=study["auditor2"].id,
                                     channel_ids=[study["channels"]["phone"].id])
    with Session(study["engine"]) as session:
        frame = service.wave_planned(session=session, actor=study["manager"], wave_id=study["wave"].id, today=TODAY)
    email = [int(i) for i in frame[frame["channel"] == "email"]["assignment_id"]]
    phone = [int(i) for i in frame[frame["channel"] == "phone"]["assignment_id"]]
    with db.session_scope(study["engine"]) as session:
        warnings = service.assign_by_hand(session=session, actor=study["manager"], assignment_ids=email[:3],
                                          auditor_id=study["auditor2"].id, today=TODAY)
        assert service.assign_by_hand(session=session, actor=study["manager"], assignment_ids=phone,
                                      auditor_id=study["auditor2"].id, today=TODAY) == []
    assert warnings == ["3 planned contacts assigned, but Sam does not test the channel E-mail."]
    assert _holders(study) == {None: 3, study["auditor2"].id: 9}

    with pytest.raises(ValidationError, match="must be a user with the role auditor"), \
            db.session_scope(study["engine"]) as session:
        service.assign_by_hand(session=session, actor=study["manager"], assignment_ids=email[3:],
                               auditor_id=study["manager"].id, today=TODAY)
    with db.session_scope(study["engine"]) as session:
        contact = make_contact(study, channel="phone", auditor_id=study["auditor2"].id)
        session.add(contact)
        session.flush()
        session.get(Assignment, phone[0]).contact_id = contact.id
    with pytest.raises(ValidationError, match="started or done"), db.session_scope(study["engine"]) as session:
        service.assign_by_hand(session=session, actor=study["manager"], assignment_ids=phone[:2], auditor_id=None)
    assert _holders(study) == {None: 3, study["auditor2"].id: 9}
    with db.session_scope(study["engine"]) as session:  # to nobody: no warnings, no holder, no date
        assert service.assign_by_hand(session=session, actor=study["manager"], assignment_ids=phone[1:3],
                                      auditor_id=None) == []
    with Session(study["engine"]) as session:
        assert session.get(Assignment, phone[1]).auditor_id is None
        assert session.get(Assignment, phone[1]).assigned_at is None
    assert _holders(study) == {None: 5, study["auditor2"].id: 7}


def test_a_closed_wave_takes_no_assignment_changes(study):
    """Previewing, applying and assigning by hand in a closed wave are refused with the wave's name."""
    _plan(study)
    preview = _preview(study)
    with db.session_scope(study["engine"]) as session:
        session.get(type(study["wave"]), study["wave"].id).closed_at = datetime(2026, 4, 1, tzinfo=UTC)
    with pytest.raises(ValidationError, match="wave: is closed"):
        _preview(study)
    with pytest.raises(ValidationError, match="wave: is closed"):
        _apply(study, preview)
    with pytest.raises(ValidationError, match="wave: is closed"), db.session_scope(study["engine"]) as session:
        service.assign_by_hand(session=session, actor=study["manager"], assignment_ids=list(preview.proposal.assigned),
                               auditor_id=study["auditor"].id)
    assert _holders(study) == {None: 12}


@pytest.mark.parametrize(("waves", "days", "field"), [(53, 0, "waves"), (-1, 0, "waves"), (0, 366, "days"),
                                                      (1.5, 0, "waves"), (0, True, "days")])
def test_a_lockout_out_of_range_is_refused(study, waves, days, field):
    """The lockout takes whole numbers, 0..52 waves and 0..365 days, and names the field it refuses."""
    with pytest.raises(ValidationError, match=f"{field}: must be a whole number"), \
            db.session_scope(study["engine"]) as session:
        service.set_lockout(session=session, actor=study["manager"], waves=waves, days=days)
    with Session(study["engine"]) as session:
        assert service.get_lockout(session=session) == Lockout()


def test_lockout_setting_round_trips_and_days_lock_across_waves(study):
    """A lockout in days stored as a setting keeps an auditor from a location visited days ago."""
    with db.session_scope(study["engine"]) as session:
        assert service.set_lockout(session=session, actor=study["manager"], waves=0, days=30) == Lockout(days=30)
    with Session(study["engine"]) as session:
        assert service.get_lockout(session=session) == Lockout(waves=0, days=30)
    groningen = study["locations"][0]
    with db.session_scope(study["engine"]) as session:
        session.add(make_contact(study, channel="phone", location_id=groningen.id, auditor_id=study["auditor"].id,
                                 wave_id=None, started_at=datetime(2026, 3, 20, 9, 0, tzinfo=UTC), first_response_at=None))
        make_plan_line(session, study, channel="email", quantity=2, location=groningen, due_on=WAVE_END)
    preview = _preview(study)
    assert set(preview.proposal.assigned.values()) == {study["auditor2"].id}
    assert list(preview.unassigned["reason"]) == [Reason.LOCKOUT]


def test_only_planners_assign_or_change_profiles(study):
    """An auditor may neither preview, assign, nor change a profile or the lockout."""
    _plan(study)
    auditor = study["auditor"]
    with pytest.raises(PermissionDenied, match="assign fieldwork"), db.read_scope(study["engine"]) as session:
        service.propose_assignment(session=session, actor=auditor, wave_id=study["wave"].id, today=TODAY)
    with pytest.raises(PermissionDenied), db.session_scope(study["engine"]) as session:
        service.set_lockout(session=session, actor=auditor, waves=1, days=0)
    with pytest.raises(PermissionDenied), db.session_scope(study["engine"]) as session:
        service.set_auditor_regions(session=session, actor=auditor, user_id=auditor.id, regions=["Noord"])


def test_absences_are_checked_and_removed(study):
    """An absence ending before it starts is refused; a removed one no longer counts."""
    with pytest.raises(ValidationError, match="until: must be on or after"), \
            db.session_scope(study["engine"]) as session:
        service.add_absence(session=session, actor=study["manager"], user_id=study["auditor"].id,
                            starts_on=WAVE_END, ends_on=WAVE_START)
    with db.session_scope(study["engine"]) as session:
        absence = service.add_absence(session=session, actor=study["manager"], user_id=study["auditor"].id,
                                      starts_on=TODAY, ends_on=TODAY + timedelta(days=1))
        absence_id = absence.id
    with db.session_scope(study["engine"]) as session:
        profile = next(p for p in service.auditor_profiles(session=session, actor=study["manager"])
                       if p.user_id == study["auditor"].id)
        assert [a.id for a in profile.absences] == [absence_id]
        service.remove_absence(session=session, actor=study["manager"], absence_id=absence_id)
    with Session(study["engine"]) as session:
        profile = next(p for p in service.auditor_profiles(session=session, actor=study["manager"])
                       if p.user_id == study["auditor"].id)
        assert profile.absences == ()
