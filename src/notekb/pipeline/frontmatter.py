"""Front matter as blog engines write it: YAML between `---` lines (Jekyll, Hexo, Astro, Obsidian,
Docusaurus, Hugo) or TOML between `+++` lines (Hugo), read into the fields notekb knows.

A note's front matter was written for another site. Its known fields are read leniently (`lang` as
any BCP 47 tag in any case, with underscores; dates with times, zones or slashes; tags and
categories as lists or comma strings; authors as a string, a list or a mapping); fields notekb
does not use are kept with the note and reported at debug level only. What a contributor must fix
stays an error with its line: broken YAML or TOML, an impossible date, an unsafe slug, an unknown
model or language.
"""

from __future__ import annotations

import datetime as dt
import difflib
import re
import tomllib

import yaml

from notekb.records import Diagnostic, NoteError

FIELDS = {
    "title": "the note's title",
    "model": "the model the note is about (an id from the registry)",
    "lang": "the note's language (BCP 47: zh-Hans, zh-Hant, zh-TW, zh-HK, ja, ko, en, …)",
    "author": "who wrote the note",
    "date": "when it was written (YYYY-MM-DD, a time and zone may follow)",
    "source": "the URL it was first published at",
    "tags": "a list of words (categories and keywords join them)",
    "slug": "the note's id in its URL (letters, digits, - and _)",
}
FRONT_MATTER_FIELDS = FIELDS  # the name used before
# Other names blog engines give the same fields.
SYNONYMS = {
    "language": "lang", "locale": "lang", "authors": "author", "categories": "tags", "category": "tags",
    "keywords": "tags", "original": "source", "source_url": "source", "canonical_url": "source", "origin": "source",
    "created": "date", "pubDatetime": "date", "published": "date", "date_created": "date",
}
LANGS = ("zh-Hans", "zh-Hant", "zh-TW", "zh-HK", "zh-MO", "ja", "ko", "en")
_URL = re.compile(r"https?://[^\s()<>\"'\\`]+\Z")
_SLUG_RE = re.compile(r"[A-Za-z0-9][A-Za-z0-9_-]{0,99}\Z")
RESERVED_IDS = {"index"}  # notes/index.md is the list of notes


MAX_FRONT_MATTER = 16_384  # bytes; real front matter is a few hundred
MAX_FRONT_MATTER_DEPTH = 8  # nesting of lists and mappings


class _FrontMatterLoader(yaml.SafeLoader):
    """SafeLoader that leaves timestamps as strings (validate_front_matter checks dates itself and
    reports an impossible one, 2024-02-30, with its line instead of crashing), refuses aliases
    (`*name`: a few hundred bytes of them expand to billions of items) and deep nesting."""

    _depth = 0

    def compose_node(self, parent, index):
        if self.check_event(yaml.AliasEvent):
            raise yaml.composer.ComposerError(None, None, "front matter may not use YAML aliases (*name); write the value out", self.peek_event().start_mark)
        if self._depth >= MAX_FRONT_MATTER_DEPTH:
            raise yaml.composer.ComposerError(None, None, f"front matter is nested more than {MAX_FRONT_MATTER_DEPTH} levels deep", self.peek_event().start_mark)
        self._depth += 1
        try:
            return super().compose_node(parent, index)
        finally:
            self._depth -= 1


def split_front_matter(text: str, path: str) -> tuple[dict, str, int, list[Diagnostic]]:
    """Split optional front matter off the text: (fields, body, body's first line, diagnostics).
    YAML between `---` lines, or TOML between `+++` lines."""
    fence = "+++" if text.startswith("+++\n") else "---" if text.startswith("---\n") else None
    if fence is None:
        return {}, text, 1, []
    closing = r"^\+\+\+[ \t]*$" if fence == "+++" else r"^(?:---|\.\.\.)[ \t]*$"
    end = re.search(closing, text[4:], re.M)
    if not end:
        return {}, text, 1, [Diagnostic(path, f"front matter starts with '{fence}' but has no closing '{fence}'; read as text", "warning", 1)]
    raw = text[4 : 4 + end.start()]
    if len(raw.encode("utf-8")) > MAX_FRONT_MATTER:
        raise NoteError(Diagnostic(path, f"front matter is {len(raw.encode('utf-8')):,} bytes, over the {MAX_FRONT_MATTER:,}-byte limit", "error", 1))
    body = text[4 + end.end() :].lstrip("\n")
    first_line = text[: len(text) - len(body)].count("\n") + 1
    meta = _toml(raw, path) if fence == "+++" else _yaml(raw, path)
    if meta is None:
        meta = {}
    if not isinstance(meta, dict):
        raise NoteError(Diagnostic(path, f"front matter must be a mapping of fields, got {type(meta).__name__}", "error", 2))
    return meta, body, first_line, []


