"""A client user of brand A on every page it may open, with brand B's data in the database.

Nothing of brand B (``tests.client_scope.world.FORBIDDEN``: its name, its location, its notes, the
auditors' real names, A's unreleased notes) in any text, option, table, metric or chart data, nor
in the files it downloads; the pages it may not open are refused.
"""

import io
from datetime import date

import pandas as pd
import pyarrow as pa
import pytest
from streamlit.testing.v1 import AppTest

from data import db
from journeys.fieldwork.contact_filter import ContactFilter
from journeys.interchange.exports import export_rows
from journeys.models import ActionItem, ActionRule
from tests.apptest import app_pointed_at, open_page
from tests.client_scope.world import BRAND_A, BRAND_B, FORBIDDEN, build_two_brands
from ui.navigation import PAGES, pages_for, url_path
from ui.session import SignedInUser


@pytest.fixture(scope="module")
def two_brands_url(module_db_url):
    with db.session_scope(db.get_engine(module_db_url)) as session:
        world = build_two_brands(session)
        client = SignedInUser(world["client"].id, "klant-a", "Klant A", "client")
        manager = SignedInUser(world["manager"].id, "leiding", "Leiding", "manager")
        a_contact = world["contacts_a"][1].id
        b_contact = world["contacts_b"][1].id
        # an action of each brand (the action plan page): A's is the client's, B's must stay unseen
        rule = ActionRule(kind="critical")
        session.add(rule)
        session.flush()
        for key, brand, location, contact in (("a", "brand_a", "location_a", a_contact),
                                              ("b", "brand_b", "location_b", b_contact)):
            session.add(ActionItem(rule_id=rule.id, finding_key=key, kind="score", measured=40.0, threshold=60.0,
                                   contact_id=contact, brand_id=world[brand].id, location_id=world[location].id,
                                   journey_id=world["journey"].id, wave_id=world["wave"].id,
                                   due_on=date(2026, 3, 1)))
    return module_db_url, client, manager, a_contact, b_contact


@pytest.fixture
def app(two_brands_url, monkeypatch):
    url, *rest = two_brands_url
    with app_pointed_at(url, monkeypatch):
        yield (url, *rest)


def _chart_text(chart) -> str:
    parts = [chart.proto.spec]
    for named in chart.proto.datasets:
        parts.append(pa.ipc.open_stream(io.BytesIO(named.data.data)).read_all().to_pandas().to_csv())
    return "\n".join(parts)


def everything_shown(at: AppTest) -> str:
    """Every text, option, table, metric and chart dataset of a page run, as one text."""
    parts: list[str] = []
    for kind in ("title", "header", "subheader", "markdown", "caption", "info", "warning", "error", "success",
                 "text", "code", "latex", "exception"):
        parts += [str(e.value) for e in getattr(at, kind, [])]
    for metric in at.metric:
        parts += [metric.label, str(metric.value), str(metric.proto.delta), metric.proto.help]
    for frame in list(at.dataframe) + list(at.table):
        parts.append(frame.value.to_csv() if isinstance(frame.value, pd.DataFrame) else str(frame.value))
    for kind in ("multiselect", "selectbox", "radio", "segmented_control", "pills"):
        for widget in at.get(kind):
            parts += [str(o) for o in getattr(widget.proto, "options", [])]
            parts.append(str(widget.proto.label))
    for kind in ("button", "download_button", "toggle", "checkbox", "tabs", "expander"):
        for widget in at.get(kind):
            parts.append(str(getattr(widget.proto, "label", "")))
    parts += [_chart_text(chart) for chart in at.get("vega_lite_chart")]
    parts += [str(element.proto) for element in at.get("json")]
    return "\n".join(parts)


def _nothing_of_b(text: str, where: str) -> None:
    found = [word for word in FORBIDDEN if word.lower() in text.lower()]
    assert not found, f"{where}: a client reads {found}"


CLIENT_PAGES = [url_path(spec) for spec in pages_for("client")]


@pytest.mark.parametrize("page", CLIENT_PAGES)
def test_a_client_page_shows_nothing_of_another_brand(app, page):
    """Each page a client opens shows its own brand and nothing of brand B, anywhere on the page."""
    _url, client, *_rest = app
    at = open_page(page, client)
    text = everything_shown(at)
    _nothing_of_b(text, page)
    assert not at.error, [e.value for e in at.error]
    if page not in ("overview", "my_alerts"):  # the alerts page is one's own settings: no results on it
        assert BRAND_A in text or "No contacts" in text


def test_a_managers_page_does_show_brand_b(app):
    """The same reading of a manager's page finds brand B: the check above can fail."""
    _url, _client, manager, *_rest = app
    text = everything_shown(open_page("explore", manager, explore_level="brand"))
    assert BRAND_B in text


