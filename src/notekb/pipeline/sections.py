"""Blocks -> sections: heading depths from numbers and '#'s, anchors, languages, and digests.

A section is a heading and the Markdown under it; numbered headings nest by their numbers ("5.1.2"
with no "5" before it is top-level). A digest note (many papers in one file) is cut into one part
per paper.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import unquote

from notekb.formats.emphasis import balance_emphasis
from notekb.formats.markdown import Notices
from notekb.formats.plain import Block
from notekb.pipeline.body import blocks_to_markdown
from notekb.pipeline.typography import polish
from notekb.records import Part, Section
from notekb.formats.markdown import retarget
from notekb.text import KANA_RUNS, count_scripts, detect_lang, match_key, slugify


MAX_CONTEXT = 3  # enclosing headings shown before an excerpt's own ("A › B › C")


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


def _unique(anchor: str, used: dict[str, int]) -> str:
    """The anchor, or anchor-2, anchor-3, … when it is taken. `used` maps every anchor given out
    to the next number to try after it, so a note of a thousand equal headings costs no search."""
    anchor = anchor or "section"
    if anchor not in used:
        used[anchor] = 2
        return anchor
    k = used[anchor]
    while f"{anchor}-{k}" in used:
        k += 1
    used[anchor] = k + 1
    candidate = f"{anchor}-{k}"
    used[candidate] = 2
    return candidate


def _title_lang(title: str, body_lang: str) -> str:
    """Titles are short: any Hangul makes them Korean, any Han character Chinese, else English."""
    han, hangul, latin = count_scripts(title)
    if hangul:
        return "ko"
    if han and KANA_RUNS.search(title):
        return "ja"
    if han:
        return body_lang if body_lang.startswith("zh") else detect_lang(title, "zh-Hans")
    return "en" if latin else body_lang


def make_sections(blocks: list[Block], default_lang: str, used: dict[str, int], intro_anchor: str | None = None, notices: Notices | None = None) -> list[Section]:
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
                context=" › ".join(p.title or "" for p in parents[-MAX_CONTEXT:]),
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


@dataclass
class Paper:
    """One paper of a digest: its heading, the link line under it (if any) and its blocks."""

    heading: Block | None  # None for a run of the note that names no paper (its intro)
    blocks: list[Block]
    link: Block | None = None
    url: str | None = None
    arxiv: str | None = None
    subtitle: str | None = None


_ARXIV_ID = re.compile(r"(?<![\d.])(\d{4}\.\d{4,5})(?:v\d+)?(?![\d])")
_ENGLISH_TITLE = re.compile(r"^[A-Z0-9][\w\-’'&,.+/ ]{0,60}:\s+[A-Z][\w\-’'&,.:+/ ]+$")  # "Name: What It Does"


def names_paper(heading: Block, following: Block | None, registry, note_lang: str) -> tuple[str, str | None, str | None] | None:
    """(the paper's key, arXiv id, URL) when a heading names a paper: an arXiv id in it or in a
    link line under it, a report or reference title of the registry, or (in a note not written in
    English) an English title line such as "Gemma: Open Models Based on …"."""
    title = _heading_title(heading)
    link = _LINK_LINE.match(following.text) if following is not None and following.kind == "para" else None
    for text in (title, link.group(2) if link else ""):
        found = _ARXIV_ID.search(text)
        if found:
            return found.group(1), found.group(1), link.group(2) if link else f"https://arxiv.org/abs/{found.group(1)}"
    model = registry.model_for_title(title) or registry.model_for_title(title.split(":")[0])
    ref = registry.reference_for_title(title)
    if model is not None and model.arxiv:
        return model.arxiv, model.arxiv, model.report_url
    if ref is not None:
        return ref.id, ref.url.rsplit("/", 1)[-1] if ref.url and "arxiv.org" in ref.url else None, ref.url
    if not note_lang.startswith("en") and heading.number is None and len(title.split()) >= 4 and title.isascii() and _ENGLISH_TITLE.match(title):
        return match_key(title), None, link.group(2) if link else None
    return None


def split_digest(blocks: list[Block], registry=None, note_lang: str = "zh-Hans") -> list[Paper] | None:
    """A digest is several papers in one file: most of its top headings each name a different
    paper (see names_paper). Returns the papers (a run that names none, like the intro, with
    heading None), or None when the note is not a digest."""
    headings = [k for k, b in enumerate(blocks) if b.kind == "heading" and (b.md_level or 1) <= 2]
    if len(headings) < 2:
        return None
    top = min((blocks[k].md_level or 1) for k in headings)
    tops = [k for k in headings if (blocks[k].md_level or 1) == top]

    def following(index: int) -> Block | None:
        return next((blocks[k] for k in range(index + 1, len(blocks)) if blocks[k].kind != "blank"), None)

    named = {}
    for k in tops:
        after = following(k)
        if registry is None:  # the old rule alone: a link line to arXiv under the heading
            ok = after is not None and after.kind == "para" and _LINK_LINE.match(after.text) and _ARXIV.search(after.text)
            found = (_ARXIV.search(after.text).group(1), _ARXIV.search(after.text).group(1), _LINK_LINE.match(after.text).group(2)) if ok else None
        else:
            found = names_paper(blocks[k], after, registry, note_lang)
        if found:
            named[k] = found
    if len(named) < 2 or len({key for key, _, _ in named.values()}) < 2 or len(named) * 5 < len(tops) * 3:
        return None
    papers: list[Paper] = []
    starts = sorted(set(tops) | {0})
    for n, start in enumerate(starts):
        end = starts[n + 1] if n + 1 < len(starts) else len(blocks)
        run = blocks[start:end]
        if start not in named:
            if any(b.kind != "blank" for b in run):
                papers.append(Paper(None, run))
            continue
        _, arxiv, url = named[start]
        body = blocks[start + 1 : end]
        link_block = following(start)
        link = _LINK_LINE.match(link_block.text) if link_block is not None and link_block.kind == "para" else None
        if link is not None:
            body = [b for b in body if b is not link_block]
        papers.append(Paper(blocks[start], body, link_block if link else None, url, arxiv, link.group(1) if link else None))
    return papers


def heading_keys(title: str) -> set[str]:
    """The anchors other tools would have given a heading (GitHub, Python-Markdown, Hugo), with
    and without its number, as match keys: a note's table of contents links to those."""
    from notekb.formats.markdown import plain_inline

    text = plain_inline(title)
    bare = re.sub(r"^\d+(?:\.\d+)*\.?\s+", "", text)
    keys = set()
    for version in {text, bare}:
        lowered = version.strip().lower()
        keys.add(match_key(lowered))
        keys.add(match_key(re.sub(r"[^\w\- ]", "", lowered).replace(" ", "-")))
        keys.add(match_key(re.sub(r"[-\s]+", "-", re.sub(r"[^\w\s-]", "", lowered)).strip("-")))
    keys.discard("")
    return keys


def retarget_anchors(parts: list[Part]) -> None:
    """Links to headings of the note itself (a table of contents: `[1.1 模型架构](#11-模型架构)`,
    an Obsidian `[[#heading]]`) follow the headings to the anchors cleaning gave them, as
    `nkb:note/.#anchor` (render points it at the note's page from wherever the section is shown);
    a link to no heading of the note becomes text."""
    anchors: dict[str, str] = {}
    for part in parts:
        if part.title:
            for key in heading_keys(part.title):
                anchors.setdefault(key, part.anchor)
        for section in part.sections:
            anchors.setdefault(match_key(section.anchor), section.anchor)
            if section.title:
                for key in heading_keys(section.title):
                    anchors.setdefault(key, section.anchor)

    def follow(target: str) -> str | None:
        fragment = unquote(target.split("#", 1)[1]) if "#" in target else ""
        anchor = anchors.get(match_key(fragment.lower()))
        return f"nkb:note/.#{anchor}" if anchor else None

    for part in parts:
        for section in part.sections:
            section.body = retarget(section.body, ("#", "nkb:note/.#"), follow)