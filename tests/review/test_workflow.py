"""The review workflow through its services, on SQLite and PostgreSQL: every move, its trail
event and status, and every refusal (role, status, empty comment, another's contact, no reason)."""

from datetime import timedelta

import pytest
from sqlmodel import select

from data.db import read_scope, session_scope
from journeys.accounts.users import create_user
from journeys.errors import PermissionDenied, ValidationError
from journeys.models import Answer, ChangeLog, Contact, Criterion, ReleaseMode, ReviewAction, Wave
from journeys.review.trail import events_of
from journeys.review.workflow import (
    approve_contact,
    correct_answer,
    correct_timing,
    return_contact,
    returned_contacts,
    review_queue,
    submit_contact,
    trail_frame,
)
from tests.factories import T0, make_contact, make_world

NOW = T0 + timedelta(days=2)


@pytest.fixture
def world(engine):
    with session_scope(engine) as session:
        w = make_world(session)
        w["reviewer"] = create_user(session=session, username="rev", role="reviewer", password="reviewer-pass")
        w["manager"] = create_user(session=session, username="boss", role="manager", password="manager-pass")
        w["admin"] = create_user(session=session, username="root", role="admin", password="admin-pass")
        w["other"] = create_user(session=session, username="auditor2", role="auditor", password="auditor2-pass")
        w["client"] = create_user(session=session, username="klant", role="client", password="client-pass")
        w["criteria"] = [c.id for c in session.exec(select(Criterion).where(
            Criterion.version_id == w["version"].id).order_by(Criterion.position)).all()]
        return w


def _contact(engine, world, status="open", **kw) -> int:
    """A finished (answered) contact of the world's auditor in ``status``, with one answer."""
    with session_scope(engine) as session:
        contact = make_contact(world, review_status=status, released_at=None, **kw)
        session.add(contact)
        session.flush()
        session.add(Answer(contact_id=contact.id, criterion_id=world["criteria"][0], value=1.0))
        return contact.id


def _do(engine, action, **kw):
    with session_scope(engine) as session:
        return action(session=session, now=NOW, **kw).review_status


def _status(engine, contact_id):
    with read_scope(engine) as session:
        return session.get(Contact, contact_id).review_status


def _actions(engine, contact_id):
    with read_scope(engine) as session:
        return [(e.action, e.comment) for e in events_of(session, contact_id)]


def test_submit_return_resubmit_approve_keeps_the_whole_trail(engine, world):
    """Submit → return with a comment → resubmit → approve: each step's status and trail event."""
    cid = _contact(engine, world)
    assert _do(engine, submit_contact, actor=world["auditor"], contact_id=cid) == "submitted"
    assert _do(engine, return_contact, actor=world["reviewer"], contact_id=cid, comment="  Add the screenshot ") \
        == "returned"
    assert _do(engine, submit_contact, actor=world["auditor"], contact_id=cid) == "submitted"
    assert _do(engine, approve_contact, actor=world["reviewer"], contact_id=cid) == "approved"
    assert _actions(engine, cid) == [("submitted", ""), ("returned", "Add the screenshot"), ("submitted", ""),
                                     ("approved", "")]
    with read_scope(engine) as session:
        assert session.get(Contact, cid).released_at is None  # an at-once wave waits for its release


@pytest.mark.parametrize("wave_setup", ["continuous", "released", "no wave"])
def test_approval_releases_at_once_when_nothing_waits(engine, world, wave_setup):
    """A continuous wave, a wave already released, or no wave: approval releases the contact."""
    with session_scope(engine) as session:
        wave = session.get(Wave, world["wave"].id)
        if wave_setup == "continuous":
            wave.release_mode = ReleaseMode.CONTINUOUS.value
        elif wave_setup == "released":
            wave.released_at = T0
        session.add(wave)
    cid = _contact(engine, world, status="submitted", **({"wave_id": None} if wave_setup == "no wave" else {}))
    assert _do(engine, approve_contact, actor=world["manager"], contact_id=cid, comment="fine") == "released"
    assert _actions(engine, cid) == [("approved", "fine"), ("released", "")]
    with read_scope(engine) as session:
        assert session.get(Contact, cid).released_at == NOW


