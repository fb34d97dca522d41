"""The fieldwork plan of a wave: how many contacts per brand × location × journey × channel.

A plan line (``PlanLine``) is one quota cell: a brand, a location (None: at brand level), a
journey, a channel and a time slot, with a quantity and a due date. Each planned contact of a
line is an ``Assignment`` row, so a line always has exactly ``quantity`` of them: raising the
quantity adds rows, lowering it removes unassigned rows first, then assigned ones nobody has
started; it never goes below the rows that already have a contact.

``fill_quota`` fills the plan quickly ("every location, every journey, phone + e-mail +
WhatsApp, 2 each"): it sets the product of the choices, skipping journey-channel pairs the
journey does not run on (listed in the ``FillResult``). ``set_cells`` is the upsert both the quick fill
and the plan file (``journeys.interchange.plan_file``) use. Who may: ``STUDY_PLANNERS`` ("plan
fieldwork"). Statuses (assigned, done) are ``journeys.fieldwork.planned``'s.
"""

from dataclasses import dataclass, field
from datetime import date

import pandas as pd
import sqlalchemy as sa
from sqlmodel import Session

from journeys.accounts.access import STUDY_PLANNERS, ensure_role
from journeys.catalogue.reference import channel_display_names
from journeys.errors import NotFoundError, Problem, ValidationError
from journeys.fieldwork.planned import local_today, planned_contacts
from journeys.fieldwork.waves import closed_wave_message, get_wave, wave_scope
from journeys.language import _
from journeys.limits import MAX_PLANNED_PER_LINE
from journeys.models import (
    Assignment,
    Brand,
    ChangeLog,
    Channel,
    Journey,
    JourneyChannel,
    JourneyStatus,
    Location,
    PlanLine,
    TimeSlot,
    Wave,
    utcnow,
)

TIME_SLOTS = tuple(slot.value for slot in TimeSlot)
PLAN_COLUMNS = ("line_id", "wave", "brand_id", "brand", "location_id", "location", "region", "journey_id",
                "journey", "channel_id", "channel_name", "channel", "time_slot", "due_on", "quantity", "assigned",
                "done")


@dataclass(frozen=True)
class Cell:
    """One quota cell to set: ``quantity`` contacts of this brand, location (None: brand level),
    journey, channel and slot, due by ``due_on``; ``row`` is the file row it came from, if any."""

    brand_id: int
    location_id: int | None
    journey_id: int
    channel_id: int
    time_slot: str
    quantity: int
    due_on: date | None = None
    row: int | None = None

    @property
    def key(self) -> tuple:
        return (self.brand_id, self.location_id, self.journey_id, self.channel_id, self.time_slot)


@dataclass
class FillResult:
    """What setting cells did: lines added, lines changed, lines already as asked, planned
    contacts added and removed, and the journey-channel pairs skipped (the journey does not run on
    the channel) as ``(journey, channel)`` names."""

    added: int = 0
    changed: int = 0
    unchanged: int = 0
    assignments_added: int = 0
    assignments_removed: int = 0
    skipped: list[tuple[str, str]] = field(default_factory=list)
    # brands a fill of "every location" planned nothing for: they have no location (not archived)
    without_locations: list[str] = field(default_factory=list)


def _quantity_problem(quantity, row=None) -> Problem | None:
    if isinstance(quantity, bool) or not isinstance(quantity, int) or not 1 <= quantity <= MAX_PLANNED_PER_LINE:
        return Problem("quantity", quantity, _("must be a whole number from 1 to {maximum}").format(
            maximum=MAX_PLANNED_PER_LINE), row, label=_("Contacts per cell") if row is None else None)
    return None


def _slot_problem(slot, row=None) -> Problem | None:
    if slot not in TIME_SLOTS:
        return Problem("time_slot", slot, _("must be one of {slots}").format(slots=", ".join(TIME_SLOTS)), row)
    return None


def open_wave(session: Session, wave_id: int) -> Wave:
    """The wave, refused when closed (its plan is final too)."""
    wave = get_wave(session, wave_id)
    if wave.closed_at is not None:
        raise ValidationError(Problem("wave", None, closed_wave_message(wave.name), label=_("wave")))
    return wave


