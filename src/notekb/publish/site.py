"""The step after rendering, over a built site folder, for any engine (Zensical, MkDocs without the
plugin): every generated page's content sanitized, titles kept text, the pages cut into search
sections and notekb's search index written, the search script and its stylesheet put in place.

    publish_site(site_dir, pages, registry)

`pages` are the site's pages (SitePage: Markdown path, plain title, generated or hand-written), as
`notekb export` wrote them (publish.export): each page's content lies between two comments in its
HTML, whatever the theme put around it. The rules are the MkDocs plugin's own: each page's content
goes through publish.prepare.prepare, as the plugin does page by page. Another step (a translated
edition, say) can run over the same folder afterwards.

`SiteStep` keeps what it did between runs, for `notekb serve`: a run over the pages an edit changed
reads only those, tokenizes only their new sections and rewrites only the index files they touch.
"""

from __future__ import annotations

import hashlib
import html
import re
from dataclasses import dataclass, field
from pathlib import Path

from notekb.publish.edition_site import EDITION_SCRIPT, EditionSite, edition_script
from notekb.publish.export import END, GENERATED, HAND_WRITTEN
from notekb.publish.prepare import Prepared, prepare
from notekb.registry import Registry
from notekb.search.index import Doc, IndexWriter, Weights, index_doc

SEARCH_SCRIPT = "assets/notekb-search.js"
SEARCH_STYLESHEET = "assets/notekb-search.css"  # the search box where the theme has no search styles
_ASSETS = Path(__file__).resolve().parents[1] / "search" / "assets"
_TITLE = re.compile(r"<title\b[^>]*>", re.I)
_TITLE_END = re.compile(r"</title", re.I)


class PublishError(Exception):
    """A page the step cannot vouch for (its file is removed: never published unsanitized)."""


@dataclass(frozen=True)
class SitePage:
    path: str  # the Markdown file under the docs folder: "models/gemma.md"
    title: str  # plain text
    generated: bool  # made from notes (sanitized), else hand-written (docs/, trusted)

    @property
    def url(self) -> str:
        """The page's URL relative to the site, as MkDocs and Zensical make it (directory URLs)."""
        stem = self.path[:-3] if self.path.endswith(".md") else self.path
        if stem == "index" or stem.endswith("/index") or stem == "README" or stem.endswith("/README"):
            stem = stem.rsplit("/", 1)[0] if "/" in stem else ""
        return f"{stem}/" if stem else ""

    def file(self, site_dir: Path) -> Path:
        return site_dir / self.url / "index.html"


@dataclass
class StepReport:
    pages: int = 0  # pages read and prepared in this run
    rewritten: int = 0  # files whose HTML the step changed
    errors: list[str] = field(default_factory=list)
    index: dict = field(default_factory=dict)


def content_bounds(page_html: str) -> tuple[int, int] | None:
    """Where a page's content starts and ends in its HTML: after the first start comment, before
    the last end comment (anything a page's text could add lies between the two)."""
    starts = [i for i in (page_html.find(GENERATED), page_html.find(HAND_WRITTEN)) if i >= 0]
    end = page_html.rfind(END)
    if not starts or end < min(starts):
        return None
    start = min(starts)
    marker = GENERATED if page_html.startswith(GENERATED, start) else HAND_WRITTEN
    return start + len(marker), end


def text_title(page_html: str, title: str) -> str:
    """The <title> made text where an engine wrote the page's plain title into it as HTML (themes
    do through `striptags`, which turns entities back into tags)."""
    match = _TITLE.search(page_html)
    raw = " ".join(title.split())
    if match is not None and "<" in raw and page_html.startswith(raw, match.end()):
        page_html = page_html[: match.end()] + html.escape(raw, quote=False) + page_html[match.end() + len(raw) :]
    return page_html


class SearchIndex:
    """notekb's search index for a site folder, kept between runs: sections keep their tokens and
    numbers, so a run after one edit tokenizes and writes only what changed."""

    def __init__(self, registry: Registry) -> None:
        self.registry = registry
        self.entries: dict[str, tuple[Weights, str]] = {}
        self.writer = IndexWriter()
        self.written: Path | None = None  # the folder holding the last run's files

    def write(self, sections: list[tuple[str, Doc]], out: Path) -> dict:
        entries: dict[str, tuple[Weights, str]] = {}
        for key, doc in sections:
            if key not in entries:
                entries[key] = self.entries.get(key) or index_doc(doc, self.registry)
        fresh = sum(1 for key in entries if key not in self.entries)
        self.entries = entries
        self.writer.update(entries)
        in_place = self.written == out and (out / "manifest.json").is_file()
        sizes = self.writer.write(out, self.registry, only_changed=in_place)
        self.written = out
        return sizes | {"new_sections": fresh}


