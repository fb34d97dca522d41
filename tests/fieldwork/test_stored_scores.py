"""The stored scores (journeys.fieldwork.scores) equal a full rescoring, whatever the checklist and
the answers: random checklists (kinds, weights, bonus items, N/A, knock-outs, items of some
channels only) and random answers, written through the services an auditor and a reviewer use
(start, save, change an answer, submit, correct in review), on SQLite and PostgreSQL."""

from datetime import UTC, datetime, timedelta
from itertools import count

import numpy as np
import pandas as pd
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlmodel import select

from data.db import write_scope
from journeys.accounts.users import create_user
from journeys.catalogue.journeys import CriterionIn, JourneyChannelIn, JourneyIn, create_journey
from journeys.catalogue.reference import ensure_builtin_channels, get_or_create_brand, get_or_create_wave
from journeys.fieldwork import scores
from journeys.fieldwork.contact_filter import ContactFilter
from journeys.fieldwork.contacts import AnswerIn, ContactStart, save_contact, start_contact
from journeys.fieldwork.frames import read_answers, read_contacts, read_criteria
from journeys.models import Answer, ChangeLog, ContactScore, Criterion
from journeys.review.workflow import correct_answer, submit_contact
from scoring.quality import score_contacts

NOW = datetime(2026, 3, 2, 12, 0, tzinfo=UTC)
CHANNELS = ("phone", "email", "whatsapp")
ALL = ContactFilter(include_drafts=True, include_unreleased=True)
_journeys = count(1)


@st.composite
def criteria(draw) -> list[CriterionIn]:
    items = []
    for i in range(draw(st.integers(1, 6))):
        kind = draw(st.sampled_from(["yesno", "scale"]))
        low = draw(st.integers(0, 3))
        policy = draw(st.sampled_from(["none", "none", "zero_section", "zero_contact", "flag_fail"]))
        items.append(CriterionIn(
            code=f"K{i}", text=f"Item {i}", section=draw(st.sampled_from(["Greeting", "Answer"])),
            weight=draw(st.sampled_from([0.5, 1.0, 2.0, 3.0])), kind=kind,
            scale_min=low if kind == "scale" else None,
            scale_max=low + draw(st.integers(1, 4)) if kind == "scale" else None,
            na_allowed=draw(st.booleans()),
            critical_policy=policy,
            bonus=policy == "none" and draw(st.booleans()) and draw(st.booleans()),  # a bonus item is never critical
            channels=tuple(draw(st.lists(st.sampled_from(CHANNELS), max_size=2, unique=True)))))
    return items


# One contact: its channel, a draw per item (missing, N/A or a value), whether it is saved
# complete and submitted, and one later change (an item and its new draw) by the auditor or, once
# submitted, by a reviewer.
answer_draws = st.tuples(st.sampled_from(["missing", "na", "value"]), st.floats(0, 1))
contacts = st.lists(st.tuples(st.sampled_from(CHANNELS), st.lists(answer_draws, min_size=6, max_size=6),
                              st.booleans(), st.one_of(st.none(), st.tuples(st.integers(0, 5), answer_draws))),
                    min_size=1, max_size=4)


def _answer(criterion: Criterion, draw, *, complete: bool) -> AnswerIn | None:
    how, fraction = draw
    if how == "na" and criterion.na_allowed:
        return AnswerIn(criterion.id, is_na=True)
    if how == "missing" and not complete:
        return None
    if criterion.kind == "scale":
        span = criterion.scale_max - criterion.scale_min
        return AnswerIn(criterion.id, value=float(criterion.scale_min + round(fraction * span)))
    return AnswerIn(criterion.id, value=float(fraction >= 0.5))


def _applicable(items: list[Criterion], channel: str, by_id: dict[int, tuple[str, ...]]) -> list[Criterion]:
    return [c for c in items if not by_id[c.id] or channel in by_id[c.id]]


def _write(engine, checklist: list[CriterionIn], drawn: list) -> None:
    with write_scope(engine) as session:
        channels = ensure_builtin_channels(session=session)
        brand = get_or_create_brand(session=session, name="Koopklik")
        wave = get_or_create_wave(session=session, name="2026-Q1")
        people = _existing_users(session)  # hypothesis writes many studies into one database
        for name, role in (("auditor1", "auditor"), ("manager1", "manager")):
            if name not in people:
                people[name] = create_user(session=session, username=name, role=role, password=f"{name}-pass")
        journey = create_journey(session=session, journey_in=JourneyIn(
            name=f"Journey {next(_journeys)}", scenario="s", question="q", reference_answer="a",
            channels=[JourneyChannelIn(channel=c) for c in CHANNELS], criteria=checklist))
        items = _criteria_of(session, journey.id)
    restricted = _channels_of(engine, [c.id for c in items])
    auditor, manager = people["auditor1"], people["manager1"]
    for channel, answers, complete, change in drawn:
        applicable = _applicable(items, channel, restricted)
        complete = complete and bool(applicable)
        with write_scope(engine) as session:
            contact = start_contact(session=session, actor=auditor, now=NOW, start=ContactStart(
                journey_id=journey.id, brand_id=brand.id, channel_id=channels[channel].id, wave_id=wave.id,
                started_at=NOW - timedelta(hours=3)))
            given_answers = [a for c, d in zip(applicable, answers, strict=False)
                             if (a := _answer(c, d, complete=complete)) is not None]
            save_contact(session=session, actor=auditor, contact_id=contact.id, now=NOW, complete=complete,
                         changes={"first_response_at": NOW - timedelta(hours=1)}, answers=given_answers)
            contact_id = contact.id
        if change is None or not applicable:
            continue
        position, draw = change
        item = applicable[position % len(applicable)]
        new = _answer(item, draw, complete=True)
        with write_scope(engine) as session:
            if complete:
                submit_contact(session=session, actor=auditor, contact_id=contact_id, now=NOW)
                try:
                    correct_answer(session=session, actor=manager, contact_id=contact_id, criterion_id=item.id,
                                   value=new.value, is_na=new.is_na, reason="heard the recording", now=NOW)
                except Exception as refused:  # the same answer again: nothing to correct, nothing written
                    assert "already saved" in str(refused)
            else:
                save_contact(session=session, actor=auditor, contact_id=contact_id, now=NOW, answers=[new])


