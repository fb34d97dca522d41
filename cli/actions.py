"""``klantreis actions``: run the action rules, list them, add one.

``klantreis actions apply`` is what cron runs (after the night's releases): it creates the action items the active
rules call for and says how many, in words; a rerun creates nothing. Whoever runs the command
has the database in hand, so it acts as an admin ("the operator", logged with no user id).
Brands, journeys and owners are given by name, as everywhere on the command line.
"""

import typer
from sqlmodel import select

from cli.app import console, fail, ready_engine
from cli.users import OPERATOR
from data import db
from journeys.actions import rules as action_rules
from journeys.actions.generate import apply_rules
from journeys.language import N_, _, ngettext, number
from journeys.models import Brand, Journey, User

actions_app = typer.Typer(help=N_("Action plans: run the rules that turn findings into actions."),
                          no_args_is_help=True)


@actions_app.command("apply", help=N_("Run the active action rules over the released contacts and create the "
                                      "actions that are new (a rerun creates nothing)."))
def actions_apply() -> None:
    """Run the active rules; print how many actions were created."""
    result = apply_rules(ready_engine(), actor=None)
    console.print(ngettext("{n} new action created", "{n} new actions created", result.created_count).format(
        n=number(result.created_count)))
    if result.skipped_existing:
        console.print(ngettext("{n} finding already had its action", "{n} findings already had their action",
                               result.skipped_existing).format(n=number(result.skipped_existing)))


@actions_app.command("rules", help=N_("List the action rules in plain words."))
def actions_rules() -> None:
    """Every rule, with its id and whether it is on."""
    with db.read_scope(ready_engine()) as session:
        lines = action_rules.list_rules(session, OPERATOR)
    if not lines:
        console.print(_("no action rules yet: add one with 'klantreis actions add-rule'"))
    for line in lines:
        console.print(f"#{line.rule.id}  {line.text}", markup=False, highlight=False, soft_wrap=True)


def _by_name(session, model, name: str | None, option: str):
    if name is None:
        return None
    row = session.exec(select(model).where(model.name == name)).first() if model is not User else \
        session.exec(select(User).where(User.username == name)).first()
    if row is None:
        fail(_("{option}: there is none named {name}").format(option=option, name=repr(name)))
    return row.id


@actions_app.command("add-rule", help=N_("Add an action rule."))
def actions_add_rule(
    kind: str = typer.Option(..., "--kind", help=N_("critical, score, late or gap.")),
    brand: str | None = typer.Option(None, "--brand", help=N_("Only this brand (default: every brand).")),
    journey: str | None = typer.Option(None, "--journey", help=N_("Only this journey (default: every journey).")),
    threshold: float | None = typer.Option(None, "--threshold", help=N_(
        "Points for score and gap rules (0-100); seconds past the target for late rules.")),
    late_by: str | None = typer.Option(None, "--late-by", help=N_(
        "Late rules: the margin past the target as a duration, e.g. 2h, 90m, 1d.")),
    owner: str | None = typer.Option(None, "--owner", help=N_(
        "A client user of the brand who owns the actions (default: the location's client user).")),
    due_days: int = typer.Option(14, "--due-days", help=N_("Days until an action is due (0-365).")),
    urgent: bool = typer.Option(False, "--urgent", help=N_("Mail the owner at once instead of in the daily digest.")),
) -> None:
    """Add a rule and print it in plain words."""
    if late_by is not None:
        threshold = action_rules.parse_late_by(late_by)
    with db.write_scope(ready_engine()) as session:
        rule = action_rules.create_rule(
            session, OPERATOR, kind=kind, brand_id=_by_name(session, Brand, brand, "--brand"),
            journey_id=_by_name(session, Journey, journey, "--journey"), threshold=threshold,
            owner_id=_by_name(session, User, owner, "--owner"), due_days=due_days, urgent=urgent)
        (line,) = action_rules.describe_rules(session, [rule])
    console.print(_("added rule #{id}: {text}").format(id=rule.id, text=line.text), markup=False, highlight=False, soft_wrap=True)
