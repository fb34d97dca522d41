"""Import a contact file: all rows or none, in one transaction, with bulk inserts.

``import_contacts`` validates the whole file first (``journeys.interchange``); a single bad
row means nothing is written and the ``ValidationError`` lists every problem. A valid file
is written with SQLAlchemy Core as one executemany (the ORM adds a Python object per row and is
hundreds of times slower at 100,000 rows).

A row whose ``external_id`` already exists for its brand updates that contact instead of
adding a second one, by the re-import rules of ``docs/interchange.md``: a column the file
does not have leaves its field (or checklist answer) as it is, an empty cell in a column it
has clears it, and every change goes to the change log as old → new, like a save in the app.

Journeys and channels an import creates (``create_missing``) get no response targets unless
``default_targets`` asks for the built-in norms: a target nobody set would decide ``late``.
New contacts come in released (``IMPORT_STATUSES``): they come finished from another system, so
the figures count them at once. ``status="submitted"`` asks for review instead: they come in
submitted, not released, each with a SUBMITTED step in the audit trail (``journeys.models.ReviewEvent``,
written in bulk), and wait in the review queue. An update of an existing contact keeps its status.

When the database refuses the writes (another import of the same rows at the same moment, a
full disk, a lock held too long) ``ImportAborted`` says so in one line; the caller's
transaction then rolls back, so nothing is half-written.
"""

import gc
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime

import sqlalchemy as sa
from sqlmodel import Session

from data.bulk import insert_tuples
from data.errors import explain_operational_error
from journeys.accounts.access import IMPORTERS, ensure_role
from journeys.catalogue.reference import defaults_for, get_or_create_channel, get_or_create_wave, guess_channel_kind
from journeys.errors import KlantreisError, Problem, ValidationError
from journeys.fieldwork.scores import store_scores
from journeys.fieldwork.waves import closed_wave_message
from journeys.interchange.contact_file import (
    ITEM_PREFIX,
    Catalogue,
    ContactRow,
    ParsedFile,
    parse_contacts,
)
from journeys.language import _, ngettext, number
from journeys.local_time import LOCAL_ZONE_NAME, duration
from journeys.models import (
    Answer,
    Brand,
    ChangeLog,
    Channel,
    ChecklistVersion,
    Contact,
    Criterion,
    Journey,
    JourneyChannel,
    Location,
    ReviewAction,
    ReviewEvent,
    ReviewStatus,
    Role,
    User,
    UTCDateTime,
    utcnow,
)

CHUNK = 1000  # rows per IN (...) list: well under every driver's parameter limit
# The statuses new contacts may come in with: released (the default) or submitted for review.
IMPORT_STATUSES = (ReviewStatus.RELEASED.value, ReviewStatus.SUBMITTED.value)


# A file column → the contact column it sets (brand and external_id are the key of an update).
FIELD_COLUMNS = {
    "location": "location_id", "journey": "journey_id", "channel": "channel_id", "auditor": "auditor_id",
    "wave": "wave_id", "started_at": "started_at", "acknowledged_at": "acknowledged_at",
    "first_response_at": "first_response_at", "resolved_at": "resolved_at", "due_at": "due_at",
    "wait_seconds": "wait_seconds", "transfers": "transfers", "redirected_to": "redirected_to_channel_id",
    "answer_correct": "answer_correct", "answer_text": "answer_text", "notes": "notes",
}
# Columns naming a catalogue entry: compared by id, logged by name.
_REFERENCES = {"location": "locations", "journey": "journeys", "channel": "channels", "auditor": "users",
               "wave": "waves", "redirected_to": "channels"}
# (later, earlier): the order the database's CHECK constraints enforce on a contact's timestamps
_ORDER = (("acknowledged_at", "started_at"), ("first_response_at", "started_at"), ("resolved_at", "started_at"),
          ("due_at", "started_at"), ("resolved_at", "first_response_at"))


class ImportAborted(KlantreisError):
    """The database refused the import's writes; the transaction rolls back, nothing is written."""


@dataclass
class ImportResult:
    """What an import did (or, for a dry run, would do)."""

    rows: int
    added: int
    updated: int  # existing contacts (by external_id) that changed
    answers: int
    created: dict[str, list[str]] = field(default_factory=dict)
    dry_run: bool = False
    unchanged: int = 0  # existing contacts the file matched without changing anything
    changes: int = 0  # change-log entries written for the updated contacts (field or answer, old → new)
    # journey-channel pairs the import creates: (journey, channel, targets as text; "" = no target)
    journey_channels: list[tuple[str, str, str]] = field(default_factory=list)
    default_targets: bool = False  # the built-in norms were asked for (``--default-targets``)
    status: str = ReviewStatus.RELEASED.value  # the review status the added contacts came in with


