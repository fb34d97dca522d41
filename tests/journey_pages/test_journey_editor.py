"""The journey editor in AppTest: adds that survive a busy server, the whole criterion in the add
form, policies and kinds in words, and a page that keeps the tab, journey and copy name in view."""

import pandas as pd
import pytest
from sqlmodel import select
from streamlit.proto.WidgetStates_pb2 import WidgetStates
from streamlit.runtime.scriptrunner import get_script_run_ctx
from streamlit.runtime.scriptrunner_utils.exceptions import RerunException
from streamlit.runtime.scriptrunner_utils.script_requests import RerunData

from data import db
from data.db import session_scope
from journeys.catalogue import journey_editing
from journeys.catalogue.journey_editing import copy_journey, journey_in_from_db
from journeys.catalogue.journeys import CriterionIn
from journeys.models import Journey
from journeys.wording import CRITERION_KIND_LABELS, CRITICAL_POLICY_HELP, CRITICAL_POLICY_LABELS
from tests.journey_pages.test_journey_pages import _admin, _page
from tests.shown import shown
from ui.journey_editor import apply_table_edits, checklist_frame, criteria_from_frame

EDIT_TAB = "Edit, version, archive"


def _stored(url: str, name: str) -> list[CriterionIn]:
    with session_scope(db.get_engine(url)) as session:
        journey = session.exec(select(Journey).where(Journey.name == name)).one()
        return journey_in_from_db(session=session, journey_id=journey.id).criteria


def _add_button(at, key: str):
    return next(b for b in at.button if b.label == "Add criterion" and f"FormSubmitter:{key}_add" in b.proto.id)


def _fill_add_form(at, key: str, **values) -> None:
    """Set the add form's widgets (keyed f"{key}_add_{field}") without running the page."""
    widgets = (*at.text_input, *at.number_input, *at.selectbox, *at.checkbox, *at.multiselect)
    for field, value in values.items():
        next(w for w in widgets if w.key == f"{key}_add_{field}").set_value(value)


def _new_journey_page(url: str, name: str = "Opening hours", channels=("phone", "email")):
    at = _page(url)
    at.text_input(key="new_0_name").set_value(name)
    at.multiselect(key="new_0_channels").set_value(list(channels))
    return at.run()


def _interrupt_like_the_next_interaction() -> None:
    """What Streamlit does to a running script when the browser sends a new interaction: the run
    stops at its next Streamlit call and a new one starts from the browser's widget values, in
    which the click that caused the interrupted run is no longer set."""
    ctx = get_script_run_ctx()
    states = WidgetStates()
    states.widgets.extend(s for s in ctx.session_state.get_widget_states() if s.WhichOneof("value") != "trigger_value")
    raise RerunException(RerunData(widget_states=states, page_script_hash=ctx.page_script_hash))


def test_every_add_arrives_when_a_new_interaction_interrupts_its_run(world_env, monkeypatch):
    """Five criteria added in a row while the server is slow all reach the checklist: each run an
    add causes is interrupted at the page's first read, before the script reaches the form."""
    interrupt = []
    overview = journey_editing.journey_overview

    def slow_overview(**kwargs):
        if interrupt:
            interrupt.pop()
            _interrupt_like_the_next_interaction()
        return overview(**kwargs)

    monkeypatch.setattr(journey_editing, "journey_overview", slow_overview)
    at = _new_journey_page(world_env)
    for i in range(1, 6):
        _fill_add_form(at, "new_0", code=f"Q{i}", text=f"Criterion number {i}")
        interrupt.append(True)
        _add_button(at, "new_0").click().run()
        assert not at.exception and not interrupt  # the run was interrupted
    at.button(key="new_create").click().run()
    assert not at.exception and [s.value for s in at.success] == ["Journey “Opening hours” created."], \
        [e.value for e in at.error]
    assert [c.code for c in _stored(world_env, "Opening hours")] == ["Q1", "Q2", "Q3", "Q4", "Q5"]


