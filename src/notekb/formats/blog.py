"""Blog dumps: the boilerplate a blog pastes around a post, and the metadata in it.

Headers, footers and boilerplate lines come out by the patterns in `data/boilerplate.yml`; the
author, date and title they carry, and link cards and "label: URL" blocks, become the note's
fields and sources. Works on numbered lines so that every removal names its line.
"""

from __future__ import annotations

import datetime as dt
import re
from bisect import bisect_left, bisect_right
from dataclasses import dataclass, field

from notekb.records import Line, Removal, Source
from notekb.registry import Registry


def _span_lines(lines: list[Line], start: int, end: int, starts: list[int] | None = None) -> tuple[int, int]:
    """Indexes [i, j) of the lines covered by characters [start, end) of '\\n'.join(lines)
    (`starts`: _line_starts(lines), when many spans of the same lines are looked up)."""
    starts = starts if starts is not None else _line_starts(lines)
    first = max(0, bisect_right(starts, start) - 1)
    last = max(first, bisect_left(starts, end) - 1) if end > start else first
    return first, last + 1


def _line_starts(lines: list[Line]) -> list[int]:
    """Where each line starts in '\\n'.join(lines)."""
    starts, pos = [], 0
    for line in lines:
        starts.append(pos)
        pos += len(line.text) + 1
    return starts


def _parse_date(value: str, formats: list[str]) -> str | None:
    value = re.sub(r"\s+", " ", value.strip())
    for fmt in formats:
        for candidate in (value, value.replace(". ", ".")):
            try:
                return dt.datetime.strptime(candidate, fmt).date().isoformat()
            except ValueError:
                continue
    return None


@dataclass
class Extracted:
    """Metadata found in the text itself."""

    title: str | None = None
    author: str | None = None
    date: str | None = None
    sources: list[Source] = field(default_factory=list)


def strip_boilerplate(lines: list[Line], registry: Registry, found: Extracted) -> tuple[list[Line], list[Removal]]:
    """Remove blog headers, footers and boilerplate lines; record what was removed and why."""
    rules = registry.boilerplate
    removed: list[Removal] = []

    def take_groups(match: re.Match) -> None:
        groups = match.groupdict()
        if groups.get("title") and not found.title:
            found.title = groups["title"].strip()
        if groups.get("author") and not found.author:
            found.author = groups["author"].strip()
        if groups.get("date") and not found.date:
            found.date = _parse_date(groups["date"], rules.date_formats)

    while lines and not lines[0].text.strip():
        lines = lines[1:]
    joined = "\n".join(line.text for line in lines)
    for rule in rules.headers:
        match = rule.pattern.match(joined)
        if match:
            i, j = _span_lines(lines, match.start(), match.end())
            removed += [Removal(line.no, rule.name, line.text.strip()) for line in lines[i:j] if line.text.strip()]
            take_groups(match)
            lines = lines[j:]
            break
    while lines and not lines[-1].text.strip():
        lines = lines[:-1]
    joined = "\n".join(line.text for line in lines)
    for rule in rules.footers:
        match = rule.pattern.search(joined)
        if match:
            i, j = _span_lines(lines, match.start(), match.end())
            removed += [Removal(line.no, rule.name, line.text.strip()) for line in lines[i:] if line.text.strip()]
            take_groups(match)
            lines = lines[:i]
            break
    kept = []
    for line in lines:
        stripped = line.text.strip()
        rule = next((r for r in rules.lines if stripped and r.pattern.match(stripped)), None)
        if rule:
            removed.append(Removal(line.no, rule.name, stripped))
        else:
            kept.append(line)
    return kept, removed


_URL_LINE = re.compile(r"^\s*<?(https?://[^\s<>()\"'\\]+?)>?\s*$")
_LABEL_LINE = re.compile(r"^\s*([^:：\n]{1,24})[:：]\s*$")