def import_contacts(
    *,
    session: Session,
    actor,
    header: list[str],
    rows: Iterable[tuple[int, list[str]]],
    timezone: str = LOCAL_ZONE_NAME,
    create_missing: bool = False,
    default_targets: bool = False,
    dry_run: bool = False,
    on_progress: Callable[[str, int], None] | None = None,
    status: str = ReviewStatus.RELEASED.value,
) -> ImportResult:
    """Validate a contact file and write it, all or nothing, inside the caller's transaction.

    Args:
        session: the one transaction of this import (``data.db.session_scope``).
        actor: who imports (an object with ``id``; ``None`` id for the command-line operator).
        header, rows: the file as ``journeys.interchange.contact_file.read_table`` returns it.
        timezone: zone of timestamps without an offset.
        create_missing: create unknown brands, locations, journeys, channels, auditors, waves.
        default_targets: give the journey-channel pairs ``create_missing`` adds the built-in
            response targets of their channel (without it they get none); never a resolution
            target when the file has a ``due_at`` column: its per-contact deadline is the only one.
        dry_run: validate and count only; nothing is written.
        on_progress: called with a phase ("read" or "write") and a row count.
        status: the review status of the added contacts, one of ``IMPORT_STATUSES``: released
            (counted at once), or submitted (waiting for review, a SUBMITTED step each).

    Raises:
        ValidationError: listing every bad row (row number, column, value, reason).
        ImportAborted: the database refused the writes (``write_failure`` tells why).
    """
    if actor is not None:  # None: a caller that has checked (tests); the command line passes its operator, an admin
        ensure_role(actor, *IMPORTERS, action="import contacts")
    # Hundreds of thousands of small objects and no cycles: the cyclic garbage collector would
    # rescan them again and again (measured: parsing 100,000 rows 1.8x slower with it on).
    if status not in IMPORT_STATUSES:
        raise ValidationError(Problem("status", status, _("must be one of {allowed}").format(
            allowed=", ".join(IMPORT_STATUSES)), label="--status"))
    collecting = gc.isenabled()
    gc.disable()
    try:
        return _import(session=session, actor=actor, header=header, rows=rows, timezone=timezone,
                       create_missing=create_missing, default_targets=default_targets, dry_run=dry_run,
                       on_progress=on_progress, status=status)
    finally:
        if collecting:
            gc.enable()


def _import(*, session, actor, header, rows, timezone, create_missing, default_targets, dry_run,
            on_progress, status) -> ImportResult:
    catalogue = Catalogue.load(session)
    parsed = parse_contacts(
        header, rows, catalogue, timezone=timezone, create_missing=create_missing,
        on_progress=(lambda n: on_progress("read", n)) if on_progress else None,
    )
    if parsed.problems:
        raise ValidationError(parsed.problems)
    connection = session.connection()
    matched = [(r, contact_id) for r in parsed.rows if (contact_id := _existing_id(r, catalogue)) is not None]
    stored = _stored_contacts(connection, [contact_id for _, contact_id in matched])
    # a contact of a closed wave is final: a row may not change it (not even move it out)
    closed = {catalogue.waves[name]: name for name in catalogue.closed_waves}
    final = [Problem("wave", r.wave or None, closed_wave_message(closed[stored[contact_id]["wave_id"]]), r.row)
             for r, contact_id in matched if stored[contact_id]["wave_id"] in closed]
    if final:
        raise ValidationError(final)
    plan = _plan_updates(matched, stored, parsed, catalogue)  # refuses kept values out of order
    pairs = _new_pairs(parsed.rows, catalogue)
    kinds = dict(connection.execute(sa.select(Channel.name, Channel.kind)).all())
    targets = {pair: _targets(pair[1], kinds, default_targets, "due_at" in parsed.columns) for pair in pairs}
    result = ImportResult(
        rows=len(parsed.rows), added=len(parsed.rows) - len(matched), updated=len(plan.contacts),
        answers=sum(len(r.answers) for r in parsed.rows), created=_missing_names(parsed.rows, catalogue),
        dry_run=dry_run, unchanged=len(matched) - len(plan.contacts), changes=len(plan.log),
        journey_channels=[(j, c, _targets_text(targets[(j, c)])) for j, c in pairs], default_targets=default_targets,
        status=status,
    )
    if dry_run:
        return result
    actor_id = getattr(actor, "id", None)
    try:
        if create_missing:
            _create_missing(session, parsed.rows, catalogue, parsed.new_journey_codes, targets)
            session.flush()
            catalogue = Catalogue.load(session)
            plan = _plan_updates(matched, stored, parsed, catalogue)  # with the ids of what was created
        _write(session, parsed.rows, catalogue, plan, actor_id, on_progress, status)
    except Exception as exc:
        failure = write_failure(exc, session.get_bind().url)
        if failure is None:
            raise
        raise failure from exc
    return result


