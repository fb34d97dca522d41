"""Role rules: who may do what, enforced in the services, not only hidden in the menu.

    auditor   logs and edits own contacts, submits them for review, sees own results
    manager   dashboards, every contact read-only, exports; reviews, releases waves, decides appeals
    reviewer  agency quality control: reads every contact, approves or returns submitted ones,
              corrects an answer with a reason, decides appeals; reads the dashboards
    admin     users, journeys, settings, everything
    client    the audited company: dashboards, drill-down and exports of its own brands' released
              contacts only (``journeys.models.ClientGrant``: whole brands, or regions or locations of one), with
              auditors pseudonymised; appeals an answer or a timing within the wave's window

Review before release (``journeys.review``): an auditor submits a finished contact; a reviewer
(``REVIEWERS``) approves or returns it; a manager or admin (``RELEASERS``) releases a wave's
approved contacts to the client, or a wave releases each as it is approved. A client's scope is
applied where contacts are read (``contact_visible_to`` and ``journeys.accounts.scope``), so no
page, export or figure can show what lies outside it.

Running a study (clients and locations, waves, the fieldwork plan, auditors' channels, regions
and absences, assigning planned contacts) is for managers and admins (``STUDY_PLANNERS``): in an
agency the project manager who runs the study plans it; there is no separate planning role. Auditors
read and hand back their own assignments (``ASSIGNMENT_HOLDERS``); fieldwork progress is read by
those who read every contact (``ALL_CONTACT_READERS``).

Journeys (scenario, reference answer, targets, checklist) are defined by admins only
(``JOURNEY_ADMINS``): they are the yardstick every contact is scored against, so the people
being measured by them — auditors — log against them but do not change them. In an agency the
lead auditor who writes the scenarios holds the admin role; there is no separate role for it.

The role sets below (``CONTACT_WRITERS``, ``ALL_CONTACT_READERS``, ``REVIEWERS``, ``RELEASERS``,
``CLIENTS``, ``FIGURE_READERS``, ``APPELLANTS``, ``EXPORTERS``, ``IMPORTERS``,
``JOURNEY_ADMINS``, ``STUDY_PLANNERS``, ``ASSIGNMENT_HOLDERS``, ``USER_ADMINS``, ``SETTINGS_ADMINS``, ``EVIDENCE_REMOVERS``, ``SIGNED_IN``) are
the one statement of the role model: the services check them, and the menu (``ui.navigation``)
shows each page to the very set its service checks.

Services take the signed-in user as ``actor`` (anything with ``id`` and ``role``: the
``journeys.models.User`` row or the UI's ``ui.session.SignedInUser``) and call these helpers
before reading or writing::

    ensure_role(actor, *USER_ADMINS, action="manage accounts")   # raises PermissionDenied
    select(Contact).where(contact_visible_to(actor))             # auditors: only their own rows
    ensure_can_edit_contact(actor, contact)                      # raises PermissionDenied
    ensure_can_remove_evidence(actor)                            # admins only
"""

from typing import Protocol

import sqlalchemy as sa

from journeys.errors import PermissionDenied
from journeys.language import N_, _
from journeys.models import Contact, ReviewStatus, Role
from journeys.wording import ROLE_LABELS, review_status_label, roles_in_words


class Actor(Protocol):
    id: int
    role: str


