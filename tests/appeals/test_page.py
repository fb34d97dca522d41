"""The Appeals page (AppTest) from both sides, the contact's appeal panel, and the dashboards' note."""

from datetime import UTC, datetime, timedelta

import pytest
from sqlmodel import Session, select
from streamlit.testing.v1 import AppTest

from data import db
from data.db import read_scope, write_scope
from journeys.accounts import access
from journeys.catalogue.reference import get_or_create_brand
from journeys.models import Answer, Appeal, ClientGrant, Criterion, Role, User
from journeys.review.appeals import open_appeal, query_client
from tests.apptest import TIMEOUT_SECONDS, app_test, as_user, open_page
from tests.factories import make_contact, make_world
from tests.shown import shown

NOW = datetime.now(UTC)
MARKDOWN_REASON = "[click](http://evil.example) **bold**"


@pytest.fixture
def seeded(app_env):
    """Brand A's contact released an hour ago (answers 1, 0, 1), brand B's beside it, a client of A
    and a reviewer; one appeal of A's item C2 with a Markdown-looking reason."""
    engine = db.get_engine(app_env)
    with Session(engine, expire_on_commit=False) as s:
        w = make_world(s)
        brand_b = get_or_create_brand(session=s, name="Brand B")
        contacts = []
        for brand in (w["brand"], brand_b):
            contact = make_contact(w, brand_id=brand.id, released_at=NOW - timedelta(hours=1))
            s.add(contact)
            s.flush()
            criteria = s.exec(select(Criterion).where(Criterion.version_id == w["version"].id)
                              .order_by(Criterion.position, Criterion.id)).all()
            for criterion, value in zip(criteria, (1, 0, 1), strict=True):
                s.add(Answer(contact_id=contact.id, criterion_id=criterion.id, value=float(value)))
            contacts.append(contact)
        client = User(username="client_a", display_name="Client A", role=Role.CLIENT.value, password_hash="x")
        reviewer = User(username="reviewer1", display_name="Reviewer", role=Role.REVIEWER.value, password_hash="x")
        s.add_all([client, reviewer])
        s.flush()
        s.add(ClientGrant(user_id=client.id, brand_id=w["brand"].id))
        s.commit()
    with write_scope(engine) as s:
        appeal = open_appeal(session=s, actor=client, contact_id=contacts[0].id, criterion_id=criteria[1].id,
                             reason=MARKDOWN_REASON)
    with write_scope(engine) as s:  # brand B's appeal: its client is not ours
        s.add(Appeal(contact_id=contacts[1].id, criterion_id=criteria[0].id, reason="Brand B secret", status="open"))
    return dict(engine=engine, client=client, reviewer=reviewer, contact=contacts[0], other=contacts[1],
                appeal=appeal, criteria=criteria)


def _texts(at) -> str:
    parts = [e.value for e in (*at.markdown, *at.caption, *at.text, *at.info, *at.success, *at.error)]
    parts += [str(df.value.to_dict()) for df in at.dataframe]
    parts += [str(o) for box in at.selectbox for o in box.options]
    parts += [str(o) for box in at.multiselect for o in box.options]
    return shown("\n".join(str(p) for p in parts))


def test_the_page_is_for_clients_and_reviewers():
    """The menu entry's set is clients and the agency's reviewers, the services' own sets."""
    assert access.FIGURE_READERS == access.APPELLANTS | access.REVIEWERS


def test_reviewer_upholds_from_the_queue(seeded):
    """The reviewer's queue lists both brands' open appeals oldest first; upholding C2 with "Yes" and a
    reason decides it and the contact's new score shows in the outcome."""
    at = open_page("appeals", seeded["reviewer"])
    table = at.dataframe[0].value
    assert list(table["Appeal"]) == [seeded["appeal"].id, seeded["appeal"].id + 1]
    assert "Brand B" in set(table["Brand"])
    assert any(MARKDOWN_REASON == t.value for t in at.text)  # the reason as plain text
    at.radio(key=f"appeal_decide_{seeded['appeal'].id}_value").set_value(1.0)
    at.text_area(key=f"appeal_decide_{seeded['appeal'].id}_reason").input("The recording has the greeting")
    at.button(key=f"appeal_decide_{seeded['appeal'].id}_submit").click().run()
    assert not at.exception, at.exception
    assert any("upheld" in s.value for s in at.success)
    with read_scope(seeded["engine"]) as s:
        appeal = s.get(Appeal, seeded["appeal"].id)
    assert (appeal.status, round(appeal.score_before, 1), appeal.score_after) == ("upheld", 66.7, 100.0)
    at.multiselect(key="appeal_status_filter").set_value(["upheld"]).run()
    assert "Appeal upheld on" in _texts(at) and "66.7 → 100.0" in _texts(at)