def write_failure(exc: BaseException, url=None) -> ImportAborted | None:
    """The one-line reason the database refused an import's writes, or None for anything else (a bug).

    A lost race is the import's own sentence; database trouble (a full disk, a read-only file, a
    held lock) is ``data.errors``' sentence, the same one every other command and page shows.
    Neither quotes the driver's text: a duplicate key or a COPY line would print contact data.
    """
    original = getattr(exc, "orig", None) or exc  # SQLAlchemy wraps the driver's exception
    if (getattr(original, "sqlstate", None) or "") in ("23505", "40001", "40P01"):
        # PostgreSQL's unique key, serialization failure, deadlock: another transaction wrote the same
        # rows first (an import checks the file against the database, so only a concurrent writer can).
        # SQLite imports never race: the write lock is taken before the catalogue is read.
        return ImportAborted(_(
            "another import wrote the same contacts (or created the same names) at the same time, so this one "
            "stopped; nothing was written; run the import again (it then updates what the other import added)"))
    trouble = explain_operational_error(exc, url)
    return None if trouble is None else ImportAborted(_("nothing was written: {reason}").format(reason=trouble))


def _existing_id(row: ContactRow, catalogue: Catalogue) -> int | None:
    brand_id = catalogue.brands.get(row.brand)
    if row.external_id is None or brand_id is None:
        return None
    return catalogue.external_ids.get((brand_id, row.external_id))


def _missing_names(rows: list[ContactRow], catalogue: Catalogue) -> dict[str, list[str]]:
    """Names the rows use that the database does not know yet, by kind (sorted)."""
    missing: dict[str, set] = {k: set() for k in ("brands", "locations", "journeys", "channels", "auditors", "waves")}
    for r in rows:
        brand_id = catalogue.brands.get(r.brand)
        if brand_id is None:
            missing["brands"].add(r.brand)
        if r.location and (brand_id is None or (brand_id, r.location) not in catalogue.locations):
            missing["locations"].add(f"{r.brand} / {r.location}")
        if r.journey not in catalogue.journeys:
            missing["journeys"].add(r.journey)
        for channel in (r.channel, r.redirected_to):
            if channel and channel not in catalogue.channels:
                missing["channels"].add(channel)
        if r.auditor and r.auditor not in catalogue.users:
            missing["auditors"].add(r.auditor)
        if r.wave and r.wave not in catalogue.waves:
            missing["waves"].add(r.wave)
    return {kind: sorted(names) for kind, names in missing.items()}


# ------------------------------------------------------------------------- targets of new pairs


def _new_pairs(rows: list[ContactRow], catalogue: Catalogue) -> list[tuple[str, str]]:
    """(journey, channel) pairs the rows use that are not a channel of that journey yet, sorted."""
    pairs = set()
    for r in rows:
        journey, channel_id = catalogue.journeys.get(r.journey), catalogue.channels.get(r.channel)
        if journey is None or channel_id is None or channel_id not in journey.channel_ids:
            pairs.add((r.journey, r.channel))
    return sorted(pairs)


def _targets(channel: str, kinds: dict[str, str], default_targets: bool, has_due_column: bool):
    """``(first response s, resolution s, business hours)`` for a new pair, or None: no target.

    Only on request (``--default-targets``): an imported service log judged against
    call-centre norms nobody set reads as bad service. A file with due_at gives every contact
    its own deadline (or none), so the norm's resolution target would add a second one.
    """
    if not default_targets:
        return None
    kind = kinds.get(channel) or guess_channel_kind(channel).value
    norms = defaults_for(Channel(name=channel, kind=kind))
    if norms is None:
        return None
    resolution = None if has_due_column else norms.resolution_target_seconds
    return norms.first_response_target_seconds, resolution, norms.business_hours


