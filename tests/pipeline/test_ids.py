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
