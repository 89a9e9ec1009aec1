"""The Traditional edition as files beside a built site (publish.edition_site), as the folder step
after any engine makes it: pages converted, every other file there too, the search records in
the edition's words."""

from __future__ import annotations

import gzip
import json

from notekb.publish.edition_site import EditionSite
from notekb.publish.prepare import prepare
from notekb.search.index import Doc


def _site(tmp_path):
    site = tmp_path / "site"
    (site / "models" / "gemma").mkdir(parents=True)
    (site / "assets").mkdir()
    (site / "search" / "d").mkdir(parents=True)
    (site / "index.html").write_text("<html lang='zh'><head></head><body><article><h1>首页</h1><p>数据</p></article></body></html>", encoding="utf-8")
    (site / "models" / "gemma" / "index.html").write_text("<html lang='zh'><head></head><body><article><p>软件</p></article></body></html>", encoding="utf-8")
    (site / "assets" / "logo.png").write_bytes(b"\x89PNG binary")
    records = [
        {"u": "models/gemma/#a", "p": "Gemma", "t": "训练数据", "x": "软件和信息"},
        {"u": "notes/ja/#b", "p": "メモ", "t": "学習データ", "x": "学習データの説明"},
        None,
    ]
    (site / "search" / "d" / "0.json").write_text(json.dumps(records, ensure_ascii=False), encoding="utf-8")
    (site / "search" / "manifest.json").write_text('{"n": 2}', encoding="utf-8")
    sitemap = "<urlset><url><loc>https://example.org/kb/models/gemma/</loc></url></urlset>"
    (site / "sitemap.xml").write_text(sitemap, encoding="utf-8")
    (site / "sitemap.xml.gz").write_bytes(gzip.compress(sitemap.encode()))
    return site


def test_the_folder_step_makes_every_file_of_the_edition(tmp_path):
    site = _site(tmp_path)
    EditionSite(site, site_url="https://example.org/kb/").finish()
    edition = site / "zh-Hant"
    assert sorted(p.relative_to(edition).as_posix() for p in edition.rglob("*") if p.is_file()) == sorted(
        p.relative_to(site).as_posix() for p in site.rglob("*") if p.is_file() and not p.is_relative_to(edition)
    )
    home = (edition / "index.html").read_text(encoding="utf-8")
    assert "<p>資料</p>" in home and 'lang="zh-Hant"' in home and "這是本站的繁體中文版" in home
    assert "<p>軟體</p>" in (edition / "models" / "gemma" / "index.html").read_text(encoding="utf-8")
    # the Simplified pages link to their counterparts now
    assert 'hreflang="zh-Hant" href="https://example.org/kb/zh-Hant/models/gemma/"' in (site / "models" / "gemma" / "index.html").read_text(encoding="utf-8")
    assert (edition / "assets" / "logo.png").read_bytes() == b"\x89PNG binary"
    assert (edition / "search" / "manifest.json").read_text(encoding="utf-8") == '{"n": 2}'
    assert "<loc>https://example.org/kb/zh-Hant/models/gemma/</loc>" in (edition / "sitemap.xml").read_text(encoding="utf-8")
    assert b"/kb/zh-Hant/models/gemma/" in gzip.decompress((edition / "sitemap.xml.gz").read_bytes())


def test_search_records_without_a_converted_page_are_converted_as_text_but_not_japanese(tmp_path):
    site = _site(tmp_path)
    EditionSite(site).finish()
    records = json.loads((site / "zh-Hant" / "search" / "d" / "0.json").read_text(encoding="utf-8"))
    assert records[0] == {"u": "models/gemma/#a", "p": "Gemma", "t": "訓練資料", "x": "軟體和資訊"}
    assert records[1] == {"u": "notes/ja/#b", "p": "メモ", "t": "学習データ", "x": "学習データの説明"}
    assert records[2] is None


def test_search_records_take_the_sections_of_the_converted_page(tmp_path):
    """A page prepared for the edition gives the records their text: what a note wrote in
    Traditional Chinese shows as written, not converted from its Simplified copy."""
    site = _site(tmp_path)
    edition = EditionSite(site)
    prepared = prepare('<p>软件</p><div lang="zh-HK"><p>軟件</p></div>', "models/gemma/", "Gemma", True, True, True)
    prepared.edition_docs = [Doc("models/gemma/#a", "Gemma", "訓練數據", "軟件和信息")]  # as a Traditional note wrote them
    output = (site / "models" / "gemma" / "index.html").read_text(encoding="utf-8")
    edition.write_page("models/gemma/index.html", output, prepared)
    edition.finish()
    records = json.loads((site / "zh-Hant" / "search" / "d" / "0.json").read_text(encoding="utf-8"))
    assert records[0]["t"] == "訓練數據" and records[0]["x"] == "軟件和信息"


def test_prepare_makes_both_editions_of_a_page_and_their_sections():
    html = (
        '<h2 id="a">训练数据</h2><div class="nkb-excerpt" id="x" lang="zh-Hans" data-nkb-edition="hans"><p>软件</p></div>'
        '<div class="nkb-excerpt" id="nkb-hant-x" lang="zh-HK" data-nkb-edition="hant" hidden><p>軟件</p></div>'
    )
    prepared = prepare(html, "models/gemma/", "数据", True, True, True)
    assert "軟件" not in prepared.html and "hidden" not in prepared.html
    assert [(d.title, d.text) for d in prepared.docs] == [("训练数据", ""), ("训练数据", "软件")]  # the hidden copy: not twice
    assert "软件" not in prepared.edition_html and 'id="x"' in prepared.edition_html
    assert [(d.url, d.page, d.title, d.text) for d in prepared.edition_docs] == [("models/gemma/#a", "資料", "訓練資料", ""), ("models/gemma/#x", "資料", "訓練資料", "軟件")]
    assert prepare(html, "models/gemma/", "数据", True, True).edition_html is None