def test_an_approved_contact_may_still_be_returned_before_release(engine, world):
    cid = _contact(engine, world, status="approved")
    assert _do(engine, return_contact, actor=world["admin"], contact_id=cid, comment="wrong location") == "returned"


@pytest.mark.parametrize("comment", ["", "   ", None])
def test_a_return_needs_a_comment(engine, world, comment):
    """Returning without a comment is refused, naming the comment; nothing changes."""
    cid = _contact(engine, world, status="submitted")
    with pytest.raises(ValidationError, match="comment: is required"):
        _do(engine, return_contact, actor=world["reviewer"], contact_id=cid, comment=comment)
    assert _status(engine, cid) == "submitted" and _actions(engine, cid) == []


@pytest.mark.parametrize(("action", "role", "kw"), [
    (return_contact, "auditor", {"comment": "x"}),
    (approve_contact, "auditor", {}),
    (approve_contact, "client", {}),
    (return_contact, "client", {"comment": "x"}),
    (submit_contact, "manager", {}),
    (submit_contact, "reviewer", {}),
    (submit_contact, "client", {}),
])
def test_wrong_roles_are_refused(engine, world, action, role, kw):
    """Auditors do not review, reviewers and managers do not submit, clients do neither."""
    cid = _contact(engine, world, status="open" if action is submit_contact else "submitted")
    actor = world[role] if role != "auditor" else world["auditor"]
    before = _status(engine, cid)
    with pytest.raises(PermissionDenied, match="may not"):
        _do(engine, action, actor=actor, contact_id=cid, **kw)
    assert _status(engine, cid) == before


def test_an_auditor_submits_only_their_own_contact(engine, world):
    cid = _contact(engine, world)
    with pytest.raises(PermissionDenied, match="another auditor"):
        _do(engine, submit_contact, actor=world["other"], contact_id=cid)
    assert _do(engine, submit_contact, actor=world["admin"], contact_id=cid) == "submitted"  # an admin may


@pytest.mark.parametrize(("action", "status", "kw"), [
    (submit_contact, "submitted", {}),
    (submit_contact, "approved", {}),
    (submit_contact, "released", {}),
    (approve_contact, "open", {}),
    (approve_contact, "returned", {}),
    (approve_contact, "approved", {}),
    (return_contact, "open", {"comment": "x"}),
    (return_contact, "released", {"comment": "x"}),
])
def test_wrong_statuses_are_refused_in_words(engine, world, action, status, kw):
    """A move the status does not allow names the status in words; nothing is recorded."""
    cid = _contact(engine, world, status=status)
    actor = world["auditor"] if action is submit_contact else world["reviewer"]
    with pytest.raises(ValidationError, match="only a contact that is"):
        _do(engine, action, actor=actor, contact_id=cid, **kw)
    assert _status(engine, cid) == status and _actions(engine, cid) == []


def test_a_draft_or_unfinished_contact_cannot_be_submitted(engine, world):
    """A draft, and a contact neither answered nor assessed, say what is missing."""
    draft = _contact(engine, world, is_draft=True)
    with pytest.raises(ValidationError, match="is a draft"):
        _do(engine, submit_contact, actor=world["auditor"], contact_id=draft)
    with session_scope(engine) as session:
        bare = make_contact(world, review_status="open", released_at=None, first_response_at=None)
        session.add(bare)
        session.flush()
        bare_id = bare.id
    with pytest.raises(ValidationError, match="record a first response or save the checklist"):
        _do(engine, submit_contact, actor=world["auditor"], contact_id=bare_id)
    assert _status(engine, draft) == "open" and _status(engine, bare_id) == "open"


def test_a_reviewer_may_not_approve_their_own_contact(engine, world):
    """Four eyes: an admin who logged a contact cannot approve it; another reviewer can."""
    cid = _contact(engine, world, status="submitted", auditor_id=world["admin"].id)
    with pytest.raises(PermissionDenied, match="four eyes"):
        _do(engine, approve_contact, actor=world["admin"], contact_id=cid)
    assert _do(engine, approve_contact, actor=world["reviewer"], contact_id=cid) == "approved"


