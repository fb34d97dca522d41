"""The live frames (journeys.fieldwork.refresh): after the services' writes, a refresh that re-reads
only the changed contacts (with their stored scores) equals a full read, on SQLite and PostgreSQL;
what only a full read can show is read in full."""

from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pandas as pd
import pytest
from sqlmodel import select

from data.db import write_scope
from journeys.catalogue.journeys import CriterionIn, JourneyChannelIn, JourneyIn, create_journey
from journeys.fieldwork import refresh
from journeys.fieldwork.contacts import AnswerIn, ContactStart, save_contact, start_contact
from journeys.models import Brand, ChangeLog, Contact, Criterion
from journeys.review.workflow import submit_contact
from tests.factories import make_world

NOW = datetime(2026, 3, 2, 12, 0, tzinfo=UTC)


def _world(engine) -> dict:
    with write_scope(engine) as session:
        w = make_world(session)
        w["criteria"] = session.exec(select(Criterion).where(Criterion.version_id == w["version"].id)
                                     .order_by(Criterion.position)).all()
    return w


def _logged(engine, w, values=(1, 1, 0), channel="email", hours_ago=3) -> int:
    """A contact started and saved complete by the auditor through the services."""
    with write_scope(engine) as session:
        contact = start_contact(session=session, actor=w["auditor"], now=NOW, start=ContactStart(
            journey_id=w["journey"].id, brand_id=w["brand"].id, channel_id=w["channels"][channel].id,
            wave_id=w["wave"].id, started_at=NOW - timedelta(hours=hours_ago)))
        save_contact(session=session, actor=w["auditor"], contact_id=contact.id, now=NOW, complete=True,
                     changes={"first_response_at": NOW - timedelta(hours=1)},
                     answers=[AnswerIn(criterion_id=c.id, value=float(v)) for c, v in zip(w["criteria"], values,
                                                                                            strict=False)])
        return contact.id



def _assert_equals_a_full_read(engine, frames: refresh.Frames) -> None:
    full = refresh.read_frames(engine)
    assert frames.version == full.version
    pd.testing.assert_frame_equal(frames.contacts, full.contacts)


def test_a_refresh_rereads_only_what_changed_and_equals_a_full_read(engine):
    w = _world(engine)
    first = _logged(engine, w)
    second = _logged(engine, w, values=(0, 0, 0))
    frames = refresh.read_frames(engine)
    assert refresh.refresh_frames(engine, frames) is frames  # nothing changed: nothing read

    third = _logged(engine, w, channel="phone")  # a new contact
    with write_scope(engine) as session:  # an answer corrected, a timing added
        save_contact(session=session, actor=w["auditor"], contact_id=first, now=NOW,
                     answers=[AnswerIn(criterion_id=w["criteria"][2].id, value=1.0)])
    with write_scope(engine) as session:  # submitted for review: a review step
        submit_contact(session=session, actor=w["auditor"], contact_id=second, now=NOW)
    with write_scope(engine) as session:  # a draft: never in the frames
        draft = start_contact(session=session, actor=w["auditor"], now=NOW, start=ContactStart(
            journey_id=w["journey"].id, brand_id=w["brand"].id, channel_id=w["channels"]["email"].id,
            wave_id=w["wave"].id, started_at=NOW - timedelta(hours=2)))
        save_contact(session=session, actor=w["auditor"], contact_id=draft.id, now=NOW, draft=True,
                     answers=[AnswerIn(criterion_id=w["criteria"][0].id, value=1.0)])
    patched = refresh.refresh_frames(engine, frames)
    assert patched.read_at == frames.read_at and 0 < patched.patched <= 3 + 2 * refresh.LOOKBACK
    assert set(patched.contacts["contact_id"]) == {first, second, third}
    assert patched.contacts.set_index("contact_id").loc[second, "review_status"] == "submitted"
    # the corrected answer's stored score came along: three of three items now
    assert patched.contacts.set_index("contact_id").loc[first, "final_score"] == 100.0
    _assert_equals_a_full_read(engine, patched)


def test_what_a_refresh_cannot_patch_is_read_in_full(engine):
    """A renamed brand (its name is on every row), a new checklist (new criteria), rows removed
    without a trace: a full read, never stale names or rows."""
    w = _world(engine)
    _logged(engine, w)
    frames = refresh.read_frames(engine)
    with write_scope(engine) as session:
        brand = session.get(Brand, w["brand"].id)
        brand.name = "Koopklik Nederland"
        session.add(ChangeLog(entity="brand", entity_id=brand.id, action="update", field="name",
                              old_value="Koopklik", new_value=brand.name))
    renamed = refresh.refresh_frames(engine, frames)
    assert renamed.patched == 0 and renamed.read_at > frames.read_at
    assert set(renamed.contacts["brand"]) == {"Koopklik Nederland"}
    _assert_equals_a_full_read(engine, renamed)

    with write_scope(engine) as session:
        create_journey(session=session, journey_in=JourneyIn(
            name="Another", scenario="s", question="q", reference_answer="a",
            channels=[JourneyChannelIn(channel="email")], criteria=[CriterionIn(code="X", text="X")]))
    assert refresh.changed_contacts(engine, renamed.version, refresh.data_version(engine)) is None
    with write_scope(engine) as session:  # removed directly (as a restore would): the marks go down
        for contact in session.exec(select(Contact)).all():
            session.delete(contact)
    gone = refresh.refresh_frames(engine, renamed)
    assert gone.contacts.empty and gone.patched == 0
    _assert_equals_a_full_read(engine, gone)


