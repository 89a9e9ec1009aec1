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
    """The order in which the files under `folder` came into the project: their position in git's
    first-parent history (0 for the oldest), counted in commits, not by the dates a committer can
    set; a file renamed counts from its rename. Empty where there is no git or no history (the
    order then falls back to the file names)."""
    try:
        result = subprocess.run(
            ["git", "-c", "core.quotepath=off", "log", "--first-parent", "--no-renames", "--diff-filter=A", "--format=%x00", "--name-only", "--relative", "--", "."],
            cwd=folder, capture_output=True, text=True, timeout=30,
        )
    except (OSError, subprocess.SubprocessError):
        return {}
    if result.returncode != 0:
        return {}
    commits = [[name for name in chunk.split("\n") if name] for chunk in result.stdout.split("\0")[1:]]
    seen: dict[str, int] = {}
    for rank, names in enumerate(reversed(commits)):  # git lists the newest first
        for name in names:
            seen.setdefault(name, rank)
    return seen


def precedence(seen: dict[str, int]):
    """Who came first: the note first in the project's history, then the shallower path, then the
    first name (a folder that sorts first gives no precedence over history)."""
    return lambda rel: (seen.get(rel, float("inf")), rel.count("/"), rel)


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
        first = precedence(seen)
        order = sorted(rels, key=lambda rel: (note_id != natural_id(rel), first(rel)))
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


def dedupe_papers(notes: list[Note], folder: Path | None = None) -> tuple[list[Note], list[Diagnostic]]:
    """papers/<slug>/ stays with the paper that had it: where digests name different papers with
    the same short name, the note that came first (see precedence) keeps the slug and the others'
    papers get a suffix (the note and part are copied: the cache's notes are never altered)."""
    claims: dict[str, list[tuple[int, int, str]]] = defaultdict(list)  # slug -> (note, part, paper key)
    for n, note in enumerate(notes):
        for k, part in enumerate(note.parts):
            if part.target is not None and part.target.kind == "paper":
                claims[part.target.id].append((n, k, part.arxiv or part.title or ""))
    contested = {slug: c for slug, c in claims.items() if len({key for _, _, key in c}) > 1}
    if not contested:
        return notes, []
    first = precedence(git_first_seen(folder) if folder is not None else {})
    changed: dict[int, list] = {}
    problems = []
    for slug, claimants in contested.items():
        holder = min(claimants, key=lambda c: (first(notes[c[0]].rel), c[1]))[2]
        for n, k, key in claimants:
            if key == holder:
                continue
            part = notes[n].parts[k]
            suffix = (part.arxiv or hashlib.sha1(key.encode()).hexdigest()[:6]).replace(".", "-")
            parts = changed.setdefault(n, list(notes[n].parts))
            parts[k] = dataclasses.replace(part, target=dataclasses.replace(part.target, id=f"{slug}-{suffix}"))
            problems.append(Diagnostic(notes[n].rel, f"papers/{slug}/ is another paper's page; this paper is at papers/{slug}-{suffix}/", "info", part.line))
    return [dataclasses.replace(note, parts=changed[n]) if n in changed else note for n, note in enumerate(notes)], problems