def _yaml(raw: str, path: str):
    try:
        return yaml.load(raw, Loader=_FrontMatterLoader)
    except RecursionError:
        raise NoteError(Diagnostic(path, "front matter is nested too deeply", "error", 1)) from None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        context = getattr(exc, "context_mark", None)
        # At the end of the text (an unclosed quote) the problem is where the context began.
        if context is not None and (mark is None or mark.line >= raw.count("\n")):
            mark = context
        line = mark.line + 2 if mark is not None else 1
        problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
        if problem.startswith("front matter"):
            raise NoteError(Diagnostic(path, problem, "error", line)) from None
        raise NoteError(Diagnostic(path, f"front matter is not valid YAML: {problem}", "error", line)) from None


def _toml(raw: str, path: str):
    try:
        meta = tomllib.loads(raw)
    except tomllib.TOMLDecodeError as exc:
        where = re.search(r"\(at line (\d+)", str(exc))
        problem = str(exc).split(" (at ")[0]
        raise NoteError(Diagnostic(path, f"front matter is not valid TOML: {problem}", "error", int(where.group(1)) + 1 if where else 1)) from None
    if _depth(meta) > MAX_FRONT_MATTER_DEPTH:
        raise NoteError(Diagnostic(path, f"front matter is nested more than {MAX_FRONT_MATTER_DEPTH} levels deep", "error", 1))
    return meta


def _depth(value, level: int = 0) -> int:
    if level > MAX_FRONT_MATTER_DEPTH:
        return level
    children = value.values() if isinstance(value, dict) else value if isinstance(value, list) else ()
    return max((_depth(v, level + 1) for v in children), default=level)


def _field_line(text: str, key: str) -> int | None:
    match = re.search(rf"^{re.escape(str(key))}\s*:", text, re.M)
    return text.count("\n", 0, match.start()) + 1 if match else None


