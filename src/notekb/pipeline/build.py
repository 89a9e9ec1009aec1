"""The whole pipeline, notes folder in, pages out: read -> clean -> route -> link -> render.

`build_site` is what the MkDocs plugin and `notekb export` call. One bad note never takes the
others down: a note that cannot be read, or that trips over a bug in a later stage, is reported
with its file name and still gets a page that shows its text as escaped plain text.

Cleaning, routing and linking a note depend only on its bytes, its path and the registry, so their
result is cached by (path, sha256 of the bytes): a `mkdocs serve` rebuild after one edit
re-processes only the edited note. Many notes can be processed elsewhere (helper processes): the
caller passes a `process` function for that.
"""

from __future__ import annotations

import dataclasses
import hashlib
import html
import logging
import traceback
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

from notekb.pages import render_site, titled
from notekb.pipeline.clean import clean_note
from notekb.pipeline.crosslinks import resolve_finds
from notekb.pipeline.ids import assign_ids, dedupe_papers
from notekb.pipeline.link import link_note
from notekb.pipeline.read import NOTE_SUFFIXES, read_note, scan_notes_folder
from notekb.pipeline.route import route_note
from notekb.records import Asset, Diagnostic, Note, NoteError, Page, Part, Section, Target
from notekb.registry import Registry
from notekb.text import UI_LANG


log = logging.getLogger("mkdocs.plugins.notekb")


@dataclass
class Site:
    """Everything the front doors need: pages to write, files to copy, and what went wrong."""

    pages: list[Page]
    notes: list[Note]
    assets: list[Asset] = field(default_factory=list)
    diagnostics: list[Diagnostic] = field(default_factory=list)
    counts: dict[str, int] = field(default_factory=dict)
    docs_pages: list[Page] = field(default_factory=list)  # hand-written pages, overview filled in, backlinks added
    processed: int = 0  # notes cleaned and routed in this build (the rest came from the cache)
    helpers_failed: bool = False  # the helper processes broke; the notes were processed here


@dataclass
class NoteCache:
    """Cleaned and routed notes keyed by (relative path, content hash)."""

    entries: dict[tuple[str, str], tuple[Note, list[Diagnostic]]] = field(default_factory=dict)
    pages: dict = field(default_factory=dict)  # render.py's memo stores and link graphs (see render._memo)
    stats: dict = field(default_factory=dict)  # path -> (mtime, size, sha256) of the last build

    def prune(self, alive: set[tuple[str, str]]) -> None:
        for key in list(self.entries):
            if key not in alive:
                del self.entries[key]
        rels = {rel for rel, _ in alive}
        for rel in [r for r in self.stats if r not in rels]:
            del self.stats[rel]


def unreadable_note(path: Path, rel: str, diagnostic: Diagnostic, data: bytes | None = None) -> Note:
    """A note we could not process still appears: its bytes as escaped plain text, and why."""
    if data is None:
        try:
            data = path.read_bytes()
        except OSError:
            data = b""
    data = data[:200_000]
    text = data.decode("utf-8", errors="replace").replace("\x00", "\ufffd")
    # <pre> with every character escaped: nothing in the bytes can end it early or become markup.
    shown = html.escape(text).replace("\n", "&#10;")
    body = f'<div class="nkb-error"{UI_LANG} markdown>\n\n**这篇笔记无法处理**：{html.escape(diagnostic.message)}\n\n</div>\n\n<pre class="nkb-raw">{shown}</pre>'
    note_id = "unreadable-" + hashlib.sha1(rel.encode()).hexdigest()[:10]
    part = Part(anchor="", title=None, sections=[Section("text", None, 0, body, 1, "zh-Hans", topic="overview")])
    part.target = Target("other", note_id, [f"unreadable: {diagnostic.message}"])
    return Note(id=note_id, rel=rel, digest=hashlib.sha256(data).hexdigest(), title=Path(rel).name, lang="zh-Hans", parts=[part], diagnostics=[diagnostic])