def test_a_correction_changes_the_answer_with_its_reason_in_both_logs(engine, world):
    """The answer changes; the change log has old → new, the trail a CORRECTED step with the reason."""
    cid = _contact(engine, world, status="submitted")
    criterion = world["criteria"][0]
    _do(engine, correct_answer, actor=world["reviewer"], contact_id=cid, criterion_id=criterion, value=0,
        reason="The screenshot shows no greeting")
    with read_scope(engine) as session:
        assert session.get(Answer, (cid, criterion)).value == 0
        log = session.exec(select(ChangeLog).where(ChangeLog.entity_id == cid, ChangeLog.entity == "contact")).all()
        assert [(x.field, x.old_value, x.new_value, x.user_id) for x in log] == [
            ("item:C1", "1", "0", world["reviewer"].id)]
        assert session.get(Contact, cid).review_status == "submitted"
    assert _actions(engine, cid) == [("corrected", "The screenshot shows no greeting")]
    # an item not answered before gets its answer, N/A included
    _do(engine, correct_answer, actor=world["reviewer"], contact_id=cid, criterion_id=world["criteria"][1],
        is_na=True, reason="not applicable on e-mail")
    with read_scope(engine) as session:
        assert session.get(Answer, (cid, world["criteria"][1])).is_na


@pytest.mark.parametrize(("kw", "message"), [
    ({"value": 1, "reason": ""}, "reason: is required"),
    ({"value": 0, "reason": "  "}, "reason: is required"),
    ({"value": 7, "reason": "typo"}, "must be yes"),
    ({"value": None, "reason": "typo"}, "has no answer"),
    ({"value": 1, "reason": "typo"}, "already saved"),
])
def test_a_bad_correction_is_refused_naming_the_field(engine, world, kw, message):
    cid = _contact(engine, world, status="released")
    with pytest.raises(ValidationError, match=message):
        _do(engine, correct_answer, actor=world["reviewer"], contact_id=cid, criterion_id=world["criteria"][0], **kw)
    assert _actions(engine, cid) == []


def test_corrections_only_in_review_by_reviewers_not_on_their_own(engine, world):
    """An open contact is its auditor's to change; auditors and clients do not correct; nor
    does a reviewer correct a contact they logged."""
    open_id = _contact(engine, world)
    with pytest.raises(ValidationError, match="its auditor still changes it"):
        _do(engine, correct_answer, actor=world["reviewer"], contact_id=open_id, criterion_id=world["criteria"][0],
            value=0, reason="x")
    cid = _contact(engine, world, status="submitted")
    for actor in (world["auditor"], world["client"]):
        with pytest.raises(PermissionDenied):
            _do(engine, correct_answer, actor=actor, contact_id=cid, criterion_id=world["criteria"][0], value=0,
                reason="x")
    own = _contact(engine, world, status="submitted", auditor_id=world["admin"].id)
    with pytest.raises(PermissionDenied, match="four eyes"):
        _do(engine, correct_timing, actor=world["admin"], contact_id=own, field="wait_seconds", value=3, reason="x")


def test_a_timing_correction_is_validated_and_logged(engine, world):
    """A first response before the start is refused; a valid one is written with its reason."""
    cid = _contact(engine, world, status="approved")
    with pytest.raises(ValidationError, match="before the start"):
        _do(engine, correct_timing, actor=world["reviewer"], contact_id=cid, field="first_response_at",
            value=T0 - timedelta(hours=1), reason="clock")
    with pytest.raises(ValidationError, match="not a timing"):
        _do(engine, correct_timing, actor=world["reviewer"], contact_id=cid, field="notes", value="x", reason="x")
    with pytest.raises(ValidationError, match="reason: is required"):
        _do(engine, correct_timing, actor=world["reviewer"], contact_id=cid, field="first_response_at",
            value=T0 + timedelta(hours=1), reason="")
    _do(engine, correct_timing, actor=world["reviewer"], contact_id=cid, field="first_response_at",
        value=T0 + timedelta(hours=1), reason="the reply's header says 11:00")
    with read_scope(engine) as session:
        assert session.get(Contact, cid).first_response_at == T0 + timedelta(hours=1)
        log = session.exec(select(ChangeLog).where(ChangeLog.entity_id == cid)).all()
        assert [x.field for x in log] == ["first_response_at"]
    assert _actions(engine, cid) == [("corrected", "the reply's header says 11:00")]


