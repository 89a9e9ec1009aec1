"""Reading model names: which model or family each mention names, and whether it counts.

Route (is this note about the model?) and link (where does this mention lead?) read names the
same way, from the registry's data only:

* a model's names ("Gemma 2", "Gemma2-27B", "gemma-2-9b-it", "젬마 2", "Gemma 第二代") name it;
  the names of its offshoots ("ShieldGemma") name it too, unless they have an entry of their own;
* a bare family name ("Gemini", "제미나이") names the family, unless a version standing apart
  from it follows on the same line, within the registry's `version_window`, before any other
  name: "Gemini 发布 2.5 Pro", "Gemini 的 2.5 版本", "Gemma 有 7B 和 2B 两种" (a size or variant
  only one member has);
* a mention in a comparison ("超过了 Gemma 7B", "vs Gemini 1.5 Pro") or a use ("Gemini API",
  "Gemini 기반") is kept with its context, and so are names in tables and code blocks: they are
  shown as evidence but do not make a note about the model.

Sizes and variants that only one member of a family has, standing on their own ("2B 和 7B 两个
尺寸", "Ultra, Pro and Nano"), are hints: they say which member a note that names only the bare
family means.
"""

from __future__ import annotations

import re
from bisect import bisect_left
from collections import Counter
from dataclasses import dataclass, field

from notekb.registry import Registry
from notekb.spans import regions, scan
from notekb.text import NameScanner, match_key, scan_form

COUNTED = ""
_GAP = "\x00"
# Never read for names: addresses and markup. Code blocks are read, and their names set aside.
_HIDDEN = frozenset({"url", "autolink", "target", "tag", "comment", "fence"})
_CLAUSE = re.compile(r"[，,。；;！？!?、]")
_CONTEXT_REACH = 16  # characters before and after a mention searched for a comparison or a use


@dataclass(frozen=True)
class Owner:
    """What a name names: a model, a family (its bare name) or another lab's model."""

    kind: str  # model | family | other
    id: str
    via: str = ""  # the offshoot whose name this is ("ShieldGemma"), for the evidence


@dataclass
class Mention:
    start: int
    end: int
    owner: Owner
    context: str = COUNTED  # "" counted | compare | use | table | code
    member: str | None = None  # a family mention's member, read from a version standing apart
    version: str = ""  # that version as written ("2.5 Pro")


@dataclass
class Reader:
    scanner: NameScanner  # every name: payload Owner
    detached: dict[str, NameScanner]  # family id -> versions standing apart: payload model id
    hints: NameScanner  # sizes and variants only one member of a family has: (family id, model id, capitalised)
    contexts: list[tuple[str, re.Pattern | None, re.Pattern | None, tuple]]  # (kind, before, after, (any pair's before, [(before, after)]))
    window: int


def names(registry: Registry) -> list[tuple[str, Owner]]:
    """Every name the registry gives, with what it names (link builds its scanner from these)."""
    entries: list[tuple[str, Owner]] = []
    own = {m.name for m in registry.models}
    for model in registry.models:
        entries += [(a, Owner("model", model.id)) for a in model.names]
        entries += [(o, Owner("model", model.id, o)) for o in model.offshoots if o not in own]
    for family in registry.families:
        entries += [(n, Owner("family", family.id)) for n in family.names]
    entries += [(a, Owner("other", a)) for a in registry.other_models]
    return entries


def _detached_entries(registry: Registry, family_id: str) -> list[tuple[str, object]]:
    """How a member is named apart from the family name: "2.5 Pro", "2.5 版本", "version 2.0",
    "第二代", and sizes or variants only it has ("7B"). Forms two members share are left out."""
    family = registry.family_by_id[family_id]
    words = registry.version_words
    forms: dict[str, set[str]] = {}
    members = registry.members(family_id)
    for model in members:
        spellings = [s for v in model.variants for s in family.variants.get(v, [v])]
        made = [f"{v} {x}" for v in model.versions for x in spellings]
        made += [f"{v} {w}" for v in model.versions for w in words.get("after", [])]
        made += [f"{w} {v}" for v in model.versions for w in words.get("before", [])]
        made += model.generations + list(_own_marks(model, members, family))
        for form in made:
            forms.setdefault(match_key(form), set()).add(model.id)
    return [(key, next(iter(owners))) for key, owners in forms.items() if len(owners) == 1]


def _own_marks(model, members, family) -> list[str]:
    """The sizes and variant spellings of a model that no other member of its family has."""
    def marks(m):
        return set(m.sizes) | {s for v in m.variants for s in family.variants.get(v, [v])}

    others = set().union(*(marks(m) for m in members if m.id != model.id)) if len(members) > 1 else set()
    return sorted(marks(model) - others)


