"""The brand report's "Actions" section: the brand's open and overdue actions and the items fixed
since the previous wave, every text escaped."""

from datetime import UTC, datetime, timedelta

import pandas as pd

from data.db import write_scope
from journeys.actions.items import action_list
from journeys.models import ActionItem
from tests.action_items.conftest import answered_contact
from ui.dashboard_view import brand_report, report_actions
from ui.report import actions_html


def _contacts():
    return pd.DataFrame(columns=["brand", "wave", "channel", "released", "is_draft"])


def test_section_counts_and_fixed_items(world):
    """Brand A in 2026-Q1: two actions, one open and overdue; after a clean 2026-Q2 the critical item
    reads as fixed in the 2026-Q2 report; brand B is left out."""
    engine = world["engine"]
    section = report_actions(action_list(engine, world["manager"]), "Koopklik", "2026-Q1")
    assert (section.n, section.open, section.overdue) == (2, 1, 1)
    assert list(section.open_table["What was found"]) == ["Knock-out item 'Criterion 2' failed"]
    assert section.fixed_table.empty
    with write_scope(engine) as s:
        answered_contact(s, world, (1, 1, 1), location_id=world["loc_a"].id, wave_id=world["next_wave"].id)
    section = report_actions(action_list(engine, world["manager"]), "Koopklik", "2026-Q2")
    assert section.n == 0
    assert set(section.fixed_table["What was found"]) == {"Knock-out item 'Criterion 2' failed", "Score 42.0 below 60"}
    assert "Fixed since the previous wave" in actions_html(section)


def test_user_text_is_escaped(world):
    """A location name with markup is escaped in the report."""
    with write_scope(world["engine"]) as s:
        location = s.get(type(world["loc_a"]), world["loc_a"].id)
        location.name = "<script>alert(1)</script>"
        s.add(location)
        action = s.get(ActionItem, world["action"].id)
        action.due_on = (datetime.now(UTC) - timedelta(days=3)).date()
        s.add(action)
    html = brand_report(_contacts(), "Koopklik", None, datetime.now(UTC), {},
                        actions=action_list(world["engine"], world["client"]))
    assert "<script>alert" not in html and "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "<h2>Actions</h2>" in html and "Open: 1 · overdue: 1 · n = 2 actions" in html
    assert "Brand B" not in html
