"""The page registry: every page, who may open it and where it sits in the menu.

One source of truth: ``streamlit_app.py`` builds the menu from it for the signed-in role, and
each page's guard (``ui.session.require_page``) checks the same entry, so a page reached by a
typed URL cannot be more open than its menu entry. The role sets are ``journeys.accounts.access``'s own:
a page is shown to exactly the roles the service behind it allows.

Each role has a home, the page sign-in lands on (``home_for``): an auditor's own work (My
contacts), a client user's the Dashboard of its brands, everyone else's the Overview. A page URL of another role (a manager typing
``/admin_users``) is not left to Streamlit, which would fall back to the home page without a
word: the frame registers it as a hidden page that says whom it is for (``refusal_text``).
"""

from dataclasses import dataclass
from pathlib import Path

from journeys.accounts.access import (
    ACTION_READERS,
    ALL_CONTACT_READERS,
    ASSIGNMENT_HOLDERS,
    CONTACT_WRITERS,
    EXPORTERS,
    FIGURE_READERS,
    JOURNEY_ADMINS,
    REVIEWERS,
    RULE_SETTERS,
    SETTINGS_ADMINS,
    SIGNED_IN,
    STUDY_PLANNERS,
    USER_ADMINS,
)
from journeys.language import N_, _
from journeys.models import Role
from journeys.wording import role_with_article, roles_in_words


@dataclass(frozen=True)
class PageSpec:
    """One page. ``title``, ``section`` and ``help`` are English messages (marked with ``N_``):
    translate them where they are shown, ``_(spec.title)``; the section "" is the menu's top."""

    path: str
    title: str
    icon: str
    roles: frozenset
    section: str
    help: str


