"""What in a note's Markdown is not prose: code, math, URLs, HTML, links. One linear pass decides.

Every stage that must leave some text alone asks this module, so that they all agree at the edges:
typography does not space out code or URLs, the linker does not link inside a link or a tag, the
safety layer does not escape inside code, `notekb check` does not report `<script>` in a code block,
and the language guess ignores code and markup.

`scan(text)` walks the text once, left to right, the way a Markdown engine would pair its
delimiters, and returns

* `spans`: the protected pieces (kinds below); spans do not overlap, except that a link's label
  (kind "label") contains the spans found inside it;
* `stray`: delimiters that a Markdown engine would try to pair and cannot (an unmatched `[`, a run
  of backticks with no closing run, a `<` that starts no tag, a run of more than three `*`). Left
  as they are, they make Python-Markdown search the rest of the paragraph for a partner at every
  one of them (quadratic) or recurse once per marker (a RecursionError that takes the build down);
  `safety.safe_markdown` escapes them, so that they show as the characters they are.

Every search here costs time linear in the text (or n log n): closing delimiters are found through
tables computed once (positions of each kind of closer, matched parentheses), never by scanning
ahead from each opener again.

Kinds: fence (fenced code block), code (inline code), math ($…$, $$…$$, \\(…\\), \\[…\\],
\\begin{…}…\\end{…}), tag (an HTML tag), comment (<!-- … -->), autolink (<scheme:…>), url (a
bare http(s) URL), label ([…] or ![…] of a link or image), target ((…) of a link or image), attrs
(an attribute list {: …} / {#id} / {.class}), escape (a backslash escape).
"""

from __future__ import annotations

import re
from bisect import bisect_left, bisect_right
from dataclasses import dataclass, field
from typing import Iterator

MAX_BRACKET_DEPTH = 3  # deeper [ [ [ nesting is shown as text (Python-Markdown recurses per level)
MAX_EMPHASIS_RUN = 3  # ***x*** is bold italic; a longer run of * or _ is text
MAX_TARGET = 2048  # a link target longer than this is not a link
MAX_MATH = 8000  # characters of one formula

ALL_KINDS = frozenset({"fence", "code", "math", "tag", "comment", "autolink", "url", "label", "target", "attrs", "escape"})
CODE_KINDS = frozenset({"fence", "code"})


@dataclass(frozen=True, slots=True)
class Span:
    start: int
    end: int
    kind: str
    image: bool = False  # for labels: ![alt]


@dataclass
class Scan:
    spans: list[Span] = field(default_factory=list)
    stray: list[tuple[int, int, str]] = field(default_factory=list)  # (start, end, what)


# ---------------------------------------------------------------------------------------------
# Fences: the one rule for what opens and closes a fenced code block (clean and check use it too)

_FENCE_LINE = re.compile(r"^[ \t]*(`{3,}|~{3,})(.*)$", re.M)


def fence_opener(line: str) -> tuple[str, str] | None:
    """(fence, info string) if the line opens a fenced code block: three or more backticks or
    tildes after any indentation; a backtick fence's info string has no backtick."""
    match = _FENCE_LINE.match(line)
    if match is None or "\n" in match.group(0):
        return None
    fence, info = match.group(1), match.group(2)
    if fence[0] == "`" and "`" in info:
        return None
    return fence, info


def closes_fence(line: str, fence: str) -> bool:
    """Whether the line closes a block opened with `fence`: the same character, at least as many,
    and nothing else on the line."""
    stripped = line.strip()
    return len(stripped) >= len(fence) and stripped == fence[0] * len(stripped)


def _fences(text: str) -> list[tuple[int, int]]:
    """(start, end) of every fenced code block; an unclosed fence runs to the end of the text."""
    out = []
    open_at = None
    fence = ""
    for match in _FENCE_LINE.finditer(text):
        line = match.group(0)
        if open_at is None:
            opener = fence_opener(line)
            if opener:
                open_at, fence = match.start(), opener[0]
        elif closes_fence(line, fence):
            out.append((open_at, match.end()))
            open_at = None
    if open_at is not None:
        out.append((open_at, len(text)))
    return out


