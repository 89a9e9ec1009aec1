"""The Traditional Chinese edition: every built page again under zh-Hant/, converted with OpenCC.

Chinese Wikipedia shows every article in the reader's script by conversion; so does this site. The
edition is made from the built site, page by page, by any engine (publish.prepare converts a
page's content, on the helper processes for a large site; `edition_page` the rest of the page;
publish.edition_site writes the files):

* Text is converted with OpenCC's `s2twp` (Simplified to Taiwan Traditional, with Taiwan's words:
  数据 -> 資料, 软件 -> 軟體): headings, prose, facts boxes, glossary, navigation, titles, the site's
  name, the theme's own words (also those in its configuration script), and the alt, title and
  aria-label text of elements.
* Never converted: text inside an element marked as another language than Simplified Chinese
  (`lang="ko"`, `ja`, `en`, and `zh-Hant`, `zh-HK`, which a note wrote in Traditional Chinese and
  which is kept exactly as written; the site's own labels inside such a note are marked zh-Hans
  and converted), code, math, scripts and styles, URLs and file names inside a text, the titles of
  notes written in Traditional Chinese, and every attribute but those above (ids, so anchors are
  the same in both editions; links).
* A model page shows a Traditional note's excerpt converted to Simplified, and (hidden) as its
  author wrote it, each marked `data-nkb-edition`: each edition keeps its own.
* `<html lang>` becomes zh-Hant; each page links its counterpart (`<link rel="alternate"
  hreflang>`, and the theme's language switch pointed at the same page); the home page says which
  edition it is.

OpenCC's converter is created once per process; text the site repeats on every page (the
navigation) is converted once.
"""

from __future__ import annotations

import html
import json
import posixpath
import re
from functools import lru_cache

EDITION = "zh-Hant"  # the folder and the language tag of the Traditional edition
DEFAULT = "zh-Hans"
CONFIG = "s2twp"
SKIP_ELEMENTS = {"pre", "code", "kbd", "samp", "math", "script", "style", "svg", "textarea", "template"}
TEXT_ATTRIBUTES = ("title", "alt", "aria-label", "placeholder", "content", "data-md-tooltip")
_TOKEN = re.compile(r"<!--.*?-->|<(/?)([a-zA-Z][\w:-]*)((?:[^<>\"']|\"[^\"]*\"|'[^']*')*)>", re.S)
_ATTR = re.compile(r"""([\w:-]+)(\s*=\s*)("[^"]*"|'[^']*')""")
_LANG = re.compile(r"""\blang\s*=\s*["']([^"']+)["']""")
_HAN = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]")
_VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}
_SEPARATOR = "\n\u2029\n"  # between texts converted in one call: OpenCC leaves it as it is


@lru_cache(maxsize=1)
def _opencc():
    import opencc

    return opencc.OpenCC(CONFIG)


class Converter:
    """s2twp with a memory: the same text (a navigation entry, the site's name) is converted once.

    URLs and file names in a text are left as they are (a link's text is often its address)."""

    def __init__(self) -> None:
        self.known: dict[str, str] = {}

    def convert_all(self, texts: list[str]) -> list[str]:
        todo = list(dict.fromkeys(t for t in texts if t not in self.known and _HAN.search(t)))
        if todo:
            # the text between addresses and file names, each piece once
            pieces = list(dict.fromkeys(piece for text in todo for piece in _pieces(text)[::2] if _HAN.search(piece)))
            converted = dict(zip(pieces, self._opencc_all(pieces)))
            for text in todo:
                parts = _pieces(text)
                parts[::2] = [converted.get(part, part) for part in parts[::2]]
                self.known[text] = "".join(parts)
        return [self.known.get(t, t) for t in texts]

    def convert(self, text: str) -> str:
        return self.convert_all([text])[0]

    @staticmethod
    def _opencc_all(texts: list[str]) -> list[str]:
        """Many texts in one call to OpenCC (a call has a cost of its own), apart again after."""
        if not texts:
            return []
        if not any(_SEPARATOR.strip() in t for t in texts):
            converted = _opencc().convert(_SEPARATOR.join(texts)).split(_SEPARATOR)
            if len(converted) == len(texts):
                return converted
        return [_opencc().convert(t) for t in texts]


