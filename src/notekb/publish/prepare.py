"""A rendered page as it is published: sanitized (generated pages) and cut into search sections.

The same for every engine; the MkDocs plugin runs it on the helper processes for a large site
(mkdocs.helpers).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from notekb.publish.sanitize import sanitize_html
from notekb.search.index import Doc, page_docs
from notekb.search.worker import doc_key


@dataclass
class Prepared:
    """A page's HTML as it is published, and its search sections with their keys."""

    html: str
    docs: list[Doc] = field(default_factory=list)
    keys: list[str] = field(default_factory=list)


def prepare(html: str, url: str, title: str, sanitize: bool, index: bool) -> Prepared:
    """Sanitize a generated page (defence in depth: whatever a note smuggled through Markdown does
    not run) and cut it into search sections."""
    clean = sanitize_html(html) if sanitize else html
    docs = page_docs(clean, url, title) if index else []
    return Prepared(clean, docs, [doc_key(d) for d in docs])
