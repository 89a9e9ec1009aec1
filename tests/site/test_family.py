"""The family grows (issue 13), end to end: the seeds plus the notes of tests/data/family built with
`mkdocs build --strict`; each generation on its own page, the traps where they belong, family
pages, the home page's timelines and comparison tables (also on a phone), links and navigation."""

from __future__ import annotations

import posixpath
import re
from urllib.parse import urlsplit

import pytest

from conftest import DATA, article, make_project, mkdocs_build, page_soup, serve_dir, squash

FAMILY = DATA / "family"
SEED_MODELS = ["gemini-1.0", "gemini-1.5", "gemini-2.5", "gemma"]
# fixture -> (page it lands on, a sentence of it)
LANDS = {
    "zh-gemma2.md": ("models/gemma-2/", "27B 在 6144 片 TPUv5p 上训练，9B 用 4096 片 TPUv4，2B 用 512 片 TPUv5e。"),
    "ko-gemma3.md": ("models/gemma-3/", "로컬 레이어 5개마다 글로벌 레이어 1개를 두는 5:1 구조"),
    "zh-hant-gemini20.md": ("models/gemini-2.0/", "官方提到 Gemini 2.0 是在第六代 TPU Trillium 上训练的。"),  # shown in Simplified
    "zh-news-log.md": ("models/gemini-2.5/", "Gemini 的 2.5 版本默认就带思考"),
    "en-gemma-family.md": ("families/gemma/", "which shrinks the KV cache at long context"),
    "ko-app-readme.md": ("others/", "하루 단위 일정을 만들어 줍니다"),
    "zh-compare-only.md": ("others/", "权重矩阵做了合并"),
}
ALL_MODEL_PAGES = ["gemini-1.0", "gemini-1.5", "gemini-2.0", "gemini-2.5", "gemma", "gemma-2", "gemma-3"]


@pytest.fixture(scope="module")
def family_site(tmp_path_factory):
    extra = {f"family/{p.name}": p.read_bytes() for p in sorted(FAMILY.glob("*.md"))}
    project = make_project(tmp_path_factory.mktemp("family"), extra_notes=extra)
    result = mkdocs_build(project)
    assert result.returncode == 0, result.stderr
    return project / "site"


def text(site, url):
    return squash(article(site, url).get_text())


def hrefs_to(soup, target: str, page: str) -> list[str]:
    """The texts of the links in `soup` (on the page at URL `page`) that lead to `target`."""
    out = []
    for a in soup.find_all("a", href=True):
        path = urlsplit(a["href"]).path
        if path and not urlsplit(a["href"]).scheme and posixpath.normpath(posixpath.join(page or ".", path)).rstrip("/") == target.rstrip("/"):
            out.append(a.get_text())
    return out


@pytest.mark.parametrize("name", list(LANDS))
def test_each_note_lands_where_it_belongs_and_nowhere_else(family_site, name):
    page, sentence = LANDS[name]
    assert squash(sentence) in text(family_site, page), (name, page)
    for other in [f"models/{m}/" for m in ALL_MODEL_PAGES] + ["families/gemma/", "families/gemini/", "others/"]:
        if other != page:
            assert squash(sentence) not in text(family_site, other), (name, other)


def test_a_page_for_every_model_a_note_is_about_and_no_other(family_site, built_site):
    assert sorted(p.parent.name for p in (family_site / "models").glob("*/index.html")) == sorted(ALL_MODEL_PAGES)
    assert not (family_site / "models" / "gemini-3").exists()  # registered, but no note is about it yet
    # The seeds alone: the four pages they always had, at the same URLs, and both family pages.
    assert sorted(p.parent.name for p in (built_site / "models").glob("*/index.html")) == SEED_MODELS
    assert sorted(p.parent.name for p in (built_site / "families").glob("*/index.html")) == ["gemini", "gemma"]


def test_the_first_gemmas_page_keeps_only_the_first_gemma(family_site):
    gemma = article(family_site, "models/gemma/")
    assert squash("7B 模型用了 16pods 4096 TPUv5e") in squash(gemma.get_text())  # the seed
    sources = {a["href"].split("/")[-2] for a in gemma.select(".nkb-source a[href]")}
    assert sources == {"003_85ea77ce08776b2e", "004_c634153634caeac2"}  # no Gemma 2 or Gemma 3 note


