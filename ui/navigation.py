"""The page registry: every page, who may open it and where it sits in the menu.

One source of truth: ``streamlit_app.py`` builds the menu from it for the signed-in role, and
each page's guard (``ui.session.require_page``) checks the same entry, so a page reached by a
typed URL cannot be more open than its menu entry.
"""

from dataclasses import dataclass

from journeys.models import Role

EVERYONE = frozenset(Role)
MANAGERS = frozenset({Role.MANAGER, Role.ADMIN})
AUDITORS = frozenset({Role.AUDITOR, Role.ADMIN})
ADMINS = frozenset({Role.ADMIN})


@dataclass(frozen=True)
class PageSpec:
    path: str
    title: str
    icon: str
    roles: frozenset
    section: str
    help: str


PAGES: tuple[PageSpec, ...] = (
    PageSpec("pages/overview.py", "Overview", ":material/home:", EVERYONE, "",
             "What is in this installation: brands, channels, journeys, waves and contacts logged."),
)

PAGES_BY_PATH = {p.path: p for p in PAGES}


def pages_for(role: str) -> list[PageSpec]:
    """The pages a role may open, in menu order."""
    return [p for p in PAGES if Role(role) in p.roles]