def test_a_live_timing_correction_recomputes_the_wait(engine, world):
    cid = _contact(engine, world, status="submitted", channel="phone", first_response_at=T0 + timedelta(minutes=5),
                   resolved_at=T0 + timedelta(minutes=9), wait_seconds=300, handling_seconds=240)
    _do(engine, correct_timing, actor=world["reviewer"], contact_id=cid, field="first_response_at",
        value=T0 + timedelta(minutes=2), reason="the recording starts at 10:02")
    with read_scope(engine) as session:
        contact = session.get(Contact, cid)
        assert (contact.wait_seconds, contact.handling_seconds) == (120, 420)


def test_the_queue_lists_submitted_contacts_oldest_submission_first_with_filters(engine, world):
    """Oldest submitted first (by submission, not by start); filters by auditor and channel."""
    first = _contact(engine, world, started_at=T0 + timedelta(hours=1))
    second = _contact(engine, world, channel="phone", resolved_at=T0 + timedelta(hours=3), started_at=T0)
    _contact(engine, world, status="approved")
    with session_scope(engine) as session:
        submit_contact(session=session, actor=world["auditor"], contact_id=first, now=NOW)
        submit_contact(session=session, actor=world["auditor"], contact_id=second, now=NOW + timedelta(minutes=1))
    with read_scope(engine) as session:
        queue = review_queue(session=session, actor=world["reviewer"])
        assert queue["contact_id"].tolist() == [first, second]
        assert queue["auditor"].tolist() == ["auditor1", "auditor1"]
        phone = review_queue(session=session, actor=world["reviewer"], channels=[world["channels"]["phone"].id])
        assert phone["contact_id"].tolist() == [second]
        assert review_queue(session=session, actor=world["reviewer"], auditor_ids=[world["other"].id]).empty
        with pytest.raises(PermissionDenied):
            review_queue(session=session, actor=world["auditor"])


def test_returned_contacts_are_the_auditors_with_the_latest_comment(engine, world):
    cid = _contact(engine, world, status="submitted")
    _do(engine, return_contact, actor=world["reviewer"], contact_id=cid, comment="first")
    _do(engine, submit_contact, actor=world["auditor"], contact_id=cid)
    with session_scope(engine) as session:
        return_contact(session=session, actor=world["reviewer"], contact_id=cid, comment="second",
                       now=NOW + timedelta(hours=1))
    with read_scope(engine) as session:
        mine = returned_contacts(session=session, actor=world["auditor"])
        assert mine[["contact_id", "comment", "reviewer"]].values.tolist() == [[cid, "second", "rev"]]
        assert returned_contacts(session=session, actor=world["other"]).empty


def test_the_trail_is_read_as_the_reader_may_read_contacts(engine, world):
    """Auditors read their own contacts' trail; another auditor nothing; a client without a grant nothing."""
    cid = _contact(engine, world)
    _do(engine, submit_contact, actor=world["auditor"], contact_id=cid)
    _do(engine, return_contact, actor=world["reviewer"], contact_id=cid, comment="=HYPERLINK(\"x\")")
    with read_scope(engine) as session:
        frame = trail_frame(session=session, actor=world["auditor"], contact_ids=[cid])
        assert frame[["user", "action_label", "comment"]].values.tolist() == [
            ["auditor1", "Submitted for review", ""], ["rev", "Returned for revision", "=HYPERLINK(\"x\")"]]
        assert trail_frame(session=session, actor=world["other"]).empty
        assert trail_frame(session=session, actor=world["client"]).empty
        assert len(trail_frame(session=session, actor=world["manager"], wave_id=world["wave"].id)) == 2
    assert ReviewAction.RETURNED.value in {a for a, _c in _actions(engine, cid)}
