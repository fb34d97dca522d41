"""Figures: the dashboards and ``klantreis report`` count released contacts by default, and the
agency's view with the contacts not yet released differs by exactly those contacts (SQLite and
PostgreSQL)."""

import csv
import json
from datetime import UTC, datetime

import pytest
from streamlit.testing.v1 import AppTest

from data import db
from journeys.fieldwork.frames import ContactFilter
from journeys.models import Role, User
from scoring.metrics import metrics_table
from tests.apptest import TIMEOUT_SECONDS, open_page
from tests.release.mixed import CONTACTS, build_mixed
from ui import dashboard_data
from ui.filters import UNRELEASED_KEY, may_include_unreleased
from ui.session import SignedInUser

AS_OF = datetime(2026, 3, 20, 12, 0, tzinfo=UTC)
UNRELEASED = sum(1 for _c, status, _a in CONTACTS if status != "released")
RELEASED = len(CONTACTS) - UNRELEASED


@pytest.fixture
def mixed(app_env, monkeypatch):
    """The app and the CLI on a database with released, approved, submitted and returned contacts."""
    monkeypatch.setattr(dashboard_data, "current_as_of", lambda: AS_OF)
    engine = db.get_engine(app_env)
    made = build_mixed(engine)
    with db.session_scope(engine) as session:
        manager = User(username="manager", role=Role.MANAGER.value, password_hash="x")
        client = User(username="client", role=Role.CLIENT.value, password_hash="x")
        session.add_all([manager, client])
        session.flush()
        made["manager"] = SignedInUser(manager.id, "manager", "Manager", "manager")
        made["client"] = SignedInUser(client.id, "client", "Client", "client")
    made["engine"] = engine
    return made


def test_dashboard_frame_counts_released_and_the_agency_view_adds_exactly_the_others(mixed):
    """The filtered contacts and the metric table per channel differ by exactly the unreleased contacts."""
    data = dashboard_data.scored_data(mixed["engine"])
    released = dashboard_data.filtered_contacts(data, ContactFilter())
    everything = dashboard_data.filtered_contacts(data, ContactFilter(include_unreleased=True))
    assert sorted(released["contact_id"]) == sorted(mixed["released"])
    assert set(everything["contact_id"]) - set(released["contact_id"]) == set(mixed["unreleased"])
    assert len(everything) - len(released) == UNRELEASED

    default = dashboard_data.figure(data, ContactFilter(), metrics_table, ("channel",)).set_index("channel")
    agency = dashboard_data.figure(data, ContactFilter(include_unreleased=True), metrics_table,
                                   ("channel",)).set_index("channel")
    difference = (agency["contacts"] - default["contacts"].reindex(agency.index, fill_value=0)).to_dict()
    assert {k: int(v) for k, v in difference.items() if v} == mixed["unreleased_by_channel"]
    # the figures themselves differ where the unreleased contacts differ (email: 2 of 3 answered → 3 of 5)
    assert default.loc["email", "responded"] == 2 and agency.loc["email", "responded"] == 3


def _captions_and_warnings(at: AppTest) -> list[str]:
    return [c.value for c in at.caption] + [w.value for w in at.warning]


@pytest.mark.parametrize("page", ["dashboard", "consistency", "trends", "explore"])
def test_every_analysis_page_says_what_its_figures_include(mixed, page):
    """By default a page says 'Released contacts only'; with the switch on it names how many are not yet released."""
    at = open_page(page, mixed["manager"])
    assert any(c.value.endswith(" Released contacts only.") for c in at.caption)
    assert not any("not yet released" in w.value for w in at.warning)
    at.toggle(key=UNRELEASED_KEY).set_value(True).run()
    assert not at.exception, at.exception
    assert f"Including {UNRELEASED} contacts not yet released: the client does not see them." in [
        w.value for w in at.warning]
    assert not any(text.endswith("Released contacts only.") for text in _captions_and_warnings(at))


def test_the_switch_changes_the_dashboard_tiles_by_the_unreleased_contacts(mixed):
    """The response-rate tile rests on the released contacts, then on all of them; the switch stays on
    when the manager goes to another page (kept for the session)."""
    at = open_page("dashboard", mixed["manager"])
    assert f"n = {RELEASED}" in [c.value for c in at.caption]
    at.toggle(key=UNRELEASED_KEY).set_value(True).run()
    assert f"n = {len(CONTACTS)}" in [c.value for c in at.caption]
    at.switch_page("explore.py").run()
    assert not at.exception, at.exception
    assert at.toggle(key=UNRELEASED_KEY).value is True


