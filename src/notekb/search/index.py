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
import sys
import unicodedata
from array import array
from collections import Counter, defaultdict
from functools import lru_cache
from pathlib import Path
from typing import NamedTuple

from notekb.registry import Registry, _read_yaml
from notekb.search.sections import Doc, page_docs  # noqa: F401  (page_docs: where the index's documents come from)
from notekb.text import HAN_RUNS, HANGUL_RUNS, KANA_RUNS, char_t2s, translation_table

INDEX_VERSION = 4
K1, B = 1.2, 0.75
TARGET_SHARD_BYTES = 32_000
REFERENCE_LENGTH = 300  # tokens: the section length BM25 normalises against
DOC_CHUNK = 16  # section records per file: fewer files to write, few bytes per result
WEIGHT_SCALE = 25  # BM25 weights are stored as integers: weight * WEIGHT_SCALE
MAX_WEIGHT = 65535  # they fit two bytes (the largest possible is boost * (K1 + 1) * WEIGHT_SCALE)
COMMON_SHARE, COMMON_MIN = 0.08, 300
MAX_DOC_TEXT = 2000

_LATIN = re.compile(r"[a-z]+|[0-9]+(?:\.[0-9]+)*")
_COMPOUND = re.compile(r"[a-z0-9]+(?:\.[0-9]+)*")  # letters and digits run together (search.js: COMPOUND)
_MIXED = re.compile(r"[a-z].*[0-9]|[0-9].*[a-z]")


@lru_cache(maxsize=1)
def _t2s_translation() -> list[str | None]:
    return translation_table({ord(a): b for a, b in char_t2s().items()})


def normalize(text: str) -> str:
    """The folded form shared by index and query: NFKC, lower case, Simplified characters.

    Character by character (not OpenCC's phrase rules) so that the browser, which has only the
    character table, folds a query exactly as the index was folded."""
    return unicodedata.normalize("NFKC", text).lower().translate(_t2s_translation())


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
    if registry is not None:
        registry.derived("search.jieba_words", _add_user_words)
    return _JIEBA


def _add_user_words(registry: Registry) -> bool:
    """Teach jieba the registry's words (once per registry: see Registry.derived)."""
    for word in user_words(registry):
        if word not in _JIEBA_WORDS:
            _JIEBA_WORDS.add(word)
            _JIEBA.add_word(word, freq=50_000)
    return True


def user_words(registry: Registry) -> list[str]:
    """The Chinese terms that must stay whole words: glossary names, model names and aliases."""
    words = set()
    for term in registry.terms:
        words.update(term.all_names)
    for model in registry.models:
        words.update(model.aliases + [model.name])
    for family in registry.families:
        words.update(family.names)
    return sorted(w for w in (normalize(w) for w in words) if HAN_RUNS.fullmatch(w.replace(" ", "")) and len(w) >= 2)


_WORDS_CACHE: dict[str, list[str]] = {}


def _words(run: str, registry: Registry | None) -> list[str]:
    """jieba's words of three or more characters in a run of Han characters (shorter words are
    bigrams already). Memoised: every excerpt is on its note page and on a model page too."""
    words = _WORDS_CACHE.get(run)
    if words is None:
        jieba = _jieba(registry)
        words = [w for w in jieba.cut(run, HMM=False) if len(w) > 2]
        if len(_WORDS_CACHE) > 500_000:
            _WORDS_CACHE.clear()
        _WORDS_CACHE[run] = words
    return words


def tokenize(text: str, registry: Registry | None = None) -> list[str]:
    """Index tokens of (already normalised) text: CJK bigrams and words, Hangul words, Latin runs."""
    tokens: list[str] = []
    for run in HAN_RUNS.findall(text):
        tokens += _bigrams(run)
        if len(run) > 2:
            tokens += _words(run, registry)
    for run in HANGUL_RUNS.findall(text):
        tokens += _bigrams(run)
        if len(run) > 2:
            tokens.append(run)
    tokens += [t for t in _LATIN.findall(text) if len(t) > 1 or t.isdigit()]
    # "tpuv5p" whole as well as "tpuv" + "5": a query for TPUv5p ranks the text that says it
    # above TPUv5e, which has the same pieces (single letters are no tokens).
    tokens += [t for t in _COMPOUND.findall(text) if _MIXED.search(t)]
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
# Synonyms


