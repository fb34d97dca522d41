"""Demo data: deterministic, idempotent, and shaped like real audits."""

from datetime import date

import pandas as pd
import pytest
from sqlmodel import func, select

from data.db import session_scope
from journeys.accounts.users import authenticate
from journeys.demo import BRANDS, DEMO_ACCOUNTS, REVIEW_ACCOUNTS, demo_password, seed_demo
from journeys.fieldwork.frames import read_answers, read_contacts, read_criteria
from journeys.models import Contact, Criterion, User
from tests.factories import demo_sqlite


def _snapshot(engine) -> pd.DataFrame:
    frame = read_contacts(engine).drop(columns=["contact_id", "version_id", "auditor_id"])
    return frame.sort_values("external_id").reset_index(drop=True)


def test_same_seed_gives_same_data_and_second_run_adds_nothing(engine, tmp_path):
    """Seeding twice with one seed adds nothing; another database with the same seed is identical."""
    first = seed_demo(engine, contacts=300, seed=3)
    assert first["added"] == 300 and len(first["accounts"]) == len(DEMO_ACCOUNTS) - len(REVIEW_ACCOUNTS)
    again = seed_demo(engine, contacts=300, seed=3)
    assert again == {"added": 0, "skipped": 300, "accounts": []}
    with session_scope(engine) as session:
        assert session.exec(select(func.count()).select_from(Contact)).one() == 300

    from data import db

    other_url = f"sqlite:///{tmp_path / 'other.db'}"
    db.upgrade(other_url)
    seed_demo(db.get_engine(other_url), contacts=300, seed=3)
    pd.testing.assert_frame_equal(_snapshot(engine), _snapshot(db.get_engine(other_url)))


def test_demo_shapes(engine):
    """Every brand appears; checklists have 8–15 items; e-mail has unanswered contacts; live channels answer fast."""
    seed_demo(engine, contacts=1500, seed=1)
    contacts = read_contacts(engine)
    assert set(contacts["brand"]) == {b.name for b in BRANDS}
    criteria = read_criteria(engine)
    sizes = criteria.groupby("version_id").size()
    assert len(sizes) == 5 and sizes.between(8, 15).all()
    email = contacts[contacts["channel"] == "email"]
    assert email["first_response_at"].isna().mean() > 0.05
    phone = contacts[contacts["channel"] == "phone"]
    waits = (phone["first_response_at"] - phone["started_at"]).dt.total_seconds().dropna()
    assert 20 < waits.median() < 600
    social = contacts[contacts["channel_kind"] == "social"]
    assert social["redirected_to"].notna().sum() > 0
    answers = read_answers(engine)
    assert set(answers["contact_id"]) <= set(contacts["contact_id"])
    assert answers["is_na"].any() and not answers["is_na"].all()


def test_demo_accounts_sign_in(engine):
    """Every demo account (the reviewer and the client users too) signs in with its documented password."""
    seed_demo(engine, contacts=10, seed=1, review=True)
    with session_scope(engine) as session:
        for username, role in DEMO_ACCOUNTS:
            user = authenticate(session=session, username=username, password=demo_password(username))
            assert user.role == role.value
        assert session.exec(select(func.count()).select_from(User)).one() == len(DEMO_ACCOUNTS)
        assert session.exec(select(func.count()).select_from(Criterion)).one() > 0