def test_the_add_form_sets_every_field_of_a_criterion(world_env):
    """Code, text, section, weight, kind with its scale, critical policy, N/A, bonus and channels all
    come from the form, and each add says so under the form."""
    at = _new_journey_page(world_env)
    _fill_add_form(at, "new_0", code="TONE", text="Friendly tone", section="Manner", weight=2.5, kind="scale",
                   scale_min=1.0, scale_max=5.0, policy="zero_section", na=True, channels=["phone"])
    _add_button(at, "new_0").click().run()
    assert any("Added “TONE” as criterion 1" in s.value for s in at.success)
    assert at.text_input(key="new_0_add_code").value == ""  # ready for the next one
    _fill_add_form(at, "new_0", code="EXTRA", text="Offered a coupon", bonus=True)
    _add_button(at, "new_0").click().run()
    at.button(key="new_create").click().run()
    assert not at.exception and "created" in at.success[0].value, [e.value for e in at.error]
    assert _stored(world_env, "Opening hours") == [
        CriterionIn("TONE", "Friendly tone", "Manner", 2.5, "scale", 1.0, 5.0, True, "zero_section", False, ("phone",)),
        CriterionIn("EXTRA", "Offered a coupon", "Manner", 1.0, "yesno", None, None, False, "none", True, ()),
    ]


def test_an_add_that_breaks_a_rule_is_refused_in_words_and_keeps_the_input(world_env):
    """A bonus criterion that is also critical is not added; the refusal names the field in the
    form's words and the policy by its label, and what was typed stays."""
    at = _new_journey_page(world_env)
    _fill_add_form(at, "new_0", code="EXTRA", text="Offered a coupon", bonus=True, policy="zero_contact")
    _add_button(at, "new_0").click().run()
    refusal = next(shown(e.value) for e in at.error if "Not added" in e.value)
    assert "Critical (knock-out): a bonus item cannot be critical: choose 'No knock-out' or untick bonus (got 'Contact scores 0')" in refusal
    assert at.text_input(key="new_0_add_code").value == "EXTRA"
    assert "new_0_checklist_0" in [d.proto.id.rsplit("-", 1)[-1] for d in at.dataframe]  # table untouched


def test_new_rows_do_not_allow_na_unless_ticked(world_env):
    """A row added in the table or through the form starts with N/A allowed off."""
    at = _new_journey_page(world_env)
    at.session_state["new_0_checklist_0"] = {"edited_rows": {}, "deleted_rows": [],
                                             "added_rows": [{"code": "ROW", "text": "Typed in the table"}]}
    at.run()
    _fill_add_form(at, "new_0", code="FORM", text="Typed in the form")
    _add_button(at, "new_0").click().run()
    assert at.checkbox(key="new_0_add_na").value is False
    at.button(key="new_create").click().run()
    assert [(c.code, c.na_allowed) for c in _stored(world_env, "Opening hours")] == [("ROW", False), ("FORM", False)]
    grid = next(d for d in at.dataframe if d.proto.id.endswith("new_0_checklist_1"))
    assert '"na_allowed": {"label": "N/A allowed", "width": 105, "default": false' in grid.proto.columns


def test_policies_and_kinds_are_shown_in_words_where_they_are_chosen(world_env):
    """The grid's and the form's choices carry the policy and kind labels (the grid keeps the codes
    as values), the important columns come first, and every policy is explained on the page."""
    at = _new_journey_page(world_env)
    grid = next(d for d in at.dataframe if d.proto.id.endswith("new_0_checklist_0"))
    for code, label in CRITICAL_POLICY_LABELS.items():
        assert f'{{"value": "{code.value}", "label": "{label}"}}' in grid.proto.columns
    for code, label in CRITERION_KIND_LABELS.items():
        assert f'{{"value": "{code.value}", "label": "{label}"}}' in grid.proto.columns
    assert list(grid.proto.column_order)[:6] == ["code", "text", "critical_policy", "na_allowed", "bonus", "channels"]
    form_policy = at.selectbox(key="new_0_add_policy")
    assert form_policy.options == list(CRITICAL_POLICY_LABELS.values())
    assert at.selectbox(key="new_0_add_kind").options == list(CRITERION_KIND_LABELS.values())
    legend = shown(" ".join(c.value for c in at.caption))
    for sentence in CRITICAL_POLICY_HELP.values():
        assert sentence in legend and sentence in shown(form_policy.help)


