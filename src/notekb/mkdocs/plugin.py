"""The MkDocs front door: MkDocs' events translated into calls, every hook a few lines.

The plugin writes nothing into `docs/`: every generated page is a virtual file. It keeps its
instance across `mkdocs serve` rebuilds (it has an on_startup hook), so the note cache, the
prepared pages and the helper processes survive and an edited note is the only one processed
again; `notes/` is watched, so adding or editing a note rebuilds the site without a restart.
"""

from __future__ import annotations

import gc
import time
from contextlib import contextmanager
from pathlib import Path

from mkdocs.config import base
from mkdocs.config import config_options as c
from mkdocs.exceptions import PluginError
from mkdocs.plugins import BasePlugin, event_priority, get_plugin_logger

from notekb.mkdocs import files as site_files
from notekb.mkdocs.edition import EditionKeeper
from notekb.mkdocs.helpers import PARALLEL_MIN, HelperPool, process_in
from notekb.mkdocs.publishing import Publisher, SearchBox
from notekb.mkdocs.setup import configure
from notekb.pages.nav import site_nav
from notekb.pipeline import NoteCache, build_site
from notekb.pipeline.read import find_notes
from notekb.publish.edition_site import EditionSite, kept_titles
from notekb.records import Page, page_title
from notekb.registry import DataError, RegistryLoader
from notekb.search.worker import Indexer

log = get_plugin_logger(__name__)


class NotekbConfig(base.Config):
    notes_dir = c.Type(str, default="notes")
    """Folder of notes, relative to mkdocs.yml. Every .md/.txt file below it, at any depth, is a note."""
    data_dir = c.Optional(c.Type(str))
    """Folder whose YAML files replace the packaged registry, topics, glossary or boilerplate files."""
    nav = c.Type(bool, default=True)
    """Build the navigation (models, papers, notes) when mkdocs.yml gives no `nav`."""
    search = c.Type(bool, default=True)
    """Replace Material's search with notekb's CJK-aware, sharded search (in the same header box)."""
    traditional = c.Type(bool, default=True)
    """Build the Traditional Chinese edition too: every page again under zh-Hant/, converted with
    OpenCC (Taiwan words), with a language switch on every page. False builds the one edition."""
    helpers = c.Type(bool, default=True)
    """Use helper processes (two for notes and pages, one for search) on large sites. False does
    everything in MkDocs' own process: for a one-core machine, or where processes cannot be started.
    The site is the same either way."""


