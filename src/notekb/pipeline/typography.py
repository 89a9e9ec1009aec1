"""CJK typography for generated pages: spacing between Chinese and Latin text, full-width punctuation.

Only Chinese prose is touched. Code (fenced or inline), URLs, Markdown link targets, HTML tags,
attribute lists and math are protected first and put back unchanged. Korean is left alone: it puts
particles straight after Latin words ("TPU에서") and uses half-width punctuation.
"""

from __future__ import annotations

import re

from notekb.spans import apply_edits, regions, scan
from notekb.text import HAN

_H = f"[{HAN}]"
# Latin letters, digits and a few symbols that belong to a Latin word ("C++", "99%", "$5").
_L = r"[A-Za-z0-9%@#$&+\u00c0-\u024f]"


# The rules, in order: (characters one of which the text must contain for the rule to apply, or
# "" for any text; whether it needs a Han character; pattern; replacement). The guards only skip
# rules that could not match, so that a line of English or a bare heading costs a few lookups.
_RULES = [
    # Parentheses next to Chinese text: （MoE）. First, so the punctuation rules below see them.
    # (Every repetition is possessive or anchored, so that no rule backtracks: linear in the text.)
    ("(", True, rf"(?<={_H})\s*+\(([^()\n]*+)\)", r"（\1）"),
    ("(", True, rf"\(([^()\n]*+)\)\s*+(?={_H})", r"（\1）"),
    ("(", True, r"\(([^()\n]*+)\)", lambda m: f"（{m.group(1)}）" if _HAN_RE.search(m.group(1)) else m.group(0)),
    # Half-width punctuation that follows (or sits between) Chinese characters becomes full-width.
    (",", True, rf"({_H})\s*,\s*", r"\1，"),
    (",", True, rf",\s*({_H})", r"，\1"),
    (";", True, rf"({_H})\s*;\s*", r"\1；"),
    (":", False, rf"({_H}|[）」”])\s*:(?!//)\s*", r"\1："),
    ("!", True, rf"({_H})\s*!(?!\[)", r"\1！"),
    ("?", True, rf"({_H})\s*\?", r"\1？"),
    (".", True, rf"({_H})\.(?=\s|$)", r"\1。"),
    # No space around full-width punctuation.
    (" \t", False, r"(?<![ \t])[ \t]++([，。、；：！？（）」』】”])", r"\1"),
    (" \t", False, r"([，。、；：！？（）「『【“])[ \t]+", r"\1"),
    # A space between Chinese and Latin letters or digits, in both directions.
    ("", True, rf"({_H})({_L})", r"\1 \2"),
    ("", True, rf"({_L})({_H})", r"\1 \2"),
    # ...and around inline emphasis markers that sit between the two.
    ("*", True, rf"({_H})(\*\*?{_L})", r"\1 \2"),
    ("*", True, rf"({_L}\*\*?)({_H})", r"\1 \2"),
]
_COMPILED = [(trigger, needs_han, re.compile(pattern), replacement) for trigger, needs_han, pattern, replacement in _RULES]
_HAN_RE = re.compile(_H)


def _polish_plain(text: str) -> str:
    has_han = _HAN_RE.search(text) is not None
    for trigger, needs_han, pattern, replacement in _COMPILED:
        if needs_han and not has_han:
            continue
        if trigger and not any(c in text for c in trigger):
            continue
        text = pattern.sub(replacement, text)
    return text


def polish(text: str) -> str:
    """Apply Chinese typography to Markdown text, leaving code, URLs, markup and math untouched.

    The text of a link's label is polished on its own; inline code and links that touch Chinese
    characters get a space on that side."""
    spans = scan(text).spans
    cuts = [(a, b) for a, b, _ in regions([s for s in spans if s.kind != "label" or s.image])]
    for span in spans:
        if span.kind == "label" and not span.image:
            cuts += [(span.start, span.start + 1), (span.end - 1, span.end)]
    cuts.sort()
    out: list[str] = []
    last = 0
    for a, b in cuts:
        if a < last:
            continue
        out.append(_polish_plain(text[last:a]))
        out.append(text[a:b])
        last = b
    out.append(_polish_plain(text[last:]))
    joined = "".join(out)
    if "`" in joined or "](" in joined:
        joined = _space_touching(joined)
    return joined


def _space_touching(text: str) -> str:
    """A space between Chinese text and inline code or a link that touches it."""
    spans = scan(text).spans
    inserts: list[int] = []
    labels = {s.end: s.start for s in spans if s.kind == "label" and not s.image}
    for a, b, span in regions(spans):
        start = a
        if span.kind == "target" and a in labels:
            start = labels[a]
        elif span.kind != "code":
            continue
        if start > 0 and _HAN_RE.match(text, start - 1):
            inserts.append(start)
        if b < len(text) and _HAN_RE.match(text, b):
            inserts.append(b)
    if not inserts:
        return text
    return apply_edits(text, [(at, at, " ") for at in set(inserts)])
