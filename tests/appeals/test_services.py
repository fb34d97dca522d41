"""The appeal services (journeys.review.appeals): opening, the conversation, deciding, reading,
and every refusal, on SQLite and PostgreSQL."""

from datetime import UTC, datetime, timedelta

import pytest
from sqlmodel import select

from data.db import read_scope, write_scope
from journeys.errors import NotFoundError, PermissionDenied, ValidationError
from journeys.fieldwork.frames import ContactFilter, read_answers, read_contacts, read_criteria
from journeys.models import (
    Answer,
    Appeal,
    AppealEvidence,
    ChangeLog,
    Contact,
    Evidence,
    ReviewEvent,
    Wave,
)
from journeys.review.appeals import (
    APPEAL_DAYS_WITHOUT_WAVE,
    answer_query,
    appeal_history,
    appeal_window,
    appeals_of,
    changed_on_appeal,
    decide_appeal,
    open_appeal,
    query_client,
)
from scoring.pipeline import scored_contacts
from tests.factories import make_png

from .conftest import IN_WINDOW, RELEASED


def _open(w, criterion_index=1, reason="The agent did greet us: see the recording", now=IN_WINDOW, **kw):
    criterion_id = None if criterion_index is None else w["criteria"][criterion_index].id
    with write_scope(w["engine"]) as s:
        return open_appeal(session=s, actor=w["client"], contact_id=kw.pop("contact_id", w["contact"].id),
                           criterion_id=criterion_id, reason=reason, now=now, **kw)


def _decide(w, appeal_id, actor=None, **kw):
    with write_scope(w["engine"]) as s:
        return decide_appeal(session=s, actor=actor or w["reviewer"], appeal_id=appeal_id, now=IN_WINDOW, **kw)


def _events(w, appeal_id):
    with read_scope(w["engine"]) as s:
        return [e.action for e in s.exec(select(ReviewEvent).where(ReviewEvent.appeal_id == appeal_id)
                                         .order_by(ReviewEvent.id)).all()]


def _full_score(engine, contact_id):
    contacts = read_contacts(engine, ContactFilter(contact_ids=(contact_id,)))
    answers = read_answers(engine, [contact_id])
    criteria = read_criteria(engine, contacts["version_id"].tolist())
    return float(scored_contacts(contacts, answers, criteria, datetime.now(UTC))["final_score"].iloc[0])


def test_open_appeal_with_evidence(world):
    """A client appeals an answer with a reason and a picture: the appeal is open, the file is the
    contact's evidence uploaded by the client and linked to the appeal, the trail says appealed."""
    appeal = _open(world, files=[("proof.png", make_png())])
    assert appeal.status == "open" and appeal.opened_by_id == world["client"].id
    with read_scope(world["engine"]) as s:
        evidence = s.exec(select(Evidence).join(AppealEvidence, AppealEvidence.evidence_id == Evidence.id)
                          .where(AppealEvidence.appeal_id == appeal.id)).one()
        assert (evidence.contact_id, evidence.uploaded_by_id) == (world["contact"].id, world["client"].id)
        assert evidence.thumbnail is not None  # through the evidence checks: a thumbnail was made
    assert _events(world, appeal.id) == ["appealed"]


def test_open_appeal_of_the_timing(world):
    """The timing (no criterion) can be appealed too."""
    appeal = _open(world, criterion_index=None, reason="They answered within the hour")
    assert appeal.criterion_id is None


@pytest.mark.parametrize("files", [[("fake.png", b"<html>not an image</html>")], [("empty.pdf", b"")]])
def test_a_refused_file_refuses_the_appeal(world, files):
    """A file the evidence checks refuse refuses the whole appeal, naming the file; nothing is written."""
    with pytest.raises(ValidationError, match=files[0][0]):
        _open(world, files=files)
    with read_scope(world["engine"]) as s:
        assert s.exec(select(Appeal)).all() == []


def test_window_closed(world):
    """After released_at + the wave's appeal days the appeal is refused, naming until when."""
    with write_scope(world["engine"]) as s:
        s.get(Wave, world["wave"].id).appeal_days = 2
    with pytest.raises(ValidationError, match="has closed"):
        _open(world, now=RELEASED + timedelta(days=2, seconds=1))
    assert _open(world, now=RELEASED + timedelta(days=2)).status == "open"  # the last moment still counts


