"""MDX, as docs sites (Docusaurus, Nextra, Astro/Starlight) write it: Markdown with ESM `import` and
`export` statements, JSX components and `{expressions}`.

* `import` / `export` statements (on one line or several) are removed; an image imported as
  `import shot from './shot.png'` names the placeholder of the component that shows it.
* Image components (`<Image>`, `<Screenshot>`, `<img src={…}>`, …) become the named missing-figure
  placeholder; callouts (`<Callout type="tip">`) become admonitions; `<Details>` a collapsible
  box; tabs and steps keep their content, one after the other, each tab under its label; any other
  component is unwrapped (its content stays, its tags go). Which is which is data (formats.yml).
* `{expressions}` and `{/* comments */}` never show.

Components that stand on lines of their own become blocks (formats.trusted); inside a line of
text they are unwrapped or, for an image, a placeholder in the text.
"""

from __future__ import annotations

import re
from bisect import bisect_right

from notekb.formats.admonitions import close_box, open_box
from notekb.formats.html import figure_placeholder, html_text
from notekb.formats.trusted import Trusted
from notekb.records import Line
from notekb.registry import Formats
from notekb.spans import closes_fence, fence_opener, scan

_ESM = re.compile(r"^(?:import|export)\b")
_IMPORT_BINDING = re.compile(r"""^import\s+(\w+)\s+from\s+['"]([^'"]+)['"]""")
_STATEMENT_END = re.compile(r"""(?:from\s+['"][^'"]*['"]|['"][^'"]*['"])\s*;?\s*$|;\s*$""")
_TAG_START = re.compile(r"<(/?)([A-Za-z][\w.-]*)")
_START = re.compile(r"\{|<(?=/?[A-Za-z])")
_ATTR_NAME = re.compile(r"\s*([A-Za-z_:][\w:.-]*)")
MAX_STATEMENT = 60  # lines of one import/export
MAX_TAG = 4000  # characters of one component's tag
PROTECTED = frozenset({"fence", "code", "math", "url", "autolink", "comment"})


def looks_like_mdx(lines: list[Line]) -> bool:
    """A note that is MDX whatever its name: ESM imports at the top, or capitalised components."""
    head = [line.text for line in lines[:40] if line.text.strip()]
    if any(_IMPORT_BINDING.match(text) or text.startswith("import {") for text in head[:10]):
        return True
    return sum(1 for line in lines if re.match(r"\s*</?[A-Z][\w.]*[\s/>]", line.text)) >= 2


def from_mdx(lines: list[Line], trusted: Trusted, formats: Formats) -> list[Line]:
    """The note's lines without ESM statements, components as Markdown and boxes, no expressions."""
    lines, imports = _without_esm(lines)
    if not lines:
        return lines
    text = "\n".join(line.text for line in lines)
    edits = _components(text, trusted, formats, imports)
    # Apply the edits, remembering where each piece of the new text came from, so that every new
    # line keeps the number of the line it came from.
    starts, pos = [], 0
    for line in lines:
        starts.append(pos)
        pos += len(line.text) + 1
    out: list[str] = []
    origins: list[tuple[int, int]] = []  # (position in the new text, position in the old text)
    length = last = 0
    for start, end, replacement in sorted(edits):
        if start < last:
            continue
        for piece, origin in ((text[last:start], last), (replacement, start)):
            origins.append((length, origin))
            out.append(piece)
            length += len(piece)
        last = end
    origins.append((length, last))
    out.append(text[last:])
    numbered, pos, k = [], 0, 0
    for piece in "".join(out).split("\n"):
        while k + 1 < len(origins) and origins[k + 1][0] <= pos:
            k += 1
        new_at, old_at = origins[k]
        old = old_at + (pos - new_at if k % 2 == 0 else 0)  # inside an edit: where the edit began
        numbered.append(Line(lines[bisect_right(starts, old) - 1].no, piece))
        pos += len(piece) + 1
    return numbered


