"""The Traditional Chinese edition of the built site (issue 15): every page again under zh-Hant/,
converted with Taiwan words, with what must never be converted kept as written, the switch
between the editions, and a search that answers in the edition's pages and words."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from bs4 import BeautifulSoup

from conftest import DATA, make_project, mkdocs_build, serve_dir

EDITION_NOTES = sorted((DATA / "edition").glob("*.md"))


@pytest.fixture(scope="module")
def edition_site(tmp_path_factory) -> Path:
    """The seed notes, the edition's notes (Simplified, Hong Kong Traditional, Japanese, Korean)
    and a Taiwan Traditional note, built with `mkdocs build --strict`."""
    extra = {f"edition/{p.name}": p.read_bytes() for p in EDITION_NOTES}
    extra["extra/gemini15-zh-hant.md"] = (DATA / "search" / "gemini15-zh-hant.md").read_bytes()
    project = make_project(tmp_path_factory.mktemp("edition"), extra_notes=extra)
    result = mkdocs_build(project)
    assert result.returncode == 0, result.stderr
    return project / "site"


def _pages(site: Path) -> list[str]:
    return sorted(p.relative_to(site).as_posix() for p in site.rglob("*.html") if not p.relative_to(site).as_posix().startswith("zh-Hant/"))


def _soup(site: Path, path: str) -> BeautifulSoup:
    return BeautifulSoup((site / path).read_text(encoding="utf-8"), "html.parser")


def _text(site: Path, path: str) -> str:
    soup = _soup(site, path)
    return (soup.select_one("article") or soup).get_text(" ", strip=True)


def test_every_page_and_file_has_its_counterpart(edition_site):
    pages = _pages(edition_site)
    assert len(pages) >= 30
    for path in pages:
        assert (edition_site / "zh-Hant" / path).is_file(), path
    files = {p.relative_to(edition_site).as_posix() for p in edition_site.rglob("*") if p.is_file()}
    originals = {f for f in files if not f.startswith("zh-Hant/")}
    assert {f"zh-Hant/{f}" for f in originals} <= files  # stylesheets, scripts, images, the search index


def test_each_page_links_its_counterpart_in_its_head_and_its_language_switch(edition_site):
    for path in _pages(edition_site):
        if path == "404.html":
            continue
        for here, there, own, other in ((path, f"zh-Hant/{path}", "zh-Hans", "zh-Hant"), (f"zh-Hant/{path}", path, "zh-Hant", "zh-Hans")):
            soup = _soup(edition_site, here)
            assert soup.html["lang"] == ("zh-Hant" if here.startswith("zh-Hant/") else "zh"), here
            alternates = {link["hreflang"]: link["href"] for link in soup.head.find_all("link", hreflang=True)}
            switch = {a["hreflang"]: a["href"] for a in soup.select("a.md-select__link[hreflang]")}
            assert set(alternates) == set(switch) == {own, other}, here
            for links in (alternates, switch):
                target = (edition_site / here).parent / links[other]
                assert (target / "index.html" if links[other].endswith("/") else target).resolve() == (edition_site / there).resolve(), here
                assert links[own] in ("./", Path(here).name), here


def test_anchors_are_the_same_in_both_editions(edition_site):
    for path in _pages(edition_site):
        ids = [[e["id"] for e in _soup(edition_site, p).select("article [id]")] for p in (path, f"zh-Hant/{path}")]
        assert ids[0] == ids[1], path
        assert not any(i.startswith("nkb-hant-") for i in ids[0]), path


def test_prose_headings_navigation_and_the_site_name_are_converted_with_taiwan_words(edition_site):
    hans, hant = _text(edition_site, "notes/zh-gemma-words/index.html"), _text(edition_site, "zh-Hant/notes/zh-gemma-words/index.html")
    assert "Gemma 读书笔记：数据、软件与内存" in hans and "Gemma 讀書筆記：資料、軟體與記憶體" in hant
    assert "这份笔记记下报告里关于数据和软件的信息" in hans and "這份筆記記下報告裡關於資料和軟體的資訊" in hant
    soup = _soup(edition_site, "zh-Hant/models/gemma/index.html")
    assert soup.title.string.endswith("Gemini 家族讀書筆記")
    assert [a.get_text(strip=True) for a in soup.select(".md-tabs a")][:3] == ["首頁", "模型", "論文"]
    assert "訓練資料量" in soup.select_one(".nkb-facts").get_text()  # the facts box
    assert "多查詢注意力" in _text(edition_site, "zh-Hant/glossary/index.html")  # the glossary
    config = json.loads(soup.select_one("script#__config").string)
    assert config["translations"]["search.result.placeholder"] == "鍵入以開始搜尋"  # Material's own words


def test_code_urls_file_names_korean_and_japanese_are_never_converted(edition_site):
    hant = (edition_site / "zh-Hant/notes/zh-gemma-words/index.html").read_text(encoding="utf-8")
    assert "# 加载数据并统计软件版本" in BeautifulSoup(hant, "html.parser").select_one("pre").get_text()
    assert "<code>读取数据()</code>" in hant
    text = _text(edition_site, "zh-Hant/notes/zh-gemma-words/index.html")
    assert "https://zh.wikipedia.org/wiki/数据" in text and "数据清单.csv" in text
    assert "notes/ edition/ zh-gemma-words.md" in text  # the note's file
    for path in ("notes/ko-gemma-memo/index.html", "notes/ja-gemma-memo/index.html"):
        note = _soup(edition_site, path).select_one("article .nkb-note-body")
        copy = _soup(edition_site, f"zh-Hant/{path}").select_one("article .nkb-note-body")
        assert note is not None and copy is not None
        assert note.get_text() .replace("收录于", "").replace("概览", "") != ""
        own = lambda soup: [p.get_text() for p in soup.find_all("p") if "nkb-used" not in (p.get("class") or [])]  # noqa: E731
        assert own(note) == own(copy), path  # the note's words; the site's labels inside it are converted
    assert "学習データ" in _text(edition_site, "zh-Hant/notes/ja-gemma-memo/index.html")
    assert "學習" not in _text(edition_site, "zh-Hant/notes/ja-gemma-memo/index.html").replace("Gemma の學習", "")


def test_what_a_note_wrote_in_traditional_chinese_is_shown_exactly_as_written(edition_site):
    written = "作者用過濾軟件去掉不安全的內容，也檢查了評測數據有沒有洩漏。"
    assert written in _text(edition_site, "zh-Hant/notes/hk-gemma-notes/index.html")
    assert "我覺得這份報告的文法很清楚，視頻教學也不少。" in _text(edition_site, "zh-Hant/notes/hk-gemma-notes/index.html")
    assert written in _text(edition_site, "zh-Hant/models/gemma/index.html")  # its excerpt, not 軟體, 資料
    assert "作者用过滤软件去掉不安全的内容" in _text(edition_site, "models/gemma/index.html")  # Simplified there
    assert "過濾軟件" not in _text(edition_site, "models/gemma/index.html")  # one copy in each edition
    soup = _soup(edition_site, "zh-Hant/notes/hk-gemma-notes/index.html")
    assert soup.title.string.startswith("Gemma 報告筆記：數據與軟件")  # its title too, wherever it is shown
    assert "Gemma 報告筆記：數據與軟件" in _text(edition_site, "zh-Hant/notes/index.html")
    assert "卡拉曼語的語法手冊" in _text(edition_site, "zh-Hant/models/gemini-1.5/index.html")  # the Taiwan note


def test_the_home_page_of_each_edition_says_which_it_is(edition_site):
    hans = _soup(edition_site, "index.html").select_one("article .nkb-edition")
    hant = _soup(edition_site, "zh-Hant/index.html").select_one("article .nkb-edition")
    assert "简体中文版" in hans.get_text() and hans.a["href"] == "zh-Hant/"
    assert "繁體中文版" in hant.get_text() and hant.a["href"] == "../"


def test_the_search_records_of_the_edition_are_in_its_words(edition_site):
    def records(folder: Path) -> list[dict]:
        files = sorted(folder.glob("d/*.json"), key=lambda p: int(p.stem))
        return [r for f in files for r in json.loads(f.read_text(encoding="utf-8")) if r]

    hans, hant = records(edition_site / "search"), records(edition_site / "zh-Hant" / "search")
    assert [r["u"] for r in hans] == [r["u"] for r in hant]
    by_url = {r["u"]: r for r in hant}
    assert "這份筆記記下報告裡關於資料和軟體的資訊" in by_url["models/gemma/#x-overview-zh-gemma-words"]["x"]
    hk = [r for r in hant if r["u"].startswith("models/gemma/#x-data-") and "hk-gemma" in r["u"]]
    assert hk and "作者用過濾軟件去掉不安全的內容" in hk[0]["x"]
    ja = [r for r in hant if r["u"].startswith("notes/ja-gemma-memo/")]
    assert ja and all("學習" not in r["x"] for r in ja)


def test_the_edition_can_be_turned_off(tmp_path):
    project = make_project(tmp_path)
    config = (project / "mkdocs.yml").read_text(encoding="utf-8")
    (project / "mkdocs.yml").write_text(config.replace("      notes_dir: notes\n", "      notes_dir: notes\n      traditional: false\n"), encoding="utf-8")
    result = mkdocs_build(project)
    assert result.returncode == 0, result.stderr
    site = project / "site"
    assert not (site / "zh-Hant").exists()
    home = (site / "index.html").read_text(encoding="utf-8")
    assert "hreflang" not in home and "nkb-edition" not in home and "notekb-edition.js" not in home


# ---------------------------------------------------------------------------------------------
# In Chromium: the search box of the Traditional edition, and the switch.


@pytest.fixture(scope="module")
def served_edition(edition_site):
    base, server = serve_dir(edition_site)
    yield base
    server.shutdown()
    server.server_close()


def _search(page, query: str) -> tuple[list[str], list[str]]:
    from search.test_browser import run_query

    _, links = run_query(page, query)
    snippets = page.eval_on_selector_all("[data-notekb-result]", "els => els.map(e => e.textContent)")
    return links, snippets


def _pages_of(links: list[str], base: str) -> list[str]:
    out: list[str] = []
    for link in links:
        path = link.split("?")[0].split("#")[0]
        path = re.sub(r"^(https?://[^/]+)?/", "", path)
        if path not in out:
            out.append(path)
    return out[:5]


def test_search_in_the_traditional_edition_answers_with_its_pages_and_words(browser, served_edition):
    from search.test_browser import LITERAL, OTHER_SCRIPT, SYNONYMS

    queries = [q for q, _ in LITERAL + OTHER_SCRIPT + SYNONYMS] + ["過濾軟件", "学習データ", "软件"]
    hans = browser.new_page(viewport={"width": 1280, "height": 900})
    hant = browser.new_page(viewport={"width": 1280, "height": 900})
    hans.goto(served_edition)
    hant.goto(served_edition + "zh-Hant/models/gemma/")
    try:
        for query in queries:
            links, _ = _search(hans, query)
            edition_links, _ = _search(hant, query)
            assert all("/zh-Hant/" in link for link in edition_links), (query, edition_links)
            # the same recall: the same pages, in the same order
            assert [p.removeprefix("zh-Hant/") for p in _pages_of(edition_links, served_edition)] == _pages_of(links, served_edition), query
        _, snippets = _search(hant, "热备份")
        assert any("熱備份" in s for s in snippets) and not any("热备份" in s for s in snippets)
        _, snippets = _search(hant, "過濾軟件")
        assert any("過濾軟件" in s for s in snippets)  # as the note wrote it
        assert hant.inner_text("[data-notekb-meta]").startswith(tuple("0123456789")) and "個頁面" in hant.inner_text("[data-notekb-meta]")
    finally:
        hans.close()
        hant.close()


@pytest.mark.parametrize("width", [1280, 390])
def test_the_switch_keeps_the_reader_on_the_same_page_and_section(browser, served_edition, width):
    page = browser.new_page(viewport={"width": width, "height": 900})
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.on("response", lambda r: errors.append(f"{r.status} {r.url}") if r.status >= 400 else None)
    try:
        page.goto(served_edition + "models/gemma/#architecture")
        page.click(".md-select button")
        page.click('a.md-select__link[hreflang="zh-Hant"]')
        page.wait_for_url("**/zh-Hant/models/gemma/#architecture")
        assert page.inner_text("h2#architecture").startswith("模型架構")
        page.click(".md-select button")
        page.click('a.md-select__link[hreflang="zh-Hans"]')
        page.wait_for_url("**/models/gemma/#architecture")
        assert "/zh-Hant/" not in page.url and page.inner_text("h2#architecture").startswith("模型架构")
        assert not errors, errors
    finally:
        page.close()
