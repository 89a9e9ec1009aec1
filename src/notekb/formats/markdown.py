"""Note Markdown made safe for any engine, fast to render, and read back as plain text.

`safe_markdown` is applied to every piece of every note's text in clean, so that the pages notekb
writes (for MkDocs or any other engine) are safe before any sanitizer runs; `split_long` and the
depth limits keep Python-Markdown from quadratic or recursive work; `Notices` counts what had to
change, for the build log and `notekb check`.
"""

from __future__ import annotations

import html
import re
from bisect import bisect_right
from collections import Counter
from dataclasses import dataclass, field

from notekb.formats.html import MAX_TAG_DEPTH, Balancer, Context, html_text, unsafe_url
from notekb.formats.math import math_html
from notekb.records import Diagnostic
from notekb.spans import ALL_KINDS, Span, apply_edits, regions, scan


# A reference definition wherever an engine might read one (in a quote, a list item, after a cut):
# the label holds no bracket, so a search from each "[" stops at the next.
_REF_DEF = re.compile(r"(\[[^\[\]\n]+\]:[ \t]*)<?([^\s>]+)>?")
_STRAY_ESCAPES = {"lt": "&lt;", "paren": "\\(", "bracket": None, "backticks": None, "emphasis": None}


def _escape_stray(piece: str, what: str) -> str:
    """A delimiter nothing pairs with, written so that it shows as itself (see spans.scan)."""
    fixed = _STRAY_ESCAPES.get(what)
    if fixed:
        return fixed
    return "".join("\\" + ch if ch in "[]`*_" else ch for ch in piece)


def safe_markdown(text: str, stray: Counter | None = None, context: Context | None = None) -> str:
    """Note Markdown as it may be placed on a page.

    * Code (fenced or inline), math, URLs and escapes are kept as written.
    * HTML is written again by formats.html.Balancer: harmless tags with the attributes they may
      have, balanced; any other tag (script, iframe, object, embed, style, form, ...) is shown as
      text; comments are dropped.
    * Links with javascript:, vbscript:, data: or file: URLs lose their URL; so do autolinks and
      reference definitions. A relative link (a file of the note's original site) points into that
      site when the note says where it was first published, and is text otherwise.
    * Images: one beside the note is published (`context.place_image`); any other (a file not
      here, an image on another site) is a placeholder that names it.
    * Attribute lists ({: onclick=...}) are shown as text.
    * Delimiters that pair with nothing (an unmatched bracket, a lone run of backticks, a "<" that
      starts no tag, a run of more than three "*") are escaped: they show as the characters they
      are, and no Markdown engine searches or recurses over them.

    Linear in the length of the text whatever it contains (spans.scan). `stray` counts the
    delimiters escaped, by kind."""
    found = scan(text)
    context = context or Context()
    edits: list[tuple[int, int, str]] = []
    balancer = Balancer(context)
    labels = {s.end: s for s in found.spans if s.kind == "label"}
    for start, end, span in regions(found.spans, ALL_KINDS - {"label"}):
        piece = text[start:end]
        if span.kind == "target" and start in labels:
            edits += _link_edits(text, labels[start], span, context)
        elif span.kind == "tag":
            edits.append((start, end, balancer.tag(piece)))
        elif span.kind == "comment":
            edits.append((start, end, ""))
        elif span.kind == "autolink":
            url = piece[1:-1]
            if unsafe_url(url) or not (url.lower().startswith(("http:", "https:", "mailto:")) or "@" in url and ":" not in url):
                edits.append((start, end, "&lt;" + piece[1:]))
        elif span.kind == "attrs":
            edits.append((start, start + 1, "\\{"))
        elif span.kind == "escape" and piece[1] in "<&":  # not escapes for Python-Markdown
            edits.append((start, end, html.escape(piece[1])))
    edits += [(start, end, _escape_stray(text[start:end], what)) for start, end, what in found.stray]
    if stray is not None:  # characters escaped, by kind
        for start, end, what in found.stray:
            stray[what] += end - start
    joined = apply_edits(text, edits) + balancer.close_all()
    if stray is not None and balancer.dropped:
        stray["nesting"] += balancer.dropped
    if "]:" in joined:
        joined = _REF_DEF.sub(lambda m: f"{m.group(1)}#" if unsafe_url(m.group(2)) else m.group(0), joined)
    return joined