def _group(representatives: list[str], others: list[str]) -> list | None:
    names = list(dict.fromkeys(n for n in (normalize(x) for x in representatives + others) if len(n) >= 2))
    reps = len(list(dict.fromkeys(n for n in (normalize(x) for x in representatives) if len(n) >= 2)))
    return [reps, *names] if len(names) > 1 else None


def synonym_groups(registry: Registry) -> list[list]:
    """Groups of names that mean the same thing, in every language, normalised: [k, name, ...].

    The browser recognises any name of a group in a query and tries the query again with each of
    the first k names (one or two per language and the abbreviation) in its place: enough to find
    every wording, without fetching the shards of twenty spellings."""
    groups = []
    for term in registry.terms:
        reps = []
        for lang in ("en", "zh", "ko"):
            names = term.names.get(lang) or []
            reps += names[:1]
        reps += [n for n in term.names.get("en", []) if _abbreviation(n)][:1]
        groups.append(_group(reps, term.all_names))
    for model in registry.models:
        by_script = [model.name]
        by_script += [a for a in model.aliases if HAN_RUNS.search(a)][:1] + [a for a in model.aliases if HANGUL_RUNS.search(a)][:1]
        groups.append(_group(by_script, model.aliases))
    for family in registry.families:
        groups.append(_group(family.names, []))
    return [g for g in groups if g]


def stop_words(registry: Registry) -> list[str]:
    """Function words and particles a search never highlights and never requires (stopwords.yml)."""
    data = _read_yaml("stopwords.yml", Path(registry.data_dir) if registry.data_dir else None)
    return sorted({normalize(str(w)) for words in data.values() for w in (words or [])})


def _abbreviation(name: str) -> bool:
    """MoE, MQA, SDC, RLHF: short, no spaces, at least two capitals."""
    return name.isascii() and " " not in name and len(name) <= 6 and sum(c.isupper() for c in name) >= 2


# ---------------------------------------------------------------------------------------------
# Building and writing


class Weights(NamedTuple):
    """A section's tokens and their BM25 weights, compact: a thousand notes make two and a half
    million (token, weight) pairs, which as Python tuples took a quarter of a gigabyte."""

    tokens: tuple[str, ...]
    weights: array  # array("H"), one per token


def index_doc(doc: Doc, registry: Registry | None) -> tuple[Weights, str]:
    """What the index needs of one section, computed once per section and kept across rebuilds:
    its tokens with their BM25 weights (as integers) and its record (URL, titles, text) as JSON.

    BM25's length normalisation uses a fixed reference length instead of the corpus average, so a
    section's weights never depend on the other sections and need not be recomputed when they change."""
    text = doc.title + " " + doc.title + " " + doc.text
    counts = Counter(tokenize(normalize(text), registry))
    if KANA_RUNS.search(text):
        # Japanese is indexed as written too: its kanji are not Chinese to be converted (a query
        # folded to Simplified still finds the folded tokens).
        for token, count in Counter(tokenize(unicodedata.normalize("NFKC", text).lower(), registry)).items():
            counts[token] = max(counts[token], count)
    length = sum(counts.values())
    norm = K1 * (1 - B + B * length / REFERENCE_LENGTH)
    tokens = tuple(sys.intern(token) for token in counts)  # one string per distinct token, shared
    weights = array("H", (min(MAX_WEIGHT, max(1, round(doc.boost * tf * (K1 + 1) / (tf + norm) * WEIGHT_SCALE))) for tf in counts.values()))
    record = json.dumps({"u": doc.url, "p": doc.page, "t": doc.title, "x": doc.text[:MAX_DOC_TEXT]}, ensure_ascii=False, separators=(",", ":"))
    return Weights(tokens, weights), record


def _token_json(token: str, plist: tuple[array, array], common: int) -> tuple[str, str | None]:
    """A token's postings as JSON: section ids as gaps (small numbers, short JSON) and weights.

    A token in a large share of all sections ("模型") tells little apart: only its strongest
    postings are kept, and the browser treats it as optional (the "~" entry gives its real count)."""
    pairs = sorted(zip(*plist))
    truncated = None
    if len(pairs) > common:
        truncated = f"{json.dumps(token, ensure_ascii=False)}:{len(pairs)}"
        pairs = sorted(sorted(pairs, key=lambda p: -p[1])[:common])
    flat, previous = [], 0
    for doc_id, weight in pairs:
        flat += (doc_id - previous, weight)
        previous = doc_id
    return f"{json.dumps(token, ensure_ascii=False)}:[{','.join(map(str, flat))}]", truncated


