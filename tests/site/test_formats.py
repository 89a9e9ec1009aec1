"""Notes as people write them (issue #12): MDX, Obsidian, Jekyll and Hugo front matter, Japanese,
Korean math, a bilingual translation, blog HTML and a digest of paper titles, added together to
the seeds, build with --strict, land on the right pages and show no raw syntax."""

from __future__ import annotations

import re

import pytest
from bs4 import BeautifulSoup

from conftest import DATA, article, make_project, mkdocs_build

FORMATS = DATA / "formats"
NOTES = {p.relative_to(FORMATS).as_posix(): p.read_bytes() for p in FORMATS.rglob("*") if p.is_file()}
LANDS = {
    "notes/gemini-25-flash/": "models/gemini-2.5",
    "notes/gemma-vault-note/": "models/gemma",
    "notes/jekyll-gemini15-zhtw/": "models/gemini-1.5",
    "notes/hugo-gemma-notes/": "models/gemma",
    "notes/ja-gemini10/": "models/gemini-1.0",
    "notes/ko-gemma-math/": "models/gemma",
    # "Gemma is a family of lightweight open models...": it names no member, only the family
    # (issue 13: a bare family name names the family), so it is on the family's page.
    "notes/bilingual-gemma/": "families/gemma",
    "notes/html-blog-gemini25/": "models/gemini-2.5",
}
# What must never show on any page as text: the syntax of the formats.
RAW = [
    r"\bimport \w+ from", r"export const", r"<Screenshot", r"<Callout", r"</?Tabs?", r"\{props\.", r"\{/\*", r":::",
    r"\[!tip\]", r"\[!warning\]", r"\[\[", r"\]\]", r"==训练", r"\$\$", r"\\frac", r"\\mathrm", r"GEMINI2",
    r"<iframe", r"&lt;div", r"layout:", r"permalink", r"\bquiz\b", r"\+\+\+", r"公众号", r"点赞", r"轉載", r"구독",
]


def _build(tmp_path_factory, notes: dict[str, bytes], name: str):
    project = make_project(tmp_path_factory.mktemp(name), extra_notes={f"formats/{k}": v for k, v in notes.items()})
    result = mkdocs_build(project, strict=True)
    assert result.returncode == 0, result.stderr[-4000:]
    return project / "site"


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    return _build(tmp_path_factory, NOTES, "formats")


@pytest.mark.parametrize("url, page", sorted(LANDS.items()))
def test_each_note_lands_on_its_model_page(site, url, page):
    label = article(site, url).select_one(".nkb-meta").get_text()
    assert "收录于" in label
    excerpt_links = [a["href"] for a in article(site, f"{page}/").select(".nkb-source a")]
    assert any(url.split("/")[1] in href for href in excerpt_links), excerpt_links


def test_a_digest_of_paper_titles_reaches_the_model_pages(site):
    digest = article(site, "notes/digest-h2-titles/")
    assert len(digest.select(".nkb-part-info")) == 4
    for model in ("gemma", "gemini-1.5"):
        assert "digest-h2-titles" in str(article(site, f"models/{model}/").select(".nkb-source"))
    assert (site / "papers" / "mixture-of-depths" / "index.html").exists()


def test_no_page_shows_the_syntax_of_a_format(site):
    for page in sorted(site.rglob("index.html")):
        if page.relative_to(site).parts[0] not in ("models", "notes", "papers", "others"):
            continue  # the hand-written pages may describe the formats
        text = BeautifulSoup(page.read_text(encoding="utf-8"), "html.parser").select_one("article")
        if text is None:
            continue
        for code in text.select("pre, code:not(.nkb-tex)"):
            code.decompose()
        shown = text.get_text(" ")
        for pattern in RAW:
            assert not re.search(pattern, shown), (page.relative_to(site).as_posix(), pattern)


def test_mdx_components_render_as_boxes_and_placeholders(site):
    page = article(site, "notes/gemini-25-flash/")
    assert page.select_one(".admonition.warning .admonition-title").get_text() == "先看这里"
    assert page.select_one(".admonition.warning strong").get_text() == "响应很快"
    assert [p.get_text() for p in page.select(".nkb-tab-label")] == ["Python", "curl"]
    assert page.select_one("details.note summary").get_text() == "为什么选 Flash"
    assert "控制台里的 Flash 模型" in page.select_one(".nkb-missing-figure").get_text()
    assert page.select_one(".nkb-steps strong").get_text() == "第一步"  # a heading inside a box is bold
    assert page.select_one(".admonition.tip .admonition-title").get_text() == "顺手的做法"
    assert not page.select('a[href*="gemini-2.5"]:-soup-contains("GEMINI2")')


