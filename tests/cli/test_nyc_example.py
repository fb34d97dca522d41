"""docs/examples/nyc311_to_klantreis.py on a three-request 311 extract written by the test itself."""

import importlib.util
import json
from pathlib import Path

from tests.cli.conftest import csv_text

SCRIPT = Path(__file__).resolve().parents[2] / "docs" / "examples" / "nyc311_to_klantreis.py"


def _mapper():
    spec = importlib.util.spec_from_file_location("nyc311_to_klantreis", SCRIPT)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _request(key, created, closed="", channel="PHONE", agency="NYPD"):
    return {"Unique Key": key, "Created Date": created, "Closed Date": closed, "Agency": agency,
            "Complaint Type": "Noise - Residential", "Descriptor": "Loud Music/Party", "Status": "Closed",
            "Due Date": "", "Resolution Description": "=cmd|' /C calc'!A0", "Resolution Action Updated Date": "",
            "Borough": "BRONX", "Open Data Channel Type": channel}


def test_nyc311_sample_maps_imports_and_reports(cli, engine, tmp_path):
    """Three 311 requests map, import with --create-missing and report per channel as of the last time."""
    source = tmp_path / "311.csv"
    source.write_text(csv_text([
        _request("1", "05/01/2022 12:00:03 AM", "05/01/2022 12:07:46 AM"),
        _request("2", "05/01/2022 12:30:00 AM", "05/01/2022 12:20:00 AM", channel="ONLINE"),  # closed before created
        _request("3", "05/01/2022 01:00:00 AM", channel="MOBILE"),
    ]))
    target = tmp_path / "contacts.csv"
    stats = _mapper().convert(str(source), str(target))
    assert stats["rows"] == 3 and stats["closed_before_created"] == 1
    assert stats["last"].isoformat() == "2022-05-01T01:00:00-04:00"
    result = cli("import", "contacts", target, "--create-missing")
    assert result.exit_code == 0, result.stderr
    report = cli("report", "--by", "channel", "--as-of", stats["last"].isoformat(), "--format", "json")
    rows = {r["channel"]: r for r in json.loads(report.output)}
    assert set(rows) == {"phone", "online", "mobile"}
    assert rows["phone"]["responded"] == 1 and rows["phone"]["median_first_response_s"] == 463.0
    assert rows["online"]["responded"] == 0 and rows["online"]["median_first_response_s"] is None
