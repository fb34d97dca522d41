"""Assigning a wave's planned contacts to auditors: the services behind the planner's page
"Assign fieldwork" (docs/fieldwork.md, "Automatic assignment").

What lives here (every function takes ``session=`` and ``actor=``; only ``STUDY_PLANNERS`` may
call them):

- auditor profiles, what the rules know of each auditor: ``set_auditor_channels``,
  ``set_auditor_regions``, ``add_absence``, ``remove_absence``, read back by
  ``auditor_profiles`` and ``auditor_profiles_frame``. Only users with the role auditor have one;
- the rotation lockout, an installation setting (``LOCKOUT_SETTING``): ``get_lockout``,
  ``set_lockout``;
- automatic assignment in two steps: ``propose_assignment`` reads the wave into the pure rules'
  records (``journeys.fieldwork.assignment_rules``) and returns an ``AssignmentPreview``,
  writing nothing; ``apply_assignment`` writes a proposal in one go, and refuses the whole of it
  when any of its planned contacts was assigned, started or removed since the preview;
- ``assign_by_hand``: assign chosen planned contacts to an auditor, or to nobody, with a warning
  for every rule the choice breaks (it is the planner's call, not refused).

A planned contact can be (re)assigned while nobody has started it; a closed wave
(``journeys.models.Wave.closed_at``) takes no assignment changes at all. Every change is written
to the change log, one entry per planned contact.
"""

import dataclasses
import json
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

import pandas as pd
import sqlalchemy as sa
from sqlmodel import Session, select

from data.bulk import slices
from journeys.accounts.access import STUDY_PLANNERS, ensure_role
from journeys.catalogue.reference import channel_display_names
from journeys.errors import KlantreisError, NotFoundError, Problem, ValidationError
from journeys.fieldwork.assignment_rules import (
    AssignmentProposal,
    AuditorFit,
    Lockout,
    PlannedItem,
    Reason,
    Visit,
    auto_assign,
    eligible,
    reason_text,
)
from journeys.fieldwork.planned import local_today, planned_contacts
from journeys.language import _, day_text, ngettext, number
from journeys.local_time import to_local
from journeys.models import (
    Assignment,
    AuditorAbsence,
    AuditorChannel,
    AuditorRegion,
    ChangeLog,
    Channel,
    Contact,
    Location,
    PlanLine,
    Role,
    Setting,
    User,
    Wave,
    utcnow,
)

ACTION = "assign fieldwork"
LOCKOUT_SETTING = "rotation_lockout"
MAX_LOCKOUT_WAVES = 52
MAX_LOCKOUT_DAYS = 365
MAX_REGION_LENGTH = 80
MAX_NOTE_LENGTH = 200
_CHUNK = 2000  # ids per IN (...) list: well inside every database's limit on bound parameters
_NO_WAVE_INDEX = -(10**9)  # a contact outside every wave never falls inside a lockout in waves


class StalePreview(KlantreisError):
    """The plan changed between a preview and its application: nothing was written."""


def _ensure(actor) -> None:
    ensure_role(actor, *STUDY_PLANNERS, action=ACTION)


def _name(user: User) -> str:
    return user.display_name or user.username


# --- auditor profiles ----------------------------------------------------------------------------


@dataclass(frozen=True)
class AbsencePeriod:
    """One absence of an auditor (both days included)."""

    id: int
    starts_on: date
    ends_on: date
    note: str

    def in_words(self) -> str:
        """"2 Mar 2026 – 6 Mar 2026 (holiday)"; one day reads as that day."""
        period = (day_text(self.starts_on) if self.starts_on == self.ends_on
                  else _("{start} – {end}").format(start=day_text(self.starts_on), end=day_text(self.ends_on)))
        return f"{period} ({self.note})" if self.note else period