# ---------------------------------------------------------------------------------------------
# Tables computed once per text


_BREAK = re.compile(r"\n[ \t]*\n")
_NEWLINE = re.compile(r"\n")
_BACKTICKS = re.compile(r"`+")
_PARENS = re.compile(r"\\[()]|[()]|\n[ \t]*\n")
_INLINE_DOLLAR = re.compile(r"(?<![\\$])\$(?!\$)")
_DISPLAY_DOLLAR = re.compile(r"(?<!\\)\$\$")
_MATH_CLOSE = re.compile(r"\\[)\]]")
_MATHY = re.compile(r"[\\^_={}]")
# Where something may start. A "<" only counts before what can start a tag, comment or autolink:
# a run of "<<<<" is text and costs the scan nothing.
_START = re.compile(r"`|<(?=[A-Za-z/!?])|\$|\\|https?://|\{|!\[|\[|\]|[*_]{4,}")
_PUNCTUATION = frozenset("!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~")
_TAG = re.compile(
    r"</?[A-Za-z][A-Za-z0-9-]{0,63}"
    r"(?:\s+[^\s\"'<>/=`]+(?:\s*=\s*(?:\"[^\"<]*\"|'[^'<]*'|[^\s\"'<>=`]+))?)*+"
    r"\s*/?>"
)
_AUTOLINK = re.compile(r"<(?:[A-Za-z][A-Za-z0-9+.-]{1,31}:[^\s<>]*|[^\s<>@\\]+@[^\s<>@\\]+)>")
_URL = re.compile(r"https?://(?:[^\s<>\"'()（）\[\]{}，。、；：！？「」]|\([^\s<>()]*\))++")
_URL_TRAIL = ".,;:!?'\"*_~"
_ATTRS = re.compile(r"\{:?[ \t]*[^\s{}][^{}\n]*\}")
_BEGIN = re.compile(r"\\begin\{([A-Za-z*]{1,32})\}")


