"""The step after rendering over a built site folder (publish.site), as it runs after Zensical: every
generated page's content sanitized, titles kept text, notekb's search index and assets written, the
Traditional edition beside the pages, and a page it cannot vouch for removed."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from notekb.publish.export import END, GENERATED, HAND_WRITTEN
from notekb.publish.site import PublishError, SitePage, SiteStep
from notekb.registry import Registry


def _html(title: str, content: str, marker: str = GENERATED) -> str:
    return (
        f'<!doctype html><html lang="zh"><head><title>{title} - 读书笔记</title></head><body>'
        f'<header>软件 读书笔记</header><article class="md-content__inner">{marker}{content}{END}</article></body></html>'
    )


@pytest.fixture(scope="module")
def registry():
    return Registry.load()


def _site(tmp_path: Path, pages: dict[str, str]) -> Path:
    for path, html in pages.items():
        target = tmp_path / path
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(html, encoding="utf-8")
    return tmp_path


PAGES = [SitePage("notes/x.md", "</title><script>alert(1)</script>", True), SitePage("about.md", "关于", False)]


def test_generated_content_is_sanitized_and_titles_stay_text(tmp_path, registry):
    site = _site(tmp_path, {
        "notes/x/index.html": _html("</title><script>alert(1)</script>", '<h1 id="t">标题</h1><p>数据 <img src="x" onerror="alert(1)"></p>'),
        "about/index.html": _html("关于", '<p>文档 <span onclick="go()">点</span></p>', HAND_WRITTEN),
    })
    report = SiteStep(registry).run(site, PAGES)
    page = (site / "notes/x/index.html").read_text(encoding="utf-8")
    assert "onerror" not in page and "数据" in page
    assert "<title>&lt;/title&gt;&lt;script&gt;alert(1)&lt;/script&gt;" in page and "<script>" not in page
    assert 'onclick="go()"' in (site / "about/index.html").read_text(encoding="utf-8")  # hand-written: trusted
    assert report.pages == 2 and report.index["docs"] >= 2
    assert (site / "search" / "manifest.json").is_file() and (site / "assets" / "notekb-search.js").is_file()


def test_a_page_without_its_markers_is_removed_and_named(tmp_path, registry):
    site = _site(tmp_path, {"notes/x/index.html": "<html><body><p>没有标记 <img src=x onerror=alert(1)></p></body></html>"})
    with pytest.raises(PublishError, match="notes/x.md"):
        SiteStep(registry).run(site, PAGES[:1])
    assert not (site / "notes/x/index.html").exists()


def test_the_edition_is_written_beside_the_pages_with_links_both_ways(tmp_path, registry):
    site = _site(tmp_path, {"notes/x/index.html": _html("笔记", '<h1 id="t">标题</h1><p>软件和数据 <code>数据</code></p>'), "404.html": _html("404", "<p>页面不存在</p>", HAND_WRITTEN)})
    SiteStep(registry, edition=True).run(site, [SitePage("notes/x.md", "笔记", True)])
    hant = (site / "zh-Hant/notes/x/index.html").read_text(encoding="utf-8")
    assert 'lang="zh-Hant"' in hant and "軟體和資料" in hant and "<code>数据</code>" in hant and 'id="t"' in hant
    assert "讀書筆記" in hant  # the theme's part of the page too
    assert 'hreflang="zh-Hant"' in (site / "notes/x/index.html").read_text(encoding="utf-8")
    assert "頁面不存在" in (site / "zh-Hant/404.html").read_text(encoding="utf-8")  # a page of the engine's own
    records = json.loads((site / "zh-Hant/search/d/0.json").read_text(encoding="utf-8"))
    assert any("軟體" in r.get("x", "") for r in records if isinstance(r, dict))


def test_a_run_after_an_edit_prepares_only_the_changed_page(tmp_path, registry, monkeypatch):
    site = _site(tmp_path, {
        "notes/x/index.html": _html("笔记", "<p>第一篇</p>"),
        "notes/y/index.html": _html("另一篇", "<p>第二篇</p>"),
    })
    pages = [SitePage("notes/x.md", "笔记", True), SitePage("notes/y.md", "另一篇", True)]
    step = SiteStep(registry)
    step.run(site, pages)
    (site / "notes/x/index.html").write_text(_html("笔记", "<p>第一篇，改过 <img src=x onerror=alert(1)></p>"), encoding="utf-8")
    report = step.run(site, pages, changed={"notes/x.md"})
    assert report.pages == 1
    assert "onerror" not in (site / "notes/x/index.html").read_text(encoding="utf-8")
    records = "".join(p.read_text(encoding="utf-8") for p in (site / "search" / "d").glob("*.json"))
    assert "改过" in records and "第二篇" in records