def test_reviewer_rejects_without_reason_is_refused(seeded):
    """A decision without a reason is refused on the page, naming the field; nothing changes."""
    at = open_page("appeals", seeded["reviewer"])
    at.radio(key=f"appeal_decide_{seeded['appeal'].id}_outcome").set_value("rejected")
    at.button(key=f"appeal_decide_{seeded['appeal'].id}_submit").click().run()
    assert not at.exception
    assert "decision: is required" in shown(" ".join(e.value for e in at.error))
    with read_scope(seeded["engine"]) as s:
        assert s.get(Appeal, seeded["appeal"].id).status == "open"


def test_reviewer_asks_the_client(seeded):
    """Asking a question makes the appeal wait for the client."""
    at = open_page("appeals", seeded["reviewer"])
    at.text_area(key=f"appeal_query_{seeded['appeal'].id}_text").input("Which minute?")
    at.button(key=f"appeal_query_{seeded['appeal'].id}_submit").click().run()
    assert not at.exception
    with read_scope(seeded["engine"]) as s:
        assert s.get(Appeal, seeded["appeal"].id).status == "waiting"


def test_client_sees_only_its_appeals_and_answers(seeded):
    """The client's page lists its own appeal (never brand B's), its history, and answers the question."""
    with write_scope(seeded["engine"]) as s:
        query_client(session=s, actor=seeded["reviewer"], appeal_id=seeded["appeal"].id, question="Which minute?")
    at = open_page("appeals", seeded["client"])
    texts = _texts(at)
    assert "Brand B" not in texts and "secret" not in texts
    assert list(at.dataframe[0].value["Appeal"]) == [seeded["appeal"].id]
    assert "Which minute?" in texts and "the agency" in texts and "reviewer1" not in texts
    at.text_area(key=f"appeal_answer_text_{seeded['appeal'].id}").input("Minute two")
    form_button = [b for b in at.button if "Send answer" in b.label][0]
    form_button.click().run()
    assert not at.exception, at.exception
    with read_scope(seeded["engine"]) as s:
        assert s.get(Appeal, seeded["appeal"].id).status == "open"
    rates = at.dataframe[-1].value
    assert list(rates["Brand"]) == ["Koopklik"] and int(rates["Released contacts (n)"].iloc[0]) == 1


def _panel_script(contact_id: int):
    from data.db import get_engine
    from ui.appeals import appeal_panel
    from ui.session import current_user

    appeal_panel(get_engine(), contact_id, actor=current_user())


def _panel(user, contact_id):
    at = as_user(AppTest.from_function(_panel_script, args=(contact_id,), default_timeout=TIMEOUT_SECONDS), user)
    at.run()
    assert not at.exception, at.exception
    return at


def test_client_appeals_from_the_contact(seeded):
    """On its contact a client reads until when it may appeal, and appeals the timing with a reason."""
    at = _panel(seeded["client"], seeded["contact"].id)
    assert "You can appeal this contact until" in _texts(at)
    box = at.selectbox(key=f"appeal_open_{seeded['contact'].id}_item")
    box.set_value("timing")
    at.text_area(key=f"appeal_open_{seeded['contact'].id}_reason").input("They answered at once")
    [b for b in at.button if "Send the appeal" in b.label][0].click().run()
    assert not at.exception, at.exception
    with read_scope(seeded["engine"]) as s:
        assert s.exec(select(Appeal).where(Appeal.criterion_id.is_(None))).one().reason == "They answered at once"


def test_client_is_told_another_brands_contact_is_not_its(seeded):
    """The panel on brand B's contact refuses with the scope sentence and shows none of B's appeals."""
    at = _panel(seeded["client"], seeded["other"].id)
    texts = _texts(at)
    assert "is not among your results" in texts and "secret" not in texts


def test_appeal_note_counts_the_changes_in_view(seeded):
    """The dashboard says how many answers changed on appeal among the contacts shown."""
    from journeys.review.appeals import decide_appeal

    with write_scope(seeded["engine"]) as s:
        decide_appeal(session=s, actor=seeded["reviewer"], appeal_id=seeded["appeal"].id, upheld=True,
                      decision="Agreed", new_value=1)
    at = open_page("dashboard", seeded["reviewer"])
    assert any("1 answer changed on appeal in the contacts shown" in c.value for c in at.caption)


ENGLISH = ("Appeal", "Reason", "Decision", "Decide", "Outcome", "Released contacts", "Waiting for the client",
           "oldest first", "The timing", "Record the decision", "Uphold", "Reject")


