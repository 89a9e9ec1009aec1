"""A search index that works in Simplified and Traditional Chinese, Korean and English.

Why not Material's lunr search: measured on these notes it missed 13 of 27 literal queries, every
Traditional query and almost every cross-language synonym, and its single JSON index is downloaded
whole by every visitor. This index is built for CJK text and for scale:

* Text is folded before indexing and before querying: NFKC (full-width = half-width), lower case,
  Traditional -> Simplified (OpenCC t2s here, a character table generated from OpenCC in the
  browser). 混合專家 and 混合专家 are the same tokens.
* Chinese: every character bigram (so any query, however segmented, matches text where it is
  written, even split differently) plus jieba words, with a user dictionary from the registry and
  the glossary, so that 混合专家, 静默数据损坏, 多查询注意力 stay whole and rank as words.
* Korean: every syllable bigram plus whole words, so 체크포인트 finds 체크포인트는 and
  토크나이저 finds 토크나이저(Kudo….
* Latin: lower-cased letter runs and number runs ("gemini1.5" = "gemini 1.5" = gemini + 1.5);
  the browser also matches prefixes, for search-as-you-type and plurals.
* Synonyms across languages come from the glossary and the registry (MoE = 混合专家 = 전문가 혼합);
  the browser expands the query with them.

The index is sharded: postings are spread over many small files by a hash of the token's first
characters, and each section's text is its own small file, so the first search fetches only the
shards of its tokens and the sections it shows, however large the site grows. Postings carry a
precomputed BM25 term weight, so ranking needs no per-document table in the browser.

Documents are page sections (between h1/h2/h3 headings), so a result links to the section that
matched. Model pages get a boost: the section that discusses a query comes before notes that
mention it in passing.
"""

from __future__ import annotations

import json
import math
import re
import unicodedata
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path

from .registry import Registry
from .text import HAN, HANGUL, char_t2s

INDEX_VERSION = 1
K1, B = 1.2, 0.75
TARGET_SHARD_BYTES = 24_000
MAX_DOC_TEXT = 4000
# How much a page's sections weigh in the ranking, by URL: model pages gather what the notes say,
# so they come first; lists of pages (indexes, references) only repeat titles and come last.
PAGE_BOOST_EXACT = {"": 0.6, "models/": 0.6, "papers/": 0.5, "notes/": 0.5, "references/": 0.5, "others/": 0.8}
PAGE_BOOST = {"models/": 1.6, "glossary/": 0.35, "papers/": 1.0, "notes/": 1.0}

_HAN_RUN = re.compile(f"[{HAN}]+")
_HANGUL_RUN = re.compile(f"[{HANGUL}]+")
_LATIN = re.compile(r"[a-z]+|[0-9]+(?:\.[0-9]+)*")


def _t2s_table() -> dict[str, str]:
    return char_t2s()


def normalize(text: str) -> str:
    """The folded form shared by index and query: NFKC, lower case, Simplified characters.

    Character by character (not OpenCC's phrase rules) so that the browser, which has only the
    character table, folds a query exactly as the index was folded."""
    text = unicodedata.normalize("NFKC", text).lower()
    table = _t2s_table()
    return "".join(table.get(c, c) for c in text)


def _bigrams(run: str) -> list[str]:
    return [run[k : k + 2] for k in range(len(run) - 1)] if len(run) > 1 else []


_JIEBA = None
_JIEBA_WORDS: set[str] = set()


def _jieba(registry: Registry | None):
    """jieba, loaded once per process (its dictionary takes about a second), with the registry's
    and glossary's words added once each."""
    global _JIEBA
    if _JIEBA is None:
        import logging

        import jieba

        jieba.setLogLevel(logging.WARNING)
        jieba.initialize()
        _JIEBA = jieba
    if registry is not None and id(registry) not in _JIEBA_REGISTRIES:
        _JIEBA_REGISTRIES.add(id(registry))
        for word in user_words(registry):
            if word not in _JIEBA_WORDS:
                _JIEBA_WORDS.add(word)
                _JIEBA.add_word(word, freq=50_000)
    return _JIEBA