def cell_problems(session: Session, wave_id: int, cells: list[Cell]) -> list[Problem]:
    """Every rule a cell breaks: the wave's scope, an archived brand or location, a location of
    another brand, a journey that is not active or does not run on the channel, the quantity and
    the slot. Problems carry the cell's ``row``."""
    scope = wave_scope(session, wave_id)
    run = session.connection().execute
    brands = {i: (name, archived) for i, name, archived in run(sa.select(Brand.id, Brand.name, Brand.archived))}
    locations = {i: (b, name, archived) for i, b, name, archived in
                 run(sa.select(Location.id, Location.brand_id, Location.name, Location.archived))}
    journeys = {i: (name, status) for i, name, status in run(sa.select(Journey.id, Journey.name, Journey.status))}
    channels = dict(run(sa.select(Channel.id, Channel.name)).all())
    runs_on = set(run(sa.select(JourneyChannel.journey_id, JourneyChannel.channel_id)).all())
    problems = []
    for c in cells:
        row = c.row
        brand = brands.get(c.brand_id)
        if brand is None:
            problems.append(Problem("brand", c.brand_id, _("does not exist"), row))
        elif brand[1]:
            problems.append(Problem("brand", brand[0], _("is archived"), row))
        elif scope["brands"] and c.brand_id not in scope["brands"]:
            problems.append(Problem("brand", brand[0], _("is not in this wave's scope"), row))
        if c.location_id is not None:
            location = locations.get(c.location_id)
            if location is None:
                problems.append(Problem("location", c.location_id, _("does not exist"), row))
            elif location[0] != c.brand_id:
                problems.append(Problem("location", location[1], _("is not a location of this brand"), row))
            elif location[2]:
                problems.append(Problem("location", location[1], _("is archived"), row))
        journey = journeys.get(c.journey_id)
        if journey is None:
            problems.append(Problem("journey", c.journey_id, _("does not exist"), row))
        elif journey[1] != JourneyStatus.ACTIVE:
            problems.append(Problem("journey", journey[0], _("is archived"), row))
        elif scope["journeys"] and c.journey_id not in scope["journeys"]:
            problems.append(Problem("journey", journey[0], _("is not in this wave's scope"), row))
        channel = channels.get(c.channel_id)
        if channel is None:
            problems.append(Problem("channel", c.channel_id, _("does not exist"), row))
        elif scope["channels"] and c.channel_id not in scope["channels"]:
            problems.append(Problem("channel", channel, _("is not in this wave's scope"), row))
        elif journey is not None and (c.journey_id, c.channel_id) not in runs_on:
            problems.append(Problem("channel", channel, _("journey {journey} does not run on this channel").format(
                journey=journey[0]), row))
        for problem in (_quantity_problem(c.quantity, row), _slot_problem(c.time_slot, row)):
            if problem is not None:
                problems.append(problem)
    return problems


def _assignments(session: Session, line_ids: list[int]) -> dict[int, list[tuple[int, int | None, int | None]]]:
    """line id → its planned contacts as ``(id, auditor_id, contact_id)``."""
    found: dict[int, list] = {i: [] for i in line_ids}
    for start in range(0, len(line_ids), 1000):
        chunk = line_ids[start:start + 1000]
        for a_id, line_id, auditor_id, contact_id in session.connection().execute(
                sa.select(Assignment.id, Assignment.plan_line_id, Assignment.auditor_id, Assignment.contact_id)
                .where(Assignment.plan_line_id.in_(chunk))):
            found[line_id].append((a_id, auditor_id, contact_id))
    return found


def _to_remove(rows: list[tuple[int, int | None, int | None]], quantity: int) -> list[int] | None:
    """Ids of the planned contacts to remove so ``quantity`` remain (unassigned first, newest first,
    then assigned ones without a contact), or None when that would remove one with a contact."""
    excess = len(rows) - quantity
    if excess <= 0:
        return []
    free = [r for r in rows if r[2] is None]
    if len(free) < excess:
        return None
    free.sort(key=lambda r: (r[1] is not None, -r[0]))
    return [r[0] for r in free[:excess]]


def _log_lines(session: Session, actor, entries: list[tuple[int, str, str, object, object]]) -> None:
    """Change-log rows (entity ``plan_line``) for ``(line id, action, field, old, new)``, in one
    bulk insert: who changed the plan, when, old → new."""
    if entries:
        now = utcnow()
        session.execute(sa.insert(ChangeLog.__table__), [
            {"changed_at": now, "user_id": getattr(actor, "id", None), "entity": "plan_line", "entity_id": line_id,
             "action": action, "field": field, "old_value": None if old is None else str(old),
             "new_value": None if new is None else str(new)}
            for line_id, action, field, old, new in entries])