def test_demo_has_a_fieldwork_plan_with_a_gap(engine):
    """Wave 2026-Q3 is planned: each of its logged contacts is a done planned contact of its own auditor,
    some planned contacts were never made (overdue, some never assigned), stores have regions;
    seeding again plans nothing twice."""
    from datetime import date

    from journeys.fieldwork.planned import contact_logged, planned_contacts
    from journeys.models import Assignment, Channel, Location, Wave

    seed_demo(engine, contacts=600, seed=4)
    with session_scope(engine) as session:
        wave = session.exec(select(Wave).where(Wave.name == "2026-Q3")).one()
        q3 = session.exec(select(func.count()).select_from(Contact).join(Channel, Channel.id == Contact.channel_id)
                          .where(Contact.wave_id == wave.id, contact_logged())).one()
        frame = planned_contacts(session=session, today=date(2026, 12, 2), wave_id=wave.id)
        done = frame[frame["status"] == "done"]
        assert len(done) == q3
        made_by = dict(session.exec(select(Contact.id, Contact.auditor_id)).all())
        assert all(made_by[int(c)] == a for c, a in zip(done["contact_id"], done["auditor_id"], strict=True))
        gap = frame[frame["status"] != "done"]
        assert set(gap["status"]) == {"overdue"} and len(gap) > 0
        assert gap["auditor_id"].isna().any() and gap["auditor_id"].notna().any()
        regions = set(session.exec(select(Location.region)).all())
        assert {"Noord", "Midden", "Zuid"} <= regions
        before = session.exec(select(func.count()).select_from(Assignment)).one()
    seed_demo(engine, contacts=600, seed=4)
    with session_scope(engine) as session:
        assert session.exec(select(func.count()).select_from(Assignment)).one() == before


# --- review before release (``seed_demo(review=True)``, what ``klantreis demo`` seeds) ----------------

def _trail(engine) -> pd.DataFrame:
    """Every audit-trail step with its contact's external id and the actor's username, in order."""
    from journeys.models import Appeal, ReviewEvent

    with session_scope(engine) as session:
        rows = session.exec(
            select(Contact.external_id, ReviewEvent.action, ReviewEvent.occurred_at, User.username,
                   ReviewEvent.comment, Appeal.status)
            .join(Contact, Contact.id == ReviewEvent.contact_id)
            .outerjoin(User, User.id == ReviewEvent.user_id)
            .outerjoin(Appeal, Appeal.id == ReviewEvent.appeal_id)
            .order_by(Contact.external_id, ReviewEvent.occurred_at, ReviewEvent.action)).all()
    return pd.DataFrame(rows, columns=["external_id", "action", "at", "user", "comment", "appeal"])


def _all_contacts(engine) -> pd.DataFrame:
    from journeys.fieldwork.contact_filter import ContactFilter

    frame = read_contacts(engine, ContactFilter(include_unreleased=True, include_drafts=True))
    return frame.drop(columns=["contact_id", "version_id", "auditor_id"]).sort_values("external_id").reset_index(drop=True)


def _counts(engine) -> dict:
    from journeys.models import Appeal, ChangeLog, ClientGrant, ReviewEvent

    with session_scope(engine) as session:
        return {table.__name__: session.exec(select(func.count()).select_from(table)).one()
                for table in (Contact, ReviewEvent, Appeal, ClientGrant, ChangeLog, User)}


def test_review_states_are_deterministic_and_seeded_once(engine, tmp_path):
    """With review states, the same seed gives the same contacts (every status and release time), the
    same trail and the same appeals in another database; a second run adds nothing at all."""
    from data import db

    seed_demo(engine, contacts=600, seed=3, review=True)
    counts = _counts(engine)
    assert seed_demo(engine, contacts=600, seed=3, review=True) == {"added": 0, "skipped": 600, "accounts": []}
    assert _counts(engine) == counts

    other_url = f"sqlite:///{tmp_path / 'other.db'}"
    db.upgrade(other_url)
    seed_demo(db.get_engine(other_url), contacts=600, seed=3, review=True)
    pd.testing.assert_frame_equal(_all_contacts(engine), _all_contacts(db.get_engine(other_url)))
    pd.testing.assert_frame_equal(_trail(engine), _trail(db.get_engine(other_url)))


def _replay(actions: list[str]) -> str:
    """The status a trail's status moves lead to from open (``journeys.review.states``)."""
    from journeys.models import ReviewAction
    from journeys.review.states import MOVES, next_status

    status = "open"
    for action in actions:
        if ReviewAction(action) in MOVES:
            status = next_status(status, action).value
    return status


