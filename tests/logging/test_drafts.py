"""Draft assessments and typed input that survives (issue 13, items 5 and 16).

An auditor can save an unfinished assessment as a draft: it is kept and shown as
"Draft, 1 of 3 items answered", never scored or counted (frames, dashboards, reports, exports,
counts) until it is saved complete. What is typed and not saved is autosaved server-side per
contact and user, so a reload or a page switch shows it again. A checklist answered N/A
throughout says "Not scored: every item N/A", never "Score nan".
"""

from datetime import UTC, datetime, timedelta

import pytest
from sqlmodel import select

from data import db
from data.db import read_scope, write_scope
from journeys.accounts.users import create_user
from journeys.fieldwork.contacts import (
    AnswerIn,
    ContactStart,
    my_contacts,
    my_drafts,
    pending_input,
    save_contact,
    start_contact,
)
from journeys.fieldwork.frames import ContactFilter, read_contacts
from journeys.fieldwork.overview import installation_summary
from journeys.interchange.exports import export_rows
from journeys.models import Answer, Contact, Criterion, PendingInput
from tests.apptest import app_test, open_page
from tests.factories import make_world
from ui.session import USER_KEY, SignedInUser


def _world(engine):
    """auditor1 with an e-mail contact sent two hours ago; returns (auditor, contact id, criterion ids)."""
    with write_scope(engine) as session:
        world = make_world(session)
        auditor = SignedInUser(world["auditor"].id, "auditor1", "Auditor One", "auditor")
        contact = start_contact(session=session, actor=auditor, start=ContactStart(
            journey_id=world["journey"].id, brand_id=world["brand"].id, channel_id=world["channels"]["email"].id,
            started_at=datetime.now(UTC) - timedelta(hours=2)))
        criteria = session.exec(select(Criterion.id).where(Criterion.version_id == world["version"].id)
                                .order_by(Criterion.position)).all()
        manager = create_user(session=session, username="manager1", role="manager", password="manager1-pass")
        return auditor, contact.id, list(criteria), SignedInUser(manager.id, "manager1", "Manager", "manager")


def _counted(engine, contact_id: int) -> dict[str, bool]:
    """Where the contact shows up: each frame, export and count a draft must stay out of — even
    the agency's view that includes contacts not yet released (the contact here is still open)."""
    agency = ContactFilter(include_unreleased=True)
    with engine.connect() as connection:
        _, rows, _ = export_rows(connection, agency)
        exported = len(list(rows))
    with read_scope(engine) as session:
        summary = installation_summary(session=session)
    return {
        "frame": contact_id in set(read_contacts(engine, agency)["contact_id"]),
        "export": exported == 1,
        "count": summary["counts"]["Contacts"] == 1,
    }


def test_a_draft_is_kept_but_never_counted_until_completed(engine):
    """A draft keeps its answers, is listed as the auditor's draft, and is left out of every frame,
    export and count; completing it brings it in."""
    auditor, contact_id, criteria, _ = _world(engine)
    assert _counted(engine, contact_id) == {"frame": True, "export": True, "count": True}
    with write_scope(engine) as session:
        save_contact(session=session, actor=auditor, contact_id=contact_id, draft=True,
                     answers=[AnswerIn(criteria[0], 1.0)], changes={"notes": "half done"})
    with read_scope(engine) as session:
        assert session.get(Contact, contact_id).is_draft
        assert session.get(Contact, contact_id).notes == "half done"
        assert my_drafts(session=session, actor=auditor) == {contact_id: (1, 3)}
    assert _counted(engine, contact_id) == {"frame": False, "export": False, "count": False}
    mine = my_contacts(engine=engine, actor=auditor)
    assert mine.set_index("contact_id").loc[contact_id, "draft"]

    with write_scope(engine) as session:
        save_contact(session=session, actor=auditor, contact_id=contact_id, complete=True,
                     answers=[AnswerIn(criteria[1], 0.0), AnswerIn(criteria[2], None, True)])
    with read_scope(engine) as session:
        assert not session.get(Contact, contact_id).is_draft
        assert my_drafts(session=session, actor=auditor) == {}
    assert _counted(engine, contact_id) == {"frame": True, "export": True, "count": True}