@dataclass(frozen=True)
class AuditorProfile:
    """What the assignment rules know of one active auditor."""

    user_id: int
    name: str
    channel_ids: tuple[int, ...]  # empty: every channel
    channels: tuple[str, ...]  # their key names
    regions: tuple[str, ...]  # empty: every region
    absences: tuple[AbsencePeriod, ...]

    def fit(self, load: int = 0) -> AuditorFit:
        """The profile as the rules read it."""
        return AuditorFit(id=self.user_id, channels=frozenset(self.channels), regions=frozenset(self.regions),
                          absences=tuple((a.starts_on, a.ends_on) for a in self.absences), load=load)


def _auditor(session: Session, user_id) -> User:
    """The user ``user_id``, who must be an auditor."""
    user = session.get(User, user_id) if isinstance(user_id, int) and not isinstance(user_id, bool) else None
    if user is None:
        raise NotFoundError(_("There is no user with id {id}.").format(id=user_id))
    if user.role != Role.AUDITOR:
        raise ValidationError(Problem("auditor", _name(user), _("must be a user with the role auditor"),
                                      label=_("auditor")))
    return user


def _log(session: Session, actor, entity: str, entity_id: int, action: str, field: str, old, new) -> None:
    session.add(ChangeLog(user_id=getattr(actor, "id", None), entity=entity, entity_id=entity_id, action=action,
                          field=field, old_value=old, new_value=new))


def auditor_profiles(*, session: Session, actor, include_inactive: bool = False) -> list[AuditorProfile]:
    """Every active auditor's profile (with ``include_inactive`` also deactivated ones), by name."""
    _ensure(actor)
    query = select(User).where(User.role == Role.AUDITOR)
    if not include_inactive:
        query = query.where(User.active == sa.true())
    users = sorted(session.exec(query).all(), key=lambda u: (_name(u).lower(), u.id))
    ids = [u.id for u in users]
    if not ids:
        return []
    channels: dict[int, list[tuple[int, str]]] = defaultdict(list)
    for user_id, channel_id, name in session.exec(
            select(AuditorChannel.user_id, Channel.id, Channel.name).join(Channel, Channel.id == AuditorChannel.channel_id)
            .where(AuditorChannel.user_id.in_(ids)).order_by(Channel.name)).all():
        channels[user_id].append((channel_id, name))
    regions: dict[int, list[str]] = defaultdict(list)
    for user_id, region in session.exec(select(AuditorRegion.user_id, AuditorRegion.region)
                                        .where(AuditorRegion.user_id.in_(ids)).order_by(AuditorRegion.region)).all():
        regions[user_id].append(region)
    absences: dict[int, list[AbsencePeriod]] = defaultdict(list)
    for row in session.exec(select(AuditorAbsence).where(AuditorAbsence.user_id.in_(ids))
                            .order_by(AuditorAbsence.starts_on, AuditorAbsence.id)).all():
        absences[row.user_id].append(AbsencePeriod(row.id, row.starts_on, row.ends_on, row.note))
    return [AuditorProfile(user_id=u.id, name=_name(u), channel_ids=tuple(c for c, _n in channels[u.id]),
                           channels=tuple(n for _c, n in channels[u.id]), regions=tuple(regions[u.id]),
                           absences=tuple(absences[u.id])) for u in users]


def _wave_loads(session: Session, wave_id: int) -> dict[int, int]:
    rows = session.exec(select(Assignment.auditor_id, sa.func.count()).where(
        Assignment.wave_id == wave_id, Assignment.auditor_id.is_not(None)).group_by(Assignment.auditor_id)).all()
    return {auditor_id: int(count) for auditor_id, count in rows}


PROFILE_COLUMNS = ("user_id", "auditor", "channels", "regions", "absences", "load")


def auditor_profiles_frame(*, session: Session, actor, wave_id: int | None = None) -> pd.DataFrame:
    """The active auditors' profiles in words, one row each: ``PROFILE_COLUMNS`` (channels by
    their display names, "all" when unrestricted; absences as periods); ``load`` is their planned
    contacts in ``wave_id`` (None without a wave)."""
    profiles = auditor_profiles(session=session, actor=actor)
    names = channel_display_names(session=session)
    loads = _wave_loads(session, wave_id) if wave_id is not None else {}
    everything = _("all")
    return pd.DataFrame([
        {"user_id": p.user_id, "auditor": p.name,
         "channels": ", ".join(names.get(c, c) for c in p.channels) or everything,
         "regions": ", ".join(p.regions) or everything,
         "absences": "; ".join(a.in_words() for a in p.absences),
         "load": loads.get(p.user_id, 0) if wave_id is not None else None}
        for p in profiles], columns=list(PROFILE_COLUMNS))


