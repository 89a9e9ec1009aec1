"""Text helpers shared by the stages: scripts, language guesses and folding.

Expensive objects (OpenCC converters) are built once per process and cached here, so no stage pays
for them per note or per page.
"""

from __future__ import annotations

import re
import unicodedata
from bisect import bisect_right
from functools import lru_cache

HAN = r"\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
HANGUL = r"\uac00-\ud7a3\u1100-\u11ff\u3130-\u318f"
_HAN_RE = re.compile(f"[{HAN}]")
# Runs rather than single characters: counting through findall of runs makes far fewer objects.
_HAN_RUNS = re.compile(f"[{HAN}]+")
_HANGUL_RUNS = re.compile(f"[{HANGUL}]+")
_LATIN_RUNS = re.compile(r"[A-Za-z]+")
# What is not prose when guessing a language: code fences, inline code, URLs, Markdown link targets.
_NOT_PROSE_RE = re.compile(r"```.*?```|`[^`\n]*`|\]\([^)]*\)|https?://\S+|<[^>]+>", re.S)

#: OpenCC configurations that turn a note's Traditional Chinese into Simplified, by source region.
#: tw2sp also converts Taiwanese vocabulary (軟體 -> 软件); hk2s keeps Hong Kong variants right;
#: plain zh-Hant uses tw2s, which unlike t2s converts 著 -> 着 in verbs.
TO_SIMPLIFIED_CONFIG = {"zh-TW": "tw2sp", "zh-HK": "hk2s", "zh-Hant": "tw2s", "zh-MO": "hk2s"}

LANG_NAMES = {"zh-Hans": "简体中文", "zh-Hant": "繁體中文", "ko": "한국어", "en": "English"}


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


def prose(text: str) -> str:
    """The text without code, URLs and markup, for language and script guesses."""
    return _NOT_PROSE_RE.sub(" ", text)


def count_scripts(text: str) -> tuple[int, int, int]:
    """(Han characters, Hangul syllables, Latin letters) in the text."""
    return sum(map(len, _HAN_RUNS.findall(text))), sum(map(len, _HANGUL_RUNS.findall(text))), sum(map(len, _LATIN_RUNS.findall(text)))


def traditional_ratio(text: str) -> float:
    """Share of Han characters that exist only in Traditional Chinese (0 for Simplified text).

    Counted with OpenCC's single-character tables (computed once per process): characters that
    t2s changes are Traditional, characters that s2t changes are Simplified, and the second kind
    pushes the other way. One regex character class per kind does the counting."""
    han = "".join(_HAN_RUNS.findall(text))[:4000]
    if not han:
        return 0.0
    traditional_only, simplified_only = _script_classes()
    changed = len(traditional_only.findall(han))
    if changed <= len(simplified_only.findall(han)):
        return 0.0
    return changed / len(han)


@lru_cache(maxsize=1)
def _script_classes() -> tuple[re.Pattern, re.Pattern]:
    return tuple(re.compile("[" + "".join(sorted(table)) + "]") for table in (char_t2s(), _char_table("s2t")))


def detect_lang(text: str, default: str = "zh-Hans") -> str:
    """Guess zh-Hans, zh-Hant, ko or en from the characters of `text` (code and URLs ignored).

    Korean wins when Hangul is at least a fifth of the CJK characters (Korean notes quote
    English and the odd Hanja; Chinese notes never contain Hangul). Chinese needs Han characters to
    be a real share of the prose, because Chinese notes are full of English terms while English text
    rarely has Han characters at all.
    """
    text = prose(text)
    han, hangul, latin = count_scripts(text)
    if hangul and hangul * 5 >= han + hangul:
        return "ko"
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
        return {c: converter.convert(c) for c in chars if converter.convert(c) != c and len(converter.convert(c)) == 1}
    return {a: b for a, b in zip(chars, converted) if a != b}


_DIGIT_DOT = re.compile(r"(?<=\d)\.(?=\d)")
_KEPT_DOT = "\ue000"  # a dot between digits, marked so that it survives


@lru_cache(maxsize=1)
def _key_table() -> dict[int, str | None]:
    table: dict[int, str | None] = {ord(c): None for c in _SKIP}
    table[ord(".")] = None
    table[ord(_KEPT_DOT)] = "."
    for c in range(ord("A"), ord("Z") + 1):
        table[c] = chr(c).lower()
    for c in range(0xFF01, 0xFF5F):  # full-width ASCII
        table[c] = chr(c - 0xFEE0).lower() if chr(c - 0xFEE0) not in _SKIP and chr(c - 0xFEE0) != "." else None
    for a, b in char_t2s().items():
        table[ord(a)] = b
    return table


