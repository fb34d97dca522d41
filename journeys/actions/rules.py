"""Action rules are data: create, change, switch on or off, list, and read them in plain words.

A rule (``ActionRule``) says when a finding needs follow-up (``RuleKind``), for one brand or every
brand, one journey or every journey, who owns the action (a client user granted on the rule's
brand, or — when none is named — the client user granted most narrowly on the finding's
location), when it is due and whether its alert is urgent. Which contacts break a rule is
``scoring.action_rules``; turning findings into action items is ``journeys.actions.generate``.

The agency's managers and admins set rules for any brand or every brand; the client's admin, a
client user granted on a whole brand (its head office, not one region or location), sets the
rules of that brand (``RULE_SETTERS``, narrowed by ``rule_brands``). A client user sees the
rules of its brands and the agency's rules for every brand (those read-only), never another
brand's. Every write is logged in the
change log (entity ``action_rule``, old → new per field) in the caller's transaction; bad input
raises ``ValidationError`` naming the field, the value and what is allowed, before anything is
written. ``describe_rule`` is the one wording of a rule, shown on the rules page, by
``klantreis actions rules`` and beside each action.
"""

from dataclasses import dataclass

from sqlmodel import Session, select

from journeys.accounts.access import CLIENTS, RULE_SETTERS, ensure_role, has_role
from journeys.errors import NotFoundError, PermissionDenied, Problem, ValidationError
from journeys.language import N_, _, ngettext, number
from journeys.local_time import duration
from journeys.models import ActionRule, Brand, ChangeLog, ClientGrant, Journey, Role, RuleKind, User

ACTION = N_("manage action rules")
MAX_DUE_DAYS = 365

# Field → its name on screen (translated where shown).
FIELD_LABELS = {
    "kind": N_("Rule"), "brand_id": N_("Brand"), "journey_id": N_("Journey"), "threshold": N_("Threshold"),
    "owner_id": N_("Owner"), "due_days": N_("Due in (days)"), "urgent": N_("Urgent"), "active": N_("Active"),
}

KIND_LABELS = {
    RuleKind.CRITICAL_FAIL.value: N_("A knock-out item fails"),
    RuleKind.SCORE_BELOW.value: N_("A contact scores below a threshold"),
    RuleKind.RESPONSE_LATE.value: N_("The first response is late by more than a margin"),
    RuleKind.CHANNEL_GAP.value: N_("A journey's channel gap in a wave is too wide"),
}


def kind_label(kind: str) -> str:
    """A rule kind in words; an unknown code is shown as it is."""
    return _(KIND_LABELS[kind]) if kind in KIND_LABELS else kind


@dataclass(frozen=True)
class RuleLine:
    """A rule with its plain-words description, as the rules page and the CLI list it."""

    rule: ActionRule
    text: str


def _label(field: str) -> str:
    return _(FIELD_LABELS[field])


def _where(brand: str | None, journey: str | None) -> str:
    if brand and journey:
        return _("of {brand} in journey {journey}").format(brand=brand, journey=journey)
    if brand:
        return _("of {brand}").format(brand=brand)
    if journey:
        return _("in journey {journey}").format(journey=journey)
    return ""


def _points(value: float | None) -> str:
    value = float(value or 0)
    return ngettext("{n} point", "{n} points", 1 if value == 1 else 2).format(
        n=number(value, 0 if value == int(value) else 1))


