"""`notekb export DIR`: the pages the plugin hands MkDocs, as Markdown files in a docs folder.

For Zensical or any other engine, and for inspection. Hand-written pages from the docs folder are
copied along, with the home page's family overview filled in, so DIR is a complete docs folder;
DIR/.nav.yml holds the navigation the plugin would build (copy it into mkdocs.yml's `nav`). Each
page is written as publish.export makes it (a title front matter, its content between comments).

`Exporter` keeps what it wrote: `notekb serve` writes only the pages whose Markdown an edit
changed, so that the engine renders only those again.
"""

from __future__ import annotations

import shutil
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from notekb.pages.nav import site_nav
from notekb.pages.style import STYLESHEET, stylesheet
from notekb.pipeline import NoteCache, Site, build_site
from notekb.publish.export import generated_markdown, hand_written_markdown
from notekb.publish.site import SitePage
from notekb.records import Page, page_title
from notekb.registry import Registry

NAV_FILE = ".nav.yml"


def _inside(root: Path, path: Path) -> bool:
    try:
        path.resolve().relative_to(root.resolve())
        return True
    except ValueError:
        return False


def docs_pages(docs_dir: Path | None) -> list[Page]:
    """The hand-written pages of the docs folder."""
    pages = []
    if docs_dir is not None and docs_dir.is_dir():
        for path in sorted(docs_dir.rglob("*.md")):
            rel = path.relative_to(docs_dir).as_posix()
            text = path.read_text(encoding="utf-8")
            pages.append(Page(rel, page_title(text, rel), text))
    return pages


@dataclass
class Written:
    """What one export run did."""

    site: Site
    pages: list[SitePage]  # every page of the site, in the navigation's order of kinds
    changed: set[str] = field(default_factory=set)  # pages written (new or different)
    removed: set[str] = field(default_factory=set)
    nav: list = field(default_factory=list)
    nav_changed: bool = False


class Exporter:
    """Writes a site's pages into a docs folder, each only when its Markdown differs from what is
    there (on the first run, from the file on disk; then from what this exporter wrote)."""

    def __init__(self, out: str | Path, docs_dir: str | Path | None = None) -> None:
        self.out = Path(out)
        self.docs_dir = Path(docs_dir) if docs_dir and Path(docs_dir).is_dir() else None
        self.written: dict[str, str] = {}  # page path -> the Markdown it was written from
        self.copied: dict[str, tuple[int, int]] = {}  # asset path -> (size, mtime) of its source
        self.nav: list | None = None
        self.held: dict[str, tuple[Page, bool]] = {}  # page path -> (page, generated) held back (see run's `hold`)

    def run(self, notes_dir: str | Path, registry: Registry, cache: NoteCache | None = None, process=None, hold=None) -> Written:
        """Export the site. Changed pages for which `hold(page)` is true are not written yet but
        kept for `flush` (`notekb serve` writes a note's own page before the large pages that
        gather it, so that the engine shows the first without waiting for the others)."""
        docs = docs_pages(self.docs_dir)
        kwargs = {"process": process} if process is not None else {}
        site = build_site(notes_dir, registry, cache, docs, **kwargs)
        self.out.mkdir(parents=True, exist_ok=True)
        if self.docs_dir is not None and not self.copied:
            self._copy_docs_files()
        hand_written = {p.path for p in site.docs_pages}
        entries = [(p, False) for p in site.docs_pages] + [(p, True) for p in site.pages if p.path not in hand_written]
        written = Written(site, [SitePage(p.path, p.title, generated) for p, generated in entries])
        for page, generated in entries:
            if self.written.get(page.path) == page.markdown:
                continue
            target = self.out / page.path
            if not _inside(self.out, target):  # page paths come from validated ids; belt and braces
                raise ValueError(f"refusing to write outside {self.out}: {page.path}")
            self.written[page.path] = page.markdown
            if hold is not None and hold(page):
                self.held[page.path] = (page, generated)  # its file made when written (flush)
            elif _write_if_changed(target, _file_text(page, generated)):
                written.changed.add(page.path)
                self.held.pop(page.path, None)
        for gone in set(self.written) - {p.path for p, _ in entries}:
            (self.out / gone).unlink(missing_ok=True)
            del self.written[gone]
            self.held.pop(gone, None)
            written.removed.add(gone)
        self._copy_assets(site)
        nav = site_nav(site.pages, site.notes, registry, [p.path for p in site.docs_pages])
        written.nav, written.nav_changed = nav, nav != self.nav
        if written.nav_changed:
            _write_if_changed(self.out / NAV_FILE, yaml.safe_dump({"nav": nav}, allow_unicode=True, sort_keys=False))
            self.nav = nav
        if not (self.out / STYLESHEET).exists():
            _write_if_changed(self.out / STYLESHEET, stylesheet())
        return written

    def flush(self) -> set[str]:
        """Write the pages held back by the last runs; returns those that changed on disk."""
        held, self.held = self.held, {}
        return {path for path, (page, generated) in held.items() if _write_if_changed(self.out / path, _file_text(page, generated))}

    def _copy_docs_files(self) -> None:
        for path in self.docs_dir.rglob("*"):
            if path.is_file() and path.suffix != ".md":
                target = self.out / path.relative_to(self.docs_dir)
                target.parent.mkdir(parents=True, exist_ok=True)
                shutil.copyfile(path, target)
                self.copied[target.relative_to(self.out).as_posix()] = (0, 0)

    def _copy_assets(self, site: Site) -> None:
        for asset in site.assets:
            target = self.out / asset.path
            try:
                stat = Path(asset.source).stat()
            except OSError:
                continue
            if self.copied.get(asset.path) != (stat.st_size, stat.st_mtime_ns) and _inside(self.out, target):
                target.parent.mkdir(parents=True, exist_ok=True)
                shutil.copyfile(asset.source, target)
                self.copied[asset.path] = (stat.st_size, stat.st_mtime_ns)


def export(notes_dir: str | Path, out_dir: str | Path, docs_dir: str | Path | None = None, data_dir: str | Path | None = None) -> Site:
    """Write every generated page (and the docs folder's own pages) under out_dir."""
    return Exporter(out_dir, docs_dir).run(notes_dir, Registry.load(data_dir)).site


def _file_text(page: Page, generated: bool) -> str:
    return generated_markdown(page) if generated else hand_written_markdown(page.markdown)


def _write_if_changed(path: Path, text: str) -> bool:
    data = text.encode("utf-8")
    try:
        if path.read_bytes() == data:
            return False
    except OSError:
        pass
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    return True
