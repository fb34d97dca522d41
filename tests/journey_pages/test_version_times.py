"""The journey page's checklist versions read in local time, like every other time a person reads
(issue 15, item 10): not the stored UTC."""

from sqlmodel import select

from data import db
from data.db import read_scope
from journeys.local_time import MINUTE, local_text
from journeys.models import ChecklistVersion, Journey
from tests.journey_pages.test_journey_pages import _page


def test_checklist_versions_show_when_they_were_created_in_local_time(world_env):  # noqa: F811
    engine = db.get_engine(world_env)
    with read_scope(engine) as session:
        journey = session.exec(select(Journey)).one()
        created = [local_text(v.created_at, MINUTE) for v in session.exec(
            select(ChecklistVersion).where(ChecklistVersion.journey_id == journey.id)
            .order_by(ChecklistVersion.number)).all()]
    at = _page(world_env)
    table = next(d.value for d in at.dataframe if list(d.value.columns)[:2] == ["version", "created"])
    assert table["created"].tolist() == created
