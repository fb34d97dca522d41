"""The follow-up column of the action plan: what the wave after an action's wave found on the
same item and place ("Fixed in 2026-Q4: yes (n = 3)"), read from the database and checked by
the pure rules of ``scoring.follow_up`` (docs/scoring.md, "Follow-up of actions").

Only released contacts count (a result the client has not seen cannot show a fix to it). The
item is matched by its code, not its row: the next wave may score a newer checklist version.
The frames are read inside the caller's transaction (``journeys.fieldwork.frames.OnConnection``).
"""

from datetime import UTC, datetime

import numpy as np
import pandas as pd
import sqlalchemy as sa
from sqlmodel import Session, select

from journeys.fieldwork.frames import ContactFilter, read_answers, read_contacts, read_criteria
from journeys.language import _, number
from journeys.models import ActionItem, Contact, Criterion, ReviewStatus, RuleKind, Wave
from journeys.review.appeals import _InTransaction
from scoring.follow_up import NOT_MEASURED, Check, criterion_check, gap_check, late_check, next_waves, score_check
from scoring.metrics import MIN_CONTACTS
from scoring.pipeline import scored_contacts
from scoring.quality import answer_scores


def check_text(wave: str | None, check: Check) -> str:
    """The follow-up in words: "Fixed in 2026-Q4: yes (n = 3)", "... no (n = 2)", "Not measured yet"."""
    if wave is None:
        return _("Not measured yet")
    if check.fixed is None:
        return _("Fixed in {wave}: not measured yet").format(wave=wave)
    answer = _("yes") if check.fixed else _("no")
    return _("Fixed in {wave}: {answer} (n = {n})").format(wave=wave, answer=answer, n=number(check.n))


def follow_up_checks(session: Session, action_ids, *, as_of: datetime | None = None) -> dict[int, tuple]:
    """Per action id: ``(next wave's name or None, scoring.follow_up.Check)``."""
    ids = [int(i) for i in action_ids]
    if not ids:
        return {}
    actions = session.exec(select(ActionItem).where(ActionItem.id.in_(ids))).all()
    waves = pd.DataFrame([dict(wave_id=w.id, name=w.name, starts_on=w.starts_on)
                          for w in session.exec(select(Wave)).all()], columns=["wave_id", "name", "starts_on"])
    following = next_waves(waves)
    names = dict(zip(waves["wave_id"], waves["name"], strict=True))
    wanted = {following.get(a.wave_id) for a in actions if a.wave_id is not None} - {None}
    scored, items = _scored(session, wanted, {a.brand_id for a in actions}, as_of)
    codes = dict(session.exec(select(Criterion.id, Criterion.code).where(
        Criterion.id.in_([a.criterion_id for a in actions if a.criterion_id is not None] or [-1]))).all())
    out = {}
    for action in actions:
        wave = following.get(action.wave_id) if action.wave_id is not None else None
        if wave is None:
            out[action.id] = (None, NOT_MEASURED)
            continue
        out[action.id] = (names[wave], _check(action, wave, scored, items, codes.get(action.criterion_id)))
    return out


def follow_up_texts(session: Session, action_ids, *, as_of: datetime | None = None) -> dict[int, str]:
    """Per action id, the follow-up in words (``check_text``)."""
    return {i: check_text(w, c) for i, (w, c) in follow_up_checks(session, action_ids, as_of=as_of).items()}


def _scored(session: Session, wave_ids: set, brand_ids: set, as_of) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The released contacts of ``wave_ids`` and ``brand_ids``, scored, with their ids; and their
    answers' item scores with the item code."""
    empty = pd.DataFrame(columns=["contact_id", "brand_id", "wave_id", "location_id", "journey_id", "channel_id"])
    if not wave_ids:
        return empty, pd.DataFrame(columns=["contact_id", "code", "item_score"])
    keys = pd.DataFrame(session.execute(
        sa.select(Contact.id.label("contact_id"), Contact.brand_id, Contact.wave_id, Contact.location_id,
                  Contact.journey_id, Contact.channel_id)
        .where(Contact.wave_id.in_(sorted(wave_ids)), Contact.brand_id.in_(sorted(brand_ids)),
               Contact.review_status == ReviewStatus.RELEASED.value, Contact.is_draft.is_(False))).all(),
        columns=empty.columns)
    if keys.empty:
        return empty, pd.DataFrame(columns=["contact_id", "code", "item_score"])
    source = _InTransaction(session)
    contacts = read_contacts(source, ContactFilter(contact_ids=tuple(int(i) for i in keys["contact_id"])))
    answers = read_answers(source, contacts["contact_id"].tolist(), comments=False)
    criteria = read_criteria(source, contacts["version_id"].unique().tolist())
    scored = scored_contacts(contacts, answers, criteria, as_of or datetime.now(UTC))
    scored = scored.merge(keys, on="contact_id", how="inner")
    items = answer_scores(contacts, answers, criteria)[["contact_id", "code", "item_score"]]
    return scored, items


def _check(action: ActionItem, wave: int, scored: pd.DataFrame, items: pd.DataFrame, code: str | None) -> Check:
    same = scored[(scored["wave_id"] == wave) & (scored["journey_id"] == action.journey_id)
                  & (scored["brand_id"] == action.brand_id)] if not scored.empty else scored
    if action.location_id is not None and action.kind != RuleKind.CHANNEL_GAP:
        same = same[same["location_id"] == action.location_id]
    if same.empty:
        return NOT_MEASURED
    kind = RuleKind(action.kind)
    if kind is RuleKind.CRITICAL_FAIL or (action.criterion_id is not None and kind is not RuleKind.CHANNEL_GAP):
        answered = items[items["contact_id"].isin(same["contact_id"]) & (items["code"] == code)]
        return criterion_check(answered["item_score"])
    if kind is RuleKind.SCORE_BELOW:
        return score_check(same["final_score"], float(action.threshold or 0))
    if kind is RuleKind.RESPONSE_LATE:
        same = same[same["channel_id"] == action.channel_id]
        clock = np.where(same["responded"].to_numpy(dtype=bool), same["response_clock_s"].to_numpy(dtype=float),
                         np.nan) if not same.empty else np.array([], dtype=float)
        return late_check(pd.Series(clock), same["first_response_target_s"].reset_index(drop=True),
                          float(action.threshold or 0))
    return gap_check(same["channel_id"], same["final_score"], float(action.threshold or 0), min_n=MIN_CONTACTS)
