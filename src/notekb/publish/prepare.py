"""A rendered page as it is published: sanitized (generated pages), cut into search sections, and
with the Traditional edition on, converted (publish.edition).

The same for every engine; the MkDocs plugin runs it on the helper processes for a large site
(mkdocs.helpers), so that the conversion, the costly part of the edition, runs there too.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from notekb.publish.edition import convert_page, select_edition, shared_converter
from notekb.publish.sanitize import sanitize_html
from notekb.search.index import Doc, page_docs
from notekb.search.worker import doc_key


@dataclass
class Prepared:
    """A page's HTML as it is published, its search sections with their keys, and the same for
    the Traditional edition (None when the edition is off)."""

    html: str
    docs: list[Doc] = field(default_factory=list)
    keys: list[str] = field(default_factory=list)
    edition_html: str | None = None
    edition_docs: list[Doc] = field(default_factory=list)


def prepare(html: str, url: str, title: str, sanitize: bool, index: bool, edition: bool = False, as_written: frozenset[str] = frozenset()) -> Prepared:
    """Sanitize a generated page (defence in depth: whatever a note smuggled through Markdown does
    not run), keep what the Simplified edition shows, cut it into search sections; and with
    `edition`, make the page's content for the Traditional edition and its sections too (the
    titles in `as_written` kept: publish.edition.convert_page)."""
    clean = sanitize_html(html) if sanitize else html
    shown = select_edition(clean, "hans")
    docs = page_docs(shown, url, title) if index else []
    prepared = Prepared(shown, docs, [doc_key(d) for d in docs])
    if edition:
        converter = shared_converter()
        prepared.edition_html = convert_page(clean, converter, as_written)
        if index:
            prepared.edition_docs = page_docs(prepared.edition_html, url, title if title in as_written else converter.convert(title))
    return prepared
