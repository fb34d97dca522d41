"""The action rules as pure functions over scored frames (scoring.action_rules): each kind, the
exact boundaries, restrictions to a brand or journey, censored late contacts and stable keys."""

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from scoring.action_rules import Finding, RuleSpec, findings
from scoring.pipeline import scored_contacts
from scoring.quality import answer_scores
from tests.scoring.builders import answers_frame, contacts_frame, criteria_frame

AS_OF = pd.Timestamp("2026-03-10 12:00", tz="UTC")


def scored_frame(n_rows=None, *, scores=None, **common):
    """A scored frame built by hand: only the columns the rules read."""
    scores = scores or [80.0]
    rows = [dict(contact_id=i + 1, brand="Koopklik", location="Centrum", journey="Parcel", channel="email",
                 wave="2026-Q1", final_score=s, response_clock_s=np.nan, first_response_target_s=np.nan)
            for i, s in enumerate(scores)]
    frame = pd.DataFrame(rows)
    for column, values in common.items():
        frame[column] = values
    return frame


NO_ITEMS = pd.DataFrame({"contact_id": pd.Series(dtype="int64"), "criterion_id": pd.Series(dtype="int64"),
                         "critical_failed": pd.Series(dtype=bool)})


def test_a_failed_critical_item_is_one_finding_per_contact_and_item():
    criteria = criteria_frame({"critical_policy": "flag_fail"}, {"critical_policy": "zero_contact"}, {})
    contacts = contacts_frame({}, {}, {"brand": "Vliegwel"})
    answers = answers_frame({1: {1: 0, 2: 0, 3: 1}, 2: {1: 1, 2: 1, 3: 0}, 3: {1: 0, 2: 1, 3: 1}})
    scored = scored_contacts(contacts, answers, criteria, AS_OF)
    items = answer_scores(contacts, answers, criteria)
    found = findings([RuleSpec(7, "critical")], scored, items, min_n=5)
    assert [(f.key, f.contact_id, f.criterion_id) for f in found] == [
        ("critical:1:1", 1, 1), ("critical:1:2", 1, 2), ("critical:3:1", 3, 1)]
    assert all(f.rule_id == 7 and f.kind == "critical" and f.measured is None for f in found)
    assert found[2].brand == "Vliegwel" and found[0].journey == "Parcel" and found[0].wave == "2026-Q1"
    # restricted to a brand: only that brand's failures
    only = findings([RuleSpec(8, "critical", brand="Vliegwel")], scored, items, min_n=5)
    assert [f.key for f in only] == ["critical:3:1"]


def test_a_score_at_the_threshold_is_no_finding_just_below_is():
    scored = scored_frame(scores=[60.0, 59.999, 60.001, np.nan, 0.0])
    found = findings([RuleSpec(1, "score", threshold=60)], scored, NO_ITEMS, min_n=5)
    assert [f.key for f in found] == ["score:2", "score:5"]
    assert found[0].measured == pytest.approx(59.999) and found[0].threshold == 60


def test_brand_and_journey_restrictions():
    scored = scored_frame(scores=[10.0, 10.0, 10.0], brand=["A", "B", "B"], journey=["J", "J", "K"])
    def keys(**rule):
        return [f.key for f in findings([RuleSpec(1, "score", threshold=50, **rule)], scored, NO_ITEMS, min_n=5)]
    assert keys() == ["score:1", "score:2", "score:3"]
    assert keys(brand="B") == ["score:2", "score:3"]
    assert keys(journey="J") == ["score:1", "score:2"]
    assert keys(brand="B", journey="K") == ["score:3"]
    assert keys(brand="Nobody") == []


def test_late_by_more_than_the_threshold_answered_or_still_waiting():
    # target 3600 s; threshold 600 s past it
    scored = scored_frame(scores=[80.0] * 5, response_clock_s=[4200.0, 4200.001, 9000.0, 9000.0, 100.0],
                          first_response_target_s=[3600.0, 3600.0, 3600.0, np.nan, 3600.0])
    found = findings([RuleSpec(3, "late", threshold=600)], scored, NO_ITEMS, min_n=5)
    assert [f.key for f in found] == ["late:2", "late:3"]
    assert found[1].measured == pytest.approx(5400.0)


def test_an_unanswered_contact_past_its_target_is_censored_not_dropped():
    contacts = contacts_frame(
        {"started_at": "2026-03-10 08:00", "first_response_target_s": 3600.0},   # unanswered, 4 h so far
        {"started_at": "2026-03-10 11:30", "first_response_target_s": 3600.0},   # unanswered, within
        {"started_at": "2026-03-10 08:00", "first_response_at": "2026-03-10 08:30",
         "first_response_target_s": 3600.0},                                       # answered in time
        {"started_at": "2026-03-10 08:00"},                                        # no target: never
    )
    criteria = criteria_frame({})
    answers = answers_frame({i: {1: 1} for i in range(1, 5)})
    scored = scored_contacts(contacts, answers, criteria, AS_OF)
    found = findings([RuleSpec(3, "late", threshold=2 * 3600)], scored, answer_scores(contacts, answers, criteria),
                     min_n=5)
    assert [(f.key, f.measured) for f in found] == [("late:1", 3 * 3600.0)]
    assert findings([RuleSpec(3, "late", threshold=3 * 3600)], scored, NO_ITEMS, min_n=5) == []


