"""The Action rules page's parts: the rules in plain words with a switch each, the form to add
one, and the button that applies the rules now. Every write goes through ``journeys.actions``
(which checks ``journeys.accounts.access.RULE_SETTERS`` and narrows a client's admin to its
brands: ``journeys.actions.rules.rule_brands``); names typed by users are shown as plain text."""

import streamlit as st
from sqlalchemy.engine import Engine
from sqlmodel import select

from data.db import read_scope
from journeys.accounts.access import RULE_RUNNERS, has_role
from journeys.actions import rules as action_rules
from journeys.actions.generate import apply_rules
from journeys.errors import KlantreisError
from journeys.language import _, ngettext, number
from journeys.models import Brand, Journey, RuleKind
from ui.actions import refuse_page, run_action, show_refusal
from ui.text import as_plain_text

UNITS = {
    RuleKind.SCORE_BELOW.value: "points",
    RuleKind.CHANNEL_GAP.value: "points",
    RuleKind.RESPONSE_LATE.value: "hours",
}


def setter_brands(engine: Engine, *, actor) -> frozenset[int] | None:
    """The brands whose rules the actor sets (None: the agency, every brand); a client user
    without a whole-brand grant is told so and the page ends."""
    try:
        with read_scope(engine) as session:
            return action_rules.rule_brands(session, actor)
    except KlantreisError as refusal:
        refuse_page(refusal)


def show_rules(engine: Engine, *, actor, brands: frozenset[int] | None) -> None:
    """The rules the actor reads in plain words, each with a switch that turns it on or off (read
    only for a rule the actor may not change: the agency's rule for every brand, for a client)."""
    with read_scope(engine) as session:
        lines = action_rules.list_rules(session, actor)
    if not lines:
        st.info(_("No action rules yet: add one below."))
        return
    for line in lines:
        rule = line.rule
        mine = action_rules.may_change(brands, rule)
        on = st.toggle(as_plain_text(line.text), value=rule.active, key=f"rule_active_{rule.id}", disabled=not mine,
                       help=None if mine else _("A rule of the agency's for every brand: the agency changes it."))
        if mine and on != rule.active:
            done = _("Rule switched on.") if on else _("Rule switched off.")
            run_action(engine, lambda s, rule_id=rule.id, on=on: action_rules.set_rule_active(s, actor, rule_id, on),
                       done)


def add_rule_form(engine: Engine, *, actor, brands: frozenset[int] | None) -> None:
    """Kind, brand (a client's admin: one of its brands; the agency also every brand), journey,
    threshold in its unit, owner, due days and urgency; then "Add rule"."""
    allowed = brands
    with read_scope(engine) as session:
        query = select(Brand).order_by(Brand.name)
        if allowed is not None:
            query = query.where(Brand.id.in_(sorted(allowed)))
        brands = {b.id: b.name for b in session.exec(query).all()}
        journeys = {j.id: j.name for j in session.exec(select(Journey).order_by(Journey.name)).all()}
    st.subheader(_("Add a rule"), anchor=False)
    kind = st.selectbox(_("When"), [k.value for k in RuleKind], format_func=action_rules.kind_label,
                        key="rule_new_kind")
    brand_id = st.selectbox(_("Brand"), [*([None] if allowed is None else []), *brands], key="rule_new_brand",
                            format_func=lambda b: _("every brand") if b is None else as_plain_text(brands[b]))
    journey_id = st.selectbox(_("Journey"), [None, *journeys], key="rule_new_journey",
                              format_func=lambda j: _("every journey") if j is None else as_plain_text(journeys[j]))
    threshold = None
    unit = UNITS.get(kind)
    if unit == "points":
        label = _("Below how many points (0–100)") if kind == RuleKind.SCORE_BELOW else \
            _("A gap of more than how many points (0–100)")
        threshold = st.number_input(label, min_value=0.0, max_value=100.0, value=60.0 if kind == "score" else 15.0,
                                    step=1.0, key=f"rule_new_threshold_{kind}")
    elif unit == "hours":
        hours = st.number_input(_("Late by more than how many hours past the target"), min_value=0.0, value=2.0,
                                step=0.5, key="rule_new_threshold_late")
        threshold = hours * 3600
    owners = {}
    if brand_id is not None:
        with read_scope(engine) as session:
            owners = {u.id: u.username for u in action_rules.rule_owner_candidates(session, actor, brand_id)}
    owner_id = st.selectbox(_("Action for"), [None, *owners], key=f"rule_new_owner_{brand_id}",
                            format_func=lambda o: _("the location's client user") if o is None
                            else as_plain_text(owners[o]))
    due_days = st.number_input(_("Due in (days)"), min_value=0, max_value=action_rules.MAX_DUE_DAYS, value=14,
                               step=1, key="rule_new_due")
    urgent = st.checkbox(_("Urgent: mail the owner at once (otherwise in the daily digest)"), key="rule_new_urgent")
    if st.button(_("Add rule"), key="rule_new_submit", type="primary"):
        run_action(engine, lambda s: action_rules.create_rule(
            s, actor, kind=kind, brand_id=brand_id, journey_id=journey_id, threshold=threshold, owner_id=owner_id,
            due_days=int(due_days), urgent=urgent), _("Rule added."))


def apply_button(engine: Engine, *, actor) -> None:
    """"Apply the rules now" (the agency's): runs the active rules and says how many actions were
    created. A client's admin does not see it: the alert worker applies the rules when results change."""
    if not has_role(actor, *RULE_RUNNERS):
        st.caption(_("New rules are applied to the released results within the hour; the actions appear on the "
                     "action plan."))
        return
    if st.button(_("Apply the rules now"), key="rules_apply"):
        try:
            result = apply_rules(engine, actor=actor)
        except KlantreisError as error:
            show_refusal(error)
            return
        st.success(ngettext("{n} new action created.", "{n} new actions created.", result.created_count).format(
            n=number(result.created_count)))
        if result.skipped_existing:
            st.caption(ngettext("{n} finding already had its action.", "{n} findings already had their action.",
                                result.skipped_existing).format(n=number(result.skipped_existing)))
