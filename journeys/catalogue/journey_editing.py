"""Editing journeys after creation: texts, channels and targets, checklist versions, archive,
delete, copy, and sharing as JSON.

Only admins change journeys (``journeys.accounts.access.JOURNEY_ADMINS``): a journey is the study's
definition — the question, the reference answer, the targets and the checklist every contact is
scored against — so an auditor who could edit it could move the yardstick of their own results.
Auditors log against journeys and see them on the logging pages.

Versioning rule: a checklist that no contact uses yet is changed in place; once contacts use
it, a change creates version n+1. Contacts keep the version they were scored with, so their
scores never change because a checklist was edited later.

Problems are in the current language (``journeys.language``), translated when found; the JSON
document's keys and the places they name (``criteria[0].weight``) stay as the format spells them.
"""

import json
from dataclasses import asdict

from sqlmodel import Session, func, select

from journeys.accounts.access import JOURNEY_ADMINS, ensure_role
from journeys.catalogue.journeys import (
    CriterionIn,
    JourneyChannelIn,
    JourneyIn,
    _add_checklist_version,
    create_journey,
    criterion_problems,
    current_version,
    journey_field_problems,
)
from journeys.catalogue.reference import channel_display_name, defaults_for, get_or_create_channel
from journeys.errors import Problem, ValidationError
from journeys.language import N_, _, ngettext
from journeys.limits import shown
from journeys.models import (
    ChangeLog,
    Channel,
    ChecklistVersion,
    Contact,
    Criterion,
    CriterionChannel,
    Journey,
    JourneyChannel,
    JourneyStatus,
    utcnow,
)

JSON_FORMAT = "klantreis-journey/1"


def journey_in_from_db(*, session: Session, journey_id: int) -> JourneyIn:
    """The journey as an editable ``JourneyIn``: texts, channels with targets, current checklist."""
    journey = session.get(Journey, journey_id)
    channels = {c.id: c.name for c in session.exec(select(Channel)).all()}
    links = session.exec(select(JourneyChannel).where(JourneyChannel.journey_id == journey_id)).all()
    version = current_version(session=session, journey_id=journey_id)
    criteria = session.exec(select(Criterion).where(Criterion.version_id == version.id).order_by(Criterion.position)).all()
    restricted: dict[int, list[str]] = {}
    for criterion_id, channel_id in session.exec(
        select(CriterionChannel.criterion_id, CriterionChannel.channel_id).where(
            CriterionChannel.criterion_id.in_([c.id for c in criteria]))).all():
        restricted.setdefault(criterion_id, []).append(channels[channel_id])
    return JourneyIn(
        name=journey.name, scenario=journey.scenario, question=journey.question,
        reference_answer=journey.reference_answer,
        channels=[JourneyChannelIn(channels[link.channel_id], link.first_response_target_seconds,
                                   link.resolution_target_seconds, link.business_hours)
                  for link in sorted(links, key=lambda link: channels[link.channel_id])],
        criteria=[CriterionIn(c.code, c.text, c.section, c.weight, c.kind, c.scale_min, c.scale_max, c.na_allowed,
                              c.critical_policy, c.bonus, tuple(sorted(restricted.get(c.id, ()))))
                  for c in criteria],
    )


def _checklist_key(criteria: list[CriterionIn]) -> list[tuple]:
    return [(c.code.strip(), c.text.strip(), (c.section or "General").strip() or "General", float(c.weight), c.kind,
             c.scale_min if c.kind == "scale" else None, c.scale_max if c.kind == "scale" else None,
             bool(c.na_allowed), c.critical_policy, bool(c.bonus), tuple(sorted(c.channels))) for c in criteria]


