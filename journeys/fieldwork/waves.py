"""Waves: the audit rounds a study runs in, their scope, and closing them.

A wave has a name, a first and a last day, and a scope: the brands, journeys and channels it
covers (``WaveBrand``, ``WaveJourney``, ``WaveChannel``; no rows of a kind means every one).
Managers and admins set waves up (``STUDY_PLANNERS``, "manage waves").

Closing a wave makes its figures final: no contact of it can be started, saved or changed, in
the app or by an import (``ensure_wave_open``). Who closed it is in the change log. Reopening is
for admins only (``REOPENERS``): it unfreezes figures that may have been reported as final.
"""

from datetime import date

import pandas as pd
import sqlalchemy as sa
from sqlmodel import Session, select

from journeys.accounts.access import STUDY_PLANNERS, ensure_role
from journeys.catalogue.reference import channel_display_names
from journeys.errors import NotFoundError, Problem, ValidationError
from journeys.language import _
from journeys.limits import shown, text_problem
from journeys.models import (
    Assignment,
    Brand,
    ChangeLog,
    Channel,
    Journey,
    PlanLine,
    Role,
    Wave,
    WaveBrand,
    WaveChannel,
    WaveJourney,
    utcnow,
)

MAX_NAME_LENGTH = 40  # Wave.name
# Reopening unfreezes figures that may have been reported as final: admins only.
REOPENERS = frozenset({Role.ADMIN})

WAVE_COLUMNS = ("wave_id", "name", "starts_on", "ends_on", "brands", "journeys", "channels", "closed",
                "closed_at", "planned")


def closed_wave_message(name: str) -> str:
    """Why nothing can be added to a closed wave, naming it."""
    return _("wave {name} is closed: its figures are final; no contact can be added or changed").format(name=name)


def ensure_wave_open(session: Session, wave_id: int | None) -> None:
    """Refuse a change to a contact of a closed wave (None: no wave, nothing to check).

    Raises:
        ValidationError: naming the wave.
    """
    if wave_id is None:
        return
    wave = session.get(Wave, wave_id)
    if wave is not None and wave.closed_at is not None:
        raise ValidationError(Problem("wave", None, closed_wave_message(wave.name), label=_("wave")))


def get_wave(session: Session, wave_id: int) -> Wave:
    """The wave with this id.

    Raises:
        NotFoundError: there is none.
    """
    wave = session.get(Wave, wave_id)
    if wave is None:
        raise NotFoundError(_("wave {id} does not exist").format(id=wave_id))
    return wave


def wave_scope(session: Session, wave_id: int) -> dict[str, set[int]]:
    """The wave's brand, journey and channel ids (``brands``, ``journeys``, ``channels``); an
    empty set means every one."""
    run = session.connection().execute
    return {
        "brands": {r[0] for r in run(sa.select(WaveBrand.brand_id).where(WaveBrand.wave_id == wave_id))},
        "journeys": {r[0] for r in run(sa.select(WaveJourney.journey_id).where(WaveJourney.wave_id == wave_id))},
        "channels": {r[0] for r in run(sa.select(WaveChannel.channel_id).where(WaveChannel.wave_id == wave_id))},
    }


def _unknown_ids(session: Session, model, ids: set[int]) -> set[int]:
    if not ids:
        return set()
    found = {r[0] for r in session.connection().execute(sa.select(model.id).where(model.id.in_(ids)))}
    return ids - found


