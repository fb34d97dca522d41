"""A client user of brand A cannot read or change anything of brand B through any service function.

Every public function of a ``journeys.*`` module (``journeys.demo`` aside) that takes an ``actor``
has a case in ``CASES``: how a client of brand A calls it against brand B's data (and A's
unreleased contacts), and what must happen — ``denied`` (``PermissionDenied``, whose message names
nothing of B), ``clean`` (a result in which nothing of ``tests.client_scope.world.FORBIDDEN``
appears, plus an optional check), or ``exempt`` (a role helper or an internal writer that reads
nothing for anyone, with the reason). A new function without a case fails
``test_every_service_function_has_a_scope_case``: add its line to ``CASES``.

One two-brand database per database kind (module scope); each case runs in its own session that
is rolled back, so a case that writes leaves nothing for the next.
"""

import importlib
import inspect
import pkgutil
from collections.abc import Callable, Iterable, Iterator
from dataclasses import asdict, dataclass, is_dataclass
from datetime import date
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
import sqlalchemy as sa
from sqlmodel import Session, SQLModel, select

import journeys
from data import db
from journeys.accounts import access, grants, scope, users
from journeys.actions import generate as action_generate
from journeys.actions import items as action_items
from journeys.actions import rules as action_rules
from journeys.alerts import preferences as alert_preferences
from journeys.alerts import worker as alert_worker
from journeys.catalogue import clients, journey_editing
from journeys.errors import NotFoundError, PermissionDenied
from journeys.fieldwork import assignments, contacts, evidence, overview, plan, progress, retention, waves, worklist
from journeys.fieldwork.assignment_rules import AssignmentProposal
from journeys.fieldwork.contact_filter import ContactFilter
from journeys.fieldwork.contacts import ContactStart
from journeys.interchange import exports, imports, location_file, plan_file
from journeys.interchange.contact_file import COLUMNS
from journeys.models import ActionEvent, ActionItem, ActionRule, Appeal, AppealStatus, Contact, ReviewAction
from journeys.review import appeals, release, trail, workflow
from tests.client_scope.world import BRAND_A, FORBIDDEN, build_two_brands
from tests.factories import journey_in


@dataclass(frozen=True)
class Case:
    """How a client of brand A calls one function (``call(ctx)``) and what must happen."""

    expect: str  # "denied", "clean" or "exempt"
    call: Callable[["Ctx"], Any] | None = None
    check: Callable[["Ctx", Any], None] | None = None  # more than "nothing of B" for a clean result
    reason: str = ""


def denied(call) -> Case:
    return Case("denied", call)


def clean(call, check=None) -> Case:
    return Case("clean", call, check)


def refused(call) -> Case:
    """Refused as ``PermissionDenied`` or, for an appeal id that is not the client's, ``NotFoundError``
    with the same sentence for missing and another brand's (so nothing says B's appeal exists)."""
    return Case("refused", call)


def _no_b_rows(ctx: "Ctx", frame) -> None:
    ids = set(ctx.ids["contacts_b"])
    found = set(frame["contact_id"]) & ids if "contact_id" in frame else set()
    assert not found, f"a client read brand B's contacts {found}"


def exempt(reason: str) -> Case:
    return Case("exempt", reason=reason)


@dataclass
class Ctx:
    """What a case calls with: the session (rolled back afterwards), the engine, the client and the world's ids."""

    session: Session
    engine: sa.Engine
    client: Any
    ids: dict
    tmp: Path


def _visible_ids(ctx: Ctx, condition) -> set[int]:
    return set(ctx.session.exec(select(Contact.id).where(condition)).all())


def _only_released_a(ctx: Ctx, condition) -> None:
    assert _visible_ids(ctx, condition) == set(ctx.ids["contacts_a"])


def _one_brand(ctx: Ctx, summary) -> None:
    assert summary["counts"]["Brands"] == 1 and summary["counts"]["Contacts"] == len(ctx.ids["contacts_a"])
    assert "Users" not in summary["counts"]


def _export_of_a(ctx: Ctx, result) -> None:
    header, rows, count = result
    assert count == len(ctx.ids["contacts_a"]) and {row[header.index("brand")] for row in rows} == {BRAND_A}


def _file_of_a(ctx: Ctx, result) -> None:
    text = result.path.read_text(encoding="utf-8-sig")
    assert result.contacts == len(ctx.ids["contacts_a"]) and BRAND_A in text
    _assert_nothing_of_b(text)


def _scope_of_a(ctx: Ctx, result) -> None:
    assert result.brand_names == (BRAND_A,)


def _rows(header: list[str], rows: Iterable) -> str:
    return "\n".join(",".join(map(str, r)) for r in [header, *rows])


