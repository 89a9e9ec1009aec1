"""Blocks -> Markdown: one paragraph per line, nested lists, fenced code, figure placeholders.

Every piece of a note's text goes through formats.markdown's `Notices.safe` here, Chinese text
through typography, and nesting and paragraph length are bounded.
"""

from __future__ import annotations

import html
import re

from notekb.formats.emphasis import balance_emphasis
from notekb.formats.markdown import MAX_LIST_DEPTH, MAX_QUOTE_DEPTH, Notices
from notekb.formats.plain import _SENTENCE_PUNCT, Block, figure_placeholder
from notekb.pipeline.typography import polish
from notekb.spans import fence_opener
from notekb.text import HAN


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


def figures_placeholder(labels: list[str]) -> str:
    """One stand-in for several figures the author did not paste, one after the other."""
    if len(labels) == 1:
        return figure_placeholder(labels[0])
    names = "、".join(f"<code>{html.escape(label.rsplit('/', 1)[-1], quote=False)}</code>" for label in labels)
    full = html.escape(" · ".join(labels))
    return f'<div class="nkb-missing-figure" role="note" title="{full}">原文此处有 {len(labels)} 张图，未随笔记提供：{names}</div>'


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
    figures: list[str] = []  # the run of missing figures the last placeholder names
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
            text = balance_emphasis(notices.safe(block.text, block.line))
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
            out.append(notices.split_long(_para_markdown(balance_emphasis(notices.safe(block.text, block.line)), zh), "\n\n", block.line))
        elif block.kind == "code":
            fence = _code_fence(block.text)
            out.append(f"{fence}{block.lang or ''}\n{block.text}\n{fence}")
        elif block.kind == "figure":
            if last_kind == "figure":  # figures one after the other: one line naming them all
                figures.append(block.text)
                out[-1] = figures_placeholder(figures)
            else:
                figures = [block.text]
                out.append(figure_placeholder(block.text))
        elif block.kind == "raw":
            text = _cap_quotes(balance_emphasis(notices.safe(block.text, block.line)), capped, block.line)
            if not fence_opener(block.text.lstrip().split("\n", 1)[0]):  # code is not read for Markdown
                text = notices.split_long(text, "\n>\n" if text.startswith(">") else "\n\n", block.line)
            if previous is not None and previous.kind == "raw" and previous.line + 1 == block.line and block.text.lstrip()[:1] in ("|", ">") and previous.text.lstrip()[:1] == block.text.lstrip()[:1]:
                out[-1] += "\n" + text  # table rows and quote lines stay one block
            else:
                out.append(text)
        previous = block
        last_kind = block.kind
    return "\n\n".join(out)