def update_journey(*, session: Session, actor, journey_id: int, journey_in: JourneyIn) -> Journey:
    """Save an edited journey; a changed checklist in use by contacts becomes a new version.

    Raises:
        ValidationError: every problem, criteria by row.
        PermissionDenied: anyone but an admin (``JOURNEY_ADMINS``).
    """
    ensure_role(actor, *JOURNEY_ADMINS, action=N_("edit journeys"))
    journey = session.get(Journey, journey_id)
    problems: list[Problem] = []
    name = (journey_in.name or "").strip()
    if not name:
        problems.append(Problem("name", journey_in.name, _("must not be empty")))
    elif "\x00" in name:
        pass  # reported by journey_field_problems; PostgreSQL refuses NUL even in a query parameter
    elif session.exec(select(Journey).where(Journey.name == name, Journey.id != journey_id)).first():
        problems.append(Problem("name", name, _("is already used by another journey")))
    channel_names = [(c.channel or "").strip().lower() for c in journey_in.channels]
    # also catches a channel listed twice, which would insert its journey-channel row twice
    problems += journey_field_problems(journey_in)
    used = set(session.exec(
        select(Channel.name).join(Contact, Contact.channel_id == Channel.id)
        .where(Contact.journey_id == journey_id).distinct()).all())
    dropped = sorted(used - set(channel_names))
    if dropped:
        problems.append(Problem("channels", ", ".join(dropped), _("has logged contacts and cannot be removed; archive the journey instead")))
    if not journey_in.criteria:
        problems.append(Problem("checklist", None, _("add at least one criterion")))
    problems += criterion_problems(journey_in.criteria, set(channel_names))
    if problems:
        raise ValidationError(problems)

    for field in ("scenario", "question", "reference_answer"):
        setattr(journey, field, (getattr(journey_in, field) or "").strip())
    journey.name = name
    journey.updated_at = utcnow()
    existing = {link.channel_id: link for link in session.exec(
        select(JourneyChannel).where(JourneyChannel.journey_id == journey_id)).all()}
    keep = set()
    for jc in journey_in.channels:
        channel = get_or_create_channel(session=session, name=jc.channel)
        defaults = defaults_for(channel)
        link = existing.get(channel.id) or JourneyChannel(journey_id=journey_id, channel_id=channel.id)
        link.first_response_target_seconds = jc.first_response_target_seconds if jc.first_response_target_seconds \
            is not None else (defaults.first_response_target_seconds if defaults else None)
        link.resolution_target_seconds = jc.resolution_target_seconds if jc.resolution_target_seconds is not None \
            else (defaults.resolution_target_seconds if defaults else None)
        link.business_hours = bool(jc.business_hours if jc.business_hours is not None
                                   else (defaults.business_hours if defaults else False))
        session.add(link)
        keep.add(channel.id)
    for channel_id, link in existing.items():
        if channel_id not in keep:
            session.delete(link)

    version = current_version(session=session, journey_id=journey_id)
    before = journey_in_from_db(session=session, journey_id=journey_id)
    if _checklist_key(before.criteria) != _checklist_key(journey_in.criteria):
        in_use = session.exec(select(func.count()).select_from(Contact)
                              .where(Contact.checklist_version_id == version.id)).one()
        if in_use:
            _add_checklist_version(session=session, journey=journey, number=version.number + 1,
                                   criteria=journey_in.criteria, note=f"edited by user {actor.id}")
        else:
            for criterion in session.exec(select(Criterion).where(Criterion.version_id == version.id)).all():
                session.delete(criterion)
            session.flush()
            session.delete(version)
            session.flush()
            _add_checklist_version(session=session, journey=journey, number=version.number,
                                   criteria=journey_in.criteria)
    session.add(journey)
    session.add(ChangeLog(user_id=actor.id, entity="journey", entity_id=journey_id, action="update", field="journey",
                          new_value=name))
    session.flush()
    return journey


def new_journey(*, session: Session, actor, journey_in: JourneyIn) -> Journey:
    """Create a journey (also what copying and importing a JSON document do); admins only."""
    ensure_role(actor, *JOURNEY_ADMINS, action=N_("create journeys"))
    journey = create_journey(session=session, journey_in=journey_in)
    session.add(ChangeLog(user_id=actor.id, entity="journey", entity_id=journey.id, action="create",
                          field="journey", new_value=journey.name))
    return journey


