"""The Traditional edition of a page: what is converted, what is kept as written, which copy each
edition shows, and the links between the editions (publish.edition)."""

from __future__ import annotations

import json
import re

from notekb.publish.edition import Converter, convert_page, converted_lang, edition_page, link_editions, relative, select_edition

PAGE = """<!doctype html><html lang="zh" class="no-js"><head><title>数据 - 读书笔记</title>
<script id="__config" type="application/json">{"translations": {"search.placeholder": "\\u641c\\u7d22"}}</script></head>
<body><nav><a href="../软件/" title="软件说明">软件与信息</a></nav><article>
<h2 id="训练数据">训练数据</h2>
<p>这里的数据和软件信息，见 https://zh.wikipedia.org/wiki/数据 与 数据清单.csv。</p>
<pre><code># 加载数据
def 读取数据(): pass</code></pre>
<p>调用 <code>读取数据()</code>，按 <kbd>数据</kbd> 键，公式 <math><mi>数据</mi></math>。</p>
<div lang="ko"><p>학습 데이터 (數據) 는 6T 토큰입니다.</p></div>
<div lang="ja"><p>学習データの説明。</p><p lang="zh-Hans" class="nkb-used">收录于 数据</p></div>
<div lang="zh-Hant"><p>訓練數據用過濾軟件處理，文法清楚。</p></div>
<img src="数据.png" alt="数据图" data-x="数据">
</article></body></html>"""


def test_prose_headings_titles_and_the_themes_words_are_converted_with_taiwan_words():
    out = convert_page(PAGE, Converter())
    assert '<html lang="zh-Hant" class="no-js">' in out
    assert "<title>資料 - 讀書筆記</title>" in out
    config = json.loads(re.search(r'<script id="__config"[^>]*>(.*?)</script>', out, re.S).group(1))
    assert config == {"translations": {"search.placeholder": "搜尋"}}  # Material's interface words
    assert ">軟體與資訊</a>" in out and 'title="軟體說明"' in out
    assert ">訓練資料</h2>" in out
    assert "這裡的資料和軟體資訊" in out
    assert 'alt="資料圖"' in out


def test_code_math_urls_file_names_ids_and_other_attributes_are_kept():
    out = convert_page(PAGE, Converter())
    assert "# 加载数据\ndef 读取数据(): pass" in out
    assert "<code>读取数据()</code>" in out and "<kbd>数据</kbd>" in out and "<mi>数据</mi>" in out
    assert "https://zh.wikipedia.org/wiki/数据" in out and "数据清单.csv" in out
    assert 'id="训练数据"' in out and 'href="../软件/"' in out and 'src="数据.png"' in out and 'data-x="数据"' in out


def test_korean_japanese_and_traditional_text_are_kept_as_written():
    out = convert_page(PAGE, Converter())
    assert "학습 데이터 (數據) 는 6T 토큰입니다." in out
    assert "学習データの説明。" in out
    # as written: neither 數據 -> 資料 and 軟件 -> 軟體 (s2twp's words) nor 文法 -> 語法 (a round trip)
    assert "訓練數據用過濾軟件處理，文法清楚。" in out
    # the site's own words inside a Japanese note are marked as such, and converted
    assert "收錄於 資料" in out


def test_simplified_language_tags():
    assert all(converted_lang(tag) for tag in ("zh", "zh-Hans", "zh-CN", "zh-SG", "zh-Hans-CN", ""))
    assert not any(converted_lang(tag) for tag in ("zh-Hant", "zh-TW", "zh-HK", "ko", "ja", "en", "fr"))


def test_many_texts_convert_in_one_call_and_come_back_in_their_places():
    converter = Converter()
    texts = [f"第{k}条数据" for k in range(300)] + ["", "no han", "信息\n\u2029\n软件"]
    out = converter.convert_all(texts)
    assert out[:300] == [f"第{k}條資料" for k in range(300)]
    assert out[300:] == ["", "no han", "資訊\n\u2029\n軟體"]
    assert converter.convert("软件") == "軟體"