@pytest.fixture(scope="module")
def reviewed(tmp_path_factory):
    """One SQLite database with 3,000 demo contacts in review (seed 7, what ``klantreis demo`` makes)."""
    return demo_sqlite(tmp_path_factory.mktemp("demo") / "reviewed.db", contacts=3000, seed=7, review=True)


def test_every_review_status_over_time(reviewed):
    """The older wave is released (nothing of it waits in review), the current one is in review with
    contacts in every state; unfinished contacts stay open; the queue's oldest is a few days old.
    Unanswered is a result: the older wave's unanswered contacts were saved with a checklist and
    count in the released figures (e-mail's silence shows)."""
    from journeys.demo import RELEASED_WAVE, REVIEW_NOW, REVIEW_WAVE
    from journeys.fieldwork.planned import contact_logged
    from journeys.models import Channel, ReleaseMode, ReviewStatus, Wave

    contacts = _all_contacts(reviewed)
    by_wave = contacts.groupby("wave")["review_status"].apply(set).to_dict()
    assert by_wave[RELEASED_WAVE] == {"released"}
    assert by_wave[REVIEW_WAVE] == {"open", "submitted", "returned", "approved"}
    assert set(contacts["review_status"]) == {s.value for s in ReviewStatus}
    with session_scope(reviewed) as session:
        unfinished = session.exec(select(Contact.review_status).join(Channel, Channel.id == Contact.channel_id)
                                  .where(~contact_logged())).all()
        assert unfinished and set(unfinished) == {"open"}
        waves = {w.name: w for w in session.exec(select(Wave)).all()}
        assert waves[REVIEW_WAVE].release_mode == ReleaseMode.AT_ONCE and waves[REVIEW_WAVE].released_at is None
        assert waves[RELEASED_WAVE].released_at is not None
    released = contacts[contacts["review_status"] == "released"]
    assert (released["released_at"] == waves[RELEASED_WAVE].released_at).all()
    assert contacts.loc[contacts["review_status"] != "released", "released_at"].isna().all()
    trail = _trail(reviewed)
    queue = trail[trail["external_id"].isin(contacts.loc[contacts["review_status"] == "submitted", "external_id"])]
    waiting = REVIEW_NOW - queue.groupby("external_id")["at"].max()
    assert 10 <= len(waiting) and waiting.min() > pd.Timedelta(0) and pd.Timedelta(days=2) < waiting.max() < pd.Timedelta(days=5)
    assert 3 <= (contacts["review_status"] == "returned").sum() <= 40
    email = read_contacts(reviewed)
    email = email[email["channel"] == "email"]
    assert email["first_response_at"].isna().mean() > 0.05 and set(email["wave"]) == {RELEASED_WAVE}


def test_trails_are_consistent(reviewed):
    """Each contact's trail replays to its status through the allowed moves, in time order after the
    contact was finished: submitted by its own auditor, approved or returned (with a comment) by the
    reviewer or the manager, released by the manager at its ``released_at``."""
    contacts = _all_contacts(reviewed).set_index("external_id")
    trail = _trail(reviewed)
    moves = trail[trail["appeal"].isna()]
    replayed = moves.groupby("external_id")["action"].apply(lambda a: _replay(list(a)))
    statuses = contacts["review_status"]
    assert (replayed == statuses[replayed.index]).all()
    assert set(statuses[statuses == "open"].index).isdisjoint(moves["external_id"])
    finished = contacts[["started_at", "acknowledged_at", "first_response_at", "resolved_at"]].max(axis=1)
    assert (moves["at"].to_numpy() >= finished[moves["external_id"]].to_numpy()).all()
    assert moves.groupby("external_id")["at"].is_monotonic_increasing.all()
    with session_scope(reviewed) as session:
        auditors = dict(session.exec(select(Contact.external_id, User.username)
                                     .join(User, User.id == Contact.auditor_id)).all())
    submitted = moves[moves["action"] == "submitted"]
    assert (submitted["user"].to_numpy() == submitted["external_id"].map(auditors).to_numpy()).all()
    assert set(moves.loc[moves["action"].isin(["approved", "returned"]), "user"]) == {"reviewer", "manager"}
    returned = moves[moves["action"] == "returned"]
    assert returned["comment"].str.len().gt(20).all()
    last_return = returned.groupby("external_id").size()
    assert set(statuses[statuses == "returned"].index) <= set(last_return.index)
    release = moves[moves["action"] == "released"].set_index("external_id")
    assert set(release.index) == set(statuses[statuses == "released"].index)
    assert (release["at"] == contacts.loc[release.index, "released_at"]).all() and set(release["user"]) == {"manager"}
    # a few were returned once and approved after revision
    assert ((moves["action"] == "returned").groupby(moves["external_id"]).any() & statuses.reindex(
        moves["external_id"].unique()).eq("released").to_numpy()).sum() > 10