def extract_sources(lines: list[Line], registry: Registry, found: Extracted) -> list[Line]:
    """Lift link cards and "label: <newline> URL" blocks out of the text into the note's sources."""
    for rule in registry.boilerplate.link_cards:
        joined = "\n".join(line.text for line in lines)
        cards = []  # line ranges of every card, taken out together
        starts = _line_starts(lines)
        for match in rule.pattern.finditer(joined):
            title = match.group("title").strip()
            model = registry.model_for_title(title)
            ref = registry.reference_for_title(title)
            url = model.report_url if model else (ref.url if ref else None)
            if url is None:
                url = f"https://{match.group('domain')}"
            found.sources.append(Source(url, title, match.group("description").strip(), match.group("label").strip()))
            cards.append(_span_lines(lines, match.start(), match.end(), starts))
        if cards:
            dropped = {k for i, j in cards for k in range(i, j)}
            lines = [line for k, line in enumerate(lines) if k not in dropped]
    kept: list[Line] = []
    label: str | None = None
    following_of = [None] * len(lines)  # the next line with text after each line
    upcoming = None
    for index in range(len(lines) - 1, -1, -1):
        following_of[index] = upcoming
        if lines[index].text.strip():
            upcoming = lines[index]
    for index, line in enumerate(lines):
        url = _URL_LINE.match(line.text)
        label_match = _LABEL_LINE.match(line.text)
        if label_match:
            following = following_of[index]
            if following is not None and _URL_LINE.match(following.text):
                label = label_match.group(1).strip()
                continue
        if url and label is not None:
            found.sources.append(Source(url.group(1), label))
            continue
        if line.text.strip():
            label = None
        kept.append(line)
    return kept


MAX_CALL = 200  # characters: a call to action is short
EDGE_PARAGRAPHS = 6  # paragraphs looked at at the end (half as many at the start)


def _paragraphs(lines: list[Line]) -> list[tuple[int, int]]:
    """[i, j) of each run of lines with text."""
    out, start = [], None
    for k, line in enumerate(lines):
        if line.text.strip():
            start = k if start is None else start
        elif start is not None:
            out.append((start, k))
            start = None
    if start is not None:
        out.append((start, len(lines)))
    return out


def strip_calls_to_action(lines: list[Line], registry: Registry, names_content) -> tuple[list[Line], list[Removal]]:
    """Sign-offs and calls to follow, like, share, subscribe, scan or tip at a note's start and
    end, and machine-written appendices ("fact-check summary") at its end, found by a rule, not by
    exact lines: a paragraph there that is short, says one of the calls in boilerplate.yml and
    names no model or term (`names_content(text)`) is removed; nothing that carries content is."""
    calls, appendices = registry.boilerplate.calls_to_action, registry.boilerplate.appendices
    if not lines or calls is None:
        return lines, []
    paragraphs = _paragraphs(lines)
    drop: set[int] = set()
    removed: list[Removal] = []

    def is_call(i: int, j: int) -> bool:
        text = " ".join(lines[k].text.strip() for k in range(i, j))
        return len(text) <= MAX_CALL and calls.search(text) is not None and not names_content(text)

    def take(i: int, j: int, rule: str) -> None:
        drop.update(range(i, j))
        removed.extend(Removal(lines[k].no, rule, lines[k].text.strip()) for k in range(i, j) if lines[k].text.strip())

    if appendices is not None:
        for i, j in paragraphs[len(paragraphs) // 2 :]:
            head = lines[i].text.strip().lstrip("#>*").strip()
            if len(head) <= 60 and appendices.search(head):
                for a, b in [p for p in paragraphs if p[0] >= i]:
                    take(a, b, "machine-written appendix")
                break
    for i, j in reversed(paragraphs[-EDGE_PARAGRAPHS:]):
        if i in drop:
            continue
        if not is_call(i, j):
            break
        take(i, j, "call to follow, like or share")
    for i, j in paragraphs[: EDGE_PARAGRAPHS // 2]:
        if i in drop or not is_call(i, j):
            break
        take(i, j, "call to follow, like or share")
    if not drop:
        return lines, []
    kept = [line for k, line in enumerate(lines) if k not in drop]
    while kept and (not kept[-1].text.strip() or _RULE.match(kept[-1].text)):  # a rule that ended the text
        kept.pop()
    return kept, sorted(removed, key=lambda r: r.line)


_RULE = re.compile(r"^\s*(?:[-*_]\s*){3,}$")