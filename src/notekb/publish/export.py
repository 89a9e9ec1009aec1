"""Pages as Markdown files for an engine that reads a docs folder (Zensical, or MkDocs without the
plugin): what `notekb export`, `notekb build --engine zensical` and `notekb serve` write.

Three things differ from the Markdown the MkDocs plugin hands MkDocs:

* a front matter `title`: the page's plain title, HTML-escaped. Themes write `page.meta.title` as
  HTML (in <title>, the header, the navigation) and otherwise `page.title | striptags`, which turns
  the entities of a heading such as "&lt;/title&gt;&lt;script&gt;" back into a live script (the
  plugin sets the same meta title for MkDocs);
* the content between two comments (`<!-- notekb:generated -->` or `<!-- notekb:content -->` for a
  hand-written page, then `<!-- /notekb:content -->`), which Markdown engines pass through as they
  are: the step after the build (publish.site) finds each page's content between them, whatever
  the theme put around it;
* Zensical 0.0.73 scans every page for links with a byte-by-byte scanner that, at every `\\[`,
  `\\(` or `$`, looks ahead for a closing delimiter to the end of the page or line, and at every
  character of a run of spaces walks back over the run: a note with thousands of escaped brackets
  (which notekb writes for brackets that pair with nothing) stalled the build for minutes. In
  prose (never in code, tags or link targets) those become character references that render the
  same (`&#91;`, `&#40;`, `&#36;`) and runs of spaces longer than MAX_SPACES are cut, which HTML
  collapses anyway. `tests/publish/test_export.py` checks each hostile shape stays linear.
"""

from __future__ import annotations

import html
import re

import yaml

from notekb.records import Page
from notekb.spans import closes_fence, fence_opener, map_prose

GENERATED = "<!-- notekb:generated -->"
HAND_WRITTEN = "<!-- notekb:content -->"
END = "<!-- /notekb:content -->"
MAX_SPACES = 32

_RISKY = re.compile(r"\\[\[(]|\$|[ \t]{%d,}" % (MAX_SPACES + 1))
_KEPT = frozenset({"fence", "code", "tag", "comment", "autolink", "url", "target"})
_ENTITIES = {"\\[": "&#91;", "\\(": "&#40;", "$": "&#36;"}
_FRONT_MATTER = re.compile(r"\A---[ \t]*\n.*?^(?:---|\.\.\.)[ \t]*$\n?", re.S | re.M)


def meta_title(title: str) -> str:
    """The title a theme may write as HTML: the plain title, whitespace folded, HTML-escaped
    (what publish.sanitize.plain_title gives for the rendered heading)."""
    return html.escape(" ".join(title.split()), quote=True)


def _defuse(prose: str) -> str:
    return _RISKY.sub(lambda m: _ENTITIES.get(m.group(), m.group()[:MAX_SPACES]), prose)


def scanner_safe(markdown: str) -> str:
    """The Markdown with the delimiters that make a link scanner look ahead to the end of the page
    written as character references, in prose only (the same page once rendered).

    Done paragraph by paragraph (no code span, tag or link crosses a blank line; fenced blocks are
    kept whole), and remembered per paragraph: a model page gathers thousands of excerpts, and
    while serving, an edit changes one of them."""
    if not _RISKY.search(markdown):
        return markdown
    return "".join(piece if fenced or _INDENTED.match(piece) else _paragraph(piece) for piece, fenced in _blocks(markdown))


# A paragraph all of whose lines are indented four spaces or more: code to a Markdown engine where
# it follows a blank line (and a list item's continuation otherwise, which kept as written renders
# the same). The cleaned notes fence their code, so this is for what arrives indented anyway.
_INDENTED = re.compile(r"\A(?:(?: {4}|\t)[^\n]*\n?|[ \t]*\n)+\Z")


_DONE: dict[str, str] = {}


def _paragraph(text: str) -> str:
    if not _RISKY.search(text):
        return text
    done = _DONE.get(text)
    if done is None:
        if len(_DONE) > 50_000:
            _DONE.clear()
        done = _DONE[text] = map_prose(text, _defuse, _KEPT)
    return done


_BLANK = re.compile(r"(\n[ \t]*\n)")


def _blocks(markdown: str):
    """(piece, is a fenced code block) in order: fenced blocks whole, the rest cut after blank lines."""
    prose: list[str] = []
    fence: str | None = None
    block: list[str] = []
    for line in markdown.splitlines(keepends=True):
        if fence is None:
            opener = fence_opener(line.rstrip("\n"))
            if opener is None:
                prose.append(line)
                continue
            yield from ((piece, False) for piece in _BLANK.split("".join(prose)) if piece)
            prose, fence, block = [], opener[0], [line]
        else:
            block.append(line)
            if closes_fence(line, fence):
                yield "".join(block), True
                fence, block = None, []
    if block:
        yield "".join(block), True
    yield from ((piece, False) for piece in _BLANK.split("".join(prose)) if piece)


def generated_markdown(page: Page) -> str:
    """A generated page as its Markdown file: title front matter, marked content."""
    front = yaml.safe_dump({"title": meta_title(page.title)}, allow_unicode=True, width=10**6)
    return f"---\n{front}---\n\n{GENERATED}\n\n{scanner_safe(page.markdown).rstrip()}\n\n{END}\n"


def hand_written_markdown(markdown: str) -> str:
    """A hand-written page (docs/) as its Markdown file: as written, its content marked (after its
    own front matter, if any) so that the step after the build can index it."""
    front = _FRONT_MATTER.match(markdown)
    head, body = (markdown[: front.end()], markdown[front.end() :]) if front else ("", markdown)
    return f"{head}{HAND_WRITTEN}\n\n{body.rstrip()}\n\n{END}\n"
