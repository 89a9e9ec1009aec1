"""Text helpers shared by the stages: scripts, language guesses and folding.

Expensive objects (OpenCC converters) are built once per process and cached here, so no stage pays
for them per note or per page.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

from notekb.spans import protected_spans

HAN = r"\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
HANGUL = r"\uac00-\ud7a3\u1100-\u11ff\u3130-\u318f"
_HAN_RE = re.compile(f"[{HAN}]")
# Runs rather than single characters: counting through findall of runs makes far fewer objects.
HAN_RUNS = re.compile(f"[{HAN}]+")
HANGUL_RUNS = re.compile(f"[{HANGUL}]+")
_LATIN_RUNS = re.compile(r"[A-Za-z]+")

#: OpenCC configurations that turn a note's Traditional Chinese into Simplified, by source region.
#: tw2sp also converts Taiwanese vocabulary (軟體 -> 软件); hk2s keeps Hong Kong variants right;
#: plain zh-Hant uses tw2s, which unlike t2s converts 著 -> 着 in verbs.
TO_SIMPLIFIED_CONFIG = {"zh-TW": "tw2sp", "zh-HK": "hk2s", "zh-Hant": "tw2s", "zh-MO": "hk2s"}

# The language of the site's own words. Its labels and placeholders inside a note written in another
# language carry it (lang="zh-Hans"), for screen readers and for the Traditional edition, which
# converts them while it keeps the note's own words (publish.edition).
SITE_LANG = "zh-Hans"
UI_LANG = f' lang="{SITE_LANG}"'
LANG_NAMES = {"zh-Hans": "简体中文", "zh-Hant": "繁體中文", "ja": "日本語", "ko": "한국어", "en": "English"}
KANA = r"\u3040-\u30ff\u31f0-\u31ff\uff66-\uff9f"
KANA_RUNS = re.compile(f"[{KANA}]+")
_HIRAGANA = re.compile("[\u3041-\u309f]")  # the particles of every Japanese sentence


@lru_cache(maxsize=None)
def opencc(config: str):
    """One OpenCC converter per configuration per process (loading its tables is the slow part)."""
    import opencc as _opencc

    return _opencc.OpenCC(config)


def to_simplified(text: str, lang: str = "zh-Hant") -> str:
    """Traditional -> Simplified with the configuration right for the note's region."""
    return opencc(TO_SIMPLIFIED_CONFIG.get(lang, "tw2s")).convert(text)


def base_lang(lang: str) -> str:
    """zh-TW/zh-HK/zh-MO are Traditional Chinese (zh-Hant) for every purpose but conversion."""
    if lang in ("zh-TW", "zh-HK", "zh-MO"):
        return "zh-Hant"
    if lang in ("zh", "zh-CN", "zh-SG"):
        return "zh-Hans"
    return lang


_NOT_PROSE = frozenset({"fence", "code", "math", "tag", "comment", "autolink", "url", "target", "attrs"})


def prose(text: str) -> str:
    """The text without code, math, URLs and markup, for language and script guesses."""
    out, last = [], 0
    for start, end, _ in protected_spans(text, _NOT_PROSE):
        out.append(text[last:start])
        out.append(" ")
        last = end
    out.append(text[last:])
    return "".join(out)


def count_scripts(text: str) -> tuple[int, int, int]:
    """(Han characters, Hangul syllables, Latin letters) in the text."""
    return sum(map(len, HAN_RUNS.findall(text))), sum(map(len, HANGUL_RUNS.findall(text))), sum(map(len, _LATIN_RUNS.findall(text)))


def traditional_ratio(text: str) -> float:
    """Share of Han characters that exist only in Traditional Chinese (0 for Simplified text).

    Counted with OpenCC's single-character tables (computed once per process): characters that
    t2s changes are Traditional, characters that s2t changes are Simplified, and the second kind
    pushes the other way. str.translate deletes each kind, so counting costs no Python loop."""
    han = "".join(HAN_RUNS.findall(text))[:4000]
    if not han:
        return 0.0
    traditional_only, simplified_only = _script_deletions()
    changed = len(han) - len(han.translate(traditional_only))
    if changed <= len(han) - len(han.translate(simplified_only)):
        return 0.0
    return changed / len(han)


@lru_cache(maxsize=1)
def _script_deletions() -> tuple[list, list]:
    return tuple(translation_table({ord(c): None for c in table}) for table in (char_t2s(), _char_table("s2t")))


