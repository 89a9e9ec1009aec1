"""A `mkdocs serve` rebuild keeps the Traditional edition's copy of every page that did not change
(neither converted nor written again, mkdocs.edition): the site folder must still be exactly what
a fresh build writes."""

from __future__ import annotations

import filecmp
import random
import sys

from conftest import ROOT, make_project, mkdocs_build

from notekb.mkdocs.edition import common_ends, made, recipe

sys.path.insert(0, str(ROOT / "bench"))
from corpus import generate  # noqa: E402


def _files(site) -> list[str]:
    return sorted(p.relative_to(site).as_posix() for p in site.rglob("*") if p.is_file())


def _folders(site) -> list[str]:
    return sorted(p.relative_to(site).as_posix() for p in site.rglob("*") if p.is_dir())


def _same_site(fresh, served) -> None:
    """Every file and folder the same, but the search index: its sections keep their numbers
    across rebuilds (search.index), so after a note is deleted they differ from a fresh build's."""
    ours = lambda files: [f for f in files if not f.startswith(("search/", "zh-Hant/search/"))]  # noqa: E731
    files = ours(_files(fresh))
    assert files == ours(_files(served))
    assert ours(_folders(fresh)) == ours(_folders(served))
    _, mismatch, errors = filecmp.cmpfiles(fresh, served, files, shallow=False)
    assert not mismatch and not errors, mismatch[:10]


def _rebuild(project, site_dir):
    """As `mkdocs serve` does: the configuration read again, the plugin instance kept."""
    from mkdocs.commands.build import build
    from mkdocs.config import load_config

    config = load_config(str(project / "mkdocs.yml"), site_dir=str(site_dir))
    build(config, serve_url="http://127.0.0.1:8000/")
    return config.plugins["notekb"]


def test_a_rebuild_keeps_the_copies_of_unchanged_pages_and_writes_what_a_fresh_build_writes(tmp_path):
    (tmp_path / "project").mkdir()
    project = make_project(tmp_path / "project")
    generate(project / "notes" / "corpus", 12)
    config = project / "mkdocs.yml"
    config.write_text("site_url: http://127.0.0.1:8000/\n" + config.read_text(encoding="utf-8"), encoding="utf-8")
    served = tmp_path / "served"
    notes = sorted((project / "notes" / "corpus").rglob("*.*"))
    try:
        plugin = _rebuild(project, served)
        assert plugin.edition.kept == 0
        (served / "zh-Hant" / "stray.html").write_text("not from this build", encoding="utf-8")

        edited = next(n for n in notes if _utf8(n))
        edited.write_bytes(edited.read_bytes() + "\n\n这是重建测试加上的一句话。\n".encode())
        plugin = _rebuild(project, served)
        pages = len(plugin.edition.written)
        assert 0 < plugin.edition.kept < pages  # the edited note's page (and those showing it) written again
        built = mkdocs_build(project, strict=False)
        assert built.returncode == 0, built.stderr[-3000:]
        _same_site(project / "site", served)

        next(n for n in notes if n != edited).unlink()  # its page goes, in both editions
        plugin = _rebuild(project, served)
        assert plugin.edition.kept > 0
        built = mkdocs_build(project, strict=False)
        assert built.returncode == 0, built.stderr[-3000:]
        _same_site(project / "site", served)
    finally:
        plugin.on_shutdown()


def _utf8(path) -> bool:
    try:
        path.read_bytes().decode("utf-8")
        return True
    except UnicodeDecodeError:
        return False


def test_a_page_is_made_again_from_its_recipe():
    rng = random.Random(16)
    alphabet = ["a", "b", "字", "<", ">", "<body", "<body>", "\n"]
    for _ in range(5000):
        output = "".join(rng.choice(alphabet) for _ in range(rng.randint(0, 40)))
        page = list(output)
        for _ in range(rng.randint(0, 4)):
            at = rng.randint(0, len(page))
            page[at : at + rng.randint(0, 3)] = rng.choices(alphabet, k=rng.randint(0, 3))
        page = "".join(page)
        assert made(output, recipe(output, page)) == page
        step = rng.choice([1, 2, 3, 4096])
        head, tail = common_ends(output, page, step=step)
        assert output[:head] == page[:head] and head + tail <= min(len(output), len(page))
        assert output[len(output) - tail :] == page[len(page) - tail :]
        assert head == len(output) or head == len(page) or output[head] != page[head]
        rest = min(len(output), len(page)) - head
        assert tail == rest or output[len(output) - tail - 1] != page[len(page) - tail - 1]