def set_auditor_channels(*, session: Session, actor, user_id: int, channel_ids: Iterable[int]) -> None:
    """The channels ``user_id`` tests (none: every channel)."""
    _ensure(actor)
    auditor = _auditor(session, user_id)
    wanted = sorted(set(channel_ids))
    known = dict(session.exec(select(Channel.id, Channel.name).where(Channel.id.in_(wanted))).all()) if wanted else {}
    unknown = [c for c in wanted if c not in known]
    if unknown:
        raise ValidationError(Problem("channels", unknown, _("must be channels that exist"), label=_("channels")))
    old = session.exec(select(AuditorChannel.channel_id, Channel.name).join(
        Channel, Channel.id == AuditorChannel.channel_id).where(AuditorChannel.user_id == auditor.id)).all()
    session.execute(sa.delete(AuditorChannel).where(AuditorChannel.user_id == auditor.id))
    session.add_all(AuditorChannel(user_id=auditor.id, channel_id=c) for c in wanted)
    _log(session, actor, "app_user", auditor.id, "update", "channels",
         ", ".join(sorted(n for _c, n in old)), ", ".join(sorted(known.values())))


def set_auditor_regions(*, session: Session, actor, user_id: int, regions: Iterable[str]) -> None:
    """The regions ``user_id`` covers (none: every region); blanks are dropped, duplicates joined."""
    _ensure(actor)
    auditor = _auditor(session, user_id)
    wanted = sorted({str(r).strip() for r in regions} - {""})
    too_long = [r for r in wanted if len(r) > MAX_REGION_LENGTH]
    if too_long:
        raise ValidationError(Problem("regions", too_long[0], _("must be at most {n} characters").format(
            n=number(MAX_REGION_LENGTH)), label=_("regions")))
    old = session.exec(select(AuditorRegion.region).where(AuditorRegion.user_id == auditor.id)).all()
    session.execute(sa.delete(AuditorRegion).where(AuditorRegion.user_id == auditor.id))
    session.add_all(AuditorRegion(user_id=auditor.id, region=r) for r in wanted)
    _log(session, actor, "app_user", auditor.id, "update", "regions", ", ".join(sorted(old)), ", ".join(wanted))


def add_absence(*, session: Session, actor, user_id: int, starts_on: date, ends_on: date,
                note: str = "") -> AuditorAbsence:
    """Record that ``user_id`` cannot do fieldwork from ``starts_on`` to ``ends_on`` (both included)."""
    _ensure(actor)
    auditor = _auditor(session, user_id)
    note = (note or "").strip()
    problems = []
    if not isinstance(starts_on, date):
        problems.append(Problem("starts_on", starts_on, _("must be a date"), label=_("from")))
    if not isinstance(ends_on, date):
        problems.append(Problem("ends_on", ends_on, _("must be a date"), label=_("until")))
    if not problems and ends_on < starts_on:
        problems.append(Problem("ends_on", day_text(ends_on), _("must be on or after the first day ({day})").format(
            day=day_text(starts_on)), label=_("until")))
    if len(note) > MAX_NOTE_LENGTH:
        problems.append(Problem("note", None, _("must be at most {n} characters").format(n=number(MAX_NOTE_LENGTH)),
                                label=_("note")))
    if problems:
        raise ValidationError(problems)
    absence = AuditorAbsence(user_id=auditor.id, starts_on=starts_on, ends_on=ends_on, note=note)
    session.add(absence)
    session.flush()
    _log(session, actor, "auditor_absence", absence.id, "create", "", None,
         f"{auditor.username}: {starts_on.isoformat()} – {ends_on.isoformat()}")
    return absence