def test_obsidian_callouts_links_highlights_and_tags(site):
    page = article(site, "notes/gemma-vault-note/")
    assert page.select_one(".admonition.tip .admonition-title").get_text() == "关键数字"
    folded = page.select_one("details.warning")
    assert folded is not None and folded.get("open") is None and folded.select_one(".admonition.note")
    assert page.select_one("mark").get_text() == "训练数据有 6T token"
    hrefs = [a["href"] for a in page.select("a")]
    assert "../../models/gemma/" in hrefs and "../../glossary/#rope" in hrefs and any(h.endswith("#训练细节") for h in hrefs)
    assert "没有这篇笔记" in page.get_text() and not page.select('a:-soup-contains("没有这篇笔记")')
    meta = page.select_one(".nkb-meta").get_text()
    assert "reading" in meta and "paper" in meta and "google/gemma" in meta and "训练" in meta


def test_front_matter_of_other_engines_is_read(site):
    jekyll = article(site, "notes/jekyll-gemini15-zhtw/")
    meta = jekyll.select_one(".nkb-meta").get_text()
    assert "小林" in meta and "2025-07-13" in meta and "繁體中文" in meta and "論文, LLM" in meta
    hugo = article(site, "notes/hugo-gemma-notes/")
    assert "2024-02-25" in hugo.select_one(".nkb-meta").get_text() and "开放模型" in hugo.select_one(".nkb-meta").get_text()


def test_links_of_the_original_site_and_the_table_of_contents(site):
    page = article(site, "notes/jekyll-gemini15-zhtw/")
    toc = [a["href"] for a in page.select_one(".nkb-note-body ul").select("a")]
    assert toc == ["./#s1", "./#s2"]  # the third item named no heading: text
    assert "附錄" in page.get_text() and "原始碼筆記" in page.get_text()
    assert not [a for a in page.select("a") if a.get("href", "").startswith(("../src", "/about"))]


def test_japanese_is_never_converted_or_spaced(site):
    page = article(site, "notes/ja-gemini10/")
    assert page.select_one(".nkb-note-body")["lang"] == "ja"
    text = page.get_text()
    assert "AI競争" in text and "約束" in text and "2023年12月6日" in text
    excerpt = next(e for e in article(site, "models/gemini-1.0/").select(".nkb-excerpt") if "ja-gemini10" in str(e))
    assert excerpt["lang"] == "ja" and "AI競争" in excerpt.get_text()


def test_english_paragraphs_of_a_translation_carry_their_language(site):
    for url in ("notes/bilingual-gemma/", f"{LANDS['notes/bilingual-gemma/']}/"):
        english = [p for p in article(site, url).select('p[lang="en"]') if "lightweight open models" in p.get_text()]
        assert english, url


def test_math_is_mathml_and_prices_stay_text(site):
    page = article(site, "notes/ko-gemma-math/")
    assert len(page.select("div.nkb-math > math[display=block]")) == 2
    assert page.select_one("p > math msubsup") is not None
    assert page.select_one("code.nkb-tex").get_text() == "$\\undefinedcommand{x}$"
    cells = [td.get_text() for td in page.select("td")]
    assert "$2" in cells and "$8" in cells
    assert not page.select("em")  # no underscore became italics


def test_invisible_characters_do_not_hide_a_name(site):
    page = article(site, "notes/html-blog-gemini25/")
    assert "\u200e" not in page.get_text()
    assert page.select_one("p a").get_text() == "Gemini 2.5"


def test_blog_html_renders_and_a_broken_note_changes_no_other_excerpt(site, tmp_path_factory):
    page = article(site, "notes/html-blog-gemini25/")
    assert page.select_one("details summary").get_text() == "展开：训练规模"
    assert page.select_one("details strong").get_text() == "数据并行"
    assert page.select_one('td[colspan="2"]') is not None and page.select_one("sup").get_text() == "1"
    assert page.select_one(".nkb-embed a")["href"] == "https://www.youtube.com/embed/xyz"
    without = _build(tmp_path_factory, {k: v for k, v in NOTES.items() if "html-blog" not in k}, "without-html")
    for model in ("gemini-2.5", "gemini-1.0", "gemma"):
        before = {e["id"]: str(e) for e in article(without, f"models/{model}/").select(".nkb-excerpt")}
        after = {e["id"]: str(e) for e in article(site, f"models/{model}/").select(".nkb-excerpt")}
        assert {k: after.get(k) for k in before} == before, model