def test_policy_codes_round_trip_through_the_grid():
    """The grid holds the codes behind the labels, so what it returns is saved as the same policy."""
    criteria = [CriterionIn("A", "One", critical_policy="flag_fail"), CriterionIn("B", "Two")]
    edits = {"edited_rows": {1: {"critical_policy": "zero_section", "na_allowed": True}}, "deleted_rows": [],
             "added_rows": [{"code": "C", "text": "Three", "critical_policy": "zero_contact", "kind": "scale",
                             "scale_min": 1.0, "scale_max": 4.0}]}
    back = criteria_from_frame(apply_table_edits(checklist_frame(criteria), edits))
    assert [(c.code, c.critical_policy, c.na_allowed) for c in back] == [
        ("A", "flag_fail", True), ("B", "zero_section", True), ("C", "zero_contact", False)]
    assert (back[2].kind, back[2].scale_min, back[2].scale_max) == ("scale", 1.0, 4.0)
    assert criteria_from_frame(apply_table_edits(checklist_frame(criteria), {"deleted_rows": [0]}))[0].code == "B"


@pytest.fixture
def two_journeys(world_env):
    admin = _admin(world_env)
    with session_scope(db.get_engine(world_env)) as session:
        first = session.exec(select(Journey)).one()
        second = copy_journey(session=session, actor=admin, journey_id=first.id, name="Zz second")
        session.flush()
        return world_env, first.id, second.id


def _active_tab(at) -> int | None:
    stack = [at._tree]
    while stack:
        node = stack.pop()
        proto = getattr(node, "proto", None)
        if getattr(node, "type", None) == "tab_container":
            return proto.tab_container.default_tab_index if proto.tab_container.id else None
        stack.extend(getattr(node, "children", {}).values())
    return None


def test_the_edited_journey_stays_in_view_after_save_and_the_next_edit(two_journeys):
    """After "Save changes" (a notice above the tabs) and after the next edit (the notice gone),
    the page still shows the edit tab with the same journey: the tabs keep their state."""
    url, _, second = two_journeys
    at = _page(url, journey_tab=EDIT_TAB)
    at.selectbox(key="edit_pick").select_index(1).run()
    assert _active_tab(at) == 1
    at.text_area(key=f"edit_{second}_scenario").set_value("A new scenario").run()
    at.button(key="edit_save").click().run()
    assert "Journey saved" in at.success[0].value
    assert _active_tab(at) == 1 and at.selectbox(key="edit_pick").value == second
    at.text_area(key=f"edit_{second}_question").set_value("Still here?").run()
    assert not at.success and _active_tab(at) == 1 and at.selectbox(key="edit_pick").value == second


def test_name_of_the_copy_follows_the_selected_journey(two_journeys):
    """"Name of the copy" starts from the journey shown + " (copy)", also after picking another one."""
    at = _page(two_journeys[0], journey_tab=EDIT_TAB)
    assert [t.value for t in at.text_input if t.label == "Name of the copy"] == ["Ask about a delivery (copy)"]
    at.selectbox(key="edit_pick").select_index(1).run()
    assert [t.value for t in at.text_input if t.label == "Name of the copy"] == ["Zz second (copy)"]


def test_apply_table_edits_of_nothing_is_the_table():
    """No edits yet: the table as it was."""
    frame = checklist_frame([CriterionIn("A", "One")])
    pd.testing.assert_frame_equal(apply_table_edits(frame, None), frame)


def test_checklist_errors_name_policies_and_kinds_in_words():
    """A checklist problem about a policy or kind shows the users' words next to any code."""
    from journeys.catalogue.journeys import criterion_problems

    problems = [str(p) for p in criterion_problems([
        CriterionIn("A", "One", bonus=True, critical_policy="zero_contact"),
        CriterionIn("B", "Two", kind="stars", critical_policy="fatal")])]
    assert problems[0] == ("row 1, critical_policy: a bonus item cannot be critical: choose 'No knock-out' or "
                           "untick bonus (got 'Contact scores 0')")
    assert "'yesno' (Yes / no), 'scale' (Scale)" in problems[1]
    assert "'zero_section' (Section scores 0)" in problems[2] and "'flag_fail' (Contact fails, score kept)" in problems[2]
