"""`klantreis import contacts`: formats, validation (all problems, nothing written), updates."""

from datetime import UTC, datetime

import openpyxl
import sqlalchemy as sa

from journeys.models import Answer, Brand, Channel, Contact, Journey, User
from tests.cli.conftest import contact, csv_text


def _count(engine, model) -> int:
    with engine.connect() as connection:
        return connection.execute(sa.select(sa.func.count()).select_from(model)).scalar_one()


def _contacts(engine) -> list:
    with engine.connect() as connection:
        return connection.execute(sa.select(Contact).order_by(Contact.id)).all()


def test_valid_file_adds_contacts_and_answers(cli, engine, world, tmp_path):
    """A valid file adds its contacts with answers, reading naive times in Europe/Amsterdam."""
    path = tmp_path / "contacts.csv"
    path.write_text(csv_text([contact(external_id="a1"), contact(channel="Phone", **{"item:C3": "yes"})]))
    result = cli("import", "contacts", path)
    assert result.exit_code == 0, result.output
    assert "added 2 contacts" in result.output
    rows = _contacts(engine)
    assert len(rows) == 2
    # 10:00 in Amsterdam on 2 March (winter time, UTC+1) is 09:00 UTC
    assert rows[0].started_at == datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
    assert _count(engine, Answer) == 6
    with engine.connect() as connection:
        na = connection.execute(sa.select(Answer.is_na, Answer.value).where(Answer.contact_id == rows[0].id)
                                .order_by(Answer.criterion_id)).all()
    assert [tuple(a) for a in na] == [(False, 1.0), (False, 0.0), (True, None)]


def test_timezone_option_and_offsets(cli, engine, world, tmp_path):
    """--timezone changes how naive times are read; a written offset always wins."""
    path = tmp_path / "contacts.csv"
    path.write_text(csv_text([
        contact(started_at="2026-03-02T10:00:00", first_response_at=""),
        contact(started_at="2026-03-02T10:00:00+05:00", first_response_at=""),
    ]))
    assert cli("import", "contacts", path, "--timezone", "UTC").exit_code == 0
    starts = [r.started_at for r in _contacts(engine)]
    assert starts == [datetime(2026, 3, 2, 10, 0, tzinfo=UTC), datetime(2026, 3, 2, 5, 0, tzinfo=UTC)]
    assert cli("import", "contacts", path, "--timezone", "Mars/Olympus").exit_code == 1


def test_bom_crlf_and_quoted_multiline_note(cli, engine, world, tmp_path):
    """A UTF-8 file with a BOM, CRLF line endings and a quoted multi-line note imports intact."""
    note = 'Said "sorry" twice,\r\nthen hung up.\r\nÉén ster.'
    text = csv_text([contact(notes=note), contact(external_id="b2", notes="short")], line_ending="\r\n")
    path = tmp_path / "bom.csv"
    path.write_bytes(b"\xef\xbb\xbf" + text.encode("utf-8"))
    result = cli("import", "contacts", path)
    assert result.exit_code == 0, result.output
    rows = _contacts(engine)
    assert [r.notes for r in rows] == [note, "short"]
    assert rows[1].external_id == "b2"  # the BOM did not end up in the first header name