def test_titles_written_in_traditional_stay_as_written_wherever_they_are():
    title = "報告筆記：數據與軟件"
    out = convert_page(f"<nav><a>{title}</a></nav><title>{title} - 读书笔记</title>", Converter(), frozenset({title}))
    assert f"<a>{title}</a>" in out and f"<title>{title} - 讀書筆記</title>" in out


EXCERPT = """<article><h2 id="data">训练数据</h2>
<div class="nkb-excerpt" id="x-data-n" lang="zh-Hans" data-nkb-edition="hans"><h4 id="x-data-n-a">训练数据</h4><p>软件</p></div>
<div class="nkb-excerpt" id="nkb-hant-x-data-n" lang="zh-HK" data-nkb-edition="hant" hidden><h4 id="nkb-hant-x-data-n-a">訓練數據</h4><p>軟件</p><a href="#nkb-hant-x-data-n-a">¶</a></div>
<p>后文</p></article>"""


def test_each_edition_shows_its_own_copy_of_a_traditional_excerpt_under_the_same_ids():
    hans = select_edition(EXCERPT, "hans")
    assert "軟件" not in hans and "hidden" not in hans and '<h4 id="x-data-n-a">训练数据</h4>' in hans
    hant = convert_page(EXCERPT, Converter())
    assert "软件" not in hant and "軟體" not in hant
    assert '<div class="nkb-excerpt" id="x-data-n" lang="zh-HK" data-nkb-edition="hant">' in hant
    assert '<h4 id="x-data-n-a">訓練數據</h4><p>軟件</p><a href="#x-data-n-a">' in hant
    assert "<p>後文</p>" in hant


def test_the_content_converted_beforehand_is_put_in_place_and_the_rest_converted():
    content = "<p>正文数据</p>"
    output = f"<html lang='zh'><head><title>软件</title></head><body><article>{content}</article><footer>信息</footer></body></html>"
    page = edition_page(output, content, "<p>已转换的正文</p>")
    assert "<article><p>已转换的正文</p></article>" in page  # taken as given, not converted again
    assert "<title>軟體</title>" in page and "<footer>資訊</footer>" in page
    assert "<p>正文資料</p>" in edition_page(output, "<p>not in the page</p>", "<p>x</p>")  # else: all converted


THEME_PAGE = """<html><head><link rel="alternate" href="../.." hreflang="zh-Hans"><link rel="alternate" href="../../zh-Hant/" hreflang="zh-Hant"></head>
<body><a href="../.." hreflang="zh-Hans" class="md-select__link">简体中文</a><a href="../../zh-Hant/" hreflang="zh-Hant" class="md-select__link">繁體中文</a>
<article><h1>标题</h1></article></body></html>"""


def test_each_page_links_the_same_page_in_both_editions():
    hans = link_editions(THEME_PAGE, "models/gemma/index.html", False)
    assert '<link rel="alternate " hreflang="zh-Hans" href="./"><link rel="alternate " hreflang="zh-Hant" href="../../zh-Hant/models/gemma/">' in hans
    assert 'href="../.."' not in hans and 'rel="alternate" ' not in hans  # the theme's links to the home pages made way
    assert '<a href="../../zh-Hant/models/gemma/" hreflang="zh-Hant"' in hans and '<a href="./" hreflang="zh-Hans"' in hans
    hant = link_editions(THEME_PAGE, "models/gemma/index.html", True, "https://example.org/kb/")
    assert '<link rel="alternate " hreflang="zh-Hans" href="https://example.org/kb/models/gemma/">' in hant
    assert '<link rel="alternate " hreflang="zh-Hant" href="https://example.org/kb/zh-Hant/models/gemma/">' in hant
    assert '<a href="../../../models/gemma/" hreflang="zh-Hans"' in hant and '<a href="./" hreflang="zh-Hant"' in hant
    assert "nkb-edition" not in hans + hant  # only the home page says which edition it is