class _Tables:
    """Positions of closers and paragraph breaks, for O(log n) look-ups from any opener."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.breaks = [m.start() for m in _BREAK.finditer(text)]
        self._newlines: list[int] | None = None
        self._parens: dict[int, int] | None = None
        self._dollars: list[int] | None = None
        self._displays: list[int] | None = None
        self._math_closers: dict[str, list[int]] | None = None
        self._mathy: list[int] | None = None
        self._ends: dict[str, int] = {}  # "\\end{x}" or "-->": where the next one is, or -1

    def no_break(self, a: int, b: int) -> bool:
        """No blank line between positions a and b."""
        k = bisect_left(self.breaks, a)
        return k == len(self.breaks) or self.breaks[k] >= b

    def one_line(self, a: int, b: int) -> bool:
        if self._newlines is None:
            self._newlines = [m.start() for m in _NEWLINE.finditer(self.text)]
        k = bisect_left(self._newlines, a)
        return k == len(self._newlines) or self._newlines[k] >= b

    def paren_match(self, p: int) -> int:
        """The ")" that closes the "(" at p (nesting counted, escapes skipped, never across a blank
        line), or -1."""
        if self._parens is None:
            self._parens = {}
            stack: list[int] = []
            for m in _PARENS.finditer(self.text):
                token = m.group()
                if token == "(":
                    stack.append(m.start())
                elif token == ")":
                    if stack:
                        self._parens[stack.pop()] = m.start()
                elif token[0] == "\n":
                    stack.clear()
        return self._parens.get(p, -1)

    def next_after(self, positions: list[int], p: int) -> int:
        k = bisect_right(positions, p)
        return positions[k] if k < len(positions) else -1

    def inline_dollar_closer(self, p: int) -> int:
        """A closing $ for an opening $ at p: not after a space, not before a digit, on the same
        line (so "$2 | $8" and "costs $5 and $10" are prices, not math)."""
        if self._dollars is None:
            text = self.text
            self._dollars = [
                m.start()
                for m in _INLINE_DOLLAR.finditer(text)
                if m.start() > 0 and not text[m.start() - 1].isspace() and not text[m.start() + 1 : m.start() + 2].isdigit()
            ]
        close = self.next_after(self._dollars, p + 1)
        return close if close != -1 and self.one_line(p, close) else -1

    def display_closer(self, p: int) -> int:
        if self._displays is None:
            self._displays = [m.start() for m in _DISPLAY_DOLLAR.finditer(self.text)]
        close = self.next_after(self._displays, p + 1)
        return close if close != -1 and self.no_break(p, close) else -1

    def bracket_math_closer(self, p: int, kind: str) -> int:
        if self._math_closers is None:
            self._math_closers = {")": [], "]": []}
            for m in _MATH_CLOSE.finditer(self.text):
                self._math_closers[m.group()[1]].append(m.start())
        close = self.next_after(self._math_closers[")" if kind == "(" else "]"], p + 1)
        return close if close != -1 and self.no_break(p, close) else -1

    def mathy_between(self, a: int, b: int) -> bool:
        """Something only math has (a command, ^, _, =, braces) between a and b."""
        if self._mathy is None:
            self._mathy = [m.start() for m in _MATHY.finditer(self.text)]
        k = bisect_left(self._mathy, a)
        return k < len(self._mathy) and self._mathy[k] < b

    def find_once(self, needle: str, p: int) -> int:
        """str.find, remembering a failure: if `needle` is not after p, it is not after any later
        position either (so a thousand unclosed "<!--" cost one search, not a thousand)."""
        known = self._ends.get(needle)
        if known is not None and (known == -1 or known >= p):
            return known
        found = self.text.find(needle, p)
        self._ends[needle] = found
        return found


def _backtick_runs(text: str, fences: list[tuple[int, int]]) -> tuple[dict[int, int], dict[int, int]]:
    """Backtick runs outside fences: start -> length, and start -> start of the run that closes it
    (the next run of the same length)."""
    runs: list[tuple[int, int]] = []
    f = 0
    for m in _BACKTICKS.finditer(text):
        start, length = m.start(), len(m.group())
        k = start
        while k > 0 and text[k - 1] == "\\":
            k -= 1
        if (start - k) % 2:  # an escaped backtick opens nothing
            start, length = start + 1, length - 1
            if not length:
                continue
        while f < len(fences) and fences[f][1] <= start:
            f += 1
        if f < len(fences) and fences[f][0] <= start:
            continue
        runs.append((start, length))
    lengths = dict(runs)
    closer: dict[int, int] = {}
    last: dict[int, int] = {}
    for start, length in reversed(runs):
        if length in last:
            closer[start] = last[length]
        last[length] = start
    return lengths, closer


# ---------------------------------------------------------------------------------------------
# The scan


def scan(text: str) -> Scan:
    """The protected spans and stray delimiters of Markdown text, in one left-to-right pass."""
    result = Scan()
    spans, stray = result.spans, result.stray
    fences = _fences(text)
    tables = _Tables(text)
    runs, run_closer = _backtick_runs(text, fences)
    brackets: list[tuple[int, bool]] = []  # open [ (position, is image)
    n = len(text)
    f = 0  # next fence
    pos = 0

    def close_brackets_before(p: int) -> None:
        """Open brackets before a blank line (or a fence) that p is past are unmatched."""
        while brackets and (not tables.no_break(brackets[-1][0], p) or (f > 0 and brackets[-1][0] < fences[f - 1][1])):
            start, image = brackets.pop()
            stray.append((start, start + (2 if image else 1), "bracket"))

    while pos < n:
        while f < len(fences) and fences[f][1] <= pos:
            f += 1
        limit = fences[f][0] if f < len(fences) else n  # nothing found here runs into a fence
        match = _START.search(text, pos, limit)
        if match is None:
            if f < len(fences):
                spans.append(Span(fences[f][0], fences[f][1], "fence"))
                pos = fences[f][1]
                f += 1
                continue
            break
        p = match.start()
        token = match.group()
        c = token[0]
        if c == "`":
            length = runs.get(p)
            if length is None:  # the escaped first backtick of a run
                pos = p + 1
                continue
            close = run_closer.get(p, -1)
            if close != -1 and close + length <= limit and tables.no_break(p, close):
                spans.append(Span(p, close + length, "code"))
                pos = close + length
            else:
                stray.append((p, p + length, "backticks"))
                pos = p + length
            continue
        if c == "<":
            pos = _angle(text, p, limit, tables, spans, stray)
        elif c == "$":
            pos = _dollar(text, p, limit, tables, spans)
        elif c == "\\":
            pos = _backslash(text, p, limit, tables, spans)
        elif c == "h":
            url = _URL.match(text, p, limit)
            end = url.end() if url else p
            while end > p + 8 and text[end - 1] in _URL_TRAIL:
                end -= 1
            if end > p + 8:
                spans.append(Span(p, end, "url"))
                pos = end
            else:
                pos = p + len(token)
        elif c == "{":
            attrs = _ATTRS.match(text, p, limit)
            if attrs:
                spans.append(Span(p, attrs.end(), "attrs"))
                pos = attrs.end()
            else:
                pos = p + 1
        elif c in "*_":
            if not _thematic_break(text, p, p + len(token)):
                stray.append((p, p + len(token), "emphasis"))
            pos = p + len(token)
        elif c in "![":
            close_brackets_before(p)
            if len(brackets) >= MAX_BRACKET_DEPTH:
                stray.append((p, p + len(token), "bracket"))
            else:
                brackets.append((p, c == "!"))
            pos = p + len(token)
        else:  # "]"
            pos = _close_bracket(text, p, limit, tables, brackets, close_brackets_before, spans, stray)
    for start, image in brackets:
        stray.append((start, start + (2 if image else 1), "bracket"))
    spans.sort(key=lambda s: (s.start, -s.end))
    stray.sort()
    return result


def _thematic_break(text: str, start: int, end: int) -> bool:
    """"****" or "____" alone on its line is a horizontal rule, not emphasis."""
    line_start = text.rfind("\n", 0, start) + 1
    line_end = text.find("\n", end)
    line_end = len(text) if line_end == -1 else line_end
    return not text[line_start:start].strip() and not text[end:line_end].strip()


def _close_bracket(text, p, limit, tables, brackets, close_brackets_before, spans, stray) -> int:
    close_brackets_before(p)
    if not brackets:
        stray.append((p, p + 1, "bracket"))
        return p + 1
    start, image = brackets.pop()
    if text[p + 1 : p + 2] != "(":
        return p + 1  # [text] without a target: brackets, or a reference link
    spans.append(Span(start, p + 1, "label", image))
    close = tables.paren_match(p + 1)
    if close != -1 and close < limit and close - p <= MAX_TARGET:
        spans.append(Span(p + 1, close + 1, "target"))
        return close + 1
    stray.append((p + 1, p + 2, "paren"))  # "[a](" that never closes: not a link
    return p + 2


def _angle(text: str, p: int, limit: int, tables: _Tables, spans: list[Span], stray: list) -> int:
    if text.startswith("<!--", p):
        end = tables.find_once("-->", p + 4)
        if end != -1 and end + 3 <= limit:
            spans.append(Span(p, end + 3, "comment"))
            return end + 3
        stray.append((p, p + 1, "lt"))
        return p + 4
    tag = _TAG.match(text, p, limit)
    if tag and tables.no_break(p, tag.end()):
        spans.append(Span(p, tag.end(), "tag"))
        return tag.end()
    auto = _AUTOLINK.match(text, p, limit)
    if auto:
        spans.append(Span(p, auto.end(), "autolink"))
        return auto.end()
    nxt = text[p + 1 : p + 2]
    if nxt.isascii() and (nxt.isalpha() or nxt in "/!?"):
        stray.append((p, p + 1, "lt"))  # would start a tag for a Markdown engine, but is text
    return p + 1


def _dollar(text: str, p: int, limit: int, tables: _Tables, spans: list[Span]) -> int:
    if text.startswith("$$", p):
        close = tables.display_closer(p)
        if close > p + 2 and close + 2 <= limit and close - p <= MAX_MATH:
            spans.append(Span(p, close + 2, "math"))
            return close + 2
        return p + 2
    nxt = text[p + 1 : p + 2]
    if not nxt or nxt.isspace():
        return p + 1
    close = tables.inline_dollar_closer(p)
    if close != -1 and close < limit and close - p <= MAX_MATH:
        spans.append(Span(p, close + 1, "math"))
        return close + 1
    return p + 1


def _backslash(text: str, p: int, limit: int, tables: _Tables, spans: list[Span]) -> int:
    nxt = text[p + 1 : p + 2]
    if nxt in ("(", "["):
        close = tables.bracket_math_closer(p, nxt)
        if close != -1 and close + 2 <= limit and close - p <= MAX_MATH and tables.mathy_between(p + 2, close):
            if nxt == "[" or tables.one_line(p, close):
                spans.append(Span(p, close + 2, "math"))
                return close + 2
    elif nxt == "b":
        begin = _BEGIN.match(text, p, limit)
        if begin:
            name = begin.group(1)
            end = tables.find_once(f"\\end{{{name}}}", begin.end())
            stop = end + len(name) + 6
            if end != -1 and stop <= limit and end - p <= MAX_MATH:
                spans.append(Span(p, stop, "math"))
                return stop
    if nxt in _PUNCTUATION:
        spans.append(Span(p, p + 2, "escape"))
        return p + 2
    return p + 1


# ---------------------------------------------------------------------------------------------
# Using a scan


def regions(spans: list[Span], kinds: frozenset[str] = ALL_KINDS) -> list[tuple[int, int, Span]]:
    """The outermost spans of the given kinds, in order, none inside another."""
    out: list[tuple[int, int, Span]] = []
    end = -1
    for span in spans:
        if span.kind in kinds and span.start >= end:
            out.append((span.start, span.end, span))
            end = span.end
    return out


def protected_spans(text: str, kinds: frozenset[str] = ALL_KINDS) -> list[tuple[int, int, Span]]:
    """(start, end, span) of the pieces of `text` of these kinds that must not be touched."""
    return regions(scan(text).spans, kinds)


def pieces(text: str, kinds: frozenset[str] = ALL_KINDS) -> Iterator[tuple[str, Span | None]]:
    """The text cut into prose (span None) and the protected pieces of these kinds, in order."""
    last = 0
    for start, end, span in protected_spans(text, kinds):
        if start > last:
            yield text[last:start], None
        yield text[start:end], span
        last = end
    if last < len(text):
        yield text[last:], None


def map_prose(text: str, function, kinds: frozenset[str] = ALL_KINDS) -> str:
    """`function` applied to the prose between protected pieces; the pieces are kept as written."""
    return "".join(function(piece) if span is None else piece for piece, span in pieces(text, kinds))


def apply_edits(text: str, edits: list[tuple[int, int, str]]) -> str:
    """The text with each (start, end, replacement) applied; an edit that overlaps an earlier
    one is skipped."""
    out, last = [], 0
    for start, end, replacement in sorted(edits):
        if start < last:
            continue
        out.append(text[last:start])
        out.append(replacement)
        last = end
    out.append(text[last:])
    return "".join(out)


def mask(text: str, kinds: frozenset[str] = CODE_KINDS) -> str:
    """The text with the pieces of these kinds blanked out (same length, same line numbers)."""
    out = []
    for piece, span in pieces(text, kinds):
        out.append(piece if span is None else re.sub(r"[^\n]", " ", piece))
    return "".join(out)
