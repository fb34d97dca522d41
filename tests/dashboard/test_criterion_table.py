"""The criterion × channel heatmap table (``scoring.criterion_channel``) equals a plain pandas
computation from ``scoring.quality.answer_scores``."""

import pandas as pd
import pytest

from data import db
from journeys.demo import seed_demo
from journeys.fieldwork.frames import ContactFilter, read_answers, read_contacts, read_criteria
from scoring.criterion_channel import criterion_channel_table, item_scores
from scoring.metrics import MIN_CONTACTS
from scoring.pipeline import dashboard_frame, scored_contacts
from scoring.quality import answer_scores
from tests.dashboard.test_dashboard_pages import AS_OF
from ui.dashboard_data import apply_filter


def _plain(contacts, answers, criteria) -> pd.DataFrame:
    """Means per (code, channel) straight from answer_scores, cells below MIN_CONTACTS dropped."""
    items = answer_scores(contacts, answers[answers["contact_id"].isin(contacts["contact_id"])], criteria)
    items = items[~items["is_na"]].merge(contacts[["contact_id", "channel"]].astype({"channel": str}))
    cells = items.groupby(["code", "channel"])["item_score"].agg(["mean", "size"]).reset_index()
    return cells[cells["size"] >= MIN_CONTACTS]


@pytest.fixture(scope="module")
def demo_engine(module_db_url):
    """A demo database with 400 contacts (seed 3), seeded once: the tests here only read it."""
    engine = db.get_engine(module_db_url)
    seed_demo(engine, contacts=400, seed=3)
    return engine


@pytest.mark.parametrize("flt", [ContactFilter(), ContactFilter(brands=("Koopklik",)),
                                 ContactFilter(channels=("email", "phone"), waves=("2026-Q3",))])
def test_heatmap_cells_equal_answer_scores(demo_engine, flt):
    """Every cell is the mean item score of its code and channel, and its n the answers behind it."""
    engine = demo_engine
    answers, criteria = read_answers(engine), read_criteria(engine)
    frame = dashboard_frame(scored_contacts(read_contacts(engine), answers, criteria, AS_OF))
    contacts = apply_filter(frame, flt)
    table = criterion_channel_table(contacts, item_scores(frame, answers, criteria), max_items=1000)
    expected = _plain(contacts, answers, criteria)
    assert len(table) == len(expected) > 0
    table = table.assign(code=table["criterion"].str.split(" · ").str[0])
    merged = table.merge(expected, on=["code", "channel"], validate="one_to_one")
    assert (merged["n"] == merged["size"]).all()
    assert ((merged["score"] * 100 - merged["mean"]).abs() < 1e-9).all()
    db.dispose_engines()


def test_heatmap_keeps_the_items_that_differ_most(demo_engine):
    """With ``max_items`` the heatmap keeps the items with the widest spread between channels."""
    engine = demo_engine
    answers, criteria = read_answers(engine), read_criteria(engine)
    frame = dashboard_frame(scored_contacts(read_contacts(engine), answers, criteria, AS_OF))
    table = criterion_channel_table(frame, item_scores(frame, answers, criteria), max_items=3)
    spreads = table.drop_duplicates("criterion")["spread"]
    assert table["criterion"].nunique() == 3
    full = criterion_channel_table(frame, item_scores(frame, answers, criteria), max_items=1000)
    assert spreads.min() >= full.drop_duplicates("criterion")["spread"].nlargest(3).min() - 1e-12
