"""Images beside a note: only raster images, recognised by content, under their real extension;
nothing outside the notes folder."""

from __future__ import annotations

from pathlib import Path

from notekb.pipeline.images import Images, sniff

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32


def images(tmp_path: Path) -> Images:
    notes = tmp_path / "notes"
    (notes / "n").mkdir(parents=True)
    return Images(str(notes), str(notes / "n"), "nabc")


def put(folder: Path, name: str, data: bytes) -> None:
    (folder / name).parent.mkdir(parents=True, exist_ok=True)
    (folder / name).write_bytes(data)


def test_types_are_recognised_by_their_first_bytes():
    assert sniff(PNG) == "png" and sniff(b"\xff\xd8\xff\xe0") == "jpeg" and sniff(b"GIF89a") == "gif"
    assert sniff(b"RIFF\x00\x00\x00\x00WEBPVP8 ") == "webp" and sniff(b"\x00\x00\x00\x1cftypavif") == "avif"
    assert sniff(b"<svg") is None and sniff(b"<html>") is None


def test_only_real_images_are_published(tmp_path):
    found = images(tmp_path)
    folder = Path(found.source_dir)
    put(folder, "fig.png", PNG)
    put(folder, "img/a b.jpeg", b"\xff\xd8\xff" + b"\x00" * 20)
    put(folder, "evil.html", b"<script>alert(1)</script>")
    put(folder, "evil.svg", b"<svg><script>alert(1)</script></svg>")
    put(folder, "fake.png", b"<!doctype html><script>alert(1)</script>")
    put(folder, "polyglot.html", PNG + b"<script>alert(1)</script>")
    assert found.place("fig.png", 1) == "assets/notes/nabc/fig.png"
    assert found.place("img/a%20b.jpeg", 2).endswith(".jpg") and " " not in found.place("img/a%20b.jpeg", 2)
    assert found.place("evil.html", 3) is None and found.place("evil.svg", 4) is None and found.place("fake.png", 5) is None
    polyglot = found.place("polyglot.html", 6)
    assert polyglot.endswith(".png")  # published as what it is, never as a page
    assert {line for line, _, _ in found.refused} == {3, 4, 5}
    assert all(not site.endswith((".html", ".svg")) for site in found.copies)


def test_nothing_outside_the_notes_folder_is_read(tmp_path):
    found = images(tmp_path)
    put(tmp_path, "secret.png", PNG)
    (Path(found.source_dir) / "link.png").symlink_to(tmp_path / "secret.png")
    assert found.place("link.png", 1) is None
    assert found.place("../../secret.png", 2) is None
    assert found.place("/etc/passwd", 3) is None and found.place("file:///etc/passwd", 4) is None
    assert [level for _, level, _ in found.refused] == ["error", "error"]
    assert found.copies == {}
