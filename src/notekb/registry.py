"""The knowledge that is data: models, topics, boilerplate patterns, glossary and references.

Everything here is read from YAML files in `notekb/data/` (or a folder given by the `data_dir`
option, whose files replace the packaged ones of the same name). Adding a model, a term or a blog's
boilerplate is a change to a YAML file, never to code.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path

import yaml

from notekb.text import fold, match_key

PACKAGE_DATA = Path(__file__).parent / "data"


@dataclass
class Fact:
    key: str
    value: str
    note: str | None  # id of the note that states it


@dataclass
class Relation:
    type: str  # successor_of | derived_from
    model: str  # a model id, or "" when the relation is to a whole family
    family: str = ""  # a family id (derived_from: {family: gemini})


@dataclass
class Family:
    """A line of models (Gemini, Gemma): its bare names, how its variants are written, what its
    members are compared on. A bare family name says which family, not which member."""

    id: str
    name: str
    summary: str
    names: list[str]  # the bare family name in every language
    variants: dict[str, list[str]]  # canonical variant -> its spellings in every language
    compare: list[str]  # fact keys compared side by side
    relations: list[Relation] = field(default_factory=list)


@dataclass
class Model:
    id: str
    name: str
    family: str  # family id ("" for a model of no family)
    release: str
    report_title: str
    arxiv: str | None
    summary: str
    aliases: list[str]  # the model's names: given, and "<family name> <version>" in every language
    relations: list[Relation]
    facts: list[Fact]
    versions: list[str] = field(default_factory=list)
    sizes: list[str] = field(default_factory=list)
    variants: list[str] = field(default_factory=list)
    unversioned: bool = False
    generations: list[str] = field(default_factory=list)
    offshoots: list[str] = field(default_factory=list)  # names of specialised models routed here
    report_urls: list[str] = field(default_factory=list)
    names: list[str] = field(default_factory=list)  # every name that identifies it: aliases, and with sizes and variants

    @property
    def report_url(self) -> str | None:
        return f"https://arxiv.org/abs/{self.arxiv}" if self.arxiv else None


@dataclass
class Topic:
    id: str
    title: str
    words: list[str]


@dataclass
class Term:
    id: str
    title: str
    names: dict[str, list[str]]
    definition: str
    see: list[str] = field(default_factory=list)

    @property
    def all_names(self) -> list[str]:
        return [n for names in self.names.values() for n in names]


@dataclass
class Reference:
    id: str
    title: str
    authors: str
    year: int | None
    url: str | None
    cited_as: list[str]


@dataclass
class Rule:
    name: str
    pattern: re.Pattern


@dataclass
class Boilerplate:
    headers: list[Rule]
    footers: list[Rule]
    lines: list[Rule]
    link_cards: list[Rule]
    missing_figures: list[re.Pattern]
    date_formats: list[str]
    calls_to_action: re.Pattern | None = None
    appendices: re.Pattern | None = None


def data_fingerprint(data_dir: str | Path | None) -> str:
    """A hash of every data file in effect (packaged ones and their replacements)."""
    digest = hashlib.sha256()
    for folder in (PACKAGE_DATA, Path(data_dir) if data_dir else None):
        if folder is not None and folder.is_dir():
            for path in sorted(folder.glob("*.yml")):
                digest.update(path.name.encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()


def data_stamp(data_dir: str | Path | None) -> tuple:
    """Path, modification time and size of every data file in effect: cheap to take (no file is
    read), and different whenever a file may have changed."""
    out = []
    for folder in (PACKAGE_DATA, Path(data_dir) if data_dir else None):
        if folder is not None and folder.is_dir():
            for path in sorted(folder.glob("*.yml")):
                stat = path.stat()
                out.append((str(path), stat.st_mtime_ns, stat.st_size))
    return tuple(out)


class RegistryLoader:
    """The registry of a long-running build (`mkdocs serve`): the data files are read again only
    when one's modification time or size changed, and the registry rebuilt only when their
    content did (`fingerprint`)."""

    def __init__(self, data_dir: str | Path | None) -> None:
        self.data_dir = data_dir
        self.stamp: tuple | None = None
        self.registry: Registry | None = None

    def load(self) -> tuple["Registry", bool]:
        """The registry, and whether it is new since the last call."""
        stamp = data_stamp(self.data_dir)
        if stamp == self.stamp and self.registry is not None:
            return self.registry, False
        fingerprint = data_fingerprint(self.data_dir)
        self.stamp = stamp
        if self.registry is not None and self.registry.fingerprint == fingerprint:
            return self.registry, False
        self.registry = Registry.load(self.data_dir, fingerprint)
        return self.registry, True


# libyaml's loader where PyYAML was built with it: the same documents, ten times faster, and
# every process (MkDocs and each helper) reads the data files.
_SAFE_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def _read_yaml(name: str, data_dir: Path | None) -> dict:
    for folder in (data_dir, PACKAGE_DATA):
        if folder is not None and (folder / name).is_file():
            with open(folder / name, encoding="utf-8") as fh:
                try:
                    return yaml.load(fh, Loader=_SAFE_LOADER) or {}
                except yaml.YAMLError as exc:
                    mark = getattr(exc, "problem_mark", None)
                    where = f"{folder / name}:{mark.line + 1}" if mark else str(folder / name)
                    raise DataError(f"{where}: not valid YAML: {getattr(exc, 'problem', exc)}") from None
    return {}


_CJK_GAP = re.compile(r"(?<=[\u3000-\u303f\u4e00-\u9fff\uff00-\uffef])\s+(?=[\u3000-\u303f\u4e00-\u9fff\uff00-\uffef])")


def _unfold(text: str) -> str:
    """YAML folds a wrapped line into a space, which Chinese does not have between characters."""
    return _CJK_GAP.sub("", text)


class DataError(ValueError):
    """A data file (registry, glossary, ...) that cannot be used; the message names the file."""


def _names(value) -> list[str]:
    """Aliases are given per language ({en: [...], ko: [...]}) or as a plain list."""
    if not value:
        return []
    if isinstance(value, dict):
        return [str(v) for names in value.values() for v in (names or [])]
    return [str(v) for v in value]


def _summary(value) -> str:
    return (value or {}).get("zh", "") if isinstance(value, dict) else str(value or "")


def _relations(entries) -> list[Relation]:
    return [Relation(r["type"], str(r.get("model") or ""), str(r.get("family") or "")) for r in entries or []]


def _family(e: dict) -> Family:
    variants = {str(k): [str(x) for x in (v or [k])] for k, v in (e.get("variants") or {}).items()}
    return Family(
        id=e["id"],
        name=e.get("name", e["id"]),
        summary=_summary(e.get("summary")),
        names=_names(e.get("names")),
        variants=variants,
        compare=[str(k) for k in e.get("compare") or []],
        relations=_relations(e.get("relations")),
    )


def _model(e: dict, families: dict[str, Family]) -> Model:
    report = e.get("report") or {}
    family = families.get(str(e.get("family") or ""))
    model = Model(
        id=e["id"],
        name=e["name"],
        family=family.id if family else str(e.get("family") or ""),
        release=str(e.get("release", "")),
        report_title=report.get("title", ""),
        arxiv=str(report.get("arxiv") or "") or None,
        summary=_summary(e.get("summary")),
        aliases=[],
        relations=_relations(e.get("relations")),
        facts=[Fact(f["key"], str(f["value"]), f.get("note")) for f in e.get("facts") or []],
        versions=[str(v) for v in e.get("versions") or []],
        sizes=[str(v) for v in e.get("sizes") or []],
        variants=[str(v) for v in e.get("variants") or []],
        unversioned=bool(e.get("unversioned")),
        generations=list(dict.fromkeys(str(v) for v in e.get("generations") or [])),
        offshoots=[str(v) for v in e.get("offshoots") or []],
        report_urls=[str(u) for u in report.get("urls") or []],
    )
    # A model named like its family ("Gemma") is not named by the bare family name: that is weak.
    bare = {match_key(n) for n in family.names} if family else set()
    made, variants = _made_names(model, family)
    names = [model.name, *_names(e.get("aliases")), *([model.report_title] if model.report_title else []), *made]
    model.aliases = [n for n in dict.fromkeys(names) if match_key(n) not in bare]
    model.names = model.aliases + [n for n in dict.fromkeys(variants) if n not in model.aliases]
    return model


def _made_names(model: Model, family: Family | None) -> tuple[list[str], list[str]]:
    """The names a model has by its family's names, its versions and generation ("Gemma 2", "젬마 2",
    "Gemma 第二代"), and those with its sizes and variants ("Gemma 2 9B", "Gemini 2.0 Flash",
    "제미나이 2.0 플래시"; for a model whose sizes and variants are written without a version,
    "Gemini Pro", "Gemma 7B")."""
    if family is None:
        return [], []
    spellings = [s for v in model.variants for s in family.variants.get(v, [v])]
    out, variants = [], []
    for name in family.names:
        stems = [f"{name} {v}" for v in model.versions] + ([name] if model.unversioned else [])
        # A variant spelled in one script goes with the family's names in Latin or that script
        # ("제미나이 2.0 플래시", "Gemini 2.0 플래시"), never with a third ("ジェミニ 2.0 플래시").
        extras = model.sizes + [x for x in spellings if _together(x, name)]
        for stem in stems:
            if stem != name:
                out.append(stem)
            variants += [f"{stem} {x}" for x in extras]
        for generation in model.generations:
            if _together(generation, name):
                out += [f"{name} {generation}", f"{generation} {name}"]
    return out, variants


def _script(name: str) -> str:
    """The script a name is written in, by its first letter that is not Latin: latin, han, hangul, kana."""
    for char in name:
        if "\uac00" <= char <= "\ud7a3" or "\u1100" <= char <= "\u11ff" or "\u3130" <= char <= "\u318f":
            return "hangul"
        if "\u3040" <= char <= "\u30ff":
            return "kana"
        if "\u3400" <= char <= "\u9fff" or "\uf900" <= char <= "\ufaff":
            return "han"
    return "latin"


def _together(word: str, name: str) -> bool:
    """Whether a word goes with a family name: Latin goes with any, others with their own script
    or a Latin name (and Han with kana, as Japanese writes it)."""
    a, b = _script(word), _script(name)
    return a == "latin" or b == "latin" or a == b or (a, b) == ("han", "kana")


def _check_names(models: list[Model], families: list[Family]) -> None:
    """A name that means two models (or a model and a family) is an error in the data, named."""
    owner: dict[str, str] = {}
    for family in families:
        for name in family.names:
            owner.setdefault(match_key(name), f"family {family.id}")
    for model in models:
        for name in model.names + model.offshoots:
            key = match_key(name)
            other = owner.setdefault(key, model.id)
            if other != model.id:
                raise DataError(f"models.yml: the name {name!r} of {model.id} is also a name of {other}")


def _reference_url(entry: dict) -> str | None:
    if entry.get("arxiv"):
        return f"https://arxiv.org/abs/{entry['arxiv']}"
    if entry.get("doi"):
        return f"https://doi.org/{entry['doi']}"
    return entry.get("url")


@dataclass
class Formats:
    """What notes written for other tools mean (data/formats.yml)."""

    admonition_types: dict[str, str]  # any name (lower case) -> Material's admonition type
    admonition_titles: dict[str, str]  # type -> the title shown when a note gives none
    mdx_images: set[str]
    mdx_admonitions: dict[str, str]  # component -> type
    mdx_details: set[str]
    mdx_tabs: set[str]
    mdx_steps: set[str]

    @classmethod
    def from_data(cls, data: dict) -> "Formats":
        admonitions = data.get("admonitions") or {}
        mdx = data.get("mdx") or {}
        return cls(
            admonition_types={str(n).lower(): kind for kind, e in admonitions.items() for n in [kind, *(e.get("names") or [])]},
            admonition_titles={kind: str(e.get("title") or kind) for kind, e in admonitions.items()},
            mdx_images=set(mdx.get("images") or []),
            mdx_admonitions=dict(mdx.get("admonitions") or {}),
            mdx_details=set(mdx.get("details") or []),
            mdx_tabs=set(mdx.get("tabs") or []),
            mdx_steps=set(mdx.get("steps") or []),
        )


@dataclass
class Registry:
    """All data files, loaded once and shared by every stage."""

    models: list[Model]
    topics: list[Topic]
    default_topic: str
    boilerplate: Boilerplate
    terms: list[Term]
    references: list[Reference]
    fact_labels: dict[str, str]
    relation_labels: dict[str, str]
    other_models: list[str] = field(default_factory=list)
    families: list[Family] = field(default_factory=list)
    version_words: dict[str, list[str]] = field(default_factory=dict)  # {after: [版本, ...], before: [version, ...]}
    version_window: int = 32  # characters after a family name in which a version standing apart is read
    contexts: dict[str, list[str]] = field(default_factory=dict)  # {compare: ["vs {}", ...], use: [...]}
    formats: Formats = field(default_factory=lambda: Formats.from_data({}))
    data_dir: str | None = None  # where the files that replaced the packaged ones came from
    fingerprint: str = ""  # hash of the data files' contents: equal registries, equal fingerprints

    @classmethod
    def load(cls, data_dir: str | Path | None = None, fingerprint: str | None = None) -> "Registry":
        """Read the data files (`fingerprint`, when the caller hashed them already, saves a second read)."""
        data_dir = Path(data_dir) if data_dir else None
        m = _read_yaml("models.yml", data_dir)
        families = [_family(e) for e in m.get("families") or []]
        by_family = {f.id: f for f in families}
        models = [_model(e, by_family) for e in m.get("models", [])]
        _check_names(models, families)
        t = _read_yaml("topics.yml", data_dir)
        # Topic words are matched by text.NameScanner, which folds case, width and script itself.
        topics = [Topic(e["id"], e["title"], _names(e.get("words"))) for e in t.get("topics", [])]
        b = _read_yaml("boilerplate.yml", data_dir)

        def rules(key: str) -> list[Rule]:
            return [Rule(e["name"], re.compile(e["pattern"], re.M)) for e in b.get(key, [])]

        boilerplate = Boilerplate(
            headers=rules("headers"),
            footers=rules("footers"),
            lines=[Rule(e["name"], re.compile(rf"(?:{e['pattern']})\Z")) for e in b.get("lines", [])],
            link_cards=rules("link_cards"),
            missing_figures=[re.compile(rf"(?:{p})\Z", re.I) for p in b.get("missing_figures", [])],
            date_formats=list(b.get("dates", [])),
            calls_to_action=re.compile("|".join(f"(?:{p})" for p in b["calls_to_action"]), re.I) if b.get("calls_to_action") else None,
            appendices=re.compile("|".join(f"(?:{p})" for p in b["appendices"]), re.I) if b.get("appendices") else None,
        )
        g = _read_yaml("glossary.yml", data_dir)
        terms = [
            Term(
                id=e["id"],
                title=e.get("title", e["id"]),
                names={k: [str(x) for x in (v or [])] for k, v in (e.get("names") or {}).items()},
                definition=_unfold(str(e.get("definition", "")).strip()),
                see=list(e.get("see") or []),
            )
            for e in g.get("terms", [])
        ]
        r = _read_yaml("references.yml", data_dir)
        references = [
            Reference(
                id=e["id"],
                title=e["title"],
                authors=e.get("authors", ""),
                year=e.get("year"),
                url=_reference_url(e),
                cited_as=[str(c) for c in e.get("cited_as") or []],
            )
            for e in r.get("references", [])
        ]
        return cls(
            models=models,
            topics=topics,
            default_topic=t.get("default", topics[0].id if topics else "overview"),
            boilerplate=boilerplate,
            terms=terms,
            references=references,
            families=families,
            version_words={k: [str(w) for w in v or []] for k, v in (m.get("version_words") or {}).items()},
            version_window=int(m.get("version_window", 32)),
            contexts={k: [str(p) for p in v or []] for k, v in (m.get("contexts") or {}).items()},
            fact_labels=m.get("fact_labels", {}),
            relation_labels=m.get("relation_labels", {}),
            other_models=[str(x) for x in m.get("other_models") or []],
            formats=Formats.from_data(_read_yaml("formats.yml", data_dir)),
            data_dir=str(data_dir) if data_dir else None,
            fingerprint=fingerprint or data_fingerprint(data_dir),
        )

    def derived(self, name: str, build):
        """Something built from the data once per registry (a name scanner, a table): the stages
        ask for it for every note and section, and building it is what costs."""
        cache = self.__dict__.setdefault("_derived", {})
        if name not in cache:
            cache[name] = build(self)
        return cache[name]

    @cached_property
    def model_by_id(self) -> dict[str, Model]:
        return {m.id: m for m in self.models}

    @cached_property
    def family_by_id(self) -> dict[str, Family]:
        return {f.id: f for f in self.families}

    def members(self, family_id: str) -> list[Model]:
        """The models of a family, in release order."""
        return sorted((m for m in self.models if m.family == family_id), key=lambda m: m.release)

    @cached_property
    def topic_by_id(self) -> dict[str, Topic]:
        return {t.id: t for t in self.topics}

    def find_name(self, text: str) -> tuple[str, str] | None:
        """("model" | "family" | "term" | "ref", id) of whatever this name names (any name, any
        language, any case, spacing or Chinese script), or None."""

        def build(registry: "Registry") -> dict[str, tuple[str, str]]:
            names: dict[str, tuple[str, str]] = {}
            for ref in registry.references:
                for name in [ref.title, *ref.cited_as]:
                    names.setdefault(match_key(name), ("ref", ref.id))
            for term in registry.terms:
                for name in [term.title, term.id, *term.all_names]:
                    names.setdefault(match_key(name), ("term", term.id))
            for model in registry.models:  # models win over terms and references...
                names.update({match_key(n): ("model", model.id) for n in [model.name, model.id, *model.names]})
            # ...but a bare family name ("Gemini", "Gemma") names the family, as when a note is read.
            return names | {match_key(n): ("family", f.id) for f in registry.families for n in [f.name, f.id, *f.names]}

        return self.derived("registry.names", build).get(match_key(text))

    def model_for_title(self, title: str) -> Model | None:
        """The model whose report has this title (link cards often give only the title)."""
        key = fold(title).strip(" .")
        for model in self.models:
            if model.report_title and fold(model.report_title) == key:
                return model
        return None

    def reference_for_title(self, title: str) -> Reference | None:
        key = fold(title).strip(" .")
        for ref in self.references:
            if fold(ref.title).strip(" .") == key:
                return ref
        return None
