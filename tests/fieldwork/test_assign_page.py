"""The planner's page "Assign fieldwork" (pages/study_assign.py) in AppTest: preview and apply,
a stale preview, assigning by hand with a warning, a profile and the lockout saved."""

from sqlmodel import Session, func, select

from data import db
from journeys.fieldwork import assignments as service
from journeys.models import Assignment, AuditorChannel, Setting
from tests.apptest import open_page
from tests.fieldwork.test_assignments import _holders, _plan, study  # noqa: F401 - the fixture
from tests.shown import shown

PAGE = "study_assign"


def _button(at, label):
    return next(b for b in at.button if b.label == label)


def _assigned(world) -> int:
    with Session(world["engine"]) as session:
        return session.exec(select(func.count()).select_from(Assignment).where(
            Assignment.auditor_id.is_not(None))).one()


def test_preview_then_apply_assigns_every_planned_contact(app_env, study):  # noqa: F811
    """The counts show 12 planned; the preview's table shows 6 new each; applying writes them and says so."""
    _plan(study)
    at = open_page(PAGE, study["manager"])
    assert [m.value for m in at.metric] == ["12", "0", "12"]
    _button(at, "Preview automatic assignment").click().run()
    assert not at.exception
    loads = at.dataframe[0].value
    assert sorted(loads["New"]) == [6, 6] and _assigned(study) == 0
    _button(at, "Apply assignment").click().run()
    assert not at.exception
    assert _holders(study) == {study["auditor"].id: 6, study["auditor2"].id: 6}
    assert any("Assigned 12 planned contacts." in s.value for s in at.success)
    assert [m.value for m in at.metric] == ["12", "12", "0"]


def test_a_stale_preview_is_refused_on_the_page(app_env, study):  # noqa: F811
    """A contact assigned elsewhere after the preview: "Apply assignment" says to preview again, writes nothing."""
    _plan(study)
    at = open_page(PAGE, study["manager"])
    _button(at, "Preview automatic assignment").click().run()
    with db.session_scope(study["engine"]) as session:
        first = session.exec(select(Assignment).order_by(Assignment.id)).first()
        first.auditor_id = study["auditor"].id
    _button(at, "Apply assignment").click().run()
    assert not at.exception
    assert any("Preview the automatic assignment again" in shown(e.value) for e in at.error)
    assert _assigned(study) == 1


def test_assigning_by_hand_shows_the_rule_it_breaks(app_env, study):  # noqa: F811
    """Choosing e-mail contacts for an auditor who only tests phone assigns them and warns."""
    _plan(study)
    with db.session_scope(study["engine"]) as session:
        service.set_auditor_channels(session=session, actor=study["manager"], user_id=study["auditor2"].id,
                                     channel_ids=[study["channels"]["phone"].id])
    at = open_page(PAGE, study["manager"])
    at.multiselect(key="assign_filter_channel").select("E-mail").run()
    at.checkbox(key="assign_pick_all").check().run()
    at.selectbox(key="assign_to").select(study["auditor2"].id).run()
    at.button(key="assign_by_hand_button").click().run()
    assert not at.exception
    assert [shown(w.value) for w in at.warning] == [
        "6 planned contacts assigned, but Sam does not test the channel E-mail."]
    assert _holders(study) == {None: 6, study["auditor2"].id: 6}


def test_a_profile_and_the_lockout_are_saved_from_the_page(app_env, study):  # noqa: F811
    """The auditor's channels and the rotation lockout entered on the page are stored."""
    at = open_page(PAGE, study["manager"])
    at.selectbox(key="assign_profile_auditor").select(study["auditor2"].id).run()
    key = f"assign_channels_{study['auditor2'].id}"
    at.multiselect(key=key).select(study["channels"]["phone"].id)
    _button(at, "Save profile").click().run()
    assert not at.exception
    at.number_input(key="assign_lockout_waves").set_value(2)
    _button(at, "Save rotation lockout").click().run()
    assert not at.exception
    with Session(study["engine"]) as session:
        assert session.exec(select(AuditorChannel.channel_id).where(
            AuditorChannel.user_id == study["auditor2"].id)).all() == [study["channels"]["phone"].id]
        assert session.get(Setting, service.LOCKOUT_SETTING) is not None
        assert service.get_lockout(session=session).waves == 2


def test_names_regions_and_notes_show_literally(app_env, study):  # noqa: F811
    """An auditor's name, a location, a region and an absence note that are Markdown payloads never
    become links or images: on the profiles, in the preview and in a by-hand warning."""
    from tests import poison
    from tests.auth.test_markdown_injection import assert_no_leaks

    with db.session_scope(study["engine"]) as session:
        sam = session.get(type(study["auditor2"]), study["auditor2"].id)
        sam.display_name = poison.DISPLAY_NAME
        breda = session.get(type(study["locations"][2]), study["locations"][2].id)
        breda.name, breda.region = poison.LOCATION, poison.poison("reg")[:80]
    _plan(study)
    with db.session_scope(study["engine"]) as session:
        service.set_auditor_channels(session=session, actor=study["manager"], user_id=study["auditor2"].id,
                                     channel_ids=[study["channels"]["phone"].id])
        service.set_auditor_regions(session=session, actor=study["manager"], user_id=study["auditor"].id,
                                    regions=["Noord"])
        service.add_absence(session=session, actor=study["manager"], user_id=study["auditor2"].id,
                            starts_on=study["wave"].starts_on, ends_on=study["wave"].starts_on,
                            note=poison.poison("note"))
    at = open_page(PAGE, study["manager"])
    at.selectbox(key="assign_profile_auditor").select(study["auditor2"].id).run()
    _button(at, "Preview automatic assignment").click().run()
    assert_no_leaks(at)
    at.multiselect(key="assign_filter_channel").select("E-mail").run()
    at.checkbox(key="assign_pick_all").check().run()
    at.selectbox(key="assign_to").select(study["auditor2"].id).run()
    at.button(key="assign_by_hand_button").click().run()
    assert at.warning and poison.EVIL in at.warning[0].value
    assert assert_no_leaks(at) > 0


def test_the_page_speaks_dutch(app_env, study, monkeypatch):  # noqa: F811
    """With the installation in Dutch the page, its preview and its reasons are Dutch."""
    from journeys.language import set_language

    monkeypatch.setenv("KLANTREIS_LANGUAGE", "nl")
    set_language("nl")  # the test's own thread too: AppTest calls a selectbox's format_func here
    try:
        _plan(study, channels=("phone", "email"))
        with db.session_scope(study["engine"]) as session:
            for auditor in (study["auditor"], study["auditor2"]):
                service.set_auditor_channels(session=session, actor=study["manager"], user_id=auditor.id,
                                             channel_ids=[study["channels"]["phone"].id])
        at = open_page(PAGE, study["manager"])
        assert at.title[0].value == "Veldwerk toewijzen"
        assert [m.label for m in at.metric] == ["Geplande contacten", "Toegewezen", "Niet toegewezen"]
        _button(at, "Voorbeeld automatische toewijzing").click().run()
        assert not at.exception
        assert list(at.dataframe[0].value.columns) == ["Auditor", "Nu", "Nieuw", "Totaal"]
        assert set(at.dataframe[1].value["Waarom"]) == {"Geen enkele auditor doet het kanaal E-mail."}
        assert any(b.label == "Toewijzing uitvoeren" for b in at.button)
    finally:
        set_language(None)
