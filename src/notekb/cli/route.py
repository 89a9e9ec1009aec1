"""`notekb route`: where each note (each paper of a digest) lands on the site, and why."""

from __future__ import annotations

import dataclasses

from notekb.cli.check import SHOWN_LEVELS, NoteFile, _unreadable
from notekb.pages.markdown import OTHERS_PATH, family_path, model_path, note_path, paper_path
from notekb.pipeline import process_note
from notekb.records import Diagnostic, Target
from notekb.registry import Registry


def target_url(target: Target) -> str:
    """The site address a part lands on: models/<id>/, families/<id>/, papers/<slug>/ or others/."""
    if target.kind == "model":
        page = model_path(target.id)
    elif target.kind == "family":
        page = family_path(target.id)
    elif target.kind == "paper":
        page = paper_path(target.id)
    else:
        page = OTHERS_PATH
    return page.removesuffix(".md") + "/"


def _short(title: str, width: int = 100) -> str:
    title = " ".join(title.split())
    return title if len(title) <= width else title[: width - 1] + "…"


def route_report(file: NoteFile, registry: Registry) -> tuple[list[str], list[Diagnostic], bool]:
    """Lines saying where each part of one note lands and why, the note's problems, and whether it
    could be read at all."""
    note, problems = process_note(file.path, file.rel, registry)
    problems = [dataclasses.replace(d, path=file.display) for d in problems if d.level in SHOWN_LEVELS]
    if _unreadable(note):
        return [f"{file.display}: cannot be read; shown as plain text on notes/{note.id}/"], problems, False
    page = note_path(note.id).removesuffix(".md") + "/"
    lines: list[str] = []
    if note.is_digest or len(note.parts) > 1:
        lines.append(f"{file.display}: digest of {len(note.parts)} papers (note page {page})")
        for part in note.parts:
            assert part.target is not None
            title = _short(part.title or part.subtitle or part.anchor or "(untitled)")
            lines.append(f'  part "{title}" → {target_url(part.target)}')
            lines += [f"      {e}" for e in part.target.evidence]
            if part.target.members:
                lines.append(f"      linked from: {', '.join(target_url(Target('model', m)) for m in part.target.members)}")
    else:
        part = note.parts[0]
        assert part.target is not None
        lines.append(f"{file.display} → {target_url(part.target)}  (note page {page})")
        lines += [f"    {e}" for e in part.target.evidence]
        if part.target.members:
            lines.append(f"    linked from: {', '.join(target_url(Target('model', m)) for m in part.target.members)}")
    return lines, problems, True
