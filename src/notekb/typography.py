"""CJK typography for generated pages: spacing between Chinese and Latin text, full-width punctuation.

Only Chinese prose is touched. Code (fenced or inline), URLs, Markdown link targets, HTML tags,
attribute lists and math are protected first and put back unchanged. Korean is left alone: it puts
particles straight after Latin words ("TPU에서") and uses half-width punctuation.
"""

from __future__ import annotations

import re

from .text import HAN

_PROTECT = re.compile(
    r"```.*?```"  # fenced code
    r"|`[^`\n]+`"  # inline code
    r"|\$\$.*?\$\$|\$[^$\n]+\$"  # math
    r"|!?\[[^\]\n]*\]\([^)\n]*\)"  # links and images (the label is polished separately below)
    r"|<https?://[^>\s]+>|https?://(?:[^\s<>()（）]|\([^\s<>()]*\))+"  # URLs, with balanced (...) inside
    r"|<[^>\n]+>"  # HTML tags
    r"|\{[:#.][^}\n]*\}",  # attribute lists
    re.S,
)
_H = f"[{HAN}]"
# Latin letters, digits and a few symbols that belong to a Latin word ("C++", "99%", "$5").
_L = r"[A-Za-z0-9%@#$&+\u00c0-\u024f]"


# The rules, in order: (characters one of which the text must contain for the rule to apply, or
# "" for any text; whether it needs a Han character; pattern; replacement). The guards only skip
# rules that could not match, so that a line of English or a bare heading costs a few lookups.
_RULES = [
    # Parentheses next to Chinese text: （MoE）. First, so the punctuation rules below see them.
    ("(", True, rf"(?<={_H})\s*\(([^()\n]*)\)", r"（\1）"),
    ("(", True, rf"\(([^()\n]*)\)\s*(?={_H})", r"（\1）"),
    ("(", True, rf"\(([^()\n]*{_H}[^()\n]*)\)", r"（\1）"),
    # Half-width punctuation that follows (or sits between) Chinese characters becomes full-width.
    (",", True, rf"({_H})\s*,\s*", r"\1，"),
    (",", True, rf",\s*({_H})", r"，\1"),
    (";", True, rf"({_H})\s*;\s*", r"\1；"),
    (":", False, rf"({_H}|[）」”])\s*:(?!//)\s*", r"\1："),
    ("!", True, rf"({_H})\s*!(?!\[)", r"\1！"),
    ("?", True, rf"({_H})\s*\?", r"\1？"),
    (".", True, rf"({_H})\.(?=\s|$)", r"\1。"),
    # No space around full-width punctuation.
    (" \t", False, r"[ \t]+([，。、；：！？（）」』】”])", r"\1"),
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
_TOUCHING_BEFORE = re.compile(rf"({_H})(`[^`\n]+`|\[[^\]\n]*\]\([^)\n]*\))")
_TOUCHING_AFTER = re.compile(rf"(`[^`\n]+`|\[[^\]\n]*\]\([^)\n]*\))({_H})")


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
    """Apply Chinese typography to Markdown text, leaving code, URLs, markup and math untouched."""
    out: list[str] = []
    last = 0
    for match in _PROTECT.finditer(text):
        out.append(_polish_plain(text[last : match.start()]))
        token = match.group(0)
        if token.startswith("[") or token.startswith("!["):
            label_end = token.index("](")
            token = token[0] + _polish_plain(token[1:label_end]) + token[label_end:] if token[0] == "[" else token
        out.append(token)
        last = match.end()
    out.append(_polish_plain(text[last:]))
    joined = "".join(out)
    # Spacing next to a protected piece (inline code, a link) that touches Chinese text.
    if "`" in joined or "](" in joined:
        joined = _TOUCHING_BEFORE.sub(r"\1 \2", joined)
        joined = _TOUCHING_AFTER.sub(r"\1 \2", joined)
    return joined
