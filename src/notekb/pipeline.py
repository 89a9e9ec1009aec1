"""The whole pipeline, notes folder in, pages out: read -> clean -> route -> link -> render.

`build_site` is what the MkDocs plugin and `notekb export` call. One bad note never takes the
others down: a note that cannot be read, or that trips over a bug in a later stage, is reported
with its file name and still gets a page that shows its text as escaped plain text.

Cleaning, routing and linking a note depend only on its bytes, its path and the registry, so their result is
cached by (path, sha256 of the bytes): a `mkdocs serve` rebuild after one edit re-processes only the
edited note.
"""

from __future__ import annotations

import dataclasses
import hashlib
import html
import logging
import subprocess
import traceback
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

from .clean import clean_note
from .link import link_note, linker_for
from .registry import Registry
from .read import NOTE_SUFFIXES, natural_id, read_note, scan_notes_folder
from .render import display_title, render_site
from .route import matcher_for, route_note, topic_scores
from .text import detect_lang, to_simplified
from .records import Asset, Diagnostic, Note, NoteError, Page, Part, Section, Target

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
    body = f'<div class="nkb-error" markdown>\n\n**这篇笔记无法处理**：{html.escape(diagnostic.message)}\n\n</div>\n\n<pre class="nkb-raw">{shown}</pre>'
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


def git_first_seen(folder: Path) -> dict[str, int]:
    """When each file under `folder` was first committed (Unix time), from git's history; empty
    where there is no git or no history (the order then falls back to the file names)."""
    try:
        result = subprocess.run(
            ["git", "-c", "core.quotepath=off", "log", "--diff-filter=A", "--format=%x00%ct", "--name-only", "--relative", "--", "."],
            cwd=folder, capture_output=True, text=True, timeout=20,
        )
    except (OSError, subprocess.SubprocessError):
        return {}
    if result.returncode != 0:
        return {}
    seen: dict[str, int] = {}
    when = 0
    for line in result.stdout.splitlines():
        if line.startswith("\0"):
            when = int(line[1:] or 0)
        elif line:
            seen[line] = min(seen.get(line, when), when)
    return seen


def assign_ids(claims: list[tuple[str, str]], folder: Path | None = None) -> tuple[dict[str, str], list[Diagnostic]]:
    """Give every note a URL of its own (notes/<id>/), from (relative path, id it asks for).

    Where several ask for one id, it goes to the note whose file name gives it (a front matter
    slug never takes the URL of another note's file name), then to the note first committed to git,
    then to the shallower path and the first name: a new note never moves an existing note's URL,
    whatever folder it sits in. The others get their id with a suffix from a hash of their path,
    and an error that says so. Returns {relative path: new id} for the notes that moved."""
    wanted: dict[str, list[str]] = defaultdict(list)
    for rel, note_id in claims:
        wanted[note_id].append(rel)
    contested = {i: rels for i, rels in wanted.items() if len(rels) > 1}
    if not contested:
        return {}, []
    seen = git_first_seen(folder) if folder is not None else {}
    taken = set(wanted)
    renamed: dict[str, str] = {}
    problems = []
    for note_id, rels in contested.items():
        order = sorted(rels, key=lambda rel: (note_id != natural_id(rel), seen.get(rel, float("inf")), rel.count("/"), rel))
        for rel in order[1:]:
            digest = hashlib.sha1(rel.encode()).hexdigest()
            k = 6
            while f"{note_id}-{digest[:k]}" in taken:
                k += 2
            new = renamed[rel] = f"{note_id}-{digest[:k]}"
            taken.add(new)
            problems.append(
                Diagnostic(rel, f"the URL notes/{note_id}/ belongs to {order[0]}; this note is published at notes/{new}/ (choose another file name or slug)", "error")
            )
    return renamed, problems


def _dedupe_papers(notes: list[Note]) -> list[Note]:
    """Two digests may name different papers with the same short name; later ones get a suffix
    (the note and part are copied: the cache's notes are never altered)."""
    seen: dict[str, str] = {}
    out = []
    for note in notes:
        parts = None
        for k, part in enumerate(note.parts):
            target = part.target
            if target is None or target.kind != "paper":
                continue
            key = part.arxiv or part.title or ""
            if target.id in seen and seen[target.id] != key:
                suffix = (part.arxiv or hashlib.sha1(key.encode()).hexdigest()[:6]).replace(".", "-")
                target = dataclasses.replace(target, id=f"{target.id}-{suffix}")
                parts = parts or list(note.parts)
                parts[k] = dataclasses.replace(part, target=target)
            seen.setdefault(target.id, key)
        out.append(dataclasses.replace(note, parts=parts) if parts else note)
    return out


def _not_a_note(rel: str) -> str:
    """Why a file under notes/ is not on the site as a note (nothing there is skipped silently)."""
    if rel.lower().endswith((".png", ".jpg", ".jpeg", ".gif", ".webp", ".avif")):
        return "an image, not a note: published where a note shows it"
    return f"not a note (notes are {', '.join(NOTE_SUFFIXES)} files): left out"


def _titled(note: Note, registry: Registry) -> Note:
    """The note with the title its pages show (a copy only where that differs)."""
    title = display_title(note, registry)
    return note if title == note.title else dataclasses.replace(note, title=title)


PARALLEL_MIN = 48  # below this many notes, helper processes cost more than they save
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


def _process_all(todo: list[tuple[str, str]], registry: Registry, executor) -> tuple[list[tuple[Note, list[Diagnostic]]], bool]:
    """Process notes, spread over the executor's helper processes if there is one (the caller
    starts helpers for a large site only: PARALLEL_MIN). A helper that has already processed notes
    has its tables and scanners built, so even one edited note goes to a helper.

    Returns the results and whether the helpers failed (the caller should stop using them)."""
    if executor is not None and todo:
        size = max(8, len(todo) // 16)
        batches = [todo[k : k + size] for k in range(0, len(todo), size)]
        try:
            futures = [executor.submit(_process_batch, batch, registry.data_dir, registry.fingerprint) for batch in batches]
            return [item for future in futures for item in future.result()], False
        except Exception as exc:  # a broken helper must not break the build: do it here
            log.info(f"note processing in helper processes failed ({exc}); processing in this process")
            return [process_note(Path(path), rel, registry) for path, rel in todo], True
    return [process_note(Path(path), rel, registry) for path, rel in todo], False


def build_site(notes_dir: str | Path, registry: Registry | None = None, cache: NoteCache | None = None, docs_pages: list[Page] = (), executor=None) -> Site:
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
    results, helpers_failed = _process_all(todo, registry, executor)
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
    notes = _dedupe_papers([_titled(dataclasses.replace(n, id=renamed[n.rel]) if n.rel in renamed else n, registry) for n in notes])
    assets = list({a.path: a for n in notes for a in n.assets}.values())
    pages, extra = render_site(notes, registry, docs_pages, cache.pages if cache is not None else None)
    return Site(pages=pages, notes=notes, assets=assets, diagnostics=diagnostics, counts=extra["counts"], docs_pages=extra["docs"], processed=processed, helpers_failed=helpers_failed)
