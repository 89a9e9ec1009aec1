"""Rendered pages made safe and cut into search sections, on the helper processes.

MkDocs turns every page's Markdown into HTML first, and only then fills in the theme's templates.
Sanitizing the HTML of two thousand generated pages with nh3 and cutting it into search sections
costs well over a second, all of it on the core MkDocs renders on. So the plugin hands each page
to the note helpers as soon as MkDocs has rendered it, and takes the result back before the page's
template is filled in, by which time the helpers have long finished. Results are taken back in the
order the pages were handed over, so the search index numbers its sections the same way in every
build. Without helpers (small sites, or none could be started) the same is done on the spot.
"""

from __future__ import annotations

import concurrent.futures as cf
import logging
from collections import deque
from dataclasses import dataclass, field

from .safety import sanitize_html
from .search_index import Doc, page_docs
from .search_worker import doc_key

log = logging.getLogger("mkdocs.plugins.notekb")

PARALLEL_MIN = 200  # below this many pages, handing them to helpers costs more than it saves
BATCH_BYTES = 400_000  # HTML per message to a helper: one page per message costs too much
BATCH_PAGES = 32


@dataclass
class Prepared:
    """A page's HTML as it is published, and its search sections with their keys."""

    html: str
    docs: list[Doc] = field(default_factory=list)
    keys: list[str] = field(default_factory=list)


def prepare(html: str, url: str, title: str, sanitize: bool, index: bool) -> Prepared:
    """Sanitize a generated page (defence in depth: whatever a note smuggled through Markdown does
    not run) and cut it into search sections."""
    clean = sanitize_html(html) if sanitize else html
    docs = page_docs(clean, url, title) if index else []
    return Prepared(clean, docs, [doc_key(d) for d in docs])


def _prepare_batch(items: list[tuple[str, str, str, bool, bool]]) -> list[Prepared]:
    return [prepare(*item) for item in items]


class PageWorker:
    """Pages handed to an executor in batches; results come back in the order pages went in."""

    def __init__(self, executor: cf.Executor | None) -> None:
        self.executor = executor
        self.open: list[tuple[str, tuple]] = []  # (name, arguments) not yet sent
        self.open_bytes = 0
        # Batches in the order they were handed over: (names, arguments, future), or for a page
        # prepared already (from the cache), (names, None, its result).
        self.sent: deque[tuple[list, list[tuple] | None, cf.Future | list[Prepared] | None]] = deque()
        self.failed = False  # the executor broke; everything is done here from now on
        self.submitted = 0

    def submit(self, name: str, html: str, url: str, title: str, sanitize: bool, index: bool) -> None:
        self.open.append((name, (html, url, title, sanitize, index)))
        self.submitted += 1
        self.open_bytes += len(html)
        if self.open_bytes >= BATCH_BYTES or len(self.open) >= BATCH_PAGES:
            self._send()

    def add_done(self, name, prepared: Prepared) -> None:
        """A page prepared already (from the last build): it takes its turn behind the pages still
        with the helpers, so that results always come back in the order pages were rendered."""
        self._send()
        self.sent.append(([name], None, [prepared]))

    def _send(self) -> None:
        if not self.open:
            return
        names = [name for name, _ in self.open]
        items = [item for _, item in self.open]
        future = None
        if self.executor is not None and not self.failed:
            try:
                future = self.executor.submit(_prepare_batch, items)
            except (cf.process.BrokenProcessPool, RuntimeError) as exc:
                self._give_up(exc)
        self.sent.append((names, items, future))
        self.open, self.open_bytes = [], 0

    def ready(self, wait: bool = False) -> list[tuple[str, Prepared]]:
        """Results of the leading batches that are done (with wait, of every page handed over)."""
        if wait:
            self._send()
        out: list[tuple[str, Prepared]] = []
        while self.sent and (wait or not isinstance(self.sent[0][2], cf.Future) or self.sent[0][2].done()):
            names, items, future = self.sent.popleft()
            out += zip(names, self._result(items, future))
        return out

    def _result(self, items: list[tuple] | None, future) -> list[Prepared]:
        if items is None:  # prepared already
            return future
        if future is not None and not self.failed:
            try:
                return future.result()
            except Exception as exc:  # a broken helper must not break the build: do it here
                self._give_up(exc)
        return _prepare_batch(items)

    def _give_up(self, exc: BaseException) -> None:
        log.info(f"page processing in helper processes failed ({exc}); processing in this process")
        self.failed = True
