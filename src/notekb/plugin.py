"""The MkDocs front door: run the pipeline and hand its pages to MkDocs.

The plugin writes nothing into `docs/`: every generated page is a virtual file (File.generated).
It keeps its instance across `mkdocs serve` rebuilds (it has an on_startup hook), so the note cache
survives and an edited note is the only one processed again; `notes/` is watched, so adding or
editing a note rebuilds the site without a restart.
"""

from __future__ import annotations

import gc
import os
import time
from html import unescape
from contextlib import contextmanager
from pathlib import Path

from jinja2 import TemplateNotFound
from markupsafe import Markup
from mkdocs.config import base
from mkdocs.config import config_options as c
from mkdocs.exceptions import PluginError
from mkdocs.plugins import BasePlugin, event_priority, get_plugin_logger
from mkdocs.structure.files import File, Files

from .export import STYLESHEET, stylesheet
from .nav import site_nav
from .pipeline import PARALLEL_MIN, NoteCache, build_site, warm_up
from .read import find_notes
from .registry import DataError, Registry, data_fingerprint
from .records import Page, page_title
from .safety import plain_title, theme_safe_slugify
from .page_worker import PARALLEL_MIN as PARALLEL_MIN_PAGES
from .page_worker import PageWorker, Prepared, prepare
from .search_worker import Indexer, helper_context, watch_parent

SEARCH_SCRIPT = "assets/notekb-search.js"
TEMPLATES = Path(__file__).parent / "templates"
NOTE_HELPERS = 2  # helper processes for notes and pages

log = get_plugin_logger(__name__)

REQUIRED_EXTENSIONS = ["attr_list", "md_in_html", "tables", "toc"]


class NotekbConfig(base.Config):
    notes_dir = c.Type(str, default="notes")
    """Folder of notes, relative to mkdocs.yml. Every .md/.txt file below it, at any depth, is a note."""
    data_dir = c.Optional(c.Type(str))
    """Folder whose YAML files replace the packaged registry, topics, glossary or boilerplate files."""
    nav = c.Type(bool, default=True)
    """Build the navigation (models, papers, notes) when mkdocs.yml gives no `nav`."""
    search = c.Type(bool, default=True)
    """Replace Material's search with notekb's CJK-aware, sharded search (in the same header box)."""
    helpers = c.Type(bool, default=True)
    """Use helper processes (two for notes and pages, one for search) on large sites. False does
    everything in MkDocs' own process: for a one-core machine, or where processes cannot be started.
    The site is the same either way."""


