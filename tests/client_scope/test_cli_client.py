"""The command line of the client portal: `users add --role client --brand`, `users set-brands`,
`users list`, and `report` / `export contacts --for-client` with a second brand present."""

import csv
import io

import pytest
from sqlmodel import select
from typer.testing import CliRunner

from data import db
from journeys.accounts.grants import grants_of
from journeys.models import ChangeLog, User
from tests.client_scope.world import BRAND_A, BRAND_B, FORBIDDEN, build_two_brands


@pytest.fixture
def cli(app_env):
    from cli.main import app

    with db.session_scope(db.get_engine(app_env)) as session:
        build_two_brands(session)
    runner = CliRunner()
    return lambda *args: runner.invoke(app, list(args))


def _grants(engine, username):
    with db.read_scope(engine) as session:
        user = session.exec(select(User).where(User.username == username)).one()
        admin = session.exec(select(User).where(User.role == "admin")).first()
        return [str(g) for g in grants_of(session=session, actor=admin, user_id=user.id)]


def test_users_add_binds_a_client_to_brands_regions_and_locations(cli, engine):
    """`--brand` repeats; 'BRAND:REGION' is a region of a brand, 'BRAND@LOCATION' one location; logged."""
    result = cli("users", "add", "klant-b", "--role", "client", "--brand", BRAND_B, "--brand", f"{BRAND_A}:Zuid",
                 "--brand", f"{BRAND_A}@Amstelplein", "--password", "client-pass")
    assert result.exit_code == 0, result.output
    assert "added client 'klant-b'" in result.output and "sees:" in result.output
    assert _grants(engine, "klant-b") == [BRAND_B, f"{BRAND_A}@Amstelplein", f"{BRAND_A}:Zuid"]
    listing = cli("users", "list").output
    assert "klant-b" in listing and BRAND_B in listing
    with db.read_scope(engine) as session:
        assert session.exec(select(ChangeLog).where(ChangeLog.entity == "client_grant")).all()


def test_a_client_without_brands_is_added_with_a_warning(cli, engine):
    """Allowed (the brands may follow with `users set-brands`), but it is told it sees nothing."""
    result = cli("users", "add", "klant-c", "--role", "client", "--password", "client-pass")
    assert result.exit_code == 0 and "sees nothing" in result.output
    assert cli("users", "set-brands", "klant-c", "--brand", BRAND_A).exit_code == 0
    assert _grants(engine, "klant-c") == [BRAND_A]


@pytest.mark.parametrize(("grant", "named"), [("Nobody BV", "Nobody BV"), (f"{BRAND_A}:Oost", "Oost"),
                                               (f"{BRAND_A}@Nergens", "Nergens"), (f"{BRAND_A}@", BRAND_A)])
def test_an_unknown_brand_region_or_location_is_named_and_nothing_is_added(cli, engine, grant, named):
    """The error names the value; the account is not created (one transaction)."""
    result = cli("users", "add", "klant-d", "--role", "client", "--brand", grant, "--password", "client-pass")
    assert result.exit_code != 0 and named in result.output and "Traceback" not in result.output
    with db.read_scope(engine) as session:
        assert session.exec(select(User).where(User.username == "klant-d")).first() is None


def test_brands_are_for_client_users_only(cli):
    result = cli("users", "add", "auditor9", "--role", "auditor", "--brand", BRAND_A, "--password", "auditor-pass")
    assert result.exit_code != 0 and "client" in result.output


def test_export_and_report_for_a_client(cli, tmp_path):
    """`--for-client` gives exactly the client's view: its brand's released contacts, auditors pseudonymised."""
    output = tmp_path / "klant-a.csv"
    result = cli("export", "contacts", "--for-client", "klant-a", "-o", str(output))
    assert result.exit_code == 0, result.output
    assert "12 contacts written" in result.output
    text = output.read_text(encoding="utf-8-sig")
    rows = list(csv.DictReader(io.StringIO(text)))
    assert {r["brand"] for r in rows} == {BRAND_A} and all(r["auditor"].startswith("Shopper ") for r in rows)
    assert not [word for word in FORBIDDEN if word in text]
    everything = cli("export", "contacts", "-o", str(tmp_path / "all.csv"))
    assert everything.exit_code == 0 and BRAND_B in (tmp_path / "all.csv").read_text(encoding="utf-8-sig")
    for command in (("report", "--by", "brand"), ("report", "consistency"), ("report", "--by", "location")):
        report = cli(*command, "--for-client", "klant-a", "--format", "csv")
        assert report.exit_code == 0, report.output
        assert BRAND_A in report.output or "Amstelplein" in report.output
        assert not [word for word in FORBIDDEN if word in report.output], command
    assert BRAND_B in cli("report", "--by", "brand", "--format", "csv").output
    unknown = cli("report", "--for-client", "leiding")
    assert unknown.exit_code != 0 and "no client user named 'leiding'" in unknown.output