def test_a_clients_filter_options_are_its_own(app):
    """The sidebar offers the brands, locations and regions of the client's released contacts only."""
    _url, client, *_rest = app
    at = open_page("dashboard", client)
    options = {w.label: list(w.options) for w in at.multiselect}
    assert options["Brand"] == [BRAND_A]
    assert options["Location"] == ["Achterdam", "Amstelplein"]
    assert set(options["Region"]) == {"Noord", "Zuid"}


@pytest.mark.parametrize("level", ["brand", "location", "region", "channel"])
def test_explore_drill_down_of_a_client(app, level):
    """Every drill-down level lists only the client's groups; its contact list shows pseudonyms."""
    _url, client, *_rest = app
    at = open_page("explore", client, explore_level=level)
    _nothing_of_b(everything_shown(at), f"explore by {level}")
    if level == "brand":
        assert list(at.selectbox(key="explore_group").options)[0].startswith(BRAND_A)
    assert list(at.selectbox(key="report_brand").options) == [BRAND_A]


def test_one_contact_of_a_client_is_pseudonymised_and_another_brands_is_refused(app):
    """The contact view names the auditor by pseudonym; a brand-B contact id says only "not among your results"."""
    from ui.contact_detail import show_contact
    from ui.resources import get_engine

    _url, client, _manager, a_contact, b_contact = app
    script = f"""
import streamlit as st
from ui.contact_detail import show_contact
from ui.resources import get_engine
from ui.session import SignedInUser
user = SignedInUser({client.id}, "klant-a", "Klant A", "client")
show_contact(get_engine(), {a_contact}, actor=user)
st.divider()
show_contact(get_engine(), {b_contact}, actor=user)
"""
    assert show_contact and get_engine
    at = AppTest.from_string(script, default_timeout=60).run()
    assert not at.exception, at.exception
    text = everything_shown(at)
    _nothing_of_b(text, "contact view")
    assert "Shopper " in text
    assert [e.value for e in at.error if "not among your results" in e.value]


def test_a_clients_downloads_hold_nothing_of_another_brand(app, monkeypatch):
    """The contacts file (CSV and XLSX, as the page builds them when clicked), the metrics files
    and the brand report of a client: its brand only, auditors as pseudonyms."""
    from ui import downloads

    url, client, *_rest = app
    engine = db.get_engine(url)
    with engine.connect() as connection:
        header, rows, count = export_rows(connection, ContactFilter(include_unreleased=True), actor=client)
        frame = pd.DataFrame(list(rows), columns=header)
    assert count == 12 and set(frame["brand"]) == {BRAND_A}
    assert frame["auditor"].str.startswith("Shopper ").all()
    for data in (downloads.csv_bytes(frame), downloads.xlsx_bytes(frame, "contacts")):
        _nothing_of_b(_file_text(data), "contacts file")
    built: list[bytes] = []  # the files the page builds as it renders (the metrics)
    for name in ("csv_bytes", "xlsx_bytes"):
        original = getattr(downloads, name)
        monkeypatch.setattr(downloads, name, lambda *args, _f=original, **kw: built.append(_f(*args, **kw)) or built[-1])
    at = open_page("explore", client)
    assert len(built) >= 2
    for data in built:
        text = _file_text(data)
        assert BRAND_A in text
        _nothing_of_b(text, "metrics file")
    at.button(key="report_build").click().run()
    assert not at.exception, at.exception
    brand, _wave, report = at.session_state["report_html"]
    assert brand == BRAND_A and BRAND_A in report
    _nothing_of_b(report, "brand report")


def _file_text(data: bytes) -> str:
    if data[:2] == b"PK":  # XLSX
        import openpyxl

        book = openpyxl.load_workbook(io.BytesIO(data))
        return "\n".join(str(cell.value) for sheet in book for row in sheet.iter_rows() for cell in row)
    return data.decode("utf-8-sig")


@pytest.mark.parametrize("spec", [s for s in PAGES if s not in pages_for("client")], ids=lambda s: s.path)
def test_pages_a_client_may_not_open_are_refused(app, spec):
    """Every other page refuses a client user and shows no data."""
    _url, client, *_rest = app
    at = open_page(url_path(spec), client)
    assert at.error, spec.path
    assert not at.dataframe and not at.metric
    _nothing_of_b(everything_shown(at), spec.path)


def test_a_client_signs_in_to_its_dashboard(app):
    """Signing in as a client user opens the Dashboard of its brand, through the app's frame."""
    from tests.apptest import sign_in

    at = sign_in("klant-a", "client-pass")
    assert [t.value for t in at.title] == ["Dashboard"]
    _nothing_of_b(everything_shown(at), "home")