def detect_lang(text: str, default: str = "zh-Hans") -> str:
    """Guess zh-Hans, zh-Hant, ja, ko or en from the characters of `text` (code and URLs ignored).

    Japanese is told apart from Chinese by its kana: hiragana and katakana make up a large share of
    any Japanese sentence and appear in Chinese only as the odd loan.

    Korean wins when Hangul is at least a fifth of the CJK characters (Korean notes quote
    English and the odd Hanja; Chinese notes never contain Hangul). Chinese needs Han characters to
    be a real share of the prose, because Chinese notes are full of English terms while English text
    rarely has Han characters at all.
    """
    text = prose(text)
    han, hangul, latin = count_scripts(text)
    if hangul and hangul * 5 >= han + hangul:
        return "ko"
    kana = sum(map(len, KANA_RUNS.findall(text))) if han or latin else 0
    if kana and kana * 4 >= han + kana and (han + kana) * 4 >= latin and _HIRAGANA.search(text):
        return "ja"
    if han and han * 4 >= latin:
        return "zh-Hant" if traditional_ratio(text) > 0.08 else "zh-Hans"
    if latin:
        return "en"
    return default


def fold(text: str) -> str:
    """The matching form of text: NFKC (full-width -> half-width), lower case, Simplified Chinese."""
    text = unicodedata.normalize("NFKC", text).lower()
    if _HAN_RE.search(text):
        text = opencc("t2s").convert(text)
    return text


_SLUG_DROP = re.compile(r"[^\w\- ]", re.U)


def slugify(text: str, ascii_only: bool = False, max_words: int = 0) -> str:
    """A URL/anchor slug. Keeps CJK characters unless `ascii_only`; spaces become hyphens."""
    text = unicodedata.normalize("NFKC", text).strip().lower()
    text = text.replace(".", "-").replace("_", "-").replace("/", "-")
    text = _SLUG_DROP.sub("", text)
    if ascii_only:
        text = text.encode("ascii", "ignore").decode()
    words = [w for w in re.split(r"[\s\-]+", text) if w]
    if max_words:
        words = words[:max_words]
    return "-".join(words)


# Invisible and control characters that pasted text carries: zero-width spaces, direction marks and
# overrides, word joiners, byte-order marks inside the text, soft hyphens, C0 controls but tab and
# newline. "‎Gemini" with a U+200E in front must be Gemini to every stage.
_INVISIBLE = {ord(c): None for c in "\u200b\u200c\u200e\u200f\u2060\u2061\u2062\u2063\u2064\ufeff\u00ad\u180e\ufff9\ufffa\ufffb"}
_INVISIBLE |= {c: None for c in range(0x202A, 0x202F)} | {c: None for c in range(0x2066, 0x206A)}
_INVISIBLE |= {c: None for c in range(0x20) if c not in (0x09, 0x0A)} | {0x7F: None}
# U+200D stays where it joins two emoji (a family, a flag); elsewhere it is dropped.
_LONE_JOINER = re.compile(r"(?<![\U0001F000-\U0001FAFF\u2600-\u27BF\uFE0F])\u200d|\u200d(?![\U0001F000-\U0001FAFF\u2600-\u27BF])")


def visible(text: str) -> str:
    """The text without invisible and control characters (see _INVISIBLE)."""
    text = text.translate(_INVISIBLE)
    return _LONE_JOINER.sub("", text) if "\u200d" in text else text


# ---------------------------------------------------------------------------------------------
# Finding many names in text fast


_SKIP = set(" \t\u3000-_·:：/()（）'’‘\"“”,，、")  # not newlines: a name never spans two lines


@lru_cache(maxsize=1)
def char_t2s() -> dict[str, str]:
    """Traditional -> Simplified for single characters (OpenCC's t2s table, computed once)."""
    return _char_table("t2s")


@lru_cache(maxsize=None)
def _char_table(config: str) -> dict[str, str]:
    """The characters an OpenCC configuration changes on their own, and what it changes them to."""
    chars = "".join(chr(c) for c in range(0x4E00, 0xA000)) + "".join(chr(c) for c in range(0x3400, 0x4DC0))
    converter = opencc(config)
    converted = converter.convert(chars)
    if len(converted) != len(chars):
        return {c: s for c in chars if (s := converter.convert(c)) != c and len(s) == 1}
    return {a: b for a, b in zip(chars, converted) if a != b}


_DIGIT_DOT = re.compile(r"(?<=\d)\.(?=\d)")
_KEPT_DOT = "\ue000"  # a dot between digits, marked so that it survives


def translation_table(changes: dict[int, str | None]) -> list[str | None]:
    """A str.translate table as a list indexed by code point (the Basic Multilingual Plane; other
    characters are left alone). With a dict, translate raises and catches a KeyError for every
    character the table does not change, which is most of them, and takes twice as long."""
    table: list[str | None] = [chr(c) for c in range(0x10000)]
    for c, value in changes.items():
        table[c] = value
    return table


@lru_cache(maxsize=1)
def _key_table() -> list[str | None]:
    """str.translate's table for match keys."""
    changes: dict[int, str | None] = {ord(c): None for c in _SKIP}
    changes[ord(".")] = None
    changes[ord(_KEPT_DOT)] = "."
    for c in range(ord("A"), ord("Z") + 1):
        changes[c] = chr(c).lower()
    for c in range(0xFF01, 0xFF5F):  # full-width ASCII
        changes[c] = chr(c - 0xFEE0).lower() if chr(c - 0xFEE0) not in _SKIP and chr(c - 0xFEE0) != "." else None
    for a, b in char_t2s().items():
        changes[ord(a)] = b
    return translation_table(changes)