def _context_pattern(pattern: str) -> tuple[str, str]:
    """"与 {} 相比" -> (regex source for the end of the text before, for the start of the text
    after; "" where the pattern has nothing there), over the scan form (lower case, Simplified,
    punctuation and spaces as gaps)."""
    before, _, after = pattern.partition("{}")

    def gapped(words: str) -> str:
        return f"{_GAP}*".join(re.escape(c) for c in match_key(words))

    pre = post = ""
    if key := match_key(before):
        pre = ("(?<![a-z0-9])" if key[0].isascii() and key[0].isalnum() else "") + gapped(before)
    if key := match_key(after):
        post = gapped(after) + ("(?![a-z0-9])" if key[-1].isascii() and key[-1].isalnum() else "")
    return pre, post


def _contexts(registry: Registry) -> list:
    """Per kind: one regex for the patterns with only a word before the name, one for those with
    only a word after it, and the pairs ("与 {} 相比") one by one."""
    out = []
    for kind, patterns in registry.contexts.items():
        parts = [_context_pattern(p) for p in patterns]
        before = [pre for pre, post in parts if pre and not post]
        after = [post for pre, post in parts if post and not pre]
        pairs = [(re.compile(f"(?:{pre}){_GAP}*$"), re.compile(f"^{_GAP}*(?:{post})")) for pre, post in parts if pre and post]
        # Any pair's first word, tried first: most mentions have none of them before them.
        either = re.compile(f"(?:{'|'.join(pre for pre, post in parts if pre and post)}){_GAP}*$") if pairs else None
        out.append((
            kind,
            re.compile(f"(?:{'|'.join(before)}){_GAP}*$") if before else None,
            re.compile(f"^{_GAP}*(?:{'|'.join(after)})") if after else None,
            (either, pairs),
        ))
    return out


def _build(registry: Registry) -> Reader:
    scanner = NameScanner(names(registry))
    detached = {f.id: NameScanner(_detached_entries(registry, f.id)) for f in registry.families}
    marks = []
    for family in registry.families:
        members = registry.members(family.id)
        marks += [(mark, (family.id, m.id, mark[:1].isupper())) for m in members for mark in _own_marks(m, members, family)]
    hints = NameScanner(marks)
    return Reader(scanner, detached, hints, _contexts(registry), registry.version_window)


def reader_for(registry: Registry) -> Reader:
    return registry.derived("mentions.reader", _build)


# ---------------------------------------------------------------------------------------------
# Reading a text


def _line_bounds(text: str, start: int, end: int) -> tuple[int, int]:
    return text.rfind("\n", 0, start) + 1, (text.find("\n", end) + 1 or len(text) + 1) - 1


def _context(text: str, folded: str, start: int, end: int, reader: Reader) -> str:
    line_start, line_end = _line_bounds(text, start, end)
    if text[line_start:start].lstrip().startswith("|"):
        return "table"
    # A comparison or a use is read within the clause: "和 Gemini 1.5 Pro 相比，Gemini 2.0 Flash
    # 更快" compares with 1.5, not with 2.0.
    a = max(line_start, start - _CONTEXT_REACH)
    a += len(text[a:start]) - len(_CLAUSE.split(text[a:start])[-1])
    b = min(line_end, end + _CONTEXT_REACH)
    b = end + len(_CLAUSE.split(text[end:b])[0])
    before, after = folded[a:start], folded[end:b]
    for kind, pre, post, pairs in reader.contexts:
        if (pre is not None and pre.search(before)) or (post is not None and post.match(after)):
            return kind
        either, pairs = pairs
        if either is not None and either.search(before) and any(p.search(before) and q.match(after) for p, q in pairs):
            return kind
    return COUNTED


def _masked(text: str, spans, kinds: frozenset[str]) -> str:
    """The text with the spans of these kinds blanked (same length and lines)."""
    out, last = [], 0
    for a, b, _ in regions(spans, kinds):
        out.append(text[last:a])
        out.append(re.sub(r"[^\n]", " ", text[a:b]))
        last = b
    out.append(text[last:])
    return "".join(out)


def read(text: str, reader: Reader) -> list[Mention]:
    """Every mention in the text, in order, with what it names and its context."""
    return _read(text, reader)[0]


def _read(text: str, reader: Reader) -> tuple[list[Mention], str, str]:
    """The mentions, and the text as read (addresses and markup blanked, same length)."""
    spans = scan(text).spans
    hidden = _masked(text, spans, _HIDDEN)
    folded = scan_form(hidden)
    code = [(a, b) for a, b, _ in regions(spans, frozenset({"fence"}))]
    found = reader.scanner.scan(hidden, folded)
    versions: dict[str, list] = {}  # family id -> versions standing apart anywhere in the text
    out: list[Mention] = []
    for k, (start, end, owner) in enumerate(found):
        mention = Mention(start, end, owner, _context(hidden, folded, start, end, reader))
        if owner.kind == "family" and owner.id in reader.detached:
            if owner.id not in versions:
                versions[owner.id] = reader.detached[owner.id].scan(hidden, folded)
            limit = found[k + 1][0] if k + 1 < len(found) else len(hidden)
            _read_version(hidden, mention, limit, reader, versions[owner.id])
        out.append(mention)
    for a, b in code:
        for start, end, owner in reader.scanner.scan(text[a:b]):
            out.append(Mention(a + start, a + end, owner, "code"))
    return sorted(out, key=lambda m: m.start), hidden, folded


