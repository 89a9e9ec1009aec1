"""Which of a note's headings only repeat the heading an excerpt sits under (data/headings.yml).

A model page shows "模型架构" and under it each note's excerpt; the note's own "2 模型架构" or
"4 训练集" above its text says nothing more and is left out."""

from __future__ import annotations

import re
from pathlib import Path

from notekb.registry import Registry, _read_yaml
from notekb.text import fold

# "2 ", "1.1 ", "0. ", "第二章 ", "iv. ", "a) ": the numbering a heading may start with.
_NUMBERING = re.compile(r"^(?:第?[0-9一二三四五六七八九十]+[章节部分]\s*|[0-9]+(?:\.[0-9]+)*\.?\s*|[ivx]+[.)]\s*|[a-z][.)]\s*)", re.I)
# A translation or a remark in brackets: "1.1 模型架构 (Model Architecture)".
_BRACKETED = re.compile(r"[(（\[【][^()（）\[\]【】]*[)）\]】]")
_MARKUP = re.compile(r"!?\[([^\]]*)\]\([^)]*\)|<[^>]*>|[*`\\]")
_NOT_WORD = re.compile(r"[\W_]+")


def heading_key(title: str) -> str:
    """What a heading says, for comparison: no numbering, no bracketed part, no markup, spaces or
    punctuation; lower case, half-width, Simplified."""
    text = fold(_MARKUP.sub(lambda m: m.group(1) or "", title)).strip()
    text = _NUMBERING.sub("", text, count=1)
    without = _BRACKETED.sub("", text)
    return _NOT_WORD.sub("", without if _NOT_WORD.sub("", without) else text)


def _same_as_topic(registry: Registry) -> dict[str, frozenset[str]]:
    data = _read_yaml("headings.yml", Path(registry.data_dir) if registry.data_dir else None)
    return {topic: frozenset(heading_key(str(w)) for w in words or []) for topic, words in (data.get("same_as_topic") or {}).items()}


def repeats_topic(title: str | None, topic_id: str | None, registry: Registry) -> bool:
    """Whether a section heading says no more than its topic's heading on a model page."""
    if not title or not topic_id:
        return False
    topic = registry.topic_by_id.get(topic_id)
    same = registry.derived("pages.same_as_topic", _same_as_topic).get(topic_id, frozenset())
    key = heading_key(title)
    return bool(key) and (key in same or (topic is not None and key == heading_key(topic.title)))