def remove_absence(*, session: Session, actor, absence_id: int) -> None:
    """Remove one absence."""
    _ensure(actor)
    absence = session.get(AuditorAbsence, absence_id)
    if absence is None:
        raise NotFoundError(_("There is no absence with id {id}.").format(id=absence_id))
    _log(session, actor, "auditor_absence", absence.id, "delete", "",
         f"{absence.starts_on.isoformat()} – {absence.ends_on.isoformat()}", None)
    session.delete(absence)


# --- the rotation lockout ------------------------------------------------------------------------


def get_lockout(*, session: Session) -> Lockout:
    """The installation's rotation lockout (off, ``Lockout()``, until a planner sets one)."""
    row = session.get(Setting, LOCKOUT_SETTING)
    if row is None:
        return Lockout()
    value = json.loads(row.value_json) or {}
    return Lockout(waves=int(value.get("waves", 0)), days=int(value.get("days", 0)))


def _whole(field: str, label: str, value, maximum: int, unit: str) -> Problem | None:
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= maximum:
        return Problem(field, value, _("must be a whole number of {unit} from 0 (off) to {max}").format(
            unit=unit, max=number(maximum)), label=label)
    return None


def set_lockout(*, session: Session, actor, waves: int, days: int) -> Lockout:
    """Set the rotation lockout: an auditor is not given a location they visited within the last
    ``waves`` waves or ``days`` days (0 turns either off)."""
    _ensure(actor)
    problems = [p for p in (_whole("waves", _("waves"), waves, MAX_LOCKOUT_WAVES, _("waves")),
                            _whole("days", _("days"), days, MAX_LOCKOUT_DAYS, _("days"))) if p]
    if problems:
        raise ValidationError(problems)
    old = get_lockout(session=session)
    row = session.get(Setting, LOCKOUT_SETTING) or Setting(key=LOCKOUT_SETTING)
    row.value_json = json.dumps({"waves": waves, "days": days})
    row.updated_at = utcnow()
    session.add(row)
    _log(session, actor, "setting", 0, "update", LOCKOUT_SETTING,
         json.dumps({"waves": old.waves, "days": old.days}), row.value_json)
    return Lockout(waves=waves, days=days)


# --- reading a wave for the rules ----------------------------------------------------------------


def _open_wave(session: Session, wave_id) -> Wave:
    """The wave ``wave_id``, refused when it does not exist or is closed."""
    wave = session.get(Wave, wave_id) if isinstance(wave_id, int) and not isinstance(wave_id, bool) else None
    if wave is None:
        raise NotFoundError(_("There is no wave with id {id}.").format(id=wave_id))
    if wave.closed_at is not None:
        raise ValidationError(Problem("wave", wave.name, _(
            "is closed: its assignments can no longer change (reopen the wave first)"), label=_("wave")))
    return wave


def wave_order(session: Session) -> dict[int, int]:
    """Every wave's index in time (by start date, a wave without one first; then by id)."""
    waves = session.exec(select(Wave.id, Wave.starts_on, Wave.ends_on)).all()
    ordered = sorted(waves, key=lambda w: (w[1] or w[2] or date.min, w[0]))
    return {wave_id: index for index, (wave_id, _s, _e) in enumerate(ordered)}


def _window_start(wave: Wave, due_on: date | None, today: date) -> date | None:
    """The first day a planned contact can still be made: the wave's start or today, the later;
    a contact already past its due date keeps the wave's own window (it is late either way)."""
    start = wave.starts_on
    if due_on is not None and due_on < today:
        return start
    return today if start is None or start < today else start


def _as_int(value) -> int | None:
    return None if value is None or pd.isna(value) else int(value)


def _items(frame: pd.DataFrame, wave: Wave, today: date) -> dict[int, PlannedItem]:
    items = {}
    for row in frame.itertuples(index=False):
        due = row.due_on if isinstance(row.due_on, date) else None
        items[int(row.assignment_id)] = PlannedItem(
            id=int(row.assignment_id), location_id=_as_int(row.location_id), region=row.region or "",
            channel=row.channel, due_on=due, starts_on=_window_start(wave, due, today))
    return items