def test_new_pages_have_facts_from_their_notes(family_site):
    facts = article(family_site, "models/gemma-2/").select_one(".nkb-facts")
    rows = {tr.find_all("td")[0].get_text(strip=True): tr.find_all("td")[1] for tr in facts.find_all("tr") if tr.find_all("td")}
    assert "6144 片 TPUv5p" in rows["训练硬件"].get_text()
    assert hrefs_to(rows["训练硬件"], "notes/zh-gemma2", "models/gemma-2/")  # "见笔记": the note that states it
    assert "2408.00118" in str(rows["报告"])
    g3 = {tr.find_all("td")[0].get_text(strip=True): tr.find_all("td")[1] for tr in article(family_site, "models/gemma-3/").select(".nkb-facts tr") if tr.find_all("td")}
    assert hrefs_to(g3["前代"], "models/gemma-2", "models/gemma-3/") and hrefs_to(g3["源自"], "models/gemini-2.0", "models/gemma-3/") and hrefs_to(g3["家族"], "families/gemma", "models/gemma-3/")
    g2 = {tr.find_all("td")[0].get_text(strip=True): tr.find_all("td")[1] for tr in article(family_site, "models/gemma-2/").select(".nkb-facts tr") if tr.find_all("td")}
    assert hrefs_to(g2["后继"], "models/gemma-3", "models/gemma-2/") and hrefs_to(g2["源自"], "families/gemini", "models/gemma-2/")


def test_a_missing_member_is_named_with_the_nearest_that_has_notes(built_site):
    rows = {tr.find_all("td")[0].get_text(strip=True): tr.find_all("td")[1] for tr in article(built_site, "models/gemini-1.5/").select(".nkb-facts tr") if tr.find_all("td")}
    assert "Gemini 2.0" in rows["后继"].get_text() and "暂无笔记" in rows["后继"].get_text()
    assert not hrefs_to(rows["后继"], "models/gemini-2.0", "models/gemini-1.5/") and hrefs_to(rows["后继"], "models/gemini-2.5", "models/gemini-1.5/")


def test_the_family_page_lists_the_family_note_and_every_member(family_site):
    page = article(family_site, "families/gemma/")
    assert page.find("h1").get_text(strip=True).startswith("Gemma 家族")
    assert hrefs_to(page.select_one(".nkb-excerpt"), "notes/en-gemma-family", "families/gemma/")
    items = page.select(".nkb-timeline li")
    assert [li.find("time")["datetime"] for li in items] == ["2024-02-21", "2024-06-27", "2025-03-12"]
    gemini = article(family_site, "families/gemini/")
    muted = [li for li in gemini.select(".nkb-timeline li") if li.select_one(".nkb-muted")]
    assert [li.find("time")["datetime"] for li in muted] == ["2025-11-18"]  # Gemini 3: listed, no page, no link
    assert not hrefs_to(muted[0], "models/gemini-3", "families/gemini/") and not muted[0].find("a")
    assert "ShieldGemma" in page.get_text() and "Gemma 3n" in page.get_text()


@pytest.mark.parametrize("model", ["gemma", "gemma-2", "gemma-3"])
def test_each_member_a_family_note_discusses_links_to_it(family_site, model):
    box = article(family_site, f"models/{model}/").find(id="family-notes")
    assert box is not None, model
    section = box.find_next_sibling()
    while section is not None and not hrefs_to(section, "notes/en-gemma-family", f"models/{model}/"):
        section = section.find_next_sibling()
    assert section is not None
    assert hrefs_to(article(family_site, f"models/{model}/"), "families/gemma", f"models/{model}/")


def test_the_note_page_says_where_a_family_note_is_used(family_site):
    note = article(family_site, "notes/en-gemma-family/")
    assert any("Gemma 家族" in a.get_text() for a in note.select(".nkb-used a"))


def test_links_in_text_point_to_the_member_a_mention_names(family_site):
    g3 = article(family_site, "notes/ko-gemma3/")
    assert "Gemini 2.0" in hrefs_to(g3, "models/gemini-2.0", "notes/ko-gemma3/")
    g2 = article(family_site, "notes/zh-gemma2/")
    assert "Gemma 7B" in hrefs_to(g2, "models/gemma", "notes/zh-gemma2/")
    news = article(family_site, "notes/zh-news-log/")
    assert "Gemini" in hrefs_to(news, "models/gemini-2.5", "notes/zh-news-log/")  # "Gemini 发布 2.5 Pro"


def test_a_mention_of_a_model_without_a_page_leads_to_its_family(family_site):
    readme = article(family_site, "notes/ko-app-readme/")
    assert "Gemini 3 Pro" in hrefs_to(readme, "families/gemini", "notes/ko-app-readme/")
    for page in family_site.rglob("*.html"):  # no page links to the Gemini 3 page, which is not there
        assert not re.search(r'href="[^"]*models/gemini-3/', page.read_text(encoding="utf-8")), page


def test_home_shows_the_whole_family(family_site):
    home = article(family_site, "")
    for family in ("gemini", "gemma"):
        assert home.find(id=f"family-{family}") is not None
        assert hrefs_to(home.find(id=f"family-{family}"), f"families/{family}", "")
    timelines = home.select(".nkb-timeline")
    assert [[li.find("time")["datetime"] for li in t.select("li")] for t in timelines] == [
        ["2023-12-06", "2024-02-15", "2024-12-11", "2025-06-17"],
        ["2024-02-21", "2024-06-27", "2025-03-12"],
    ]
    tables = home.select(".nkb-compare table")
    assert [[th.get_text(strip=True) for th in t.select("thead th")][1:] for t in tables] == [
        ["Gemini 1.0", "Gemini 1.5", "Gemini 2.0", "Gemini 2.5"], ["Gemma", "Gemma 2", "Gemma 3"]]
    for table in tables:
        for row in table.select("tbody tr"):
            for cell in row.find_all("td")[1:]:
                # Every value links to the note it comes from, by a small mark; the value is text.
                marks = cell.select("sup.nkb-mark a[href]")
                assert (len(marks) == 1 and marks[0]["href"].startswith("notes/")) or "笔记中未提及" in cell.get_text(), cell
                assert len(cell.find_all("a")) == len(marks)
    legend = home.select(".nkb-compare .nkb-marks")
    assert len(legend) == 2 and "Gemma 2 技术报告阅读笔记" in legend[1].get_text()


