"""Every chart the dashboards show is valid Vega-Lite.

The pages render charts through ``ui.charts.show``, which skips Altair's JSON-schema validation
to keep filter changes fast; this test validates each of those specs instead.
"""

import pytest

from tests.dashboard.test_dashboard_pages import _page, demo_app, demo_database  # noqa: F401 - fixtures
from ui import charts


@pytest.mark.parametrize("page, expected", [("dashboard", 3), ("consistency", 2), ("trends", 4)])
def test_every_dashboard_chart_is_valid_vega_lite(demo_app, monkeypatch, page, expected):  # noqa: F811
    shown = []
    real_show = charts.show

    def validating_show(chart):
        shown.append(chart.to_dict(validate=True))  # raises on a spec the schema refuses
        real_show(chart)

    monkeypatch.setattr(charts, "show", validating_show)
    at = _page(page)
    assert len(shown) == expected
    assert len(at.get("vega_lite_chart")) == expected