def _targets_text(targets) -> str:
    if targets is None:
        return ""
    first, resolution, business = targets
    if resolution:
        text = (_("first response in {first}, resolve in {resolution} (business hours)") if business
                else _("first response in {first}, resolve in {resolution}"))
    else:
        text = (_("first response in {first}, resolution: the file's due_at (business hours)") if business
                else _("first response in {first}, resolution: the file's due_at"))
    return text.format(first=duration(first), resolution=duration(resolution) if resolution else "")


def _create_missing(session: Session, rows: list[ContactRow], catalogue: Catalogue,
                    new_journey_codes: dict[str, list[str]], targets: dict) -> None:
    """Add the brands, locations, channels, waves, auditors, journeys and journey channels the rows name.

    ``targets`` holds the targets of every new journey-channel pair (``_targets``; None: no target).
    """
    channels = {}
    for name in sorted({r.channel for r in rows} | {r.redirected_to for r in rows if r.redirected_to}):
        channels[name] = get_or_create_channel(session=session, name=name)
    for name in sorted({r.wave for r in rows if r.wave} - set(catalogue.waves)):
        get_or_create_wave(session=session, name=name)
    brand_ids = dict(catalogue.brands)
    for name in sorted({r.brand for r in rows} - set(brand_ids)):
        brand = Brand(name=name, created_at=utcnow())
        session.add(brand)
        session.flush()
        brand_ids[name] = brand.id
    for brand_id, name in sorted({(brand_ids[r.brand], r.location) for r in rows if r.location}
                                 - set(catalogue.locations)):
        session.add(Location(brand_id=brand_id, name=name))
    for username in sorted({r.auditor for r in rows if r.auditor} - set(catalogue.users)):
        # no password: the account cannot sign in until an admin sets one and activates it
        session.add(User(username=username, role=Role.AUDITOR.value, active=False, created_at=utcnow()))
    journey_ids = {name: info.id for name, info in catalogue.journeys.items()}
    for name in sorted({r.journey for r in rows} - set(journey_ids)):
        journey = Journey(name=name, created_at=utcnow(), updated_at=utcnow())
        session.add(journey)
        session.flush()
        version = ChecklistVersion(journey_id=journey.id, number=1, note="created by contact import",
                                   created_at=utcnow())
        session.add(version)
        session.flush()
        for position, code in enumerate(new_journey_codes.get(name, [])):
            session.add(Criterion(version_id=version.id, position=position, code=code, text=code))
        journey_ids[name] = journey.id
    for (journey_name, channel_name), pair_targets in sorted(targets.items()):
        first, resolution, business = pair_targets or (None, None, False)
        session.add(JourneyChannel(
            journey_id=journey_ids[journey_name], channel_id=channels[channel_name].id,
            first_response_target_seconds=first, resolution_target_seconds=resolution, business_hours=business,
        ))


# ------------------------------------------------------------------------------ re-import


@dataclass
class _UpdatePlan:
    """What re-importing existing contacts changes, as parameter lists for executemany."""

    contacts: list[dict] = field(default_factory=list)  # UPDATE contact (changed contacts only)
    answer_inserts: list[dict] = field(default_factory=list)
    answer_updates: list[dict] = field(default_factory=list)
    answer_deletes: list[dict] = field(default_factory=list)
    log: list[tuple[int, str, object, object]] = field(default_factory=list)  # (contact id, field, old, new)


def _stored_contacts(connection, ids: list[int]) -> dict[int, dict]:
    """The current values of the contacts a file updates, with their answers under ``"answers"``
    (criterion id → (code, value, is_na)), read in chunks of ``CHUNK`` ids."""
    contact = Contact.__table__
    columns = [contact.c.id, contact.c.checklist_version_id, *(contact.c[c] for c in FIELD_COLUMNS.values())]
    stored: dict[int, dict] = {}
    answer = Answer.__table__
    criterion = Criterion.__table__
    for start in range(0, len(ids), CHUNK):
        chunk = ids[start:start + CHUNK]
        for row in connection.execute(sa.select(*columns).where(contact.c.id.in_(chunk))).mappings():
            stored[row["id"]] = dict(row, answers={})
        for contact_id, criterion_id, code, value, is_na in connection.execute(
                sa.select(answer.c.contact_id, answer.c.criterion_id, criterion.c.code, answer.c.value, answer.c.is_na)
                .join(criterion, criterion.c.id == answer.c.criterion_id).where(answer.c.contact_id.in_(chunk))):
            stored[contact_id]["answers"][criterion_id] = (code, value, bool(is_na))
    return stored


