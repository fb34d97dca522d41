"""``klantreis users``: add, list, passwd, set-role, deactivate, activate and unlock accounts.

Whoever runs the command has the database in hand, so it acts as an admin ("the operator",
logged with no user id). Accounts are deactivated, never deleted.
"""

from dataclasses import dataclass

import typer
from rich.table import Table
from sqlmodel import select

from cli.app import console, ready_engine
from data import db
from journeys.accounts import grants as client_grants
from journeys.accounts import users as accounts
from journeys.language import N_, _, ngettext, number
from journeys.models import Role, User

users_app = typer.Typer(help=N_("Manage user accounts."), no_args_is_help=True)


@dataclass(frozen=True)
class _Operator:
    """The person at the command line: an admin without an account."""

    id: None = None
    role: str = Role.ADMIN.value


OPERATOR = _Operator()

PASSWORD_OPTION = typer.Option(
    ..., "--password", prompt=True, hide_input=True, confirmation_prompt=True,
    help=N_("At least 8 characters (asked for when not given)."),
)


BRAND_OPTION = typer.Option(
    None, "--brand",
    help=N_("Client users only (repeat for more): a brand it sees, 'BRAND', one region of it 'BRAND:REGION' "
            "or one location 'BRAND@LOCATION'."),
)


@users_app.command("add", help=N_("Add a user (use --role admin for the first account of an empty installation)."))
def users_add(
    username: str = typer.Argument(..., help=N_("Login name: lowercase letters, digits, '.', '_' or '-'.")),
    role: str = typer.Option("auditor", "--role", help=N_("auditor, reviewer, manager, admin or client.")),
    display_name: str = typer.Option("", "--name", help=N_("Name shown in the app.")),
    brands: list[str] | None = BRAND_OPTION,
    password: str = PASSWORD_OPTION,
) -> None:
    """Add a user (use --role admin for the first account of an empty installation)."""
    with db.session_scope(ready_engine()) as session:  # one transaction: the account and its brands, or neither
        user = accounts.add_user(
            session=session, actor=OPERATOR, username=username, role=role, password=password, display_name=display_name
        )
        given = _grants_given(user.role, brands)
        granted = client_grants.set_client_grants(session=session, actor=OPERATOR, user_id=user.id, grants=given) \
            if user.role == Role.CLIENT.value else []
        console.print(_("added {role} {username} ({name})").format(
            role=user.role, username=repr(user.username), name=user.display_name))
        _print_grants(user.role, granted)


def _grants_given(role: str, brands: list[str] | None) -> list[str]:
    if brands and role != Role.CLIENT.value:
        raise typer.BadParameter(_("only client users have brands to see"), param_hint="--brand")
    return list(brands or ())


def _print_grants(role: str, granted) -> None:
    warning = client_grants.grants_warning(role, granted)
    if warning:
        console.print(warning)
    elif granted:
        console.print(_("sees: {grants}").format(grants=", ".join(map(str, granted))))


@users_app.command("set-brands", help=N_("Replace the brands (regions, locations) a client user sees."))
def users_set_brands(
    username: str = typer.Argument(..., help=N_("The client user to change.")),
    brands: list[str] | None = BRAND_OPTION,
) -> None:
    """Replace the brands (regions, locations) a client user sees."""
    with db.session_scope(ready_engine()) as session:
        user_id = accounts.find_user_id(session=session, username=username)
        granted = client_grants.set_client_grants(session=session, actor=OPERATOR, user_id=user_id,
                                                  grants=list(brands or ()))
    _print_grants(Role.CLIENT.value, granted)


@users_app.command("list", help=N_("List user accounts with their role, whether they are active and what a client user sees."))
def users_list() -> None:
    """List user accounts with their role, whether they are active and what a client user sees."""
    table = Table()
    for column in (_("username"), _("name"), _("role"), _("active"), _("sees")):
        table.add_column(column)
    with db.read_scope(ready_engine()) as session:
        for user in session.exec(select(User).order_by(User.username)).all():
            sees = ""
            if user.role == Role.CLIENT.value:
                granted = client_grants.grants_of(session=session, actor=OPERATOR, user_id=user.id)
                sees = ", ".join(map(str, granted)) or _("nothing (no brands)")
            table.add_row(user.username, user.display_name, user.role, _("yes") if user.active else _("no"), sees)
    console.print(table)


@users_app.command("passwd", help=N_("Set a new password, lift a lock and sign the account out of every browser."))
def users_passwd(
    username: str = typer.Argument(..., help=N_("The account whose password to set.")),
    password: str = PASSWORD_OPTION,
) -> None:
    """Set a new password, lift a lock and sign the account out of every browser."""
    with db.session_scope(ready_engine()) as session:
        user_id = accounts.find_user_id(session=session, username=username)
        accounts.reset_password(session=session, actor=OPERATOR, user_id=user_id, password=password)
    console.print(_("password of {username} changed; its browser sessions are signed out").format(username=repr(username)))


@users_app.command("set-role", help=N_("Change an account's role (the last active admin cannot be demoted)."))
def users_set_role(
    username: str = typer.Argument(..., help=N_("The account to change.")),
    role: str = typer.Argument(..., help=N_("auditor, manager or admin.")),
) -> None:
    """Change an account's role (the last active admin cannot be demoted)."""
    with db.session_scope(ready_engine()) as session:
        user_id = accounts.find_user_id(session=session, username=username)
        user = accounts.set_role(session=session, actor=OPERATOR, user_id=user_id, role=role)
    console.print(_("{username} is now {role}").format(username=repr(user.username), role=user.role))


def _set_active(username: str, *, active: bool) -> None:
    with db.session_scope(ready_engine()) as session:
        user_id = accounts.find_user_id(session=session, username=username)
        accounts.set_active(session=session, actor=OPERATOR, user_id=user_id, active=active)
    message = _("{username} activated") if active else _("{username} deactivated")
    console.print(message.format(username=repr(username)))


@users_app.command("deactivate", help=N_("Stop an account from signing in; its contacts and history stay attributed to it."))
def users_deactivate(username: str = typer.Argument(..., help=N_("The account to deactivate."))) -> None:
    """Stop an account from signing in; its contacts and history stay attributed to it."""
    _set_active(username, active=False)


@users_app.command("activate", help=N_("Let a deactivated account sign in again."))
def users_activate(username: str = typer.Argument(..., help=N_("The account to reactivate."))) -> None:
    """Let a deactivated account sign in again."""
    _set_active(username, active=True)


@users_app.command("unlock", help=N_("Lift the account's sign-in locks (from every address) and its delay; the password stays."))
def users_unlock(username: str = typer.Argument(..., help=N_("The account whose sign-in locks to lift."))) -> None:
    """Lift the account's sign-in locks (from every address) and its delay; the password stays."""
    with db.session_scope(ready_engine()) as session:
        user_id = accounts.find_user_id(session=session, username=username)
        lifted = accounts.lift_sign_in_locks(session=session, actor=OPERATOR, user_id=user_id)
    console.print(ngettext("{username}: {n} sign-in lock lifted", "{username}: {n} sign-in locks lifted", lifted).format(
        username=repr(username), n=number(lifted)))
