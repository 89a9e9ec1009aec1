"""Note URLs that no note can take from another, and paper URLs that stay apart.

`assign_ids` decides who keeps `notes/<id>/` when several notes want it; `dedupe_papers` keeps
two digests' papers with the same short name on pages of their own.
"""

from __future__ import annotations

import dataclasses
import hashlib
import subprocess
from collections import defaultdict
from pathlib import Path

from notekb.pipeline.read import natural_id
from notekb.records import Diagnostic, Note


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