def test_every_bad_row_is_reported_and_nothing_written(cli, engine, world, tmp_path):
    """Ten kinds of bad rows: each is reported with row, column and value; no contact is written."""
    rows = [
        contact(),                                                        # row 2: fine
        contact(brand=""),                                                # 3: missing required brand
        contact(journey="Buy a bike"),                                    # 4: unknown journey
        contact(started_at="02/03/2026 10:00"),                           # 5: unreadable timestamp
        contact(first_response_at="2026-03-02 09:00"),                    # 6: response before start
        contact(wait_seconds="-5"),                                       # 7: negative wait
        contact(answer_correct="maybe"),                                  # 8: bad yes/no
        contact(channel="pigeon"),                                        # 9: unknown channel
        contact(**{"item:C1": "7"}),                                      # 10: bad yes/no item
        contact(journey="Return a coat", channel="store", **{"item:C1": "", "item:C2": "", "item:C3": "",
                "item:SCALE": "9", "item:STRICT": "na"}),                 # 11: scale out of range + N/A refused
        contact(external_id="dup"),                                       # 12: fine
        contact(external_id="dup"),                                       # 13: duplicate external_id
        contact(resolved_at="2026-03-02 11:00"),                          # 14: resolved before first response
        contact(transfers="1.5"),                                         # 15: not a whole number
    ]
    path = tmp_path / "bad.csv"
    path.write_text(csv_text(rows))
    result = cli("import", "contacts", path)
    assert result.exit_code == 1
    errors = result.stderr
    expected = [
        ("row 3", "brand"), ("row 4", "journey"), ("row 5", "started_at"), ("row 6", "first_response_at"),
        ("row 7", "wait_seconds"), ("row 8", "answer_correct"), ("row 9", "channel"), ("row 10", "item:C1"),
        ("row 11", "item:SCALE"), ("row 11", "item:STRICT"), ("row 13", "external_id"), ("row 14", "resolved_at"),
        ("row 15", "transfers"),
    ]
    for row, column in expected:
        assert f"{row}, {column}:" in errors, (row, column, errors)
    assert "row 2," not in errors and "row 12," not in errors
    assert "'pigeon'" in errors and "'-5'" in errors  # the value is shown
    assert "Traceback" not in result.output + errors
    assert _count(engine, Contact) == 0 and _count(engine, Answer) == 0


def test_unknown_column_is_an_error_but_x_columns_are_ignored(cli, engine, world, tmp_path):
    """An unknown header is refused with the allowed names; x: columns are accepted and ignored."""
    path = tmp_path / "extra.csv"
    path.write_text(csv_text([{**contact(), "x:source": "field app"}]))
    assert cli("import", "contacts", path).exit_code == 0
    path.write_text(csv_text([{**contact(), "Colour": "red"}]))
    result = cli("import", "contacts", path)
    assert result.exit_code == 1
    assert "row 1, header: unknown column" in result.stderr and "x:" in result.stderr
    assert _count(engine, Contact) == 1


def test_header_names_are_case_insensitive(cli, engine, world, tmp_path):
    """BRAND, Journey and Started_At name the same columns as their lowercase forms."""
    row = contact()
    path = tmp_path / "caps.csv"
    path.write_text(csv_text([{k.upper() if not k.startswith("item:") else k: v for k, v in row.items()}]))
    assert cli("import", "contacts", path).exit_code == 0
    assert _count(engine, Contact) == 1


def test_update_by_external_id(cli, engine, world, tmp_path):
    """Importing the same external_id for the same brand again updates that contact and its answers."""
    path = tmp_path / "first.csv"
    path.write_text(csv_text([contact(external_id="K-1", notes="first"), contact(external_id="K-2")]))
    assert cli("import", "contacts", path).exit_code == 0
    first_id = _contacts(engine)[0].id
    path.write_text(csv_text([contact(external_id="K-1", notes="second", resolved_at="2026-03-03 09:00",
                                      **{"item:C1": "no", "item:C2": "", "item:C3": ""})]))
    result = cli("import", "contacts", path)
    assert result.exit_code == 0 and "updated 1" in result.output, result.output
    rows = _contacts(engine)
    assert len(rows) == 2
    updated = next(r for r in rows if r.external_id == "K-1")
    assert updated.id == first_id and updated.notes == "second" and updated.resolved_at is not None
    with engine.connect() as connection:
        values = connection.execute(sa.select(Answer.value).where(Answer.contact_id == first_id)).scalars().all()
    assert values == [0.0]  # the answers were replaced, not merged


def test_dry_run_writes_nothing(cli, engine, world, tmp_path):
    """--dry-run validates and counts but leaves the database untouched."""
    path = tmp_path / "contacts.csv"
    path.write_text(csv_text([contact(), contact(brand="Nieuw merk")]))
    result = cli("import", "contacts", path, "--dry-run", "--create-missing")
    assert result.exit_code == 0 and "would add 2 contacts" in result.output and "Nieuw merk" in result.output
    assert _count(engine, Contact) == 0 and _count(engine, Brand) == 1