def describe_rule(rule: ActionRule, *, brand: str | None = None, journey: str | None = None,
                  owner: str | None = None) -> str:
    """The rule in plain words in the current language, e.g. "When a contact of Vliegwel scores
    below 60 points → action for client1, due in 7 days (urgent: mail at once)".

    ``brand``, ``journey`` and ``owner`` are the names of the rule's brand, journey and owner (None:
    every brand, every journey, the location's client user); ``describe_rules`` looks them up.
    """
    where = _where(brand, journey)
    kind = rule.kind
    if kind == RuleKind.CRITICAL_FAIL:
        when = _("When a knock-out item fails on any channel {where}").format(where=where)
    elif kind == RuleKind.SCORE_BELOW:
        when = _("When a contact {where} scores below {points}").format(where=where, points=_points(rule.threshold))
    elif kind == RuleKind.RESPONSE_LATE:
        when = _("When a channel {where} misses its first-response target by more than {duration}").format(
            where=where, duration=duration(rule.threshold))
    elif kind == RuleKind.CHANNEL_GAP:
        when = _("When the channel gap of a journey {where} in a wave exceeds {points}").format(
            where=where, points=_points(rule.threshold))
    else:
        when = kind
    when = " ".join(when.split())
    who = owner or _("the location's client user")
    days = int(rule.due_days)
    due = _("due today") if days == 0 else ngettext("due in {n} day", "due in {n} days", days).format(n=number(days))
    text = _("{when} → action for {owner}, {due}").format(when=when, owner=who, due=due)
    if rule.urgent:
        text += " " + _("(urgent: mail at once)")
    if not rule.active:
        text += " " + _("(switched off)")
    return text


def describe_rules(session: Session, rules: list[ActionRule]) -> list[RuleLine]:
    """Each rule with its description, the names of its brand, journey and owner looked up once."""
    brands = {b.id: b.name for b in session.exec(select(Brand)).all()}
    journeys = {j.id: j.name for j in session.exec(select(Journey)).all()}
    owner_ids = {r.owner_id for r in rules if r.owner_id is not None}
    owners = {u.id: u.username for u in session.exec(select(User).where(User.id.in_(owner_ids))).all()} if owner_ids else {}
    return [RuleLine(rule, describe_rule(rule, brand=brands.get(rule.brand_id), journey=journeys.get(rule.journey_id),
                                         owner=owners.get(rule.owner_id)))
            for rule in rules]


def rule_brands(session: Session, actor) -> frozenset[int] | None:
    """The brands whose rules ``actor`` sets: None for the agency (every brand, and rules for
    every brand); for a client user, the brands it is granted on as a whole (its client's admin).

    Raises:
        PermissionDenied: not a rule setter, or a client user without a whole-brand grant.
    """
    ensure_role(actor, *RULE_SETTERS, action=ACTION)
    if not has_role(actor, *CLIENTS):
        return None
    brands = frozenset(session.exec(select(ClientGrant.brand_id).where(
        ClientGrant.user_id == actor.id, ClientGrant.region == "", ClientGrant.location_id.is_(None))).all())
    if not brands:
        raise PermissionDenied(_("Only a client user granted on a whole brand (the client's admin) may set its "
                                 "action rules."))
    return brands


def may_change(brands: frozenset[int] | None, rule: ActionRule) -> bool:
    """Whether a setter whose ``rule_brands`` are ``brands`` may change ``rule``."""
    return brands is None or rule.brand_id in brands


def _ensure_may_change(brands: frozenset[int] | None, brand_id: int | None) -> None:
    if brands is not None and brand_id not in brands:
        raise PermissionDenied(_("You may set action rules only for your own brands; the agency sets the rules for "
                                 "every brand."))


def list_rules(session: Session, actor) -> list[RuleLine]:
    """The rules the actor may read (the agency: all; a client's admin: its brands' and those for
    every brand), the active ones first, then the oldest first, each in plain words."""
    brands = rule_brands(session, actor)
    query = select(ActionRule).order_by(ActionRule.active.desc(), ActionRule.id)
    if brands is not None:
        query = query.where(ActionRule.brand_id.is_(None) | ActionRule.brand_id.in_(sorted(brands)))
    return describe_rules(session, list(session.exec(query).all()))


