"""Links between notes, known once every note is: an Obsidian `[[Another note]]` or `[[A paper]]`
(`nkb:find/…`, written by formats.obsidian) pointed at that note's page (its heading, where the link
names one) or that paper's page, by file name, title or note id in any case and spacing; what names
no note or paper becomes text."""

from __future__ import annotations

import dataclasses
from pathlib import PurePosixPath
from urllib.parse import unquote

from notekb.formats.markdown import plain_inline, retarget
from notekb.pipeline.sections import heading_keys
from notekb.records import Note
from notekb.text import match_key

PREFIX = "nkb:find/"


def resolve_finds(notes: list[Note]) -> list[Note]:
    """The notes, with every nkb:find/ link resolved (a note is copied only where it has one)."""
    if not any(PREFIX in s.body for n in notes for p in n.parts for s in p.sections):
        return notes
    names: dict[str, tuple[str, Note | None]] = {}  # name key -> (nkb target, note)
    for note in notes:
        for part in note.parts:
            if part.title and part.target is not None and part.target.kind == "paper":
                for name in (part.title, part.title.split(":")[0], part.target.id):
                    names.setdefault(match_key(name), (f"nkb:paper/{part.target.id}", None))
        for name in (note.id, PurePosixPath(note.rel).stem, plain_inline(note.title)):
            names.setdefault(match_key(name), (f"nkb:note/{note.id}", note))

    def resolve(target: str) -> str | None:
        name, _, heading = unquote(target[len(PREFIX) :]).partition("#")
        found = names.get(match_key(name))
        if found is None:
            return None
        link, note = found
        if heading and note is not None:
            wanted = heading_keys(heading)
            anchor = next((s.anchor for p in note.parts for s in p.sections if s.title and wanted & heading_keys(s.title)), None)
            return f"{link}#{anchor}" if anchor else link
        return link

    out = []
    for note in notes:
        if not any(PREFIX in s.body for p in note.parts for s in p.sections):
            out.append(note)
            continue
        parts = [
            dataclasses.replace(part, sections=[dataclasses.replace(s, body=retarget(s.body, (PREFIX,), resolve)) for s in part.sections])
            for part in note.parts
        ]
        out.append(dataclasses.replace(note, parts=parts))
    return out
