"""The work the MkDocs plugin hands to helper processes: notes, then rendered pages.

Two helpers (started once, kept across `mkdocs serve` rebuilds) clean and route the notes of a
large site, then take each page as soon as MkDocs has rendered it, sanitize it and cut it into
search sections (publish.prepare) while MkDocs renders the next; the results come back in the order
pages were handed over, before any template is filled in. Below PARALLEL_MIN notes or
PAGES_PARALLEL_MIN pages, or where helpers cannot start, the same work is done on the spot: the
site is the same either way.
"""

from __future__ import annotations

import concurrent.futures as cf
import logging
from collections import deque
from pathlib import Path

from notekb.pipeline import process_note
from notekb.pipeline.link import linker_for
from notekb.pipeline.route import matcher_for, topic_scores
from notekb.processes import start_helpers
from notekb.publish.prepare import Prepared, prepare
from notekb.records import Diagnostic, Note
from notekb.registry import Registry
from notekb.text import detect_lang, to_simplified

log = logging.getLogger("mkdocs.plugins.notekb")

NOTE_HELPERS = 2
PARALLEL_MIN = 48  # below this many notes, helper processes cost more than they save
PAGES_PARALLEL_MIN = 200  # below this many pages, handing them to helpers costs more than it saves
BATCH_BYTES = 400_000  # HTML per message to a helper: one page per message costs too much
BATCH_PAGES = 32


_WORKER_REGISTRY: dict[tuple[str | None, str], Registry] = {}


def _worker_registry(data_dir: str | None, fingerprint: str) -> Registry:
    """The registry in a helper process, the same data files as the build's: reloaded when they
    changed."""
    registry = _WORKER_REGISTRY.get((data_dir, fingerprint))
    if registry is None:
        _WORKER_REGISTRY.clear()
        registry = _WORKER_REGISTRY[(data_dir, fingerprint)] = Registry.load(data_dir, fingerprint)
    return registry


def warm_up(data_dir: str | None, fingerprint: str) -> None:
    """In a helper process, before the notes arrive: load the data files and build what every note
    needs (name scanners, OpenCC tables), while MkDocs is still reading its configuration."""
    registry = _worker_registry(data_dir, fingerprint)
    matcher_for(registry)
    linker_for(registry)
    topic_scores("模型架构", registry)
    detect_lang("這是繁體中文，这是简体中文。")
    to_simplified("這是", "zh-TW")


def _process_batch(batch: list[tuple[str, str]], data_dir: str | None, fingerprint: str) -> list[tuple[Note, list[Diagnostic]]]:
    """read -> clean -> route -> link for some notes, in a helper process."""
    registry = _worker_registry(data_dir, fingerprint)
    return [process_note(Path(path), rel, registry) for path, rel in batch]


def process_in(executor):
    """A `process` function for pipeline.build_site that spreads the notes over the executor's
    helper processes. A helper that has already processed notes has its tables and scanners built,
    so even one edited note goes to a helper. It returns the results and whether the helpers
    failed (the caller should stop using them)."""
    return lambda todo, registry: _process_all(todo, registry, executor)


def _process_all(todo: list[tuple[str, str]], registry: Registry, executor) -> tuple[list[tuple[Note, list[Diagnostic]]], bool]:
    if executor is not None and todo:
        size = max(8, len(todo) // 16)
        batches = [todo[k : k + size] for k in range(0, len(todo), size)]
        try:
            futures = [executor.submit(_process_batch, batch, registry.data_dir, registry.fingerprint) for batch in batches]
            results = [item for future in futures for item in future.result()]
            log.debug(f"helpers cleaned and routed {len(results)} of {len(todo)} notes sent in {len(batches)} batches")
            return results, False
        except Exception as exc:  # a broken helper must not break the build: do it here
            log.info(f"note processing in helper processes failed ({exc}); processing in this process")
            return [process_note(Path(path), rel, registry) for path, rel in todo], True
    return [process_note(Path(path), rel, registry) for path, rel in todo], False



class HelperPool:
    """The note helpers, started when a site is large enough and kept across rebuilds; dropped
    for the rest of the session when they break (their work is then done here)."""

    def __init__(self, enabled: bool = True) -> None:
        self.enabled = enabled
        self.pool: cf.ProcessPoolExecutor | None = None
        self.broken = False

    def get(self) -> cf.ProcessPoolExecutor | None:
        if self.pool is None and self.enabled and not self.broken:
            self.pool = start_helpers(NOTE_HELPERS)
            self.broken = self.pool is None
        return self.pool

    def warm_up(self, registry: Registry) -> None:
        """Start the helpers now, so that they load the data files while MkDocs reads its theme."""
        pool = self.get()
        if pool is not None:
            for _ in range(NOTE_HELPERS):
                pool.submit(warm_up, registry.data_dir, registry.fingerprint)

    def drop(self) -> None:
        if self.pool is not None:
            self.pool.shutdown(wait=False, cancel_futures=True)
        self.pool, self.broken = None, True

    def shutdown(self) -> None:
        if self.pool is not None:
            self.pool.shutdown(wait=True, cancel_futures=True)
            self.pool = None


def _prepare_batch(items: list[tuple]) -> list[Prepared]:
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

    def submit(self, name: str, arguments: tuple) -> None:
        """A page to prepare: `arguments` are publish.prepare's, the page's HTML first."""
        self.open.append((name, arguments))
        self.submitted += 1
        self.open_bytes += len(arguments[0])
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
