"""Blog dumps: the boilerplate a blog pastes around a post, and the metadata in it.

Headers, footers and boilerplate lines come out by the patterns in `data/boilerplate.yml`; the
author, date and title they carry, and link cards and "label: URL" blocks, become the note's
fields and sources. Works on numbered lines so that every removal names its line.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field

from notekb.records import Line, Removal, Source
from notekb.registry import Registry


def _span_lines(lines: list[Line], start: int, end: int) -> tuple[int, int]:
    """Indexes [i, j) of the lines covered by characters [start, end) of '\\n'.join(lines)."""
    pos = 0
    first = last = None
    for i, line in enumerate(lines):
        line_end = pos + len(line.text)
        if first is None and line_end >= start:
            first = i
        if pos < end or (start == end and pos == start):
            last = i
        pos = line_end + 1
    first = 0 if first is None else first
    return first, (last if last is not None else first) + 1


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


_URL_LINE = re.compile(r"^\s*<?(https?://[^\s<>]+?)>?\s*$")
_LABEL_LINE = re.compile(r"^\s*([^:：\n]{1,24})[:：]\s*$")


def extract_sources(lines: list[Line], registry: Registry, found: Extracted) -> list[Line]:
    """Lift link cards and "label: <newline> URL" blocks out of the text into the note's sources."""
    joined = "\n".join(line.text for line in lines)
    for rule in registry.boilerplate.link_cards:
        while match := rule.pattern.search(joined):  # every card, not just the first
            title = match.group("title").strip()
            model = registry.model_for_title(title)
            ref = registry.reference_for_title(title)
            url = model.report_url if model else (ref.url if ref else None)
            if url is None:
                url = f"https://{match.group('domain')}"
            found.sources.append(Source(url, title, match.group("description").strip(), match.group("label").strip()))
            i, j = _span_lines(lines, match.start(), match.end())
            lines = lines[:i] + lines[j:]
            joined = "\n".join(line.text for line in lines)
    kept: list[Line] = []
    label: str | None = None
    for index, line in enumerate(lines):
        url = _URL_LINE.match(line.text)
        label_match = _LABEL_LINE.match(line.text)
        if label_match:
            following = next((l for l in lines[index + 1 :] if l.text.strip()), None)
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