def test_client_grants_and_their_scopes(reviewed):
    """client1 sees one whole brand, client2 one region of another; each scope holds released
    contacts, the region client's only those of its region's stores."""
    from journeys.accounts.scope import client_scope
    from journeys.demo import CLIENT_GRANTS
    from journeys.models import Brand, ClientGrant, Location

    with session_scope(reviewed) as session:
        for username, (brand_name, region) in CLIENT_GRANTS.items():
            user = session.exec(select(User).where(User.username == username)).one()
            grants = session.exec(select(ClientGrant).where(ClientGrant.user_id == user.id)).all()
            assert [(session.get(Brand, g.brand_id).name, g.region, g.location_id) for g in grants] == [
                (brand_name, region, None)]
            scope = client_scope(session=session, actor=user)
            seen = session.exec(select(Contact.brand_id, Location.region, Contact.review_status)
                                .outerjoin(Location, Location.id == Contact.location_id)
                                .where(scope.condition(), Contact.review_status == "released")).all()
            assert len(seen) >= 5
            assert {session.get(Brand, b).name for b, _r, _s in seen} == {brand_name}
            assert {s for _b, _r, s in seen} == {"released"}
            if region:
                assert {r for _b, r, _s in seen} == {region}
            assert client_scope(session=session, actor=user).brand_names == (brand_name,)
    assert set(CLIENT_GRANTS["client1"][1:]) == {""} and CLIENT_GRANTS["client2"][1]


def test_granted_to_agrees_with_client_scope_for_the_region_client(reviewed):
    """The SQL form of the region client's scope selects exactly the contacts of ``ClientScope``."""
    from journeys.accounts.scope import client_scope, granted_to

    with session_scope(reviewed) as session:
        user = session.exec(select(User).where(User.username == "client2")).one()
        scope = client_scope(session=session, actor=user)
        by_scope = set(session.exec(select(Contact.id).where(scope.condition(),
                                                            Contact.review_status == "released")).all())
        assert set(session.exec(select(Contact.id).where(granted_to(user.id))).all()) == by_scope


