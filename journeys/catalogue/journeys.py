"""Journeys and their checklists: validation and creation.

Every problem's message is in the current language (``journeys.language``), translated when
the problem is found, never at import time; field names and codes stay as the program knows them.

A journey owns numbered checklist versions; a contact points at the version it was scored
with, so editing a checklist that contacts already use creates a new version instead of
changing history.
"""

from dataclasses import dataclass, field

from sqlmodel import Session, select

from journeys.catalogue.reference import defaults_for, get_or_create_channel
from journeys.errors import Problem, ValidationError
from journeys.language import _, number, plain_number
from journeys.limits import MAX_INTEGER, is_finite, shown, text_problem
from journeys.models import (
    ChecklistVersion,
    Criterion,
    CriterionChannel,
    CriterionKind,
    CriticalPolicy,
    Journey,
    JourneyChannel,
)
from journeys.wording import CRITERION_KIND_LABELS, CRITICAL_POLICY_LABELS, critical_policy_label


@dataclass
class CriterionIn:
    """One checklist item as a user enters it (row of the checklist table)."""

    code: str
    text: str
    section: str = "General"
    weight: float = 1.0
    kind: str = CriterionKind.YESNO.value
    scale_min: float | None = None
    scale_max: float | None = None
    na_allowed: bool = True
    critical_policy: str = CriticalPolicy.NONE.value
    bonus: bool = False
    channels: tuple[str, ...] = ()  # empty: applies on every channel of the journey


@dataclass
class JourneyChannelIn:
    """A channel of a journey with its targets; ``None`` targets take the channel defaults."""

    channel: str
    first_response_target_seconds: int | None = None
    resolution_target_seconds: int | None = None
    business_hours: bool | None = None


@dataclass
class JourneyIn:
    name: str
    scenario: str = ""
    question: str = ""
    reference_answer: str = ""
    channels: list[JourneyChannelIn] = field(default_factory=list)
    criteria: list[CriterionIn] = field(default_factory=list)


# Column sizes of the journey tables (journeys.models): longer text fails on PostgreSQL.
MAX_NAME_LENGTH = 120  # Journey.name
MAX_CHANNEL_LENGTH = 40  # Channel.name
MAX_CODE_LENGTH = 30  # Criterion.code
MAX_SECTION_LENGTH = 80  # Criterion.section


def _choices(labels: dict[str, str]) -> str:
    """The allowed codes with the users' word for each, in the current language:
    ``'none' (No knock-out), ...``."""
    return ", ".join(f"{str(code.value)!r} ({_(label)})" for code, label in labels.items())


def _decimal(value) -> str:
    """A bound in a message as the current language writes it ("2.5" / "2,5")."""
    try:
        return plain_number(value)
    except (TypeError, ValueError):  # not a number at all: shown as given
        return str(value)


def criterion_problems(criteria: list[CriterionIn], channels: set[str] | None = None) -> list[Problem]:
    """Every problem in a checklist, each naming its row (1-based) and field."""
    problems: list[Problem] = []
    seen: dict[str, int] = {}
    kinds = {k.value for k in CriterionKind}
    policies = {p.value for p in CriticalPolicy}
    for row, c in enumerate(criteria, start=1):
        code = (c.code or "").strip()
        if not code:
            problems.append(Problem("code", c.code, _("must not be empty"), row))
        elif issue := text_problem(code, MAX_CODE_LENGTH):
            problems.append(Problem("code", shown(code), issue, row))
        elif code.lower() in seen:
            problems.append(Problem("code", code, _("duplicates the code of row {row}").format(row=seen[code.lower()]), row))
        else:
            seen[code.lower()] = row
        if not (c.text or "").strip():
            problems.append(Problem("text", c.text, _("must not be empty"), row))
        elif issue := text_problem(c.text):
            problems.append(Problem("text", shown(c.text), issue, row))
        if issue := text_problem((c.section or "General").strip(), MAX_SECTION_LENGTH):
            problems.append(Problem("section", shown(c.section), issue, row))
        # NaN and infinity pass a "< 0" test; an infinite weight would make every score NaN
        if not is_finite(c.weight) or c.weight < 0:
            problems.append(Problem("weight", c.weight, _("must be a number of at least 0"), row))
        if c.kind not in kinds:
            problems.append(Problem("kind", c.kind, _("must be one of {choices}").format(choices=_choices(CRITERION_KIND_LABELS)), row))
        elif c.kind == CriterionKind.SCALE:
            if c.scale_min is None or c.scale_max is None:
                problems.append(Problem("scale_min", c.scale_min, _("a scale needs a minimum and a maximum"), row))
            elif not is_finite(c.scale_min) or not is_finite(c.scale_max):
                which, value = ("scale_min", c.scale_min) if not is_finite(c.scale_min) else ("scale_max", c.scale_max)
                problems.append(Problem(which, value, _("must be a finite number"), row))
            elif c.scale_min >= c.scale_max:
                problems.append(
                    Problem("scale_max", c.scale_max, _("must be greater than scale_min {minimum}").format(minimum=_decimal(c.scale_min)), row)
                )
        if c.critical_policy not in policies:
            problems.append(Problem("critical_policy", c.critical_policy,
                                    _("must be one of {choices}").format(choices=_choices(CRITICAL_POLICY_LABELS)),
                                    row))
        elif c.bonus and c.critical_policy != CriticalPolicy.NONE:
            problems.append(Problem("critical_policy", critical_policy_label(c.critical_policy),
                                    _("a bonus item cannot be critical: choose '{none}' or untick bonus").format(
                                        none=critical_policy_label(CriticalPolicy.NONE)), row))
        if channels is not None:
            unknown = [ch for ch in c.channels if ch not in channels]
            if unknown:
                problems.append(
                    Problem("channels", ", ".join(unknown), _("not a channel of this journey {channels}").format(channels=sorted(channels)), row)
                )
    return problems