def _without_esm(lines: list[Line]) -> tuple[list[Line], dict[str, str]]:
    """Lines without import/export statements (outside code), and {imported name: file}."""
    out: list[Line] = []
    imports: dict[str, str] = {}
    fence = ""
    i = 0
    while i < len(lines):
        text = lines[i].text
        if fence:
            fence = "" if closes_fence(text, fence) else fence
        elif opener := fence_opener(text):
            fence = opener[0]
        elif _ESM.match(text):
            j = i
            depth = 0
            while j < len(lines) and j - i < MAX_STATEMENT:
                current = lines[j].text
                depth += current.count("{") + current.count("(") + current.count("[") - current.count("}") - current.count(")") - current.count("]")
                if depth <= 0 and (_STATEMENT_END.search(current) or j > i and not current.strip() or current.rstrip().endswith(("}", ")"))):
                    break
                j += 1
            statement = " ".join(lines[k].text.strip() for k in range(i, min(j + 1, len(lines))))
            binding = _IMPORT_BINDING.match(statement)
            if binding:
                imports[binding.group(1)] = binding.group(2)
            i = j + 1
            continue
        out.append(lines[i])
        i += 1
    return out, imports


class _Text:
    """The note's text with tables that keep every look-up cheap: matching braces (found once,
    outside code and math) and where each line's text begins and ends."""

    def __init__(self, text: str, protected: list[tuple[int, int]]) -> None:
        self.text = text
        self.braces: dict[int, int] = {}
        stack: list[int] = []
        k = 0
        for match in re.finditer(r"[{}]", text):
            at = match.start()
            while k < len(protected) and protected[k][1] <= at:
                k += 1
            if k < len(protected) and protected[k][0] <= at:
                continue
            if match.group() == "{":
                stack.append(at)
            elif stack:
                self.braces[stack.pop()] = at + 1
        self.line_starts: list[int] = []
        self.first: list[int] = []  # per line: where its text begins (after indentation)
        self.last: list[int] = []  # per line: where its text ends (before trailing spaces)
        pos = 0
        for line in text.split("\n"):
            self.line_starts.append(pos)
            self.first.append(pos + len(line) - len(line.lstrip()))
            self.last.append(pos + len(line.rstrip()))
            pos += len(line) + 1

    def expression_end(self, pos: int) -> int:
        """The end of the {…} expression that starts at pos, or -1."""
        end = self.braces.get(pos, -1)
        return end if end - pos <= MAX_TAG else -1

    def alone(self, start: int, end: int) -> bool:
        """Whether text[start:end] stands on lines of its own."""
        first_line = bisect_right(self.line_starts, start) - 1
        last_line = bisect_right(self.line_starts, max(start, end - 1)) - 1
        return self.first[first_line] == start and self.last[last_line] == end


def _tag_end(doc: _Text, pos: int) -> tuple[int, dict[str, str], bool] | int:
    """The end of a JSX tag whose name ends at `pos`: (end, attributes, self-closing), reading
    string and {expression} values; or, where it does not close, the position the reading stopped
    at (nothing before it can start a tag that this reading has not seen)."""
    text = doc.text
    attrs: dict[str, str] = {}
    limit = min(len(text), pos + MAX_TAG)
    while pos < limit:
        while pos < limit and text[pos] in " \t\n":
            pos += 1
        if text.startswith("/>", pos):
            return pos + 2, attrs, True
        if text.startswith(">", pos):
            return pos + 1, attrs, False
        if text.startswith("{", pos):  # {...props}
            end = doc.expression_end(pos)
            if end < 0:
                return pos + 1
            pos = end
            continue
        name = _ATTR_NAME.match(text, pos, limit)
        if name is None:
            return max(pos, 1)
        pos = name.end()
        value = "true"
        if text.startswith("=", pos):
            pos += 1
            if text[pos : pos + 1] in ("'", '"'):
                end = text.find(text[pos], pos + 1, limit)
                if end < 0:
                    return pos
                value, pos = text[pos + 1 : end], end + 1
            elif text.startswith("{", pos):
                end = doc.expression_end(pos)
                if end < 0:
                    return pos
                value, pos = text[pos:end], end
            else:
                return pos
        attrs[name.group(1)] = value
    return pos


