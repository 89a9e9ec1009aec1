"""Stage 2, clean: recover the structure the author meant.

Notes are blog posts pasted as plain text. This stage removes the blog's boilerplate (patterns in
`data/boilerplate.yml`), lifts metadata out of the text (author, date, source links), and rebuilds
the Markdown structure: headings written as "1.1 模型架构" on a line of their own, "•" bullets whose
nesting is only indentation, Python pasted without fences, figures that were never pasted. A digest
note (many papers in one file) is split into one part per paper.

It works on numbered lines so that every message can point at the line in the file.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import os
import re
from collections import Counter
from dataclasses import dataclass, field

from .images import Images
from .registry import Registry
from .text import HAN, HANGUL, count_scripts, detect_lang, slugify
from .records import Asset, Diagnostic, Note, Part, RawNote, Removal, Section, Source
from .safety import MAX_INLINE, MAX_TAG_DEPTH, plain_inline, safe_markdown, split_long
from .spans import closes_fence, fence_opener
from .typography import polish


@dataclass
class Line:
    no: int  # 1-based line number in the file
    text: str


# ---------------------------------------------------------------------------------------------
# Boilerplate and metadata


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


# ---------------------------------------------------------------------------------------------
# Blocks: the structural pieces of a note


@dataclass
class Block:
    kind: str  # heading | para | item | code | figure | raw | blank
    line: int
    text: str = ""
    indent: int = 0
    ordered: bool = False
    number: str | None = None  # heading number ("1.1") or list item number
    md_level: int | None = None  # number of '#' for Markdown headings
    lang: str | None = None  # code language
    implicit: bool = False  # the number was inferred, not written: do not show it


_MD_HEADING = re.compile(r"^(#{1,6})\s+(.+?)\s*#*\s*$")
_NUMBERED = re.compile(r"^(\d{1,2}(?:\.\d{1,2})*)\.?\s+(\S.*)$")
_DOTTED = re.compile(r"^(\d{1,2}(?:\.\d{1,2})+)\.?\s+(\S.*)$")
_SINGLE_HEADING = re.compile(r"^(\d{1,2})\.\s+(\S.*)$")
_BULLET = re.compile(r"^(\s*)([•●▪◦○■□‣∙·\-*+])\s+(.*)$")
_ORDERED = re.compile(r"^(\s*)(\d{1,3})(?:[.、)）]|(?=[:：]))[:：]?\s*(\S.*)$")
_IMAGE_LINE = re.compile(r"^\s*!\[([^\]]*)\]\(\s*<?([^)\s>]+)>?(?:\s+\"[^\"]*\")?\s*\)\s*$")
_SENTENCE_PUNCT = re.compile(r"[。！？!?；;，,…]|[.:：]$")
_CODE_START = re.compile(
    r"^(?:class\s+\w+\s*(?:\([^)]*\))?\s*:|(?:async\s+)?def\s+\w+\s*\(|import\s+[\w.]+|from\s+[\w.]+\s+import\s+\w|@\w[\w.]*(?:\(.*\))?$|if\s+__name__\s*==)"
)
_CODE_CONTINUE = re.compile(
    r"^(?:[\w.\[\]]+\s*(?:[-+*/]?=|:\s*\w+\s*=)\s*\S|return\b|print\(|for\s+\w+\s+in\s|while\s|with\s|try:|except\b|raise\b|[)\]}]|#\s|\w+\(.*\)\s*$)"
)
_TERMINAL = "。！？.!?…:：;；)）\"”'’"


_LANGUAGE = re.compile(r"[{.\s]*([\w+#-]{1,32})")


def _fence_language(info: str) -> str:
    """Only the language of a fence's info string ("python", "{.py}"): the rest would be read as
    attributes of the code block by some engines (superfences) and is never shown."""
    match = _LANGUAGE.match(info)
    return match.group(1) if match else ""


def _is_short_title(text: str, limit: int = 40) -> bool:
    return 0 < len(text) <= limit and not _SENTENCE_PUNCT.search(text)


def _ordered_item(text: str) -> re.Match | None:
    match = _ORDERED.match(text)
    if match and int(match.group(2)) < 1000 and not re.match(r"\d+(?:\.\d)", text.lstrip()):
        return match
    return None


def _implicit_number(lines: list[Line], i: int, blocks: list[Block]) -> str | None:
    """The section number a title line stands for, if the next numbered heading is "K.1" of a new K."""
    seen = 0
    for k in range(i + 1, len(lines)):
        line = lines[k]
        if not line.text.strip():
            continue
        child = _DOTTED.match(line.text)
        if child and not line.text.startswith((" ", "\t")):
            number = child.group(1)
            if number.count(".") == 1 and number.endswith(".1"):
                parent = number.split(".")[0]
                if not any(b.kind == "heading" and b.number == parent for b in blocks):
                    return parent
            return None
        if _MD_HEADING.match(line.text):
            return None
        seen += 1
        if seen > 3:
            return None
    return None


def to_blocks(lines: list[Line], registry: Registry, images: Images | None = None, notices: Notices | None = None) -> list[Block]:
    """Classify every line; join lines that belong together (code, list-item continuations).

    Images the note references from files beside it are placed through `images` (without it,
    every image is a placeholder)."""
    # Dedent: blogs paste their whole article indented.
    in_fence = False
    indents = []
    fence_open = ""
    for line in lines:
        if fence_open:
            if closes_fence(line.text, fence_open):
                fence_open = ""
        elif opener := fence_opener(line.text):
            fence_open = opener[0]
        elif line.text.strip():
            indents.append(len(line.text) - len(line.text.lstrip(" ")))
    cut = min(indents) if indents else 0
    lines = [Line(l.no, l.text[cut:] if l.text[:cut].strip() == "" else l.text.lstrip()) for l in lines]

    blocks: list[Block] = []
    i = 0
    n = len(lines)
    has_md_headings = any(_MD_HEADING.match(line.text) for line in lines)

    def next_nonblank(k: int) -> Line | None:
        for j in range(k + 1, n):
            if lines[j].text.strip():
                return lines[j]
        return None

    def prev_nonblank(k: int) -> Line | None:
        for j in range(k - 1, -1, -1):
            if lines[j].text.strip():
                return lines[j]
        return None

    while i < n:
        line = lines[i]
        text = line.text.rstrip()
        stripped = text.strip()
        if not stripped:
            blocks.append(Block("blank", line.no))
            i += 1
            continue
        opener = fence_opener(text)
        if opener:
            fence, info = opener
            body = [text[: len(text) - len(text.lstrip())] + fence + _fence_language(info)]
            i += 1
            while i < n and not closes_fence(lines[i].text, fence):
                body.append(lines[i].text.rstrip())
                i += 1
            if i < n:
                body.append(lines[i].text.rstrip())
                i += 1
            else:
                body.append(fence)
                if notices is not None:
                    notices.unclosed_fence = line.no
            blocks.append(Block("raw", line.no, "\n".join(body)))
            continue
        if _CODE_START.match(text) and not re.search(f"[{HAN}{HANGUL}]", text.split("#")[0]):
            body = [text]
            j = i + 1
            while j < n:
                t = lines[j].text.rstrip()
                if not t.strip() or t.startswith((" ", "\t")) or _CODE_START.match(t) or _CODE_CONTINUE.match(t):
                    body.append(t)
                    j += 1
                else:
                    break
            while body and not body[-1].strip():
                body.pop()
                j -= 1
            blocks.append(Block("code", line.no, "\n".join(body), lang="python"))
            i = j
            continue
        image = _IMAGE_LINE.match(text)
        if image:
            target = image.group(2)
            local = not re.match(r"[a-z]+:", target, re.I) and not target.startswith("/")
            site = images.place(target, line.no) if local and images is not None else None
            if site:
                # An image next to the note is copied into the site; render resolves the link per page.
                blocks.append(Block("raw", line.no, f"![{image.group(1)}](nkb:asset/{site.removeprefix('assets/notes/')})"))
            elif local or target.startswith("/"):  # not on this site: a named placeholder
                blocks.append(Block("figure", line.no, target))
            else:
                blocks.append(Block("raw", line.no, stripped))
            i += 1
            continue
        if any(p.match(stripped) for p in registry.boilerplate.missing_figures):
            blocks.append(Block("figure", line.no, stripped))
            i += 1
            continue
        heading = _MD_HEADING.match(text)
        if heading:
            title = heading.group(2).strip()
            number = _NUMBERED.match(title)
            blocks.append(
                Block("heading", line.no, number.group(2) if number else title, number=number.group(1) if number else None, md_level=len(heading.group(1)))
            )
            i += 1
            continue
        at_margin = not text.startswith((" ", "\t"))
        dotted = _DOTTED.match(text)
        if at_margin and dotted and _is_short_title(dotted.group(2), 60) and int(dotted.group(1).split(".")[0]) <= 20:
            blocks.append(Block("heading", line.no, dotted.group(2).strip(), number=dotted.group(1)))
            i += 1
            continue
        single = _SINGLE_HEADING.match(text)
        if at_margin and single and _is_short_title(single.group(2)):
            k = int(single.group(1))
            before, after = prev_nonblank(i), next_nonblank(i)
            neighbours = [b for b in (before, after) if b is not None]
            # A numbered line is a heading when it is not one item among numbered neighbours, and
            # only in notes that do not already mark their headings with '#'.
            sibling = any((m := _ordered_item(b.text)) and abs(int(m.group(2)) - k) <= 1 for b in neighbours)
            if not sibling and not has_md_headings:
                blocks.append(Block("heading", line.no, single.group(2).strip(), number=single.group(1)))
                i += 1
                continue
        bullet = _BULLET.match(text)
        if bullet and not (bullet.group(2) in "-*+" and re.fullmatch(r"[-*+]{3,}|[-*_ ]{3,}", stripped)):
            blocks.append(Block("item", line.no, bullet.group(3).strip(), indent=len(bullet.group(1))))
            i += 1
            continue
        ordered = _ordered_item(text)
        if ordered and (not ordered.group(0).lstrip()[len(ordered.group(2)) :].lstrip().startswith((":", "：")) or (blocks and blocks[-1].kind == "item" and blocks[-1].ordered)):
            blocks.append(Block("item", line.no, ordered.group(3).strip(), indent=len(ordered.group(1)), ordered=True, number=ordered.group(2)))
            i += 1
            continue
        if stripped.startswith(("|", ">", "<")):
            blocks.append(Block("raw", line.no, text))
            i += 1
            continue
        # An unnumbered short line shortly before the first sub-heading of a new number is that
        # number's heading ("Pretrain阶段" before "1.1 模型架构", "Post training" before "2.1").
        if at_margin and _is_short_title(stripped, 30) and not _ordered_item(text):
            parent_number = _implicit_number(lines, i, blocks)
            if parent_number:
                blocks.append(Block("heading", line.no, stripped, number=parent_number, implicit=True))
                i += 1
                continue
        # A lazy continuation of a list item, where a line was broken mid-sentence ("...Gemini 2.5" /
        # "Pro,它可以..."): the item does not end a sentence and the line does not start one. A
        # line that starts with a Chinese or Korean character after a list is a new paragraph.
        continues = re.match(r"[A-Za-z0-9,，、)）]", stripped)
        if continues and blocks and blocks[-1].kind == "item" and not blocks[-1].text.endswith(tuple(_TERMINAL)) and lines[i - 1].text.strip():
            previous = blocks[-1]
            joiner = " " if re.match(r"[A-Za-z0-9]", stripped) and re.search(r"[A-Za-z0-9]$", previous.text) else ""
            previous.text = previous.text + joiner + stripped
            i += 1
            continue
        # A hard-wrapped paragraph: the line before did not end a sentence and this one goes on
        # in lower case.
        if blocks and blocks[-1].kind == "para" and lines[i - 1].text.strip() and re.match(r"[a-z0-9(]", stripped) and not blocks[-1].text.endswith(tuple(_TERMINAL)):
            blocks[-1].text += " " + stripped
            i += 1
            continue
        blocks.append(Block("para", line.no, stripped))
        i += 1
    return blocks


# ---------------------------------------------------------------------------------------------
# Blocks -> Markdown


def figure_placeholder(label: str) -> str:
    """A visible stand-in for a figure the author did not paste, naming it."""
    name = label.rsplit("/", 1)[-1]
    safe = name.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    full = label.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace('"', "&quot;")
    return f'<div class="nkb-missing-figure" role="note" title="{full}">原文此处有图，未随笔记提供：<code>{safe}</code></div>'


_LABEL_PARA = re.compile(r"^([^:：\n]{1,40}?)\s*[:：](?!//)\s*(\S.*)$")


def _para_markdown(text: str, zh: bool) -> str:
    """A paragraph (made safe already) with Chinese typography and "标签：" labels in bold."""
    if zh:
        label = _LABEL_PARA.match(text)
        # "规模与多样性: 使用了…" -> a bold label; never a URL, a time ("10:30") or a link
        if (
            label
            and re.search(f"[{HAN}]", label.group(1))
            and not _SENTENCE_PUNCT.search(label.group(1))
            and not re.search(r"[*\[\]`<]|https?$|\d$", label.group(1))
        ):
            text = f"**{label.group(1).strip()}**：{label.group(2)}"
        return polish(text)
    return text


@dataclass
class Notices:
    """What cleaning had to change in a note's Markdown so that every engine shows it safely and
    fast; clean_note reports it (`notekb check` and the build name the line)."""

    capped: list[int] = field(default_factory=list)  # lines where lists or quotes nested too deep
    split: list[tuple[int, int]] = field(default_factory=list)  # (line, characters) of over-long paragraphs
    stray: Counter = field(default_factory=Counter)  # characters of delimiters that pair with nothing, by kind
    stray_line: int | None = None
    unclosed_fence: int | None = None  # line of a code fence that is never closed

    def safe(self, text: str, line: int) -> str:
        """safe_markdown, counting the delimiters it had to escape."""
        before = sum(self.stray.values())
        out = safe_markdown(text, self.stray)
        if self.stray_line is None and sum(self.stray.values()) > before:
            self.stray_line = line
        return out

    def split_long(self, text: str, joiner: str, line: int) -> str:
        out = split_long(text, joiner)
        if len(out) != len(text):
            self.split.append((line, len(text)))
        return out

    def diagnostics(self, path: str) -> list[Diagnostic]:
        out = []
        if self.capped:
            out.append(Diagnostic(path, f"lists or quotes nested more than {MAX_LIST_DEPTH} levels deep ({len(self.capped)} lines); shown less deeply nested", "warning", self.capped[0]))
        if self.split:
            line, length = self.split[0]
            more = f"; {len(self.split) - 1} more such paragraphs" if len(self.split) > 1 else ""
            out.append(Diagnostic(path, f"a paragraph of {length:,} characters (over {MAX_INLINE:,}) is shown cut into several{more}", "warning", line))
        if self.unclosed_fence:
            out.append(Diagnostic(path, "this code block is never closed: the rest of the note is shown as code", "warning", self.unclosed_fence))
        nesting = self.stray.pop("nesting", 0)
        if nesting:
            out.append(Diagnostic(path, f"HTML nested more than {MAX_TAG_DEPTH} elements deep: {nesting} inner tags left out", "warning", self.stray_line))
        total = sum(self.stray.values())
        if total >= STRAY_REPORTED:
            kinds = ", ".join(f"{STRAY_NAMES.get(k, k)} ×{n}" for k, n in self.stray.most_common())
            out.append(Diagnostic(path, f"{total:,} characters of Markdown syntax pair with nothing and are shown as text ({kinds})", "warning", self.stray_line))
        return out


STRAY_REPORTED = 200  # a few unmatched brackets are typos; hundreds are not a note
STRAY_NAMES = {"bracket": "[ ]", "backticks": "`", "lt": "<", "emphasis": "* _", "paren": "("}
MAX_LIST_DEPTH = 8  # deeper list items are shown at this depth (Markdown engines recurse per level)
MAX_QUOTE_DEPTH = 4  # the same for quotes in quotes
_QUOTE_MARKERS = re.compile(r"^(?:[ \t]*>)++", re.M)


def _cap_quotes(text: str, capped: list[int], line: int) -> str:
    """Quote markers beyond MAX_QUOTE_DEPTH dropped (a Markdown engine recurses per level)."""
    def cap(match: re.Match) -> str:
        if match.group().count(">") <= MAX_QUOTE_DEPTH:
            return match.group()
        capped.append(line)
        return "> " * MAX_QUOTE_DEPTH

    return _QUOTE_MARKERS.sub(cap, text)


def _code_fence(code: str) -> str:
    """A fence longer than any run of backticks in the code, so that the code cannot close it."""
    longest = max((len(run) for run in re.findall(r"`+", code)), default=0)
    return "`" * max(3, longest + 1)


def blocks_to_markdown(blocks: list[Block], lang: str, notices: Notices | None = None) -> str:
    """Markdown for a run of blocks: one paragraph per line, nested lists, fenced code.

    Every piece of the note's text goes through safe_markdown; lists and quotes nested deeper than
    MAX_LIST_DEPTH / MAX_QUOTE_DEPTH are shown at that depth, and paragraphs longer than MAX_INLINE
    are cut; `notices` keeps what was changed."""
    notices = Notices() if notices is None else notices
    capped = notices.capped
    zh = lang.startswith("zh")
    out: list[str] = []
    list_stack: list[int] = []  # indentation of each open list level
    previous: Block | None = None  # the block before, None after a blank line
    last_kind = ""  # kind of the last non-blank block: list items separated by blanks stay one list
    for block in blocks:
        if block.kind not in ("item", "blank"):
            list_stack = []
        if block.kind == "blank":
            previous = None
            continue
        if block.kind == "item":
            while list_stack and block.indent < list_stack[-1]:
                list_stack.pop()
            if not list_stack or block.indent > list_stack[-1]:
                if len(list_stack) < MAX_LIST_DEPTH:
                    list_stack.append(block.indent)
                else:
                    capped.append(block.line)
            depth = len(list_stack) - 1
            marker = f"{block.number}." if block.ordered else "-"
            text = notices.safe(block.text, block.line)
            text = polish(text) if zh else text
            line = "    " * depth + f"{marker} " + notices.split_long(text, "\n\n" + "    " * (depth + 1), block.line)
            if last_kind == "item":
                out[-1] += "\n" + line
            else:
                out.append(line)
            last_kind = "item"
            previous = block
            continue
        if block.kind == "para":
            out.append(notices.split_long(_para_markdown(notices.safe(block.text, block.line), zh), "\n\n", block.line))
        elif block.kind == "code":
            fence = _code_fence(block.text)
            out.append(f"{fence}{block.lang or ''}\n{block.text}\n{fence}")
        elif block.kind == "figure":
            out.append(figure_placeholder(block.text))
        elif block.kind == "raw":
            text = _cap_quotes(notices.safe(block.text, block.line), capped, block.line)
            if not fence_opener(block.text.lstrip().split("\n", 1)[0]):  # code is not read for Markdown
                text = notices.split_long(text, "\n>\n" if text.startswith(">") else "\n\n", block.line)
            if previous is not None and previous.kind == "raw" and previous.line + 1 == block.line and block.text.lstrip()[:1] in ("|", ">") and previous.text.lstrip()[:1] == block.text.lstrip()[:1]:
                out[-1] += "\n" + text  # table rows and quote lines stay one block
            else:
                out.append(text)
        previous = block
        last_kind = block.kind
    return "\n\n".join(out)


# ---------------------------------------------------------------------------------------------
# Sections, hierarchy and digests


@dataclass
class _Heading:
    block: Block
    depth: int


def heading_depths(headings: list[Block]) -> list[int]:
    """Depth (1 = top) of each heading, from its number where it has one, else from its '#'s.

    A numbered heading sits under the nearest earlier heading whose number is a prefix of its own;
    "5.1.2" with no "5" or "5.1" before it is a top-level section, not an orphan three levels deep.
    """
    stack: list[_Heading] = []
    depths = []
    for block in headings:
        parent_index = None
        for k in range(len(stack) - 1, -1, -1):
            other = stack[k].block
            if block.number and other.number and block.number.startswith(other.number + "."):
                parent_index = k
                break
            if block.number is None and other.number is None and block.md_level and other.md_level and other.md_level < block.md_level:
                parent_index = k
                break
            if block.number and other.number is None and other.md_level and block.md_level and other.md_level < block.md_level:
                parent_index = k
                break
        depth = stack[parent_index].depth + 1 if parent_index is not None else 1
        stack = stack[: parent_index + 1] if parent_index is not None else []
        stack.append(_Heading(block, depth))
        depths.append(depth)
    return depths


def _heading_title(block: Block) -> str:
    """The heading as the author wrote it: "1.1 模型架构", "0. abstract", "Post training"."""
    if not block.number or block.implicit:
        return block.text
    separator = ". " if "." not in block.number and block.md_level is None else " "
    return f"{block.number}{separator}{block.text}"


def _unique(anchor: str, used: set[str]) -> str:
    anchor = anchor or "section"
    candidate, k = anchor, 1
    while candidate in used:
        k += 1
        candidate = f"{anchor}-{k}"
    used.add(candidate)
    return candidate


def _title_lang(title: str, body_lang: str) -> str:
    """Titles are short: any Hangul makes them Korean, any Han character Chinese, else English."""
    han, hangul, latin = count_scripts(title)
    if hangul:
        return "ko"
    if han:
        return body_lang if body_lang.startswith("zh") else detect_lang(title, "zh-Hans")
    return "en" if latin else body_lang


def make_sections(blocks: list[Block], default_lang: str, used: set[str], intro_anchor: str | None = None, notices: Notices | None = None) -> list[Section]:
    """Split blocks at headings into Sections with depth, anchor, language and Markdown body
    (`notices` keeps what had to be changed, see blocks_to_markdown)."""
    notices = Notices() if notices is None else notices
    headings = [b for b in blocks if b.kind == "heading"]
    depths = dict(zip(map(id, headings), heading_depths(headings)))
    sections: list[Section] = []
    current: Block | None = None
    run: list[Block] = []
    open_sections: list[Section] = []  # the chain of enclosing sections, for context

    def flush() -> None:
        content = [b for b in run if b.kind != "blank"]
        if current is None and not content:
            return
        plain = "\n".join(b.text for b in content if b.kind in ("para", "item", "raw"))
        lang = detect_lang(plain, default_lang) if plain.strip() else default_lang
        title = notices.safe(_heading_title(current), current.line) if current else None
        body = blocks_to_markdown(run, lang, notices)
        title_lang = _title_lang(title, lang) if title else lang
        if title and title_lang.startswith("zh"):
            title = polish(title)
        if current is None:
            anchor = intro_anchor or _unique("intro", used)
        else:
            anchor = _unique(f"s{current.number}".replace(".", "-") if current.number else slugify(current.text), used)
        level = depths[id(current)] if current else 0
        while open_sections and open_sections[-1].level >= level:
            open_sections.pop()
        parents = open_sections if level else []
        sections.append(
            Section(
                parent=parents[-1].anchor if parents else None,
                context=" › ".join(p.title or "" for p in parents),
                anchor=anchor,
                title=title,
                level=level,
                body=body,
                line=(current.line if current else (content[0].line if content else 1)),
                lang=lang,
                title_lang=title_lang,
            )
        )
        if level:
            open_sections.append(sections[-1])

    for block in blocks:
        if block.kind == "heading":
            flush()
            current, run = block, []
        else:
            run.append(block)
    flush()
    return sections


_LINK_LINE = re.compile(r"^\[([^\]]+)\]\((https?://[^)\s]+)\)\s*$")
_ARXIV = re.compile(r"arxiv\.org/(?:abs|pdf)/(\d{4}\.\d{4,5})")


def split_digest(blocks: list[Block]) -> list[tuple[Block | None, Block | None, list[Block]]] | None:
    """A digest is several papers in one file: a top heading followed by a link to the paper.

    Returns [(heading, link block, blocks)] per paper (a leading run with no paper is returned with
    heading None), or None when the note is not a digest.
    """
    starts = []
    for index, block in enumerate(blocks):
        if block.kind == "heading" and (block.md_level or 1) <= 2:
            following = next((blocks[k] for k in range(index + 1, len(blocks)) if blocks[k].kind != "blank"), None)
            if following is not None and following.kind == "para" and _LINK_LINE.match(following.text) and _ARXIV.search(following.text):
                starts.append(index)
    if len(starts) < 2:
        return None
    parts: list[tuple[Block | None, Block | None, list[Block]]] = []
    if any(b.kind != "blank" for b in blocks[: starts[0]]):
        parts.append((None, None, blocks[: starts[0]]))
    for k, start in enumerate(starts):
        end = starts[k + 1] if k + 1 < len(starts) else len(blocks)
        body = blocks[start + 1 : end]
        link = next(b for b in body if b.kind != "blank")
        body = [b for b in body if b is not link]
        parts.append((blocks[start], link, body))
    return parts


# ---------------------------------------------------------------------------------------------
# The stage


def asset_folder(rel: str) -> str:
    """Where a note's images go in the site: assets/notes/<hash of the note's path>/."""
    return "n" + hashlib.sha1(rel.encode()).hexdigest()[:10]


def clean_note(raw: RawNote, registry: Registry) -> Note:
    """RawNote -> Note: boilerplate out, metadata in fields, structure rebuilt, digests split."""
    lines = [Line(raw.first_line + k, t.replace("\t", "    ")) for k, t in enumerate(raw.text.split("\n"))]
    # Non-breaking and zero-width spaces from web pages are plain spaces here.
    lines = [Line(l.no, l.text.replace("\u00a0", " ").replace("\u200b", "").rstrip()) for l in lines]
    found = Extracted()
    lines, removed = strip_boilerplate(lines, registry, found)
    lines = extract_sources(lines, registry, found)
    images = Images(raw.root or raw.source_dir, raw.source_dir, asset_folder(raw.rel)) if raw.source_dir else None
    notices = Notices()
    blocks = to_blocks(lines, registry, images, notices)
    note_lang = raw.meta.get("lang") or detect_lang("\n".join(b.text for b in blocks if b.kind in ("para", "item")))
    diagnostics: list[Diagnostic] = [Diagnostic(raw.rel, message, level, line) for line, level, message in (images.refused if images else [])]

    # A single top-level '#' heading at the very start is the note's title, not a section.
    md_titles = [b for b in blocks if b.kind == "heading" and b.md_level == 1]
    first = next((b for b in blocks if b.kind != "blank"), None)
    # Titles are plain text: front matter and blog headers give text, headings give Markdown.
    title = raw.meta.get("title") or found.title
    if len(md_titles) == 1 and first is md_titles[0]:
        if not title:
            title = plain_inline(_heading_title(first))
        blocks = [b for b in blocks if b is not first]

    # Failing that, a short first line standing alone ("Gemma 技术报告阅读笔记", "My notes on the
    # Gemini report") is the title the author gave the post.
    if not title and not md_titles:
        content = [b for b in blocks if b.kind != "blank"]
        if len(content) > 1 and content[0].kind == "para" and _is_short_title(content[0].text, 60):
            index = blocks.index(content[0])
            if index + 1 < len(blocks) and blocks[index + 1].kind == "blank":
                title = plain_inline(content[0].text)
                blocks = blocks[:index] + blocks[index + 1 :]

    used: set[str] = set()
    parts: list[Part] = []
    digest = split_digest(blocks)
    if digest:
        for heading, link, body in digest:
            if heading is None:
                parts.append(Part(anchor=_unique("intro", used), title=None, sections=make_sections(body, note_lang, used, notices=notices), line=body[0].line))
                continue
            link_match = _LINK_LINE.match(link.text)
            url = link_match.group(2)
            arxiv = _ARXIV.search(url)
            paper_title = _heading_title(heading)
            anchor = _unique(slugify(paper_title.split(":")[0], ascii_only=True, max_words=6) or "paper", used)
            sections = make_sections(body, note_lang, used, intro_anchor=anchor, notices=notices)
            parts.append(
                Part(
                    anchor=anchor,
                    title=plain_inline(paper_title),
                    title_lang=_title_lang(paper_title, note_lang),
                    subtitle=plain_inline(polish(link_match.group(1)) if note_lang.startswith("zh") else link_match.group(1)),
                    arxiv=arxiv.group(1) if arxiv else None,
                    url=url,
                    sections=sections,
                    line=heading.line,
                )
            )
    else:
        parts.append(Part(anchor="", title=None, sections=make_sections(blocks, note_lang, used, notices=notices), line=raw.first_line))
    diagnostics += notices.diagnostics(raw.rel)

    if raw.meta.get("source"):
        found.sources.insert(0, Source(raw.meta["source"], "来源"))
    title = " ".join(title.split()) if title else title
    title_inferred = not title
    if not title:
        title = os.path.splitext(os.path.basename(raw.rel))[0]
    return Note(
        id=raw.id,
        rel=raw.rel,
        digest=raw.digest,
        title=title,
        lang=note_lang,
        parts=parts,
        author=raw.meta.get("author") or found.author,
        date=raw.meta.get("date") or found.date,
        sources=found.sources,
        tags=raw.meta.get("tags", []),
        model=raw.meta.get("model"),
        encoding=raw.encoding,
        is_digest=bool(digest),
        removed=removed,
        diagnostics=diagnostics,
        title_inferred=title_inferred,
        assets=[Asset(site, source) for site, source in (images.copies.items() if images else [])],
    )
