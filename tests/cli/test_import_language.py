"""`klantreis import contacts` and the command's help speak the run's language (issue 16).

The row report names row, column and value as the file has them (the interchange format's words),
and the sentence around them, what is wrong and what is allowed, is Dutch under ``--language nl``
(or a Dutch `LANG`) and English otherwise; numbers are written the language's way.
"""

import io

import pandas as pd
import pytest
import sqlalchemy as sa
from rich.console import Console

from cli.output import print_table
from journeys.errors import ValidationError
from journeys.interchange.contact_file import parse_timezone, read_table
from journeys.language import use_language
from journeys.models import Answer, Contact
from tests.cli.conftest import contact, csv_text
from tests.cli.test_cli_modules import _python


def _count(engine, model) -> int:
    with engine.connect() as connection:
        return connection.execute(sa.select(sa.func.count()).select_from(model)).scalar_one()


def _bad_file(tmp_path):
    rows = [
        contact(),                                                          # row 2: fine
        contact(brand=""),                                                  # 3: missing brand
        contact(started_at="02/03/2026 10:00"),                             # 4: unreadable timestamp
        contact(channel="pigeon"),                                          # 5: unknown channel
        contact(wait_seconds="1,5"),                                        # 6: decimal comma
        contact(transfers="-1"),                                            # 7: not 0 or more
        contact(journey="Return a coat", channel="store", **{"item:C1": "", "item:C2": "", "item:C3": "",
                "item:SCALE": "9", "item:STRICT": "na"}),                   # 8: out of range, N/A refused
        contact(first_response_at="2026-03-02 09:00"),                      # 9: before the start
    ]
    path = tmp_path / "bad.csv"
    path.write_text(csv_text(rows, header=[*contact(), "wait_seconds", "transfers", "item:SCALE", "item:STRICT"]))
    return path


def test_row_errors_are_dutch_with_language_nl_and_nothing_is_written(cli, engine, world, tmp_path):
    result = cli("--language", "nl", "import", "contacts", _bad_file(tmp_path))
    assert result.exit_code == 1, result.output
    errors = result.stderr
    assert errors.startswith("fout: 8 problemen, er is niets opgeslagen:"), errors
    for line in (
        "rij 3, brand: is verplicht",
        "rij 4, started_at: moet een ISO 8601-tijdstip zijn, zoals 2026-03-02T10:15:00+01:00 of 2026-03-02 10:15 "
        "(waarde: '02/03/2026 10:00')",
        "rij 5, channel: onbekend kanaal; bekend: ",
        "rij 6, wait_seconds: bevat een komma; schrijf cijfers met een punt voor decimalen (12.5) en zonder "
        "scheidingsteken voor duizendtallen (seconden, 0 of meer) (waarde: '1,5')",
        "rij 7, transfers: moet een geheel getal van 0 tot en met 2.147.483.647 zijn (waarde: '-1')",
        "rij 8, item:SCALE: moet een getal van 1 tot en met 5 of na zijn (waarde: '9')",
        "rij 8, item:STRICT: N.v.t. is niet toegestaan bij criterium STRICT (waarde: 'na')",
        "rij 9, first_response_at: ligt vóór started_at 2026-03-02 10:00 (waarde: '2026-03-02 09:00')",
    ):
        assert line in errors, (line, errors)
    assert "'pigeon'" in errors
    assert "row " not in errors and "must" not in errors and "unknown" not in errors and "got" not in errors
    assert _count(engine, Contact) == 0 and _count(engine, Answer) == 0


def test_the_same_file_reports_in_english_by_default(cli, engine, world, tmp_path):
    result = cli("import", "contacts", _bad_file(tmp_path))
    assert result.exit_code == 1, result.output
    errors = result.stderr
    assert errors.startswith("error: 8 problems, nothing was written:"), errors
    for line in (
        "row 3, brand: is required",
        "row 4, started_at: must be an ISO 8601 timestamp such as 2026-03-02T10:15:00+01:00 or 2026-03-02 10:15 "
        "(got '02/03/2026 10:00')",
        "row 7, transfers: must be a whole number from 0 to 2,147,483,647 (got '-1')",
        "row 8, item:SCALE: must be a number from 1 to 5 or na (got '9')",
    ):
        assert line in errors, (line, errors)
    assert "rij" not in errors and "moet" not in errors
    assert _count(engine, Contact) == 0


def test_a_dutch_environment_gives_dutch_errors_and_a_dutch_summary(cli, engine, world, tmp_path, monkeypatch):
    monkeypatch.setenv("LANG", "nl_BE.UTF-8")
    path = tmp_path / "good.csv"
    path.write_text(csv_text([contact(), contact(external_id="A-2")]))
    result = cli("import", "contacts", path)
    assert result.exit_code == 0, result.output
    assert "2 records gelezen uit 3 regels" in result.output
    assert "2 rijen: 2 contacten toegevoegd, 0 bijgewerkt (op external_id), 6 checklistantwoorden" in result.output
    bad = tmp_path / "header.csv"
    bad.write_text("brand,journey,channel\nKoopklik,Ask about a delivery,email\n")
    refused = cli("import", "contacts", bad)
    assert refused.exit_code == 1
    assert "rij 1, kopregel: verplichte kolom ontbreekt (waarde: 'started_at')" in refused.stderr, refused.stderr