# Who may do which kind of action; one place to read the role model. The services check these
# sets and ``ui.navigation`` shows each page to exactly the set of the service behind it.
SIGNED_IN = frozenset(Role)  # the overview: what each role sees there is narrowed by contact_visible_to
CONTACT_WRITERS = frozenset({Role.AUDITOR, Role.ADMIN})
# The agency's staff who read every contact (and the figures over all of them).
ALL_CONTACT_READERS = frozenset({Role.MANAGER, Role.REVIEWER, Role.ADMIN})
# Approve or return submitted contacts, correct an answer with a reason, decide appeals.
REVIEWERS = frozenset({Role.MANAGER, Role.REVIEWER, Role.ADMIN})
# Release a wave's approved contacts to the client, set a wave's release mode and appeal window.
RELEASERS = frozenset({Role.MANAGER, Role.ADMIN})
# The audited company's users: everything they read is narrowed to their grants and released contacts.
CLIENTS = frozenset({Role.CLIENT})
# The dashboards and drill-down: the agency over every contact, a client over its scope.
FIGURE_READERS = ALL_CONTACT_READERS | CLIENTS
# Open an appeal of a released contact's answer or timing.
APPELLANTS = CLIENTS
# Download contacts and figures: managers and admins over every contact, a client over its scope
# (``journeys.interchange.exports`` narrows a client's file to its grants and pseudonymises auditors).
EXPORTERS = frozenset({Role.MANAGER, Role.ADMIN}) | CLIENTS
JOURNEY_ADMINS = frozenset({Role.ADMIN})  # create, edit, copy, archive, delete journeys
# Bring contacts in from a file (in any auditor's name): admins, the command line's operator included.
IMPORTERS = frozenset({Role.ADMIN})
USER_ADMINS = frozenset({Role.ADMIN})  # add, change, deactivate and unlock accounts
SETTINGS_ADMINS = frozenset({Role.ADMIN})  # installation settings: evidence retention
# Set up clients, locations and waves; plan a wave's fieldwork and assign it; auditors' profiles.
STUDY_PLANNERS = frozenset({Role.MANAGER, Role.ADMIN})
# Hold planned contacts: see them on a work list, start them, hand them back.
ASSIGNMENT_HOLDERS = CONTACT_WRITERS
# Action plans (journeys.actions): the agency's managers and admins and client users over their
# scope read them and work on them (in progress, done, comments); the agency verifies that a
# done action is done. The rules that create actions are set by the agency and by the client's
# admin: a client user granted on a whole brand sets that brand's rules (journeys.actions.rules
# narrows it); running the rules on demand is the agency's (the worker runs them anyway).
ACTION_READERS = FIGURE_READERS
ACTION_WORKERS = frozenset({Role.MANAGER, Role.ADMIN}) | CLIENTS
ACTION_VERIFIERS = frozenset({Role.MANAGER, Role.ADMIN})
RULE_SETTERS = frozenset({Role.MANAGER, Role.ADMIN}) | CLIENTS
RULE_RUNNERS = frozenset({Role.MANAGER, Role.ADMIN})
# Everyone sets their own e-mail address and which alerts they get; the mail queue is the admins'.
ALERT_ADMINS = frozenset({Role.ADMIN})
# Removing a file destroys evidence a result may be disputed over: not even its auditor may.
EVIDENCE_REMOVERS = frozenset({Role.ADMIN})


# The ``action`` of every ``ensure_role`` call, marked for the catalog: a refusal names it in the
# user's language ("... may not manage accounts"; in Dutch "... om accounts te beheren"). A new
# action is added here; one that is not shows in English.
ACTIONS = (
    N_("do this"),
    N_("manage accounts"),
    N_("log contacts"),
    N_("remove evidence files"),
    N_("export contacts"),
    N_("change settings"),
    N_("delete evidence"),
    N_("create journeys"),
    N_("edit journeys"),
    N_("copy journeys"),
    N_("archive journeys"),
    N_("delete journeys"),
    N_("manage clients and locations"),
    N_("manage waves"),
    N_("reopen waves"),
    N_("plan fieldwork"),
    N_("assign fieldwork"),
    N_("read fieldwork progress"),
    N_("see your assignments"),
    N_("start assignments"),
    N_("hand back assignments"),
    N_("submit contacts for review"),
    N_("review contacts"),
    N_("correct answers"),
    N_("release results"),
    N_("change a wave's release settings"),
    N_("appeal results"),
    N_("decide appeals"),
    N_("read appeals"),
    N_("read the audit trail"),
    N_("manage client access"),
    N_("read figures"),
    N_("import contacts"),
    N_("manage action rules"),
    N_("read action plans"),
    N_("work on actions"),
    N_("verify actions"),
    N_("manage the mail queue"),
)


def _role(actor: Actor | None) -> Role | None:
    if actor is None:
        return None
    try:
        return Role(actor.role)
    except ValueError:
        return None


def has_role(actor: Actor | None, *roles: Role | str) -> bool:
    """Whether the actor holds one of ``roles`` (an unknown or missing actor holds none)."""
    role = _role(actor)
    return role is not None and role in {Role(r) for r in roles}