def journey_field_problems(journey_in: JourneyIn) -> list[Problem]:
    """Problems in a journey's texts, channel names and targets (creating and editing share them).

    Every channel is named once; names and texts fit their columns and hold no NUL character;
    targets are whole seconds that fit an INTEGER column.
    """
    problems: list[Problem] = []
    name = (journey_in.name or "").strip()
    if issue := text_problem(name, MAX_NAME_LENGTH):
        problems.append(Problem("name", shown(name), issue))
    for attribute in ("scenario", "question", "reference_answer"):
        if issue := text_problem(getattr(journey_in, attribute) or ""):
            problems.append(Problem(attribute, shown(getattr(journey_in, attribute)), issue))
    channel_names = [(c.channel or "").strip().lower() for c in journey_in.channels]
    if not channel_names:
        problems.append(Problem("channels", None, _("choose at least one channel")))
    if len(set(channel_names)) != len(channel_names):
        problems.append(Problem("channels", ", ".join(channel_names), _("a channel is listed twice")))
    for jc, channel in zip(journey_in.channels, channel_names, strict=True):
        if not channel:
            problems.append(Problem("channels", jc.channel, _("a channel needs a name")))
        elif issue := text_problem(channel, MAX_CHANNEL_LENGTH):
            problems.append(Problem("channels", shown(channel), issue))
        for fld in ("first_response_target_seconds", "resolution_target_seconds"):
            value = getattr(jc, fld)
            if value is None:
                continue
            if not is_finite(value) or value != int(value) or not 0 < value <= MAX_INTEGER:
                problems.append(Problem(f"{jc.channel}.{fld}", value,
                                        _("must be a whole number of seconds from 1 to {maximum}").format(
                                            maximum=number(MAX_INTEGER))))
    return problems


def _add_checklist_version(*, session: Session, journey: Journey, number: int, criteria: list[CriterionIn], note: str = "") -> ChecklistVersion:
    version = ChecklistVersion(journey_id=journey.id, number=number, note=note)
    session.add(version)
    session.flush()
    channel_ids = {}
    for position, c in enumerate(criteria):
        criterion = Criterion(
            version_id=version.id,
            position=position,
            code=c.code.strip(),
            text=c.text.strip(),
            section=(c.section or "General").strip() or "General",
            weight=float(c.weight),
            kind=c.kind,
            scale_min=c.scale_min if c.kind == CriterionKind.SCALE else None,
            scale_max=c.scale_max if c.kind == CriterionKind.SCALE else None,
            na_allowed=bool(c.na_allowed),
            critical_policy=c.critical_policy,
            bonus=bool(c.bonus),
        )
        session.add(criterion)
        session.flush()
        for name in c.channels:
            if name not in channel_ids:
                channel_ids[name] = get_or_create_channel(session=session, name=name).id
            session.add(CriterionChannel(criterion_id=criterion.id, channel_id=channel_ids[name]))
    session.flush()
    return version


def create_journey(*, session: Session, journey_in: JourneyIn) -> Journey:
    """Create a journey with its channels, targets and checklist version 1.

    Raises:
        ValidationError: naming every problem (empty or taken name, no channels, bad criteria).
    """
    problems: list[Problem] = []
    name = (journey_in.name or "").strip()
    if not name:
        problems.append(Problem("name", journey_in.name, _("must not be empty")))
    elif "\x00" in name:
        pass  # reported by journey_field_problems; PostgreSQL refuses NUL even in a query parameter
    elif session.exec(select(Journey).where(Journey.name == name)).first():
        problems.append(Problem("name", name, _("is already used by another journey")))
    channel_names = [(c.channel or "").strip().lower() for c in journey_in.channels]
    problems += journey_field_problems(journey_in)
    if not journey_in.criteria:
        problems.append(Problem("checklist", None, _("add at least one criterion")))
    problems += criterion_problems(journey_in.criteria, set(channel_names))
    if problems:
        raise ValidationError(problems)

    journey = Journey(
        name=name,
        scenario=journey_in.scenario.strip(),
        question=journey_in.question.strip(),
        reference_answer=journey_in.reference_answer.strip(),
    )
    session.add(journey)
    session.flush()
    for jc in journey_in.channels:
        channel = get_or_create_channel(session=session, name=jc.channel)
        defaults = defaults_for(channel)
        session.add(
            JourneyChannel(
                journey_id=journey.id,
                channel_id=channel.id,
                first_response_target_seconds=jc.first_response_target_seconds
                if jc.first_response_target_seconds is not None
                else (defaults.first_response_target_seconds if defaults else None),
                resolution_target_seconds=jc.resolution_target_seconds
                if jc.resolution_target_seconds is not None
                else (defaults.resolution_target_seconds if defaults else None),
                business_hours=jc.business_hours
                if jc.business_hours is not None
                else (defaults.business_hours if defaults else False),
            )
        )
    _add_checklist_version(session=session, journey=journey, number=1, criteria=journey_in.criteria)
    return journey


def current_version(*, session: Session, journey_id: int) -> ChecklistVersion:
    """The newest checklist version of a journey (the one new contacts are scored with)."""
    version = session.exec(
        select(ChecklistVersion)
        .where(ChecklistVersion.journey_id == journey_id)
        .order_by(ChecklistVersion.number.desc())
    ).first()
    if version is None:
        raise ValidationError(Problem("journey", journey_id, _("has no checklist")))
    return version

