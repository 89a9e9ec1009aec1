"""`notekb export DIR`: the same Markdown pages the plugin hands MkDocs, written to disk.

For Zensical or any other engine, and for inspection. Hand-written pages from the docs folder are
copied along, with the home page's family overview filled in, so DIR is a complete docs folder;
DIR/.nav.yml holds the navigation the plugin would build (copy it into mkdocs.yml's `nav`).
"""

from __future__ import annotations

import shutil
from pathlib import Path

import yaml

from notekb.pages.nav import site_nav
from notekb.pages.style import STYLESHEET, stylesheet
from notekb.pipeline import Site, build_site
from notekb.records import Page, page_title
from notekb.registry import Registry


def _inside(root: Path, path: Path) -> bool:
    try:
        path.resolve().relative_to(root.resolve())
        return True
    except ValueError:
        return False


def export(notes_dir: str | Path, out_dir: str | Path, docs_dir: str | Path | None = None, data_dir: str | Path | None = None) -> Site:
    """Write every generated page (and the docs folder's own pages) under out_dir."""
    registry = Registry.load(data_dir)
    docs_dir = Path(docs_dir) if docs_dir and Path(docs_dir).is_dir() else None
    docs_pages = []
    if docs_dir:
        for path in sorted(docs_dir.rglob("*.md")):
            rel = path.relative_to(docs_dir).as_posix()
            text = path.read_text(encoding="utf-8")
            docs_pages.append(Page(rel, page_title(text, rel), text))
    site = build_site(notes_dir, registry, docs_pages=docs_pages)
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    if docs_dir:
        for path in docs_dir.rglob("*"):
            if path.is_file() and path.suffix != ".md":
                target = out / path.relative_to(docs_dir)
                target.parent.mkdir(parents=True, exist_ok=True)
                shutil.copyfile(path, target)
    hand_written = {p.path for p in site.docs_pages}
    # As in the MkDocs plugin, a hand-written page wins over a generated one of the same name.
    for page in [*site.docs_pages, *(p for p in site.pages if p.path not in hand_written)]:
        target = out / page.path
        if not _inside(out, target):  # page paths come from validated ids; belt and braces
            raise ValueError(f"refusing to write outside {out}: {page.path}")
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(page.markdown, encoding="utf-8")
    for asset in site.assets:
        target = out / asset.path
        if _inside(out, target):
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(asset.source, target)
    nav = site_nav(site.pages, site.notes, registry, [p.path for p in site.docs_pages])
    (out / ".nav.yml").write_text(yaml.safe_dump({"nav": nav}, allow_unicode=True, sort_keys=False), encoding="utf-8")
    css = out / STYLESHEET
    if not css.exists():
        css.parent.mkdir(parents=True, exist_ok=True)
        css.write_text(stylesheet(), encoding="utf-8")
    return site
