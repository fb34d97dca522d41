"""Every headline tile names the ``scoring`` function that defines its figure (``Tile.defined_by``),
one step from the tile, and docs/scoring.md names the same function (issue 14: "from any tile the
defining function is at most two hops away")."""

from pathlib import Path

import pytest

from ui.dashboard_view import TILES

SCORING_DOC = (Path(__file__).resolve().parents[2] / "docs" / "scoring.md").read_text(encoding="utf-8")


@pytest.mark.parametrize("tile", TILES, ids=[t.label for t in TILES])
def test_each_tile_names_its_defining_scoring_function(tile):
    """The tile's ``defined_by`` is a public function of ``scoring`` that docs/scoring.md §7 names."""
    function = tile.defined_by
    assert function.__module__.startswith("scoring."), function.__module__
    assert not function.__name__.startswith("_")
    where_defined = SCORING_DOC.split("## 7. Where each figure is defined", 1)[1]
    assert f"`{function.__name__}" in where_defined


def test_the_consistency_tile_is_defined_by_the_brand_mean():
    """The tile that "gave 8 hops" before issue 14 points straight at its definition."""
    (tile,) = [t for t in TILES if t.label == "Consistency"]
    assert tile.defined_by.__name__ == "brand_mean_consistency"