def test_help_follows_the_language_option_and_the_environment(cli, monkeypatch):
    dutch = cli("--language", "nl", "--help")
    assert dutch.exit_code == 0, dutch.output
    assert "Het databaseschema bijwerken naar de nieuwste migratie." in dutch.output
    assert "Opdrachten" in dutch.output and "Taal van de meldingen" in dutch.output
    english = cli("--help")  # the next run is English again: help is translated per run
    assert "Upgrade the database schema to the newest migration." in english.output
    assert "Commands" in english.output and "Opdrachten" not in english.output
    monkeypatch.setenv("LANG", "nl_NL.UTF-8")
    command = cli("import", "contacts", "--help")
    assert command.exit_code == 0, command.output
    assert "Contacten importeren" in command.output and "Alleen controleren en tellen" in command.output
    assert "Import contacts" not in command.output and "Validate and count only" not in command.output
    chosen = cli("--language", "en", "import", "contacts", "--help")  # the option beats the environment
    assert "Validate and count only; write nothing." in chosen.output


def test_help_of_the_installed_command_in_dutch():
    """`klantreis --language nl --help` in a fresh process (the help is translated before click parses)."""
    result = _python("-m", "cli.main", "--language", "nl", "--help")
    assert result.returncode == 0, result.stderr
    assert "Gebruikersaccounts beheren." in result.stdout and "Opties" in result.stdout


def test_a_dutch_dry_run_names_what_it_would_create(cli, engine, world, tmp_path):
    path = tmp_path / "new.csv"
    path.write_text(csv_text([contact(brand="Nieuw merk", journey="Nieuwe reis", channel="duif")]))
    result = cli("--language", "nl", "import", "contacts", "--create-missing", "--dry-run", path)
    assert result.exit_code == 0, result.output
    output = result.output
    assert "1 rij: zou 1 contact toevoegen, zou 0 bijwerken (op external_id), 3 checklistantwoorden" in output
    assert "zou 1 merk aanmaken: Nieuw merk" in output and "zou 1 klantreis aanmaken: Nieuwe reis" in output
    assert "zou 1 kanaal aanmaken: duif" in output
    assert "zou 1 kanaal van een klantreis aanmaken zonder reactienormen" in output
    assert "proefdraaien: er is niets opgeslagen" in output
    assert _count(engine, Contact) == 0


def test_backup_and_export_messages_in_dutch(cli, world, tmp_path):
    existing = tmp_path / "backup.db"
    existing.write_text("")
    refused = cli("--language", "nl", "backup", existing)
    assert refused.exit_code == 1
    assert f"fout: {existing} bestaat al (gebruik --force om het te overschrijven)" in refused.stderr
    target = tmp_path / "contacts.csv"
    exported = cli("--language", "nl", "export", "contacts", "-o", target)
    assert exported.exit_code == 0, exported.output
    assert f"0 contacten geschreven naar {target} (csv)" in exported.output
    assert target.read_text(encoding="utf-8-sig").startswith("contact_id,external_id,brand,")  # the file's own words


def test_report_tables_have_dutch_headings_and_decimal_commas():
    frame = pd.DataFrame({"channel": ["email"], "contacts": [1234], "response_rate": [0.8977],
                          "mean_quality": [54.94], "kruskal_p": [0.0123]})
    for language, words in (("nl", ("kanaal", "contacten", "bereikbaarheid", "gemiddelde kwaliteit", "1.234",
                                     "89,8 %", "54,9", "0,0123")),
                            ("en", ("channel", "contacts", "response rate", "mean quality", "1,234", "89.8 %",
                                    "54.9", "0.0123"))):
        out = io.StringIO()
        with use_language(language):
            print_table(Console(file=out, width=200), frame)
        for word in words:
            assert word in out.getvalue(), (language, word, out.getvalue())


def test_the_file_reader_describes_and_refuses_in_the_current_language(tmp_path):
    path = tmp_path / "semicolons.csv"
    path.write_text('brand;notes\nKoopklik;"two\nlines"\n')
    with use_language("nl"):
        _header, rows, _approximate = read_table(path)
        list(rows)
        assert rows.describe() == "1 record gelezen uit 3 regels (gescheiden door puntkomma's; cellen tussen " \
                                  "aanhalingstekens bevatten 1 regeleinde)"
        with pytest.raises(ValidationError) as refused:
            parse_timezone("Mars/Olympus")
        assert refused.value.problems[0].message == "is geen bekende IANA-tijdzone (bijv. Europe/Amsterdam)"
    _header, rows, _approximate = read_table(path)
    list(rows)
    assert rows.describe() == "1 record read from 3 lines (separated by semicolons; quoted cells hold 1 line break)"