def test_window_of_a_contact_without_wave(world):
    """A contact of no wave may be appealed for seven days after its release."""
    with write_scope(world["engine"]) as s:
        s.get(Contact, world["contact"].id).wave_id = None
    assert APPEAL_DAYS_WITHOUT_WAVE == 7
    with pytest.raises(ValidationError, match="has closed"):
        _open(world, now=RELEASED + timedelta(days=7, minutes=1))
    with read_scope(world["engine"]) as s:
        window = appeal_window(session=s, actor=world["client"], contact_id=world["contact"].id, now=IN_WINDOW)
    assert window.is_open and window.deadline == RELEASED + timedelta(days=7) and len(window.criteria) == 3


@pytest.mark.parametrize("which", ["other", "unreleased", "missing"])
def test_out_of_scope_is_not_among_your_results(world, which):
    """Another brand's contact, an unreleased one and one that does not exist are refused alike,
    naming neither the brand nor whether the contact exists."""
    contact_id = 999_999 if which == "missing" else world[which].id
    with pytest.raises(PermissionDenied) as refusal:
        _open(world, contact_id=contact_id)
    assert str(refusal.value) == f"Contact {contact_id} is not among your results."
    assert "Brand B" not in str(refusal.value)


@pytest.mark.parametrize("reason", ["", "   "])
def test_reason_required(world, reason):
    """An appeal needs a reason."""
    with pytest.raises(ValidationError, match="reason: is required"):
        _open(world, reason=reason)


def test_criterion_must_be_answered_item(world):
    """An item that is not one of the contact's answered items is refused, naming the allowed ones."""
    with pytest.raises(ValidationError, match="choose one of C1, C2, C3"):
        with write_scope(world["engine"]) as s:
            open_appeal(session=s, actor=world["client"], contact_id=world["contact"].id, criterion_id=987654,
                        reason="x", now=IN_WINDOW)


def test_one_open_appeal_per_item(world):
    """A second appeal of the same item waits for the first one's decision; another item is fine."""
    first = _open(world)
    with pytest.raises(ValidationError, match="already has an open appeal"):
        _open(world)
    _open(world, criterion_index=0)
    _decide(world, first.id, upheld=False, decision="The recording shows no greeting")
    assert _open(world).status == "open"  # decided: the item may be appealed again


@pytest.mark.parametrize("role", ["reviewer", "manager", "auditor"])
def test_only_clients_open_appeals(world, role):
    """Agency staff and auditors cannot open an appeal."""
    with pytest.raises(PermissionDenied, match="appeal results"):
        with write_scope(world["engine"]) as s:
            open_appeal(session=s, actor=world[role], contact_id=world["contact"].id,
                        criterion_id=world["criteria"][0].id, reason="x", now=IN_WINDOW)


def test_query_and_answer(world):
    """A reviewer's question makes the appeal wait for the client; the client's answer opens it again."""
    appeal = _open(world)
    with write_scope(world["engine"]) as s:
        assert query_client(session=s, actor=world["reviewer"], appeal_id=appeal.id,
                            question="Which minute of the recording?").status == "waiting"
    with pytest.raises(ValidationError, match="is waiting for the client, not open"):
        with write_scope(world["engine"]) as s:
            query_client(session=s, actor=world["reviewer"], appeal_id=appeal.id, question="Again?")
    with pytest.raises(PermissionDenied):
        with write_scope(world["engine"]) as s:
            answer_query(session=s, actor=world["reviewer"], appeal_id=appeal.id, answer="me")
    with write_scope(world["engine"]) as s:
        assert answer_query(session=s, actor=world["client"], appeal_id=appeal.id,
                            answer="Minute 2").status == "open"
    with pytest.raises(ValidationError, match="answer: is required"):
        with write_scope(world["engine"]) as s:
            query_client(session=s, actor=world["reviewer"], appeal_id=appeal.id, question="More?")
            answer_query(session=s, actor=world["client"], appeal_id=appeal.id, answer=" ")
    assert _events(world, appeal.id) == ["appealed", "queried", "answered"]