def set_cells(session: Session, wave: Wave, cells: list[Cell], *, actor=None) -> FillResult:
    """Create or set the plan lines of ``cells`` (already checked by ``cell_problems``) and make
    each line have exactly its quantity of planned contacts, in a few bulk statements; every line
    added or changed is logged for ``actor`` (``_log_lines``).

    Raises:
        ValidationError: a line would go below the planned contacts that have a contact (naming
            the cell's row when it has one); nothing is written then.
    """
    session.flush()  # the bulk statements below bypass the ORM: it writes what it holds first
    run = session.connection().execute
    existing = {(b, loc, j, ch, slot): (i, q, due) for i, b, loc, j, ch, slot, q, due in run(
        sa.select(PlanLine.id, PlanLine.brand_id, PlanLine.location_id, PlanLine.journey_id, PlanLine.channel_id,
                  PlanLine.time_slot, PlanLine.quantity, PlanLine.due_on).where(PlanLine.wave_id == wave.id))}
    result = FillResult()
    matched = [(c, existing[c.key]) for c in cells if c.key in existing]
    rows_of = _assignments(session, [line[0] for _, line in matched])
    problems, removals, additions, updates, due_updates, log = [], [], [], [], [], []
    for c, (line_id, quantity, due) in matched:
        rows = rows_of[line_id]
        if c.quantity == quantity and c.due_on == due:
            result.unchanged += 1
            continue
        result.changed += 1
        drop = _to_remove(rows, c.quantity)
        if drop is None:
            made = sum(1 for r in rows if r[2] is not None)
            problems.append(Problem("quantity", c.quantity, _(
                "{n} planned contacts of this line have a contact already: the quantity cannot go below {n}").format(
                n=made), c.row, label=_("Contacts per cell") if c.row is None else None))
            continue
        removals += drop
        additions += [(line_id, c.due_on)] * max(0, c.quantity - len(rows))
        updates.append({"b_id": line_id, "b_quantity": c.quantity, "b_due": c.due_on})
        log += [(line_id, "update", field, old, new) for field, old, new in
                (("quantity", quantity, c.quantity), ("due_on", due, c.due_on)) if old != new]
        if c.due_on != due:
            due_updates.append({"b_line": line_id, "b_old": due, "due_on": c.due_on})
    if problems:
        raise ValidationError(problems)
    new = [c for c in cells if c.key not in existing]
    if new:
        lines = [PlanLine(wave_id=wave.id, brand_id=c.brand_id, location_id=c.location_id, journey_id=c.journey_id,
                          channel_id=c.channel_id, time_slot=c.time_slot, quantity=c.quantity, due_on=c.due_on)
                 for c in new]
        session.add_all(lines)
        session.flush()  # one batched INSERT; the lines get their ids
        for line in lines:
            additions += [(line.id, line.due_on)] * line.quantity
            log.append((line.id, "create", "quantity", None, line.quantity))
        result.added = len(lines)
    table = PlanLine.__table__
    if updates:
        session.execute(table.update().where(table.c.id == sa.bindparam("b_id")).values(
            quantity=sa.bindparam("b_quantity"), due_on=sa.bindparam("b_due")), updates)
    assignment = Assignment.__table__
    for params in due_updates:
        # planned contacts that still carry the line's old date follow the new one
        old = assignment.c.due_on.is_(None) if params["b_old"] is None else assignment.c.due_on == params["b_old"]
        session.execute(assignment.update().where(assignment.c.plan_line_id == params["b_line"], old)
                        .values(due_on=params["due_on"]))
    for start in range(0, len(removals), 1000):
        session.execute(assignment.delete().where(assignment.c.id.in_(removals[start:start + 1000])))
    if additions:
        session.execute(sa.insert(assignment), [
            {"plan_line_id": line_id, "wave_id": wave.id, "due_on": due} for line_id, due in additions])
    _log_lines(session, actor, log)
    result.assignments_added = len(additions)
    result.assignments_removed = len(removals)
    session.expire_all()  # objects the caller holds read what the statements wrote
    return result


