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


def _polish_plain(text: str) -> str:
    # Parentheses next to Chinese text: （MoE）. First, so the punctuation rules below see them.
    text = re.sub(rf"(?<={_H})\s*\(([^()\n]*)\)", r"（\1）", text)
    text = re.sub(rf"\(([^()\n]*)\)\s*(?={_H})", r"（\1）", text)
    text = re.sub(rf"\(([^()\n]*{_H}[^()\n]*)\)", r"（\1）", text)
    # Half-width punctuation that follows (or sits between) Chinese characters becomes full-width.
    text = re.sub(rf"({_H})\s*,\s*", r"\1，", text)
    text = re.sub(rf",\s*({_H})", r"，\1", text)
    text = re.sub(rf"({_H})\s*;\s*", r"\1；", text)
    text = re.sub(rf"({_H}|[）」”])\s*:(?!//)\s*", r"\1：", text)
    text = re.sub(rf"({_H})\s*!(?!\[)", r"\1！", text)
    text = re.sub(rf"({_H})\s*\?", r"\1？", text)
    text = re.sub(rf"({_H})\.(?=\s|$)", r"\1。", text)
    # No space around full-width punctuation.
    text = re.sub(r"[ \t]+([，。、；：！？（）」』】”])", r"\1", text)
    text = re.sub(r"([，。、；：！？（）「『【“])[ \t]+", r"\1", text)
    # A space between Chinese and Latin letters or digits, in both directions.
    text = re.sub(rf"({_H})({_L})", r"\1 \2", text)
    text = re.sub(rf"({_L})({_H})", r"\1 \2", text)
    # ...and around inline emphasis markers that sit between the two.
    text = re.sub(rf"({_H})(\*\*?{_L})", r"\1 \2", text)
    text = re.sub(rf"({_L}\*\*?)({_H})", r"\1 \2", text)
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
    joined = re.sub(rf"({_H})(`[^`\n]+`|\[[^\]\n]*\]\([^)\n]*\))", r"\1 \2", joined)
    joined = re.sub(rf"(`[^`\n]+`|\[[^\]\n]*\]\([^)\n]*\))({_H})", r"\1 \2", joined)
    return joined
