"""The Traditional edition as files: `zh-Hant/` beside the built site, the same paths below it.

Engine-neutral: MkDocs hands each page over as it is written (`write_page`, with the content that
publish.prepare converted already), and `finish` does the rest after the build, as it does for a
site another engine built: every other page is converted whole, every other file (stylesheets,
scripts, images) linked into the edition (a hard link where the file system allows, else a copy),
the sitemap listed again under the edition's URL, and the search index given the edition's words.

The search index needs no second build: its postings are of folded text (Traditional and
Simplified fold alike), so the edition shares them; only the section records, the text a result
shows, are the edition's own: taken from the converted page (so Korean, code, and what a note
wrote in Traditional Chinese show as written), or converted as text when no page gave them.
"""

from __future__ import annotations

import gzip
import html
import json
import os
import re
import shutil
from collections import defaultdict, deque
from pathlib import Path

from notekb.publish.edition import EDITION, converted_lang, edition_page, link_editions, select_edition, shared_converter
from notekb.publish.prepare import Prepared
from notekb.search.index import MAX_DOC_TEXT, Doc
from notekb.text import KANA_RUNS

EDITION_SCRIPT = "assets/notekb-edition.js"  # carries the reader's place across the switch
# The theme's language switch (Material's `extra.alternate`), each edition named in its own script;
# publish.edition points its links at the same page in the other edition.
ALTERNATE = [
    {"name": "简体中文", "link": "./", "lang": "zh-Hans"},
    {"name": "繁體中文", "link": f"{EDITION}/", "lang": EDITION},
]
SEARCH = "search"
RECORDS = "d"  # search/d/*.json: the section records (search.index)
_LOC = re.compile(r"<loc>([^<]*)</loc>")


def kept_titles(pages) -> frozenset[str]:
    """The titles (as HTML text) the edition keeps as written: those of pages whose title a note
    wrote in Traditional Chinese or another language the edition does not convert."""
    return frozenset(html.escape(p.title, quote=False) for p in pages if p.title_lang and not converted_lang(p.title_lang))


def edition_script() -> str:
    return (Path(__file__).parent / "assets" / "edition.js").read_text(encoding="utf-8")


class EditionSite:
    """One build's Traditional edition, written into `site_dir`/zh-Hant/."""

    def __init__(self, site_dir: str | Path, as_written: frozenset[str] = frozenset(), site_url: str | None = None) -> None:
        self.root = Path(site_dir)
        self.site_url = site_url
        self.as_written = as_written  # titles kept as written (publish.edition.convert_page)
        self.out = self.root / EDITION
        self.written: set[str] = set()  # pages written already (site paths, "models/gemma/index.html")
        self.docs: dict[str, deque[Doc]] = defaultdict(deque)  # record URL -> its sections in the edition

    def write_page(self, path: str, output: str, prepared: Prepared | None = None) -> str:
        """Write the Traditional copy of the built page `path` (its HTML `output`); returns the
        Simplified page as it is to be written (with its links to the edition)."""
        if prepared is not None and prepared.edition_html is not None:
            copy = edition_page(output, prepared.html, prepared.edition_html, self.as_written)
        else:
            copy = edition_page(output, as_written=self.as_written)
        _write(self.out / path, link_editions(copy, path, True, self.site_url))
        self.account(path, prepared)
        return link_editions(select_edition(output, "hans"), path, False, self.site_url)

    def account(self, path: str, prepared: Prepared | None) -> None:
        """What a page's copy brings to the edition besides its file: its search records, and that
        `finish` need not make it (also for a copy kept from the last build, mkdocs/edition.py)."""
        if prepared is not None and prepared.edition_html is not None:
            for doc in prepared.edition_docs:
                self.docs[doc.url].append(doc)
        self.written.add(path)

    def finish(self) -> None:
        """Everything the build wrote that no `write_page` call gave: converted or linked."""
        for source in sorted(self.root.rglob("*")):
            if not source.is_file() or source.is_relative_to(self.out):
                continue
            path = source.relative_to(self.root).as_posix()
            if path in self.written:
                continue
            target = self.out / path
            if path.endswith(".html"):
                _write(source, self.write_page(path, source.read_text(encoding="utf-8")))
            elif path.startswith(f"{SEARCH}/{RECORDS}/") and path.endswith(".json"):
                _write(target, self._records(source.read_text(encoding="utf-8")))
            elif path == "sitemap.xml":
                _write(target, _sitemap(source.read_text(encoding="utf-8"), self.site_url))
            elif path == "sitemap.xml.gz":
                target.parent.mkdir(parents=True, exist_ok=True)
                target.write_bytes(gzip.compress(_sitemap(gzip.decompress(source.read_bytes()).decode("utf-8"), self.site_url).encode("utf-8"), mtime=0))
            else:
                _link(source, target)

    def _records(self, text: str) -> str:
        """A file of search records with the edition's page titles, section titles and text."""
        records = json.loads(text)
        converter = shared_converter()
        for record in records:
            if not isinstance(record, dict):  # a place kept for a section no longer in the site
                continue
            known = self.docs.get(record.get("u", ""))
            if known:
                doc = known.popleft()
                record.update(p=doc.page, t=doc.title, x=doc.text[:MAX_DOC_TEXT])
                continue
            for field in ("p", "t", "x"):  # no converted page gave it: convert its text (not Japanese)
                value = record.get(field)
                if isinstance(value, str) and not KANA_RUNS.search(value):
                    record[field] = converter.convert(value)
        return json.dumps(records, ensure_ascii=False, separators=(",", ":"))


def _sitemap(xml: str, site_url: str | None) -> str:
    """The sitemap of the edition: every address under the site's URL moved below zh-Hant/."""
    if not site_url:
        return xml
    base = site_url if site_url.endswith("/") else site_url + "/"
    return _LOC.sub(lambda m: f"<loc>{base}{EDITION}/{m.group(1)[len(base):]}</loc>" if m.group(1).startswith(base) else m.group(), xml)


def _write(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")


def _link(source: Path, target: Path) -> None:
    """The same file in the edition: a hard link (no copy on disk), else a copy."""
    target.parent.mkdir(parents=True, exist_ok=True)
    target.unlink(missing_ok=True)
    try:
        os.link(source, target)
    except OSError:
        shutil.copy2(source, target)