def _new_value(r: ContactRow, column: str, catalogue: Catalogue):
    """The value a row gives a contact column; a name the catalogue lacks (a dry run of
    ``--create-missing``) becomes a marker that equals no stored id."""
    value = getattr(r, column)
    kind = _REFERENCES.get(column)
    if kind is None or value is None:
        return value
    if column == "location":
        key = (catalogue.brands[r.brand], value)
        return catalogue.locations.get(key, ("new", key))
    found = getattr(catalogue, kind).get(value)
    if kind == "journeys":
        return found.id if found is not None else ("new", value)
    return found if found is not None else ("new", value)


def _plan_updates(matched: list[tuple[ContactRow, int]], stored: dict[int, dict], parsed: ParsedFile,
                  catalogue: Catalogue) -> _UpdatePlan:
    """Compare each matched row with its stored contact, field by field and answer by answer.

    Only the columns the file has are compared; an empty cell in one clears the field. The
    contact moves to its journey's current checklist when the journey changes or the file has
    item columns (they were checked against that checklist); the answers of the old checklist
    then go. Without item columns and with the same journey the checklist and answers stay.

    Raises:
        ValidationError: a kept timestamp that would come before a new one (row and column named).
    """
    present = [c for c in FIELD_COLUMNS if c in parsed.columns]
    names: dict[str, dict] = {}  # kind -> id -> name, for the change log (built on first use)

    def name_of(kind: str, stored_id):
        if stored_id is None:
            return None
        if kind not in names:
            source = getattr(catalogue, kind)
            if kind == "journeys":
                names[kind] = {info.id: name for name, info in source.items()}
            elif kind == "locations":
                names[kind] = {i: name for (_, name), i in source.items()}
            else:
                names[kind] = {i: name for name, i in source.items()}
        return names[kind].get(stored_id, f"#{stored_id}")

    plan = _UpdatePlan()
    problems: list[Problem] = []
    for r, contact_id in matched:
        old = stored[contact_id]
        new = {FIELD_COLUMNS[c]: _new_value(r, c, catalogue) for c in present}
        for later, earlier in _ORDER:
            merged_later = new.get(later, old[later])
            merged_earlier = new.get(earlier, old[earlier])
            if merged_later is not None and merged_earlier is not None and merged_later < merged_earlier \
                    and (later not in new or earlier not in new):
                kept = earlier if later in new else later
                problems.append(Problem(later, merged_later.isoformat(), _(
                    "would be before {earlier} {value}: the file has no {kept} column, so the stored {kept} is "
                    "kept; add the column (an empty cell clears it)").format(
                    earlier=earlier, value=merged_earlier.isoformat(), kept=kept), r.row))
        log = []
        for column in present:
            target = FIELD_COLUMNS[column]
            if new[target] != old[target]:
                kind = _REFERENCES.get(column)
                log.append((contact_id, column, name_of(kind, old[target]) if kind else old[target],
                            getattr(r, column)))
        journey = catalogue.journeys.get(r.journey)  # None: created by this import, not yet (a dry run)
        current = journey.version_id if journey is not None else ("new", r.journey)
        version = old["checklist_version_id"]
        if new["journey_id"] != old["journey_id"] or (parsed.item_codes and version != current):
            version = current
        if version != old["checklist_version_id"]:
            log.append((contact_id, "checklist_version", old["checklist_version_id"], version))
        log += _plan_answers(plan, r, contact_id, old, journey, version, parsed.item_codes,
                             channel_changed="channel_id" in new and new["channel_id"] != old["channel_id"],
                             channel_id=new.get("channel_id", old["channel_id"]))
        if log:
            plan.contacts.append(dict(new, checklist_version_id=version, contact_pk=contact_id))
            plan.log += log
    if problems:
        raise ValidationError(problems)
    return plan