PAGES: tuple[PageSpec, ...] = (
    PageSpec("pages/overview.py", N_("Overview"), ":material/home:", SIGNED_IN, "",
             N_("What is in this installation: brands, channels, journeys, waves and contacts logged.")),
    PageSpec("pages/contacts_mine.py", N_("My contacts"), ":material/assignment:", CONTACT_WRITERS, N_("Audit"),
             N_("Your open contacts waiting for a response and recently completed ones; start a new contact.")),
    PageSpec("pages/assignments_mine.py", N_("My assignments"), ":material/checklist:", ASSIGNMENT_HOLDERS,
             N_("Audit"), N_("The planned contacts given to you, overdue and due soon first: start one with one tap, "
                             "or hand it back.")),
    PageSpec("pages/contact_log.py", N_("Log contact"), ":material/edit_note:", CONTACT_WRITERS, N_("Audit"),
             N_("Time one contact (stopwatch or response times), score its checklist and attach evidence.")),
    # The dashboards aggregate every auditor's contacts: the roles that may read them all, and client
    # users over their own scope (the filter of a client's session carries its journeys.accounts.scope.ClientScope).
    PageSpec("pages/dashboard.py", N_("Dashboard"), ":material/monitoring:", FIGURE_READERS, N_("Analyse"),
             N_("Channel comparison at a glance: quality, response rate, on-time rate and response times per channel.")),
    PageSpec("pages/consistency.py", N_("Consistency"), ":material/compare_arrows:", FIGURE_READERS, N_("Analyse"),
             N_("Per brand: channel gap, answer agreement, timing against each channel's norm, and which checklist items differ.")),
    PageSpec("pages/trends.py", N_("Trends and hours"), ":material/schedule:", FIGURE_READERS, N_("Analyse"),
             N_("Quality and response per wave, and the weekday × hour pattern of response (after-hours gaps).")),
    # Its downloads are journeys.interchange.exports' (EXPORTERS: managers, admins and client users over
    # their scope); its drill-down reads the contacts the filter's scope allows.
    PageSpec("pages/explore.py", N_("Explore and export"), ":material/table_view:", EXPORTERS, N_("Analyse"),
             N_("Drill down to contacts and one contact; download contacts and metrics (CSV, XLSX) and brand reports.")),
    # Clients (APPELLANTS) and the agency's reviewers (REVIEWERS): together the very FIGURE_READERS set.
    PageSpec("pages/appeals.py", N_("Appeals"), ":material/gavel:", FIGURE_READERS, N_("Analyse"),
             N_("Clients' appeals of released results: status, history and decisions; the appeal rate per wave and "
                "brand.")),
    # journeys.review.workflow checks the same set: approve, return, correct with a reason.
    PageSpec("pages/review_queue.py", N_("Review"), ":material/fact_check:", REVIEWERS, N_("Review"),
             N_("Submitted contacts, the oldest first: check the checklist, timings and evidence, then approve, "
                "return with a comment or correct an answer with a reason.")),
    # Follow-up: what the results ask the client to fix (journeys.actions.items checks the same sets).
    PageSpec("pages/action_plan.py", N_("Action plan"), ":material/task_alt:", ACTION_READERS, N_("Follow-up"),
             N_("Actions found in the results: open, overdue, done and verified per location and item; work on "
                "them, verify them, and see whether the next wave fixed them.")),
    # The rules that create the actions (journeys.actions.rules and .generate check RULE_SETTERS).
    PageSpec("pages/action_rules.py", N_("Action rules"), ":material/rule:", RULE_SETTERS, N_("Follow-up"),
             N_("When a finding becomes an action: the rules in plain words, switched on or off; add a rule and "
                "apply the rules now.")),
    # Everyone's own alert mails; the queue inside is ALERT_ADMINS'.
    PageSpec("pages/my_alerts.py", N_("Alerts"), ":material/notifications:", SIGNED_IN, N_("Follow-up"),
             N_("Your e-mail address and which alert mails you get (all, the daily digest only, or none); "
                "for admins the mail queue.")),
    PageSpec("pages/study_clients.py", N_("Clients and locations"), ":material/storefront:", STUDY_PLANNERS,
             N_("Study"), N_("Brands and their locations (city, address, region, code): add, edit, archive, load from a file.")),
    # Waves and their plans: journeys.fieldwork.waves and .plan check the same set.
    PageSpec("pages/study_waves.py", N_("Waves and plan"), ":material/event_note:", STUDY_PLANNERS, N_("Study"),
             N_("Create and close waves; fill a wave's fieldwork plan: contacts per brand, location, journey and "
                "channel.")),
    # Section Study, not Analyse: it follows the plan a manager made (the Study pages' loop of plan,
    # assign, watch, chase), not the customer experience the Analyse pages measure.
    PageSpec("pages/progress.py", N_("Fieldwork progress"), ":material/insights:", ALL_CONTACT_READERS, N_("Study"),
             N_("Per wave: planned contacts against done, overdue and not assigned, per brand, channel, "
                "location and auditor, with a burn-up over the wave's days.")),
    # The same rule as the journey services (journeys.accounts.access): only admins define journeys.
    PageSpec("pages/study_assign.py", N_("Assign fieldwork"), ":material/assignment_ind:", STUDY_PLANNERS,
             N_("Study"),
             N_("Give a wave's planned contacts to auditors, automatically after a preview or by hand; "
                "auditors' channels, regions and absences; the rotation lockout.")),
    PageSpec("pages/journey_admin.py", N_("Journeys"), ":material/route:", JOURNEY_ADMINS, N_("Admin"),
             N_("Define journeys: the question asked on every channel, targets per channel, the checklist and its versions.")),
    PageSpec("pages/admin_users.py", N_("Users"), ":material/group:", USER_ADMINS, N_("Admin"),
             N_("Add accounts, change roles, reset passwords, deactivate.")),
    PageSpec("pages/admin_retention.py", N_("Privacy"), ":material/shield_lock:", SETTINGS_ADMINS, N_("Admin"),
             N_("How long evidence files are kept; delete older ones with a dry run first.")),
)

PAGES_BY_PATH = {p.path: p for p in PAGES}


def pages_for(role: str) -> list[PageSpec]:
    """The pages a role may open, in menu order."""
    return [p for p in PAGES if Role(role) in p.roles]


OVERVIEW = "pages/overview.py"
ASSIGNMENTS_PAGE = "pages/assignments_mine.py"  # the auditor's work list, linked from My contacts
# The page a role lands on after signing in; a role not named here lands on the Overview. A client
# user comes for its results: the Dashboard of its own brands.
HOME_BY_ROLE: dict[str, str] = {Role.AUDITOR: "pages/contacts_mine.py", Role.CLIENT: "pages/dashboard.py"}


def home_for(role: str) -> PageSpec:
    """The page ``role`` lands on after signing in (one of ``pages_for(role)``)."""
    return PAGES_BY_PATH[HOME_BY_ROLE.get(Role(role), OVERVIEW)]


def url_path(spec: PageSpec) -> str:
    """The page's address in the browser: Streamlit's, the file name without ``.py`` (``/admin_users``)."""
    return Path(spec.path).stem


def refusal_text(spec: PageSpec, role: str) -> str:
    """Why ``role`` cannot open ``spec``: "The page 'Users' is for administrators; you are signed in as a manager."."""
    return _("The page '{page}' is for {roles}; you are signed in as {role}.").format(
        page=_(spec.title), roles=roles_in_words(spec.roles), role=role_with_article(role))