def fill_quota(*, session: Session, actor, wave_id: int, brand_ids, location_ids=None, journey_ids,
               channel_ids, per_cell: int, time_slot: str = TimeSlot.ANY.value,
               due_on: date | None = None) -> FillResult:
    """Set ``per_cell`` planned contacts for every brand × location × journey × channel chosen.

    Args:
        location_ids: None: every location of the brands that is not archived; []: brand level
            only (no location); ids: those locations (each of one of the brands).
        journey_ids, channel_ids: the product is taken; a pair the journey does not run on is
            skipped and listed in the result (its skipped pairs).

    Raises:
        PermissionDenied: not a study planner.
        ValidationError: a closed wave, nothing chosen, something outside the wave's scope, an
            archived brand or location, a quantity outside 1..``MAX_PLANNED_PER_LINE``, a line that
            would go below the contacts already made for it.
    """
    ensure_role(actor, *STUDY_PLANNERS, action="plan fieldwork")
    wave = open_wave(session, wave_id)
    problems = []
    for name, label, ids in (("brands", _("Brands"), brand_ids), ("journeys", _("Journeys"), journey_ids),
                             ("channels", _("Channels"), channel_ids)):
        if not ids:
            problems.append(Problem(name, None, _("choose at least one"), label=label))
    for problem in (_quantity_problem(per_cell), _slot_problem(time_slot)):
        if problem is not None:
            problems.append(problem)
    if problems:
        raise ValidationError(problems)
    run = session.connection().execute
    brand_ids = sorted(set(brand_ids))
    if location_ids is None:
        by_brand = {b: [] for b in brand_ids}
        for loc_id, b in run(sa.select(Location.id, Location.brand_id).where(
                Location.brand_id.in_(brand_ids), Location.archived.is_(False)).order_by(Location.name)):
            by_brand[b].append(loc_id)
        places = [(b, loc) for b in brand_ids for loc in by_brand[b]]
        empty = [b for b in brand_ids if not by_brand[b]]
        if not places:
            raise ValidationError(Problem("locations", None, _(
                "these brands have no locations: choose brand level (no locations)"), label=_("Locations")))
    elif not location_ids:
        places, empty = [(b, None) for b in brand_ids], []
    else:
        owner = dict(run(sa.select(Location.id, Location.brand_id).where(Location.id.in_(list(location_ids)))).all())
        outside = [i for i in location_ids if owner.get(i) not in brand_ids]
        if outside:
            raise ValidationError(Problem("locations", ", ".join(map(str, outside)),
                                          _("are not locations of the chosen brands"), label=_("Locations")))
        places, empty = [(owner[i], i) for i in sorted(set(location_ids))], []
    runs_on = set(run(sa.select(JourneyChannel.journey_id, JourneyChannel.channel_id)).all())
    cells, skipped = [], set()
    for journey_id in sorted(set(journey_ids)):
        for channel_id in sorted(set(channel_ids)):
            if (journey_id, channel_id) not in runs_on:
                skipped.add((journey_id, channel_id))
                continue
            cells += [Cell(b, loc, journey_id, channel_id, time_slot, per_cell, due_on) for b, loc in places]
    journey_names = dict(run(sa.select(Journey.id, Journey.name)).all())
    display = channel_display_names(session=session)
    channel_names = {i: display.get(n, n) for i, n in run(sa.select(Channel.id, Channel.name)).all()}
    skipped_names = sorted((journey_names.get(j, str(j)), channel_names.get(c, str(c))) for j, c in skipped)
    if not cells:
        raise ValidationError(Problem("channels", None, _(
            "none of the chosen journeys runs on any of the chosen channels"), label=_("Channels")))
    problems = cell_problems(session, wave.id, cells)
    if problems:
        # one problem per distinct message: a quick fill of 500 locations repeats the same one
        raise ValidationError(list(dict.fromkeys(problems)))
    result = set_cells(session, wave, cells, actor=actor)
    result.skipped = skipped_names
    brand_names = dict(run(sa.select(Brand.id, Brand.name).where(Brand.id.in_(empty))).all()) if empty else {}
    result.without_locations = sorted(brand_names.values())
    return result


def _line(session: Session, line_id: int) -> PlanLine:
    line = session.get(PlanLine, line_id)
    if line is None:
        raise NotFoundError(_("plan line {id} does not exist").format(id=line_id))
    return line