def _check(session: Session, *, wave_id: int | None, name: str, starts_on: date | None, ends_on: date | None,
           brand_ids, journey_ids, channel_ids) -> tuple[str, list[Problem]]:
    problems = []
    clean = (name or "").strip()
    if not clean:
        problems.append(Problem("name", name, _("must not be empty"), label=_("Wave name")))
    else:
        why = text_problem(clean, MAX_NAME_LENGTH)
        if why:
            problems.append(Problem("name", shown(clean), _("is longer than {limit} characters").format(
                limit=MAX_NAME_LENGTH), label=_("Wave name")))
        other = session.exec(select(Wave).where(Wave.name == clean)).first()
        if other is not None and other.id != wave_id:
            problems.append(Problem("name", clean, _("is already the name of another wave"), label=_("Wave name")))
    if starts_on is None:
        problems.append(Problem("starts_on", None, _("is required"), label=_("Start")))
    if ends_on is None:
        problems.append(Problem("ends_on", None, _("is required"), label=_("End")))
    if starts_on is not None and ends_on is not None and ends_on < starts_on:
        problems.append(Problem("ends_on", ends_on.isoformat(), _("must not be before the start ({start})").format(
            start=starts_on.isoformat()), label=_("End")))
    for field, label, model, ids in (("brands", _("Brands"), Brand, brand_ids),
                                     ("journeys", _("Journeys"), Journey, journey_ids),
                                     ("channels", _("Channels"), Channel, channel_ids)):
        unknown = _unknown_ids(session, model, set(ids or ()))
        if unknown:
            problems.append(Problem(field, ", ".join(map(str, sorted(unknown))), _("do not exist"), label=label))
    return clean, problems


def _set_scope(session: Session, wave_id: int, brand_ids, journey_ids, channel_ids) -> None:
    run = session.connection().execute
    for model, column, ids in ((WaveBrand, "brand_id", brand_ids), (WaveJourney, "journey_id", journey_ids),
                               (WaveChannel, "channel_id", channel_ids)):
        run(sa.delete(model.__table__).where(model.__table__.c.wave_id == wave_id))
        rows = [{"wave_id": wave_id, column: i} for i in sorted(set(ids or ()))]
        if rows:
            run(sa.insert(model.__table__), rows)


def _log(session: Session, actor, wave_id: int, action: str, field: str, old, new) -> None:
    session.add(ChangeLog(user_id=getattr(actor, "id", None), entity="wave", entity_id=wave_id, action=action,
                          field=field, old_value=None if old is None else str(old),
                          new_value=None if new is None else str(new)))


def create_wave(*, session: Session, actor, name: str, starts_on: date | None, ends_on: date | None,
                brand_ids=(), journey_ids=(), channel_ids=()) -> Wave:
    """A new wave with its scope (an empty list of brands, journeys or channels: all of them).

    Raises:
        PermissionDenied: not a study planner.
        ValidationError: an empty or taken name, a missing date, an end before the start, an
            unknown brand, journey or channel.
    """
    ensure_role(actor, *STUDY_PLANNERS, action="manage waves")
    clean, problems = _check(session, wave_id=None, name=name, starts_on=starts_on, ends_on=ends_on,
                             brand_ids=brand_ids, journey_ids=journey_ids, channel_ids=channel_ids)
    if problems:
        raise ValidationError(problems)
    wave = Wave(name=clean, starts_on=starts_on, ends_on=ends_on)
    session.add(wave)
    session.flush()
    _set_scope(session, wave.id, brand_ids, journey_ids, channel_ids)
    _log(session, actor, wave.id, "create", "", None, clean)
    return wave


def _outside_scope(session: Session, wave_id: int, brand_ids, journey_ids, channel_ids) -> list[Problem]:
    """Plan lines a narrowed scope would leave outside it."""
    problems = []
    lines = session.connection().execute(
        sa.select(PlanLine.brand_id, PlanLine.journey_id, PlanLine.channel_id).where(PlanLine.wave_id == wave_id)
    ).all()
    for field, label, model, ids, position in (("brands", _("Brands"), Brand, brand_ids, 0),
                                               ("journeys", _("Journeys"), Journey, journey_ids, 1),
                                               ("channels", _("Channels"), Channel, channel_ids, 2)):
        wanted = set(ids or ())
        if not wanted:
            continue
        left_out = {line[position] for line in lines} - wanted
        if left_out:
            names = session.connection().execute(
                sa.select(model.name).where(model.id.in_(left_out)).order_by(model.name)).scalars().all()
            problems.append(Problem(field, ", ".join(names), _(
                "the plan of this wave has lines for these; delete those lines first or keep them in scope"),
                label=label))
    return problems