class SiteStep:
    """The step after rendering, with what it prepared kept for the next run.

    With `edition`, a run over the whole site (no `changed`) also writes the Traditional edition
    under zh-Hant/ (publish.edition_site, as the MkDocs plugin does; `as_written`: the titles it
    keeps, `site_url`: for its sitemap and alternate links). A run over the pages an edit changed
    (`notekb serve`) updates the Simplified pages only."""

    def __init__(self, registry: Registry, search: bool = True, edition: bool = False, as_written: frozenset[str] = frozenset(), site_url: str | None = None) -> None:
        self.registry = registry
        self.index = SearchIndex(registry) if search else None
        self.edition = edition
        self.as_written = as_written
        self.site_url = site_url
        self.prepared: dict[str, tuple[str, Prepared]] = {}  # page path -> (hash of its content, result)

    def run(self, site_dir: str | Path, pages: list[SitePage], changed: set[str] | None = None) -> StepReport:
        """Prepare every page (with `changed`, only those pages; the others as the last run left
        them), then write the search index and the assets. A page that cannot be vouched for is
        removed and reported; PublishError is raised after the rest is done."""
        site_dir = Path(site_dir)
        report = StepReport()
        sections: list[tuple[str, Doc]] = []
        editions = EditionSite(site_dir, self.as_written, self.site_url) if self.edition and changed is None else None
        for page in pages:
            known = self.prepared.get(page.path)
            if known is None and changed is not None and page.path not in changed:
                continue  # not rendered yet (a page an edit added): checked when it is
            if known is None or changed is None or page.path in changed:
                try:
                    known = self._page(site_dir, page, report, editions)
                except PublishError as exc:
                    report.errors.append(str(exc))
                    page.file(site_dir).unlink(missing_ok=True)
                    self.prepared.pop(page.path, None)
                    continue
            sections += zip(known[1].keys, known[1].docs)
        for gone in set(self.prepared) - {p.path for p in pages}:
            del self.prepared[gone]
        if self.index is not None:
            report.index = self.index.write(sections, site_dir / "search")
        _write_if_changed(site_dir / SEARCH_SCRIPT, (_ASSETS / "search.js").read_bytes())
        _write_if_changed(site_dir / SEARCH_STYLESHEET, (_ASSETS / "search-box.css").read_bytes())
        if editions is not None:
            _write_if_changed(site_dir / EDITION_SCRIPT, edition_script().encode("utf-8"))
            editions.finish()
        if report.errors:
            raise PublishError("; ".join(report.errors))
        return report

    @staticmethod
    def digest_of(path: Path) -> str | None:
        """The digest of a page's content as the step would see it (None if it has none)."""
        try:
            text = path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError):
            return None
        bounds = content_bounds(text)
        return hashlib.sha1(text[bounds[0] : bounds[1]].encode()).hexdigest() if bounds else None

    def _page(self, site_dir: Path, page: SitePage, report: StepReport, editions: EditionSite | None = None) -> tuple[str, Prepared]:
        path = page.file(site_dir)
        try:
            text = path.read_text(encoding="utf-8")
        except OSError as exc:
            raise PublishError(f"{page.path}: no page at {path} ({exc.strerror or exc})") from exc
        bounds = content_bounds(text)
        if bounds is None:
            raise PublishError(f"{page.path}: its HTML has lost the comments around its content; removed rather than published unchecked")
        start, end = bounds
        content = text[start:end]
        digest = hashlib.sha1(content.encode()).hexdigest()
        known = self.prepared.get(page.path)
        if known is None or known[0] != digest:
            known = (digest, prepare(content, page.url, page.title, page.generated, self.index is not None, self.edition, self.as_written))
        out = text_title(text[:start] + known[1].html + text[end:], page.title)
        if page.generated and len(_TITLE_END.findall(out, 0, max(0, out.rfind("</head>")))) > 1:
            raise PublishError(f"{page.path}: a title was written into the page as HTML; removed")
        if editions is not None:  # its Traditional copy; the page itself gets the links to it
            out = editions.write_page(path.relative_to(site_dir).as_posix(), out, known[1])
        if out != text:
            path.write_text(out, encoding="utf-8")
            report.rewritten += 1
        report.pages += 1
        self.prepared[page.path] = known
        return known


def publish_site(site_dir: str | Path, pages: list[SitePage], registry: Registry, search: bool = True, edition: bool = False, as_written: frozenset[str] = frozenset(), site_url: str | None = None) -> StepReport:
    """The step after rendering, once (see the module's docstring and SiteStep)."""
    return SiteStep(registry, search, edition, as_written, site_url).run(site_dir, pages)


def _write_if_changed(path: Path, data: bytes) -> None:
    if not path.is_file() or path.read_bytes() != data:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
