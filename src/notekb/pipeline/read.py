"""Stage 1, read: bytes -> text, front matter -> fields (pipeline.frontmatter), the notes folder.

Notes arrive as whatever an editor or a blog export produced. We accept UTF-8 (with or without BOM),
UTF-16 with a BOM, and GB18030 (which covers GBK and GB2312); anything else is an error that names
the file and, where there is one, the line of the first bad byte.
"""

from __future__ import annotations

import hashlib
import os
import re
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

from notekb.pipeline.frontmatter import RESERVED_IDS, split_front_matter, validate_front_matter
from notekb.records import Diagnostic, NoteError, RawNote
from notekb.text import slugify, visible

MAX_BYTES = 1_000_000
NOTE_SUFFIXES = (".md", ".markdown", ".mdx", ".txt")


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
    text = visible(text.replace("\r\n", "\n").replace("\r", "\n"))
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