def test_the_page_reads_dutch(seeded, monkeypatch):
    """In Dutch the queue, the decision form and the figures use the glossary's words (bezwaar, gegrond)."""
    monkeypatch.setenv("KLANTREIS_LANGUAGE", "nl")
    at = open_page("appeals", seeded["reviewer"])
    labels = [w.label for w in (*at.radio, *at.text_area, *at.button, *at.multiselect, *at.selectbox)]
    columns = [str(c) for df in at.dataframe for c in df.value.columns]
    words = [t.value for t in at.title] + labels + columns + [c.value for c in at.caption]
    assert "Bezwaren" in words and "Besluit" in labels
    offending = [w for w in words if any(e in w for e in ENGLISH)]  # ("Status" is Dutch too)
    assert offending == []


def test_client_sees_the_decision_and_new_score_on_the_contact(seeded):
    """After an upheld appeal the contact's panel tells the client the outcome with both scores and the reason."""
    from journeys.review.appeals import decide_appeal

    with write_scope(seeded["engine"]) as s:
        decide_appeal(session=s, actor=seeded["reviewer"], appeal_id=seeded["appeal"].id, upheld=True,
                      decision="The recording has the greeting", new_value=1)
    texts = _texts(_panel(seeded["client"], seeded["contact"].id))
    assert "Appeal upheld on" in texts and "score 66.7 → 100.0" in texts
    assert "Decision: The recording has the greeting" in texts
    assert "Appeal upheld on" in _texts(_panel(seeded["reviewer"], seeded["contact"].id))  # the agency sees it too


def test_closed_window_says_when_it_closed(seeded):
    """Past the window the panel offers no appeal and says when the window closed."""
    from journeys.models import Contact

    with write_scope(seeded["engine"]) as s:
        s.get(Contact, seeded["contact"].id).released_at = NOW - timedelta(days=30)
    at = _panel(seeded["client"], seeded["contact"].id)
    assert "The appeal window closed on" in _texts(at)
    assert not [b for b in at.button if "Send the appeal" in b.label]


def test_reviewer_upholds_a_timing_appeal_in_local_time(seeded):
    """A timing appeal is upheld with the corrected first response typed in local time; a mistyped
    time is refused on the page, naming the field, and nothing changes."""
    from journeys.local_time import LOCAL_ZONE, MINUTE
    from journeys.models import Contact

    with write_scope(seeded["engine"]) as s:
        timing = open_appeal(session=s, actor=seeded["client"], contact_id=seeded["contact"].id, criterion_id=None,
                             reason="They answered within ten minutes")
    at = open_page("appeals", seeded["reviewer"])
    at.selectbox(key="appeal_reviewer_choice").set_value(timing.id).run()
    key = f"appeal_decide_{timing.id}"
    started = seeded["contact"].started_at
    at.text_input(key=f"{key}_first_response_at").input("tomorrow-ish")
    at.text_area(key=f"{key}_reason").input("Their log shows it")
    at.button(key=f"{key}_submit").click().run()
    assert "First response" in shown(" ".join(e.value for e in at.error))
    corrected = started + timedelta(minutes=10)
    at.text_input(key=f"{key}_first_response_at").input(corrected.astimezone(LOCAL_ZONE).strftime(MINUTE))
    at.button(key=f"{key}_submit").click().run()
    assert not at.exception, at.exception
    with read_scope(seeded["engine"]) as s:
        assert s.get(Contact, seeded["contact"].id).first_response_at == corrected
        assert s.get(Appeal, timing.id).status == "upheld"


def test_a_mails_link_opens_its_appeal(seeded):
    """?appeal=ID (the link of a decision mail) picks that appeal in the client's list and in the
    reviewer's queue; an id that is not in the list (another brand's) is ignored."""
    with write_scope(seeded["engine"]) as s:
        second = open_appeal(session=s, actor=seeded["client"], contact_id=seeded["contact"].id,
                             criterion_id=seeded["criteria"][2].id, reason="The third one too")
    unlinked = open_page("appeals", seeded["client"])
    default = unlinked.selectbox(key="appeal_client_choice").value
    assert "appeal" not in unlinked.query_params  # plain navigation leaves the address alone
    other = seeded["appeal"].id if default == second.id else second.id
    for user, key in ((seeded["client"], "appeal_client_choice"), (seeded["reviewer"], "appeal_reviewer_choice")):
        at = as_user(app_test("pages/appeals.py"), user)
        at.query_params["appeal"] = str(other)
        at.run()
        assert not at.exception, at.exception
        assert at.selectbox(key=key).value == other
    at = as_user(app_test("pages/appeals.py"), seeded["client"])
    at.query_params["appeal"] = str(seeded["appeal"].id + 1)  # brand B's appeal
    at.run()
    assert not at.exception, at.exception
    assert at.selectbox(key="appeal_client_choice").value == default