def test_navigation_groups_models_by_family_in_release_order(family_site):
    from notekb.pages.nav import site_nav
    from notekb.pipeline import build_site
    from notekb.registry import Registry

    notes = family_site.parent / "notes"
    site = build_site(notes, Registry.load())
    nav = site_nav(site.pages, site.notes, Registry.load(), ["index.md"])
    models = next(entry["模型"] for entry in nav if "模型" in entry)
    assert models == [
        "models/index.md",
        {"Gemini": ["families/gemini.md", "models/gemini-1.0.md", "models/gemini-1.5.md", "models/gemini-2.0.md", "models/gemini-2.5.md"]},
        {"Gemma": ["families/gemma.md", "models/gemma.md", "models/gemma-2.md", "models/gemma-3.md"]},
    ]
    groups = [next(iter(g)) for g in next(entry["笔记"] for entry in nav if "笔记" in entry)[1:]]
    assert groups == ["Gemini 1.0", "Gemini 2.0", "Gemini 2.5", "Gemma", "Gemma 2", "Gemma 3", "Gemma 家族", "论文速递", "其他"]
    # The built site shows the same order in its sidebar.
    sidebar = page_soup(family_site, "families/gemma/").select_one("nav.md-nav--primary")
    texts = [a.get_text(strip=True) for a in sidebar.find_all("a", href=True) if not a["href"].startswith("#")]
    assert texts.index("Gemini") < texts.index("Gemma 家族") < texts.index("Gemma") < texts.index("Gemma 2") < texts.index("Gemma 3")


def test_the_comparison_table_reads_on_a_phone(family_site, browser):
    base, server = serve_dir(family_site)
    try:
        page = browser.new_page(viewport={"width": 390, "height": 844})
        page.goto(base)
        page.wait_for_load_state("load")
        assert page.evaluate("document.documentElement.scrollWidth") <= 390  # the page itself never scrolls sideways
        for k in range(page.locator(".nkb-compare").count()):
            moved = page.evaluate(
                """(k) => {
                  const wrap = document.querySelectorAll('.nkb-compare')[k].querySelector('table').closest('.md-typeset__scrollwrap') || document.querySelectorAll('.nkb-compare table')[k];
                  const label = wrap.querySelector('tbody td');
                  const before = label.getBoundingClientRect().left;
                  wrap.scrollLeft = 200;
                  return [wrap.scrollLeft, before, label.getBoundingClientRect().left, wrap.getBoundingClientRect().left];
                }""",
                k,
            )
            scrolled, before, after, left = moved
            assert scrolled > 0  # the members go on to the right
            assert abs(after - left) < 2 and after >= before - 20  # the row labels stay in view
        page.close()
    finally:
        server.shutdown()
        server.server_close()


def test_rebuilds_as_models_gain_and_lose_their_first_note(tmp_path):
    """`mkdocs serve`: a note about a model no note was about makes its page (and changes links to
    it on other pages); removing it takes the page away again, exactly as a fresh build does."""
    import shutil

    from conftest import NOTES
    from notekb.pipeline import NoteCache, build_site
    from notekb.records import Page
    from notekb.registry import Registry

    registry = Registry.load()
    home = [Page("index.md", "首页", "# 首页\n\n<!-- notekb:family -->\n")]
    notes = tmp_path / "notes"
    shutil.copytree(NOTES, notes)
    (notes / "readme.md").write_bytes((FAMILY / "ko-app-readme.md").read_bytes())  # mentions Gemini 3 Pro
    cache = NoteCache()

    def pages(site):
        return {p.path: p.markdown for p in site.pages + site.docs_pages}

    build_site(notes, registry, cache, home)
    steps = [
        lambda: (notes / "g3.md").write_text("Gemini 3 读书笔记\n\nGemini 3 Pro 是这一代的首发型号。Gemini 3 的推理更强。\n", encoding="utf-8"),
        lambda: (notes / "g3.md").unlink(),
        lambda: shutil.copy(FAMILY / "zh-gemma2.md", notes / "zh-gemma2.md"),
    ]
    for step in steps:
        step()
        rebuilt = build_site(notes, registry, cache, home)
        fresh = build_site(notes, registry, None, home)
        assert pages(rebuilt) == pages(fresh)
    assert "models/gemma-2.md" in pages(fresh) and "models/gemini-3.md" not in pages(fresh)