def _read_version(text: str, mention: Mention, limit: int, reader: Reader, hits: list | None = None) -> None:
    """A version standing apart from a family name: the first in the window after it, on the
    same line, before the next name. `hits`: the family's versions found in the whole text."""
    scanner = reader.detached.get(mention.owner.id)
    if scanner is None:
        return
    _, line_end = _line_bounds(text, mention.start, mention.end)
    stop = min(limit, line_end, mention.end + reader.window)
    if hits is None:
        hits = [(a + mention.end, b + mention.end, m) for a, b, m in scanner.scan(text[mention.end : stop])]
    for start, end, member in hits[bisect_left(hits, (mention.end,)) :]:
        if end > stop:
            return
        if _attached(text[mention.end : start], start - mention.end, set()):  # "Gemma 对比 Qwen1.5-7B": that 7B is Qwen's
            continue
        mention.member = member
        mention.version = text[start:end]
        return


def member_after(text: str, end: int, family_id: str, reader: Reader) -> str | None:
    """The member a bare family name ending at `end` names by a version after it (for link)."""
    mention = Mention(end, end, Owner("family", family_id))
    limit = next((s for s, _, _ in reader.scanner.scan(text[end : end + reader.window])), reader.window) + end
    _read_version(text, mention, limit, reader)
    return mention.member


def hints(hidden: str, mentions: list[Mention], reader: Reader, folded: str | None = None) -> dict[str, Counter]:
    """family id -> {member: how often a size or variant only it has stands on its own} in a text
    as `tally` read it. A mark right after another name ("Mistral 7B", "Qwen1.5-7B") belongs to
    that name, not a hint."""
    folded = scan_form(hidden) if folded is None else folded
    ends = {m.end for m in mentions}
    taken = [(m.start, m.end) for m in mentions]
    out: dict[str, Counter] = {}
    for start, end, (family_id, member, capitalised) in reader.hints.scan(hidden, folded):
        if capitalised and not hidden[start].isupper():
            continue
        if any(a < end and start < b for a, b in taken) or _attached(hidden, start, ends):
            continue
        out.setdefault(family_id, Counter())[member] += 1
    return out


_WORD_BEFORE = re.compile(r"([A-Za-z0-9.]+)[ \t_-]{0,2}$")


def _attached(text: str, start: int, name_ends: set[int]) -> bool:
    """Whether the mark at `start` is part of the name before it."""
    before = text[max(0, start - 24) : start]
    gap = len(before) - len(before.rstrip(" \t_-"))
    if start - gap in name_ends:
        return True
    word = _WORD_BEFORE.search(before)
    if word is None:
        return False
    token = word.group(1)
    return any(c.isdigit() for c in token) or token[:1].isupper()


@dataclass
class Tally:
    """What a text says, counted: strong names per model, bare family names, and what was set aside."""

    strong: Counter = field(default_factory=Counter)  # model id -> counted mentions (names and versions read)
    apart: Counter = field(default_factory=Counter)  # model id -> of those, versions standing apart
    offshoots: Counter = field(default_factory=Counter)  # offshoot name -> counted mentions
    family: Counter = field(default_factory=Counter)  # family id -> bare mentions with no version
    others: Counter = field(default_factory=Counter)  # other labs' model -> counted mentions
    aside: dict[str, Counter] = field(default_factory=dict)  # context -> {label: mentions}
    examples: list[str] = field(default_factory=list)  # versions read apart, as written
    hidden: str = ""  # the text as read (addresses and markup blanked)
    folded: str = ""  # and its scan form


def tally(text: str, reader: Reader, registry: Registry) -> tuple[Tally, list[Mention]]:
    out = Tally()
    found, out.hidden, out.folded = _read(text, reader)
    labels = {m.id: m.name for m in registry.models} | {f.id: f.name for f in registry.families}
    for mention in found:
        owner = mention.owner
        if mention.context != COUNTED:
            label = owner.via or labels.get(owner.id, owner.id)
            out.aside.setdefault(mention.context, Counter())[label] += 1
        elif owner.kind == "other":
            out.others[owner.id] += 1
        elif owner.kind == "family" and mention.member is None:
            out.family[owner.id] += 1
        else:
            model = mention.member or owner.id
            out.strong[model] += 1
            if mention.member:
                out.apart[model] += 1
                out.examples.append(f"{text[mention.start:mention.end]} … {mention.version}")
            if owner.via:
                out.offshoots[owner.via] += 1
    return out, found