def copy_journey(*, session: Session, actor, journey_id: int, name: str) -> Journey:
    """A new journey with the same texts, channels, targets and current checklist; admins only."""
    ensure_role(actor, *JOURNEY_ADMINS, action=N_("copy journeys"))
    spec = journey_in_from_db(session=session, journey_id=journey_id)
    spec.name = name
    return new_journey(session=session, actor=actor, journey_in=spec)


def set_archived(*, session: Session, actor, journey_id: int, archived: bool) -> Journey:
    """Archive (hidden from logging, kept in reports) or bring back a journey."""
    ensure_role(actor, *JOURNEY_ADMINS, action=N_("archive journeys"))
    journey = session.get(Journey, journey_id)
    journey.status = JourneyStatus.ARCHIVED if archived else JourneyStatus.ACTIVE
    journey.updated_at = utcnow()
    session.add(journey)
    session.add(ChangeLog(user_id=actor.id, entity="journey", entity_id=journey_id, action="update", field="status",
                          new_value=journey.status))
    return journey


def delete_journey(*, session: Session, actor, journey_id: int) -> None:
    """Delete a journey that has no contacts (a journey with contacts can only be archived)."""
    ensure_role(actor, *JOURNEY_ADMINS, action=N_("delete journeys"))
    count = session.exec(select(func.count()).select_from(Contact).where(Contact.journey_id == journey_id)).one()
    if count:
        raise ValidationError(Problem("journey", journey_id, ngettext("has {n} logged contact; archive it instead",
                                                             "has {n} logged contacts; archive it instead",
                                                             count).format(n=count)))
    journey = session.get(Journey, journey_id)
    session.add(ChangeLog(user_id=actor.id, entity="journey", entity_id=journey_id, action="delete", field="journey",
                          old_value=journey.name))
    session.delete(journey)


def journey_overview(*, session: Session) -> list[dict]:
    """Per journey: status, channels, checklist size, current version, contacts logged."""
    rows = []
    # what a person reads: a built-in channel in the current language ("Telefoon"), else its label
    channel_names = {c.id: channel_display_name(c.name, c.label) for c in session.exec(select(Channel)).all()}
    for journey in session.exec(select(Journey).order_by(Journey.status, Journey.name)).all():
        version = current_version(session=session, journey_id=journey.id)
        links = session.exec(select(JourneyChannel.channel_id).where(JourneyChannel.journey_id == journey.id)).all()
        rows.append({
            "id": journey.id, "journey": journey.name, "status": journey.status,
            "channels": ", ".join(sorted(channel_names[c] for c in links)),
            "checklist items": session.exec(select(func.count()).select_from(Criterion)
                                            .where(Criterion.version_id == version.id)).one(),
            "version": version.number,
            "contacts": session.exec(select(func.count()).select_from(Contact)
                                     .where(Contact.journey_id == journey.id)).one(),
        })
    return rows


def versions_in_use(*, session: Session, journey_id: int) -> list[dict]:
    """Every checklist version of a journey with its item count and the contacts scored with it."""
    rows = []
    for version in session.exec(select(ChecklistVersion).where(ChecklistVersion.journey_id == journey_id)
                                .order_by(ChecklistVersion.number)).all():
        rows.append({
            "version": version.number, "created": version.created_at,
            "items": session.exec(select(func.count()).select_from(Criterion)
                                  .where(Criterion.version_id == version.id)).one(),
            "contacts": session.exec(select(func.count()).select_from(Contact)
                                     .where(Contact.checklist_version_id == version.id)).one(),
        })
    return rows


def journey_to_json(journey_in: JourneyIn) -> str:
    """A shareable JSON document of a journey (texts, channels with targets, checklist)."""
    document = {"format": JSON_FORMAT, **asdict(journey_in)}
    for criterion in document["criteria"]:
        criterion["channels"] = list(criterion["channels"])
    return json.dumps(document, indent=2, ensure_ascii=False)


