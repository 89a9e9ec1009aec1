"""Stage 1, read: bytes -> text, front matter -> fields.

Notes arrive as whatever an editor or a blog export produced. We accept UTF-8 (with or without BOM),
UTF-16 with a BOM, and GB18030 (which covers GBK and GB2312); anything else is an error that names
the file and, where there is one, the line of the first bad byte.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import os
import re
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

import yaml

from notekb.text import slugify
from notekb.records import Diagnostic, NoteError, RawNote

MAX_BYTES = 1_000_000
NOTE_SUFFIXES = (".md", ".txt", ".markdown")
FRONT_MATTER_FIELDS = {
    "title": "the note's title",
    "model": "the model the note is about (an id from the registry)",
    "lang": "zh-Hans, zh-Hant, zh-TW, zh-HK, ko or en",
    "author": "who wrote the note",
    "date": "when it was written (YYYY-MM-DD)",
    "source": "the URL it was first published at",
    "tags": "a list of words",
    "slug": "the note's id in its URL (letters, digits, - and _)",
}
LANGS = ("zh-Hans", "zh-Hant", "zh-TW", "zh-HK", "zh-MO", "ko", "en")
_SLUG_RE = re.compile(r"[A-Za-z0-9][A-Za-z0-9_-]{0,99}\Z")


_HAN_GAP = re.compile(r"[\u4e00-\u9fff] [\u4e00-\u9fff]")


def _looks_korean(data: bytes, as_chinese: str) -> bool:
    """Korean in EUC-KR/CP949 also decodes as GB18030, into common Chinese characters; it gives
    itself away by reading as Hangul in CP949 and by its spaces between words, which Chinese does
    not have."""
    try:
        korean = data.decode("cp949")
    except UnicodeDecodeError:
        return False
    non_ascii = [c for c in korean if ord(c) > 0x7F]
    hangul = sum(1 for c in non_ascii if "\uac00" <= c <= "\ud7a3")
    han = sum(1 for c in as_chinese if "\u4e00" <= c <= "\u9fff")
    gaps = len(_HAN_GAP.findall(as_chinese))
    return bool(non_ascii) and hangul >= 0.5 * len(non_ascii) and han > 0 and gaps >= 0.08 * han


def _in_gb2312(char: str) -> bool:
    try:
        char.encode("gb2312")
        return True
    except UnicodeEncodeError:
        return False


def _line_of(data: bytes, offset: int) -> int:
    return data.count(b"\n", 0, offset) + 1


def decode(data: bytes, path: str) -> tuple[str, str]:
    """Decode a note's bytes; return (text, encoding name) or raise NoteError naming the file."""
    if data.startswith(b"\xef\xbb\xbf"):
        encoding = "utf-8-sig"
    elif data.startswith((b"\xff\xfe", b"\xfe\xff")):
        encoding = "utf-16"
    else:
        encoding = "utf-8"
    if encoding == "utf-8" and b"\x00" in data:
        raise NoteError(Diagnostic(path, "binary file (contains NUL bytes), not a text note", "error", _line_of(data, data.index(b"\x00"))))
    try:
        return data.decode(encoding), encoding
    except UnicodeDecodeError as exc:
        if encoding != "utf-8":
            raise NoteError(Diagnostic(path, f"cannot decode as {encoding.upper()} although it starts with its BOM: {exc.reason}", "error", _line_of(data, exc.start))) from None
        utf8_error = exc
    try:
        text = data.decode("gb18030")
    except UnicodeDecodeError:
        text = None
    if text is not None:
        # Any byte soup decodes as GB18030; Chinese text decodes to common characters. Shift-JIS,
        # EUC-KR or Latin-1 read this way turn into rare characters outside GB2312.
        non_ascii = [c for c in text if ord(c) > 0x7F]
        common = sum(1 for c in non_ascii if _in_gb2312(c))
        korean = _looks_korean(data, text)
        if korean:
            raise NoteError(Diagnostic(path, "unsupported encoding: this looks like Korean saved as EUC-KR/CP949 (it would read as garbled Chinese); save the file as UTF-8", "error", 1))
        if non_ascii and common >= 0.9 * len(non_ascii):
            return text, "gb18030"
    raise NoteError(
        Diagnostic(
            path,
            "unsupported encoding: not UTF-8, UTF-16 with BOM, or GB18030/GBK "
            f"(first byte that is not UTF-8: 0x{data[utf8_error.start]:02x}); save the file as UTF-8",
            "error",
            _line_of(data, utf8_error.start),
        )
    )


