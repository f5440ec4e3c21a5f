"""Outside text as Markdown that shows exactly that text: the one escaping helper.

Titles, paths, sources, time zones, API messages and config names come from people outside
the team (anyone can set a `utm_source`). Every `st.*` call that renders Markdown (captions,
warnings, errors, info, expander and metric labels, help tooltips, progress texts) gets such
text through `md()`, so `![x](http://…)` cannot load an image from another host,
`[x](javascript:…)` cannot become a link, `**x**` cannot go bold and `:red[x]` or
`:material/x:` cannot turn into Streamlit's own directives. Tables (`st.dataframe`) and
charts draw text without interpreting it and need nothing.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

# Every ASCII punctuation character may be backslash-escaped in CommonMark, and an escaped
# one is always the literal character: this covers Markdown, GFM tables and strikethrough,
# HTML (`<`, `&` entities), math (`$`) and Streamlit's `:directive[...]` forms alike.
_PUNCTUATION = re.compile(r"([!-/:-@\[-`{-~])")
# Lines are where block syntax (headings, lists, quotes, tables) starts: outside text stays
# on the line it is put on.
_LINE_BREAKS = re.compile(r"[\r\n\v\f\x85\u2028\u2029]+")
# GFM's autolink literals (`www.x`, `http://x`, `a@b.c`) are found in the text after
# escapes are resolved, so a backslash cannot stop them; a WORD JOINER (invisible, zero
# width) inside the trigger does. These patterns look at the already escaped text.
_WORD_JOINER = "\u2060"
_AUTOLINK_TRIGGERS = re.compile(r"(?i)(?<=www)(?=\\\.)|(?<=https\\:)|(?<=http\\:)|(?<=\\@)")


def md(value: object) -> str:
    """`value` as Markdown that renders as that literal text, on one line."""
    text = _LINE_BREAKS.sub(" ", str(value))
    return _AUTOLINK_TRIGGERS.sub(_WORD_JOINER, _PUNCTUATION.sub(r"\\\1", text))


def md_join(values: Iterable[object], separator: str = ", ") -> str:
    """Several outside strings escaped and joined (the separator is the page's own text)."""
    return separator.join(md(v) for v in values)