def _gap_frame(email_scores, phone_scores, chat_scores=()):
    channels = ["email"] * len(email_scores) + ["phone"] * len(phone_scores) + ["chat"] * len(chat_scores)
    scores = list(email_scores) + list(phone_scores) + list(chat_scores)
    return scored_frame(scores=scores, channel=channels)


def test_the_channel_gap_at_the_threshold_is_no_finding_just_over_is():
    scored = _gap_frame([80.0] * 5, [65.0] * 5)
    assert findings([RuleSpec(4, "gap", threshold=15)], scored, NO_ITEMS, min_n=5) == []
    found = findings([RuleSpec(4, "gap", threshold=14.99)], scored, NO_ITEMS, min_n=5)
    assert found == [Finding(rule_id=4, key="gap:Koopklik|Parcel|2026-Q1", kind="gap", contact_id=None,
                             criterion_id=None, brand="Koopklik", location=None, journey="Parcel",
                             channel="phone", wave="2026-Q1", measured=15.0, threshold=14.99)]


def test_a_channel_with_too_few_contacts_does_not_count_in_the_gap():
    scored = _gap_frame([80.0] * 5, [70.0] * 5, chat_scores=[0.0] * 4)  # chat: 4 < 5
    found = findings([RuleSpec(4, "gap", threshold=5)], scored, NO_ITEMS, min_n=5)
    assert [(f.channel, f.measured) for f in found] == [("phone", 10.0)]
    # with min_n 4 the chat counts, and it is the one to act on
    found = findings([RuleSpec(4, "gap", threshold=5)], scored, NO_ITEMS, min_n=4)
    assert [(f.channel, f.measured) for f in found] == [("chat", 80.0)]
    # unscored contacts are not counted towards min_n
    scored = _gap_frame([80.0] * 5, [70.0] * 4 + [np.nan])
    assert findings([RuleSpec(4, "gap", threshold=5)], scored, NO_ITEMS, min_n=5) == []


def test_gaps_are_per_wave_and_a_long_key_stays_within_the_column():
    scored = pd.concat([_gap_frame([90.0] * 5, [60.0] * 5).assign(wave="W1"),
                        _gap_frame([90.0] * 5, [88.0] * 5).assign(wave="W2")], ignore_index=True)
    found = findings([RuleSpec(4, "gap", threshold=10)], scored, NO_ITEMS, min_n=5)
    assert [f.wave for f in found] == ["W1"]
    long = _gap_frame([90.0] * 5, [60.0] * 5).assign(brand="B" * 120, journey="J" * 120)
    (finding,) = findings([RuleSpec(4, "gap", threshold=10)], long, NO_ITEMS, min_n=5)
    assert len(finding.key) <= 120 and finding.key.startswith("gap#")


def test_an_unknown_kind_is_refused():
    with pytest.raises(ValueError, match="unknown rule kind"):
        findings([RuleSpec(1, "nonsense")], scored_frame(), NO_ITEMS, min_n=5)


@settings(max_examples=40, deadline=None)
@given(scores=st.lists(st.one_of(st.floats(0, 100), st.just(np.nan)), min_size=1, max_size=30),
       channels=st.lists(st.sampled_from(["email", "phone", "chat"]), min_size=30, max_size=30),
       seed=st.integers(0, 1000))
def test_keys_are_stable_whatever_the_row_order(scores, channels, seed):
    """The same contacts give the same findings and keys, run twice or in another row order."""
    scored = scored_frame(scores=scores, channel=channels[:len(scores)],
                          response_clock_s=[s * 100 for s in scores], first_response_target_s=2000.0)
    rules = [RuleSpec(1, "score", threshold=50), RuleSpec(2, "late", threshold=1000),
             RuleSpec(3, "gap", threshold=5)]
    first = findings(rules, scored, NO_ITEMS, min_n=2)
    assert findings(rules, scored.copy(), NO_ITEMS, min_n=2) == first
    shuffled = scored.sample(frac=1, random_state=seed).reset_index(drop=True)
    again = findings(rules, shuffled, NO_ITEMS, min_n=2)
    assert [f.key for f in again] == [f.key for f in first]
    assert [f.measured for f in again] == pytest.approx([f.measured for f in first])
    assert len({(f.rule_id, f.key) for f in first}) == len(first)