def _plan_answers(plan: _UpdatePlan, r: ContactRow, contact_id: int, old: dict, journey, version: int,
                  item_codes: list[str], *, channel_changed: bool, channel_id) -> list[tuple]:
    """Plan one contact's answer changes; returns its change-log entries ``item:CODE`` old → new."""
    log = []
    if version != old["checklist_version_id"]:
        # another checklist: its criteria are other rows, so every old answer goes and the file's come in
        before = {code: _answer_text(value, is_na) for code, value, is_na in old["answers"].values()}
        after = {code: _answer_text(value, value is None) for code, value in r.answers.items()}
        plan.answer_deletes += [{"b_contact": contact_id, "b_criterion": c} for c in old["answers"]]
        if journey is not None:
            plan.answer_inserts += _answers(contact_id, r, journey)
        for code in sorted(set(before) | set(after), key=str.lower):
            if before.get(code) != after.get(code):
                log.append((contact_id, f"{ITEM_PREFIX}{code}", before.get(code), after.get(code)))
        return log
    touched = set()
    for code in item_codes:
        criterion = journey.criteria.get(code.lower())
        if criterion is None:
            continue  # an empty cell for an item this checklist does not have (a filled one is refused)
        touched.add(criterion.id)
        stored = old["answers"].get(criterion.id)
        key = {"b_contact": contact_id, "b_criterion": criterion.id}
        if code in r.answers:
            value = r.answers[code]
            if stored is None:
                plan.answer_inserts.append({"contact_id": contact_id, "criterion_id": criterion.id, "value": value,
                                            "is_na": value is None, "comment": ""})
            elif (stored[1], stored[2]) == (value, value is None):
                continue
            else:
                plan.answer_updates.append(dict(key, value=value, is_na=value is None))
            log.append((contact_id, f"{ITEM_PREFIX}{stored[0] if stored else code}",
                        _answer_text(stored[1], stored[2]) if stored else None, _answer_text(value, value is None)))
        elif stored is not None:  # present and empty: cleared
            plan.answer_deletes.append(key)
            log.append((contact_id, f"{ITEM_PREFIX}{stored[0]}", _answer_text(stored[1], stored[2]), None))
    if channel_changed:
        # an answer to an item that does not apply on the new channel would be scored there
        by_id = {c.id: c for c in journey.criteria.values()}
        for criterion_id, (code, value, is_na) in old["answers"].items():
            criterion = by_id.get(criterion_id)
            if criterion_id not in touched and criterion is not None and criterion.channel_ids \
                    and channel_id not in criterion.channel_ids:
                plan.answer_deletes.append({"b_contact": contact_id, "b_criterion": criterion_id})
                log.append((contact_id, f"{ITEM_PREFIX}{code}", _answer_text(value, is_na), None))
    return log


def _answer_text(value, is_na) -> str:
    """An answer as the contact service logs it: ``N/A`` or the number (1/0 for yes/no)."""
    return "N/A" if is_na else f"{value:g}"


def _log_text(value) -> str | None:
    if value is None:
        return None
    return value.isoformat() if isinstance(value, datetime) else str(value)


# ---------------------------------------------------------------------------------- writing


