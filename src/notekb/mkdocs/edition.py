"""The Traditional edition across `mkdocs serve` rebuilds: a page whose copy would be the same as
the last build's is neither converted nor written again.

MkDocs empties the site folder at the start of every build (but leaves names that start with a
dot), so the last build's zh-Hant/ is moved aside under such a name before that (`set_aside`, in
on_pre_build) and back right after (`bring_back`, in on_files). A page's copy depends only on the
page as MkDocs wrote it, its content before and after conversion (publish.prepare), the titles kept
as written and the site's URL: when all are what they were, and the file is still the one written,
it stays. After the build, files the build did not make again (a deleted note's page, a search
records file past the end of the index) are removed, so the folder is what a fresh build writes.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path
from typing import NamedTuple

from notekb.publish.edition import EDITION
from notekb.publish.edition_site import EditionSite
from notekb.publish.prepare import Prepared

ASIDE = ".notekb-" + EDITION  # MkDocs' clean leaves hidden names in the site folder
Stamp = tuple[int, int, int]  # a written file's size, modification time and inode


def _stamp(path: str) -> Stamp | None:
    try:
        st = os.stat(path)
    except OSError:
        return None
    return (st.st_size, st.st_mtime_ns, st.st_ino)


class KeptPage(NamedTuple):
    """A page's copy in the edition as the last build wrote it (the key of what it was made of,
    and the file's stamp), and the Simplified page returned then, as made of the page MkDocs handed
    over: `recipe` holds texts of its own and (start, end) spans of that page."""

    key: int
    stamp: Stamp
    recipe: tuple[str | tuple[int, int], ...]


class KeptEdition(EditionSite):
    """EditionSite, keeping the copies of pages that did not change since `previous` was taken."""

    def __init__(self, site_dir, as_written=frozenset(), site_url=None, previous: dict[str, KeptPage] | None = None) -> None:
        super().__init__(site_dir, as_written, site_url)
        self.previous = previous or {}  # page -> its copy in the last build
        self.current: dict[str, KeptPage] = {}
        self.kept = 0
        self._out = str(self.out) + os.sep

    def write_page(self, path: str, output: str, prepared: Prepared | None = None) -> str:
        converted = prepared is not None and prepared.edition_html is not None
        key = hash((output, prepared.html if converted else None, prepared.edition_html if converted else None, self.as_written, self.site_url))
        last = self.previous.get(path)
        if last is not None and last.key == key and _stamp(self._out + path) == last.stamp:
            # The copy in place is the one EditionSite.write_page would write.
            self.account(path, prepared)
            self.current[path] = last
            self.kept += 1
            return made(output, last.recipe)
        page = super().write_page(path, output, prepared)
        stamp = _stamp(self._out + path)
        if stamp is not None:
            self.current[path] = KeptPage(key, stamp, recipe(output, page))
        return page


def recipe(output: str, page: str) -> tuple[str | tuple[int, int], ...]:
    """How `page` is made of `output` (see KeptPage): what they share at the ends of the part before
    <body> and of the rest, spans of `output`, the texts between, `page`'s own. Small for a page
    whose differences are the edition's links in its <head> and its language switch."""
    cut_a, cut_b = output.find("<body"), page.find("<body")
    if cut_a < 0 or cut_b < 0:
        parts = [(0, len(output), 0, len(page))]
    else:
        parts = [(0, cut_a, 0, cut_b), (cut_a, len(output), cut_b, len(page))]
    out: list[str | tuple[int, int]] = []
    for a0, a1, b0, b1 in parts:
        head, tail = common_ends(output, page, a0, a1, b0, b1)
        out += [(a0, a0 + head), page[b0 + head : b1 - tail], (a1 - tail, a1)]
    return tuple(x for x in out if (x[0] != x[1] if isinstance(x, tuple) else x))


def made(output: str, recipe: tuple[str | tuple[int, int], ...]) -> str:
    return "".join(x if isinstance(x, str) else output[x[0] : x[1]] for x in recipe)


