"""The My assignments page: one card per planned contact in sections with counts, one tap from
Start to the stopwatch on Log contact, Continue for a started one, hand back with a reason."""

from datetime import timedelta

import pytest
from sqlmodel import select

from data import db
from data.db import session_scope
from journeys.accounts.users import create_user
from journeys.catalogue.reference import get_or_create_location
from journeys.fieldwork.contacts import ContactStart, start_contact
from journeys.fieldwork.planned import local_today
from journeys.fieldwork.worklist import start_assignment
from journeys.models import Assignment, ChangeLog, Contact, Location, PlanLine, User, Wave
from tests.apptest import app_test, as_user, open_page
from tests.factories import make_plan_line, make_world
from tests.shown import shown
from ui.contact_forms import OPEN_KEY
from ui.session import LANGUAGE_KEY, SignedInUser


@pytest.fixture
def work(app_env):
    """auditor1 holds an overdue phone contact at a store and two e-mails due in a week; auditor2 one
    e-mail. Returns (url, auditor1, assignment ids by name)."""
    engine = db.get_engine(app_env)
    today = local_today()
    with session_scope(engine) as session:
        world = make_world(session)
        store = get_or_create_location(session=session, brand=world["brand"], name="Utrecht Centraal")
        other = create_user(session=session, username="auditor2", role="auditor", password="auditor2-pass")
        make_plan_line(session, world, channel="phone", quantity=1, location=store, time_slot="after_hours",
                       due_on=today - timedelta(days=2), auditor=world["auditor"])
        make_plan_line(session, world, channel="email", quantity=2, due_on=today + timedelta(days=7),
                       auditor=world["auditor"])
        make_plan_line(session, world, channel="twitter", quantity=1, due_on=today, auditor=other)
        rows = session.exec(select(Assignment).order_by(Assignment.id)).all()
        ids = {"phone": rows[0].id, "email": rows[1].id, "email2": rows[2].id, "other": rows[3].id}
        auditor = SignedInUser(world["auditor"].id, "auditor1", "Auditor One", "auditor")
    return app_env, auditor, ids


def _assignment(url, assignment_id) -> Assignment:
    with session_scope(db.get_engine(url)) as session:
        return session.get(Assignment, assignment_id)


def test_cards_in_sections_with_counts(work):
    """Overdue first, then To do, each with its count; a card says where, what, when and its state."""
    url, auditor, ids = work
    at = open_page("assignments_mine", auditor)
    assert [s.value for s in at.subheader] == ["Overdue (1)", "To do (2)"]
    assert [s.value for s in at.title] == ["My assignments"]
    markdown = [shown(m.value) for m in at.markdown]
    assert markdown == ["**Koopklik · Utrecht Centraal**", "**Koopklik**", "**Koopklik**"]
    captions = [shown(c.value) for c in at.caption]
    assert "Ask about a delivery · Phone · After hours · 2 days overdue · Overdue" in captions, captions
    week = local_today() + timedelta(days=7)
    assert any(c.startswith("Ask about a delivery · E-mail · Any time · due ") and c.endswith(" · To do")
               and str(week.day) in c for c in captions), captions
    assert at.button(key=f"start_{ids['phone']}").label == "Start"
    assert not any(b.key == f"start_{ids['other']}" for b in at.button)  # another auditor's is not listed


def test_no_assignments_says_so(work):
    """An auditor with nothing planned reads where assignments will appear."""
    url, auditor, ids = work
    with session_scope(db.get_engine(url)) as session:
        lone = create_user(session=session, username="auditor3", role="auditor", password="auditor3-pass")
        lone = SignedInUser(lone.id, "auditor3", "", "auditor")
    at = open_page("assignments_mine", lone)
    assert [shown(i.value) for i in at.info] == ["No assignments: contacts you are given appear here."]


def test_start_opens_the_stopwatch_with_the_new_contact(work):
    """One tap on Start: the contact is made from the plan and Log contact shows its stopwatch."""
    url, auditor, ids = work
    at = as_user(app_test(), auditor).switch_page("pages/assignments_mine.py").run()
    assert not at.exception
    at.button(key=f"start_{ids['phone']}").click().run()
    assert not at.exception, at.exception
    contact_id = _assignment(url, ids["phone"]).contact_id
    assert contact_id is not None
    assert at.session_state[OPEN_KEY] == contact_id
    assert [shown(t.value) for t in at.title] == ["Phone · Koopklik"]
    assert any(m.label == "Waiting" for m in at.metric), [m.label for m in at.metric]
    # back on the work list, the same planned contact continues the same contact
    at.switch_page("pages/assignments_mine.py").run()
    assert at.button(key=f"start_{ids['phone']}").label == "Continue"
    at.button(key=f"start_{ids['phone']}").click().run()
    assert at.session_state[OPEN_KEY] == contact_id
    with session_scope(db.get_engine(url)) as session:
        assert len(session.exec(select(Contact)).all()) == 1


def test_hand_back_with_a_reason(work):
    """Hand back needs a reason; with one, the card leaves the list and the change log keeps why."""
    url, auditor, ids = work
    at = open_page("assignments_mine", auditor)
    at.button(key=f"hand_back_go_{ids['email']}").click().run()
    assert any("reason: is required" in shown(e.value) for e in at.error), [e.value for e in at.error]
    assert _assignment(url, ids["email"]).auditor_id == auditor.id
    at.text_area(key=f"reason_{ids['email']}").input("No **car** that week")
    at.button(key=f"hand_back_go_{ids['email']}").click().run()
    assert not at.exception
    assert any("Handed back" in shown(s.value) for s in at.success)
    assert _assignment(url, ids["email"]).auditor_id is None
    assert [s.value for s in at.subheader] == ["Overdue (1)", "To do (1)"]
    with session_scope(db.get_engine(url)) as session:
        [entry] = session.exec(select(ChangeLog).where(ChangeLog.entity == "assignment")).all()
        assert entry.new_value == "No **car** that week"