def _write(session: Session, rows: list[ContactRow], catalogue: Catalogue, plan: _UpdatePlan, actor_id,
           on_progress, status: str = ReviewStatus.RELEASED.value) -> None:
    connection = session.connection()
    contact = Contact.__table__
    now = utcnow()
    inserts: list[dict] = []
    insert_rows: list[ContactRow] = []
    for r in rows:
        brand_id = catalogue.brands[r.brand]
        if r.external_id and (brand_id, r.external_id) in catalogue.external_ids:
            continue  # an update: planned field by field
        journey = catalogue.journeys[r.journey]
        inserts.append({
            "brand_id": brand_id,
            "location_id": catalogue.locations[(brand_id, r.location)] if r.location else None,
            "journey_id": journey.id,
            "checklist_version_id": journey.version_id,
            "channel_id": catalogue.channels[r.channel],
            "auditor_id": catalogue.users[r.auditor] if r.auditor else None,
            "wave_id": catalogue.waves[r.wave] if r.wave else None,
            "started_at": r.started_at,
            "acknowledged_at": r.acknowledged_at,
            "first_response_at": r.first_response_at,
            "resolved_at": r.resolved_at,
            "due_at": r.due_at,
            "wait_seconds": r.wait_seconds,
            "transfers": r.transfers,
            "redirected_to_channel_id": catalogue.channels[r.redirected_to] if r.redirected_to else None,
            "answer_correct": r.answer_correct,
            "answer_text": r.answer_text,
            "notes": r.notes,
            "external_id": r.external_id,
            "created_at": now,
            "created_by_id": actor_id,
            "updated_at": now,
            "updated_by_id": actor_id,
            # records come finished from another system: released unless review was asked for
            "review_status": status,
            "released_at": now if status == ReviewStatus.RELEASED.value else None,
        })
        insert_rows.append(r)

    answer_rows: list[dict] = []
    if inserts:
        new_ids = _reserve_ids(connection, len(inserts))
        for contact_id, values in zip(new_ids, inserts, strict=True):
            values["id"] = contact_id
        # explicit ids instead of RETURNING: SQLite runs an ordered RETURNING one row per statement
        for start in range(0, len(inserts), 10 * CHUNK):
            _bulk_insert(connection, contact, inserts[start:start + 10 * CHUNK])
            if on_progress:
                on_progress("write", min(start + 10 * CHUNK, len(inserts)))
        for contact_id, r in zip(new_ids, insert_rows, strict=True):
            answer_rows += _answers(contact_id, r, catalogue.journeys[r.journey])
        if status == ReviewStatus.SUBMITTED.value:  # each waits in the review queue, its trail says since when
            _bulk_insert(connection, ReviewEvent.__table__, [
                {"contact_id": contact_id, "occurred_at": now, "user_id": actor_id,
                 "action": ReviewAction.SUBMITTED.value, "comment": "", "appeal_id": None} for contact_id in new_ids])
    if plan.contacts:
        for values in plan.contacts:
            values.update(updated_at=now, updated_by_id=actor_id)
        columns = {k: sa.bindparam(k) for k in plan.contacts[0] if k != "contact_pk"}
        connection.execute(
            sa.update(contact).where(contact.c.id == sa.bindparam("contact_pk")).values(**columns), plan.contacts)
        answer = Answer.__table__
        which = (answer.c.contact_id == sa.bindparam("b_contact")) & (answer.c.criterion_id == sa.bindparam("b_criterion"))
        if plan.answer_deletes:
            connection.execute(sa.delete(answer).where(which), plan.answer_deletes)
        if plan.answer_updates:
            connection.execute(sa.update(answer).where(which).values(value=sa.bindparam("value"),
                                                                    is_na=sa.bindparam("is_na")), plan.answer_updates)
        answer_rows += plan.answer_inserts
        # the change log keeps what a re-import overwrote (and moves data_version for cached views)
        _bulk_insert(connection, ChangeLog.__table__, [
            {"changed_at": now, "user_id": actor_id, "entity": "contact", "entity_id": contact_id,
             "action": "update", "field": column, "old_value": _log_text(old), "new_value": _log_text(new)}
            for contact_id, column, old, new in plan.log])
    if answer_rows:
        _bulk_insert(connection, Answer.__table__, answer_rows)
    # each written contact's score, in the same transaction (journeys.fieldwork.scores)
    store_scores(connection, [*(values["id"] for values in inserts), *(values["contact_pk"] for values in plan.contacts)])
    if on_progress:
        on_progress("write", len(rows))


def _bulk_insert(connection, table: sa.Table, rows: list[dict]) -> None:
    """INSERT many rows through the driver's own executemany, skipping SQLAlchemy's per-value binds.

    At 100,000 contacts SQLAlchemy's bind processing (type conversion of every value) takes
    longer than the database itself. The only conversion our columns need is the one
    ``UTCDateTime`` does: aware → naive UTC, which SQLite stores as the text SQLAlchemy would
    write (``YYYY-MM-DD HH:MM:SS.ffffff``; ``tests/cli`` checks both give the same text). The
    rows then go in by the driver's bulk path (``data.bulk.insert_tuples``: COPY on PostgreSQL).
    """
    if not rows:
        return
    columns = list(rows[0])
    stamps = [c for c in columns if isinstance(table.c[c].type, UTCDateTime)]
    positions = [columns.index(c) for c in stamps]
    as_text = connection.dialect.paramstyle == "qmark"  # SQLite: the stamp as SQLAlchemy writes it
    values = []
    for row in rows:
        cells = [row[c] for c in columns]
        for i in positions:
            if cells[i] is not None:
                cells[i] = cells[i].astimezone(UTC).replace(tzinfo=None)
                if as_text:
                    cells[i] = cells[i].isoformat(" ", "microseconds")
        values.append(tuple(cells))
    insert_tuples(connection, table, columns, values)


def _reserve_ids(connection, count: int) -> list[int]:
    """``count`` new contact ids that no concurrent writer can take.

    SQLite: this transaction began with BEGIN IMMEDIATE and holds the write lock, so the ids
    after the current maximum stay free. PostgreSQL: drawn from the id sequence itself.
    """
    if connection.dialect.name == "sqlite":
        highest = connection.execute(sa.select(sa.func.max(Contact.__table__.c.id))).scalar() or 0
        return list(range(highest + 1, highest + 1 + count))
    return connection.execute(
        sa.text("SELECT nextval(pg_get_serial_sequence('contact', 'id')) FROM generate_series(1, :n)"),
        {"n": count},
    ).scalars().all()