def journey_from_json(text: str | bytes) -> JourneyIn:
    """Parse a shared journey; every problem names its place in the document.

    Raises:
        ValidationError: not JSON, another format, missing or mistyped fields.
    """
    try:
        document = json.loads(text)
    except (ValueError, UnicodeDecodeError) as exc:
        raise ValidationError(Problem("file", None, _("is not valid JSON ({error})").format(error=exc))) from exc
    if not isinstance(document, dict):
        # show what the file holds instead (a list, a number...): "got None" would say nothing
        raise ValidationError(Problem("file", shown(json.dumps(document)),
                                      _('must be a JSON object with "format": "{format}"').format(format=JSON_FORMAT)))
    if document.get("format") is None:  # missing or null
        raise ValidationError(Problem("format", None, _("is required: '{format}'").format(format=JSON_FORMAT)))
    if document["format"] != JSON_FORMAT:
        raise ValidationError(Problem("format", document["format"], _("must be '{format}'").format(format=JSON_FORMAT)))
    problems = []

    def text_field(where: str, value, required=False) -> str:
        if value is None and not required:
            return ""
        if not isinstance(value, str) or (required and not value.strip()):
            problems.append(Problem(where, value, _("must be text and not empty") if required else _("must be text")))
            return ""
        return value

    def number(where: str, value, allow_none=True):
        if value is None and allow_none:
            return None
        if isinstance(value, bool) or not isinstance(value, int | float):
            problems.append(Problem(where, value, _("must be a number")))
            return None
        return value

    def listed(key: str) -> list:
        value = document.get(key)
        if value is None:
            return []
        if not isinstance(value, list):
            problems.append(Problem(key, value, _("must be a list")))
            return []
        return value

    channels = []
    for i, item in enumerate(listed("channels")):
        if not isinstance(item, dict):
            problems.append(Problem(f"channels[{i}]", item, _("must be an object")))
            continue
        channels.append(JourneyChannelIn(
            text_field(f"channels[{i}].channel", item.get("channel"), True),
            number(f"channels[{i}].first_response_target_seconds", item.get("first_response_target_seconds")),
            number(f"channels[{i}].resolution_target_seconds", item.get("resolution_target_seconds")),
            bool(item.get("business_hours")) if item.get("business_hours") is not None else None))
    criteria = []
    for i, item in enumerate(listed("criteria")):
        if not isinstance(item, dict):
            problems.append(Problem(f"criteria[{i}]", item, _("must be an object")))
            continue
        where = f"criteria[{i}]"
        raw_channels = item.get("channels") or []
        if not isinstance(raw_channels, list) or not all(isinstance(c, str) for c in raw_channels):
            problems.append(Problem(f"{where}.channels", raw_channels, _("must be a list of channel names")))
            raw_channels = []
        criteria.append(CriterionIn(
            code=text_field(f"{where}.code", item.get("code"), True), text=text_field(f"{where}.text", item.get("text"), True),
            section=text_field(f"{where}.section", item.get("section")) or "General",
            weight=number(f"{where}.weight", item.get("weight", 1.0), allow_none=False) or 0.0,
            kind=text_field(f"{where}.kind", item.get("kind", "yesno")),
            scale_min=number(f"{where}.scale_min", item.get("scale_min")),
            scale_max=number(f"{where}.scale_max", item.get("scale_max")),
            na_allowed=bool(item.get("na_allowed", True)),
            critical_policy=text_field(f"{where}.critical_policy", item.get("critical_policy", "none")),
            bonus=bool(item.get("bonus", False)), channels=tuple(c.strip().lower() for c in raw_channels)))
    journey_in = JourneyIn(
        name=text_field("name", document.get("name"), True), scenario=text_field("scenario", document.get("scenario")),
        question=text_field("question", document.get("question")),
        reference_answer=text_field("reference_answer", document.get("reference_answer")),
        channels=channels, criteria=criteria)
    problems += criterion_problems(criteria, {c.channel.strip().lower() for c in channels})
    if problems:
        raise ValidationError(problems)
    return journey_in