# An address or a file name inside a text: never converted (see the module's docstring).
_KEPT_TEXT = re.compile(
    r"(?:[a-zA-Z][a-zA-Z0-9+.-]*://|www\.)[^\s<>\"'）」』】，。、]+"
    r"|[^\s<>\"'（「『【，。、：:]+\.(?:md|mdx|markdown|txt|py|ipynb|json|ya?ml|toml|csv|pdf|png|jpe?g|gif|svg|webp|html?)\b"
)


def _pieces(text: str) -> list[str]:
    """A text cut at its addresses and file names: [text, kept, text, kept, …, text]."""
    if "." not in text:
        return [text]
    parts = []
    last = 0
    for match in _KEPT_TEXT.finditer(text):
        parts += [text[last : match.start()], match.group()]
        last = match.end()
    return parts + [text[last:]]


def converted_lang(lang: str) -> bool:
    """Whether text marked with this language is converted: Simplified Chinese only ("zh",
    "zh-Hans", "zh-CN", …); Korean, Japanese, English, Traditional Chinese and every other language
    is kept as written."""
    lang = lang.strip().lower()
    return lang in ("", "zh", "zh-cn", "zh-sg", "zh-my") or lang.startswith("zh-hans")


def counterpart(path: str, to_edition: bool) -> str:
    """The site path of a page's counterpart in the other edition ("models/gemma/index.html" <->
    "zh-Hant/models/gemma/index.html")."""
    prefix = EDITION + "/"
    return prefix + path if to_edition else path.removeprefix(prefix)


def _directory(path: str) -> str:
    """A built file's URL path: "models/gemma/index.html" -> "models/gemma/"."""
    return path[: -len("index.html")] if path.endswith("index.html") else path


def relative(from_path: str, to_path: str) -> str:
    """A relative URL from one built file to another (directory URLs for index.html)."""
    target = _directory(to_path)
    url = posixpath.relpath(target or ".", posixpath.dirname(from_path) or ".")
    return url + "/" if target.endswith("/") or not target else url


def convert_page(page_html: str, converter: Converter, as_written: frozenset[str] = frozenset()) -> str:
    """The Traditional edition of one built page (or of a piece of one). Texts in `as_written`
    (the titles of notes written in Traditional Chinese, which the navigation shows without their
    language) are kept. Call `link_editions` on the page afterwards."""
    return _rewrite(page_html, "hant", converter, as_written)


def select_edition(page_html: str, edition: str = "hans") -> str:
    """A built page with only the copies meant for one edition ("hans" or "hant") of what each
    edition shows differently (a Traditional note's excerpt, the home page's edition notice)."""
    return _rewrite(page_html, edition, None) if "data-nkb-edition" in page_html else page_html


def _rewrite(page_html: str, edition: str, converter: Converter | None, as_written: frozenset[str] = frozenset()) -> str:
    """One pass over a page: drop the other edition's copies, show this edition's (with their
    ids back), and with a converter, convert the text (see the module's docstring)."""
    other = "hans" if edition == "hant" else "hant"
    out: list[str] = []
    texts: list[tuple[int, str]] = []  # (index in out, text) to convert
    # Open elements: (name, whether their text is kept as is, whether that holds for all inside:
    # code, math, ... whereas a language holds until an element inside names another).
    stack: list[tuple[str, bool, bool]] = []
    keep = fixed = False
    hidden: tuple[str, int] | None = None  # a copy for the Simplified edition only: (element, depth)
    last = 0
    for match in _TOKEN.finditer(page_html):
        text = page_html[last : match.start()]
        last = match.end()
        if text and hidden is None:
            if converter is not None and stack and stack[-1][0] == "__config":
                out.append(_theme_config(text, converter))
            elif converter is not None and not keep and _HAN.search(text):
                for piece in _as_written(as_written).split(text) if as_written else (text,):
                    if piece not in as_written and _HAN.search(piece):
                        texts.append((len(out), piece))
                    out.append(piece)
            else:
                out.append(text)
        closing, written, attrs = match.group(1), match.group(2), match.group(3) or ""
        if written is None:  # a comment
            if hidden is None:
                out.append(match.group())
            continue
        name = written.lower()
        void = name in _VOID or attrs.rstrip().endswith("/")
        if hidden is not None:
            element, depth = hidden
            if name == element and not void:
                depth += -1 if closing else 1
            hidden = None if depth == 0 else (element, depth)
            continue
        if closing:
            while stack and stack.pop()[0] not in (name, "__config" if name == "script" else name):
                pass
            keep, fixed = stack[-1][1:] if stack else (False, False)
            out.append(match.group())
            continue
        marked = _EDITION.search(attrs)
        if marked and marked.group(1) == other:
            hidden = None if void else (name, 1)  # it, and all inside it, is not in this edition
            continue
        own = _LANG.search(attrs)
        element_fixed = fixed or name in SKIP_ELEMENTS or _KEPT.search(attrs) is not None
        element_keep = element_fixed or (not converted_lang(own.group(1)) if own is not None else keep)
        if name == "html":  # the theme's language, not the text's
            element_keep = element_fixed = False
        if converter is None:
            tag = match.group()
        elif name == "html":
            edition_lang = f'lang="{EDITION}"'
            tag = "<" + written + (_LANG.sub(edition_lang, attrs) if _LANG.search(attrs) else " " + edition_lang + attrs) + ">"
        elif element_keep or not _HAN.search(attrs):
            tag = match.group()
        else:
            tag = f"<{written}{_ATTR.sub(lambda m: _attribute(m, converter), attrs)}>"
        if marked:  # this edition's copy: shown, with the ids the other copy had
            tag = _HIDDEN.sub("", tag, count=1)
        if "nkb-hant-" in tag:
            tag = tag.replace('id="nkb-hant-', 'id="').replace('href="#nkb-hant-', 'href="#')
        out.append(tag)
        if not void:
            if name == "script" and 'id="__config"' in attrs:
                name = "__config"  # the theme's words for its search box and buttons: _theme_config
            stack.append((name, element_keep, element_fixed))
            keep, fixed = element_keep, element_fixed
    rest = page_html[last:]
    if rest and hidden is None:
        if converter is not None and not keep and _HAN.search(rest):
            texts.append((len(out), rest))
        out.append(rest)
    if texts:
        for (index, _), text in zip(texts, converter.convert_all([text for _, text in texts])):
            out[index] = text
    return "".join(out)


