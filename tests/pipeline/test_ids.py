"""Note URLs: a note can never take the URL another note holds (issue #10)."""

from __future__ import annotations

import subprocess

from notekb.pipeline.ids import assign_ids


def test_a_file_names_own_id_wins_over_a_slug_whatever_the_folder_order():
    renamed, problems = assign_ids([("!a/impostor.md", "003_x"), ("003_x.txt", "003_x")])
    assert list(renamed) == ["!a/impostor.md"] and renamed["!a/impostor.md"].startswith("003_x-")
    assert problems[0].path == "!a/impostor.md" and "belongs to 003_x.txt" in problems[0].message


def test_the_note_committed_first_keeps_its_url(tmp_path):
    run = lambda *args: subprocess.run(["git", "-c", "user.name=t", "-c", "user.email=t@t", *args], cwd=tmp_path, check=True, capture_output=True)  # noqa: E731
    run("init", "-q")
    (tmp_path / "z.txt").write_text("old")
    run("add", "z.txt")
    run("commit", "-qm", "first")
    (tmp_path / "z.md").write_text("new")
    renamed, _ = assign_ids([("z.md", "z"), ("z.txt", "z")], tmp_path)
    assert list(renamed) == ["z.md"]  # without git, z.md would sort first
    renamed, _ = assign_ids([("z.md", "z"), ("z.txt", "z")])
    assert list(renamed) == ["z.txt"]


def test_suffixed_ids_never_collide_with_other_ids():
    claims = [("a.md", "a"), ("b/a.md", "a")]
    renamed, _ = assign_ids(claims)
    again, _ = assign_ids(claims + [(f"{renamed['b/a.md']}.md", renamed["b/a.md"])])
    assert len(set(again.values()) | {"a", renamed["b/a.md"]}) == 3


def _git(folder, *args, env=None):
    import os

    environment = dict(os.environ, **(env or {}))
    subprocess.run(["git", "-c", "user.name=t", "-c", "user.email=t@t", *args], cwd=folder, check=True, capture_output=True, env=environment)


def test_a_forged_commit_date_does_not_win_a_url(tmp_path):
    _git(tmp_path, "init", "-q")
    (tmp_path / "victim.md").write_text("old")
    _git(tmp_path, "add", "victim.md")
    _git(tmp_path, "commit", "-qm", "first")
    (tmp_path / "Victim.txt").write_text("new")
    _git(tmp_path, "add", "Victim.txt")
    _git(tmp_path, "commit", "-qm", "later", env={"GIT_COMMITTER_DATE": "2001-01-01T00:00:00", "GIT_AUTHOR_DATE": "2001-01-01T00:00:00"})
    renamed, _ = assign_ids([("Victim.txt", "victim"), ("victim.md", "victim")], tmp_path)
    assert list(renamed) == ["Victim.txt"]


def test_a_renamed_note_keeps_its_url_against_a_newcomer(tmp_path):
    _git(tmp_path, "init", "-q")
    (tmp_path / "old").mkdir()
    (tmp_path / "old" / "note.md").write_text("x")
    _git(tmp_path, "add", "-A")
    _git(tmp_path, "commit", "-qm", "first")
    _git(tmp_path, "mv", "old", "moved")
    _git(tmp_path, "commit", "-qm", "moved")
    (tmp_path / "note.txt").write_text("new")
    renamed, _ = assign_ids([("note.txt", "note"), ("moved/note.md", "note")], tmp_path)
    assert list(renamed) == ["note.txt"]  # untracked: it came last, though its path is shallower


def test_paper_pages_stay_with_the_paper_that_had_them(tmp_path):
    from notekb.pipeline.ids import dedupe_papers
    from notekb.records import Note, Part, Target

    def digest(rel: str, arxiv: str) -> Note:
        part = Part(anchor="ella", title="ELLA: x", sections=[], arxiv=arxiv)
        part.target = Target("paper", "ella")
        return Note(id=rel, rel=rel, digest="", title="t", lang="en", parts=[part], is_digest=True)

    _git(tmp_path, "init", "-q")
    (tmp_path / "b.md").write_text("first")
    _git(tmp_path, "add", "b.md")
    _git(tmp_path, "commit", "-qm", "first")
    notes, problems = dedupe_papers([digest("!evil.md", "2401.00001"), digest("b.md", "2403.05135")], tmp_path)
    assert [n.parts[0].target.id for n in notes] == ["ella-2401-00001", "ella"]
    assert problems[0].path == "!evil.md"
