"""Options several commands share, each defined once: the contact filter, time zone, as-of time,
output format and ``--include-unreleased``.

A command takes them as typed aliases (``timezone: Timezone = LOCAL_ZONE_NAME``); the filter
options come as a whole through ``with_contact_filter``, which hands the command the
``ContactFilter`` they describe.
"""

import functools
import inspect
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Annotated

import typer
from sqlmodel import select

from journeys.accounts.scope import ClientScope, client_scope
from journeys.fieldwork.frames import ContactFilter
from journeys.interchange.contact_file import parse_timestamp
from journeys.language import N_, _, ngettext, number
from journeys.local_time import LOCAL_ZONE_NAME
from journeys.models import Role, User

OUTPUT_FORMATS = ("table", "csv", "json")


def _check_output_format(value: str) -> str:
    if value not in OUTPUT_FORMATS:
        raise typer.BadParameter(_("must be one of {choices}").format(choices=", ".join(OUTPUT_FORMATS)),
                                 param_hint="--format")
    return value


Timezone = Annotated[str, typer.Option("--timezone", help=N_("Zone of times given without an offset."))]
AsOf = Annotated[str | None, typer.Option(
    "--as-of", help=N_("Report as of this time (default now); later events are ignored."))]
# checked while the command line is parsed, so a wrong format is a usage error before anything runs
OutputFormat = Annotated[str, typer.Option("--format", help=N_("table, csv or json."), callback=_check_output_format)]
# Figures and exports count released contacts only unless the agency asks for the others.
IncludeUnreleased = Annotated[bool, typer.Option(
    "--include-unreleased",
    help=N_("Also count contacts not yet released to the client (submitted, returned, approved; docs/release.md). "
            "Default: released contacts only."))]

# The filter options, in the order ``--help`` shows them; the names are contact_filter's arguments.
_FILTER_OPTIONS = {
    "brand": Annotated[list[str] | None, typer.Option("--brand", help=N_("Only these brands (repeat or comma-separate)."))],
    "wave": Annotated[list[str] | None, typer.Option("--wave", help=N_("Only these waves."))],
    "journey": Annotated[list[str] | None, typer.Option("--journey", help=N_("Only these journeys."))],
    "channel": Annotated[list[str] | None, typer.Option("--channel", help=N_("Only these channels."))],
    "started_from": Annotated[str | None, typer.Option(
        "--from", help=N_("Contacts started at or after this time (YYYY-MM-DD or ISO 8601)."))],
    "started_before": Annotated[str | None, typer.Option("--to", help=N_("Contacts started before this time."))],
    # docs/client-portal.md: the operator prepares a client user's files with exactly its view
    "for_client": Annotated[str | None, typer.Option("--for-client", help=N_(
        "As client user USERNAME sees it: only the released contacts of its brands, auditors pseudonymised."))],
}


def split_names(values: list[str] | None) -> tuple[str, ...]:
    """Repeated and comma-separated option values as one tuple of names."""
    names: list[str] = []
    for value in values or ():
        names += [v.strip() for v in value.split(",") if v.strip()]
    return tuple(names)


def client_scope_of(username: str) -> ClientScope:
    """The scope of client user ``username`` (``--for-client``), read from the database.

    Raises:
        typer.BadParameter: there is no client user of that name.
    """
    from cli.app import ready_engine
    from data import db

    with db.read_scope(ready_engine()) as session:
        user = session.exec(select(User).where(User.username == username.strip().lower())).first()
        if user is None or user.role != Role.CLIENT.value:
            raise typer.BadParameter(_("no client user named {name}").format(name=repr(username)),
                                     param_hint="--for-client")
        return client_scope(session=session, actor=user)


def contact_filter(*, brand=None, wave=None, journey=None, channel=None, started_from=None, started_before=None,
                   for_client=None, timezone: str = LOCAL_ZONE_NAME,
                   include_unreleased: bool = False) -> ContactFilter:
    """The ContactFilter of the filter options (``--from`` inclusive, ``--to`` exclusive); released
    contacts only unless ``include_unreleased``; with ``--for-client`` it carries that client user's
    scope (``client_scope_of``), which reads released contacts only.

    Raises:
        ValidationError: ``--from``/``--to`` is no time, or ``timezone`` no zone.
    """
    return ContactFilter(
        scope=client_scope_of(for_client) if for_client else None,
        brands=split_names(brand), waves=split_names(wave), journeys=split_names(journey),
        channels=tuple(c.lower() for c in split_names(channel)),
        started_from=parse_timestamp(started_from, timezone, "--from") if started_from else None,
        started_before=parse_timestamp(started_before, timezone, "--to") if started_before else None,
        include_unreleased=include_unreleased,
    )


def release_note(flt: ContactFilter, unreleased: int) -> str:
    """The line a command prints about which contacts it counted: released only, or how many of
    them are not yet released (``--include-unreleased``)."""
    if not flt.include_unreleased:
        return _("Released contacts only (add --include-unreleased to count the others too).")
    return ngettext("Including {n} contact not yet released to the client.",
                    "Including {n} contacts not yet released to the client.", unreleased).format(n=number(unreleased))


def as_of_moment(value: str | None, timezone: str) -> datetime:
    """The ``--as-of`` time, or now when it is not given."""
    return parse_timestamp(value, timezone, "--as-of") if value else datetime.now(UTC)


def with_contact_filter(*, channels: bool = True) -> Callable[[Callable], Callable]:
    """Give a command the filter options and hand it the ContactFilter they describe as ``flt``.

    The command declares a keyword-only ``flt: ContactFilter`` where the options belong in its
    ``--help``, and a ``timezone: Timezone`` option: the zone of ``--from`` and ``--to`` (and of any
    other time it reads). The filter is built before the command runs; a bad ``--from`` or ``--to``
    raises a ValidationError, which the app prints. ``channels=False`` leaves out ``--channel``.
    ``--include-unreleased`` comes with them: the filter then counts contacts not yet released too.
    """
    options = {name: annotation for name, annotation in _FILTER_OPTIONS.items() if channels or name != "channel"}
    options["include_unreleased"] = IncludeUnreleased

    def decorate(command: Callable) -> Callable:
        signature = inspect.signature(command)
        if not {"flt", "timezone"} <= signature.parameters.keys():
            raise TypeError(f"{command.__name__} needs the parameters flt and timezone to take the filter options")
        parameters = []
        for parameter in signature.parameters.values():
            if parameter.name == "flt":
                parameters += [inspect.Parameter(name, inspect.Parameter.KEYWORD_ONLY,
                                                 default=False if name == "include_unreleased" else None,
                                                 annotation=option)
                               for name, option in options.items()]
            else:
                parameters.append(parameter)

        @functools.wraps(command)
        def run_filtered(**arguments):
            given = {name: arguments.pop(name) for name in options}
            return command(**arguments, flt=contact_filter(**given, timezone=arguments["timezone"]))

        # Typer reads the options from the signature: the filter options stand where ``flt`` stood
        run_filtered.__signature__ = signature.replace(parameters=parameters)
        return run_filtered

    return decorate