def test_a_started_one_cannot_be_handed_back_from_the_page(work):
    """A started card has Continue and no hand back."""
    url, auditor, ids = work
    at = as_user(app_test(), auditor).switch_page("pages/assignments_mine.py").run()
    at.button(key=f"start_{ids['email']}").click().run()
    at.switch_page("pages/assignments_mine.py").run()
    assert [s.value for s in at.subheader] == ["Overdue (1)", "To do (1)", "Started (1)"]
    assert not any(b.key == f"hand_back_go_{ids['email']}" for b in at.button)
    assert any(b.key == f"hand_back_go_{ids['email2']}" for b in at.button)


def test_my_contacts_links_to_the_work_list_and_marks_planned_and_ad_hoc(work):
    """My contacts says how many planned contacts wait (a link to My assignments) and marks each
    contact as planned (with its wave) or ad hoc."""
    url, auditor, ids = work
    with session_scope(db.get_engine(url)) as session:
        planned = start_assignment(session=session, actor=auditor, assignment_id=ids["email"]).id
        ad_hoc = start_contact(session=session, actor=auditor, start=ContactStart(
            journey_id=session.get(Contact, planned).journey_id, brand_id=session.get(Contact, planned).brand_id,
            channel_id=session.get(Contact, planned).channel_id)).id
    at = as_user(app_test(), auditor).switch_page("pages/contacts_mine.py").run()
    assert not at.exception, at.exception
    links = [el for el in at.get("page_link")]
    assert any(shown(link.proto.label) == "3 assignments to do, 1 overdue → My assignments" for link in links), [
        link.proto.label for link in links]
    captions = [shown(c.value) for c in at.caption]
    assert any(c.endswith("· Ad hoc (outside the plan)") for c in captions), captions
    planned_card = [c for c in captions if c.endswith("· Planned: 2026-Q1")]
    assert len(planned_card) == 1 and "waiting" in planned_card[0], captions  # started: waiting for the reply
    assert ad_hoc != planned


def test_no_link_without_assignments(work):
    """An auditor with no open planned contact sees no work-list line on My contacts."""
    url, auditor, ids = work
    with session_scope(db.get_engine(url)) as session:
        lone = create_user(session=session, username="auditor3", role="auditor", password="auditor3-pass")
        lone = SignedInUser(lone.id, "auditor3", "", "auditor")
    at = as_user(app_test(), lone).switch_page("pages/contacts_mine.py").run()
    assert not any("My assignments" in shown(link.proto.label) for link in at.get("page_link"))


def test_the_saved_contact_says_it_was_planned(work):
    """The contact's detail (shown on Log contact) names the wave whose plan it was made for."""
    url, auditor, ids = work
    with session_scope(db.get_engine(url)) as session:
        contact_id = start_assignment(session=session, actor=auditor, assignment_id=ids["phone"]).id
    at = open_page("contact_log", auditor, **{OPEN_KEY: contact_id, "log_show_saved": True})
    assert any(shown(c.value).endswith("auditor auditor1 · Planned: 2026-Q1 · Being logged") for c in at.caption), [
        shown(c.value) for c in at.caption]


def test_work_list_and_plan_marks_show_names_literally(app_env, monkeypatch):
    """Brand, location, journey, channel and wave named by Markdown payloads stay text on the work
    list and in My contacts' plan marks."""
    from tests import poison
    from tests.auth.test_markdown_injection import assert_no_leaks

    engine = db.get_engine(app_env)
    ids = poison.poisoned_world(engine)
    with session_scope(engine) as session:
        wave = session.exec(select(Wave).where(Wave.name == poison.WAVE)).one()
        location = session.exec(select(Location).where(Location.name == poison.LOCATION)).one()
        contact = session.get(Contact, ids["contact"])
        line = PlanLine(wave_id=wave.id, brand_id=location.brand_id, location_id=location.id,
                        journey_id=contact.journey_id, channel_id=contact.channel_id, quantity=2)
        session.add(line)
        session.flush()
        session.add_all([Assignment(plan_line_id=line.id, wave_id=wave.id, auditor_id=ids["auditor"]),
                         Assignment(plan_line_id=line.id, wave_id=wave.id, auditor_id=ids["auditor"],
                                    contact_id=contact.id)])
        user = session.get(User, ids["auditor"])
        auditor = SignedInUser(user.id, user.username, user.display_name, user.role)
    for page in ("assignments_mine", "contacts_mine"):
        at = open_page(page, auditor)
        assert assert_no_leaks(at), f"{page} showed no payload: the test would prove nothing"


def test_the_work_list_reads_dutch(work):
    """With Dutch chosen in the menu the sections, due dates, status and buttons are Dutch."""
    url, auditor, ids = work
    at = as_user(app_test(), auditor)
    at.session_state[LANGUAGE_KEY] = "nl"
    at.run()  # the frame, which decides the language
    at.switch_page("pages/assignments_mine.py").run()
    assert not at.exception, at.exception
    assert [t.value for t in at.title] == ["Mijn toewijzingen"]
    assert [s.value for s in at.subheader] == ["Te laat (1)", "Te doen (2)"]
    captions = [shown(c.value) for c in at.caption]
    assert "Ask about a delivery · Telefoon · Buiten kantooruren · 2 dagen te laat · Te laat" in captions, captions
    assert any(" · uiterlijk " in c and c.endswith(" · Te doen") for c in captions), captions
    assert at.button(key=f"start_{ids['phone']}").label == "Start"
    assert at.button(key=f"hand_back_go_{ids['phone']}").label == "Teruggeven"