def test_the_home_page_of_each_edition_says_which_it_is():
    hans = link_editions(THEME_PAGE, "index.html", False)
    hant = link_editions(THEME_PAGE, "index.html", True)
    assert '<h1>标题</h1><p class="nkb-edition" lang="zh-Hans">这是本站的简体中文版。<a href="zh-Hant/" hreflang="zh-Hant"' in hans
    assert '<p class="nkb-edition" lang="zh-Hant">這是本站的繁體中文版' in hant and '<a href="../" hreflang="zh-Hans" lang="zh-Hans">简体中文版</a>' in hant


def test_the_switch_names_each_edition_in_its_own_script():
    assert ">简体中文</a>" in convert_page(THEME_PAGE, Converter())


def test_relative_urls_between_editions():
    assert relative("index.html", "zh-Hant/index.html") == "zh-Hant/"
    assert relative("zh-Hant/index.html", "index.html") == "../"
    assert relative("zh-Hant/notes/a/index.html", "notes/a/index.html") == "../../../notes/a/"
    assert relative("404.html", "zh-Hant/404.html") == "zh-Hant/404.html"


def _link_editions_by_regex(page_html, path, edition, site_url=None):
    """link_editions as each of its patterns run over the whole page (what it must stay equal to)."""
    from notekb.publish import edition as e

    here = e.counterpart(path, True) if edition else path
    urls = {e.DEFAULT: relative(here, path), e.EDITION: relative(here, e.counterpart(path, True))}
    page_html = e._THEME_ALTERNATE.sub("", page_html)
    if site_url:
        base = site_url.rstrip("/") + "/"
        heads = {e.DEFAULT: base + e._directory(path), e.EDITION: base + e._directory(e.counterpart(path, True))}
    else:
        heads = urls
    alternates = "".join(f'<link rel="alternate " hreflang="{lang}" href="{url}">' for lang, url in heads.items())
    page_html = e._HEAD_END.sub(lambda m: alternates + m.group(), page_html, count=1)
    page_html = e._HREFLANG.sub(lambda m: e._HREF.sub(lambda h: h.group(1) + urls[m.group(1)] + h.group(2), m.group(), count=1), page_html)
    if path == e.HOME:
        notice = e.NOTICE[edition].format(other=urls[e.DEFAULT if edition else e.EDITION])
        page_html = e._H1_END.sub(lambda m: m.group() + notice, page_html, count=1)
    return page_html


def test_links_between_editions_are_what_the_patterns_give_over_the_whole_page():
    """link_editions runs its patterns only over the tags that can match them: the same page as
    running them over all of it, also for odd HTML (tags split, in comments, in another case)."""
    import random

    pieces = [
        '<link rel="alternate" href="./" hreflang="zh-Hans">', '<link rel="alternate" hreflang="zh-Hant" href="zh-Hant/">',
        '<LINK rel="alternate" hreflang="zh-Hans">', '<link rel="alternate" hreflang="zh-Hant"', " ", "\n  ", "\u3000",
        '<a href="x" hreflang="zh-Hant" class="md-select__link">', '<a href="y" hreflang="zh-Hans">', "<a\thref='a' hreflang=\"zh-Hant\">",
        '<a hreflang="zh-Hans" hreflang="zh-Hant" href="z">', '<abbr hreflang="zh-Hant">', '<!-- hreflang="zh-Hant" -->',
        "</head>", "</HEAD>", "</Head >", "</h1>", "</H1>", "<h1>标题", "<", ">", "</", "<a", "<link", 'hreflang="zh-Han',
        'rel="alternate"', "文字", "text", '<a href="q">', "</a>", '"', "'",
    ]
    rng = random.Random(16)
    for _ in range(20000):
        page = "".join(rng.choice(pieces) for _ in range(rng.randint(0, 14)))
        path = rng.choice(["index.html", "notes/a/index.html"])
        edition, site_url = rng.random() < 0.5, rng.choice([None, "https://example.org/kb/"])
        assert link_editions(page, path, edition, site_url) == _link_editions_by_regex(page, path, edition, site_url), (page, path, edition, site_url)