def ensure_role(actor: Actor | None, *roles: Role | str, action: str = "do this") -> None:
    """Raise ``PermissionDenied`` unless the actor holds one of ``roles``.

    Raises:
        PermissionDenied: names the actor's role, the action and the roles allowed.
    """
    if not has_role(actor, *roles):
        held = getattr(actor, "role", None)
        raise PermissionDenied(_("Your role ({role}) may not {action}; allowed: {allowed}.").format(
            role=_(ROLE_LABELS.get(held, held)) if held else _("not signed in"),
            action=_(action), allowed=roles_in_words({Role(r) for r in roles})))


def contact_visible_to(actor: Actor | None) -> sa.ColumnElement[bool]:
    """A WHERE condition selecting the contacts this actor may read.

    Auditors see only contacts they logged; the agency's staff (``ALL_CONTACT_READERS``) see
    all; a client the released contacts within its grants (``journeys.accounts.scope.granted_to``);
    anyone else nothing.
    """
    role = _role(actor)
    if role in ALL_CONTACT_READERS:
        return sa.true()
    if role is Role.AUDITOR:
        return Contact.auditor_id == actor.id
    if role is Role.CLIENT:
        from journeys.accounts.scope import granted_to

        return granted_to(actor.id)
    return sa.false()


def can_read_contact(actor: Actor | None, contact: Contact) -> bool:
    role = _role(actor)
    if role in ALL_CONTACT_READERS:
        return True
    if role is Role.CLIENT:
        session = sa.inspect(contact).session
        if session is None or contact.id is None:
            return False
        visible = sa.select(Contact.id).where(Contact.id == contact.id, contact_visible_to(actor))
        return session.execute(visible).first() is not None
    return role is Role.AUDITOR and contact.auditor_id == actor.id


def ensure_can_read_contact(actor: Actor | None, contact: Contact) -> None:
    """Raise ``PermissionDenied`` unless the actor may read this contact."""
    if not can_read_contact(actor, contact):
        if has_role(actor, Role.CLIENT):  # says nothing of what the contact is: it may be another brand's
            raise PermissionDenied(_("Contact {id} is not among your results.").format(id=contact.id))
        raise PermissionDenied(
            _("Contact {id} belongs to another auditor; you may not open it.").format(id=contact.id))


# A contact is changed directly only while its auditor works on it: being logged, or sent back
# by a reviewer. Once submitted it changes only through review — a reviewer's correction with a
# reason, or an upheld appeal (``journeys.review``) — so every later change has a why in the trail.
EDITABLE_STATUSES = frozenset({ReviewStatus.OPEN, ReviewStatus.RETURNED})


def in_review(contact: Contact) -> bool:
    """Whether the contact has left its auditor's hands (submitted, approved or released)."""
    return contact.review_status not in EDITABLE_STATUSES


def _may_edit_when_open(actor: Actor | None, contact: Contact) -> bool:
    role = _role(actor)
    return role is Role.ADMIN or (role is Role.AUDITOR and contact.auditor_id == actor.id)


def can_edit_contact(actor: Actor | None, contact: Contact) -> bool:
    """Admins edit any contact, auditors only their own; managers read only; nobody edits one in review."""
    return not in_review(contact) and _may_edit_when_open(actor, contact)


def ensure_can_edit_contact(actor: Actor | None, contact: Contact) -> None:
    """Raise ``PermissionDenied`` unless the actor may change this contact."""
    if can_edit_contact(actor, contact):
        return
    if _may_edit_when_open(actor, contact):  # theirs to change, but in review now
        raise PermissionDenied(_(
            "Contact {id} is {status}: it can no longer be changed directly; a reviewer corrects it with a "
            "reason.").format(id=contact.id, status=review_status_label(contact.review_status).lower()))
    if has_role(actor, Role.MANAGER):
        raise PermissionDenied(_("Managers see contacts read-only; ask the auditor or an admin to change it."))
    raise PermissionDenied(_("Contact {id} belongs to another auditor; you may not change it.").format(id=contact.id))


def ensure_can_log_contact_for(actor: Actor | None, auditor_id: int | None) -> None:
    """Auditors log contacts only in their own name; admins may log for anyone."""
    ensure_role(actor, *CONTACT_WRITERS, action="log contacts")
    if has_role(actor, Role.AUDITOR) and auditor_id not in (None, actor.id):
        raise PermissionDenied(_("Auditors log contacts in their own name only."))


def ensure_can_remove_evidence(actor: Actor | None) -> None:
    """Raise ``PermissionDenied`` unless the actor may remove an evidence file (admins)."""
    ensure_role(actor, *EVIDENCE_REMOVERS, action="remove evidence files")