def set_line(*, session: Session, actor, line_id: int, quantity: int, time_slot: str,
             due_on: date | None) -> PlanLine:
    """Change one plan line's quantity, slot and due date (its planned contacts follow).

    Raises:
        PermissionDenied: not a study planner.
        ValidationError: a closed wave, a bad quantity or slot, the slot of another line of the same
            cell, fewer than the contacts already made.
    """
    ensure_role(actor, *STUDY_PLANNERS, action="plan fieldwork")
    line = _line(session, line_id)
    wave = open_wave(session, line.wave_id)
    problems = [p for p in (_quantity_problem(quantity), _slot_problem(time_slot)) if p is not None]
    if not problems and time_slot != line.time_slot:
        twin = session.connection().execute(sa.select(PlanLine.id).where(
            PlanLine.wave_id == line.wave_id, PlanLine.brand_id == line.brand_id,
            PlanLine.location_id.is_(None) if line.location_id is None else PlanLine.location_id == line.location_id,
            PlanLine.journey_id == line.journey_id, PlanLine.channel_id == line.channel_id,
            PlanLine.time_slot == time_slot)).first()
        if twin is not None:
            problems.append(Problem("time_slot", time_slot, _(
                "another line of this cell has this time slot already: change that line instead"),
                label=_("Time slot")))
    if problems:
        raise ValidationError(problems)
    if time_slot != line.time_slot:
        _log_lines(session, actor, [(line.id, "update", "time_slot", line.time_slot, time_slot)])
        line.time_slot = time_slot
        session.add(line)
        session.flush()
    set_cells(session, wave, [Cell(line.brand_id, line.location_id, line.journey_id, line.channel_id, time_slot,
                                   quantity, due_on)], actor=actor)
    return line


def delete_line(*, session: Session, actor, line_id: int) -> None:
    """Delete a plan line and its planned contacts; refused when a contact was made for one.

    Raises:
        PermissionDenied: not a study planner.
        ValidationError: a closed wave, or a planned contact of the line has a contact.
    """
    ensure_role(actor, *STUDY_PLANNERS, action="plan fieldwork")
    line = _line(session, line_id)
    open_wave(session, line.wave_id)
    made = session.connection().execute(sa.select(sa.func.count()).select_from(Assignment).where(
        Assignment.plan_line_id == line_id, Assignment.contact_id.is_not(None))).scalar_one()
    if made:
        raise ValidationError(Problem("line", None, _(
            "{n} planned contacts of this line have a contact: lower its quantity instead").format(n=made),
            label=_("plan line")))
    session.execute(Assignment.__table__.delete().where(Assignment.__table__.c.plan_line_id == line_id))
    session.execute(PlanLine.__table__.delete().where(PlanLine.__table__.c.id == line_id))
    _log_lines(session, actor, [(line_id, "delete", "quantity", line.quantity, None)])
    session.expire_all()


def plan_frame(*, session: Session, actor, wave_id: int | None = None, today: date | None = None) -> pd.DataFrame:
    """The plan, one row per line (``PLAN_COLUMNS``): names, region, ``channel_name`` (the key)
    and ``channel`` (its display name), slot code, due date, quantity, and how many of its planned
    contacts are assigned and done (``journeys.fieldwork.planned``). ``wave_id`` None: every wave.

    Raises:
        PermissionDenied: not a study planner.
    """
    ensure_role(actor, *STUDY_PLANNERS, action="plan fieldwork")
    query = (
        sa.select(PlanLine.id, Wave.name, PlanLine.brand_id, Brand.name, PlanLine.location_id, Location.name,
                  Location.region, PlanLine.journey_id, Journey.name, PlanLine.channel_id, Channel.name,
                  PlanLine.time_slot, PlanLine.due_on, PlanLine.quantity)
        .join(Wave, Wave.id == PlanLine.wave_id).join(Brand, Brand.id == PlanLine.brand_id)
        .outerjoin(Location, Location.id == PlanLine.location_id).join(Journey, Journey.id == PlanLine.journey_id)
        .join(Channel, Channel.id == PlanLine.channel_id)
    )
    if wave_id is not None:
        query = query.where(PlanLine.wave_id == wave_id)
    columns = ["line_id", "wave", "brand_id", "brand", "location_id", "location", "region", "journey_id", "journey",
               "channel_id", "channel_name", "time_slot", "due_on", "quantity"]
    frame = pd.DataFrame([tuple(r) for r in session.connection().execute(query)], columns=columns)
    frame["location"] = frame["location"].fillna("").astype(object)
    frame["region"] = frame["region"].fillna("").astype(object)
    display = channel_display_names(session=session)
    frame["channel"] = frame["channel_name"].map(lambda n: display.get(n, n))
    planned = planned_contacts(session=session, today=today or local_today(), wave_id=wave_id)
    counts = planned.groupby("plan_line_id").agg(
        assigned=("auditor_id", lambda s: int(s.notna().sum())),
        done=("status", lambda s: int((s == "done").sum())))
    frame["assigned"] = frame["line_id"].map(counts["assigned"]).fillna(0).astype(int)
    frame["done"] = frame["line_id"].map(counts["done"]).fillna(0).astype(int)
    frame = frame.sort_values(["wave", "brand", "location", "journey", "channel_name", "time_slot"], kind="stable")
    return frame[list(PLAN_COLUMNS)].reset_index(drop=True)
