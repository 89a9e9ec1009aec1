"""Blocks -> Markdown: one paragraph per line, nested lists, fenced code, figure placeholders.

Every piece of a note's text goes through formats.markdown's `Notices.safe` here, Chinese text
through typography, and nesting and paragraph length are bounded.
"""

from __future__ import annotations

import html
import re

from notekb.formats.emphasis import balance_emphasis
from notekb.formats.markdown import MAX_LIST_DEPTH, MAX_QUOTE_DEPTH, Notices
from notekb.formats.html import figure_placeholder
from notekb.formats.plain import _SENTENCE_PUNCT, Block
from notekb.pipeline.typography import polish
from notekb.spans import fence_opener
from notekb.text import HAN, UI_LANG, base_lang, detect_lang


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


MIN_MARKED = 24  # characters: a paragraph this long in another language than its section is marked


def paragraph_lang(text: str, section_lang: str) -> str | None:
    """The language of a paragraph when it differs from its section's (an English paragraph in a
    Chinese translation note, a Korean quote), for a `lang` attribute; None when it does not."""
    if len(text) < MIN_MARKED:
        return None
    lang = detect_lang(text, section_lang)
    return lang if base_lang(lang) != base_lang(section_lang) else None


def _marked(markdown: str, lang: str | None) -> str:
    """A paragraph with its language as an attribute list, which every Markdown engine with
    attr_list (Python-Markdown, Zensical) puts on the <p>."""
    return f'{markdown}\n{{: lang="{lang}" }}' if lang else markdown


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
    return f'<div class="nkb-missing-figure" role="note"{UI_LANG} title="{full}">原文此处有 {len(labels)} 张图，未随笔记提供：{names}</div>'


def blocks_to_markdown(blocks: list[Block], lang: str, notices: Notices | None = None) -> str:
    """Markdown for a run of blocks: one paragraph per line, nested lists, fenced code.

    Every piece of the note's text goes through safe_markdown; lists and quotes nested deeper than
    MAX_LIST_DEPTH / MAX_QUOTE_DEPTH are shown at that depth, and paragraphs longer than MAX_INLINE
    are cut; `notices` keeps what was changed."""
    notices = Notices() if notices is None else notices
    capped = notices.capped
    trusted = notices.context.trusted
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
            # Cut before made safe: what starts a new paragraph is then checked as such.
            text = balance_emphasis(notices.safe(notices.split_long(block.text, "\n\n" + "    " * (depth + 1), block.line), block.line))
            line = "    " * depth + f"{marker} " + trusted.put_back(polish(text) if zh else text)
            if last_kind == "item":
                out[-1] += "\n" + line
            else:
                out.append(line)
            last_kind = "item"
            previous = block
            continue
        if block.kind == "para":
            own = paragraph_lang(block.text, lang)
            text = balance_emphasis(notices.safe(notices.split_long(block.text, "\n\n", block.line), block.line))
            if text.startswith("#"):  # "#tag" at a paragraph's start would be a heading to Python-Markdown
                text = "\\" + text
            out.append(_marked(trusted.put_back(_para_markdown(text, zh and own is None or (own or "").startswith("zh"))), own))
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
        elif block.kind == "trusted":
            out.append(trusted.fragments[int(block.text)])
        elif block.kind == "raw":
            text = block.text
            if not fence_opener(text.lstrip().split("\n", 1)[0]):  # code is not read for Markdown
                text = notices.split_long(text, "\n>\n" if text.lstrip().startswith(">") else "\n\n", block.line)
            text = trusted.put_back(_cap_quotes(balance_emphasis(notices.safe(text, block.line)), capped, block.line))
            if previous is not None and previous.kind == "raw" and previous.line + 1 == block.line and block.text.lstrip()[:1] in ("|", ">") and previous.text.lstrip()[:1] == block.text.lstrip()[:1]:
                out[-1] += "\n" + text  # table rows and quote lines stay one block
            else:
                out.append(text)
        previous = block
        last_kind = block.kind
    return "\n\n".join(out)