def match_key(text: str) -> str:
    """The form names are compared in: lower case, full-width folded, Traditional folded to
    Simplified, spaces and punctuation between words dropped ("TPU v5e" = "TPUv5e" = "tpu-v5e"),
    except a dot between digits ("1.5" is not "15")."""
    return _DIGIT_DOT.sub(_KEPT_DOT, text).translate(_key_table())


_GAP = "\x00"  # what a dropped character becomes in a text folded for scanning


@lru_cache(maxsize=1)
def _scan_table() -> list[str | None]:
    """Like the match key's table, but a dropped character becomes _GAP instead of nothing, so that
    a folded text keeps its length and every index in it is the same index in the original."""
    table = [_GAP if value is None else value for value in _key_table()]
    table[0] = "\ufffd"  # a NUL in the text itself is not a gap
    return table


def scan_form(text: str) -> str:
    """The text folded as match keys are, the same length as the text."""
    return _DIGIT_DOT.sub(_KEPT_DOT, text).translate(_scan_table())


class NameScanner:
    """Leftmost-longest search for many names at once, in any case, spacing and Chinese script.

    The names' match keys are compiled into one regex shaped like a trie (a shared prefix is
    written once, and any run of dropped characters may sit between two characters of a name), run
    over the text folded to the same length (`scan_form`), so the regex engine skips the text
    between names and finds the longest name at a position in C, and its indexes are the text's.
    Names that start or end with a Latin letter or digit only match at a word boundary ("RL" never
    matches inside "world"); where the longest fails that test, the shorter names there are tried."""

    def __init__(self, entries):
        self.names: dict[str, tuple[object, bool, bool]] = {}
        for name, payload in entries:
            key = match_key(name)
            if len(key) < 2 or key in self.names or _GAP in key:
                continue
            stripped = name.strip()
            start_word = stripped[:1].isascii() and stripped[:1].isalnum()
            end_word = stripped[-1:].isascii() and stripped[-1:].isalnum()
            self.names[key] = (payload, start_word, end_word)
        self.by_prefix: dict[str, list[str]] = {}  # for the rare retry with shorter names
        for key in sorted(self.names, key=len, reverse=True):
            self.by_prefix.setdefault(key[:2], []).append(key)
        self.pattern = re.compile(_trie_pattern(self.names) or "(?!)")
        self.single: dict[str, re.Pattern] = {}

    def scan(self, text: str, folded: str | None = None) -> list[tuple[int, int, object]]:
        """(start, end, payload) of every non-overlapping match, as indexes into `text`
        (`folded`: the text's scan_form, when the caller has it already)."""
        folded = scan_form(text) if folded is None else folded
        found = []
        search = self.pattern.search
        i = 0
        while True:
            hit = search(folded, i)
            if hit is None:
                break
            i = hit.start()
            name = hit.group().replace(_GAP, "")
            matched = self._accept(text, i, hit.end(), name)
            if matched is None:  # the longest name failed a word-boundary test: try shorter ones
                for shorter in self.by_prefix[name[:2]]:
                    if len(shorter) < len(name):
                        if shorter not in self.single:
                            self.single[shorter] = re.compile(_trie_pattern([shorter]))
                        again = self.single[shorter].match(folded, i)
                        if again is not None:
                            matched = self._accept(text, i, again.end(), shorter)
                            if matched is not None:
                                break
            if matched is None:
                i += 1
                continue
            found.append(matched)
            i = matched[1]
        return found

    def _accept(self, text: str, start: int, end: int, name: str) -> tuple[int, int, object] | None:
        payload, start_word, end_word = self.names[name]
        if start_word and start > 0 and text[start - 1].isascii() and text[start - 1].isalnum():
            return None
        if end_word and end < len(text) and text[end].isascii() and text[end].isalnum():
            return None
        if name[-1].isdigit() and end + 1 < len(text) and text[end] in "._" and text[end + 1].isdigit():
            return None  # "1.5" is not the start of "1.5.1"
        return start, end, payload


def _trie_pattern(words) -> str:
    """A regex matching any of the words, longest first at any position, written as a trie; any
    run of _GAP characters may come between two characters of a word."""
    trie: dict = {}
    for word in words:
        node = trie
        for char in word:
            node = node.setdefault(char, {})
        node[""] = {}

    def alternatives(node: dict) -> str:
        branches = [re.escape(char) + rest(child) for char, child in sorted(node.items()) if char]
        return branches[0] if len(branches) == 1 else "(?:" + "|".join(branches) + ")"

    def rest(node: dict) -> str:
        if not any(node):  # the end of a word, and of every word through it
            return ""
        more = f"{_GAP}*" + alternatives(node)
        return f"(?:{more})?" if "" in node else more

    return alternatives(trie) if trie else ""
