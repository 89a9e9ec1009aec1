"""Hostile notes (issue #10): a site built with every crafted note of bench/hostile.py next to the
seeds runs no script, publishes nothing from outside notes/, keeps every seed note's content and
URL, and `notekb check` names each of them. Every shape of bench/hostile.py costs linear time."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from bs4 import BeautifulSoup

from conftest import ROOT, article, make_project, mkdocs_build, serve_dir

sys.path.insert(0, str(ROOT / "bench"))
from hostile import shapes, write_attacks  # noqa: E402

from notekb.pipeline.read import note_id  # noqa: E402

SECRET = "NOTEKB_SECRET_VALUE"
SEED_IDS = ["000_0a32c9c4a1112e15", "001_0fd4e0d5ad12595e", "002_0b0be4c744a787e9", "003_85ea77ce08776b2e", "004_c634153634caeac2"]
MODELS = ["gemini-1.0", "gemini-1.5", "gemini-2.5", "gemma"]


@pytest.fixture(scope="module")
def hostile(tmp_path_factory):
    """The seeds committed to git, then every hostile note added (as a pull request would), built
    with `mkdocs build --strict` (which must fail, naming them) and without (which must finish)."""
    project = make_project(tmp_path_factory.mktemp("hostile"))
    git = ["git", "-c", "user.name=t", "-c", "user.email=t@example.com"]
    subprocess.run(["git", "init", "-q"], cwd=project, check=True)
    subprocess.run(["git", "add", "-A"], cwd=project, check=True)
    subprocess.run(git + ["commit", "-qm", "seeds"], cwd=project, check=True)
    files = write_attacks(project / "notes", project)
    strict = mkdocs_build(project, strict=True)
    env = dict(os.environ, NO_MKDOCS_2_WARNING="1", NOTEKB_SECRET_VALUE="in-the-environment")
    result = subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "--site-dir", str(project / "site")], cwd=project, capture_output=True, text=True, env=env, timeout=600
    )
    assert result.returncode == 0, result.stderr[-3000:]
    return {"project": project, "site": project / "site", "files": files, "strict": strict, "log": result.stderr}


def _pages(site: Path):
    return sorted(site.rglob("*.html"))


def test_the_strict_build_fails_and_names_every_hostile_file(hostile):
    assert hostile["strict"].returncode != 0
    log = hostile["strict"].stderr
    for what in ["link note", "link environ", "images", "alias bomb", "slug", "same stem", "nested list.md", "nested quotes.md", "nested bullets.txt"]:
        assert hostile["files"][what] in log, what
    assert "Documentation built" not in log or "Aborted" in log


def test_no_page_or_copied_file_can_run_script(hostile, built_site):
    site = hostile["site"]
    theme_scripts = set()
    for page in _pages(built_site):
        soup = BeautifulSoup(page.read_text(encoding="utf-8"), "html.parser")
        theme_scripts |= {s.get("src") or (s.string or "")[:40] for s in soup.find_all("script")}
    for page in _pages(site):
        text = page.read_text(encoding="utf-8")
        soup = BeautifulSoup(text, "html.parser")
        for script in soup.find_all("script"):
            assert (script.get("src") or (script.string or "")[:40]) in theme_scripts, (page, script)
        assert not soup.find_all(["iframe", "object", "embed"]), page
        for tag in soup.find_all(True):
            assert not [a for a in tag.attrs if a.lower().startswith("on")], (page, tag)
            assert not str(tag.get("href", "")).lower().startswith("javascript:"), page
        raw_title = re.search(r"<title>(.*?)</title>", text, re.S).group(1)
        assert "<" not in raw_title, (page, raw_title)
        assert text.count('id="__config"') <= 1, page
    published = [p for p in (site / "assets" / "notes").rglob("*") if p.is_file()]
    assert [p.name for p in published] == ["real.png"]
    assert not [p for p in site.rglob("*") if p.suffix.lower() in (".svg", ".mdown") and "material" not in p.parts]


def test_titles_are_text_everywhere(hostile):
    site = hostile["site"]
    for what in ("heading title", "yaml title"):
        page = site / "notes" / Path(hostile["files"][what]).stem / "index.html"
        soup = BeautifulSoup(page.read_text(encoding="utf-8"), "html.parser")
        assert soup.find("title").get_text().startswith("</title><script>alert(1)</script>")  # shown as text
        assert soup.select_one("article h1").get_text().strip().startswith("</title><script>")
    theme = BeautifulSoup((site / "notes" / "hostile-theme-id" / "index.html").read_text(encoding="utf-8"), "html.parser")
    assert theme.find("title").get_text().startswith("__config")
    assert len(theme.select("#__config")) == 1 and theme.select_one("#__config").name == "script"


def test_nothing_from_outside_notes_is_published(hostile):
    for path in hostile["site"].rglob("*"):
        if path.is_file() and path.suffix in (".html", ".json", ".txt", ".js", ".png", ".xml"):
            data = path.read_bytes()
            assert SECRET.encode() not in data, path
            assert b"in-the-environment" not in data, path
    assert not (hostile["site"] / "notes" / "linked-secret").exists()
    assert not (hostile["site"] / "notes" / "linked-environ").exists()


def test_seed_notes_and_model_pages_keep_their_content_and_urls(hostile, built_site):
    site = hostile["site"]
    for seed in SEED_IDS:
        before = article(built_site, f"notes/{seed}/")
        after = article(site, f"notes/{seed}/")
        for backlinks in before.select(".nkb-backlinks") + after.select(".nkb-backlinks"):
            backlinks.decompose()
        assert str(after) == str(before), seed
    for model in MODELS:
        before = {e["id"]: str(e) for e in article(built_site, f"models/{model}/").select(".nkb-excerpt")}
        after = {e["id"]: str(e) for e in article(site, f"models/{model}/").select(".nkb-excerpt")}
        assert {k: after.get(k) for k in before} == before, model
    index = (site / "index.html").read_text(encoding="utf-8")
    for seed in SEED_IDS:
        assert f'href="notes/{seed}/' in index or seed not in index


def test_the_impostors_get_suffixed_urls(hostile):
    notes = hostile["site"] / "notes"
    impostors = [p.name for p in notes.iterdir() if p.name.startswith("003_85ea77ce08776b2e-")]
    assert len(impostors) == 2
    real = article(hostile["site"], "notes/003_85ea77ce08776b2e/").get_text()
    assert "冒名" not in real and "同名" not in real


def test_escapes_in_titles_and_text_do_not_empty_a_page(hostile, built_site):
    # The note names only the bare family ("Gemma"), so it lands on the family page (issue 13).
    gemma = article(hostile["site"], "families/gemma/")
    assert "当 n<k 时" in gemma.get_text() and "a|b" in gemma.get_text()
    assert len(gemma.select(".nkb-excerpt")) > len(article(built_site, "families/gemma/").select(".nkb-excerpt"))


def test_an_unclosed_iframe_leaves_the_pages_it_is_on_whole(hostile):
    others = article(hostile["site"], "others/")
    assert 'class="nkb-' not in others.get_text()  # the page's own markup is never shown as text
    assert not others.find("iframe")
    sections = others.select(".nkb-excerpt")
    iframe = next(k for k, e in enumerate(sections) if "example.com/embed" in e.get_text())
    assert iframe < len(sections) - 1  # an excerpt after it
    assert all(e.parent is sections[0].parent for e in sections)  # none nested inside another


def test_check_names_each_hostile_file(hostile):
    notes = hostile["project"] / "notes"
    result = subprocess.run(
        [sys.executable, "-m", "notekb.cli", "check", "--notes", str(notes), str(notes)], capture_output=True, text=True, timeout=600
    )
    assert result.returncode == 1
    out = result.stdout
    for what, rel in hostile["files"].items():
        if what not in ("escapes", "code payload"):  # fine notes ("n<k", HTML shown as code) that used to break pages
            assert rel in out, what


def test_no_script_runs_in_chromium(hostile, browser):
    base, server = serve_dir(hostile["site"])
    try:
        page = browser.new_page()
        dialogs, errors = [], []
        page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
        page.on("pageerror", lambda e: errors.append(str(e)))
        files = hostile["files"]
        urls = [f"notes/{note_id(files[w], {})}/" for w in ("heading title", "yaml title", "file name", "theme id", "escapes", "images", "digest heading")]
        urls += ["others/", "models/gemma/", "papers/"]
        for url in urls:
            assert page.goto(base + url).ok, url
            page.wait_for_load_state("load")
        for copied in (hostile["site"] / "assets" / "notes").rglob("*"):
            if copied.is_file():
                page.goto(base + copied.relative_to(hostile["site"]).as_posix())
        assert dialogs == [] and errors == []
    finally:
        server.shutdown()
        server.server_close()


# ---------------------------------------------------------------------------------------------
# Linear cost


@pytest.mark.parametrize("shape", list(shapes(1)))
def test_every_stage_costs_linear_time(shape, tmp_path):
    """The notes layer, Python-Markdown, the sanitizer and the search index on a note of one
    repeated construct: four times the note costs about four times as much (a quadratic stage
    costs sixteen times, as `[` x 40,000 did)."""
    from stall import growth

    from notekb.registry import Registry

    row = growth(shape, Registry.load(), tmp_path)
    assert row["ratio"] < 8, row


# ---------------------------------------------------------------------------------------------
# Characters Markdown and HTML read as syntax, everywhere a note can put them

SPECIALS = "<b>&x *y* _z_ [w] a|b"
SPECIAL_NOTE = f"""---
title: "标题 {SPECIALS}"
author: "作者 {SPECIALS}"
model: gemma
---