def _existing_users(session) -> dict:
    from journeys.models import User

    return {u.username: u for u in session.exec(select(User)).all()}


def _criteria_of(session, journey_id: int) -> list[Criterion]:
    from journeys.models import ChecklistVersion

    return list(session.exec(select(Criterion).join(ChecklistVersion, ChecklistVersion.id == Criterion.version_id)
                             .where(ChecklistVersion.journey_id == journey_id).order_by(Criterion.position)).all())


def _channels_of(engine, criterion_ids: list[int]) -> dict[int, tuple[str, ...]]:
    frame = read_criteria(engine)
    frame = frame[frame["criterion_id"].isin(criterion_ids)]
    return dict(zip(frame["criterion_id"], frame["channels"], strict=True))


def _rescored(engine) -> pd.DataFrame:
    """Every contact scored from its answers: the full recomputation."""
    frame = read_contacts(engine, ALL)
    return score_contacts(frame, read_answers(engine, comments=False), read_criteria(engine))


def _stored(engine) -> pd.DataFrame:
    frame = read_contacts(engine, ALL, scores=True)
    return scores.stored_quality(frame, engine)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(checklist=criteria(), drawn=contacts)
def test_stored_scores_equal_a_full_rescoring(engine, checklist, drawn):
    _write(engine, checklist, drawn)
    with engine.connect() as connection:
        stored_rows = set(connection.execute(select(ContactScore.contact_id)).scalars())
        answered = set(connection.execute(select(Answer.contact_id)).scalars())
    full = _rescored(engine)
    # every contact with an answer has its stored score (one never answered is scored when read:
    # starting a contact stores nothing, so the write lock is held no longer than before)
    assert answered <= stored_rows <= set(full.index)
    pd.testing.assert_frame_equal(_stored(engine), full)


def test_a_contact_without_a_stored_score_is_scored_when_read_and_rescore_fills_it(engine):
    _write(engine, [CriterionIn(code="A", text="A", weight=2.0), CriterionIn(code="B", text="B",
                                                                           critical_policy="zero_contact")],
           [("email", [("value", 1.0), ("value", 0.0)] + [("missing", 0)] * 4, True, None),
            ("phone", [("value", 1.0), ("value", 1.0)] + [("missing", 0)] * 4, False, None)])
    with write_scope(engine) as session:  # as a path that stored nothing (or a database before 0010) left it
        session.execute(ContactScore.__table__.delete())
    assert read_contacts(engine, ALL, scores=True)["knockout"].isna().all()
    pd.testing.assert_frame_equal(_stored(engine), _rescored(engine))  # scored from the answers instead

    with write_scope(engine) as session:
        assert scores.store_all_scores(session.connection(), missing_only=True) == 2
    with engine.connect() as connection:
        stored = pd.read_sql(select(ContactScore).order_by(ContactScore.contact_id), connection)
        rescore_entries = connection.execute(select(ChangeLog).where(ChangeLog.entity == "contact_score")).all()
    assert stored["final_score"].tolist() == [0.0, 100.0]  # the knock-out struck the first
    assert stored["knockout"].tolist() == ["zero_contact", "none"]
    assert len(rescore_entries) == 1  # so every dashboard reads the new scores in full
    pd.testing.assert_frame_equal(_stored(engine), _rescored(engine))
    assert np.isfinite(stored["possible_points"]).all()


def test_rescore_and_migrate_commands_restore_the_stored_scores(engine, app_env):
    from typer.testing import CliRunner

    from cli.main import app

    _write(engine, [CriterionIn(code="A", text="A"), CriterionIn(code="B", text="B", weight=3.0)],
           [("email", [("value", 1.0), ("value", 0.0)] + [("missing", 0)] * 4, True, None),
            ("phone", [("value", 0.0), ("value", 1.0)] + [("missing", 0)] * 4, True, None)])
    with write_scope(engine) as session:  # stale: as after a change to the scoring rules
        session.execute(ContactScore.__table__.update().values(final_score=1.0, raw_score=1.0))
    assert _stored(engine)["final_score"].tolist() == [1.0, 1.0]
    done = CliRunner().invoke(app, ["rescore"])
    assert done.exit_code == 0, done.output
    assert "2 contacts scored" in done.output
    pd.testing.assert_frame_equal(_stored(engine), _rescored(engine))
    assert _stored(engine)["final_score"].tolist() == [25.0, 75.0]

    with write_scope(engine) as session:  # one without a stored score: `migrate` stores it, only it
        first = session.exec(select(ContactScore.contact_id).order_by(ContactScore.contact_id)).first()
        session.execute(ContactScore.__table__.delete().where(ContactScore.contact_id == first))
    done = CliRunner().invoke(app, ["migrate"])
    assert done.exit_code == 0, done.output
    assert "1 contact scored" in done.output
    pd.testing.assert_frame_equal(_stored(engine), _rescored(engine))
    assert "scored" not in CliRunner().invoke(app, ["migrate"]).output  # nothing missing: nothing said