def process_note(path: Path, rel: str, registry: Registry, data: bytes | None = None) -> tuple[Note, list[Diagnostic]]:
    """read -> clean -> route -> link for one file (or its bytes, read already), never raising."""
    model_ids = [m.id for m in registry.models]
    try:
        raw, problems = read_note(path, rel, model_ids, data)
    except NoteError as exc:
        return unreadable_note(path, rel, exc.diagnostic, data), [exc.diagnostic]
    except OSError as exc:
        diagnostic = Diagnostic(rel, f"cannot read file: {exc.strerror or exc}", "error")
        return unreadable_note(path, rel, diagnostic), [diagnostic]
    except Exception as exc:  # a bug in reading must not take the site down either
        diagnostic = Diagnostic(rel, f"internal error while reading this note ({type(exc).__name__}: {exc}); shown as plain text", "error")
        return unreadable_note(path, rel, diagnostic), [diagnostic]
    try:
        note = link_note(route_note(clean_note(raw, registry), registry), registry)
    except Exception as exc:  # a bug must not take the site down; it is reported, with the file
        diagnostic = Diagnostic(rel, f"internal error while processing this note ({type(exc).__name__}: {exc}); shown as plain text", "error")
        log.debug("".join(traceback.format_exception(exc)))
        return unreadable_note(path, rel, diagnostic, data), problems + [diagnostic]
    for removal in note.removed:
        problems.append(Diagnostic(rel, f"removed boilerplate ({removal.rule}): {removal.text[:60]}", "debug", removal.line))
    return note, problems + note.diagnostics


def _not_a_note(rel: str) -> str:
    """Why a file under notes/ is not on the site as a note (nothing there is skipped silently)."""
    if rel.lower().endswith((".png", ".jpg", ".jpeg", ".gif", ".webp", ".avif")):
        return "an image, not a note: published where a note shows it"
    return f"not a note (notes are {', '.join(NOTE_SUFFIXES)} files): left out"


def process_here(todo: list[tuple[str, str]], registry: Registry) -> tuple[list[tuple[Note, list[Diagnostic]]], bool]:
    """read -> clean -> route -> link for (path, relative path) pairs, in this process: the
    results, and False (nothing failed that should be tried elsewhere)."""
    return [process_note(Path(path), rel, registry) for path, rel in todo], False


Processor = Callable[[list[tuple[str, str]], Registry], tuple[list[tuple[Note, list[Diagnostic]]], bool]]


def build_site(notes_dir: str | Path, registry: Registry | None = None, cache: NoteCache | None = None, docs_pages: list[Page] = (), process: Processor = process_here) -> Site:
    """Run the pipeline over every note under `notes_dir`.

    `docs_pages` are the hand-written pages (home, contributing): they take part in the link
    graph, so that they show what links to them and the pages they link to show them."""
    registry = registry or Registry.load()
    notes_dir = Path(notes_dir)
    notes: list[Note] = []
    diagnostics: list[Diagnostic] = []
    if not notes_dir.is_dir():
        diagnostics.append(Diagnostic(str(notes_dir), "notes folder not found", "error"))
        files = []
    else:
        folder = scan_notes_folder(notes_dir)
        files = folder.notes
        diagnostics += folder.refused
        diagnostics += [Diagnostic(rel, _not_a_note(rel), "info") for rel in folder.others]
    keys = []
    stats = cache.stats if cache is not None else {}
    for path, rel in files:
        try:
            stat = path.stat()
            known = stats.get(rel)
            if known and known[:2] == (stat.st_mtime_ns, stat.st_size):
                digest = known[2]  # unchanged since the last build: no need to read it again
            else:
                digest = hashlib.sha256(path.read_bytes()).hexdigest()
                stats[rel] = (stat.st_mtime_ns, stat.st_size, digest)
            key = (rel, digest)
        except OSError:
            key = (rel, "")
        keys.append(key)
    alive = set(keys)
    cached = cache.entries if cache is not None else {}
    todo = [(str(path), rel) for (path, rel), key in zip(files, keys) if key not in cached]
    results, helpers_failed = process(todo, registry)
    fresh = dict(zip([rel for _, rel in todo], results))
    processed = len(todo)
    for (path, rel), key in zip(files, keys):
        if key in cached:
            note, problems = cached[key]
        else:
            note, problems = fresh[rel]
            if cache is not None:
                cache.entries[key] = (note, problems)
        notes.append(note)
        diagnostics += problems
    if cache is not None:
        cache.prune(alive)
    # The cache's notes are shared between builds and never altered: what changes is copied.
    renamed, taken = assign_ids([(n.rel, n.id) for n in notes], notes_dir)
    diagnostics += taken
    notes, moved = dedupe_papers(titled([dataclasses.replace(n, id=renamed[n.rel]) if n.rel in renamed else n for n in notes], registry), notes_dir)
    diagnostics += moved
    notes = resolve_finds(notes)
    assets = list({a.path: a for n in notes for a in n.assets}.values())
    pages, extra = render_site(notes, registry, docs_pages, cache.pages if cache is not None else None)
    return Site(pages=pages, notes=notes, assets=assets, diagnostics=diagnostics, counts=extra["counts"], docs_pages=extra["docs"], processed=processed, helpers_failed=helpers_failed)