def test_appeals_in_every_status(reviewed):
    """The clients' appeals: on released contacts within their own scope, opened within the wave's
    window; waiting has the reviewer's question; rejected has a reason; upheld changed the answer
    (in the change log) and its scores are what the scoring pipeline gives before and after."""
    from journeys.accounts.scope import client_scope
    from journeys.fieldwork.contact_filter import ContactFilter
    from journeys.models import Answer, Appeal, AppealStatus, ChangeLog, Criterion, ReviewEvent, Wave
    from scoring.pipeline import scored_contacts

    with session_scope(reviewed) as session:
        appeals = session.exec(select(Appeal).order_by(Appeal.id)).all()
        assert {a.status for a in appeals} == {s.value for s in AppealStatus}
        assert any(a.criterion_id is None for a in appeals)  # one disputes the timing
        openers = {session.get(User, a.opened_by_id).username for a in appeals}
        assert openers == {"client1", "client2"}  # both the brand client and the region client appealed
        for appeal in appeals:
            contact = session.get(Contact, appeal.contact_id)
            wave = session.get(Wave, contact.wave_id)
            assert contact.review_status == "released" and contact.first_response_at is not None
            assert contact.released_at <= appeal.opened_at <= contact.released_at + pd.Timedelta(days=wave.appeal_days)
            opener = session.get(User, appeal.opened_by_id)
            assert opener.role == "client"
            scope = client_scope(session=session, actor=opener)
            assert session.exec(select(Contact.id).where(Contact.id == contact.id, scope.condition())).first()
            events = session.exec(select(ReviewEvent.action, ReviewEvent.comment, ReviewEvent.occurred_at)
                                  .where(ReviewEvent.appeal_id == appeal.id).order_by(ReviewEvent.occurred_at)).all()
            assert events[0][:2] == ("appealed", appeal.reason)
            expected = {"open": ["appealed"], "waiting": ["appealed", "queried"],
                        "upheld": ["appealed", "upheld"], "rejected": ["appealed", "rejected"]}[appeal.status]
            assert [e[0] for e in events] == expected
            if appeal.status == "waiting":
                assert len(events[1][1]) > 20
            if appeal.status in ("upheld", "rejected"):
                assert appeal.decided_at > appeal.opened_at and len(appeal.decision) > 20
                assert events[-1][1] == appeal.decision and session.get(User, appeal.decided_by_id).role == "reviewer"
            else:
                assert appeal.decided_at is None and appeal.score_before is None
            if appeal.status == "rejected":
                assert appeal.score_before is None and appeal.score_after is None
            if appeal.status == "upheld":
                code = session.get(Criterion, appeal.criterion_id).code
                assert session.get(Answer, (contact.id, appeal.criterion_id)).value == 1.0
                log = session.exec(select(ChangeLog.field, ChangeLog.old_value, ChangeLog.new_value)
                                   .where(ChangeLog.entity == "contact", ChangeLog.entity_id == contact.id)).all()
                assert (f"item:{code}", "0", "1") in log
                assert ("final_score", f"{appeal.score_before:.1f}", f"{appeal.score_after:.1f}") in log
                frame = read_contacts(reviewed, ContactFilter(contact_ids=(contact.id,)))
                now = scored_contacts(frame, read_answers(reviewed, [contact.id]),
                                      read_criteria(reviewed, frame["version_id"].tolist()), contact.released_at)
                assert now["final_score"].iloc[0] == pytest.approx(appeal.score_after)
                assert appeal.score_after > appeal.score_before


def test_actions_open_overdue_in_progress_done_verified_and_rejected(reviewed):
    """The demo's action rules made actions of the released wave only, each owned by a client user
    granted on it or waiting for an owner; they stand in every status, some open ones are overdue and
    some not, and each status has the steps that lead to it."""
    from journeys.actions.items import action_list
    from journeys.models import ActionEvent, ActionItem, ActionRule, ActionStatus, Wave

    with session_scope(reviewed) as session:
        assert len(session.exec(select(ActionRule)).all()) == 3
        actions = session.exec(select(ActionItem)).all()
        assert {a.status for a in actions} == {s.value for s in ActionStatus}
        today = date.today()
        open_ones = [a for a in actions if a.status == ActionStatus.OPEN.value]
        assert any(a.due_on < today for a in open_ones) and any(a.due_on >= today for a in open_ones)
        waves = {session.get(Wave, a.wave_id).name for a in actions if a.wave_id is not None}
        assert waves == {"2026-Q2"}  # the released wave: the one in review has made no action
        for action in actions:
            steps = [(e.from_status, e.to_status) for e in session.exec(
                select(ActionEvent).where(ActionEvent.action_id == action.id).order_by(ActionEvent.occurred_at))]
            moves = [s for s in steps if s[1] is not None]
            expected = {"open": [], "rejected": [("open", "rejected")], "progress": [("open", "progress")],
                        "done": [("open", "progress"), ("progress", "done")],
                        "verified": [("open", "progress"), ("progress", "done"), ("done", "verified")]}
            assert moves == expected[action.status]
            assert action.status == "open" or action.owner_id is not None
        client1 = session.exec(select(User).where(User.username == "client1")).one()
        mine = action_list(session, client1)
        assert len(mine) > 0 and set(mine["brand"]) == {"Vliegwel"}
