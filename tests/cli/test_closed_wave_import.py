"""The contact import refuses rows of a closed wave: its figures are final."""

import sqlalchemy as sa

from data import db
from journeys.fieldwork.waves import close_wave
from journeys.models import Contact, Role, User
from tests.cli.conftest import contact, csv_text


def test_a_row_in_a_closed_wave_is_a_row_error(cli, engine, world, tmp_path):
    """New rows and re-imported rows of a closed wave are row errors; nothing is written."""
    path = tmp_path / "contacts.csv"
    path.write_text(csv_text([contact(external_id="A-1")]), encoding="utf-8")
    assert cli("import", "contacts", path).exit_code == 0
    with db.session_scope(engine) as session:
        admin = User(username="boss", role=Role.ADMIN.value)
        session.add(admin)
        session.flush()
        close_wave(session=session, actor=admin, wave_id=world["wave"].id)
    path.write_text(csv_text([contact(external_id="A-2")]), encoding="utf-8")
    result = cli("import", "contacts", path)
    assert result.exit_code == 1
    assert "row 2, wave: wave 2026-Q1 is closed" in result.output + result.stderr
    path.write_text(csv_text([contact(external_id="A-1", wave="", notes="moved")]), encoding="utf-8")
    result = cli("import", "contacts", path)
    assert result.exit_code == 1 and "is closed" in result.output + result.stderr
    with engine.connect() as connection:
        assert connection.execute(sa.select(sa.func.count()).select_from(Contact)).scalar_one() == 1
