"""The review workflow on its pages (AppTest): the reviewer's queue and its buttons, the
auditor's "Submit for review" and the returned contacts with the reviewer's comment."""

from datetime import timedelta

import pytest
from sqlmodel import select

from data import db
from data.db import read_scope, session_scope
from journeys.accounts.users import create_user
from journeys.models import Answer, Contact, Criterion
from journeys.review.trail import events_of
from journeys.review.workflow import return_contact, submit_contact
from tests.apptest import open_page
from tests.factories import T0, make_contact, make_world
from ui.contact_forms import OPEN_KEY
from ui.session import SignedInUser


@pytest.fixture
def world(app_env):
    engine = db.get_engine(app_env)
    with session_scope(engine) as session:
        w = make_world(session)
        reviewer = create_user(session=session, username="rev", role="reviewer", password="reviewer-pass",
                               display_name="Rita Reviewer")
        criteria = session.exec(select(Criterion.id).where(Criterion.version_id == w["version"].id)
                                .order_by(Criterion.position)).all()
        ids = []
        for i in range(3):  # finished, being logged
            contact = make_contact(w, review_status="open", released_at=None, started_at=T0 + timedelta(hours=i))
            session.add(contact)
            session.flush()
            session.add_all([Answer(contact_id=contact.id, criterion_id=c, value=1.0) for c in criteria])
            ids.append(contact.id)
        auditor = SignedInUser(w["auditor"].id, "auditor1", "", "auditor")
        rev = SignedInUser(reviewer.id, "rev", "Rita Reviewer", "reviewer")
    return {"engine": engine, "auditor": auditor, "reviewer": rev, "contacts": ids}


def _submit(world, *ids, at=T0 + timedelta(days=1)):
    with session_scope(world["engine"]) as session:
        for i, contact_id in enumerate(ids):
            submit_contact(session=session, actor=world["auditor"], contact_id=contact_id,
                           now=at + timedelta(minutes=i))


def _plain(text: str) -> str:
    """Shown text without the escapes that keep it literal (``ui.text.as_plain_text``)."""
    return text.replace("\\", "")


def _status(world, contact_id):
    with read_scope(world["engine"]) as session:
        return session.get(Contact, contact_id).review_status


def test_the_queue_is_oldest_submission_first_and_approve_works(world):
    """Two submitted contacts, the one submitted first at the top; Approve approves the chosen one."""
    first, second, _open = world["contacts"]
    _submit(world, second, first)  # second submitted before first
    at = open_page("review_queue", world["reviewer"])
    assert any("Waiting for review (2)" in _plain(s.value) for s in at.subheader), [s.value for s in at.subheader]
    table = at.dataframe[0].value
    assert table["contact"].tolist() == [second, first]
    assert at.selectbox(key="rq_contact").value == second
    at.button(key=f"FormSubmitter:rq_approve_{second}-Approve").click().run()
    assert not at.exception, at.exception
    assert _status(world, second) == "approved"
    assert any(f"Contact {second} approved" in _plain(s.value) for s in at.success)
    assert at.dataframe[0].value["contact"].tolist() == [first]


def test_return_needs_a_comment_and_then_reaches_the_auditor(world):
    """Return without a comment is refused on the page; with one the auditor sees it on My contacts
    and My assignments, and can revise and resubmit from Log contact."""
    contact_id = world["contacts"][0]
    _submit(world, contact_id)
    at = open_page("review_queue", world["reviewer"])
    at.button(key=f"FormSubmitter:rq_return_{contact_id}-Return to the auditor").click().run()
    assert any("comment: is required" in _plain(e.value) for e in at.error), [e.value for e in at.error]
    assert _status(world, contact_id) == "submitted"
    at.text_area(key=f"rq_return_comment_{contact_id}").set_value("Attach the **screenshot** please")
    at.button(key=f"FormSubmitter:rq_return_{contact_id}-Return to the auditor").click().run()
    assert _status(world, contact_id) == "returned"
    assert any("Nothing waiting for review" in _plain(i.value) for i in at.info)

    mine = open_page("contacts_mine", world["auditor"])
    assert any("Returned for revision (1)" in _plain(s.value) for s in mine.subheader)
    assert "Attach the **screenshot** please" in [t.value for t in mine.text]  # the comment as plain text
    work = open_page("assignments_mine", world["auditor"])
    assert "Attach the **screenshot** please" in [t.value for t in work.text]

    log = open_page("contact_log", world["auditor"], **{OPEN_KEY: contact_id})
    assert any("Review: Returned for revision" in _plain(c.value) for c in log.caption)
    assert any("Returned for revision by Rita Reviewer" in _plain(w.value) for w in log.warning)
    log.button(key="log_submit_go").click().run()
    assert not log.exception, log.exception
    assert _status(world, contact_id) == "submitted"
    assert any("Submitted for review" in _plain(s.value) for s in log.success)


def test_my_contacts_submits_a_finished_contact(world):
    """A finished open contact is listed under "Ready to submit" and its button submits it."""
    contact_id = world["contacts"][2]
    at = open_page("contacts_mine", world["auditor"])
    assert any("Ready to submit for review (3)" in _plain(s.value) for s in at.subheader), [s.value for s in at.subheader]
    at.button(key=f"submit_{contact_id}").click().run()
    assert not at.exception, at.exception
    assert _status(world, contact_id) == "submitted"
    assert any("Ready to submit for review (2)" in _plain(s.value) for s in at.subheader)