_JIEBA_REGISTRIES: set[int] = set()


def user_words(registry: Registry) -> list[str]:
    """The Chinese terms that must stay whole words: glossary names, model names and aliases."""
    words = set()
    for term in registry.terms:
        words.update(term.all_names)
    for model in registry.models:
        words.update(model.aliases + model.weak_aliases + [model.name])
    return sorted(w for w in (normalize(w) for w in words) if _HAN_RUN.fullmatch(w.replace(" ", "")) and len(w) >= 2)


def tokenize(text: str, registry: Registry | None = None) -> list[str]:
    """Index tokens of (already normalised) text: CJK bigrams and words, Hangul words, Latin runs."""
    tokens: list[str] = []
    jieba = None
    for run in _HAN_RUN.findall(text):
        tokens += _bigrams(run)
        if len(run) > 2:
            jieba = jieba or _jieba(registry)
            tokens += [w for w in jieba.cut_for_search(run) if len(w) > 2]
        elif len(run) == 2:
            pass  # the bigram is the word
    for run in _HANGUL_RUN.findall(text):
        tokens += _bigrams(run)
        if len(run) > 2:
            tokens.append(run)
    tokens += [t for t in _LATIN.findall(text) if len(t) > 1 or t.isdigit()]
    return tokens


def shard_of(token: str, shards: int) -> int:
    """Which shard holds a token: FNV-1a over its first two characters (Latin) or all of it (CJK).

    Latin tokens are keyed by their first two letters so that the browser can find every token
    with a given prefix in one shard. The browser computes exactly this (search.js: shardOf)."""
    key = token[:2] if token[:1].isascii() else token
    h = 0x811C9DC5
    for ch in key:
        h ^= ord(ch)
        h = (h * 0x01000193) & 0xFFFFFFFF
    return h % shards


# ---------------------------------------------------------------------------------------------
# Sections of a rendered page


@dataclass
class Doc:
    url: str  # page URL relative to the site root, with the section anchor
    page: str  # page title
    title: str  # section title ("" for the top of the page)
    text: str
    boost: float = 1.0


class _SectionParser(HTMLParser):
    """Split a page's content HTML at h1/h2/h3 into (anchor, title, text)."""

    SKIP = {"script", "style", "template"}

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.sections: list[list] = [["", "", []]]
        self.in_heading: str | None = None
        self.heading_text: list[str] = []
        self.skip = 0

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag in self.SKIP:
            self.skip += 1
        elif tag == "a" and "headerlink" in (attrs.get("class") or ""):
            self.skip += 1
            self._skip_a = True
        elif tag in ("h1", "h2", "h3"):
            self.in_heading = tag
            self.heading_text = []
            self.sections.append([attrs.get("id") or "", "", []])
        elif tag in ("p", "li", "br", "div", "tr", "pre", "h4", "h5", "h6", "td", "th"):
            self.sections[-1][2].append(" ")

    def handle_endtag(self, tag):
        if tag in self.SKIP:
            self.skip -= 1
        elif tag == "a" and getattr(self, "_skip_a", False):
            self.skip -= 1
            self._skip_a = False
        elif tag == self.in_heading:
            self.sections[-1][1] = " ".join("".join(self.heading_text).split())
            self.in_heading = None

    def handle_data(self, data):
        if self.skip:
            return
        if self.in_heading:
            self.heading_text.append(data)
        else:
            self.sections[-1][2].append(data)


def page_docs(html: str, url: str, page_title: str) -> list[Doc]:
    parser = _SectionParser()
    parser.feed(html)
    boost = PAGE_BOOST_EXACT.get(url, next((b for prefix, b in PAGE_BOOST.items() if url.startswith(prefix)), 1.0))
    docs = []
    for anchor, title, parts in parser.sections:
        text = " ".join("".join(parts).split())
        if not text and not title:
            continue
        docs.append(Doc(f"{url}#{anchor}" if anchor else url, page_title, title, text, boost))
    return docs


