"""The heavy tests (many auditors at once, a killed import, fuzzed input) are marked ``scale``.

They take minutes, so ``make test-fast`` leaves them out; ``make test`` runs them.
"""

from pathlib import Path

import pytest


def pytest_collection_modifyitems(config, items):
    """Mark every test in this folder ``scale``, including ones added later."""
    here = Path(__file__).parent
    for item in items:
        if item.path.is_relative_to(here):
            item.add_marker(pytest.mark.scale)