def test_a_correction_from_the_review_page_needs_a_reason(world):
    """"Correct the answer" without a reason is refused; with one the answer changes and the trail says why."""
    contact_id = world["contacts"][0]
    _submit(world, contact_id)
    at = open_page("review_queue", world["reviewer"])
    at.get("button_group")[0].set_value(0)  # the first item's new answer: No
    at.button(key=f"FormSubmitter:rq_answer_{contact_id}-Correct the answer").click().run()
    assert any("reason: is required" in _plain(e.value) for e in at.error), [e.value for e in at.error]
    at.get("button_group")[0].set_value(0)
    at.text_input(key=f"rq_answer_reason_{contact_id}").set_value("no greeting on the recording")
    at.button(key=f"FormSubmitter:rq_answer_{contact_id}-Correct the answer").click().run()
    assert not at.exception, at.exception
    with read_scope(world["engine"]) as session:
        assert [(e.action, e.comment) for e in events_of(session, contact_id)][-1] == (
            "corrected", "no greeting on the recording")
        values = sorted(a.value for a in session.exec(select(Answer).where(Answer.contact_id == contact_id)))
        assert values == [0.0, 1.0, 1.0]
    trail = next(d.value for d in at.dataframe if "step" in d.value.columns)
    assert trail["step"].tolist() == ["Submitted for review", "Corrected by a reviewer"]
    assert trail["who"].tolist() == ["auditor1", "Rita Reviewer"]


def test_the_review_page_is_for_reviewers_only(world):
    """An auditor opening the Review page is refused (the page guard reads the same role set)."""
    at = open_page("review_queue", world["auditor"])
    assert not at.dataframe and not at.button


def test_the_contact_shows_its_trail(world):
    """The contact detail shows every step with who and when, and the comment as typed."""
    contact_id = world["contacts"][0]
    _submit(world, contact_id)
    with session_scope(world["engine"]) as session:
        return_contact(session=session, actor=world["reviewer"], contact_id=contact_id, comment="=1+1 [x](http://e)")
    at = open_page("contact_log", world["auditor"], **{OPEN_KEY: contact_id})
    at.toggle(key="log_show_saved").set_value(True).run()
    trail = next(d.value for d in at.dataframe if "step" in d.value.columns)
    assert trail["step"].tolist() == ["Submitted for review", "Returned for revision"]
    assert trail["comment"].tolist() == ["", "=1+1 [x](http://e)"]
    assert any("Audit trail (2 steps)" in _plain(m.value) for m in at.markdown)


def test_a_timing_correction_from_the_review_page(world):
    """"Correct the timing" sets the wait seconds with a reason; the trail says why."""
    contact_id = world["contacts"][0]
    _submit(world, contact_id)
    at = open_page("review_queue", world["reviewer"])
    at.selectbox(key=f"rq_timing_field_{contact_id}").set_value("wait_seconds")
    at.number_input(key=f"rq_timing_number_{contact_id}").set_value(42)
    at.text_input(key=f"rq_timing_reason_{contact_id}").set_value("the call log says 42 s")
    at.button(key=f"FormSubmitter:rq_timing_{contact_id}-Correct the timing").click().run()
    assert not at.exception, at.exception
    assert not at.error, [e.value for e in at.error]
    with read_scope(world["engine"]) as session:
        assert session.get(Contact, contact_id).wait_seconds == 42
        assert events_of(session, contact_id)[-1].comment == "the call log says 42 s"


def test_log_contact_shows_a_contact_in_review_read_only(world):
    """A submitted contact opens read-only on Log contact: no save, no stopwatch, no submit; its trail shown."""
    contact_id = world["contacts"][0]
    _submit(world, contact_id)
    at = open_page("contact_log", world["auditor"], **{OPEN_KEY: contact_id})
    keys = {b.key for b in at.button}
    assert not keys & {"a_save", "a_save_draft", "log_submit_go", "evidence_attach"}, keys
    assert any("can no longer be changed here" in _plain(i.value) for i in at.info)
    assert any("Audit trail (1 step)" in _plain(m.value) for m in at.markdown)


def test_the_trail_download_is_formula_safe(world):
    """The contact page's trail CSV: a comment starting with = gets a leading quote."""
    from journeys.review.workflow import trail_frame
    from ui.contact_detail import trail_table
    from ui.downloads import csv_bytes

    contact_id = world["contacts"][0]
    _submit(world, contact_id)
    with session_scope(world["engine"]) as session:
        return_contact(session=session, actor=world["reviewer"], contact_id=contact_id, comment="=1+1")
    with read_scope(world["engine"]) as session:
        trail = trail_frame(session=session, actor=world["auditor"], contact_ids=[contact_id])
    text = csv_bytes(trail_table(trail)).decode("utf-8-sig")
    assert text.splitlines()[0] == "when,who,step,comment"
    assert text.splitlines()[2].endswith(",Rita Reviewer,Returned for revision,'=1+1")