def _components(text: str, trusted: Trusted, formats: Formats, imports: dict[str, str]) -> list[tuple[int, int, str]]:
    """Edits that replace the text's JSX components (see the module's docstring) and remove its
    expressions."""
    protected = [(s.start, s.end) for s in scan(text).spans if s.kind in PROTECTED]
    doc = _Text(text, protected)
    edits: list[tuple[int, int, str]] = []
    open_tags: list[tuple[str, str]] = []  # (component, what its closing tag becomes)
    k = 0
    pos = 0
    for match in _START.finditer(text):
        nxt = match.start()
        if nxt < pos:
            continue
        while k < len(protected) and protected[k][1] <= nxt:
            k += 1
        if k < len(protected) and protected[k][0] <= nxt:
            pos = protected[k][1]
            continue
        if match.group() == "{":
            end = doc.expression_end(nxt)
            if end > 0:
                edits.append((nxt, end, ""))
                pos = end
            continue
        tag = _TAG_START.match(text, nxt)
        if tag is None:
            continue
        closing, name = tag.group(1) == "/", tag.group(2)
        parsed = _tag_end(doc, tag.end())
        if isinstance(parsed, int):
            pos = max(pos, parsed)
            continue
        end, attrs, self_closing = parsed
        component = name[:1].isupper() or "." in name or name in formats.mdx_images and any(v.startswith("{") for v in attrs.values())
        if not component:
            continue
        edits.append((nxt, end, _replacement(name, closing, self_closing, attrs, doc.alone(nxt, end), trusted, formats, imports, open_tags)))
        pos = end
    return edits


def _replacement(name, closing, self_closing, attrs, alone, trusted: Trusted, formats: Formats, imports, open_tags) -> str:
    base = name.split(".")[-1]
    if base in formats.mdx_images:
        if closing:
            return ""
        src = _value(attrs.get("src", ""), imports)
        label = _value(attrs.get("alt", ""), imports) or src.rsplit("/", 1)[-1] or base
        placeholder = figure_placeholder(src or label, inline=not alone, name=label)
        return f"\n{trusted.token(placeholder)}\n" if alone else trusted.token(placeholder)
    if not alone or self_closing and not closing:
        return ""  # unwrapped: the content stays
    if closing:
        while open_tags:
            component, close = open_tags.pop()
            if component == name:
                return f"\n\n{trusted.token(close, -1)}\n\n" if close else ""
        return ""
    opening, close = _box(base, attrs, formats)
    open_tags.append((name, close))
    return f"\n\n{trusted.token(opening, 1)}\n\n" if opening else ""


def _box(base: str, attrs: dict[str, str], formats: Formats) -> tuple[str, str]:
    """(opening HTML, closing HTML) of a container component; ("", "") to unwrap it."""
    title = _value(attrs.get("title", ""), {}) or _value(attrs.get("label", ""), {})
    if base in formats.mdx_admonitions:
        kind = _value(attrs.get("type", ""), {}) or _value(attrs.get("variant", ""), {}) or formats.mdx_admonitions[base]
        return open_box(kind, title, formats), close_box()
    if base in formats.mdx_details:
        summary = _value(attrs.get("summary", ""), {}) or title
        return open_box("note", summary, formats, "-", "详情"), close_box("-")
    if base in formats.mdx_tabs and title:
        return f'<div class="nkb-tab" markdown="1">\n<p class="nkb-tab-label">{html_text(title)}</p>', "</div>"
    if base in formats.mdx_steps:
        return '<div class="nkb-steps" markdown="1">', "</div>"
    return "", ""


def _value(raw: str, imports: dict[str, str]) -> str:
    """An attribute's value as text: a string, a {"string"}, or an {importedName} -> its file."""
    raw = raw.strip()
    if raw.startswith("{") and raw.endswith("}"):
        inner = raw[1:-1].strip()
        if inner[:1] in ("'", '"', "`") and inner[-1:] == inner[:1]:
            return inner[1:-1]
        name = inner.split(".")[0]
        return imports.get(name, "")
    return "" if raw == "true" else raw