def _history(session: Session, lockout: Lockout, wave_index: int, order: dict[int, int],
             exclude: Iterable[int] = ()) -> list[Visit]:
    """The visits that can lock an auditor out of a location for the wave ``wave_index``: planned
    contacts assigned to them (on their due date) and contacts they made (on their local start day).
    None at all when the lockout is off; only the waves that count when it is in waves only."""
    if not lockout.waves and not lockout.days:
        return []
    waves = None
    if not lockout.days:
        waves = [w for w, i in order.items() if 0 < wave_index - i <= lockout.waves]
        if not waves:
            return []
    excluded = set(exclude)
    assigned = (select(Assignment.id, Assignment.auditor_id, PlanLine.location_id, Assignment.wave_id,
                       Assignment.due_on)
                .join(PlanLine, PlanLine.id == Assignment.plan_line_id)
                .where(Assignment.auditor_id.is_not(None), PlanLine.location_id.is_not(None),
                       Assignment.contact_id.is_(None)))
    made = (select(Contact.auditor_id, Contact.location_id, Contact.wave_id, Contact.started_at)
            .where(Contact.auditor_id.is_not(None), Contact.location_id.is_not(None)))
    if waves is not None:
        assigned = assigned.where(Assignment.wave_id.in_(waves))
        made = made.where(Contact.wave_id.in_(waves))
    visits = [Visit(auditor_id=a, location_id=loc, wave_index=order.get(w, _NO_WAVE_INDEX), day=due)
              for assignment_id, a, loc, w, due in session.exec(assigned).all() if assignment_id not in excluded]
    visits += [Visit(auditor_id=a, location_id=loc,
                     wave_index=order.get(w, _NO_WAVE_INDEX) if w is not None else _NO_WAVE_INDEX,
                     day=to_local(started).date() if started is not None else None)
               for a, loc, w, started in session.exec(made).all()]
    return visits


def _shown_item(item: PlannedItem, channel_names: dict[str, str]) -> PlannedItem:
    """``item`` with its channel's display name, for a sentence (the rules keep the key)."""
    return dataclasses.replace(item, channel=channel_names.get(item.channel, item.channel))


# --- automatic assignment ------------------------------------------------------------------------

LOAD_COLUMNS = ("auditor_id", "auditor", "current", "new", "total")
UNASSIGNED_COLUMNS = ("assignment_id", "brand", "location", "journey", "channel", "due_on", "reason", "why")


@dataclass(frozen=True)
class AssignmentPreview:
    """What ``propose_assignment`` found: the proposal and the frames a page shows of it.

    ``loads``: one row per active auditor, ``LOAD_COLUMNS`` (planned contacts they hold in the
    wave now, the new ones, the total). ``unassigned``: the planned contacts left over,
    ``UNASSIGNED_COLUMNS`` (``reason`` the rule's code, ``why`` the sentence). ``open_count``: the
    planned contacts that were waiting for an auditor (assigned + left over)."""

    wave_id: int
    proposal: AssignmentProposal
    loads: pd.DataFrame
    unassigned: pd.DataFrame
    open_count: int
    lockout: Lockout

    @property
    def assigned_count(self) -> int:
        return len(self.proposal.assigned)


def _waiting(frame: pd.DataFrame) -> pd.DataFrame:
    """The planned contacts nobody holds and nobody started."""
    return frame[frame["auditor_id"].isna() & frame["contact_id"].isna()]