def rule_owner_candidates(session: Session, actor, brand_id: int) -> list[User]:
    """The active client users granted on ``brand_id`` (any grant): who may own its rules' actions."""
    _ensure_may_change(rule_brands(session, actor), brand_id)
    granted = select(ClientGrant.user_id).where(ClientGrant.brand_id == brand_id)
    return list(session.exec(select(User).where(User.role == Role.CLIENT.value, User.active.is_(True),
                                                User.id.in_(granted)).order_by(User.username)).all())


def _problems(session: Session, *, kind: str, brand_id, journey_id, threshold, owner_id, due_days) -> list[Problem]:
    problems: list[Problem] = []
    kinds = [k.value for k in RuleKind]
    if kind not in kinds:
        problems.append(Problem("kind", kind, _("must be one of {allowed}").format(allowed=", ".join(kinds)),
                                label=_label("kind")))
    if brand_id is not None and session.get(Brand, brand_id) is None:
        problems.append(Problem("brand_id", brand_id, _("there is no brand with this id"), label=_label("brand_id")))
    if journey_id is not None and session.get(Journey, journey_id) is None:
        problems.append(Problem("journey_id", journey_id, _("there is no journey with this id"),
                                label=_label("journey_id")))
    if kind in (RuleKind.SCORE_BELOW, RuleKind.CHANNEL_GAP):
        if threshold is None or not 0 <= float(threshold) <= 100:
            problems.append(Problem("threshold", threshold, _("must be a number of points from 0 to 100"),
                                    label=_label("threshold")))
    elif kind == RuleKind.RESPONSE_LATE:
        if threshold is None or not float(threshold) > 0:
            problems.append(Problem("threshold", threshold, _("must be a number of seconds above 0"),
                                    label=_label("threshold")))
    if not isinstance(due_days, int) or isinstance(due_days, bool) or not 0 <= due_days <= MAX_DUE_DAYS:
        problems.append(Problem("due_days", due_days, _("must be a whole number of days from 0 to {max}").format(
            max=MAX_DUE_DAYS), label=_label("due_days")))
    if owner_id is not None:
        owner = session.get(User, owner_id)
        if brand_id is None:
            problems.append(Problem("owner_id", owner_id, _("can be named only for a rule of one brand (choose the "
                                                            "brand, or leave the owner to the location's client user)"),
                                    label=_label("owner_id")))
        elif (owner is None or owner.role != Role.CLIENT or not owner.active
              or session.exec(select(ClientGrant.id).where(ClientGrant.user_id == owner_id,
                                                           ClientGrant.brand_id == brand_id)).first() is None):
            problems.append(Problem("owner_id", owner_id, _("must be an active client user granted on the rule's brand"),
                                    label=_label("owner_id")))
    return problems


def _log(session: Session, actor, rule_id: int, action: str, changes: dict) -> None:
    user_id = getattr(actor, "id", None)
    if action == "create":
        session.add(ChangeLog(user_id=user_id, entity="action_rule", entity_id=rule_id, action="create",
                              field="kind", new_value=changes.get("kind")))
        return
    for field, (old, new) in changes.items():
        session.add(ChangeLog(user_id=user_id, entity="action_rule", entity_id=rule_id, action=action, field=field,
                              old_value=None if old is None else str(old), new_value=None if new is None else str(new)))


def _threshold(kind: str, threshold):
    return None if kind == RuleKind.CRITICAL_FAIL or threshold is None else float(threshold)


def create_rule(session: Session, actor, *, kind: str, brand_id: int | None = None, journey_id: int | None = None,
                threshold: float | None = None, owner_id: int | None = None, due_days: int = 14,
                urgent: bool = False) -> ActionRule:
    """A new, active rule. ``threshold``: points (score, gap: 0–100), seconds past the target
    (late: above 0); a critical rule has none (any given is dropped)."""
    _ensure_may_change(rule_brands(session, actor), brand_id)
    kind = str(kind)
    problems = _problems(session, kind=kind, brand_id=brand_id, journey_id=journey_id, threshold=threshold,
                         owner_id=owner_id, due_days=due_days)
    if problems:
        raise ValidationError(problems)
    rule = ActionRule(kind=kind, brand_id=brand_id, journey_id=journey_id, threshold=_threshold(kind, threshold),
                      owner_id=owner_id, due_days=due_days, urgent=bool(urgent), active=True,
                      created_by_id=getattr(actor, "id", None))
    session.add(rule)
    session.flush()
    _log(session, actor, rule.id, "create", {"kind": kind})
    return rule