def common_ends(a: str, b: str, a0: int = 0, a1: int | None = None, b0: int = 0, b1: int | None = None, step: int = 4096) -> tuple[int, int]:
    """The lengths of the longest common prefix of a[a0:a1] and b[b0:b1], and of their longest
    common suffix in what follows it: compared a block at a time, then by halves within the block
    that differs."""
    a1 = len(a) if a1 is None else a1
    b1 = len(b) if b1 is None else b1
    limit = min(a1 - a0, b1 - b0)
    head = 0
    while head + step <= limit and a[a0 + head : a0 + head + step] == b[b0 + head : b0 + head + step]:
        head += step
    low, high = head, min(head + step, limit)
    while low < high:
        mid = (low + high + 1) // 2
        if a[a0 + low : a0 + mid] == b[b0 + low : b0 + mid]:
            low = mid
        else:
            high = mid - 1
    head, limit = low, limit - low
    tail = 0
    while tail + step <= limit and a[a1 - tail - step : a1 - tail] == b[b1 - tail - step : b1 - tail]:
        tail += step
    low, high = tail, min(tail + step, limit)
    while low < high:
        mid = (low + high + 1) // 2
        if a[a1 - mid : a1 - low] == b[b1 - mid : b1 - low]:
            low = mid
        else:
            high = mid - 1
    return head, low


class EditionKeeper:
    """What the plugin keeps of the edition from one build to the next (see the module's docstring)."""

    def __init__(self) -> None:
        self.site_dir: Path | None = None  # where the last complete build wrote its edition
        self.pages: dict[str, KeptPage] = {}
        self.aside: Path | None = None

    def set_aside(self, site_dir: str) -> None:
        """Before MkDocs empties the site folder: move the last build's edition out of its way."""
        root = Path(site_dir)
        aside = root / ASIDE
        if aside.exists():  # left by a build that failed before bringing it back
            shutil.rmtree(aside, ignore_errors=True)
        self.aside = None
        if self.site_dir != root.resolve() or not self.pages or not (root / EDITION).is_dir():
            self.pages = {}
            return
        try:
            os.rename(root / EDITION, aside)
        except OSError:
            self.pages = {}
            return
        self.aside = aside

    def bring_back(self) -> None:
        """After MkDocs emptied the site folder: the last build's edition in its place again."""
        aside, self.aside = self.aside, None
        if aside is None:
            return
        target = aside.parent / EDITION
        try:
            if target.exists():
                raise OSError(f"{target} exists")
            os.rename(aside, target)
        except OSError:
            shutil.rmtree(aside, ignore_errors=True)
            self.pages = {}

    def edition(self, site_dir: str, as_written: frozenset[str], site_url: str | None) -> KeptEdition:
        previous = self.pages if self.site_dir == Path(site_dir).resolve() else {}
        self.pages = {}  # until this build is complete
        return KeptEdition(site_dir, as_written, site_url, previous)

    def finished(self, edition: KeptEdition) -> None:
        """After EditionSite.finish: remove what this build did not make again, remember its pages."""
        if edition.previous:
            _prune(edition.root, edition.out)
        self.site_dir = edition.root.resolve()
        self.pages = edition.current

    def forget(self) -> None:
        """A build failed: the next one writes the edition afresh."""
        if self.aside is not None:
            shutil.rmtree(self.aside, ignore_errors=True)
            self.aside = None
        self.site_dir, self.pages = None, {}


def _prune(root: Path, out: Path) -> None:
    """Remove the files of the edition `out` whose counterpart in the site `root` is gone, and the
    folders left empty: the edition holds a copy of every file of the site and nothing else."""

    def walk(folder: str, counterpart: str) -> bool:  # whether `folder` is empty afterwards
        empty = True
        with os.scandir(folder) as entries:
            for entry in entries:
                there = os.path.join(counterpart, entry.name)
                if entry.is_dir(follow_symlinks=False):
                    if walk(entry.path, there):
                        os.rmdir(entry.path)
                    else:
                        empty = False
                elif os.path.isfile(there):
                    empty = False
                else:
                    os.unlink(entry.path)
        return empty

    if out.is_dir():
        walk(str(out), str(root))