def _theme_config(text: str, converter: Converter) -> str:
    """Material's configuration script with its interface words ("translations") converted; they
    are written as JSON escapes (\\u641c), so the text itself shows no Chinese."""
    try:
        config = json.loads(text)
        words = config["translations"]
        keys = [k for k, v in words.items() if isinstance(v, str)]
    except (ValueError, KeyError, TypeError, AttributeError):
        return text
    for key, value in zip(keys, converter.convert_all([words[k] for k in keys])):
        words[key] = value
    return json.dumps(config).replace("</", "<\\/")


@lru_cache(maxsize=4)
def _as_written(titles: frozenset[str]) -> re.Pattern:
    """A pattern that finds these titles in a text (and keeps them when the text is split)."""
    return re.compile("(" + "|".join(map(re.escape, sorted(titles, key=len, reverse=True))) + ")")


_EDITION = re.compile(r'\bdata-nkb-edition="(\w+)"')
# A link to another language's page names it in that language (the switch's "简体中文"); and
# HTML's translate="no" says the same of any element.
_KEPT = re.compile(r'\bhreflang="|\btranslate="no"')
_HIDDEN = re.compile(r"\s+hidden(?:=\"[^\"]*\"|='[^']*'|(?=[\s/>]))")


def _attribute(match: re.Match, converter: Converter) -> str:
    """An attribute, its value converted when it is text a reader sees (title, alt, …)."""
    name, eq, value = match.groups()
    if name.lower() not in TEXT_ATTRIBUTES or not _HAN.search(value):
        return match.group()
    inner = html.unescape(value[1:-1])
    return f"{name}{eq}{value[0]}{html.escape(converter.convert(inner), quote=True)}{value[0]}"


_HEAD_END = re.compile(r"</head>", re.I)
_H1_END = re.compile(r"</h1>", re.I)
_HREFLANG = re.compile(r'<a\b[^>]*\bhreflang="(zh-Hans|zh-Hant)"[^>]*>')
_THEME_ALTERNATE = re.compile(r'<link\b[^>]*\brel="alternate"[^>]*\bhreflang="zh-Han[st]"[^>]*>\s*')
_HREF = re.compile(r'(\bhref=")[^"]*(")')
HOME = "index.html"
# What the home page of each edition says it is (written in its own script: never converted).
NOTICE = {
    False: '<p class="nkb-edition" lang="zh-Hans">这是本站的简体中文版。'
    '<a href="{other}" hreflang="zh-Hant" lang="zh-Hant">繁體中文版</a></p>',
    True: '<p class="nkb-edition" lang="zh-Hant">這是本站的繁體中文版，由簡體中文版以 OpenCC 自動轉換（臺灣用詞）；'
    '筆記以繁體中文寫成的段落保留原文。<a href="{other}" hreflang="zh-Hans" lang="zh-Hans">简体中文版</a></p>',
}


