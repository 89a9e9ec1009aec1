"""`notekb check`: what a contributor runs before opening a pull request.

`check_paths` reads each note the way the site build does (`read.read_note`, then the whole
pipeline through `pipeline.process_note`) and adds the checks that only matter to a contributor:

* the file cannot be used at all: not UTF-8 / UTF-16 with BOM / GB18030, binary, empty, over
  `read.MAX_BYTES`, broken front matter (these are `read.NoteError`s) -> error;
* front matter problems from `read.validate_front_matter`: unknown model, lang or slug, a date that
  is not a date -> error; an unknown field -> warning;
* (read.decode rejects Shift-JIS, Latin-1 or EUC-KR bytes that would decode as GB18030 mojibake);
* unsafe HTML or links in the text (<script>, <iframe>, <object>, <embed>, on...= attributes,
  javascript: URLs), outside code -> error with the line (the site strips them anyway);
* the same text as another note (whitespace, full-/half-width forms and front matter ignored)
  -> warning naming both files;
* doubts: a note that routes to no model and is not a digest -> warning "lands on other notes".

Every check is a plain function over text, so that tests can call them without a file.
"""

from __future__ import annotations

import dataclasses
import hashlib
import html
import re
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterable

from notekb.formats.html import unsafe_url
from notekb.pipeline import process_note
from notekb.pipeline.ids import assign_ids
from notekb.pipeline.read import MAX_ID, NOTE_SUFFIXES, find_notes, inside, read_note, scan_notes_folder
from notekb.records import Diagnostic, Note, NoteError, RawNote
from notekb.registry import Registry
from notekb.spans import CODE_KINDS, mask, scan

SHOWN_LEVELS = ("error", "warning")


# ---------------------------------------------------------------------------------------------
# Which files


@dataclass(frozen=True)
class NoteFile:
    """A file to check: where it is, its path relative to the notes folder, and how to name it."""

    path: Path
    rel: str  # relative to the site's notes folder when it is inside it (as the build sees it)
    display: str  # as the user named it: "notes/003_x.txt", "tests/data/bad/empty.txt"


def _rel(path: Path, notes_dir: Path | None) -> str:
    if notes_dir is not None:
        try:
            return path.resolve().relative_to(notes_dir.resolve()).as_posix()
        except ValueError:
            pass
    return path.name


def collect(paths: Iterable[str | Path], notes_dir: str | Path | None = None) -> tuple[list[NoteFile], list[Diagnostic]]:
    """Expand files and folders (every .md/.txt/.markdown at any depth) into NoteFiles, once each."""
    notes_root = Path(notes_dir) if notes_dir is not None else None
    files: list[NoteFile] = []
    problems: list[Diagnostic] = []
    seen: set[Path] = set()

    def add(path: Path, display: str) -> None:
        key = path.resolve()
        if key not in seen:
            seen.add(key)
            files.append(NoteFile(path, _rel(path, notes_root), display))

    for arg in paths:
        arg = Path(arg)
        if arg.is_dir():
            folder = scan_notes_folder(arg)
            if not folder.notes:
                problems.append(Diagnostic(arg.as_posix(), f"no notes here (no {', '.join(NOTE_SUFFIXES)} files)", "warning"))
            problems += [dataclasses.replace(d, path=(arg / d.path).as_posix()) for d in folder.refused]
            for path, rel in folder.notes:
                add(path, (arg / rel).as_posix())
        elif arg.is_symlink() and not inside(notes_root if notes_root is not None else arg.parent, arg):
            problems.append(Diagnostic(arg.as_posix(), "symbolic link to a file outside the notes folder: not read, not published", "error"))
        elif arg.is_file():
            if arg.suffix.lower() not in NOTE_SUFFIXES:
                problems.append(
                    Diagnostic(arg.as_posix(), f"the site only reads {', '.join(NOTE_SUFFIXES)} files: rename it or it will be left out", "warning")
                )
            add(arg, arg.as_posix())
        else:
            problems.append(Diagnostic(arg.as_posix(), "no such file or folder", "error"))
    return files, problems


# ---------------------------------------------------------------------------------------------
# Checks on text


def _line(text: str, offset: int) -> int:
    return text.count("\n", 0, offset) + 1


def mask_code(text: str) -> str:
    """The text with fenced code blocks and `inline code` blanked out (same length, same lines).

    Code is shown as text on the site, so `<script>` in a code block is safe and is not reported.
    What is code is decided by spans.scan, as for the site itself."""
    return mask(text, CODE_KINDS)