@contextmanager
def _garbage_collection_paused():
    """The pipeline makes many small objects and next to no reference cycles; the collections its
    allocations would trigger scan all of MkDocs' objects for nothing (a tenth of a second on a
    rebuild of 1,000 notes). Whatever cycles it leaves are collected after the hook."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


class NotekbPlugin(BasePlugin[NotekbConfig]):
    def __init__(self) -> None:
        self.cache = NoteCache()
        self.loader: RegistryLoader | None = None
        self.helpers: HelperPool | None = None
        self.publisher = Publisher()
        self.search_box = SearchBox()
        self.indexer: Indexer | None = None
        self.edition: EditionSite | None = None
        self.kept_edition = EditionKeeper()  # the last build's edition, kept across rebuilds
        self.docs_markdown: dict[str, str] = {}
        self.timings: dict[str, float] = {}  # seconds in this plugin during the last build (bench/run.py)
        self.started = 0.0

    def on_startup(self, *, command: str, dirty: bool) -> None:
        """Defining this hook keeps one plugin instance (its caches and helpers) across `mkdocs serve` rebuilds."""

    def on_config(self, config):
        self.started = time.perf_counter()
        root = Path(config.config_file_path or ".").resolve().parent
        self.notes_dir = (root / self.config.notes_dir).resolve()
        data_dir = (root / self.config.data_dir).resolve() if self.config.data_dir else None
        configure(config, self.config.search, self.config.traditional)
        self._load_registry(data_dir)
        if self.helpers is None:
            self.helpers = HelperPool(self.config.helpers)
        if self.helpers.pool is None and len(find_notes(self.notes_dir)) >= PARALLEL_MIN:
            self.helpers.warm_up(self.registry)  # they load the data files while MkDocs reads its theme
        return config

    def on_pre_build(self, *, config) -> None:
        if self.config.traditional:  # before MkDocs empties the site folder
            self.kept_edition.set_aside(config.site_dir)
        else:
            self.kept_edition.forget()

    def _load_registry(self, data_dir: Path | None) -> None:
        """The data files, read again only when they changed; then the caches are stale."""
        if self.loader is None or self.loader.data_dir != data_dir:
            self.loader = RegistryLoader(data_dir)
        try:
            self.registry, changed = self.loader.load()
        except (DataError, KeyError, TypeError) as exc:
            raise PluginError(f"notekb: cannot load the data files: {exc}") from exc
        if changed:
            self.cache, self.publisher.cache = NoteCache(), {}
            if self.indexer is not None:
                self.indexer.close()
            search = self.config.search
            self.indexer = Indexer(self.registry.data_dir, helper=self.config.helpers, registry=self.registry) if search else None

    def on_files(self, files, *, config):
        self.kept_edition.bring_back()  # MkDocs has emptied the site folder
        with _garbage_collection_paused():
            docs = [Page(f.src_uri, page_title(f.content_string, f.src_uri), f.content_string) for f in files.documentation_pages()]
            site = build_site(self.notes_dir, self.registry, self.cache, docs, process=process_in(self.helpers.pool))
        if site.helpers_failed:
            self.helpers.drop()
        if self.indexer is not None:  # after the notes: its start-up (jieba) need not slow them down
            self.indexer.begin(str(Path(config.site_dir) / "search"))
        site_files.report(site.diagnostics)
        where = "in helper processes" if self.helpers.pool is not None else "in this process"
        log.debug(f"{len(site.notes)} notes, {site.processed} processed {where}, {len(site.notes) - site.processed} from cache")
        self.docs_markdown = {p.path: p.markdown for p in site.docs_pages}
        generated = site_files.add_site(files, site, config, self.config.search, self.config.traditional)
        # The titles of notes written in Traditional Chinese stay as written in the edition.
        as_written = kept_titles(site.pages)
        pool = self.helpers.get() if len(generated) >= PARALLEL_MIN else None
        self.publisher.begin(generated, self.indexer, pool, self.config.traditional, as_written)
        self.edition = self.kept_edition.edition(config.site_dir, as_written, config.site_url) if self.config.traditional else None
        if self.config.nav and not config.nav:
            config.nav = site_nav(site.pages, site.notes, self.registry, [f.src_uri for f in files.documentation_pages() if f.src_uri not in generated])
        self.timings = {"notes": time.perf_counter() - self.started, "pages": 0.0, "search": 0.0, "edition": 0.0}
        return files

    def on_page_markdown(self, markdown: str, *, page, config, files) -> str:
        # Hand-written pages: the family overview filled in and "what links here" added.
        return self.docs_markdown.get(page.file.src_uri, markdown)

    @event_priority(-100)  # last, so that the HTML sanitized and indexed is the final one
    def on_page_content(self, html: str, *, page, config, files) -> str:
        started = time.perf_counter()
        html = self.publisher.page_content(html, page)
        self.timings["pages"] += time.perf_counter() - started
        return html

    @event_priority(100)  # first, so that other plugins' on_env and every template see the sanitized HTML
    def on_env(self, env, *, config, files):
        started = time.perf_counter()
        if self.publisher.publish_all(file.page for file in files.documentation_pages()):
            self.helpers.drop()
        if self.indexer is not None:  # the helper writes the index while MkDocs fills in templates
            self.indexer.start_finish(str(Path(config.site_dir) / "search"))
        if self.config.search and self.search_box.render(env, config) is not None:
            env.globals["notekb_search_box"] = self.search_box.html
        self.timings["pages"] += time.perf_counter() - started
        return env

    @event_priority(100)
    def on_page_context(self, context, *, page, config, nav):
        self.publisher.publish(page)  # a page on_env did not see (none in MkDocs 1.6): never unsanitized
        return context

    @event_priority(-100)  # last: the page as every other plugin left it is the one converted
    def on_post_page(self, output: str, *, page, config) -> str:
        if self.edition is None:
            return output
        started = time.perf_counter()
        output = self.edition.write_page(page.file.dest_uri, output, self.publisher.pages.get(page.file.src_uri))
        self.timings["edition"] += time.perf_counter() - started
        return output

    @event_priority(-100)  # after other plugins wrote their files, so that the edition has them too
    def on_post_build(self, *, config) -> None:
        if self.indexer is not None:
            started = time.perf_counter()
            sizes = self.indexer.finish(str(Path(config.site_dir) / "search"))
            self.timings["search"] = time.perf_counter() - started
            log.debug(f"search index: {sizes}, waited {self.indexer.waited:.2f} s")
        if self.edition is not None:
            started = time.perf_counter()
            self.edition.finish()
            self.kept_edition.finished(self.edition)
            self.timings["edition"] += time.perf_counter() - started
            log.debug(f"zh-Hant: {self.edition.kept} pages kept from the last build")
        log.debug(f"notekb timings: {self.timings}")
        self.publisher.forget(4 * max(1, len(self.publisher.generated)) + 100)

    def on_build_error(self, *, error) -> None:
        self.kept_edition.forget()

    def on_shutdown(self) -> None:
        if self.indexer is not None:
            self.indexer.close()
        if self.helpers is not None:
            self.helpers.shutdown()

    def on_serve(self, server, *, config, builder):
        for folder in (self.notes_dir, self.loader.data_dir):
            if folder and Path(folder).is_dir():
                server.watch(str(folder))
        return server