## 小节 {SPECIALS}

Gemma 正文 {SPECIALS} 和 n<k 与 n>k。

- 列表 {SPECIALS}
"""


@pytest.fixture(scope="module")
def specials_site(tmp_path_factory):
    project = make_project(tmp_path_factory.mktemp("specials"), extra_notes={"specials.md": SPECIAL_NOTE.encode()})
    result = mkdocs_build(project)
    assert result.returncode == 0, result.stderr
    return project / "site"


def test_special_characters_show_as_written_and_change_no_other_excerpt(specials_site, built_site):
    before = {e["id"]: str(e) for e in article(built_site, "models/gemma/").select(".nkb-excerpt")}
    after = {e["id"]: str(e) for e in article(specials_site, "models/gemma/").select(".nkb-excerpt")}
    assert {k: after.get(k) for k in before} == before
    new = [e for k, e in after.items() if k not in before]
    assert new and SPECIALS.replace("<b>", "") in BeautifulSoup("".join(new), "html.parser").get_text().replace("<b>", "")
    page = article(specials_site, "notes/specials/")
    text = page.get_text()
    assert f"标题 {SPECIALS}" in page.select_one("h1").get_text()
    assert f"作者 {SPECIALS}" in text and "n<k 与 n>k" in text
    for listing in ("notes/", "models/gemma/"):
        assert f"标题 {SPECIALS}" in article(specials_site, listing).get_text(), listing
    title = (specials_site / "notes" / "specials" / "index.html").read_text(encoding="utf-8")
    assert "<title>标题 &lt;b&gt;&amp;x *y* _z_ [w] a|b - " in title
