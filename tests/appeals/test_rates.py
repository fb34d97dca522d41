"""The appeal figures (scoring.appeals.appeal_rates) on hand-made frames, boundaries included."""

import math

import pandas as pd
import pytest

from scoring.appeals import APPEAL_RATE_COLUMNS, appeal_rates


def contacts(rows):
    return pd.DataFrame(rows, columns=["contact_id", "wave", "brand", "released"])


def appeals(rows):
    return pd.DataFrame(rows, columns=["contact_id", "appeals", "answers_changed", "timings_changed"])


def test_rates_per_wave_and_brand():
    """Four released contacts of A in Q1 (two appealed, one changed twice), two of B; an unreleased
    contact's appeal and an appeal of an unknown contact do not count."""
    frame = contacts([(1, "Q1", "A", True), (2, "Q1", "A", True), (3, "Q1", "A", True), (4, "Q1", "A", True),
                      (5, "Q1", "B", True), (6, "Q1", "B", True), (7, "Q1", "A", False)])
    counts = appeals([(1, 2, 1, 1), (2, 1, 0, 0), (7, 1, 1, 0), (99, 1, 1, 0)])
    table = appeal_rates(frame, counts).set_index(["wave", "brand"])
    a = table.loc[("Q1", "A")]
    assert (a["contacts"], a["appealed"], a["answers_changed"], a["timings_changed"], a["changed"]) == (4, 2, 1, 1, 1)
    assert a["appealed_share"] == 0.5 and a["changed_share"] == 0.25
    b = table.loc[("Q1", "B")]
    assert (b["contacts"], b["appealed"], b["changed"], b["appealed_share"], b["changed_share"]) == (2, 0, 0, 0.0, 0.0)
    assert list(table.columns) == list(APPEAL_RATE_COLUMNS)


def test_no_appeals_at_all():
    """Without any appeal every share is 0 (with its n), not NaN."""
    table = appeal_rates(contacts([(1, "Q1", "A", True)]), appeals([]))
    assert table.to_dict("records") == [dict(wave="Q1", brand="A", contacts=1, appealed=0, appealed_share=0.0,
                                             answers_changed=0, timings_changed=0, changed=0, changed_share=0.0)]


def test_empty_contacts_give_an_empty_table():
    """No released contact: no group, no division by zero."""
    table = appeal_rates(contacts([(1, "Q1", "A", False)]), appeals([(1, 1, 1, 0)]))
    assert table.empty and list(table.columns) == ["wave", "brand", *APPEAL_RATE_COLUMNS]


def test_every_contact_appealed_and_changed():
    """The upper boundary: shares of exactly 1."""
    table = appeal_rates(contacts([(1, "Q1", "A", True), (2, "Q1", "A", True)]),
                         appeals([(1, 1, 1, 0), (2, 3, 0, 1)]), by=("brand",))
    row = table.iloc[0]
    assert (row["appealed_share"], row["changed_share"], row["answers_changed"], row["timings_changed"]) == (
        1.0, 1.0, 1, 1)


def test_contact_of_no_wave_is_its_own_group_and_no_released_column_counts_all():
    """A missing wave is a group (NaN key), and a frame without ``released`` counts every row."""
    frame = pd.DataFrame({"contact_id": [1, 2], "wave": ["Q1", None], "brand": ["A", "A"]})
    table = appeal_rates(frame, appeals([(2, 1, 1, 0)]))
    assert len(table) == 2
    no_wave = table[table["wave"].isna()].iloc[0]
    assert (no_wave["contacts"], no_wave["changed"]) == (1, 1)


def test_overall_without_groups():
    """``by=()`` gives one row over all contacts."""
    table = appeal_rates(contacts([(1, "Q1", "A", True), (2, "Q2", "B", True)]), appeals([(1, 1, 0, 0)]), by=())
    assert len(table) == 1 and table.iloc[0]["appealed_share"] == 0.5 and table.iloc[0]["contacts"] == 2


def test_missing_column_is_named():
    """A frame without a needed column is refused, naming it."""
    with pytest.raises(ValueError, match="answers_changed"):
        appeal_rates(contacts([(1, "Q1", "A", True)]), pd.DataFrame({"contact_id": [1], "appeals": [1]}))


def test_categorical_keys_add_no_empty_groups():
    """Categorical group keys (the dashboards' frame) give only the groups that have contacts."""
    frame = contacts([(1, "Q1", "A", True)]).astype({"brand": pd.CategoricalDtype(["A", "B"])})
    table = appeal_rates(frame, appeals([]))
    assert list(table["brand"]) == ["A"] and not math.isnan(table["appealed_share"].iloc[0])