def test_entities_the_frames_never_show_need_no_reread(engine):
    w = _world(engine)
    contact_id = _logged(engine, w)
    frames = refresh.read_frames(engine)
    with write_scope(engine) as session:  # a user renamed: the auditors' names are on the rows
        session.add(ChangeLog(entity="user", entity_id=w["auditor"].id, action="update", field="username"))
    since, now = frames.version, refresh.data_version(engine)
    assert refresh.changed_contacts(engine, since, now) is None
    with write_scope(engine) as session:
        session.add(ChangeLog(entity="action_rule", entity_id=1, action="update", field="active"))
    ids, _ = refresh.changed_contacts(engine, now, refresh.data_version(engine))
    assert ids == {contact_id}  # the look-back, with nothing seen before


@pytest.mark.parametrize("tail_merged", [10_000, 0], ids=["merged-from-the-lowest", "gathered"])
def test_a_patch_replaces_moves_and_drops_rows_in_contact_id_order(monkeypatch, tail_merged):
    """``_patched`` on a frame larger than the look-back: a changed old row, a deleted one and a
    new one, against the same rows built from scratch, with the frames' kinds of column (nullable
    integers and booleans, UTC times, text with None); by both of its ways."""
    monkeypatch.setattr(refresh, "_TAIL_MERGED", tail_merged)

    def rows(ids, score):
        ids = list(ids)
        return pd.DataFrame({
            "contact_id": ids, "score": [score(i) for i in ids],
            "auditor_id": pd.array([i % 7 or None for i in ids], dtype="Int64"),
            "answer_correct": pd.array([None if i % 5 == 0 else i % 2 == 0 for i in ids], dtype="boolean"),
            "started_at": pd.to_datetime([1_700_000_000 + i for i in ids], unit="s", utc=True).as_unit("us"),
            "brand": pd.Series([None if i % 3 == 0 else f"b{i % 4}" for i in ids], dtype=object),
        })

    contacts = rows(range(1, 1001), float)
    fresh = rows([500, 1001], lambda i: -float(i))  # 3 was deleted: no fresh row
    patched = refresh._patched(contacts, fresh, {3, 500, 1001})
    expected = pd.concat([contacts[~contacts["contact_id"].isin([3, 500])], fresh]).sort_values("contact_id")
    pd.testing.assert_frame_equal(patched, expected.reset_index(drop=True))
    assert patched.loc[patched["contact_id"] == 500, "score"].item() == -500.0
    assert refresh._patched(contacts, fresh.iloc[1:], {1001})["contact_id"].tolist() == list(range(1, 1002))
    assert refresh._patched(contacts, fresh.iloc[:0], {3})["contact_id"].tolist() == [1, 2, *range(4, 1001)]
    assert contacts["contact_id"].tolist() == list(range(1, 1001))  # the frames patched are left as they were


def test_a_refresh_rereads_only_what_the_last_one_did_not_see(engine):
    """After a save, a refresh re-reads only the saved contact, not the look-back window the full
    read (or the refresh before) already saw; the same without a remembered window re-reads the
    whole window. An entry inside the window that the last refresh did not see (on PostgreSQL:
    committed after a higher id) is still picked up."""
    w = _world(engine)
    earlier = [_logged(engine, w) for _ in range(3)]
    frames = refresh.read_frames(engine)
    first = refresh.refresh_frames(engine, frames)
    assert first is frames  # nothing changed yet
    saved = _logged(engine, w)
    first = refresh.refresh_frames(engine, frames)
    assert first.changed == frozenset({saved})
    forgetful = refresh.refresh_frames(engine, replace(frames, window=None))
    assert forgetful.changed == frozenset({*earlier, saved})  # nothing seen before: the whole window
    again = _logged(engine, w)
    with write_scope(engine) as session:
        save_contact(session=session, actor=w["auditor"], contact_id=earlier[0], now=NOW,
                     answers=[AnswerIn(criterion_id=w["criteria"][2].id, value=1.0)])
    second = refresh.refresh_frames(engine, first)
    assert second.changed == frozenset({again, earlier[0]}) and second.patched == first.patched + 2
    _assert_equals_a_full_read(engine, second)

    late = max(second.window.changes)  # as if this entry had committed after the last refresh looked
    unseen = refresh.Window(second.window.changes - {late}, second.window.contacts, second.window.reviews)
    with write_scope(engine) as session:
        entity_id = session.get(ChangeLog, late).entity_id
    ids, _ = refresh.changed_contacts(engine, second.version, refresh.data_version(engine), unseen)
    assert ids == {int(entity_id)}