neutralize_markdown = safe_markdown  # the name used before; kept for one release

def retarget(markdown: str, prefixes: tuple[str, ...], new_target) -> str:
    """Every link whose target starts with one of `prefixes` given `new_target(target)` instead,
    or, where that is None, made text (its label stays)."""
    if not any(p in markdown for p in prefixes):
        return markdown
    found = scan(markdown).spans
    labels = {s.end: s for s in found if s.kind == "label" and not s.image}
    edits = []
    for span in found:
        if span.kind != "target" or span.start not in labels:
            continue
        target = markdown[span.start + 1 : span.end - 1].strip()
        if not target.startswith(prefixes):
            continue
        new = new_target(target)
        if new is None:
            label = labels[span.start]
            edits += [(label.start, label.start + 1, ""), (label.end - 1, span.end, "")]
        elif new != target:
            edits.append((span.start, span.end, f"({new})"))
    return apply_edits(markdown, edits)


_FINAL_KINDS = frozenset({"math", "code", "fence"})


def finalize(markdown: str) -> str:
    """The last step over a section's Markdown, once typography and linking have read it (they
    leave math and code alone): math becomes MathML (formats.math), and inline code that holds
    "<" or "&" becomes a <code> element with its text escaped. A Markdown engine sees neither
    as markup then; left as they were, the engine's HTML reader (md_in_html) would take a
    `</div>` in `$…$` or in `…` for a tag that closes the page's own elements."""
    if "$" not in markdown and "\\" not in markdown and "`" not in markdown:
        return markdown
    edits: list[tuple[int, int, str]] = []
    for start, end, span in regions(scan(markdown).spans, _FINAL_KINDS):
        piece = markdown[start:end]
        if span.kind == "math":
            before = markdown.rfind("\n\n", 0, start)
            after = markdown.find("\n\n", end)
            alone = not markdown[before + 1 if before >= 0 else 0 : start].strip() and not markdown[end : after if after >= 0 else len(markdown)].strip()
            edits.append((start, end, math_html(piece, alone)))
        elif span.kind == "code" and ("<" in piece or "&" in piece):
            ticks = len(piece) - len(piece.lstrip("`"))
            content = piece[ticks:-ticks]
            if len(content) > 2 and content.startswith(" ") and content.endswith(" "):
                content = content[1:-1]
            edits.append((start, end, f"<code>{html_text(content)}</code>"))
    return apply_edits(markdown, edits)


_TITLE = re.compile(r"""\s+(?:"[^"]*"|'[^']*'|\([^()]*\))\s*$""")


def _link_edits(text: str, label: Span, target: Span, context: Context) -> list[tuple[int, int, str]]:
    """Edits for one [label](target) or ![alt](src): see safe_markdown."""
    inner = text[target.start + 1 : target.end - 1].strip()
    inner = _TITLE.sub("", inner).strip().removeprefix("<").removesuffix(">")
    if label.image:
        placed = context.image_target(inner)
        if placed == inner:
            return []
        if placed is not None:
            return [(target.start, target.end, f"({placed})")]
        alt = html.unescape(text[label.start + 2 : label.end - 1])
        whole = not text[: label.start].strip() and not text[target.end :].strip()
        return [(label.start, target.end, context.missing(inner, alt, inline=not whole))]
    url = context.link(inner)
    if url is None:  # the label stays, as text
        return [(label.start, label.start + 1, ""), (label.end - 1, target.end, "")]
    if url != inner:
        return [(target.start, target.end, f"({url})")]
    return []
MAX_INLINE = 16_000  # characters of one paragraph (see split_long)
_BREAKABLE = re.compile(r"[ \t]+|(?<=[。！？；，、.!?;,])")