# ---------------------------------------------------------------------------------------------
# Synonyms


def synonym_groups(registry: Registry) -> list[list[str]]:
    """Groups of names that mean the same thing, in every language, normalised.

    The first name of each group is what a result says it matched; the browser tries the query
    with each name of a group it contains in place of the one it contains."""
    groups = []
    for term in registry.terms:
        names = [normalize(n) for n in term.all_names]
        groups.append(list(dict.fromkeys(n for n in names if len(n) >= 2)))
    for model in registry.models:
        names = [normalize(n) for n in [model.name, *model.aliases]]
        groups.append(list(dict.fromkeys(n for n in names if len(n) >= 2)))
        if model.weak_aliases:
            family = [normalize(n) for n in model.weak_aliases]
            groups.append(list(dict.fromkeys(n for n in family if len(n) >= 2)))
    return [g for g in groups if len(g) > 1]


# ---------------------------------------------------------------------------------------------
# Building and writing


@dataclass
class SearchIndex:
    docs: list[Doc] = field(default_factory=list)
    tokens: list[Counter] = field(default_factory=list)

    def add(self, doc: Doc, registry: Registry | None) -> None:
        self.docs.append(doc)
        self.tokens.append(Counter(tokenize(normalize(doc.title + " " + doc.title + " " + doc.text), registry)))

    def write(self, out: Path, registry: Registry) -> dict:
        """Write manifest, shards, per-section files and the character table; return sizes."""
        out.mkdir(parents=True, exist_ok=True)
        n = len(self.docs)
        lengths = [sum(c.values()) for c in self.tokens]
        avgdl = (sum(lengths) / n) if n else 1.0
        postings: dict[str, list[int]] = defaultdict(list)
        for doc_id, (counts, dl) in enumerate(zip(self.tokens, lengths)):
            norm = K1 * (1 - B + B * dl / avgdl)
            boost = self.docs[doc_id].boost
            for token, tf in counts.items():
                weight = boost * tf * (K1 + 1) / (tf + norm)
                postings[token] += [doc_id, max(1, round(weight * 100))]
        total = sum(len(t) * 3 + len(p) * 4 for t, p in postings.items())
        shards = max(8, 2 ** math.ceil(math.log2(max(1, total / TARGET_SHARD_BYTES))))
        buckets: list[dict[str, list[int]]] = [dict() for _ in range(shards)]
        for token, plist in postings.items():
            buckets[shard_of(token, shards)][token] = plist
        (out / "s").mkdir(exist_ok=True)
        (out / "d").mkdir(exist_ok=True)
        for old in list((out / "s").glob("*.json")) + list((out / "d").glob("*.json")):
            old.unlink()
        sizes = {"shards": shards, "docs": n}
        shard_bytes = []
        for k, bucket in enumerate(buckets):
            data = json.dumps(bucket, ensure_ascii=False, separators=(",", ":")).encode()
            (out / "s" / f"{k}.json").write_bytes(data)
            shard_bytes.append(len(data))
        for doc_id, doc in enumerate(self.docs):
            record = {"u": doc.url, "p": doc.page, "t": doc.title, "x": doc.text[:MAX_DOC_TEXT]}
            (out / "d" / f"{doc_id}.json").write_text(json.dumps(record, ensure_ascii=False, separators=(",", ":")), encoding="utf-8")
        manifest = {
            "version": INDEX_VERSION,
            "n": n,
            "shards": shards,
            "synonyms": synonym_groups(registry),
        }
        (out / "manifest.json").write_text(json.dumps(manifest, ensure_ascii=False, separators=(",", ":")), encoding="utf-8")
        table = _t2s_table()
        (out / "t2s.json").write_text(json.dumps({"from": "".join(table), "to": "".join(table.values())}, ensure_ascii=False, separators=(",", ":")), encoding="utf-8")
        sizes["shard_bytes_max"] = max(shard_bytes) if shard_bytes else 0
        sizes["shard_bytes_total"] = sum(shard_bytes)
        return sizes
