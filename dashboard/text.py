"""Text a user supplied (a link's parameters, a file or sheet name, a cell, an account's name) shown through Markdown.

Streamlit renders Markdown with its own extensions (``:red[…]``, ``:material/…:``, maths), so text from outside must
be escaped before it reaches ``st.markdown``, ``st.warning``, ``st.error``, ``st.caption`` and friends: one function,
``plain_text``, everywhere. Tables (``st.dataframe``) do not render Markdown and need nothing.
"""

from __future__ import annotations

import re
import unicodedata

# Every ASCII punctuation mark that Markdown, GitHub's autolinks or Streamlit's extensions give a meaning to.
_MEANINGFUL = re.compile(r"([\\`*_{}\[\]()<>#+\-.!|~$:=&\"'])")


def plain_text(text: object) -> str:
    """``text`` as Markdown that shows it literally: no link, image, emphasis, HTML, maths or colour.

    Control characters (line breaks included) become spaces, so a value cannot start a new block either.
    """
    flat = "".join(" " if unicodedata.category(ch).startswith("C") else ch for ch in str(text))
    return _MEANINGFUL.sub(r"\\\1", flat)