def cid(name: str, index: int = 0):
    return lambda ctx: ctx.ids[name][index]


B = cid("contacts_b")  # a released contact of brand B
CASES: dict[str, Case] = {
    # --- journeys.accounts.access: the rules themselves
    "journeys.accounts.access.has_role": exempt("answers a role question about the actor itself; reads no data"),
    "journeys.accounts.access.ensure_role": exempt("raises on the actor's own role; reads no data"),
    "journeys.accounts.access.contact_visible_to": clean(lambda c: access.contact_visible_to(c.client),
                                                         lambda c, cond: _only_released_a(c, cond)),
    "journeys.accounts.access.can_read_contact": clean(
        lambda c: [access.can_read_contact(c.client, c.session.get(Contact, i))
                   for i in c.ids["contacts_b"] + c.ids["unreleased"]],
        lambda c, result: (not any(result)) or pytest.fail("a client reads a contact outside its scope")),
    "journeys.accounts.access.ensure_can_read_contact": denied(
        lambda c: access.ensure_can_read_contact(c.client, c.session.get(Contact, B(c)))),
    "journeys.accounts.access.can_edit_contact": clean(
        lambda c: access.can_edit_contact(c.client, c.session.get(Contact, c.ids["unreleased"][2])),
        lambda c, result: result is False or pytest.fail("a client may edit a contact")),
    "journeys.accounts.access.ensure_can_edit_contact": denied(
        lambda c: access.ensure_can_edit_contact(c.client, c.session.get(Contact, B(c)))),
    "journeys.accounts.access.ensure_can_log_contact_for": denied(
        lambda c: access.ensure_can_log_contact_for(c.client, None)),
    "journeys.accounts.access.ensure_can_remove_evidence": denied(lambda c: access.ensure_can_remove_evidence(c.client)),
    # --- journeys.accounts: grants, scope, users
    "journeys.accounts.grants.grants_of": denied(
        lambda c: grants.grants_of(session=c.session, actor=c.client, user_id=c.client.id)),
    "journeys.accounts.grants.set_client_grants": denied(lambda c: grants.set_client_grants(
        session=c.session, actor=c.client, user_id=c.client.id, grants=["Bestelbaas"])),
    "journeys.accounts.scope.client_scope": clean(lambda c: scope.client_scope(session=c.session, actor=c.client),
                                                  _scope_of_a),
    "journeys.accounts.users.list_users": denied(lambda c: users.list_users(session=c.session, actor=c.client)),
    "journeys.accounts.users.add_user": denied(lambda c: users.add_user(
        session=c.session, actor=c.client, username="x", role="admin", password="password-1")),
    "journeys.accounts.users.set_role": denied(lambda c: users.set_role(
        session=c.session, actor=c.client, user_id=c.client.id, role="admin")),
    "journeys.accounts.users.reset_password": denied(lambda c: users.reset_password(
        session=c.session, actor=c.client, user_id=c.ids["auditor_b"], password="password-1")),
    "journeys.accounts.users.set_active": denied(lambda c: users.set_active(
        session=c.session, actor=c.client, user_id=c.ids["auditor_b"], active=False)),
    "journeys.accounts.users.locked_sources": denied(lambda c: users.locked_sources(
        session=c.session, actor=c.client, usernames=["ppietersen"])),
    "journeys.accounts.users.lift_sign_in_locks": denied(lambda c: users.lift_sign_in_locks(
        session=c.session, actor=c.client, user_id=c.client.id)),
    "journeys.accounts.users.link_sso_email": denied(lambda c: users.link_sso_email(
        session=c.session, actor=c.client, user_id=c.client.id, email="a@example.org")),
    # --- journeys.catalogue
    "journeys.catalogue.clients.create_brand": denied(lambda c: clients.create_brand(
        session=c.session, actor=c.client, name="New")),
    "journeys.catalogue.clients.update_brand": denied(lambda c: clients.update_brand(
        session=c.session, actor=c.client, brand_id=c.ids["brand_b"], name="Renamed")),
    "journeys.catalogue.clients.set_brand_archived": denied(lambda c: clients.set_brand_archived(
        session=c.session, actor=c.client, brand_id=c.ids["brand_b"], archived=True)),
    "journeys.catalogue.clients.create_location": denied(lambda c: clients.create_location(
        session=c.session, actor=c.client, brand_id=c.ids["brand_b"], name="New")),
    "journeys.catalogue.clients.update_location": denied(lambda c: clients.update_location(
        session=c.session, actor=c.client, location_id=c.ids["location_b"], name="Renamed")),
    "journeys.catalogue.clients.apply_location": exempt(
        "writes checked input for update_location and the bulk load, which check the role first; actor is who is logged"),
    "journeys.catalogue.clients.set_location_archived": denied(lambda c: clients.set_location_archived(
        session=c.session, actor=c.client, location_id=c.ids["location_b"], archived=True)),
    "journeys.catalogue.clients.brands_frame": denied(lambda c: clients.brands_frame(session=c.session, actor=c.client)),
    "journeys.catalogue.clients.locations_frame": denied(lambda c: clients.locations_frame(
        session=c.session, actor=c.client)),
    "journeys.catalogue.journey_editing.update_journey": denied(lambda c: journey_editing.update_journey(
        session=c.session, actor=c.client, journey_id=c.ids["journey"], journey_in=journey_in())),
    "journeys.catalogue.journey_editing.new_journey": denied(lambda c: journey_editing.new_journey(
        session=c.session, actor=c.client, journey_in=journey_in(name="Other"))),
    "journeys.catalogue.journey_editing.copy_journey": denied(lambda c: journey_editing.copy_journey(
        session=c.session, actor=c.client, journey_id=c.ids["journey"], name="Copy")),
    "journeys.catalogue.journey_editing.set_archived": denied(lambda c: journey_editing.set_archived(
        session=c.session, actor=c.client, journey_id=c.ids["journey"], archived=True)),
    "journeys.catalogue.journey_editing.delete_journey": denied(lambda c: journey_editing.delete_journey(
        session=c.session, actor=c.client, journey_id=c.ids["journey"])),
    # --- journeys.fieldwork.assignments: the agency's planning
    "journeys.fieldwork.assignments.auditor_profiles": denied(lambda c: assignments.auditor_profiles(
        session=c.session, actor=c.client)),
    "journeys.fieldwork.assignments.auditor_profiles_frame": denied(lambda c: assignments.auditor_profiles_frame(
        session=c.session, actor=c.client)),
    "journeys.fieldwork.assignments.set_auditor_channels": denied(lambda c: assignments.set_auditor_channels(
        session=c.session, actor=c.client, user_id=c.ids["auditor_b"], channel_ids=[])),
    "journeys.fieldwork.assignments.set_auditor_regions": denied(lambda c: assignments.set_auditor_regions(
        session=c.session, actor=c.client, user_id=c.ids["auditor_b"], regions=[])),
    "journeys.fieldwork.assignments.add_absence": denied(lambda c: assignments.add_absence(
        session=c.session, actor=c.client, user_id=c.ids["auditor_b"], starts_on=date(2026, 3, 1),
        ends_on=date(2026, 3, 2))),
    "journeys.fieldwork.assignments.remove_absence": denied(lambda c: assignments.remove_absence(
        session=c.session, actor=c.client, absence_id=1)),
    "journeys.fieldwork.assignments.set_lockout": denied(lambda c: assignments.set_lockout(
        session=c.session, actor=c.client, waves=1, days=1)),
    "journeys.fieldwork.assignments.propose_assignment": denied(lambda c: assignments.propose_assignment(
        session=c.session, actor=c.client, wave_id=c.ids["wave"])),
    "journeys.fieldwork.assignments.apply_assignment": denied(lambda c: assignments.apply_assignment(
        session=c.session, actor=c.client, wave_id=c.ids["wave"], proposal=AssignmentProposal({}, {}))),
    "journeys.fieldwork.assignments.assign_by_hand": denied(lambda c: assignments.assign_by_hand(
        session=c.session, actor=c.client, assignment_ids=c.ids["assignments_b"], auditor_id=None)),
    "journeys.fieldwork.assignments.assignable_waves": denied(lambda c: assignments.assignable_waves(
        session=c.session, actor=c.client)),
    "journeys.fieldwork.assignments.wave_planned": denied(lambda c: assignments.wave_planned(
        session=c.session, actor=c.client, wave_id=c.ids["wave"])),
    "journeys.fieldwork.assignments.location_regions": denied(lambda c: assignments.location_regions(
        session=c.session, actor=c.client)),
    "journeys.fieldwork.assignments.channel_options": denied(lambda c: assignments.channel_options(
        session=c.session, actor=c.client)),
    # --- journeys.fieldwork.contacts: logging is the auditors'; reading goes through the scope
    "journeys.fieldwork.contacts.start_contact": denied(lambda c: contacts.start_contact(
        session=c.session, actor=c.client, start=ContactStart(journey_id=c.ids["journey"], brand_id=c.ids["brand_b"],
                                                            channel_id=c.ids["phone"]))),
    "journeys.fieldwork.contacts.record_event": denied(lambda c: contacts.record_event(
        session=c.session, actor=c.client, contact_id=B(c), event="first_response")),
    "journeys.fieldwork.contacts.save_contact": denied(lambda c: contacts.save_contact(
        session=c.session, actor=c.client, contact_id=B(c), changes={"notes": "x"})),
    "journeys.fieldwork.contacts.my_drafts": clean(lambda c: contacts.my_drafts(session=c.session, actor=c.client),
                                                   lambda c, result: result == {} or pytest.fail(str(result))),
    "journeys.fieldwork.contacts.keep_pending_input": denied(lambda c: contacts.keep_pending_input(
        session=c.session, actor=c.client, contact_id=B(c), values={"notes": "x"})),
    "journeys.fieldwork.contacts.pending_input": clean(  # keyed by the actor: only its own typing, never B's
        lambda c: contacts.pending_input(session=c.session, actor=c.client, contact_id=B(c)),
        lambda c, result: result is None or pytest.fail(str(result))),
    "journeys.fieldwork.contacts.add_evidence": denied(lambda c: contacts.add_evidence(
        session=c.session, actor=c.client, contact_id=B(c), file_name="x.png", data=b"x")),
    "journeys.fieldwork.contacts.remove_evidence": denied(lambda c: contacts.remove_evidence(
        session=c.session, actor=c.client, evidence_id=c.ids["evidence_b"])),
    "journeys.fieldwork.contacts.read_contact": denied(lambda c: contacts.read_contact(
        session=c.session, actor=c.client, contact_id=B(c))),
    "journeys.fieldwork.contacts.my_contacts": clean(lambda c: contacts.my_contacts(engine=c.engine, actor=c.client)),
    "journeys.fieldwork.evidence.ensure_preview": denied(lambda c: evidence.ensure_preview(
        session=c.session, evidence_id=c.ids["evidence_b"], actor=c.client)),
    "journeys.fieldwork.evidence.original_content": denied(lambda c: evidence.original_content(
        session=c.session, evidence_id=c.ids["evidence_b"], actor=c.client)),
    # --- journeys.fieldwork: overview, plan, progress, retention, waves, work list
    "journeys.fieldwork.overview.installation_summary": clean(
        lambda c: overview.installation_summary(session=c.session, actor=c.client), _one_brand),
    "journeys.fieldwork.overview.recent_contacts": clean(
        lambda c: overview.recent_contacts(session=c.session, actor=c.client, limit=50),
        lambda c, frame: set(frame["Brand"]) == {BRAND_A} or pytest.fail(str(frame))),
    "journeys.fieldwork.overview.last_start": clean(lambda c: overview.last_start(session=c.session, actor=c.client),
                                                    lambda c, result: result is None or pytest.fail(str(result))),
    "journeys.fieldwork.plan.set_cells": exempt(
        "writes checked cells for fill_quota and import_plan, which check the role first; actor is who is logged"),
    "journeys.fieldwork.plan.fill_quota": denied(lambda c: plan.fill_quota(
        session=c.session, actor=c.client, wave_id=c.ids["wave"], brand_ids=[c.ids["brand_b"]],
        journey_ids=[c.ids["journey"]], channel_ids=[c.ids["phone"]], per_cell=1)),
    "journeys.fieldwork.plan.set_line": denied(lambda c: plan.set_line(
        session=c.session, actor=c.client, line_id=c.ids["line_b"], quantity=1, time_slot="any", due_on=None)),
    "journeys.fieldwork.plan.delete_line": denied(lambda c: plan.delete_line(
        session=c.session, actor=c.client, line_id=c.ids["line_b"])),
    "journeys.fieldwork.plan.plan_frame": denied(lambda c: plan.plan_frame(session=c.session, actor=c.client)),
    "journeys.fieldwork.progress.progress_waves": denied(lambda c: progress.progress_waves(
        session=c.session, actor=c.client)),
    "journeys.fieldwork.progress.wave_progress": denied(lambda c: progress.wave_progress(
        session=c.session, actor=c.client, wave_id=c.ids["wave"], today=date(2026, 3, 5))),
    "journeys.fieldwork.retention.set_retention_months": denied(lambda c: retention.set_retention_months(
        session=c.session, actor=c.client, months=1)),
    "journeys.fieldwork.retention.purge_evidence": denied(lambda c: retention.purge_evidence(
        session=c.session, months=1, dry_run=True, actor=c.client)),
    "journeys.fieldwork.waves.create_wave": denied(lambda c: waves.create_wave(
        session=c.session, actor=c.client, name="2026-Q9", starts_on=None, ends_on=None)),
    "journeys.fieldwork.waves.update_wave": denied(lambda c: waves.update_wave(
        session=c.session, actor=c.client, wave_id=c.ids["wave"], name="x", starts_on=None, ends_on=None)),
    "journeys.fieldwork.waves.close_wave": denied(lambda c: waves.close_wave(
        session=c.session, actor=c.client, wave_id=c.ids["wave"])),
    "journeys.fieldwork.waves.reopen_wave": denied(lambda c: waves.reopen_wave(
        session=c.session, actor=c.client, wave_id=c.ids["wave"])),
    "journeys.fieldwork.waves.waves_frame": denied(lambda c: waves.waves_frame(session=c.session, actor=c.client)),
    "journeys.fieldwork.worklist.my_assignments": denied(lambda c: worklist.my_assignments(
        session=c.session, actor=c.client, today=date(2026, 3, 5))),
    "journeys.fieldwork.worklist.start_assignment": denied(lambda c: worklist.start_assignment(
        session=c.session, actor=c.client, assignment_id=c.ids["assignments_b"][0])),
    "journeys.fieldwork.worklist.hand_back": denied(lambda c: worklist.hand_back(
        session=c.session, actor=c.client, assignment_id=c.ids["assignments_b"][0], reason="x")),
    # --- journeys.interchange: a client exports its own, never imports
    "journeys.interchange.exports.scoped_filter": clean(
        lambda c: exports.scoped_filter(c.session.connection(), ContactFilter(include_unreleased=True), c.client),
        lambda c, flt: (flt.scope is not None and flt.released_only) or pytest.fail(str(flt))),
    "journeys.interchange.exports.export_rows": clean(lambda c: _materialised(exports.export_rows(
        c.session.connection(), ContactFilter(include_unreleased=True), actor=c.client)), _export_of_a),
    "journeys.interchange.exports.export_contacts": clean(lambda c: exports.export_contacts(
        connection=c.session.connection(), path=c.tmp / "contacts.csv", file_format="csv",
        flt=ContactFilter(), actor=c.client), _file_of_a),
    "journeys.interchange.imports.import_contacts": denied(lambda c: imports.import_contacts(
        session=c.session, actor=c.client, header=list(COLUMNS), rows=[])),
    "journeys.interchange.location_file.import_locations": denied(lambda c: location_file.import_locations(
        session=c.session, actor=c.client, header=["brand", "name"], rows=[])),
    "journeys.interchange.location_file.import_location_file": denied(lambda c: location_file.import_location_file(
        session=c.session, actor=c.client, path=_file(c.tmp / "locations.csv", "brand,name\nKoopklik,Nieuw\n"))),
    "journeys.interchange.location_file.import_location_upload": denied(
        lambda c: location_file.import_location_upload(session=c.session, actor=c.client, file_name="l.csv",
                                                       data=b"brand,name\n")),
    "journeys.interchange.plan_file.import_plan": denied(lambda c: plan_file.import_plan(
        session=c.session, actor=c.client, header=["brand"], rows=[])),
    "journeys.interchange.plan_file.plan_rows": denied(lambda c: plan_file.plan_rows(session=c.session, actor=c.client)),
    "journeys.interchange.plan_file.plan_csv": denied(lambda c: plan_file.plan_csv(session=c.session, actor=c.client)),
    "journeys.interchange.plan_file.export_plan": denied(lambda c: plan_file.export_plan(
        session=c.session, actor=c.client, path=c.tmp / "plan.csv", file_format="csv")),
    # --- journeys.review.workflow: reviewing is the agency's; a client reads its own trail only
    "journeys.review.workflow.submit_contact": denied(lambda c: workflow.submit_contact(
        session=c.session, actor=c.client, contact_id=B(c))),
    "journeys.review.workflow.return_contact": denied(lambda c: workflow.return_contact(
        session=c.session, actor=c.client, contact_id=B(c), comment="x")),
    "journeys.review.workflow.approve_contact": denied(lambda c: workflow.approve_contact(
        session=c.session, actor=c.client, contact_id=B(c))),
    "journeys.review.workflow.correct_answer": denied(lambda c: workflow.correct_answer(
        session=c.session, actor=c.client, contact_id=B(c), criterion_id=1, value=1.0, reason="x")),
    "journeys.review.workflow.correct_timing": denied(lambda c: workflow.correct_timing(
        session=c.session, actor=c.client, contact_id=B(c), field="first_response_at", value=None, reason="x")),
    "journeys.review.workflow.review_queue": denied(lambda c: workflow.review_queue(
        session=c.session, actor=c.client, brands=[c.ids["brand_b"]])),
    "journeys.review.workflow.returned_contacts": denied(lambda c: workflow.returned_contacts(
        session=c.session, actor=c.client)),
    "journeys.review.workflow.ready_to_submit": denied(lambda c: workflow.ready_to_submit(
        session=c.session, actor=c.client)),
    "journeys.review.workflow.trail_frame": clean(lambda c: [
        workflow.trail_frame(session=c.session, actor=c.client),
        workflow.trail_frame(session=c.session, actor=c.client, contact_ids=c.ids["contacts_b"]),
        workflow.trail_frame(session=c.session, actor=c.client, wave_id=c.ids["wave"])],
        lambda c, frames: [_no_b_rows(c, f) for f in frames] and (
            frames[1].empty or pytest.fail(str(frames[1])))),
    # --- journeys.review.release: the agency's
    "journeys.review.release.set_release_settings": denied(lambda c: release.set_release_settings(
        session=c.session, actor=c.client, wave_id=c.ids["wave"], release_mode="auto", appeal_days=7)),
    "journeys.review.release.release_wave": denied(lambda c: release.release_wave(
        session=c.session, actor=c.client, wave_id=c.ids["wave"])),
    "journeys.review.release.release_counts": denied(lambda c: release.release_counts(
        session=c.session, actor=c.client, wave_id=c.ids["wave"])),
    # --- journeys.review.appeals: a client appeals and reads its own results' appeals only
    "journeys.review.appeals.appeal_window": denied(lambda c: appeals.appeal_window(
        session=c.session, actor=c.client, contact_id=B(c))),
    "journeys.review.appeals.open_appeal": denied(lambda c: appeals.open_appeal(
        session=c.session, actor=c.client, contact_id=B(c), criterion_id=None, reason="x")),
    "journeys.review.appeals.query_client": denied(lambda c: appeals.query_client(
        session=c.session, actor=c.client, appeal_id=c.ids["appeal_b"], question="x")),
    "journeys.review.appeals.answer_query": refused(lambda c: appeals.answer_query(
        session=c.session, actor=c.client, appeal_id=c.ids["appeal_b"], answer="x")),
    "journeys.review.appeals.decide_appeal": denied(lambda c: appeals.decide_appeal(
        session=c.session, actor=c.client, appeal_id=c.ids["appeal_b"], upheld=True, decision="x")),
    "journeys.review.appeals.appeals_of": clean(lambda c: [
        appeals.appeals_of(session=c.session, actor=c.client),
        appeals.appeals_of(session=c.session, actor=c.client, brands=["Bestelbaas"]),
        appeals.appeals_of(session=c.session, actor=c.client, contact_id=B(c))],
        lambda c, results: all(r == [] for r in results) or pytest.fail(str(results))),
    "journeys.review.appeals.appeal_history": refused(lambda c: appeals.appeal_history(
        session=c.session, actor=c.client, appeal_id=c.ids["appeal_b"])),
    "journeys.review.appeals.changed_on_appeal": clean(
        lambda c: appeals.changed_on_appeal(session=c.session, actor=c.client),
        lambda c, frame: frame.empty or pytest.fail(str(frame))),
    "journeys.review.appeals.appeal_rate_table": clean(
        lambda c: appeals.appeal_rate_table(engine=c.engine, actor=c.client)),
    # --- journeys.actions: client A (granted on the whole brand) is its admin: A's rules and the
    # agency's rules for every brand, never B's; running the rules on demand is the agency's
    "journeys.actions.rules.list_rules": clean(
        lambda c: action_rules.list_rules(c.session, c.client),
        lambda c, lines: {line.rule.id for line in lines} == {c.ids["rule_all"]}
        or pytest.fail(f"a client reads rules {[line.rule.id for line in lines]}")),
    "journeys.actions.rules.rule_brands": clean(
        lambda c: action_rules.rule_brands(c.session, c.client),
        lambda c, brands: brands == {c.ids["brand_a"]} or pytest.fail(f"a client sets rules of {brands}")),
    "journeys.actions.rules.create_rule": refused(lambda c: action_rules.create_rule(
        c.session, c.client, kind="critical", brand_id=c.ids["brand_b"])),
    "journeys.actions.rules.update_rule": refused(lambda c: action_rules.update_rule(
        c.session, c.client, c.ids["rule_b"], due_days=3)),
    "journeys.actions.rules.set_rule_active": refused(lambda c: action_rules.set_rule_active(
        c.session, c.client, c.ids["rule_b"], False)),
    "journeys.actions.rules.rule_owner_candidates": refused(lambda c: action_rules.rule_owner_candidates(
        c.session, c.client, c.ids["brand_b"])),
    "journeys.actions.generate.apply_rules": denied(lambda c: action_generate.apply_rules(c.engine, actor=c.client)),
    # --- journeys.actions: a client of A reads A's actions only; B's are refused without B's name
    "journeys.actions.items.action_visible_to": clean(
        lambda c: set(c.session.exec(select(ActionItem.id).where(action_items.action_visible_to(c.client))).all()),
        lambda c, ids: ids == {c.ids["action_a"]} or pytest.fail(f"a client reads actions {ids}")),
    "journeys.actions.items.action_list": clean(
        lambda c: action_items.action_list(c.session, c.client),
        lambda c, frame: set(frame["id"]) == {c.ids["action_a"]} or pytest.fail("a client reads B's action")),
    "journeys.actions.items.action_summary": clean(
        lambda c: action_items.action_summary(c.session, c.client, by=("brand", "location")),
        lambda c, frame: int(frame["n"].sum()) == 1 or pytest.fail("a client counts B's action")),
    "journeys.actions.items.get_action": denied(lambda c: action_items.get_action(c.session, c.client,
                                                                                  c.ids["action_b"])),
    "journeys.actions.items.action_history": denied(lambda c: action_items.action_history(c.session, c.client,
                                                                                          c.ids["action_b"])),
    "journeys.actions.items.set_status": denied(lambda c: action_items.set_status(c.session, c.client,
                                                                                  c.ids["action_b"], "verified")),
    "journeys.actions.items.add_comment": denied(lambda c: action_items.add_comment(c.session, c.client,
                                                                                    c.ids["action_b"], "hello")),
    "journeys.actions.items.assign_owner": denied(lambda c: action_items.assign_owner(
        c.session, c.client, c.ids["action_b"], c.client.id)),
    "journeys.actions.items.set_due_date": denied(lambda c: action_items.set_due_date(
        c.session, c.client, c.ids["action_b"], date(2026, 6, 1))),
    "journeys.actions.states.may_make": exempt("answers a role question about the actor itself; reads no data"),
    "journeys.actions.states.moves_for": exempt("the moves of the actor's role from a given status; reads no data"),
    # --- journeys.alerts: one's own alert settings only; the mail queue is the admins'
    "journeys.alerts.preferences.alert_preferences": clean(
        lambda c: alert_preferences.alert_preferences(c.session, actor=c.client),
        lambda c, prefs: prefs.user_id == c.client.id or pytest.fail(str(prefs))),
    "journeys.alerts.preferences.set_alert_preferences": denied(lambda c: alert_preferences.set_alert_preferences(
        c.session, actor=c.client, user_id=c.ids["admin"], email="x@example.org", alerts="off")),
    "journeys.alerts.preferences.queue_summary": denied(lambda c: alert_preferences.queue_summary(
        c.session, actor=c.client)),
    "journeys.alerts.worker.send_now": denied(lambda c: alert_worker.send_now(c.engine, actor=c.client)),
    # --- journeys.review
    "journeys.review.trail.record": exempt(
        "writes the trail line of a step its caller (a review service) has checked; reads nothing"),
}