def link_editions(page_html: str, path: str, edition: bool, site_url: str | None = None) -> str:
    """A page with `<link rel="alternate" hreflang>` to this very page in both editions, and the
    theme's language switch (links with hreflang zh-Hans/zh-Hant, like Material's
    `extra.alternate`) pointed at it too; the home page says which edition it is. `path`: the
    Simplified page's file in the site; `edition`: whether this is the Traditional copy; with the
    site's URL, the alternates are full addresses, as search engines prefer them)."""
    here = counterpart(path, True) if edition else path
    urls = {DEFAULT: relative(here, path), EDITION: relative(here, counterpart(path, True))}
    # The theme's own alternates point at each edition's home page: they make way for these. The
    # rel value ends in a space (a token list may): Material's script fetches "sitemap.xml" beside
    # every link[rel=alternate] (an exact match), which beside a page is not there.
    page_html = _in_marked_tags(_THEME_ALTERNATE, "", page_html, True)
    if site_url:
        base = site_url.rstrip("/") + "/"
        heads = {DEFAULT: base + _directory(path), EDITION: base + _directory(counterpart(path, True))}
    else:
        heads = urls
    alternates = "".join(f'<link rel="alternate " hreflang="{lang}" href="{html.escape(url)}">' for lang, url in heads.items())
    page_html = _HEAD_END.sub(lambda m: alternates + m.group(), page_html, count=1)
    page_html = _in_marked_tags(_HREFLANG, lambda m: _HREF.sub(lambda h: h.group(1) + urls[m.group(1)] + h.group(2), m.group(), count=1), page_html)
    if path == HOME:
        notice = NOTICE[edition].format(other=urls[DEFAULT if edition else EDITION])
        page_html = _H1_END.sub(lambda m: m.group() + notice, page_html, count=1)
    return page_html


# Every match of _THEME_ALTERNATE and _HREFLANG is one tag holding this (and, for the first, the
# white space after it): only such tags need the patterns, not the thousands of the navigation.
_MARK = 'hreflang="zh-Han'
_SPACE = re.compile(r"\s*")


def _in_marked_tags(pattern: re.Pattern, repl, page_html: str, space_after: bool = False) -> str:
    """`pattern.sub(repl, page_html)`, for a pattern whose matches are each within one tag holding
    _MARK (no `>` but the tag's last; with `space_after`, and the white space after the tag): the
    pattern is run over those tags alone, with the same result."""
    at = page_html.find(_MARK)
    if at < 0:
        return page_html
    out: list[str] = []
    done = 0  # page_html[:done] is in `out`
    while at >= 0:
        start = max(page_html.rfind(">", 0, at) + 1, done)
        end = page_html.find(">", at) + 1 or len(page_html)
        if space_after:
            end = _SPACE.match(page_html, end).end()
        out += [page_html[done:start], pattern.sub(repl, page_html[start:end])]
        done = end
        at = page_html.find(_MARK, done)
    out.append(page_html[done:])
    return "".join(out)


def edition_page(output: str, content: str | None = None, edition_content: str | None = None, as_written: frozenset[str] = frozenset()) -> str:
    """The Traditional copy of a built page (before `link_editions`).

    `content` is the page's content as the theme received it and `edition_content` the same
    converted already (publish.prepare does that, on the helper processes for a large site): it
    is put in place of the content, and only the rest (header, navigation, footer: the same words
    on every page, converted once) is converted here. Without them, the whole page is converted.
    `as_written`: see `convert_page`."""
    converter = shared_converter()
    at = -1
    if content and edition_content is not None:
        at = output.find(content, max(output.find("<article"), 0))
    if at < 0:
        return convert_page(output, converter, as_written)
    return convert_page(output[:at], converter, as_written) + edition_content + convert_page(output[at + len(content) :], converter, as_written)


_SHARED: Converter | None = None
MEMORY = 200_000  # texts the shared converter remembers before it starts afresh


def shared_converter() -> Converter:
    """The process's converter (OpenCC's is created once per process), its memory bounded."""
    global _SHARED
    if _SHARED is None or len(_SHARED.known) > MEMORY:
        _SHARED = Converter()
    return _SHARED