def test_upheld_rescores_as_a_full_recomputation(world):
    """Upholding changes the answer, logs old → new and the score, keeps the scores on the appeal,
    and the score after equals the contact's score computed afresh from the database."""
    engine = world["engine"]
    before = _full_score(engine, world["contact"].id)
    appeal = _open(world)
    decided = _decide(world, appeal.id, upheld=True, decision="The recording shows a greeting", new_value=1)
    after = _full_score(engine, world["contact"].id)
    assert before == pytest.approx(200 / 3) and after == pytest.approx(100.0)
    assert (decided.status, decided.score_before, decided.score_after) == ("upheld", pytest.approx(before), after)
    with read_scope(engine) as s:
        answer = s.get(Answer, (world["contact"].id, world["criteria"][1].id))
        assert (answer.value, answer.is_na) == (1.0, False)
        log = {(c.field, c.old_value, c.new_value) for c in s.exec(
            select(ChangeLog).where(ChangeLog.entity == "contact", ChangeLog.entity_id == world["contact"].id))}
    assert ("item:C2", "0", "1") in log and ("final_score", "66.7", "100.0") in log
    assert _events(world, appeal.id) == ["appealed", "upheld"]


def test_upheld_to_na(world):
    """An answer can become N/A on appeal: the item leaves the score."""
    appeal = _open(world)
    decided = _decide(world, appeal.id, upheld=True, decision="Not applicable here", is_na=True)
    assert decided.score_after == pytest.approx(100.0) == _full_score(world["engine"], world["contact"].id)


def test_upheld_timing(world):
    """An upheld timing appeal changes the timings (logged); the quality score stays."""
    appeal = _open(world, criterion_index=None, reason="They replied at 10:30")
    new_first = world["contact"].started_at + timedelta(minutes=30)
    decided = _decide(world, appeal.id, upheld=True, decision="Their log shows 10:30",
                      timing={"first_response_at": new_first})
    assert decided.score_before == decided.score_after
    with read_scope(world["engine"]) as s:
        assert s.get(Contact, world["contact"].id).first_response_at == new_first
        assert s.exec(select(ChangeLog.field).where(ChangeLog.entity_id == world["contact"].id,
                                                    ChangeLog.field == "first_response_at")).one()


@pytest.mark.parametrize("kwargs, message", [
    (dict(new_value=None), "is required to uphold"),
    (dict(new_value=0), "is the answer already given"),
    (dict(new_value=5), "must be yes \\(1\\) or no \\(0\\)"),
])
def test_upheld_needs_a_valid_change(world, kwargs, message):
    """Upholding without a new answer, with the same one or with one the item does not allow is refused."""
    appeal = _open(world)
    with pytest.raises(ValidationError, match=message):
        _decide(world, appeal.id, upheld=True, decision="ok", **kwargs)


def test_upheld_timing_checks_the_rules(world):
    """A timing change is checked as the logging forms check it (not before the start, a known field)."""
    appeal = _open(world, criterion_index=None)
    with pytest.raises(ValidationError, match="before the start"):
        _decide(world, appeal.id, upheld=True, decision="ok",
                timing={"first_response_at": world["contact"].started_at - timedelta(hours=1)})
    with pytest.raises(ValidationError, match="cannot be changed on appeal"):
        _decide(world, appeal.id, upheld=True, decision="ok", timing={"started_at": world["contact"].started_at})


def test_rejected_keeps_the_answer(world):
    """A rejected appeal changes nothing but itself and records the reason in the trail."""
    appeal = _open(world)
    decided = _decide(world, appeal.id, upheld=False, decision="The recording shows no greeting")
    assert (decided.status, decided.decision, decided.score_after) == ("rejected", "The recording shows no greeting",
                                                                       None)
    with read_scope(world["engine"]) as s:
        assert s.get(Answer, (world["contact"].id, world["criteria"][1].id)).value == 0.0
        event = s.exec(select(ReviewEvent).where(ReviewEvent.appeal_id == appeal.id,
                                                 ReviewEvent.action == "rejected")).one()
    assert event.comment == "The recording shows no greeting"


