"""``klantreis actions``: add a rule, list rules in plain words, apply them (and again: nothing new)."""

import pytest
from sqlmodel import Session, select
from typer.testing import CliRunner

from journeys.models import ActionItem, Answer, ClientGrant, Criterion, User
from tests.factories import make_contact, make_world


@pytest.fixture
def cli(app_env):
    """Run `klantreis ...` in-process against the test database (as tests/cli does)."""
    from cli.main import app

    runner = CliRunner()
    return lambda *args: runner.invoke(app, [str(a) for a in args])


def _failed_contact(engine):
    with Session(engine) as session:
        w = make_world(session)
        criteria = session.exec(select(Criterion).where(Criterion.version_id == w["version"].id)
                                .order_by(Criterion.position)).all()
        criteria[0].critical_policy = "flag_fail"
        contact = make_contact(w)
        session.add(contact)
        session.flush()
        for criterion, value in zip(criteria, (0, 1, 1), strict=True):
            session.add(Answer(contact_id=contact.id, criterion_id=criterion.id, value=float(value), is_na=False))
        client = User(username="client1", role="client", password_hash="x")
        session.add(client)
        session.flush()
        session.add(ClientGrant(user_id=client.id, brand_id=w["brand"].id))
        session.commit()


def test_add_list_and_apply_rules(cli, engine):
    _failed_contact(engine)
    result = cli("actions", "rules")
    assert result.exit_code == 0 and "no action rules yet" in result.stdout
    result = cli("actions", "add-rule", "--kind", "critical", "--brand", "Koopklik", "--owner", "client1",
                 "--due-days", "7", "--urgent")
    assert result.exit_code == 0, result.output
    assert result.stdout.strip() == ("added rule #1: When a knock-out item fails on any channel of Koopklik → "
                                     "action for client1, due in 7 days (urgent: mail at once)")
    result = cli("actions", "add-rule", "--kind", "late", "--late-by", "2h")
    assert result.exit_code == 0, result.output
    assert "by more than 2.0 h" in result.stdout
    listed = cli("actions", "rules").stdout.splitlines()
    assert listed[0].startswith("#1  When a knock-out item fails") and listed[1].startswith("#2  When a channel")
    result = cli("actions", "apply")
    assert result.exit_code == 0, result.output
    assert result.stdout == "1 new action created\n"
    result = cli("actions", "apply")
    assert result.stdout == "0 new actions created\n1 finding already had its action\n"
    with Session(engine) as session:
        (item,) = session.exec(select(ActionItem)).all()
        assert item.owner_id == session.exec(select(User.id).where(User.username == "client1")).one()


def test_bad_input_is_one_error_and_nothing_written(cli, engine):
    _failed_contact(engine)
    result = cli("actions", "add-rule", "--kind", "score", "--threshold", "120")
    assert result.exit_code == 1
    assert "Threshold: must be a number of points from 0 to 100 (got 120.0)" in result.stderr
    result = cli("actions", "add-rule", "--kind", "late", "--late-by", "soon")
    assert result.exit_code == 1 and "such as 90m" in result.stderr
    result = cli("actions", "add-rule", "--kind", "critical", "--brand", "Nobody")
    assert result.exit_code == 1 and "--brand: there is none named 'Nobody'" in result.stderr
    assert "no action rules yet" in cli("actions", "rules").stdout