def propose_assignment(*, session: Session, actor, wave_id: int, today: date | None = None) -> AssignmentPreview:
    """A balanced proposal for the planned contacts of ``wave_id`` that are waiting for an auditor,
    honouring the auditors' channels, regions and absences and the rotation lockout
    (``journeys.fieldwork.assignment_rules.auto_assign``). Writes nothing."""
    _ensure(actor)
    wave = _open_wave(session, wave_id)
    today = today or local_today()
    frame = planned_contacts(session=session, today=today, wave_id=wave.id)
    waiting = _waiting(frame)
    items = _items(waiting, wave, today)
    profiles = auditor_profiles(session=session, actor=actor)
    loads = _wave_loads(session, wave.id)
    lockout = get_lockout(session=session)
    order = wave_order(session)
    wave_index = order[wave.id]
    proposal = auto_assign(items.values(), [p.fit(loads.get(p.user_id, 0)) for p in profiles],
                           history=_history(session, lockout, wave_index, order), lockout=lockout,
                           wave_index=wave_index)
    new = defaultdict(int)
    for auditor_id in proposal.assigned.values():
        new[auditor_id] += 1
    load_frame = pd.DataFrame([
        {"auditor_id": p.user_id, "auditor": p.name, "current": loads.get(p.user_id, 0), "new": new[p.user_id],
         "total": loads.get(p.user_id, 0) + new[p.user_id]} for p in profiles], columns=list(LOAD_COLUMNS))
    names = channel_display_names(session=session)
    left = waiting[waiting["assignment_id"].isin(list(proposal.unassigned))]
    unassigned = pd.DataFrame([
        {"assignment_id": int(row.assignment_id), "brand": row.brand, "location": row.location,
         "journey": row.journey, "channel": names.get(row.channel, row.channel), "due_on": row.due_on,
         "reason": str(proposal.unassigned[int(row.assignment_id)]),
         "why": reason_text(proposal.unassigned[int(row.assignment_id)],
                            _shown_item(items[int(row.assignment_id)], names))}
        for row in left.itertuples(index=False)], columns=list(UNASSIGNED_COLUMNS))
    return AssignmentPreview(wave_id=wave.id, proposal=proposal, loads=load_frame, unassigned=unassigned,
                             open_count=len(items), lockout=lockout)


def _active_auditor_ids(session: Session, ids: Iterable[int]) -> set[int]:
    ids = list(set(ids))
    if not ids:
        return set()
    return set(session.exec(select(User.id).where(User.id.in_(ids), User.role == Role.AUDITOR,
                                                  User.active == sa.true())).all())


def _stale(count: int) -> StalePreview:
    return StalePreview(ngettext(
        "{n} planned contact of the preview was assigned, started or removed since: nothing was assigned. "
        "Preview the automatic assignment again.",
        "{n} planned contacts of the preview were assigned, started or removed since: nothing was assigned. "
        "Preview the automatic assignment again.", count).format(n=number(count)))


def apply_assignment(*, session: Session, actor, wave_id: int, proposal: AssignmentProposal) -> int:
    """Write ``proposal`` (from ``propose_assignment`` of ``wave_id``): each of its planned contacts
    to its auditor, all or nothing; returns how many were assigned.

    Raises:
        StalePreview: a planned contact of it is no longer waiting (assigned, started or removed
            since the preview), or an auditor of it is no longer an active auditor; nothing is written
            (the caller's transaction is rolled back by the exception).
    """
    _ensure(actor)
    wave = _open_wave(session, wave_id)
    by_auditor: dict[int, list[int]] = defaultdict(list)
    for assignment_id, auditor_id in proposal.assigned.items():
        by_auditor[auditor_id].append(assignment_id)
    gone = set(by_auditor) - _active_auditor_ids(session, by_auditor)
    if gone:
        raise StalePreview(_("An auditor of the preview is no longer an active auditor: nothing was assigned. "
                             "Preview the automatic assignment again."))
    ids = sorted(proposal.assigned)
    still_waiting = 0
    for chunk in slices(ids, _CHUNK):
        still_waiting += session.exec(select(sa.func.count()).select_from(Assignment).where(
            Assignment.id.in_(chunk), Assignment.wave_id == wave.id, Assignment.auditor_id.is_(None),
            Assignment.contact_id.is_(None))).one()
    if still_waiting != len(ids):
        raise _stale(len(ids) - still_waiting)
    now = utcnow()
    user_id = getattr(actor, "id", None)
    changed = 0
    for auditor_id, ids in sorted(by_auditor.items()):
        for chunk in slices(sorted(ids), _CHUNK):
            result = session.execute(
                sa.update(Assignment)
                .where(Assignment.id.in_(chunk), Assignment.wave_id == wave.id, Assignment.auditor_id.is_(None),
                       Assignment.contact_id.is_(None))
                .values(auditor_id=auditor_id, assigned_at=now)
                .execution_options(synchronize_session=False))
            changed += result.rowcount
            if result.rowcount != len(chunk):  # changed between the check above and this write
                raise _stale(len(chunk) - result.rowcount)
        session.execute(sa.insert(ChangeLog), [
            {"changed_at": now, "user_id": user_id, "entity": "assignment", "entity_id": assignment_id,
             "action": "update", "field": "auditor_id", "old_value": None, "new_value": str(auditor_id)}
            for assignment_id in ids])
    return changed


