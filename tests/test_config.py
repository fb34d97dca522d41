"""The Streamlit settings shipped with the app agree with the limits the domain code enforces."""

import tomllib
from pathlib import Path

from journeys.fieldwork.evidence import MAX_EVIDENCE_BYTES
from journeys.limits import MAX_EVIDENCE_MB

CONFIG = Path(__file__).resolve().parents[1] / ".streamlit" / "config.toml"


def test_the_uploader_states_the_evidence_size_limit():
    """The browser's uploader says "10MB per file", the same limit an upload is checked against."""
    settings = tomllib.loads(CONFIG.read_text())
    assert settings["server"]["maxUploadSize"] * 1024 * 1024 == MAX_EVIDENCE_BYTES
    assert settings["server"]["maxUploadSize"] == MAX_EVIDENCE_MB
    assert settings["client"]["disableDataExport"] is True  # our exports neutralise formulas; the built-in one would not
