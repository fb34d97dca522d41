"""What a Markdown string shows on screen, for asserting on AppTest values.

User text reaches Markdown elements escaped (``ui.text.as_plain_text``): AppTest's ``.value`` holds
``password\\: must …`` where the browser shows ``password: must …``. ``shown`` resolves the
backslash escapes and drops the invisible word joiners, so a test can compare what a user reads.
"""

import re

from ui.text import WORD_JOINER

_ESCAPE = re.compile(r"\\([!-/:-@\[-`{-~])")  # a backslash before ASCII punctuation (CommonMark)


def shown(markdown: str) -> str:
    """``markdown`` as it reads on screen when it holds only escaped plain text."""
    return _ESCAPE.sub(r"\1", markdown).replace(WORD_JOINER, "")