class IndexWriter:
    """The browser's index files, kept up to date between builds.

    Sections keep their number (their id in the postings) for as long as they exist, so when one
    note changes during `mkdocs serve` only the postings shards of the words it touches and the
    record files of its sections are serialised again; everything else is written from memory
    (MkDocs empties the site folder before every build, so every file is written each time)."""

    def __init__(self) -> None:
        self.ids: dict[str, int] = {}  # section key -> id
        self.free: list[int] = []
        self.weights: dict[int, Weights] = {}
        self.records: dict[int, str] = {}
        self.pages: dict[int, str] = {}  # section id -> its page's URL, for grouping results by page
        # token -> (section ids, their weights), as arrays: millions of postings, few bytes each
        self.postings: dict[str, tuple[array, array]] = {}
        self.shards = 0
        self.shard_json: dict[int, bytes | None] = {}  # None: to be assembled again
        self.shard_tokens: dict[int, set[str]] = defaultdict(set)
        self.token_json: dict[str, tuple[str, str | None]] = {}  # token -> its JSON, its "~" entry
        self.chunk_json: dict[int, bytes | None] = {}
        self.changed: set[tuple[str, int]] = set()  # files the last update changed

    def update(self, entries: dict[str, tuple[Weights, str]]) -> None:
        """Make the index hold exactly these sections (key -> (weights, record))."""
        dirty_tokens: set[str] = set()
        dirty_ids: set[int] = set()
        postings = self.postings
        for key in [k for k in self.ids if k not in entries]:
            doc_id = self.ids.pop(key)
            for token in self.weights.pop(doc_id).tokens:
                ids, weights = postings[token]
                where = ids.index(doc_id)
                del ids[where]
                del weights[where]
                dirty_tokens.add(token)
            del self.records[doc_id]
            del self.pages[doc_id]
            self.free.append(doc_id)
            dirty_ids.add(doc_id)
        self.free.sort(reverse=True)
        for key, (weights, record) in entries.items():
            if key in self.ids:
                continue
            doc_id = self.free.pop() if self.free else len(self.ids) + len(self.free)
            self.ids[key] = doc_id
            self.weights[doc_id] = weights
            self.records[doc_id] = record
            self.pages[doc_id] = json.loads(record)["u"].split("#", 1)[0]
            for token, weight in zip(weights.tokens, weights.weights):
                plist = postings.get(token)
                if plist is None:
                    plist = postings[token] = (array("I"), array("H"))
                plist[0].append(doc_id)
                plist[1].append(weight)
            dirty_tokens.update(weights.tokens)
            dirty_ids.add(doc_id)
        total = sum(len(t) * 3 + len(p[0]) * 6 for t, p in postings.items())
        shards = max(8, 2 ** math.ceil(math.log2(max(1, total / TARGET_SHARD_BYTES))))
        if shards != self.shards:  # the index grew or shrank a lot: lay the shards out again
            self.shards = shards
            self.shard_json = {}
            self.shard_tokens = defaultdict(set)
            for token in postings:
                self.shard_tokens[shard_of(token, shards)].add(token)
            dirty_tokens = set(postings)
        common = max(COMMON_MIN, int(COMMON_SHARE * self.size))
        for token in dirty_tokens:
            shard = shard_of(token, self.shards)
            self.shard_json[shard] = None
            plist = postings.get(token)
            if plist is None or not plist[0]:
                postings.pop(token, None)
                self.token_json.pop(token, None)
                self.shard_tokens[shard].discard(token)
                continue
            self.shard_tokens[shard].add(token)
            self.token_json[token] = _token_json(token, plist, common)
        for shard in set(range(self.shards)) - set(self.shard_json):
            self.shard_json[shard] = None
        for chunk in {i // DOC_CHUNK for i in dirty_ids}:
            self.chunk_json[chunk] = None
        self._serialise()

    def _serialise(self) -> None:
        """Assemble the files whose content changed, from each token's JSON (kept between builds)."""
        self.changed = {("s", k) for k, v in self.shard_json.items() if v is None} | {("d", k) for k, v in self.chunk_json.items() if v is None}
        for shard, data in list(self.shard_json.items()):
            if data is None:
                fragments = [self.token_json[t] for t in sorted(self.shard_tokens.get(shard, ()))]
                body = ",".join(f for f, _ in fragments)
                common = ",".join(c for _, c in fragments if c)
                if common:
                    body += ("," if body else "") + '"~":{' + common + "}"
                self.shard_json[shard] = ("{" + body + "}").encode()
        for chunk, data in list(self.chunk_json.items()):
            if data is None:
                ids = range(chunk * DOC_CHUNK, (chunk + 1) * DOC_CHUNK)
                self.chunk_json[chunk] = ("[" + ",".join(self.records.get(i, "null") for i in ids) + "]").encode()

    def write_previous(self, out: Path) -> None:
        """Write the postings and records of the last build into a fresh site folder, while the
        next build renders its pages (MkDocs empties the folder at the start of every build)."""
        for folder in ("s", "d"):
            (out / folder).mkdir(parents=True, exist_ok=True)
        for shard, data in self.shard_json.items():
            if data is not None:
                (out / "s" / f"{shard}.json").write_bytes(data)
        for chunk, data in self.chunk_json.items():
            if data is not None and chunk * DOC_CHUNK < self.size:
                (out / "d" / f"{chunk}.json").write_bytes(data)

    def page_runs(self) -> list[int]:
        """Which page each section is on, so that the browser can group and count results by page
        without fetching their records: runs of [page number, sections], pages numbered in order
        of their first section (-1 for a free number). A few bytes per page: sections of a page
        get consecutive numbers, and keep them across rebuilds."""
        numbers: dict[str, int] = {}
        runs: list[int] = []
        for doc_id in range(self.size):
            url = self.pages.get(doc_id)
            page = -1 if url is None else numbers.setdefault(url, len(numbers))
            if runs and runs[-2] == page:
                runs[-1] += 1
            else:
                runs += [page, 1]
        return runs

    @property
    def size(self) -> int:
        return len(self.ids) + len(self.free)

    def write(self, out: Path, registry: Registry, only_changed: bool = False) -> dict:
        """Write manifest, postings shards, section records and the character table.

        With only_changed, the folder already holds the previous build's files (see
        `write_previous`): only what the last update changed is written, and files past the end of
        a shrunken index are removed."""
        for folder in ("s", "d"):
            (out / folder).mkdir(parents=True, exist_ok=True)
        if not only_changed:
            for folder in ("s", "d"):
                for old in (out / folder).glob("*.json"):
                    old.unlink()
        else:
            for old in (out / "s").glob("*.json"):
                if int(old.stem) >= self.shards:
                    old.unlink()
            for old in (out / "d").glob("*.json"):
                if int(old.stem) * DOC_CHUNK >= self.size:
                    old.unlink()
        for shard, data in self.shard_json.items():
            if not only_changed or ("s", shard) in self.changed:
                (out / "s" / f"{shard}.json").write_bytes(data)
        for chunk, data in self.chunk_json.items():
            if chunk * DOC_CHUNK < self.size and (not only_changed or ("d", chunk) in self.changed):
                (out / "d" / f"{chunk}.json").write_bytes(data)
        manifest = {
            "version": INDEX_VERSION, "n": self.size, "shards": self.shards, "chunk": DOC_CHUNK, "scale": WEIGHT_SCALE,
            "synonyms": synonym_groups(registry), "stop": stop_words(registry), "pages": self.page_runs(),
        }
        (out / "manifest.json").write_text(json.dumps(manifest, ensure_ascii=False, separators=(",", ":")), encoding="utf-8")
        table = char_t2s()
        (out / "t2s.json").write_text(json.dumps({"from": "".join(table), "to": "".join(table.values())}, ensure_ascii=False, separators=(",", ":")), encoding="utf-8")
        sizes = [len(v) for v in self.shard_json.values()]
        return {"docs": len(self.ids), "shards": self.shards, "shard_bytes_max": max(sizes, default=0), "shard_bytes_total": sum(sizes)}