def _answers(contact_id: int, r: ContactRow, journey) -> list[dict]:
    criteria = journey.criteria
    return [
        {"contact_id": contact_id, "criterion_id": criteria[code.lower()].id, "value": value,
         "is_na": value is None, "comment": ""}
        for code, value in r.answers.items()
    ]


def _rows(n: int) -> str:
    return ngettext("{n} row", "{n} rows", n).format(n=number(n))


# the names an import creates, by the kind ``_missing_names`` files them under
def _created(kind: str, n: int) -> str:
    forms = {
        "brands": ngettext("{n} brand", "{n} brands", n),
        "locations": ngettext("{n} location", "{n} locations", n),
        "journeys": ngettext("{n} journey", "{n} journeys", n),
        "channels": ngettext("{n} channel", "{n} channels", n),
        "auditors": ngettext("{n} auditor", "{n} auditors", n),
        "waves": ngettext("{n} wave", "{n} waves", n),
    }
    return forms[kind].format(n=number(n))


def summary_lines(result: ImportResult) -> list[str]:
    """A short human summary of an import (used by the CLI): counts, what was created, which targets.

    Every count agrees with its noun in the current language (``1 row``, ``2 rows``; ``ngettext``)."""
    would = result.dry_run
    contacts = ngettext("{n} contact", "{n} contacts", result.added).format(n=number(result.added))
    answers = ngettext("{n} checklist answer", "{n} checklist answers", result.answers).format(
        n=number(result.answers))
    if would:
        first = _("{rows}: would add {contacts}, would update {updated} (by external_id), {answers}")
    else:
        first = _("{rows}: added {contacts}, updated {updated} (by external_id), {answers}")
    lines = [first.format(rows=_rows(result.rows), contacts=contacts, updated=number(result.updated), answers=answers)]
    if result.added and result.status == ReviewStatus.SUBMITTED.value:
        lines.append(_("the added contacts would be submitted for review: not counted until they are released")
                      if would else
                      _("the added contacts are submitted for review: not counted until they are released"))
    elif result.added:
        lines.append(_("the added contacts would be released: counted at once") if would
                     else _("the added contacts are released: counted at once"))
    if result.updated or result.unchanged:
        if would:
            changes = ngettext("{n} field and answer change to log", "{n} field and answer changes to log",
                               result.changes)
        else:
            changes = ngettext("{n} field and answer change logged", "{n} field and answer changes logged",
                               result.changes)
        lines.append(_("existing contacts in the file: {changed} changed ({changes}, old → new), "
                       "{unchanged} unchanged").format(
            changed=number(result.updated), changes=changes.format(n=number(result.changes)),
            unchanged=number(result.unchanged)))
    for kind, names in result.created.items():
        if names:
            made = _("would create {names}: {list}") if would else _("created {names}: {list}")
            lines.append(made.format(names=_created(kind, len(names)), list=_listed(names)))
    by_targets: dict[str, list[str]] = {}
    for journey, channel, targets in result.journey_channels:
        by_targets.setdefault(targets, []).append(f"{journey} / {channel}")
    for targets, pairs in sorted(by_targets.items()):
        pair_count = ngettext("{n} journey channel", "{n} journey channels", len(pairs)).format(n=number(len(pairs)))
        if targets:
            made = (_("would create {pairs} with the default targets ({targets}): {list}") if would
                    else _("created {pairs} with the default targets ({targets}): {list}"))
        elif result.default_targets:
            made = (_("would create {pairs} without response targets (no built-in norm for their kind of channel): "
                      "{list}") if would
                    else _("created {pairs} without response targets (no built-in norm for their kind of channel): "
                           "{list}"))
        else:
            made = (_("would create {pairs} without response targets (set them per journey, or import with "
                      "--default-targets for the built-in norms): {list}") if would
                    else _("created {pairs} without response targets (set them per journey, or import with "
                           "--default-targets for the built-in norms): {list}"))
        lines.append(made.format(pairs=pair_count, targets=targets, list=_listed(pairs)))
    return lines


def _listed(names: list[str], shown: int = 8) -> str:
    if len(names) <= shown:
        return ", ".join(names)
    return _("{names} and {n} more").format(names=", ".join(names[:shown]), n=number(len(names) - shown))
