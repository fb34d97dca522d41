"""`klantreis agreement`, `backup` and `restore`, plus `migrate` and `demo` on the test databases."""

import sqlalchemy as sa

from data import db
from journeys.models import Answer, Contact, User
from scoring.agreement import krippendorff_alpha
from tests.cli.conftest import contact, csv_text


def _write(path, text):
    path.write_text(text)
    return path


def test_agreement_nominal_text_values(cli, tmp_path):
    """Text ratings are coded for the nominal level; the alpha equals scoring's for the same table."""
    rows = ["unit,rater,value"]
    ratings = {"a": ["yes", "no", "yes", "yes", "no"], "b": ["yes", "no", "yes", "no", "no"]}
    for rater, values in ratings.items():
        rows += [f"u{i},{rater},{v}" for i, v in enumerate(values)]
    path = _write(tmp_path / "ratings.csv", "\n".join(rows) + "\n")
    result = cli("agreement", path, "--level", "nominal")
    assert result.exit_code == 0, result.output
    coded = [[1.0 if v == "yes" else 0.0 for v in values] for values in ratings.values()]
    assert f"{krippendorff_alpha(coded, 'nominal'):.3f}" in result.output
    assert "2 raters, 5 units" in result.output


def test_agreement_perfect_interval(cli, tmp_path):
    """Raters who always agree on numbers give alpha 1.000 at the interval level."""
    rows = ["Unit,Rater,Value"] + [f"c{i},{r},{i % 4 + 1}" for i in range(6) for r in ("x", "y", "z")]
    result = cli("agreement", _write(tmp_path / "r.csv", "\n".join(rows)), "--level", "interval")
    assert result.exit_code == 0 and "1.000" in result.output


def test_agreement_bad_input(cli, tmp_path):
    """Missing file, missing columns, text on an interval level and double ratings exit 1; bad level exits 2."""
    assert cli("agreement", tmp_path / "nope.csv").exit_code == 1
    assert cli("agreement", _write(tmp_path / "a.csv", "unit,value\nu1,1\n")).exit_code == 1
    result = cli("agreement", _write(tmp_path / "b.csv", "unit,rater,value\nu1,a,high\nu1,a,2\n"), "--level", "interval")
    assert result.exit_code == 1
    assert "row 2, value" in result.stderr and "row 3, rater" in result.stderr
    assert cli("agreement", tmp_path / "b.csv", "--level", "cosmic").exit_code == 2


def _fill(cli, tmp_path):
    path = tmp_path / "seed.csv"
    path.write_text(csv_text([contact(external_id=f"b{i}", notes=f"n{i}") for i in range(5)]))
    assert cli("import", "contacts", path).exit_code == 0


def _counts(url):
    with db.get_engine(url).connect() as connection:
        return [connection.execute(sa.select(sa.func.count()).select_from(m)).scalar_one()
                for m in (Contact, Answer, User)]


def _fresh_url(db_url, tmp_path, name):
    """An empty database of the same kind as ``db_url`` (a second SQLite file or PostgreSQL database)."""
    if db.is_sqlite(db_url):
        return f"sqlite:///{tmp_path / name}.db"
    url = sa.make_url(db_url)
    target = f"{url.database}_{name}"
    admin = sa.create_engine(url.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.exec_driver_sql(f'CREATE DATABASE "{target}"')
    admin.dispose()
    return url.set(database=target).render_as_string(hide_password=False)


def _drop(url):
    if not db.is_sqlite(url):
        db.dispose_engines()
        parsed = sa.make_url(url)
        admin = sa.create_engine(parsed.set(database="postgres"), isolation_level="AUTOCOMMIT")
        with admin.connect() as connection:
            connection.exec_driver_sql(f'DROP DATABASE IF EXISTS "{parsed.database}" WITH (FORCE)')
        admin.dispose()


def test_backup_and_restore_native(cli, world, db_url, tmp_path, monkeypatch):
    """A native backup (SQLite backup API or pg_dump) restores into an empty database, same rows."""
    _fill(cli, tmp_path)
    snapshot = tmp_path / "snapshot.bak"
    result = cli("backup", snapshot)
    assert result.exit_code == 0, result.output
    assert cli("backup", snapshot).exit_code == 1  # never overwritten silently
    refused = cli("restore", snapshot)
    assert refused.exit_code == 1 and "not empty" in refused.stderr
    target = _fresh_url(db_url, tmp_path, "restored")
    try:
        monkeypatch.setenv(db.DATABASE_URL_ENV, target)
        result = cli("restore", snapshot)
        assert result.exit_code == 0, result.output
        assert _counts(target) == _counts(db_url) == [5, 15, 1]
    finally:
        _drop(target)


def test_backup_and_restore_portable_across_databases(cli, world, db_url, tmp_path, monkeypatch):
    """A --portable backup restores into an empty SQLite database, and new ids continue after it."""
    _fill(cli, tmp_path)
    snapshot = tmp_path / "snapshot.json.gz"
    assert cli("backup", snapshot, "--portable").exit_code == 0
    target = _fresh_url(db_url, tmp_path, "portable")
    try:
        monkeypatch.setenv(db.DATABASE_URL_ENV, target)
        result = cli("restore", snapshot)
        assert result.exit_code == 0, result.output
        assert _counts(target) == [5, 15, 1]
        path = tmp_path / "more.csv"
        path.write_text(csv_text([contact(external_id="after")]))
        assert cli("import", "contacts", path).exit_code == 0  # sequences moved past the restored ids
        assert _counts(target)[0] == 6
    finally:
        _drop(target)


def test_restore_rejects_other_files(cli, tmp_path):
    """A file that is no backup, or missing, is refused with exit 1."""
    assert cli("restore", _write(tmp_path / "x.bak", "hello")).exit_code == 1
    assert cli("restore", tmp_path / "missing.bak").exit_code == 1


def test_migrate_and_demo(cli, engine):
    """`migrate` reports an up-to-date schema and `demo` adds contacts that `report` can read."""
    assert "up to date" in cli("migrate").output
    assert cli("demo", "--contacts", "40").exit_code == 0
    result = cli("report", "--by", "brand", "--format", "csv")
    assert result.exit_code == 0 and len(result.output.splitlines()) == 5
