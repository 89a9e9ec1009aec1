"""Blocks -> sections: heading depths from numbers and '#'s, anchors, languages, and digests.

A section is a heading and the Markdown under it; numbered headings nest by their numbers ("5.1.2"
with no "5" before it is top-level). A digest note (many papers in one file) is cut into one part
per paper.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from notekb.formats.emphasis import balance_emphasis
from notekb.formats.markdown import Notices
from notekb.formats.plain import Block
from notekb.pipeline.body import blocks_to_markdown
from notekb.pipeline.typography import polish
from notekb.records import Section
from notekb.text import count_scripts, detect_lang, slugify


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
        title = balance_emphasis(notices.safe(_heading_title(current), current.line)) if current else None
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
