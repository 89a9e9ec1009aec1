"""Search indexing on the machine's other core, while MkDocs renders pages on this one.

Tokenizing every section with jieba is the largest part of the notes layer's work. The plugin
hands each rendered page's sections to a helper process as soon as MkDocs has rendered it; the
helper tokenizes them in the background (keeping the tokens across `mkdocs serve` rebuilds, so an
unchanged section is never tokenized twice) and, at the end of the build, writes the index. If the
helper cannot be started or fails, everything is done in this process instead: the index is the
same either way.
"""

from __future__ import annotations

import concurrent.futures as cf
import hashlib
import logging
import time
from pathlib import Path

from notekb.processes import start_helpers
from notekb.registry import Registry
from notekb.search.index import _WORDS_CACHE, Doc, IndexWriter, Weights, _jieba, index_doc

log = logging.getLogger("mkdocs.plugins.notekb")
SEND_EVERY = 200  # new sections per message to the helper

# In the helper process (or in this one, when there is no helper).
_REGISTRY: Registry | None = None
_DOCS: dict[str, tuple[Weights, str]] = {}  # section key -> (weights, record)
_WRITER = IndexWriter()


def doc_key(doc: Doc) -> str:
    return hashlib.sha1(f"{doc.url}\0{doc.page}\0{doc.title}\0{doc.boost}\0{doc.text}".encode()).hexdigest()


def _start(data_dir: str | None, registry: Registry | None = None) -> None:
    """Load the data files (or take the build's registry, in this process) and jieba's words."""
    global _REGISTRY
    _REGISTRY = registry or Registry.load(data_dir)
    _jieba(_REGISTRY)


def _tokenize(docs: list[tuple[str, Doc | None]]) -> None:
    """Index sections not seen before (a section already known comes without its text)."""
    for key, doc in docs:
        if key not in _DOCS and doc is not None:
            _DOCS[key] = index_doc(doc, _REGISTRY)


def _write_previous(out_dir: str) -> None:
    _WRITER.write_previous(Path(out_dir))


def _write(keys: list[str], out_dir: str, prewritten: bool = False) -> dict:
    started = time.perf_counter()
    alive = set(keys)
    for key in list(_DOCS):
        if key not in alive:
            del _DOCS[key]
    fresh = sum(1 for key in keys if key not in _WRITER.ids)
    _WRITER.update({key: _DOCS[key] for key in keys})
    updated = time.perf_counter()
    sizes = _WRITER.write(Path(out_dir), _REGISTRY, only_changed=prewritten)
    sizes["new_sections"] = fresh
    sizes["update_seconds"] = updated - started
    sizes["seconds"] = time.perf_counter() - started
    return sizes


def _reset() -> None:
    global _WRITER
    _DOCS.clear()
    _WORDS_CACHE.clear()  # jieba's words per run depend on the data files' words
    _WRITER = IndexWriter()


class Indexer:
    """Collects a build's sections, tokenizes them in the background, writes the index at the end."""

    def __init__(self, data_dir: str | None, helper: bool = True, registry: Registry | None = None) -> None:
        global _REGISTRY
        _REGISTRY = None  # a new indexer means new data files: nothing indexed in this process stays
        _reset()
        self.data_dir = data_dir
        self.registry = registry  # for indexing in this process, instead of loading the data again
        self.pool: cf.ProcessPoolExecutor | None = None
        self.pending: list[cf.Future] = []
        self.batch: list[tuple[str, Doc]] = []
        self.outbox: list[tuple[str, Doc | None]] = []  # not yet sent to the helper
        self.outbox_new = 0  # sections in the outbox sent with their text
        self.known: set[str] = set()  # sections the helper process holds
        self.waited = 0.0  # seconds the last build waited for the helper to finish tokenizing
        self.prewritten = False  # the helper is writing the last build's index files into this build
        self.finishing: cf.Future | None = None
        self.keys: list[str] = []
        self.local = not helper  # everything in this process

    def begin(self, out_dir: str | None = None) -> None:
        """A new build: forget the last build's sections (the helper keeps their tokens). With
        out_dir, the helper writes the last build's index files there while pages render."""
        # Sections of a build that failed before they were sent: the helper never got them.
        self.known.difference_update(key for key, doc in self.outbox if doc is not None)
        self.batch = []
        self.pending = []
        self.outbox = []
        self.outbox_new = 0
        self.prewritten = False
        self.finishing: cf.Future | None = None  # the helper writing this build's index
        self.keys: list[str] = []
        if self.pool is None and not self.local:
            self.pool = start_helpers(1, _start, self.data_dir)
            self.local = self.pool is None
        if self.pool is not None and out_dir and self.known:
            try:
                self.pending.append(self.pool.submit(_write_previous, out_dir))
                self.prewritten = True
            except (cf.process.BrokenProcessPool, RuntimeError) as exc:
                self._give_up(exc)

    def add(self, docs: list[Doc], keys: list[str]) -> None:
        """A rendered page's sections and their keys (doc_key)."""
        batch = list(zip(keys, docs))
        self.batch += batch
        if self.pool is not None:
            # Sections the helper already holds are sent by key only, and in batches: one message
            # per page costs more than tokenizing an unchanged page.
            known = self.known
            for key, doc in batch:
                if key in known:
                    self.outbox.append((key, None))
                else:
                    self.outbox.append((key, doc))
                    self.outbox_new += 1
                    known.add(key)
            if self.outbox_new >= SEND_EVERY or len(self.outbox) >= 20 * SEND_EVERY:
                self._send()

    def _send(self) -> None:
        if not self.outbox or self.pool is None:
            return
        try:
            self.pending.append(self.pool.submit(_tokenize, self.outbox))
        except (cf.process.BrokenProcessPool, RuntimeError) as exc:
            self._give_up(exc)
        self.outbox = []
        self.outbox_new = 0

    def start_finish(self, out_dir: str) -> None:
        """Every section of the build has been added: the helper writes the index while MkDocs fills
        in the pages' templates (it needs nothing from them). `finish` collects the result."""
        self.keys = list(dict.fromkeys(key for key, _ in self.batch))
        self.known = set(self.keys)
        self._send()
        self.finishing = None
        if self.pool is not None:
            try:
                self.finishing = self.pool.submit(_write, self.keys, out_dir, self.prewritten)
            except (cf.process.BrokenProcessPool, RuntimeError) as exc:
                self._give_up(exc)

    def finish(self, out_dir: str) -> dict:
        """Write the index (or wait for the helper writing it) and say what was written."""
        if self.finishing is None:
            self.start_finish(out_dir)
        finishing, self.finishing = self.finishing, None
        if finishing is not None:
            try:
                started = time.perf_counter()
                for future in self.pending:
                    future.result()
                self.waited = time.perf_counter() - started
                return finishing.result()
            except Exception as exc:  # whatever went wrong in the helper, index here instead
                self._give_up(exc)
        if _REGISTRY is None:
            _start(self.data_dir, self.registry)
        _tokenize(self.batch)
        return _write(self.keys, out_dir)

    def _give_up(self, exc: BaseException) -> None:
        log.warning(f"search helper process failed ({exc}); indexing in this process")
        self.close()
        self.local = True
        self.known = set()
        _reset()

    def close(self) -> None:
        if self.pool is not None:
            self.pool.shutdown(wait=True, cancel_futures=True)
            self.pool = None
