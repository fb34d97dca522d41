"""The follow-up check of a channel-gap action reads its own brand's next wave only."""

from datetime import date

from data.db import read_scope, write_scope
from journeys.actions.follow_up import follow_up_checks
from journeys.models import ActionItem, ActionRule
from tests.action_items.conftest import answered_contact


def test_a_gap_action_is_followed_up_on_its_own_brand(world):
    """Brand A's next wave has no gap (e-mail and phone both 100); brand B's twitter contacts score 0
    in the same journey and wave. Counted with them the gap would be 100: not fixed."""
    with write_scope(world["engine"]) as s:
        rule = ActionRule(kind="gap", threshold=20.0)
        s.add(rule)
        s.flush()
        action = ActionItem(rule_id=rule.id, finding_key="gap:x", kind="gap", brand_id=world["brand"].id,
                            journey_id=world["journey"].id, wave_id=world["wave"].id, measured=35.0,
                            threshold=20.0, due_on=date(2026, 4, 30))
        s.add(action)
        for channel in ("email", "phone"):
            for _ in range(5):
                answered_contact(s, world, (1, 1, 1), channel=channel, location_id=world["loc_a"].id,
                                 wave_id=world["next_wave"].id)
        for _ in range(5):
            answered_contact(s, world, (0, 0, 0), channel="twitter", brand_id=world["brand_b"].id,
                             location_id=world["loc_b"].id, wave_id=world["next_wave"].id)
        s.flush()
        action_id = action.id
    with read_scope(world["engine"]) as s:
        # with an action of brand B in the same call (a manager's plan): both brands' contacts are read
        wave, check = follow_up_checks(s, [action_id, world["action_b"].id])[action_id]
    assert wave == "2026-Q2"
    assert check.fixed is True and check.n == 10 and check.value == 0.0
