"""Rendered pages on their way to the site: each page's published HTML (sanitized if generated,
its title plain text) and its search sections, from the last build's cache, prepared on the spot,
or, for a large site, by the helpers while MkDocs renders the next pages.

Pages are taken back in the order MkDocs rendered them, so that the search index numbers its
sections the same way in every build. On a large site page.content holds the rendered HTML until
`publish_all` (the plugin's on_env, first of all plugins) puts the prepared HTML in place, before
any template is rendered or file written.
"""

from __future__ import annotations

from html import unescape

from jinja2 import TemplateNotFound
from markupsafe import Markup
from mkdocs.plugins import get_plugin_logger

from notekb.mkdocs.helpers import PAGES_PARALLEL_MIN, PageWorker
from notekb.publish.prepare import Prepared, prepare
from notekb.publish.sanitize import plain_title, safe_toc
from notekb.search.worker import Indexer

log = get_plugin_logger("notekb")
Key = tuple[str, int, bool, frozenset]  # a page's source path, the hash of its HTML, the edition's settings


class Publisher:
    """One build's pages (and the cache of prepared pages kept across `mkdocs serve` rebuilds)."""

    def __init__(self) -> None:
        self.cache: dict[Key, Prepared] = {}  # (page, hash of its HTML, edition, titles kept) -> prepared
        self.worker: PageWorker | None = None
        self.awaiting: dict[str, tuple[Key, str]] = {}  # page -> its key and HTML
        self.generated: set[str] = set()
        self.indexer: Indexer | None = None
        self.edition = False  # whether pages are converted for the Traditional edition too
        self.as_written: frozenset[str] = frozenset()  # titles the edition keeps (publish.edition)
        self.pages: dict[str, Prepared] = {}  # this build's pages as published, by source path

    def begin(self, generated: set[str], indexer: Indexer | None, pool, edition: bool = False, as_written: frozenset[str] = frozenset()) -> None:
        """A new build of these generated pages; a large one goes through the helpers in `pool`."""
        self.generated = generated
        self.indexer = indexer
        self.edition = edition
        self.as_written = as_written
        self.awaiting = {}
        self.pages = {}
        self.worker = PageWorker(pool) if pool is not None and len(generated) >= PAGES_PARALLEL_MIN else None

    def page_content(self, html: str, page) -> str:
        """The HTML MkDocs should keep for now (see the module's docstring).

        The page's title is made plain text first: MkDocs takes it from the first heading as HTML,
        and themes write it both as HTML and through `striptags`, which turns entities back into
        characters (a heading "&lt;/title&gt;&lt;script&gt;" would become a live script)."""
        page.meta["title"] = plain_title(page.title)
        page.toc.items[:] = safe_toc(page.toc.items)
        key = (page.file.src_uri, hash(html), self.edition, self.as_written)
        cached = self.cache.get(key)
        if cached is not None:
            if self.worker is not None:  # in line behind the pages still with the helpers
                self.worker.add_done(key, cached)
                self._take_ready()
            else:
                self._accept(key, cached)
            return cached.html
        arguments = (html, page.url, unescape(page.title or ""), page.file.src_uri in self.generated, self.indexer is not None, self.edition, self.as_written)
        if self.worker is None:
            self._accept(key, prepare(*arguments))
            return self.cache[key].html
        self.worker.submit(key, arguments)
        self.awaiting[page.file.src_uri] = (key, html)
        self._take_ready()
        return html

    def publish_all(self, pages) -> bool:
        """Every page is rendered: put each one's prepared HTML in place. Returns whether the
        helpers failed (the caller stops using them)."""
        if self.worker is None:
            return False
        self._take_ready(wait=True)
        log.debug(f"{self.worker.submitted} pages sanitized and cut for search in helper processes")
        for page in pages:
            self.publish(page)
        return self.worker.failed

    def publish(self, page) -> None:
        """Replace a page's rendered HTML with the HTML prepared for it (never left unsanitized)."""
        waiting = self.awaiting.pop(page.file.src_uri, None) if page is not None else None
        if waiting is not None:
            key, html = waiting
            prepared = self.cache.get(key)
            if prepared is None or page.content != html:  # changed since page_content: do it now
                prepared = prepare(page.content, page.url, unescape(page.title or ""), page.file.src_uri in self.generated, False, self.edition, self.as_written)
                self.pages[page.file.src_uri] = prepared
            page.content = prepared.html

    def forget(self, limit: int) -> None:
        """Drop the cache when it holds mostly pages that changed since (rebuilt on demand)."""
        if len(self.cache) > limit:
            self.cache = {}

    def _take_ready(self, wait: bool = False) -> None:
        for key, prepared in self.worker.ready(wait):
            self._accept(key, prepared)

    def _accept(self, key: Key, prepared: Prepared) -> None:
        self.cache[key] = prepared
        self.pages[key[0]] = prepared
        if self.indexer is not None:
            self.indexer.add(prepared.docs, prepared.keys)


class SearchBox:
    """notekb's search box, the same on every page: rendered once per build (and kept across
    `mkdocs serve` rebuilds while the theme's language and icons stay) instead of in every header."""

    def __init__(self) -> None:
        self.key = None
        self.html: Markup | None = None

    def render(self, env, config) -> Markup | None:
        key = (config.theme.name, repr(dict(config.theme.items())), tuple(config.theme.dirs))
        if key != self.key:
            try:
                self.html = Markup(env.get_template("partials/notekb-search-box.html").render(config=config))
            except TemplateNotFound:  # not Material: its header, which includes the box, is not there either
                self.html = None
            self.key = key
        return self.html
