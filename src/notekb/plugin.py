"""The MkDocs front door: run the pipeline and hand its pages to MkDocs.

The plugin writes nothing into `docs/`: every generated page is a virtual file (File.generated).
It keeps its instance across `mkdocs serve` rebuilds (it has an on_startup hook), so the note cache
survives and an edited note is the only one processed again; `notes/` is watched, so adding or
editing a note rebuilds the site without a restart.
"""

from __future__ import annotations

import os
import time
from pathlib import Path

from mkdocs.config import base
from mkdocs.config import config_options as c
from mkdocs.exceptions import PluginError
from mkdocs.plugins import BasePlugin, get_plugin_logger
from mkdocs.structure.files import File, Files

from .export import STYLESHEET, stylesheet
from .nav import site_nav
from .pipeline import NoteCache, Site, build_site
from .registry import DataError, Registry, data_fingerprint
from .records import Page, page_title
from .safety import sanitize_html
from .search_index import page_docs
from .search_worker import Indexer, doc_key, watch_parent

SEARCH_SCRIPT = "assets/notekb-search.js"
TEMPLATES = Path(__file__).parent / "templates"

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


class _SearchSlot(BasePlugin):
    """Stands in Material's "material/search" slot so the theme renders its header search box,
    which notekb's search.js then drives; Material's own lunr index is not built."""

    config_scheme = (("enabled", c.Type(bool, default=True)),)


class NotekbPlugin(BasePlugin[NotekbConfig]):
    def __init__(self) -> None:
        self.cache = NoteCache()
        self.site: Site | None = None
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
        self.html_cache: dict[tuple[str, int], tuple[str, list, list]] = {}  # page -> (sanitized html, search sections, their keys)

    def on_startup(self, *, command: str, dirty: bool) -> None:
        """Defining this hook keeps one plugin instance (its caches and helper processes) across
        `mkdocs serve` rebuilds."""

    def on_config(self, config):
        root = Path(config.config_file_path or ".").resolve().parent
        self.notes_dir = (root / self.config.notes_dir).resolve()
        self.data_dir = (root / self.config.data_dir).resolve() if self.config.data_dir else None
        for ext in REQUIRED_EXTENSIONS:
            if ext not in config.markdown_extensions:
                config.markdown_extensions.append(ext)
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
            elif "material/search" in config.plugins or "search" in config.plugins:
                log.info("Material's search plugin is enabled too; notekb's search replaces its box (remove `search` from plugins to skip its index)")
            if SEARCH_SCRIPT not in [str(s) for s in config.extra_javascript]:
                config.extra_javascript.append(SEARCH_SCRIPT)
        return config

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
            self.indexer = Indexer(str(self.data_dir) if self.data_dir else None) if self.config.search else None
        try:
            self.registry = Registry.load(self.data_dir)
        except (DataError, KeyError, TypeError) as exc:
            raise PluginError(f"notekb: cannot load the data files: {exc}") from exc
        return self.registry

    def on_files(self, files: Files, *, config) -> Files:
        started = time.perf_counter()
        self.timings = {"notes": 0.0, "pages": 0.0, "search": 0.0}
        registry = self._registry()
        if self.indexer is not None:
            self.indexer.begin(str(Path(config.site_dir) / "search"))
        docs = [Page(f.src_uri, page_title(f.content_string, f.src_uri), f.content_string) for f in files.documentation_pages()]
        site = build_site(self.notes_dir, registry, self.cache, docs, executor=self._note_pool())
        if site.helpers_failed:  # do not try broken helper processes again in this session
            self.pool.shutdown(wait=False, cancel_futures=True)
            self.pool = False
        self.docs_markdown = {p.path: p.markdown for p in site.docs_pages}
        self.site = site
        for diagnostic in site.diagnostics:
            if diagnostic.level in ("error", "warning"):
                log.warning(str(diagnostic))
            elif diagnostic.level == "info":
                log.info(str(diagnostic))
            else:
                log.debug(str(diagnostic))
        log.debug(f"{len(site.notes)} notes, {site.processed} processed, {len(site.notes) - site.processed} from cache")
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
        if self.config.nav and not config.nav:
            docs = [f.src_uri for f in files.documentation_pages() if f.src_uri not in self.generated]
            config.nav = site_nav(site, registry, docs)
        self.timings["notes"] += time.perf_counter() - started
        return files

    def on_page_markdown(self, markdown: str, *, page, config, files) -> str:
        # Hand-written pages: the family overview filled in and "what links here" added.
        return self.docs_markdown.get(page.file.src_uri, markdown)

    def on_page_content(self, html: str, *, page, config, files) -> str:
        started = time.perf_counter()
        html = self._page_content(html, page)
        self.timings["pages"] = self.timings.get("pages", 0.0) + time.perf_counter() - started
        return html

    def _page_content(self, html: str, page) -> str:
        key = (page.file.src_uri, hash(html))
        cached = self.html_cache.get(key)
        if cached is None:
            # Defence in depth: whatever a note smuggled through Markdown does not run.
            clean = sanitize_html(html) if page.file.src_uri in self.generated else html
            docs = page_docs(clean, page.url, page.title or "") if self.indexer is not None else []
            cached = self.html_cache[key] = (clean, docs, [doc_key(d) for d in docs])
        if self.indexer is not None:
            self.indexer.add(cached[1], cached[2])
        return cached[0]

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

    def _note_pool(self):
        """Two helper processes for cleaning and routing many notes at once (kept across rebuilds)."""
        if self.pool is None:
            try:
                import concurrent.futures as cf
                import multiprocessing

                self.pool = cf.ProcessPoolExecutor(
                    2, mp_context=multiprocessing.get_context("forkserver"), initializer=watch_parent, initargs=(os.getpid(),)
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