def match_key(text: str) -> tuple[str, str]:
    """The form names are compared in: lower case, full-width folded, Traditional folded to
    Simplified, spaces and punctuation between words dropped ("TPU v5e" = "TPUv5e" = "tpu-v5e"),
    except a dot between digits ("1.5" is not "15").

    Returns (key, marked): `marked` is the text with its digit dots marked, whose characters the
    key keeps or drops one by one (see `KeyPositions`). Done with str.translate, since every note's
    text goes through it several times."""
    marked = _DIGIT_DOT.sub(_KEPT_DOT, text)
    return marked.translate(_key_table()), marked


@lru_cache(maxsize=1)
def _dropped_re() -> re.Pattern:
    """The characters match keys drop (spaces and punctuation, half- and full-width)."""
    return re.compile("[" + "".join(re.escape(chr(c)) for c, v in sorted(_key_table().items()) if v is None) + "]")


class KeyPositions:
    """Maps an index in a match key back to the index in the text it came from.

    Only the positions of dropped characters are listed (a few per line), and only when the key is
    shorter than the text; most texts need no mapping at all, and the rest only for a few matches."""

    def __init__(self, key: str, marked: str) -> None:
        self.drops: list[int] = []
        if len(key) != len(marked):
            self.drops = [m.start() for m in _dropped_re().finditer(marked)]
            if len(marked) - len(self.drops) != len(key):  # a character folding to several: never seen
                raise ValueError("match key does not map back to its text")

    def __call__(self, k: int) -> int:
        if not self.drops:
            return k
        # The least t with t = k + (dropped characters at or before t) is the k-th kept character.
        t = k
        while True:
            moved = k + bisect_right(self.drops, t)
            if moved == t:
                return t
            t = moved


class NameScanner:
    """Leftmost-longest search for many names at once, in any case, spacing and Chinese script.

    A regex alternation of a thousand names costs a thousand tries at every position of the text;
    this looks up the two characters at each position in a table and tries only the names that
    start with them. Names that start or end with a Latin letter or digit only match at a word
    boundary ("RL" never matches inside "world")."""

    def __init__(self, entries):
        self.by_prefix: dict[str, list[tuple[str, object, bool, bool]]] = {}
        seen: set[str] = set()
        for name, payload in entries:
            key, _ = match_key(name)
            if len(key) < 2 or key in seen:
                continue
            seen.add(key)
            stripped = name.strip()
            start_word = stripped[:1].isascii() and stripped[:1].isalnum()
            end_word = stripped[-1:].isascii() and stripped[-1:].isalnum()
            self.by_prefix.setdefault(key[:2], []).append((key, payload, start_word, end_word))
        for candidates in self.by_prefix.values():
            candidates.sort(key=lambda c: -len(c[0]))
        # Where the next name may start: one regex over the two-character prefixes, grouped by their
        # first character, so that the regex engine skips the text between candidates in C.
        seconds: dict[str, list[str]] = {}
        for prefix in sorted(self.by_prefix):
            seconds.setdefault(prefix[0], []).append(prefix[1])
        self.next_prefix = re.compile(
            "|".join(re.escape(first) + "[" + "".join(re.escape(c) for c in rest) + "]" for first, rest in seconds.items()) or "(?!)"
        )

    def scan(self, text: str) -> list[tuple[int, int, object]]:
        """(start, end, payload) of every non-overlapping match, as indexes into `text`."""
        key, marked = match_key(text)
        found = []
        position = None
        get = self.by_prefix.get
        search = self.next_prefix.search
        i = 0
        while True:
            hit = search(key, i)
            if hit is None:
                break
            i = hit.start()
            for name, payload, start_word, end_word in get(key[i : i + 2]):
                if key.startswith(name, i):
                    if position is None:
                        position = KeyPositions(key, marked)
                    start, end = position(i), position(i + len(name) - 1) + 1
                    if start_word and start > 0 and text[start - 1].isascii() and text[start - 1].isalnum():
                        continue
                    if end_word and end < len(text) and text[end].isascii() and text[end].isalnum():
                        continue
                    if name[-1].isdigit() and end + 1 < len(text) and text[end] in "._" and text[end + 1].isdigit():
                        continue  # "1.5" is not the start of "1.5.1"
                    found.append((start, end, payload))
                    i += len(name)
                    break
            else:
                i += 1
        return found
