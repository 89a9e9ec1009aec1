"""HTML that notekb itself writes into a note's text while reading its format (an admonition's box,
a placeholder for an MDX image): kept aside and stood in for by a token, so that no later step
escapes it as it escapes a note's own HTML, and no note can forge it.

A token is U+FFF9, a number, U+FFFB (the interlinear annotation characters, which read.visible
removes from every note: a note cannot contain one). A line that is only a token is a block of
its own (formats.plain makes it a "trusted" block); a token inside text is put back after the text
is made safe (pipeline.body).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

OPEN, CLOSE = "\ufff9", "\ufffb"
TOKEN = re.compile(f"{OPEN}(\\d+){CLOSE}")


@dataclass
class Trusted:
    """The HTML fragments of one note."""

    fragments: list[str] = field(default_factory=list)
    containers: list[int] = field(default_factory=list)  # +1 for a fragment that opens a box, -1 for one that closes it

    def token(self, html: str, nesting: int = 0) -> str:
        """A token for `html`; `nesting` says whether it opens (+1) or closes (-1) a container."""
        self.fragments.append(html)
        self.containers.append(nesting)
        return f"{OPEN}{len(self.fragments) - 1}{CLOSE}"

    def block(self, text: str) -> int | None:
        """The fragment a line stands for, when the line is one token and nothing else."""
        match = TOKEN.fullmatch(text.strip())
        return int(match.group(1)) if match else None

    def put_back(self, text: str) -> str:
        """Text with its tokens replaced by their HTML."""
        if OPEN not in text:
            return text
        return TOKEN.sub(lambda m: self.fragments[int(m.group(1))], text)
