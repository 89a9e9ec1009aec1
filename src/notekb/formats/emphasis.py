"""Emphasis markers that pair with nothing: taken out, so that a note's stray `**` never shows.

Notes are pasted from blogs, and a bold span often loses one of its two markers on the way
("通过强化学习（RL）**进行专门训练"). A Markdown engine shows such a marker as the characters it is.
Here the runs of `*` and `_` of a block are paired the way an engine pairs them (an opening run
is followed by a character that is not a space, a closing one follows one; equal runs pair,
innermost first), and a run of two or three that pairs with nothing is removed. A single `*`
that pairs with nothing is left: "GPT-4*" and "3 * 4" mean the character.

Code, math, URLs, HTML tags, link targets and escapes are never touched: spans.scan finds them
(the same scan that made the text safe), and a horizontal rule ("***" alone on a line) stays.
Linear in the length of the text.
"""

from __future__ import annotations

import re

from notekb.spans import ALL_KINDS, regions, scan

_RUNS = re.compile(r"\*++|_++")
_RULE_LINE = re.compile(r"^[ \t]{0,3}([*_-])(?:[ \t]*\1){2,}[ \t]*$", re.M)
_PROTECTED = ALL_KINDS - {"label"}  # a link's label is prose; its target is not


def balance_emphasis(text: str) -> str:
    """The text without the emphasis runs (`**`, `***`, `__`, `___`) that pair with nothing."""
    if "**" not in text and "__" not in text:
        return text
    keep = [(start, end) for start, end, _ in regions(scan(text).spans, _PROTECTED)]
    keep += [(m.start(), m.end()) for m in _RULE_LINE.finditer(text)]
    keep.sort()
    runs = []  # (start, end, marker, can open, can close)
    k = 0
    for match in _RUNS.finditer(text):
        start, end = match.span()
        while k < len(keep) and keep[k][1] <= start:
            k += 1
        if (k < len(keep) and keep[k][0] < end) or end - start > 3:
            continue  # protected, or a long run that safe_markdown escaped already
        before = text[start - 1] if start else " "
        after = text[end] if end < len(text) else " "
        marker = match.group()
        if marker[0] == "_" and before.isalnum() and after.isalnum():
            continue  # snake_case: inside a word, "_" is never emphasis
        runs.append((start, end, marker, not after.isspace(), not before.isspace()))
    unpaired = _unpaired(runs)
    drop = [(s, e) for s, e, marker in unpaired if len(marker) > 1 and (marker[0] == "*" or _touches_a_word(text, s, e))]
    if not drop:
        return text
    out, last = [], 0
    for start, end in drop:
        out.append(text[last:start])
        last = end
    out.append(text[last:])
    return "".join(out)


def _unpaired(runs: list[tuple[int, int, str, bool, bool]]) -> list[tuple[int, int, str]]:
    """The runs that no other run closes or opens: a closing run pairs with the nearest open run
    of the same marker; runs opened inside that pair and still open are unpaired. Each run is
    pushed and popped once (per-marker stacks hold positions in the one stack of open runs)."""
    opened: list[tuple[int, int, str] | None] = []  # open runs in order; None once closed
    by_marker: dict[str, list[int]] = {}
    out: list[tuple[int, int, str]] = []
    for start, end, marker, can_open, can_close in runs:
        mine = by_marker.setdefault(marker, [])
        if can_close and mine:
            at = mine.pop()
            for inner in opened[at + 1 :]:
                if inner is not None:
                    out.append(inner)
                    by_marker[inner[2]].pop()
            del opened[at:]
            continue
        if can_open:
            mine.append(len(opened))
            opened.append((start, end, marker))
        else:
            out.append((start, end, marker))
    out += [run for run in opened if run is not None]
    out.sort()
    return out


def _touches_a_word(text: str, start: int, end: int) -> bool:
    """An underscore run next to a word on one side only, as emphasis is written ("__要点");
    one between spaces or punctuation ("填空：___ 处") is a blank to fill in, and stays."""
    before = start > 0 and text[start - 1].isalnum()
    after = end < len(text) and text[end].isalnum()
    return before != after
