"""Math in notes: TeX converted to MathML Core when the site is built.

`$…$`, `$$…$$`, `\\(…\\)`, `\\[…\\]` and `\\begin{…}…\\end{…}` (found by spans.scan, which also keeps
them away from Markdown, typography and linking) become MathML with math-core, a TeX-to-MathML
Core converter that every current browser draws: the site runs no script for math, needs no
network, and any engine can build the pages. A formula math-core cannot convert stays visible as
its TeX source, in a code style.

MathML written into Markdown must survive Markdown: every character Markdown or a table reads as
syntax is written as a character reference, and a formula alone in its paragraph becomes a block
(a `<div>` Python-Markdown passes through whole).
"""

from __future__ import annotations

import html
import re
from functools import lru_cache

from notekb.formats.html import MARKDOWN_REFERENCES

MATH_CLASS = "nkb-math"
# What math-core writes, and so what the sanitizer allows (publish.sanitize): tags and attributes.
MATHML_TAGS = {
    "math", "mi", "mn", "mo", "ms", "mtext", "mspace", "mrow", "mfrac", "msqrt", "mroot", "mstyle", "merror", "mpadded",
    "mphantom", "msub", "msup", "msubsup", "munder", "mover", "munderover", "mmultiscripts", "mprescripts", "none",
    "mtable", "mtr", "mtd", "menclose", "semantics",
}
MATHML_ATTRIBUTES = {
    "display", "displaystyle", "scriptlevel", "mathvariant", "form", "lspace", "rspace", "stretchy", "maxsize", "minsize",
    "largeop", "movablelimits", "symmetric", "fence", "separator", "accent", "accentunder", "linethickness", "notation",
    "width", "height", "depth", "voffset", "columnspan", "rowspan", "class", "style",
}
MATH_STYLES = {"color", "padding-left", "padding-right", "padding-top", "padding-bottom", "justify-items", "text-align"}

_DELIMITERS = [("$$", "$$", True), ("\\[", "\\]", True), ("\\(", "\\)", False), ("$", "$", False)]
_ENVIRONMENT = re.compile(r"\\begin\{([A-Za-z*]+)\}")
_MARKDOWN_SAFE = MARKDOWN_REFERENCES


@lru_cache(maxsize=1)
def _converter():
    from math_core import LatexToMathML

    return LatexToMathML()


def tex_source(math: str) -> tuple[str, bool]:
    """(TeX, display) of a math span as written in a note."""
    for opening, closing, display in _DELIMITERS:
        if math.startswith(opening) and math.endswith(closing) and len(math) >= len(opening) + len(closing):
            return math[len(opening) : len(math) - len(closing)], display
    return math, True  # \begin{…}…\end{…}


MAX_TEX = 4000  # characters of one formula
MAX_UNCLOSED = 8  # opening delimiters left unclosed
_DELIMITER = re.compile(r"\\(?:[lr](?:brace|angle|brack|floor|ceil|Vert|vert|group|moustache)|[{}])|[()\[\]]")


def _unclosed(tex: str) -> int:
    """How many opening delimiters ((, [, \\{, \\langle, \\lfloor, …) are never closed."""
    depth = 0
    for match in _DELIMITER.finditer(tex):
        token = match.group()
        if token in "([" or token == "\\{" or token[1:2] == "l":
            depth += 1
        elif depth:
            depth -= 1
    return depth


def to_mathml(tex: str, display: bool) -> str | None:
    """MathML Core for a formula, or None when math-core cannot (or should not) convert it.

    math-core's time doubles with every opening delimiter left unclosed (measured: 24 take half
    a second, 28 more than ten), so a formula with more than MAX_UNCLOSED of them is shown as TeX."""
    from math_core import LatexError

    if len(tex) > MAX_TEX or _unclosed(tex) > MAX_UNCLOSED:
        return None
    try:
        return _converter().convert_with_local_state(tex.strip(), displaystyle=display)
    except (LatexError, ValueError, RuntimeError):
        return None


def markdown_safe(markup: str) -> str:
    """HTML whose text holds no character Markdown would read as syntax (tags are left whole)."""
    return re.sub(r">([^<]+)<", lambda m: ">" + m.group(1).translate(_MARKDOWN_SAFE) + "<", markup)


def math_html(math: str, alone: bool) -> str:
    """The HTML a math span of a note becomes: MathML (a block when the formula is alone in its
    paragraph and meant for display), or its TeX in a code style when it cannot be converted."""
    tex, display = tex_source(math)
    mathml = to_mathml(tex, display)
    if mathml is None:
        shown = html.escape(math, quote=False).translate(_MARKDOWN_SAFE)
        return f'<code class="nkb-tex" title="TeX">{shown}</code>'
    mathml = markdown_safe(mathml)
    if display and alone:
        return f'<div class="{MATH_CLASS}">\n{mathml}\n</div>'
    return mathml