def test_create_missing_adds_the_named_things(cli, engine, world, tmp_path):
    """--create-missing creates brand, location, journey (with its items), channel, auditor and wave."""
    path = tmp_path / "new.csv"
    path.write_text(csv_text([
        {"brand": "Fietsbaas", "location": "Utrecht", "journey": "Repair a bike", "channel": "Telegram",
         "auditor": "newbie", "wave": "2026-Q3", "started_at": "2026-07-01 10:00", "item:GREET": "yes",
         "redirected_to": "phone"},
    ]))
    assert cli("import", "contacts", path).exit_code == 1  # unknown names without the option
    result = cli("import", "contacts", path, "--create-missing")
    assert result.exit_code == 0, result.output
    with engine.connect() as connection:
        kind = connection.execute(sa.select(Channel.kind).where(Channel.name == "telegram")).scalar_one()
        auditor = connection.execute(sa.select(User.active, User.role).where(User.username == "newbie")).one()
        assert connection.execute(sa.select(sa.func.count()).select_from(Journey)).scalar_one() == 3
    assert kind == "messaging"
    assert tuple(auditor) == (False, "auditor")  # cannot sign in until an admin activates it
    assert _count(engine, Answer) == 1


def test_xlsx_file(cli, engine, world, tmp_path):
    """An XLSX file with the same columns imports, including a real spreadsheet date-time cell."""
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    row = contact(first_response_at="")
    sheet.append(list(row))
    values = list(row.values())
    values[list(row).index("started_at")] = datetime(2026, 3, 2, 10, 0)  # naive: Europe/Amsterdam
    sheet.append(values)
    path = tmp_path / "contacts.xlsx"
    workbook.save(path)
    result = cli("import", "contacts", path)
    assert result.exit_code == 0, result.output
    assert _contacts(engine)[0].started_at == datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


def test_missing_and_broken_files_exit_1_without_traceback(cli, world, tmp_path):
    """A missing file, an empty file and a non-UTF-8 file are reported in one line each, exit 1."""
    empty = tmp_path / "empty.csv"
    empty.write_text("")
    latin = tmp_path / "latin.csv"
    latin.write_bytes("brand,journey,channel,started_at\nCaf\xe9,x,y,z\n".encode("latin-1"))
    for path, message in ((tmp_path / "nope.csv", "does not exist"), (empty, "is empty"), (latin, "not UTF-8")):
        result = cli("import", "contacts", path)
        assert result.exit_code == 1 and message in result.stderr
        assert result.exception is None or isinstance(result.exception, SystemExit)


def test_usage_errors_exit_2(cli):
    """A missing argument or an unknown option is a usage error (exit 2)."""
    assert cli("import", "contacts").exit_code == 2
    assert cli("import", "contacts", "x.csv", "--bogus").exit_code == 2


def test_bulk_insert_stores_timestamps_like_the_orm(cli, engine, world, tmp_path):
    """The import's fast insert stores a timestamp exactly as the ORM does (same raw value in the DB)."""
    from data import db
    from tests.factories import make_contact

    moment = datetime(2026, 3, 2, 9, 0, 0, 120000, tzinfo=UTC)
    with db.session_scope(engine) as session:
        session.add(make_contact(world, started_at=moment, first_response_at=None, external_id="orm"))
    path = tmp_path / "one.csv"
    path.write_text(csv_text([contact(external_id="csv", started_at="2026-03-02T09:00:00.120+00:00",
                                      first_response_at="")]))
    assert cli("import", "contacts", path).exit_code == 0
    with engine.connect() as connection:
        raw = connection.exec_driver_sql("SELECT external_id, started_at FROM contact ORDER BY external_id").all()
        later = connection.execute(sa.select(sa.func.count()).select_from(Contact)
                                   .where(Contact.started_at >= moment)).scalar_one()
    assert raw[0][1] == raw[1][1]
    assert later == 2  # SQLAlchemy filters compare equal to the bulk-written values


def test_progress_is_reported_while_reading_and_writing(engine, world):
    """The import service reports progress per phase, ending at the number of rows."""
    from data import db
    from journeys.interchange.imports import import_contacts

    header = list(contact())
    rows = [(n + 2, list(contact(external_id=f"p{n}").values())) for n in range(2500)]
    seen = []
    with db.session_scope(engine) as session:
        import_contacts(session=session, actor=None, header=header, rows=rows,
                        on_progress=lambda phase, done: seen.append((phase, done)))
    assert ("read", 1000) in seen and ("read", 2500) in seen and seen[-1] == ("write", 2500)