class _SearchSlot(BasePlugin):
    """Stands in Material's "material/search" slot so the theme renders its header search box,
    which notekb's search.js then drives; Material's own lunr index is not built."""

    config_scheme = (("enabled", c.Type(bool, default=True)),)


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
        self.notes_dir: Path | None = None
        self.data_dir: Path | None = None
        self._data_key = ""
        self.docs_markdown: dict[str, str] = {}
        self.generated: set[str] = set()
        # Seconds spent in this plugin during the last build, by part (read by bench/run.py).
        self.timings: dict[str, float] = {}
        self.registry: Registry | None = None
        self.indexer: Indexer | None = None
        self.pool = None  # helper processes for notes: None until needed, False if unavailable
        self.config_seconds = 0.0  # spent in on_config (counted with the notes in `timings`)
        self.search_box: tuple = (None, "")  # (theme settings, the search box rendered with them)
        self.html_cache: dict[tuple[str, int], Prepared] = {}  # (page, hash of its HTML) -> published HTML, search sections
        self.pages: PageWorker | None = None  # this build's pages on their way through the helpers
        self.awaiting: dict[str, tuple[tuple[str, int], str]] = {}  # page -> its key and HTML, until on_page_context

    def on_startup(self, *, command: str, dirty: bool) -> None:
        """Defining this hook keeps one plugin instance (its caches and helper processes) across
        `mkdocs serve` rebuilds."""

    def on_config(self, config):
        started = time.perf_counter()
        root = Path(config.config_file_path or ".").resolve().parent
        self.notes_dir = (root / self.config.notes_dir).resolve()
        self.data_dir = (root / self.config.data_dir).resolve() if self.config.data_dir else None
        for ext in REQUIRED_EXTENSIONS:
            if ext not in config.markdown_extensions:
                config.markdown_extensions.append(ext)
        toc = config.mdx_configs.setdefault("toc", {})
        toc["slugify"] = theme_safe_slugify(toc.get("slugify"))
        if STYLESHEET not in config.extra_css:
            config.extra_css.append(STYLESHEET)
        if self.config.search:
            theme_dirs = config.theme.dirs
            if str(TEMPLATES) not in theme_dirs:
                # After the user's custom_dir (if any), before the theme's own templates.
                position = 1 if config.theme.custom_dir else 0
                theme_dirs.insert(position, str(TEMPLATES))
            if "material/search" not in config.plugins and "search" not in config.plugins:
                slot = _SearchSlot()
                slot.load_config({})
                config.plugins["material/search"] = slot
            else:
                log.info("Material's search plugin is enabled too; notekb's search replaces its box (remove `search` from plugins to skip its index)")
            if SEARCH_SCRIPT not in [str(s) for s in config.extra_javascript]:
                config.extra_javascript.append(SEARCH_SCRIPT)
        self._registry()  # once per build: the data files may have changed under `mkdocs serve`
        self._warm_up_helpers()
        self.config_seconds = time.perf_counter() - started
        return config

    def _warm_up_helpers(self) -> None:
        """Start the note helpers now, so that they load the data files while MkDocs reads its
        theme and files; only where there are enough notes for them to be used."""
        if self.pool is not None or not self.config.helpers or len(find_notes(self.notes_dir)) < PARALLEL_MIN:
            return
        pool = self._note_pool()
        if pool:
            for _ in range(NOTE_HELPERS):
                pool.submit(warm_up, self.registry.data_dir, self.registry.fingerprint)

    def _registry(self) -> Registry:
        """Load the data files; when they changed since the last build, the caches are stale."""
        fingerprint = data_fingerprint(self.data_dir)
        if fingerprint == self._data_key and self.registry is not None:
            return self.registry
        if fingerprint != self._data_key:
            self.cache = NoteCache()
            self.html_cache = {}
            self._data_key = fingerprint
            if self.indexer is not None:
                self.indexer.close()
            self.indexer = Indexer(str(self.data_dir) if self.data_dir else None, helper=self.config.helpers) if self.config.search else None
        try:
            self.registry = Registry.load(self.data_dir, fingerprint)
        except (DataError, KeyError, TypeError) as exc:
            raise PluginError(f"notekb: cannot load the data files: {exc}") from exc
        return self.registry

    def on_files(self, files: Files, *, config) -> Files:
        with _garbage_collection_paused():
            return self._on_files(files, config)

    def _on_files(self, files: Files, config) -> Files:
        started = time.perf_counter()
        self.timings = {"notes": self.config_seconds, "pages": 0.0, "search": 0.0}
        registry = self.registry  # loaded in on_config
        docs = [Page(f.src_uri, page_title(f.content_string, f.src_uri), f.content_string) for f in files.documentation_pages()]
        site = build_site(self.notes_dir, registry, self.cache, docs, executor=self.pool or None)
        if self.indexer is not None:  # after the notes: its start-up (jieba) need not slow them down
            self.indexer.begin(str(Path(config.site_dir) / "search"))
        if site.helpers_failed:
            self._drop_pool()
        self.docs_markdown = {p.path: p.markdown for p in site.docs_pages}
        for diagnostic in site.diagnostics:
            if diagnostic.level in ("error", "warning"):
                log.warning(str(diagnostic))
            elif diagnostic.level == "info":
                log.info(str(diagnostic))
            else:
                log.debug(str(diagnostic))
        where = "in helper processes" if self.pool else "in this process"
        log.debug(f"{len(site.notes)} notes, {site.processed} processed {where}, {len(site.notes) - site.processed} from cache")
        self.generated = {p.path for p in site.pages}
        for page in site.pages:
            if files.get_file_from_path(page.path) is not None:
                log.warning(f"docs/{page.path} exists and replaces the generated page of the same name")
                continue
            files.append(File.generated(config, page.path, content=page.markdown))
        for asset in site.assets:
            files.append(File.generated(config, asset.path, abs_src_path=asset.source))
        if files.get_file_from_path(STYLESHEET) is None:
            files.append(File.generated(config, STYLESHEET, content=stylesheet()))
        if self.config.search and files.get_file_from_path(SEARCH_SCRIPT) is None:
            script = (Path(__file__).parent / "assets" / "search.js").read_text(encoding="utf-8")
            files.append(File.generated(config, SEARCH_SCRIPT, content=script))
        self.awaiting = {}
        large = len(site.pages) >= PARALLEL_MIN_PAGES
        pool = self._note_pool() if large else None
        self.pages = PageWorker(pool) if pool else None
        if self.config.nav and not config.nav:
            docs = [f.src_uri for f in files.documentation_pages() if f.src_uri not in self.generated]
            config.nav = site_nav(site, registry, docs)
        self.timings["notes"] += time.perf_counter() - started
        return files

    def on_page_markdown(self, markdown: str, *, page, config, files) -> str:
        # Hand-written pages: the family overview filled in and "what links here" added.
        return self.docs_markdown.get(page.file.src_uri, markdown)

    # Last, so that the HTML sanitized and indexed is the final one. On a large site the sanitized
    # HTML comes back from the helpers later: page.content holds the HTML as rendered until on_env,
    # which puts the sanitized HTML in place before any template is rendered or file written.
    @event_priority(-100)
    def on_page_content(self, html: str, *, page, config, files) -> str:
        started = time.perf_counter()
        html = self._page_content(html, page)
        self.timings["pages"] = self.timings.get("pages", 0.0) + time.perf_counter() - started
        return html

    def _page_content(self, html: str, page) -> str:
        """The page as published (sanitized if generated) and its search sections, from the cache,
        else prepared on the spot or, for a large site, handed to the helpers (see page_worker).

        The page's title is made plain text first: MkDocs takes it from the first heading as HTML,
        and themes write it both as HTML and through `striptags`, which turns entities back into
        characters (a heading "&lt;/title&gt;&lt;script&gt;" would become a live script)."""
        page.meta["title"] = plain_title(page.title)
        key = (page.file.src_uri, hash(html))
        cached = self.html_cache.get(key)
        if cached is not None:
            if self.pages is not None:  # in line behind the pages still with the helpers
                self.pages.add_done(key, cached)
                self._take_ready()
            else:
                self._accept(key, cached)
            return cached.html
        arguments = (html, page.url, unescape(page.title or ""), page.file.src_uri in self.generated, self.indexer is not None)
        if self.pages is None:
            self._accept(key, prepare(*arguments))
            return self.html_cache[key].html
        self.pages.submit(key, *arguments)
        self.awaiting[page.file.src_uri] = (key, html)
        self._take_ready()
        return html  # replaced by the prepared HTML in on_env

    def _take_ready(self, wait: bool = False) -> None:
        for key, prepared in self.pages.ready(wait):
            self._accept(key, prepared)

    def _accept(self, key: tuple[str, int], prepared: Prepared) -> None:
        """A page's prepared HTML and sections, taken in the order the pages were rendered (so that
        the search index numbers its sections the same way in every build)."""
        self.html_cache[key] = prepared
        if self.indexer is not None:
            self.indexer.add(prepared.docs, prepared.keys)

    @event_priority(100)  # first, so that other plugins' on_env and every template see the sanitized HTML
    def on_env(self, env, *, config, files):
        """Every page's Markdown is rendered: put in place the HTML the helpers sanitized, and let
        the search helper write the index while MkDocs fills in the templates."""
        started = time.perf_counter()
        if self.pages is not None:
            self._take_ready(wait=True)
            log.debug(f"{self.pages.submitted} pages sanitized and cut for search in helper processes")
            if self.pages.failed:
                self._drop_pool()
            for file in files.documentation_pages():
                self._publish(file.page)
        if self.indexer is not None:
            self.indexer.start_finish(str(Path(config.site_dir) / "search"))
        if self.config.search:
            # The same on every page: rendered once here instead of in each page's header (and
            # kept across `mkdocs serve` rebuilds while the theme's language and icons stay).
            key = (config.theme.name, repr(dict(config.theme.items())), tuple(config.theme.dirs))
            if self.search_box[0] != key:
                try:
                    box = Markup(env.get_template("partials/notekb-search-box.html").render(config=config))
                except TemplateNotFound:  # not Material: its header, which includes the box, is not there either
                    box = None
                self.search_box = (key, box)
            if self.search_box[1] is not None:
                env.globals["notekb_search_box"] = self.search_box[1]
        self.timings["pages"] = self.timings.get("pages", 0.0) + time.perf_counter() - started
        return env

    def _publish(self, page) -> None:
        """Replace a page's rendered HTML with the HTML the helpers prepared for it."""
        waiting = self.awaiting.pop(page.file.src_uri, None) if page is not None else None
        if waiting is not None:
            key, html = waiting
            prepared = self.html_cache.get(key)
            if prepared is None or page.content != html:  # changed since on_page_content: do it now
                prepared = prepare(page.content, page.url, unescape(page.title or ""), page.file.src_uri in self.generated, False)
            page.content = prepared.html

    @event_priority(100)
    def on_page_context(self, context, *, page, config, nav):
        self._publish(page)  # a page on_env did not see (none in MkDocs 1.6): never unsanitized
        return context

    def on_post_build(self, *, config) -> None:
        if self.indexer is None:
            return
        started = time.perf_counter()
        sizes = self.indexer.finish(str(Path(config.site_dir) / "search"))
        self.timings["search"] = time.perf_counter() - started
        sizes["waited_for_helper"] = self.indexer.waited
        if len(self.html_cache) > 4 * max(1, len(self.generated)) + 100:
            self.html_cache = {}  # mostly pages that changed since; rebuilt on demand
        log.debug(f"search index: {sizes}; notekb timings: {self.timings}")

    def _drop_pool(self) -> None:
        """The helpers broke: do not try them again in this session (their work is done here)."""
        if self.pool:
            self.pool.shutdown(wait=False, cancel_futures=True)
        self.pool = False

    def _note_pool(self):
        """Two helper processes for cleaning and routing many notes at once (kept across rebuilds)."""
        if self.pool is None and not self.config.helpers:
            self.pool = False
        if self.pool is None:
            try:
                import concurrent.futures as cf

                self.pool = cf.ProcessPoolExecutor(
                    NOTE_HELPERS, mp_context=helper_context(), initializer=watch_parent, initargs=(os.getpid(),)
                )
            except (OSError, ValueError) as exc:
                log.debug(f"notes processed in this process: no helper processes ({exc})")
                self.pool = False
        return self.pool or None

    def on_shutdown(self) -> None:
        if self.indexer is not None:
            self.indexer.close()
        if self.pool:
            self.pool.shutdown(wait=True, cancel_futures=True)
            self.pool = None

    def on_serve(self, server, *, config, builder):
        if self.notes_dir and self.notes_dir.is_dir():
            server.watch(str(self.notes_dir))
        if self.data_dir and self.data_dir.is_dir():
            server.watch(str(self.data_dir))
        return server