def split_long(markdown: str, joiner: str = "\n\n", limit: int = MAX_INLINE) -> str:
    """A paragraph longer than `limit` characters cut into several, between words (or anywhere
    outside code, links and tags when it has no spaces).

    Python-Markdown copies a paragraph's whole text for every inline element it finds in it, so
    a paragraph of a megabyte of escapes or entities costs it minutes; no one writes a paragraph
    of 16,000 characters. `joiner` starts the next paragraph ("\n>\n" in a quote, "\n\n" and
    the indentation in a list item)."""
    if len(markdown) <= limit:
        return markdown
    keep = [(a, b) for a, b, _ in regions(scan(markdown).spans)]
    candidates = []
    k = 0
    for match in _BREAKABLE.finditer(markdown):
        at = match.end()
        while k < len(keep) and keep[k][1] <= at:
            k += 1
        if not (k < len(keep) and keep[k][0] < at):
            candidates.append(at)
    cuts = []
    start = 0
    k = 0
    while len(markdown) - start > limit:
        index = bisect_right(candidates, start + limit) - 1
        if index >= 0 and candidates[index] > start + limit // 2:
            cut = candidates[index]
        else:  # no space near: cut at the limit, after any protected piece that spans it
            cut = start + limit
            while k < len(keep) and keep[k][1] <= cut:
                k += 1
            if k < len(keep) and keep[k][0] < cut:
                cut = keep[k][1]
            amp = markdown.rfind("&", cut - 10, cut)
            if amp > start and ";" not in markdown[amp:cut]:
                cut = amp  # not inside an entity
        if cut >= len(markdown):
            break
        cuts.append(cut)
        start = cut
    out, last = [], 0
    for cut in cuts:
        out.append(markdown[last:cut].rstrip())
        last = cut
    out.append(markdown[last:])
    return joiner.join(piece for piece in out if piece)


def plain_inline(markdown: str) -> str:
    """The text a reader sees of a line of note Markdown (a heading, a title): no tags, no
    emphasis markers, no link targets, entities and escapes resolved. Titles are plain text
    everywhere they are used; where they go into Markdown, `md_escape` writes them."""
    found = scan(markdown)
    edits: list[tuple[int, int, str]] = []
    for span in found.spans:
        piece = markdown[span.start : span.end]
        if span.kind == "label":
            edits.append((span.start, span.start + (2 if span.image else 1), ""))
            edits.append((span.end - 1, span.end, ""))
        elif span.kind == "code":
            edits.append((span.start, span.end, piece.strip("`").strip()))
        elif span.kind == "escape":
            edits.append((span.start, span.end, piece[1]))
        elif span.kind in ("tag", "comment", "target", "attrs"):
            edits.append((span.start, span.end, ""))
    protected = [(s.start, s.end) for s in found.spans if s.kind in ("code", "math", "url", "escape", "fence")]
    k = 0
    for match in _EMPHASIS.finditer(markdown):
        while k < len(protected) and protected[k][1] <= match.start():
            k += 1
        if k < len(protected) and protected[k][0] <= match.start():
            continue
        edits.append((match.start(), match.end(), ""))
    return " ".join(html.unescape(apply_edits(markdown, edits)).split())


_EMPHASIS = re.compile(r"\*+|(?<![A-Za-z0-9])_+|_+(?![A-Za-z0-9])")


@dataclass
class Notices:
    """What cleaning had to change in a note's Markdown so that every engine shows it safely and
    fast; clean_note reports it (`notekb check` and the build name the line)."""

    capped: list[int] = field(default_factory=list)  # lines where lists or quotes nested too deep
    split: list[tuple[int, int]] = field(default_factory=list)  # (line, characters) of over-long paragraphs
    stray: Counter = field(default_factory=Counter)  # characters of delimiters that pair with nothing, by kind
    stray_line: int | None = None
    unclosed_fence: int | None = None  # line of a code fence that is never closed
    context: Context = field(default_factory=Context)  # the note's images and original address

    def safe(self, text: str, line: int) -> str:
        """safe_markdown, counting the delimiters it had to escape."""
        before = sum(self.stray.values())
        self.context.line = line
        out = safe_markdown(text, self.stray, self.context)
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