# --- by hand -------------------------------------------------------------------------------------


def _warning(reason: Reason, auditor: str, item: PlannedItem, location: str, count: int) -> str:
    n = number(count)
    if reason is Reason.CHANNEL:
        return ngettext("{n} planned contact assigned, but {auditor} does not test the channel {channel}.",
                        "{n} planned contacts assigned, but {auditor} does not test the channel {channel}.",
                        count).format(n=n, auditor=auditor, channel=item.channel)
    if reason is Reason.REGION:
        return ngettext("{n} planned contact assigned, but {auditor} does not cover the region {region}.",
                        "{n} planned contacts assigned, but {auditor} does not cover the region {region}.",
                        count).format(n=n, auditor=auditor, region=item.region)
    if reason is Reason.AVAILABILITY:
        return ngettext("{n} planned contact assigned, but {auditor} is away for all of its days.",
                        "{n} planned contacts assigned, but {auditor} is away for all of their days.",
                        count).format(n=n, auditor=auditor)
    return ngettext("{n} planned contact assigned, but {auditor} was at {location} too recently (rotation lockout).",
                    "{n} planned contacts assigned, but {auditor} was at {location} too recently (rotation lockout).",
                    count).format(n=n, auditor=auditor, location=location)


def assign_by_hand(*, session: Session, actor, assignment_ids: Iterable[int], auditor_id: int | None,
                   today: date | None = None) -> list[str]:
    """Assign the planned contacts ``assignment_ids`` to ``auditor_id`` (None: to nobody).

    A rule the choice breaks is not refused: it is returned as a warning in words, one per rule and
    channel, region or location ("3 planned contacts assigned, but Sam does not test the channel
    WhatsApp."). Refused, with nothing written: an id that is not a planned contact, one that was
    started or done, one of a closed wave, and a user who is not an active auditor.
    """
    _ensure(actor)
    ids = sorted(set(assignment_ids))
    if not ids:
        raise ValidationError(Problem("assignments", None, _("choose at least one planned contact"),
                                      label=_("planned contacts")))
    rows = {a.id: a for chunk in slices(ids, _CHUNK)
            for a in session.exec(select(Assignment).where(Assignment.id.in_(chunk))).all()}
    missing = [i for i in ids if i not in rows]
    if missing:
        raise NotFoundError(ngettext("There is no planned contact with id {ids}.",
                                     "There are no planned contacts with ids {ids}.", len(missing)).format(
            ids=", ".join(str(i) for i in missing)))
    waves = {wave_id: _open_wave(session, wave_id) for wave_id in sorted({a.wave_id for a in rows.values()})}
    started = [i for i in ids if rows[i].contact_id is not None]
    if started:
        raise ValidationError(Problem("assignments", ", ".join(str(i) for i in started), ngettext(
            "was started or done already and keeps its auditor",
            "were started or done already and keep their auditor", len(started)), label=_("planned contacts")))
    auditor = None
    if auditor_id is not None:
        auditor = _auditor(session, auditor_id)
        if not auditor.active:
            raise ValidationError(Problem("auditor", _name(auditor), _("is deactivated"), label=_("auditor")))
    now = utcnow()
    user_id = getattr(actor, "id", None)
    log = [{"changed_at": now, "user_id": user_id, "entity": "assignment", "entity_id": i, "action": "update",
            "field": "auditor_id", "old_value": None if rows[i].auditor_id is None else str(rows[i].auditor_id),
            "new_value": None if auditor is None else str(auditor.id)}
           for i in ids if rows[i].auditor_id != (auditor.id if auditor else None)]
    for chunk in slices(ids, _CHUNK):
        session.execute(sa.update(Assignment).where(Assignment.id.in_(chunk), Assignment.contact_id.is_(None))
                        .values(auditor_id=auditor.id if auditor else None, assigned_at=now if auditor else None)
                        .execution_options(synchronize_session=False))
    if log:
        session.execute(sa.insert(ChangeLog), log)
    if auditor is None:
        return []
    return _warnings(session, actor, auditor, ids, waves, today or local_today())


