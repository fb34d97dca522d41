"""Role boundaries of journeys.accounts.access, checked against real queries on both databases."""

from types import SimpleNamespace

import pytest
from sqlmodel import select

from data import db
from journeys.accounts.access import (
    EXPORTERS,
    JOURNEY_ADMINS,
    contact_visible_to,
    ensure_can_edit_contact,
    ensure_can_log_contact_for,
    ensure_can_read_contact,
    ensure_role,
)
from journeys.errors import PermissionDenied
from journeys.fieldwork.overview import recent_contacts
from journeys.models import Contact, Role


def _notes(engine, actor) -> set[str]:
    with db.session_scope(engine) as session:
        return set(session.exec(select(Contact.notes).where(contact_visible_to(actor))).all())


def test_auditor_sees_only_own_contacts(engine, people):
    """An auditor's contact query returns only the contacts they logged."""
    assert _notes(engine, people["auditor"]) == {"by auditor1"}
    assert _notes(engine, people["auditor2"]) == {"by auditor2"}


@pytest.mark.parametrize("who", ["manager", "admin"])
def test_manager_and_admin_see_all_contacts(engine, people, who):
    """Managers and admins read every auditor's contacts."""
    assert _notes(engine, people[who]) == {"by auditor1", "by auditor2"}


def test_nobody_and_unknown_roles_see_nothing(engine, people):
    """A missing actor or an unknown role reads no contacts at all."""
    assert _notes(engine, None) == set()
    assert _notes(engine, SimpleNamespace(id=people["auditor"].id, role="guest")) == set()


def test_recent_contacts_respects_the_auditor_boundary(engine, people):
    """The overview's recent-contacts list of an auditor holds only their own notes."""
    with db.session_scope(engine) as session:
        frame = recent_contacts(session=session, actor=people["auditor2"])
    assert frame["Notes"].tolist() == ["by auditor2"]


def test_auditor_cannot_read_or_edit_another_auditors_contact(people):
    """Reading or editing someone else's contact raises PermissionDenied for an auditor."""
    with pytest.raises(PermissionDenied, match="another auditor"):
        ensure_can_read_contact(people["auditor2"], people["contact1"])
    with pytest.raises(PermissionDenied, match="another auditor"):
        ensure_can_edit_contact(people["auditor2"], people["contact1"])
    ensure_can_edit_contact(people["auditor"], people["contact1"])


def test_manager_reads_but_cannot_edit_contacts(people):
    """Managers see every contact read-only."""
    ensure_can_read_contact(people["manager"], people["contact1"])
    with pytest.raises(PermissionDenied, match="read-only"):
        ensure_can_edit_contact(people["manager"], people["contact1"])


def test_admin_edits_any_contact(people):
    """Admins may change any auditor's contact."""
    ensure_can_edit_contact(people["admin"], people["contact2"])


def test_auditor_logs_contacts_only_in_own_name(people):
    """An auditor cannot log a contact for another auditor; a manager cannot log at all."""
    ensure_can_log_contact_for(people["auditor"], people["auditor"].id)
    with pytest.raises(PermissionDenied, match="own name"):
        ensure_can_log_contact_for(people["auditor"], people["auditor2"].id)
    with pytest.raises(PermissionDenied):
        ensure_can_log_contact_for(people["manager"], people["manager"].id)
    ensure_can_log_contact_for(people["admin"], people["auditor2"].id)


@pytest.mark.parametrize(
    ("roles", "role", "allowed"),
    [
        (EXPORTERS, Role.AUDITOR, False), (EXPORTERS, Role.MANAGER, True), (EXPORTERS, Role.ADMIN, True),
        (JOURNEY_ADMINS, Role.AUDITOR, False), (JOURNEY_ADMINS, Role.MANAGER, False), (JOURNEY_ADMINS, Role.ADMIN, True),
    ],
)
def test_export_and_journey_admin_boundaries(roles, role, allowed):
    """Exports are for managers and admins; journey administration for admins only."""
    actor = SimpleNamespace(id=1, role=role.value)
    if allowed:
        ensure_role(actor, *roles)
    else:
        with pytest.raises(PermissionDenied, match=f"Your role \\({role.value}\\)"):
            ensure_role(actor, *roles)


def test_not_signed_in_is_refused_with_a_clear_message():
    """Without a user the refusal says 'not signed in' rather than crashing."""
    with pytest.raises(PermissionDenied, match="not signed in"):
        ensure_role(None, Role.ADMIN)


def test_overview_counts_cover_only_an_auditors_own_contacts(engine, people):
    """The overview's contact figures for an auditor count their own contacts; a manager's count all."""
    from journeys.fieldwork.overview import installation_summary

    with db.session_scope(engine) as session:
        auditor = installation_summary(session=session, actor=people["auditor2"])
        manager = installation_summary(session=session, actor=people["manager"])
    assert auditor["counts"]["Contacts"] == 1 and auditor["by_brand_channel"]["Contacts"].sum() == 1
    assert manager["counts"]["Contacts"] == 2 and manager["by_brand_channel"]["Contacts"].sum() == 2