_UNSAFE_TAGS = {
    "script": "runs code in the reader's browser",
    "iframe": "embeds another web page",
    "frame": "embeds another web page",
    "frameset": "embeds other web pages",
    "object": "embeds a plugin or another document",
    "embed": "embeds a plugin or another document",
    "applet": "embeds a Java applet",
}
_TAG_RE = re.compile(rf"(?<!\\)<({'|'.join(sorted(_UNSAFE_TAGS, key=len, reverse=True))})(?![\w-])", re.I)
_ANY_TAG_RE = re.compile(r"(?<!\\)<([a-z][\w:-]*)(?=[\s/])[^<>]*>", re.I)
_ATTR_LIST_RE = re.compile(r"\{:?[ \t][^{}\n]*\}")
_HANDLER_RE = re.compile(r"(?:^|[\s\"'/])(on[a-z]+)\s*=", re.I)
# Where a URL starts: Markdown links and images, reference definitions, autolinks, HTML attributes.
_URL_START_RE = re.compile(
    r"\]\(\s*<?"
    r"|^[ \t]{0,3}\[[^\]\n]+\]:[ \t]*<?"
    r"|(?<!\\)<(?=[a-z][a-z0-9+.-]*:)"
    r"|(?<![\w-])(?:href|src|action|formaction|xlink:href|data|poster|background|cite)\s*=\s*[\"']?",
    re.I | re.M,
)


def unsafe_html(text: str, path: str, first_line: int = 1) -> list[Diagnostic]:
    """Script tags, embedded pages and plugins, event handlers and javascript: URLs, with their line."""
    masked = mask_code(text)
    found: dict[tuple[int, str], Diagnostic] = {}

    def report(offset: int, message: str) -> None:
        line = _line(masked, offset) + first_line - 1
        found.setdefault((line, message), Diagnostic(path, message, "error", line))

    for match in _TAG_RE.finditer(masked):
        tag = match.group(1).lower()
        report(match.start(), f"unsafe HTML: <{tag}> {_UNSAFE_TAGS[tag]}; the site removes it. Delete it, or put it in `code` to show it as text")
    for match in _ANY_TAG_RE.finditer(masked):
        # Entities in an attribute's value are characters to a browser: a value can hide a tag.
        for attr in _HANDLER_RE.finditer(html.unescape(match.group(0)) if "&" in match.group(0) else match.group(0)):
            name = attr.group(1).lower()
            report(match.start() + attr.start(1), f"unsafe HTML: event handler attribute {name}= on <{match.group(1).lower()}> runs code; the site removes it. Delete it")
    for match in _ATTR_LIST_RE.finditer(masked):
        for attr in _HANDLER_RE.finditer(match.group(0)):
            report(match.start() + attr.start(1), f"unsafe attribute: event handler {attr.group(1).lower()}= in an attribute list runs code; delete it")
    for match in _URL_START_RE.finditer(masked):
        candidate = re.split(r"[)\"'<>]", masked[match.end() : match.end() + 200], maxsplit=1)[0]
        if unsafe_url(candidate):  # the same rule the site applies (entities, tabs, case see-through)
            url = re.sub(r"[\x00-\x20]", "", html.unescape(candidate)).lower()
            scheme = "data:text/html" if url.startswith("data:text/html") else url.split(":", 1)[0] + ":"
            report(match.end(), f"unsafe link: a {scheme} URL runs code when clicked; the site removes it. Use an http(s) link")
    return sorted(found.values(), key=lambda d: d.line or 0)


_INVISIBLE = re.compile(r"[\s\u200b-\u200d\u2060\ufeff]+")


def duplicate_key(body: str) -> str | None:
    """What two copies of one note have in common: NFKC, no whitespace, case folded; front matter is
    already gone from `body`. None for a note with no text."""
    squashed = _INVISIBLE.sub("", unicodedata.normalize("NFKC", body)).casefold()
    return hashlib.sha256(squashed.encode("utf-8")).hexdigest() if squashed else None


_ODD_NAME = re.compile(r"[<>\"'&`\x00-\x1f\x7f]")


def name_doubts(note: Note, rel: str, path: str) -> list[Diagnostic]:
    """A file name or title that is safe on the site (shown as text) but is not what a note's
    name should be: markup, characters that links and shells handle badly, a name too long for
    its URL, a title that looks like one of the theme's own ids."""
    out = []
    name = rel.rsplit("/", 1)[-1]
    if _ODD_NAME.search(name):
        out.append(Diagnostic(path, "the file name contains <, >, &, quotes or control characters: rename the file (the site shows the name as text)", "warning"))
    stem = name.rsplit(".", 1)[0]
    if len(stem) > MAX_ID and not note.id.startswith(stem.lower()):
        out.append(Diagnostic(path, f"the file name is {len(stem)} characters long: its URL is shortened to notes/{note.id}/", "warning"))
    for title, line in [(note.title, None)] + [(p.title, p.line) for p in note.parts if p.title]:
        if any(span.kind in ("tag", "comment") for span in scan(title).spans):
            out.append(Diagnostic(path, f"the title contains HTML markup ({title[:60]}): it is shown as text", "warning", line))
    if note.title.startswith("_"):
        out.append(Diagnostic(path, "the title starts with '_', like the theme's own element ids: its anchor gets an 'h' in front", "warning"))
    return out