def _warnings(session: Session, actor, auditor: User, ids: list[int], waves: dict[int, Wave],
              today: date) -> list[str]:
    profile = next(p for p in auditor_profiles(session=session, actor=actor, include_inactive=True)
                   if p.user_id == auditor.id)
    fit = profile.fit()
    lockout = get_lockout(session=session)
    order = wave_order(session)
    names = channel_display_names(session=session)
    counts: dict[tuple, int] = defaultdict(int)
    examples: dict[tuple, tuple[PlannedItem, str]] = {}
    for wave_id, wave in waves.items():
        frame = planned_contacts(session=session, today=today, wave_id=wave_id, assignment_ids=ids)
        items = _items(frame, wave, today)
        places = dict(zip(frame["assignment_id"].astype(int), frame["location"].fillna(""), strict=True))
        history = [v for v in _history(session, lockout, order[wave_id], order, exclude=ids)
                   if v.auditor_id == auditor.id]
        for item in items.values():
            reason = eligible(item, fit, history=history, lockout=lockout, wave_index=order[wave_id])
            if reason is None:
                continue
            detail = {Reason.CHANNEL: item.channel, Reason.REGION: item.region,
                      Reason.LOCKOUT: item.location_id}.get(reason)
            key = (list(Reason).index(reason), str(detail))
            counts[key] += 1
            examples.setdefault(key, (_shown_item(item, names), places.get(item.id, "")))
    return [_warning(list(Reason)[key[0]], profile.name, *examples[key], counts[key]) for key in sorted(counts)]


# --- what the page reads -------------------------------------------------------------------------


def assignable_waves(*, session: Session, actor) -> list[Wave]:
    """Every wave, the latest-starting first (a closed one is shown but refuses changes)."""
    _ensure(actor)
    order = wave_order(session)
    waves = session.exec(select(Wave)).all()
    return sorted(waves, key=lambda w: -order[w.id])


def wave_planned(*, session: Session, actor, wave_id: int, today: date | None = None) -> pd.DataFrame:
    """The planned contacts of ``wave_id`` (``journeys.fieldwork.planned.planned_contacts``), for
    the planner: channels by their display names in ``channel_name``."""
    _ensure(actor)
    frame = planned_contacts(session=session, today=today or local_today(), wave_id=wave_id)
    names = channel_display_names(session=session)
    frame["channel_name"] = frame["channel"].map(lambda c: names.get(c, c))
    return frame


def location_regions(*, session: Session, actor) -> list[str]:
    """The regions the locations name, and those auditors already cover, sorted."""
    _ensure(actor)
    found = set(session.exec(select(Location.region).where(Location.region != "")).all())
    found |= set(session.exec(select(AuditorRegion.region)).all())
    return sorted(r for r in found if r)


def channel_options(*, session: Session, actor) -> dict[int, str]:
    """Every channel's id → its display name, for a profile's channel choice."""
    _ensure(actor)
    names = channel_display_names(session=session)
    return {channel_id: names.get(name, name)
            for channel_id, name in session.exec(select(Channel.id, Channel.name).order_by(Channel.id)).all()}