def test_decision_reason_required_and_final(world):
    """A decision needs a reason; a decided appeal cannot be decided (or queried) again."""
    appeal = _open(world)
    with pytest.raises(ValidationError, match="decision: is required"):
        _decide(world, appeal.id, upheld=False, decision="")
    _decide(world, appeal.id, upheld=True, decision="Agreed", new_value=1)
    for kwargs in (dict(upheld=False, decision="changed my mind"), dict(upheld=True, decision="x", new_value=0)):
        with pytest.raises(ValidationError, match="is decided .* and final"):
            _decide(world, appeal.id, **kwargs)
    with pytest.raises(ValidationError, match="final"):
        with write_scope(world["engine"]) as s:
            query_client(session=s, actor=world["reviewer"], appeal_id=appeal.id, question="?")


@pytest.mark.parametrize("role", ["client", "auditor"])
def test_only_reviewers_decide(world, role):
    """A client or an auditor cannot decide or query an appeal."""
    appeal = _open(world)
    with pytest.raises(PermissionDenied):
        _decide(world, appeal.id, actor=world[role], upheld=True, decision="mine", new_value=1)
    with pytest.raises(PermissionDenied):
        with write_scope(world["engine"]) as s:
            query_client(session=s, actor=world[role], appeal_id=appeal.id, question="?")


def test_a_manager_decides_too(world):
    """Managers are reviewers for appeals."""
    appeal = _open(world)
    assert _decide(world, appeal.id, actor=world["manager"], upheld=False, decision="No").status == "rejected"


def test_reading_scope(world):
    """A client lists only its own results' appeals; the agency lists all, filtered by status and brand;
    a client's history names the agency, not the reviewer."""
    mine = _open(world)
    with write_scope(world["engine"]) as s:  # an appeal of brand B, as if by brand B's client (made directly)
        s.add(Appeal(contact_id=world["other"].id, criterion_id=world["criteria"][0].id, reason="B's", status="open"))
    _decide(world, mine.id, upheld=False, decision="No")
    with read_scope(world["engine"]) as s:
        assert [a.id for a in appeals_of(session=s, actor=world["client"])] == [mine.id]
        assert len(appeals_of(session=s, actor=world["reviewer"])) == 2
        assert [a.brand for a in appeals_of(session=s, actor=world["reviewer"], statuses=("open",))] == ["Brand B"]
        assert [a.brand for a in appeals_of(session=s, actor=world["reviewer"], brands=("Koopklik",))] == ["Koopklik"]
        assert appeals_of(session=s, actor=world["reviewer"], waves=("nope",)) == []
        other_id = appeals_of(session=s, actor=world["reviewer"], brands=("Brand B",))[0].id
        with pytest.raises(NotFoundError, match="not among your appeals"):
            appeal_history(session=s, actor=world["client"], appeal_id=other_id)
        history = appeal_history(session=s, actor=world["client"], appeal_id=mine.id)
        assert [(h.action, h.by) for h in history] == [("appealed", "client_a"), ("rejected", "the agency")]
        assert [h.by for h in appeal_history(session=s, actor=world["reviewer"], appeal_id=mine.id)] == [
            "client_a", "reviewer1"]
        with pytest.raises(PermissionDenied):
            appeals_of(session=s, actor=world["auditor"])
    with pytest.raises(NotFoundError, match="not among your appeals"):
        with write_scope(world["engine"]) as s:
            answer_query(session=s, actor=world["client"], appeal_id=other_id, answer="x")


def test_changed_on_appeal_counts(world):
    """The per-contact counts: appeals opened, answers and timings changed (upheld), within scope."""
    first = _open(world)
    _open(world, criterion_index=None)
    _decide(world, first.id, upheld=True, decision="Agreed", new_value=1)
    with write_scope(world["engine"]) as s:
        s.add(Appeal(contact_id=world["other"].id, criterion_id=world["criteria"][0].id, reason="B's",
                     status="upheld"))
    with read_scope(world["engine"]) as s:
        client = changed_on_appeal(session=s, actor=world["client"])
        agency = changed_on_appeal(session=s, actor=world["reviewer"])
    assert client.to_dict("records") == [dict(contact_id=world["contact"].id, appeals=2, answers_changed=1,
                                              timings_changed=0)]
    assert sorted(agency["contact_id"]) == sorted([world["contact"].id, world["other"].id])