MAX_FRONT_MATTER = 16_384  # bytes; real front matter is a few hundred
MAX_FRONT_MATTER_DEPTH = 8  # nesting of lists and mappings


class _FrontMatterLoader(yaml.SafeLoader):
    """SafeLoader that leaves timestamps as strings (validate_front_matter checks dates itself and
    reports an impossible one, 2024-02-30, with its line instead of crashing), refuses aliases
    (`*name`: a few hundred bytes of them expand to billions of items) and deep nesting."""

    _depth = 0

    def compose_node(self, parent, index):
        if self.check_event(yaml.AliasEvent):
            raise yaml.composer.ComposerError(None, None, "front matter may not use YAML aliases (*name); write the value out", self.peek_event().start_mark)
        if self._depth >= MAX_FRONT_MATTER_DEPTH:
            raise yaml.composer.ComposerError(None, None, f"front matter is nested more than {MAX_FRONT_MATTER_DEPTH} levels deep", self.peek_event().start_mark)
        self._depth += 1
        try:
            return super().compose_node(parent, index)
        finally:
            self._depth -= 1


_FrontMatterLoader.yaml_implicit_resolvers = {
    key: [(tag, regex) for tag, regex in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for key, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


def split_front_matter(text: str, path: str) -> tuple[dict, str, int, list[Diagnostic]]:
    """Split optional YAML front matter off the text: (fields, body, body's first line, diagnostics)."""
    if not text.startswith("---\n"):
        return {}, text, 1, []
    end = re.search(r"^(?:---|\.\.\.)[ \t]*$", text[4:], re.M)
    if not end:
        return {}, text, 1, [Diagnostic(path, "front matter starts with '---' but has no closing '---'; read as text", "warning", 1)]
    raw = text[4 : 4 + end.start()]
    if len(raw.encode("utf-8")) > MAX_FRONT_MATTER:
        raise NoteError(Diagnostic(path, f"front matter is {len(raw.encode('utf-8')):,} bytes, over the {MAX_FRONT_MATTER:,}-byte limit", "error", 1))
    body = text[4 + end.end() :].lstrip("\n")
    first_line = text[: len(text) - len(body)].count("\n") + 1
    try:
        meta = yaml.load(raw, Loader=_FrontMatterLoader)
    except RecursionError:
        raise NoteError(Diagnostic(path, "front matter is nested too deeply", "error", 1)) from None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        context = getattr(exc, "context_mark", None)
        # At the end of the text (an unclosed quote) the problem is where the context began.
        if context is not None and (mark is None or mark.line >= raw.count("\n")):
            mark = context
        line = mark.line + 2 if mark is not None else 1
        problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
        raise NoteError(Diagnostic(path, f"front matter is not valid YAML: {problem}", "error", line)) from None
    if meta is None:
        meta = {}
    if not isinstance(meta, dict):
        raise NoteError(Diagnostic(path, f"front matter must be a mapping of fields, got {type(meta).__name__}", "error", 2))
    return meta, body, first_line, []


def _field_line(text: str, key: str) -> int | None:
    match = re.search(rf"^{re.escape(str(key))}\s*:", text, re.M)
    return text.count("\n", 0, match.start()) + 1 if match else None


def validate_front_matter(meta: dict, text: str, path: str, model_ids: list[str] | None) -> tuple[dict, list[Diagnostic]]:
    """Keep the fields we know, normalised; report unknown fields and bad values with their line."""
    clean: dict = {}
    problems: list[Diagnostic] = []
    for key, value in meta.items():
        line = _field_line(text, key)
        if key not in FRONT_MATTER_FIELDS:
            known = ", ".join(FRONT_MATTER_FIELDS)
            problems.append(Diagnostic(path, f"unknown front matter field '{key}' (known fields: {known})", "warning", line))
            continue
        if value is None or value == "":
            continue
        if key == "date":
            if isinstance(value, dt.datetime):
                value = value.date()
            if isinstance(value, dt.date):
                clean["date"] = value.isoformat()
                continue
            try:
                clean["date"] = dt.date.fromisoformat(str(value).strip()).isoformat()
            except ValueError:
                problems.append(Diagnostic(path, f"date '{value}' is not a date (expected YYYY-MM-DD)", "error", line))
        elif key == "model":
            value = str(value).strip()
            if model_ids is not None and value not in model_ids:
                problems.append(Diagnostic(path, f"unknown model '{value}' (known models: {', '.join(model_ids)})", "error", line))
            else:
                clean["model"] = value
        elif key == "lang":
            value = str(value).strip()
            if value not in LANGS:
                problems.append(Diagnostic(path, f"unknown lang '{value}' (expected one of: {', '.join(LANGS)})", "error", line))
            else:
                clean["lang"] = value
        elif key == "tags":
            clean["tags"] = [str(t) for t in value] if isinstance(value, list) else [t.strip() for t in str(value).split(",") if t.strip()]
        elif key == "slug":
            value = str(value).strip()
            if value.lower() in RESERVED_IDS:
                problems.append(Diagnostic(path, f"slug '{value}' is taken by the list of notes (notes/{value}/); choose another name", "error", line))
            elif not _SLUG_RE.match(value):
                problems.append(Diagnostic(path, f"slug '{value}' would put the note's page outside the site's notes/ folder (notes/{value}/); a slug is a single name: letters, digits, '-' and '_' only", "error", line))
            else:
                clean["slug"] = value
        elif key == "source":
            value = str(value).strip()
            if not re.match(r"https?://", value):
                problems.append(Diagnostic(path, f"source '{value}' is not an http(s) URL", "warning", line))
            else:
                clean["source"] = value
        else:
            clean[key] = str(value).strip()
    return clean, problems


RESERVED_IDS = {"index"}  # notes/index.md is the list of notes


MAX_ID = 80  # characters of a note id (a file name on the site: notes/<id>/index.html)


def note_id(rel: str, meta: dict) -> str:
    """The note's URL id: its front matter slug, else its file name made URL-safe.

    A long name keeps its first words and gains a hash of its path, so that two long names that
    start alike never share an id and no file name on the site grows past what file systems take."""
    if meta.get("slug"):
        return meta["slug"]
    stem = Path(rel).stem
    short = hashlib.sha1(rel.encode()).hexdigest()[:8]
    if re.fullmatch(r"[A-Za-z0-9][A-Za-z0-9_-]*", stem) and stem.lower() not in RESERVED_IDS and len(stem) <= MAX_ID:
        return stem.lower()
    # Names with spaces or CJK characters keep a readable part plus a short hash of the path.
    slug = slugify(stem, ascii_only=True).strip("-")[: MAX_ID - 9].strip("-")
    return f"{slug}-{short}" if slug else f"note-{short}"


def natural_id(rel: str) -> str:
    """The id a note gets from its file name alone (a front matter slug asks for another)."""
    return note_id(rel, {})


def read_note(path: Path, rel: str, model_ids: list[str] | None = None, data: bytes | None = None) -> tuple[RawNote, list[Diagnostic]]:
    """Read one note file (or its bytes, read already). Raises NoteError for a file that cannot
    be used at all."""
    data = path.read_bytes() if data is None else data
    if len(data) > MAX_BYTES:
        raise NoteError(Diagnostic(rel, f"file is {len(data):,} bytes, over the {MAX_BYTES:,}-byte limit for a note", "error"))
    text, encoding = decode(data, rel)
    text = text.replace("\r\n", "\n").replace("\r", "\n").lstrip("\ufeff")
    if not text.strip():
        raise NoteError(Diagnostic(rel, "empty note (no text)", "error", 1))
    meta, body, first_line, problems = split_front_matter(text, rel)
    meta, more = validate_front_matter(meta, text, rel, model_ids)
    problems += more
    if not body.strip():
        raise NoteError(Diagnostic(rel, "note has front matter but no text", "error", first_line))
    raw = RawNote(
        rel=rel,
        id=note_id(rel, meta),
        text=body,
        first_line=first_line,
        meta=meta,
        encoding=encoding,
        digest=hashlib.sha256(data).hexdigest(),
        source_dir=str(path.parent),
        root=str(path.parents[len(PurePosixPath(rel).parts) - 1]),
    )
    return raw, problems


@dataclass
class NotesFolder:
    """What is under the notes folder: the notes, the other files, and links refused."""

    notes: list[tuple[Path, str]] = field(default_factory=list)  # (path, relative path), in a stable order
    others: list[str] = field(default_factory=list)  # relative paths of files that are not notes
    refused: list[Diagnostic] = field(default_factory=list)  # symbolic links that lead outside


def inside(root: str | Path, path: str | Path) -> bool:
    """Whether `path`, with every symbolic link resolved, is inside the folder `root` (resolved)."""
    real_root = os.path.realpath(root)
    real = os.path.realpath(path)
    return real == real_root or real.startswith(real_root.rstrip(os.sep) + os.sep)


def scan_notes_folder(notes_dir: Path) -> NotesFolder:
    """Every .md/.txt/.markdown file under the folder, at any depth, in a stable order. Hidden
    files and folders (".git", ".DS_Store") are skipped. Symbolic links are followed only where
    they stay inside the folder: nothing outside `notes/` is ever read (a link to ../../.git/config
    or /proc/self/environ would publish it); a folder that is a link is not entered."""
    found = NotesFolder()
    notes: list[str] = []
    root = str(notes_dir)
    for folder, subfolders, names in os.walk(root):
        prefix = os.path.relpath(folder, root).replace(os.sep, "/") + "/"
        prefix = "" if prefix == "./" else prefix
        for name in list(subfolders):
            full = os.path.join(folder, name)
            if name.startswith("."):
                subfolders.remove(name)
            elif os.path.islink(full):
                subfolders.remove(name)
                where = "outside the notes folder" if not inside(root, full) else "to another folder of notes"
                level = "error" if where.startswith("outside") else "info"
                found.refused.append(Diagnostic(prefix + name, f"symbolic link to a folder {where}: not followed", level))
        for name in names:
            if name.startswith("."):
                continue
            full = os.path.join(folder, name)
            rel = prefix + name
            if os.path.islink(full) and not inside(root, full):
                found.refused.append(Diagnostic(rel, "symbolic link to a file outside the notes folder: not read, not published", "error"))
            elif not os.path.isfile(full):
                continue
            elif os.path.splitext(name)[1].lower() in NOTE_SUFFIXES:
                notes.append(rel)
            else:
                found.others.append(rel)
    # In the order of their path components, as sorting Paths gives ("a/x" before "a-b/x").
    found.notes = [(notes_dir / rel, rel) for rel in sorted(notes, key=lambda rel: rel.split("/"))]
    found.others.sort()
    found.refused.sort(key=lambda d: d.path)
    return found


def find_notes(notes_dir: Path) -> list[tuple[Path, str]]:
    """The notes under the folder (see scan_notes_folder): (path, relative path)."""
    return scan_notes_folder(notes_dir).notes
