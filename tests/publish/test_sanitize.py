"""The final HTML allow-list over generated pages, and ids that never take the theme's."""

from __future__ import annotations

from notekb.publish.sanitize import sanitize_html, theme_safe_slugify


def test_final_html_allow_list():
    html = (
        '<div class="nkb-excerpt" lang="ko" id="x" data-k="1"><p onclick="x()">文</p><script>bad()</script>'
        '<a href="javascript:alert(1)">j</a><a href="../notes/a/#s1" class="headerlink">ok</a><iframe src="x"></iframe></div>'
    )
    out = sanitize_html(html)
    assert "<script" not in out and "onclick" not in out and "javascript:" not in out and "<iframe" not in out
    assert 'class="nkb-excerpt"' in out and 'lang="ko"' in out and 'data-k="1"' in out and 'href="../notes/a/#s1"' in out


def test_heading_ids_never_start_with_an_underscore():
    slugify = theme_safe_slugify()
    assert slugify("__config", "-") == "h__config" and slugify("Gemini 1.5", "-") == "gemini-15"
    assert theme_safe_slugify(slugify) is slugify


def test_sanitized_pages_have_no_theme_ids():
    out = sanitize_html('<h2 id="__drawer">x</h2><a href="#__drawer">y</a><p id="ok">z</p>')
    assert 'id="h__drawer"' in out and 'href="#h__drawer"' in out and 'id="ok"' in out


def test_table_of_contents_keeps_plain_anchors_and_one_copy_of_each_excerpt_heading():
    from types import SimpleNamespace as Item

    from notekb.publish.sanitize import safe_toc

    items = [
        Item(url="#data", children=[Item(url="#x-data-a", children=[]), Item(url="#nkb-hant-x-data-a", children=[])]),
        Item(url='javascript:alert(1)"', children=[]),
        Item(url="#nkb-hant-x", children=[]),
    ]
    kept = safe_toc(items)
    assert [i.url for i in kept] == ["#data"] and [i.url for i in kept[0].children] == ["#x-data-a"]