def test_explore_marks_each_unreleased_contact_in_words(mixed):
    """With the switch on, the Explore list has a status column naming each contact's review status."""
    at = open_page("explore", mixed["manager"], **{UNRELEASED_KEY: True})
    listing = at.dataframe[0].value
    assert "status" in listing.columns
    statuses = dict(zip(listing["contact"], listing["status"], strict=True))
    email_unreleased = {cid for cid, (channel, status, _a) in zip(
        mixed["released"] + mixed["unreleased"], [c for c in CONTACTS if c[1] == "released"]
        + [c for c in CONTACTS if c[1] != "released"], strict=True) if channel == "email" and status != "released"}
    assert {statuses[cid] for cid in email_unreleased} == {"Approved, not yet released", "Submitted for review"}
    assert {s for cid, s in statuses.items() if cid in mixed["released"]} == {"Released"}
    plain = open_page("explore", mixed["manager"])
    assert "status" not in plain.dataframe[0].value.columns


def _filter_bar_script():
    import streamlit as st

    from ui.filters import filter_bar
    from ui.resources import get_engine

    flt = filter_bar(get_engine(), actor=st.session_state["actor"])
    st.text(f"include_unreleased={flt.include_unreleased}")


def test_a_client_never_gets_the_switch(mixed):
    """filter_bar offers the switch to the agency's staff only: not to a client, nor to an unknown user,
    and a client's filter never includes unreleased contacts, whatever the session holds."""
    assert may_include_unreleased(mixed["manager"]) and not may_include_unreleased(mixed["client"])
    assert not may_include_unreleased(None)
    at = AppTest.from_function(_filter_bar_script, default_timeout=TIMEOUT_SECONDS)
    at.session_state["actor"] = mixed["client"]
    at.session_state[UNRELEASED_KEY] = True
    at.run()
    assert not at.exception, at.exception
    assert [t.value for t in at.text][0] == "include_unreleased=False"
    assert not [t for t in at.toggle if t.key == UNRELEASED_KEY]
    at.session_state["actor"] = mixed["manager"]
    at.run()
    assert [t.value for t in at.text][0] == "include_unreleased=True"


# ------------------------------------------------------------------------------ klantreis report


def _report(cli, *args) -> dict:
    result = cli("report", "--by", "channel", "--as-of", AS_OF.isoformat(), "--format", "json", *args)
    assert result.exit_code == 0, result.output
    return {row["channel"]: row for row in json.loads(result.output)}


def test_klantreis_report_counts_released_and_include_unreleased_adds_exactly_the_others(mixed, cli):
    """`report` per channel: the contacts per channel differ by exactly the unreleased ones; the table says which."""
    default, agency = _report(cli), _report(cli, "--include-unreleased")
    assert sum(r["contacts"] for r in default.values()) == RELEASED
    difference = {channel: agency[channel]["contacts"] - default.get(channel, {"contacts": 0})["contacts"]
                  for channel in agency}
    assert {k: v for k, v in difference.items() if v} == mixed["unreleased_by_channel"]
    assert default["email"]["responded"] == 2 and agency["email"]["responded"] == 3

    table = cli("report", "--as-of", AS_OF.isoformat())
    assert "Released contacts only (add --include-unreleased to count the others too)." in table.output
    agency_table = cli("report", "--as-of", AS_OF.isoformat(), "--include-unreleased")
    assert f"Including {UNRELEASED} contacts not yet released to the client." in agency_table.output
    consistency = cli("report", "consistency", "--as-of", AS_OF.isoformat(), "--include-unreleased")
    assert consistency.exit_code == 0, consistency.output
    assert f"Including {UNRELEASED} contacts not yet released to the client." in consistency.output
    scopes = json.loads(cli("report", "consistency", "--as-of", AS_OF.isoformat(), "--format", "json").output)
    channels = {row["channel"]: row["contacts"] for row in scopes["channels"]}
    assert sum(channels.values()) == RELEASED


def test_export_contacts_counts_released_and_include_unreleased_adds_exactly_the_others(mixed, cli, tmp_path):
    """`export contacts` writes the released contacts; with --include-unreleased exactly the others too."""
    def exported(*args) -> tuple[set[int], str]:
        out = tmp_path / "out.csv"
        result = cli("export", "contacts", "-o", out, *args)
        assert result.exit_code == 0, result.output
        with out.open(encoding="utf-8-sig", newline="") as handle:
            return {int(r["contact_id"]) for r in csv.DictReader(handle)}, result.output

    released, said = exported()
    assert released == set(mixed["released"])
    assert "Released contacts only" in said
    everything, said = exported("--include-unreleased")
    assert everything - released == set(mixed["unreleased"])
    assert f"{len(CONTACTS)} contacts written" in said
    assert f"Including {UNRELEASED} contacts not yet released to the client." in said
