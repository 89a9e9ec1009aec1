"""HTML in notes: which tags a note may use, and its HTML re-written as a balanced fragment.

Notes are pasted from blogs by people who are not developers of this project, so their raw HTML is
untrusted. Harmless formatting tags are kept without their attributes; every other tag shows as
text; closing tags close only what is open and everything open is closed at the end, so no note
can change the structure of a page it is shown on.
"""

from __future__ import annotations

import html
import re


# Formatting tags a note may use; they keep no attributes.
SAFE_TAGS = {"b", "i", "em", "strong", "u", "s", "del", "ins", "sub", "sup", "br", "mark", "small", "kbd", "code", "abbr", "q", "cite", "dfn", "var", "samp", "wbr", "hr", "p"}
UNSAFE_SCHEMES = ("javascript:", "vbscript:", "data:", "file:")
VOID_TAGS = {"br", "hr", "wbr", "img"}
MAX_TAG_DEPTH = 8  # HTML from a note nested deeper than this is dropped (no page depends on it)
_TAG_NAME = re.compile(r"</?([A-Za-z][A-Za-z0-9-]*)")


def unsafe_url(url: str) -> bool:
    """javascript:, vbscript:, data: and file: URLs, however they are disguised (entities, spaces)."""
    cleaned = re.sub(r"[\x00-\x20]", "", html.unescape(url)).lower()
    return cleaned.startswith(UNSAFE_SCHEMES)


class _Balancer:
    """Note HTML re-written tag by tag as a balanced fragment: allowed tags without attributes,
    closing tags only for elements that are open, every element closed at the end, and no deeper
    than MAX_TAG_DEPTH. So no note can leave an element open on a page it is shown on."""

    def __init__(self) -> None:
        self.open: list[str] = []
        self.dropped = 0  # opening tags beyond MAX_TAG_DEPTH

    def tag(self, raw: str) -> str:
        name = _TAG_NAME.match(raw).group(1).lower()
        closing = raw.startswith("</")
        if name not in SAFE_TAGS:
            return html.escape(raw, quote=False)  # shown as text
        if name in VOID_TAGS:
            return "" if closing else f"<{name}>"
        if not closing:
            if len(self.open) >= MAX_TAG_DEPTH:
                self.dropped += 1
                return ""
            self.open.append(name)
            return f"<{name}>"
        if name not in self.open:
            return ""  # closes nothing that is open
        out = []
        while self.open:
            top = self.open.pop()
            out.append(f"</{top}>")
            if top == name:
                break
        return "".join(out)

    def close_all(self) -> str:
        closing = "".join(f"</{name}>" for name in reversed(self.open))
        self.open = []
        return closing