_FrontMatterLoader.yaml_implicit_resolvers = {
    key: [(tag, regex) for tag, regex in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for key, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


def validate_front_matter(meta: dict, text: str, path: str, model_ids: list[str] | None) -> tuple[dict, list[Diagnostic]]:
    """The fields notekb uses, normalised, and the problems with their line. Fields it does not use
    are kept under "extra" and reported at debug level."""
    clean: dict = {}
    extra: dict = {}
    problems: list[Diagnostic] = []
    for key, value in meta.items():
        key = str(key)
        line = _field_line(text, key)
        name = key if key in FIELDS else SYNONYMS.get(key, SYNONYMS.get(key.lower()))
        if name is None:
            extra[key] = value
            near = difflib.get_close_matches(key.lower(), FIELDS, n=1, cutoff=0.75)
            if near:  # a typo of a field notekb reads: the contributor wants to know
                problems.append(Diagnostic(path, f"unknown front matter field '{key}': did you mean '{near[0]}'? (known fields: {', '.join(FIELDS)})", "warning", line))
            else:  # another blog engine's field (layout, permalink, …): kept, and no trouble
                problems.append(Diagnostic(path, f"front matter field '{key}' is not used by notekb; kept with the note", "debug", line))
            continue
        if value is None or value == "" or value == []:
            continue
        reader = _READERS.get(name, _text)
        try:
            result = reader(value, model_ids)
        except ValueError as exc:
            problems.append(Diagnostic(path, str(exc), "error", line))
            continue
        if name == "tags":
            clean["tags"] = list(dict.fromkeys(clean.get("tags", []) + result))
        elif name == "source" and not _URL.match(result):
            problems.append(Diagnostic(path, f"source '{result}' is not an http(s) URL (without spaces, quotes, brackets)", "warning", line))
        elif name not in clean or key == name:  # the field's own name wins over a synonym
            clean[name] = result
    if extra:
        clean["extra"] = extra
    return clean, problems


def _text(value, _=None) -> str:
    if isinstance(value, list):
        return ", ".join(_text(v) for v in value if v not in (None, ""))
    if isinstance(value, dict):
        return _text(value.get("name") or value.get("title") or next(iter(value.values()), ""))
    return " ".join(str(value).split())


def _tags(value, _=None) -> list[str]:
    items = value if isinstance(value, list) else str(value).split(",")
    out = []
    for item in items:
        if isinstance(item, (list, dict)):
            out += _tags(list(item.values()) if isinstance(item, dict) else item)
        elif str(item).strip().lstrip("#"):
            out.append(str(item).strip().lstrip("#"))
    return out


_DATE = re.compile(r"(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})(?:[T ]\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?\s*(?:Z|[+-]\d{2}:?\d{2})?)?\Z")


def _date(value, _=None) -> str:
    """YYYY-MM-DD from a date, or a string with -, / or . and perhaps a time and a zone."""
    if isinstance(value, dt.datetime):
        return value.date().isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    match = _DATE.match(str(value).strip())
    if not match:
        raise ValueError(f"date '{value}' is not a date (expected YYYY-MM-DD, a time and zone may follow)")
    try:
        return dt.date(*map(int, match.groups())).isoformat()
    except ValueError:
        raise ValueError(f"date '{value}' is not a date that exists") from None


# BCP 47 tags (any case, "-" or "_") -> the languages notekb knows.
_LANG_TAGS = {
    "zh": "zh-Hans", "zh-hans": "zh-Hans", "zh-cn": "zh-Hans", "zh-sg": "zh-Hans", "zh-hans-cn": "zh-Hans", "zh-hans-sg": "zh-Hans",
    "zh-hant": "zh-Hant", "zh-tw": "zh-TW", "zh-hant-tw": "zh-TW", "zh-hk": "zh-HK", "zh-hant-hk": "zh-HK",
    "zh-mo": "zh-MO", "zh-hant-mo": "zh-MO", "ja": "ja", "ja-jp": "ja", "ko": "ko", "ko-kr": "ko", "en": "en",
}


def normalize_lang(value: str) -> str | None:
    """zh-tw, zh_TW, zh-Hant-TW -> zh-TW; ja-JP -> ja; en-US -> en; None for a language notekb
    does not know."""
    tag = str(value).strip().replace("_", "-").lower()
    if tag in _LANG_TAGS:
        return _LANG_TAGS[tag]
    base = tag.split("-")[0]
    return _LANG_TAGS.get(base) if base in ("ja", "ko", "en") else None


def _lang(value, _=None) -> str:
    lang = normalize_lang(value)
    if lang is None:
        raise ValueError(f"unknown lang '{value}' (expected one of: {', '.join(LANGS)}, in any case, or another BCP 47 tag of these languages)")
    return lang


def _model(value, model_ids) -> str:
    text = str(value).strip()
    wanted = text.lower().replace(" ", "-")
    if model_ids is None:
        return text
    match = next((m for m in model_ids if m == text or m == wanted), None)
    if match is None:
        raise ValueError(f"unknown model '{text}' (known models: {', '.join(model_ids)})")
    return match


def _slug(value, _=None) -> str:
    slug = str(value).strip()
    if slug.lower() in RESERVED_IDS:
        raise ValueError(f"slug '{slug}' is taken by the list of notes (notes/{slug}/); choose another name")
    if not _SLUG_RE.match(slug):
        raise ValueError(f"slug '{slug}' would put the note's page outside the site's notes/ folder (notes/{slug}/); a slug is a single name: letters, digits, '-' and '_' only")
    return slug.lower()  # as ids from file names: two slugs that differ in case are one URL on many file systems


_READERS = {"date": _date, "lang": _lang, "tags": _tags, "model": _model, "slug": _slug, "author": _text, "title": _text, "source": _text}