def _rule(session: Session, rule_id: int) -> ActionRule:
    rule = session.get(ActionRule, rule_id)
    if rule is None:
        raise NotFoundError(_("There is no action rule with id {id}.").format(id=rule_id))
    return rule


_UNSET = object()


def update_rule(session: Session, actor, rule_id: int, *, brand_id=_UNSET, journey_id=_UNSET, threshold=_UNSET,
                owner_id=_UNSET, due_days=_UNSET, urgent=_UNSET) -> ActionRule:
    """Change a rule's fields (those given; None is a value: every brand, no owner...). Its kind
    stays: a rule of another kind is a new rule. Actions already created keep their figures."""
    brands = rule_brands(session, actor)
    rule = _rule(session, rule_id)
    _ensure_may_change(brands, rule.brand_id)
    if brand_id is not _UNSET:
        _ensure_may_change(brands, brand_id)
    given = {"brand_id": brand_id, "journey_id": journey_id, "threshold": threshold, "owner_id": owner_id,
             "due_days": due_days, "urgent": urgent}
    new = {field: (getattr(rule, field) if value is _UNSET else value) for field, value in given.items()}
    problems = _problems(session, kind=rule.kind, brand_id=new["brand_id"], journey_id=new["journey_id"],
                         threshold=new["threshold"], owner_id=new["owner_id"], due_days=new["due_days"])
    if problems:
        raise ValidationError(problems)
    new["threshold"] = _threshold(rule.kind, new["threshold"])
    new["urgent"] = bool(new["urgent"])
    changes = {field: (getattr(rule, field), value) for field, value in new.items() if getattr(rule, field) != value}
    for field, (_old, value) in changes.items():
        setattr(rule, field, value)
    session.add(rule)
    session.flush()
    _log(session, actor, rule.id, "update", changes)
    return rule


def set_rule_active(session: Session, actor, rule_id: int, active: bool) -> ActionRule:
    """Switch a rule on or off; a rule switched off creates nothing, its actions stay."""
    brands = rule_brands(session, actor)
    rule = _rule(session, rule_id)
    _ensure_may_change(brands, rule.brand_id)
    if rule.active != bool(active):
        _log(session, actor, rule.id, "update", {"active": (rule.active, bool(active))})
        rule.active = bool(active)
        session.add(rule)
        session.flush()
    return rule


_UNITS = {"s": 1, "m": 60, "min": 60, "h": 3600, "u": 3600, "d": 86400}


def parse_late_by(text: str) -> float:
    """A late rule's margin as typed ("90m", "2h", "1h30m", "1d", "45s"; a bare number is seconds)
    in seconds; ``ValidationError`` naming the field when it is not such a duration or not above 0."""
    import re

    cleaned = (text or "").strip().lower().replace(" ", "")
    problem = Problem("threshold", text, _("must be a duration above 0 such as 90m, 2h, 1h30m or 1d"),
                      label=_label("threshold"))
    if re.fullmatch(r"\d+(\.\d+)?", cleaned):
        seconds = float(cleaned)
    else:
        parts = re.findall(r"(\d+(?:\.\d+)?)(min|s|m|h|u|d)", cleaned)
        if not parts or "".join(n + u for n, u in parts) != cleaned:
            raise ValidationError(problem)
        seconds = sum(float(n) * _UNITS[u] for n, u in parts)
    if seconds <= 0:
        raise ValidationError(problem)
    return seconds