@pytest.fixture
def logged(app_env):
    engine = db.get_engine(app_env)
    return (engine, *_world(engine))


def test_save_draft_from_the_page_and_find_it_in_my_contacts(logged):
    """"Save draft" with one of three items answered saves it as a draft; My contacts and the
    contact page say "Draft, 1 of 3 items answered"; the dashboard does not count it."""
    engine, auditor, contact_id, criteria, manager = logged
    at = open_page("contact_log", auditor, log_contact_id=contact_id)
    at.get("button_group")[0].set_value("Yes").run()
    at.text_area(key="a_notes").set_value("to finish tomorrow").run()
    at.button(key="a_save_draft").click().run()
    assert not at.exception, at.exception
    assert any("Draft, 1 of 3 items answered" in s.value for s in at.success), [e.value for e in at.error]
    with read_scope(engine) as session:
        contact = session.get(Contact, contact_id)
        assert contact.is_draft and contact.notes == "to finish tomorrow"
        assert session.get(PendingInput, (contact_id, auditor.id)) is None  # saved: nothing pending
    assert any("Draft, 1 of 3 items answered" in i.value for i in at.info)

    mine = open_page("contacts_mine", auditor)
    assert "Drafts (1)" in [s.value for s in mine.subheader]
    assert any("Draft, 1 of 3 items answered" in c.value for c in mine.caption)

    dashboard = open_page("dashboard", manager)
    assert not dashboard.exception
    assert contact_id not in set(read_contacts(engine, ContactFilter())["contact_id"])


def test_typed_values_survive_a_reload_and_a_page_switch(logged):
    """Typed but unsaved answers and notes come back in a new browser session (a reload) and
    after visiting another page; saving discards the pending copy."""
    engine, auditor, contact_id, criteria, _ = logged
    first = open_page("contact_log", auditor, log_contact_id=contact_id)
    first.get("button_group")[1].set_value("No").run()
    first.text_area(key="a_notes").set_value("the agent hung up").run()
    first.text_input(key=f"a_n{criteria[0]}").set_value("polite greeting").run()
    assert not first.exception
    with read_scope(engine) as session:
        kept = pending_input(session=session, actor=auditor, contact_id=contact_id)
    assert kept is not None and kept[0]["fields"]["notes"] == "the agent hung up"

    reloaded = open_page("contact_log", auditor, log_contact_id=contact_id)  # a new session: session_state is gone
    assert reloaded.text_area(key="a_notes").value == "the agent hung up"
    assert reloaded.text_input(key=f"a_n{criteria[0]}").value == "polite greeting"
    assert [g.value for g in reloaded.get("button_group") if g.key == f"a_c{criteria[1]}"] == ["No"]
    assert any("Restored what you typed" in c.value for c in reloaded.caption)

    # a page switch inside the app: Streamlit drops the widgets' state of the page left behind
    app = app_test()
    app.session_state[USER_KEY] = auditor
    app.session_state["log_contact_id"] = contact_id
    app.run()
    app.switch_page("pages/contact_log.py").run()
    app.text_area(key="a_notes").set_value("the agent hung up twice").run()
    app.switch_page("pages/contacts_mine.py").run()
    assert not app.exception and "My contacts" in [t.value for t in app.title]
    app.switch_page("pages/contact_log.py").run()
    assert not app.exception
    assert app.text_area(key="a_notes").value == "the agent hung up twice"

    with read_scope(engine) as session:  # nothing of it is saved on the contact yet
        assert session.get(Contact, contact_id).notes == ""
        assert session.exec(select(Answer).where(Answer.contact_id == contact_id)).all() == []


def test_every_item_na_says_not_scored(logged):
    """Saving an assessment with every item N/A says "Not scored: every item N/A", never nan."""
    engine, auditor, contact_id, criteria, _ = logged
    at = open_page("contact_log", auditor, log_contact_id=contact_id, log_show_saved=True)
    for control in at.get("button_group"):
        if control.key.startswith("a_c"):
            control.set_value("N/A")
    at.button(key="a_save").click().run()
    assert not at.exception
    notices = [s.value for s in at.success]
    assert any("Assessment saved. Not scored: every item N/A" in n for n in notices), notices
    assert not any("nan" in n for n in notices)
    assert any("Not scored: every item N/A" in c.value for c in at.caption)
