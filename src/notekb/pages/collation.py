"""Dictionary order for names written in Chinese, Latin letters or both, as a reader of a Chinese
glossary expects it: Han characters by their pinyin (syllable, then tone), letters without regard
to case, one order for the whole list ("GeGLU 激活" between "分词器" and "后训练"), and the letter
each name is filed under.

Readings come from pypinyin (its phrase dictionary picks the reading in context); the few it gets
wrong for the glossary's terms are listed in data/pinyin.yml.
"""

from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path

from notekb.registry import Registry, _read_yaml
from notekb.text import HAN

_UNITS = re.compile(f"[{HAN}]+|[A-Za-z]+|[0-9]+")
_HAN_RUN = re.compile(f"[{HAN}]+")


def _readings(registry: Registry | None) -> dict[str, list[str]]:
    data = _read_yaml("pinyin.yml", Path(registry.data_dir) if registry is not None and registry.data_dir else None)
    return {phrase: str(syllables).split() for phrase, syllables in (data.get("phrases") or {}).items() if len(str(syllables).split()) == len(phrase)}


def _phrases(registry: Registry | None) -> dict[str, list[str]]:
    if registry is None:
        return _packaged_phrases()
    return registry.derived("pages.pinyin_phrases", _readings)


@lru_cache(maxsize=1)
def _packaged_phrases() -> dict[str, list[str]]:
    return _readings(None)


def _pinyin(run: str, phrases: dict[str, list[str]]) -> list[str]:
    """One syllable with its tone digit per character of a run of Han characters."""
    from pypinyin import Style, lazy_pinyin  # loaded only when a listing is rendered

    syllables = lazy_pinyin(run, style=Style.TONE3, neutral_tone_with_five=True, errors=lambda chars: list(chars))
    if len(syllables) != len(run):  # never expected; fall back to the characters themselves
        syllables = list(run)
    for phrase, readings in phrases.items():
        for match in re.finditer(re.escape(phrase), run):
            syllables[match.start() : match.end()] = readings
    return syllables


def sort_key(name: str, registry: Registry | None = None) -> tuple:
    """The key that puts names in dictionary order: a tuple of (letters, tone, character) per
    syllable or word; digits before letters; the name itself last, so that the order is total."""
    phrases = _phrases(registry)
    units: list[tuple[str, int, str]] = []
    for match in _UNITS.finditer(name):
        piece = match.group()
        if _HAN_RUN.fullmatch(piece):
            for char, syllable in zip(piece, _pinyin(piece, phrases)):
                letters = syllable.rstrip("012345")
                tone = int(syllable[len(letters) :] or 5)
                units.append((letters.lower(), tone, char))
        elif piece.isdigit():
            units.append(("0" + piece.zfill(8), 0, piece))
        else:
            units.append((piece.lower(), 0, piece))
    return (tuple(units), name.lower(), name)


def initial(name: str, registry: Registry | None = None) -> str:
    """The letter a name is filed under ("A".."Z"), or "#" for a name that starts with a digit
    or with no letter at all."""
    units = sort_key(name, registry)[0]
    first = units[0][0][:1] if units else ""
    return first.upper() if "a" <= first <= "z" else "#"