def _file(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


def _materialised(result):
    header, rows, count = result
    return header, list(rows), count


def service_functions() -> list[str]:
    """Every public function of a ``journeys.*`` module (``journeys.demo`` aside) with an ``actor`` parameter."""
    found = []
    for module_info in pkgutil.walk_packages(journeys.__path__, "journeys."):
        if module_info.name == "journeys.demo":
            continue
        module = importlib.import_module(module_info.name)
        for name, function in vars(module).items():
            if name.startswith("_") or not inspect.isfunction(function) or function.__module__ != module.__name__:
                continue
            if "actor" in inspect.signature(function).parameters:
                found.append(f"{module.__name__}.{name}")
    return sorted(found)


def test_every_service_function_has_a_scope_case():
    """A function taking an ``actor`` without a line in ``CASES`` fails here; so does a line of a
    function that no longer exists."""
    functions = set(service_functions())
    missing = sorted(functions - set(CASES))
    assert not missing, "\n".join(f"new service function {name} has no scope case (add it to CASES)"
                                  for name in missing)
    stale = sorted(set(CASES) - functions)
    assert not stale, f"CASES names functions that are gone: {stale}"
    assert len(functions) > 60


def _text(value) -> str:
    """Everything a result holds, as text, to search for what a client may not read."""
    if isinstance(value, pd.DataFrame):
        return value.to_csv()
    if isinstance(value, dict):
        return "\n".join(f"{_text(k)}={_text(v)}" for k, v in value.items())
    if isinstance(value, (list, tuple, set, frozenset)):
        return "\n".join(_text(v) for v in value)
    if isinstance(value, Iterator):
        return "\n".join(_text(v) for v in value)
    if isinstance(value, SQLModel):
        return repr(value.model_dump())
    if is_dataclass(value) and not isinstance(value, type):
        return repr(asdict(value))
    if isinstance(value, sa.ColumnElement):
        return ""  # a condition: its check runs it
    return repr(value)


def _assert_nothing_of_b(text: str) -> None:
    found = [word for word in FORBIDDEN if word.lower() in text.lower()]
    assert not found, f"a client read {found}"


@pytest.fixture(scope="module")
def two_brands(module_db_url, tmp_path_factory):
    """The two-brand world in a module database: (engine, client, ids)."""
    engine = db.get_engine(module_db_url)
    with db.session_scope(engine) as session:
        world = build_two_brands(session)
        ids = {name: row.id for name, row in world.items() if hasattr(row, "id") and not isinstance(row, dict)}
        for name in ("contacts_a", "contacts_b", "unreleased"):
            ids[name] = [c.id for c in world[name]]
        ids["phone"] = world["channels"]["phone"].id
        ids["assignments_b"] = list(session.exec(select(plan.Assignment.id).where(
            plan.Assignment.plan_line_id == world["line_b"].id)).all())
        # brand B's released contact with an appeal by B's own client user, and its trail
        client_b = users.create_user(session=session, username="klant-b", role="client", password="client-pass",
                                     display_name="Klant Bestelbaas")
        session.flush()
        grants.set_client_grants(session=session, actor=world["admin"], user_id=client_b.id,
                                 grants=[grants.GrantSpec("Bestelbaas")])
        appeal_b = Appeal(contact_id=ids["contacts_b"][0], opened_by_id=client_b.id, reason="secret-of-b",
                          status=AppealStatus.WAITING_CLIENT.value)
        session.add(appeal_b)
        session.flush()
        trail.record(session, contact_id=ids["contacts_b"][0], action=ReviewAction.RELEASED, comment="secret-of-b")
        trail.record(session, contact_id=ids["contacts_b"][0], action=ReviewAction.APPEALED, actor=client_b,
                     comment="secret-of-b", appeal_id=appeal_b.id)
        ids["appeal_b"] = appeal_b.id
        # an action of brand B's location (with its history) and one of brand A's, written directly
        rule = ActionRule(kind="critical")
        rule_b = ActionRule(kind="score", threshold=50.0, brand_id=world["brand_b"].id)
        session.add_all([rule, rule_b])
        session.flush()
        ids["rule_all"], ids["rule_b"] = rule.id, rule_b.id
        action_b = ActionItem(rule_id=rule.id, finding_key="b", kind="critical", contact_id=ids["contacts_b"][0],
                              brand_id=world["brand_b"].id, location_id=world["location_b"].id,
                              journey_id=world["journey"].id, wave_id=world["wave"].id, due_on=date(2026, 3, 1),
                              status="done")
        action_a = ActionItem(rule_id=rule.id, finding_key="a", kind="score", contact_id=ids["contacts_a"][0],
                              brand_id=world["brand_a"].id, location_id=world["location_a"].id, measured=40.0,
                              threshold=60.0, journey_id=world["journey"].id, wave_id=world["wave"].id,
                              due_on=date(2026, 3, 1))
        session.add_all([action_a, action_b])
        session.flush()
        session.add(ActionEvent(action_id=action_b.id, user_id=client_b.id, text="secret-of-b"))
        ids["action_b"], ids["action_a"] = action_b.id, action_a.id
        client = world["client"]
        session.expunge(client)
    return engine, client, ids, tmp_path_factory.mktemp("files")


@pytest.mark.parametrize("name", sorted(CASES))
def test_a_client_reads_and_changes_nothing_outside_its_scope(two_brands, name):
    """The case of ``name``: refused without a word of B, or a result without anything of B."""
    case = CASES[name]
    if case.expect == "exempt":
        assert case.reason
        return
    engine, client, ids, tmp = two_brands
    with Session(engine) as session:
        ctx = Ctx(session=session, engine=engine, client=client, ids=ids, tmp=tmp)
        try:
            if case.expect in ("denied", "refused"):
                kinds = PermissionDenied if case.expect == "denied" else (PermissionDenied, NotFoundError)
                with pytest.raises(kinds) as refusal:
                    case.call(ctx)
                _assert_nothing_of_b(str(refusal.value))
            else:
                result = case.call(ctx)
                _assert_nothing_of_b(_text(result))
                if case.check is not None:
                    case.check(ctx, result)
        finally:
            session.rollback()
