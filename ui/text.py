"""User text on screen: the one way a name, note or label typed by a person reaches a page.

Streamlit 1.67 renders Markdown in far more places than ``st.markdown``: ``st.table`` cells,
``st.caption``, ``st.title``/``st.subheader``, the alerts (``st.info``, ``st.success``, ...),
widget labels and ``help`` tooltips, the options of ``st.selectbox``/``st.radio``/
``st.segmented_control`` (their ``format_func`` output), expander and tab labels, metric
labels and values, image captions and button labels. A note such as
``[Session expired](http://evil/phish) ![x](http://evil/t.png)`` would become a live link and
an image every viewer's browser fetches.

Every user-supplied string bound for one of those elements goes through ``as_plain_text``
(tables through ``plain_table``). Elements that never render Markdown — ``st.text``,
``st.code``, ``st.dataframe``, ``st.data_editor``, the options of ``st.multiselect``, text
input values — get the raw text, because there the backslashes would show.

How the text is made literal (each step checked in Chromium against Streamlit 1.67):

- every ASCII punctuation character Markdown or Streamlit gives a meaning is backslash-escaped:
  links, images, emphasis, headings, lists, tables, code, HTML tags and entities, LaTeX ``$``,
  ``:color[...]`` and ``:emoji:`` directives; ``/`` too, because Streamlit rewrites
  ``:material/`` into an icon before parsing, escapes or not;
- GitHub's *autolink literals* (``www.example.org``, ``name@example.org``) are found in the
  parsed text, after escapes are gone, so a WORD JOINER (U+2060, invisible) goes between
  ``www`` and its dot and before every ``@``.
"""

import re

import pandas as pd

# Characters with a meaning in CommonMark, GitHub Markdown or Streamlit's directives.
_MARKDOWN_PUNCTUATION = frozenset("\\`*_{}[]()#+-.!|<>~$:=&\"'/@")
WORD_JOINER = "\u2060"
# What GitHub's autolink literals start from in already-parsed text: "www." and the "@" of an e-mail.
_AUTOLINK_TRIGGER = re.compile(r"(?i)(?<=www)(?=\.)|(?=@)")


def as_plain_text(value: object) -> str:
    """``value`` as text that every Markdown-rendering Streamlit element shows literally
    (``"**b**"`` becomes ``"\\*\\*b\\*\\*"``, displayed as ``**b**``)."""
    text = _AUTOLINK_TRIGGER.sub(WORD_JOINER, str(value))
    return "".join(f"\\{ch}" if ch in _MARKDOWN_PUNCTUATION else ch for ch in text)


def plain_table(frame: pd.DataFrame) -> pd.DataFrame:
    """A copy of ``frame`` for ``st.table`` (which renders every cell, the index and the column
    names as Markdown): every text cell, index label and column name made literal."""

    def plain(value):
        return as_plain_text(value) if isinstance(value, str) else value

    safe = frame.copy()
    for column in safe.columns:
        if not pd.api.types.is_numeric_dtype(safe[column]) and not pd.api.types.is_bool_dtype(safe[column]):
            safe[column] = safe[column].astype(object).map(plain)
    safe.index = safe.index.map(plain)
    safe.index.name = plain(safe.index.name) if safe.index.name is not None else None
    safe.columns = [plain(c) for c in safe.columns]
    return safe


__all__ = ["WORD_JOINER", "as_plain_text", "plain_table"]