def other_notes_doubts(note: Note, path: str) -> list[Diagnostic]:
    """A whole note (not a digest) that lands on "other notes" rather than on a model page."""
    if note.is_digest:
        return []
    out = []
    for part in note.parts:
        target = part.target
        if target is None or target.kind != "other":
            continue
        reason = next((e.split(":", 1)[1].strip() for e in reversed(target.evidence) if e.startswith("→ other notes:")), None)
        reason = reason or "no model of the registry is named"
        out.append(
            Diagnostic(path, f"lands on other notes: {reason}. Add 'model: <id>' to the front matter if it is about a model", "warning")
        )
    return out


# ---------------------------------------------------------------------------------------------
# The whole check


def _unreadable(note: Note) -> bool:
    """process_note gave up on the note (it shows as plain text); its error says why."""
    return any(p.target is not None and any(e.startswith("unreadable:") for e in p.target.evidence) for p in note.parts)


@dataclass
class Checked:
    """What checking one file gave: its diagnostics, and what is needed to compare it with others."""

    file: NoteFile
    diagnostics: list[Diagnostic] = field(default_factory=list)
    raw: RawNote | None = None
    note: Note | None = None
    key: str | None = None


def check_file(file: NoteFile, registry: Registry) -> Checked:
    """Every check that looks at one file alone."""
    display = file.display
    checked = Checked(file)

    def at(diagnostic: Diagnostic) -> Diagnostic:
        return dataclasses.replace(diagnostic, path=display)

    model_ids = [m.id for m in registry.models]
    try:
        data = file.path.read_bytes()  # once: the checks below share these bytes
        raw, _ = read_note(file.path, file.rel, model_ids, data)
    except NoteError as exc:
        checked.diagnostics.append(at(exc.diagnostic))
        return checked
    except OSError as exc:
        checked.diagnostics.append(Diagnostic(display, f"cannot read file: {exc.strerror or exc}", "error"))
        return checked
    except Exception as exc:  # a bug in reading must not hide the other files' problems
        checked.diagnostics.append(Diagnostic(display, f"internal error while reading this note ({type(exc).__name__}: {exc})", "error"))
        return checked
    checked.raw = raw
    note, problems = process_note(file.path, file.rel, registry, data)
    checked.note = note
    checked.diagnostics += [at(d) for d in problems]
    checked.diagnostics += unsafe_html(raw.text, display, raw.first_line)
    if not _unreadable(note):
        checked.diagnostics += other_notes_doubts(note, display)
        checked.diagnostics += name_doubts(note, file.rel, display)
    checked.key = duplicate_key(raw.text)
    return checked


def check_paths(
    paths: Iterable[str | Path],
    registry: Registry,
    notes_dir: str | Path | None = None,
    levels: tuple[str, ...] = SHOWN_LEVELS,
) -> list[Diagnostic]:
    """Check files and folders; return their diagnostics (errors and warnings), file by file.

    Notes in `notes_dir` that are not being checked are read too, so that a new note that copies one
    already there is reported; their own problems are not.
    """
    files, diagnostics = collect(paths, notes_dir)
    originals: dict[str, str] = {}
    claims: list[tuple[str, str]] = []  # (relative path, id asked for) of every note, for the URLs
    checked_paths = {f.path.resolve() for f in files}
    if notes_dir is not None and Path(notes_dir).is_dir():
        for path, rel in find_notes(Path(notes_dir)):
            if path.resolve() in checked_paths:
                continue
            try:
                raw, _ = read_note(path, rel)
            except (NoteError, OSError, ValueError):
                continue
            claims.append((rel, raw.id))
            key = duplicate_key(raw.text)
            if key:
                originals.setdefault(key, (Path(notes_dir) / rel).as_posix())
    results = [check_file(file, registry) for file in files]
    claims += [(c.file.rel, c.raw.id) for c in results if c.raw is not None]
    _, taken = assign_ids(claims, Path(notes_dir) if notes_dir is not None and Path(notes_dir).is_dir() else None)
    taken_by_rel = {d.path: d for d in taken}
    for checked in results:
        file = checked.file
        found = checked.diagnostics
        if file.rel in taken_by_rel and checked.raw is not None:
            found.append(dataclasses.replace(taken_by_rel[file.rel], path=file.display))
        if checked.key:
            if checked.key in originals:
                found.append(
                    Diagnostic(
                        file.display,
                        f"duplicate note: same text as {originals[checked.key]} (once whitespace, full-width forms and front matter are ignored); keep only one of them",
                        "warning",
                    )
                )
            else:
                originals[checked.key] = file.display
        found.sort(key=lambda d: (d.line or 0))
        diagnostics += [d for d in found if d.level in levels]
    return diagnostics
