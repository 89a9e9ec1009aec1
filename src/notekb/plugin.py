"""The MkDocs front door: run the pipeline and hand its pages to MkDocs.

The plugin writes nothing into `docs/`: every generated page is a virtual file (File.generated).
It keeps its instance across `mkdocs serve` rebuilds (it has an on_startup hook), so the note cache
survives and an edited note is the only one processed again; `notes/` is watched, so adding or
editing a note rebuilds the site without a restart.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

from mkdocs.config import base
from mkdocs.config import config_options as c
from mkdocs.plugins import BasePlugin, get_plugin_logger
from mkdocs.structure.files import File, Files

from .export import STYLESHEET, stylesheet
from .pipeline import NoteCache, Site, build_site
from .registry import PACKAGE_DATA, Registry
from .records import Page
from .safety import sanitize_html
from .search_index import Doc, SearchIndex, page_docs

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
        self.search_docs: list[Doc] = []
        self.docs_markdown: dict[str, str] = {}
        self.generated: set[str] = set()
        self.search_tokens: dict[tuple, object] = {}

    def on_startup(self, *, command: str, dirty: bool) -> None:
        # Defining this hook keeps one plugin instance (and its cache) across serve rebuilds.
        self.command = command

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
        self.search_docs = []
        return config

    def _registry(self) -> Registry:
        """Load the data files; when they changed since the last build, the note cache is stale."""
        digest = hashlib.sha256()
        for folder in (PACKAGE_DATA, self.data_dir):
            if folder and folder.is_dir():
                for path in sorted(folder.glob("*.yml")):
                    digest.update(path.name.encode() + path.read_bytes())
        if digest.hexdigest() != self._data_key:
            self.cache = NoteCache()
            self._data_key = digest.hexdigest()
        return Registry.load(self.data_dir)

    def on_files(self, files: Files, *, config) -> Files:
        registry = self._registry()
        docs = [Page(f.src_uri, f.src_uri, f.content_string) for f in files.documentation_pages()]
        site = build_site(self.notes_dir, registry, self.cache, docs)
        self.docs_markdown = {p.path: p.markdown for p in site.docs_pages}
        self.site = site
        self.registry = registry
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
            config.nav = self._nav(files, site)
        return files

    def _nav(self, files: Files, site: Site) -> list:
        """Home, the four models, papers, notes grouped by where they landed, other notes, docs pages."""
        generated = {p.path for p in site.pages}
        paths = lambda prefix: [p.path for p in site.pages if p.path.startswith(prefix) and not p.path.endswith("index.md")]
        nav: list = []
        if files.get_file_from_path("index.md"):
            nav.append({"首页": "index.md"})
        nav.append({"模型": ["models/index.md", *paths("models/")]})
        nav.append({"论文": ["papers/index.md", *paths("papers/")]})
        nav.append({"笔记": ["notes/index.md", *paths("notes/")]})
        nav.append({"其他笔记": "others.md"})
        nav.append({"术语表": "glossary.md"})
        nav.append({"参考文献": "references.md"})
        for file in files.documentation_pages():
            if file.src_uri not in generated and file.src_uri != "index.md":
                nav.append(file.src_uri)
        return nav

    def on_page_markdown(self, markdown: str, *, page, config, files) -> str:
        # Hand-written pages: the family overview filled in and "what links here" added.
        return self.docs_markdown.get(page.file.src_uri, markdown)

    def on_page_content(self, html: str, *, page, config, files) -> str:
        if page.file.src_uri in self.generated:
            # Defence in depth: whatever a note smuggled through Markdown does not run.
            html = sanitize_html(html)
        if self.config.search:
            self.search_docs += page_docs(html, page.url, page.title or "")
        return html

    def on_post_build(self, *, config) -> None:
        if not self.config.search:
            return
        index = SearchIndex()
        for doc in self.search_docs:
            key = (doc.url, doc.title, doc.text, doc.boost)
            tokens = self.search_tokens.get(key)
            if tokens is None:
                index.add(doc, self.registry)
                tokens = self.search_tokens[key] = index.tokens[-1]
            else:
                index.docs.append(doc)
                index.tokens.append(tokens)
        alive = {(d.url, d.title, d.text, d.boost) for d in self.search_docs}
        for key in list(self.search_tokens):
            if key not in alive:
                del self.search_tokens[key]
        sizes = index.write(Path(config.site_dir) / "search", self.registry)
        log.debug(f"search index: {sizes}")

    def on_serve(self, server, *, config, builder):
        if self.notes_dir and self.notes_dir.is_dir():
            server.watch(str(self.notes_dir))
        if self.data_dir and self.data_dir.is_dir():
            server.watch(str(self.data_dir))
        return server
