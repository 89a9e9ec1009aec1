"""The small typed records that flow through the pipeline.

They are plain dataclasses so that each stage is a function from data to data and can be tested on
its own: `read` makes a `RawNote`, `clean` turns it into a `Note` of `Part`s and `Section`s, `route`
fills in each part's `Target` and each section's topic, `render` turns everything into `Page`s.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

Level = Literal["error", "warning", "info", "debug"]


@dataclass(frozen=True)
class Diagnostic:
    """A message about one input file, printed as ``file:line: message`` like a compiler would."""

    path: str
    message: str
    level: Level = "warning"
    line: int | None = None

    def __str__(self) -> str:
        where = f"{self.path}:{self.line}" if self.line else self.path
        return f"{where}: {self.message}"


class NoteError(Exception):
    """A note that cannot be read at all (undecodable bytes, binary data, broken front matter)."""

    def __init__(self, diagnostic: Diagnostic):
        super().__init__(str(diagnostic))
        self.diagnostic = diagnostic


@dataclass
class Line:
    """One line of a note's text, with its number in the file (for messages that name the line)."""

    no: int  # 1-based line number in the file
    text: str


@dataclass
class RawNote:
    """A note as read from disk: decoded text (front matter removed) plus its front matter."""

    rel: str  # path relative to the notes folder, POSIX separators: the note's identity
    id: str  # URL-safe id: notes/<id>/
    text: str  # decoded, newlines normalised, front matter removed
    first_line: int  # line number in the file where `text` starts (1-based)
    meta: dict  # validated front matter
    encoding: str
    digest: str  # sha256 of the file's bytes, the cache key
    source_dir: str = ""  # absolute folder of the file, for images next to it
    root: str = ""  # the notes folder: nothing outside it is read (images included)


@dataclass
class Source:
    """Where a note (or part of one) comes from: a blog post, a report, a paper."""

    url: str | None
    label: str = ""
    description: str = ""
    caption: str = ""  # the text the author put above a link card ("제미나이 논문 링크")


@dataclass
class Removal:
    """One piece of boilerplate taken out of a note, kept for the build log."""

    line: int
    rule: str
    text: str


@dataclass
class Section:
    """A heading and the Markdown under it (up to the next heading of any level)."""

    anchor: str  # id on the note's own page
    title: str | None  # heading text as the author wrote it; None for text before any heading
    level: int  # 1 = top level; 0 = text before the first heading
    body: str  # cleaned Markdown
    line: int  # source line of the heading (or of the first line of the body)
    lang: str = "zh-Hans"  # language of the body: zh-Hans, zh-Hant, ko, en
    title_lang: str = "zh-Hans"
    topic: str | None = None  # set by route
    parent: str | None = None  # anchor of the enclosing section, if any
    context: str = ""  # titles of the enclosing sections, outermost first, joined by " › "


@dataclass
class Target:
    """Where a part of a note lands on the site, and why."""

    kind: Literal["model", "family", "paper", "other"]
    id: str  # model id, family id, paper slug, or note id for "other"
    evidence: list[str] = field(default_factory=list)
    members: list[str] = field(default_factory=list)  # for a family: the members the note discusses


@dataclass
class Part:
    """A routing unit: a whole note, or one paper of a digest note."""

    anchor: str  # anchor of the part on the note page ("" for a whole note)
    title: str | None  # for digest parts: the paper's (English) title
    sections: list[Section]
    title_lang: str = "en"
    subtitle: str | None = None  # for digest parts: the translated title
    arxiv: str | None = None
    url: str | None = None
    line: int = 1
    target: Target | None = None  # set by route

    @property
    def text(self) -> str:
        """All the part's text (titles and bodies), for routing and language detection."""
        pieces = [self.title or "", self.subtitle or ""]
        for section in self.sections:
            pieces.append(section.title or "")
            pieces.append(section.body)
        return "\n".join(p for p in pieces if p)


@dataclass
class Note:
    """A cleaned note: metadata recovered from the text, and its parts."""

    id: str
    rel: str
    digest: str
    title: str
    lang: str
    parts: list[Part]
    author: str | None = None
    date: str | None = None  # ISO yyyy-mm-dd
    sources: list[Source] = field(default_factory=list)
    tags: list[str] = field(default_factory=list)
    model: str | None = None  # front matter's model, if any
    encoding: str = "utf-8"
    is_digest: bool = False
    removed: list[Removal] = field(default_factory=list)
    diagnostics: list[Diagnostic] = field(default_factory=list)
    title_inferred: bool = False  # no title in the note; render may name it after its model
    assets: list["Asset"] = field(default_factory=list)  # images next to the note, copied into the site


@dataclass
class Page:
    """One Markdown page of the site, addressed by its path under the docs folder."""

    path: str  # e.g. "models/gemma.md"
    title: str
    markdown: str
    title_lang: str = ""  # the language of its title, when it is a note's own (publish.edition keeps it)


@dataclass
class Asset:
    """A file (an image next to a note) copied into the site as it is."""

    path: str  # destination under the docs folder
    source: str  # absolute path on disk


def page_title(markdown: str, fallback: str) -> str:
    """A hand-written page's title: its first '# ' heading, else its file name."""
    for line in markdown.splitlines():
        if line.startswith("# "):
            return line[2:].strip()
    return fallback