def update_wave(*, session: Session, actor, wave_id: int, name: str, starts_on: date | None,
                ends_on: date | None, brand_ids=(), journey_ids=(), channel_ids=()) -> Wave:
    """Change a wave's name, dates and scope. A closed wave is not changed (reopen it first);
    the scope cannot leave out what the wave's plan already holds.

    Raises:
        PermissionDenied: not a study planner.
        ValidationError: as ``create_wave``, or the wave is closed, or plan lines fall outside.
    """
    ensure_role(actor, *STUDY_PLANNERS, action="manage waves")
    wave = get_wave(session, wave_id)
    if wave.closed_at is not None:
        raise ValidationError(Problem("wave", None, closed_wave_message(wave.name), label=_("wave")))
    clean, problems = _check(session, wave_id=wave_id, name=name, starts_on=starts_on, ends_on=ends_on,
                             brand_ids=brand_ids, journey_ids=journey_ids, channel_ids=channel_ids)
    problems += _outside_scope(session, wave_id, brand_ids, journey_ids, channel_ids)
    if problems:
        raise ValidationError(problems)
    for field, new in (("name", clean), ("starts_on", starts_on), ("ends_on", ends_on)):
        old = getattr(wave, field)
        if old != new:
            _log(session, actor, wave_id, "update", field, old, new)
            setattr(wave, field, new)
    session.add(wave)
    session.flush()
    _set_scope(session, wave_id, brand_ids, journey_ids, channel_ids)
    return wave


def close_wave(*, session: Session, actor, wave_id: int) -> Wave:
    """Close a wave: its figures are final, no contact of it can be added or changed.

    Raises:
        PermissionDenied: not a study planner.
        ValidationError: it is closed already.
    """
    ensure_role(actor, *STUDY_PLANNERS, action="manage waves")
    wave = get_wave(session, wave_id)
    if wave.closed_at is not None:
        raise ValidationError(Problem("wave", wave.name, _("is closed already"), label=_("wave")))
    wave.closed_at = utcnow()
    session.add(wave)
    _log(session, actor, wave_id, "update", "closed_at", None, wave.closed_at.isoformat())
    session.flush()
    return wave


def reopen_wave(*, session: Session, actor, wave_id: int) -> Wave:
    """Reopen a closed wave (admins only: its figures stop being final).

    Raises:
        PermissionDenied: not an admin.
        ValidationError: it is open.
    """
    ensure_role(actor, *REOPENERS, action="reopen waves")
    wave = get_wave(session, wave_id)
    if wave.closed_at is None:
        raise ValidationError(Problem("wave", wave.name, _("is open"), label=_("wave")))
    _log(session, actor, wave_id, "update", "closed_at", wave.closed_at.isoformat(), None)
    wave.closed_at = None
    session.add(wave)
    session.flush()
    return wave


def _names_in_words(ids: set[int], names: dict[int, str], everything: str) -> str:
    return everything if not ids else ", ".join(sorted(names.get(i, str(i)) for i in ids))


def waves_frame(*, session: Session, actor) -> pd.DataFrame:
    """Every wave, newest start first: ``WAVE_COLUMNS`` (scope in words, "all brands" for none;
    ``planned``: its planned contacts)."""
    ensure_role(actor, *STUDY_PLANNERS, action="manage waves")
    run = session.connection().execute
    brands = dict(run(sa.select(Brand.id, Brand.name)).all())
    journeys = dict(run(sa.select(Journey.id, Journey.name)).all())
    display = channel_display_names(session=session)
    channels = {i: display.get(n, n) for i, n in run(sa.select(Channel.id, Channel.name)).all()}
    planned = dict(run(sa.select(Assignment.wave_id, sa.func.count()).group_by(Assignment.wave_id)).all())
    rows = []
    for wave in session.exec(select(Wave)).all():
        scope = wave_scope(session, wave.id)
        rows.append((wave.id, wave.name, wave.starts_on, wave.ends_on,
                     _names_in_words(scope["brands"], brands, _("all brands")),
                     _names_in_words(scope["journeys"], journeys, _("all journeys")),
                     _names_in_words(scope["channels"], channels, _("all channels")),
                     wave.closed_at is not None, wave.closed_at, int(planned.get(wave.id, 0))))
    frame = pd.DataFrame(rows, columns=list(WAVE_COLUMNS))
    frame["_start"] = frame["starts_on"].map(lambda d: d or date.min)
    return frame.sort_values(["_start", "name"], ascending=False).drop(columns="_start").reset_index(drop=True)
