"""Zensical as notekb's engine: the project's mkdocs.yml turned into the configuration Zensical reads
for the pages `notekb export` writes, and Zensical's commands run in this Python.

Zensical reads mkdocs.yml but runs no MkDocs plugins, so what the notekb plugin does to MkDocs'
configuration (mkdocs.setup) is written into a configuration of its own, in a work folder beside
mkdocs.yml (`.notekb/zensical/`: the configuration, the exported pages in docs/, Zensical's site/
and its .cache/):

* the notekb plugin (and Material's search plugin) taken out, `docs_dir` the exported pages,
  `site_dir` the work folder's site/ (Zensical wants both inside the folder of its configuration);
* the navigation notekb builds, when mkdocs.yml has none;
* the Markdown extensions generated pages need, heading ids that never take the theme's (the toc
  extension's slugify wrapped by publish.sanitize.theme_safe_slugify), and publish.extension,
  which sanitizes each generated page as Zensical renders it;
* the language switch and its script when the Traditional edition is built (`notekb build`);
* notekb's stylesheet, search script and box, instead of Zensical's search: the box comes with
  `main.html` in a theme folder of overrides (a copy of the project's `custom_dir`, if any, whose own
  files win).

The project's YAML is read with its tags (`!!python/name:…`, `!ENV`, …) kept as written.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import yaml

from notekb.pages.style import STYLESHEET
from notekb.publish.edition_site import ALTERNATE, EDITION_SCRIPT
from notekb.publish.site import SEARCH_SCRIPT, SEARCH_STYLESHEET

WORK = Path(".notekb") / "zensical"
TEMPLATES = Path(__file__).parent / "templates" / "zensical"
REQUIRED_EXTENSIONS = ["attr_list", "md_in_html", "tables", "toc"]
SANITIZE_EXTENSION = "notekb.publish.extension"
SLUGIFY_WRAPPER = "tag:yaml.org,2002:python/object/apply:notekb.publish.sanitize.theme_safe_slugify"


class ConfigError(Exception):
    pass


class Tagged:
    """A YAML node with a tag this loader does not construct, kept to be written back as it was."""

    def __init__(self, tag: str, value) -> None:
        self.tag, self.value = tag, value

    def __eq__(self, other) -> bool:
        return isinstance(other, Tagged) and (self.tag, self.value) == (other.tag, other.value)


class _Loader(yaml.SafeLoader):
    pass


class _Dumper(yaml.SafeDumper):
    pass


def _construct(loader: _Loader, suffix: str, node: yaml.Node) -> Tagged:
    if isinstance(node, yaml.ScalarNode):
        return Tagged(node.tag, loader.construct_scalar(node))
    if isinstance(node, yaml.SequenceNode):
        return Tagged(node.tag, loader.construct_sequence(node, deep=True))
    return Tagged(node.tag, loader.construct_mapping(node, deep=True))


def _represent(dumper: _Dumper, data: Tagged) -> yaml.Node:
    if isinstance(data.value, list):
        return dumper.represent_sequence(data.tag, data.value)
    if isinstance(data.value, dict):
        return dumper.represent_mapping(data.tag, data.value)
    return dumper.represent_scalar(data.tag, data.value)


_Loader.add_multi_constructor("!", _construct)
_Loader.add_multi_constructor("tag:yaml.org,2002:python/", _construct)
_Dumper.add_representer(Tagged, _represent)


def load_config(config_file: Path) -> dict:
    try:
        config = yaml.load(config_file.read_text(encoding="utf-8"), Loader=_Loader) or {}
    except (OSError, yaml.YAMLError) as exc:
        raise ConfigError(f"cannot read {config_file}: {exc}") from exc
    if not isinstance(config, dict):
        raise ConfigError(f"{config_file}: expected a mapping")
    return config


def _entries(value) -> list[tuple[str, object]]:
    """A plugins or markdown_extensions value (a list of names and one-key mappings, or a mapping)
    as (name, options) pairs."""
    if isinstance(value, dict):
        return list(value.items())
    out = []
    for item in value or []:
        if isinstance(item, dict):
            out += list(item.items())
        else:
            out.append((str(item), None))
    return out


@dataclass
class Options:
    """The notekb plugin's options in mkdocs.yml (see mkdocs.plugin.NotekbConfig), paths resolved."""

    notes_dir: Path
    data_dir: Path | None
    nav: bool = True
    search: bool = True
    traditional: bool = True  # the Traditional Chinese edition (publish.edition_site)


def notekb_options(config: dict, root: Path) -> Options:
    for name, options in _entries(config.get("plugins")):
        if name == "notekb":
            options = options or {}
            data_dir = options.get("data_dir")
            return Options(
                (root / options.get("notes_dir", "notes")).resolve(),
                (root / data_dir).resolve() if data_dir else None,
                bool(options.get("nav", True)),
                bool(options.get("search", True)),
                bool(options.get("traditional", True)),
            )
    return Options((root / "notes").resolve(), None)


def _theme_folder(config: dict, root: Path, work: Path, search: bool) -> str | None:
    """The overrides folder: the project's custom_dir, then notekb's box where it has none."""
    theme = config.get("theme")
    theme = {"name": theme} if isinstance(theme, str) else dict(theme or {})
    custom = theme.get("custom_dir")
    folder = work / "overrides"
    if folder.exists():
        shutil.rmtree(folder)
    if custom:
        shutil.copytree(root / custom, folder)
    if search:
        for template in TEMPLATES.rglob("*.html"):
            target = folder / template.relative_to(TEMPLATES)
            if not target.exists():
                target.parent.mkdir(parents=True, exist_ok=True)
                shutil.copyfile(template, target)
    return folder.name if folder.exists() else None  # relative to the configuration


def _markdown_extensions(config: dict) -> list:
    entries = _entries(config.get("markdown_extensions"))
    names = [name for name, _ in entries]
    entries += [(name, None) for name in REQUIRED_EXTENSIONS if name not in names]
    out = []
    for name, options in entries:
        if name == "toc":
            options = dict(options or {})
            slugify = options.get("slugify")
            options["slugify"] = Tagged(SLUGIFY_WRAPPER, [slugify] if slugify is not None else [])
        out.append({name: options} if options is not None else name)
    if SANITIZE_EXTENSION not in names:
        out.append(SANITIZE_EXTENSION)
    return out


def zensical_config(config: dict, root: Path, work: Path, options: Options, nav: list | None, edition: bool = False) -> dict:
    """The configuration Zensical reads (see the module's docstring); with `edition`, the language
    switch to the Traditional edition that the step after rendering writes."""
    out = dict(config)
    if "INHERIT" in out:
        out["INHERIT"] = str((root / str(out["INHERIT"])).resolve())
    out["docs_dir"] = "docs"
    out["site_dir"] = "site"
    plugins = [(name, opts) for name, opts in _entries(config.get("plugins")) if name not in ("notekb", "material/search")]
    if options.search:  # notekb's search replaces Zensical's, whose index (15 MB for 1,000 notes) costs
        plugins = [(name, opts) for name, opts in plugins if name != "search"] + [("search", {"enabled": False})]  # every rebuild
    out["plugins"] = [{name: opts} if opts is not None else name for name, opts in plugins]
    if not out["plugins"]:
        del out["plugins"]
    if nav and options.nav and not config.get("nav"):
        out["nav"] = nav
    theme = config.get("theme")
    theme = {"name": theme} if isinstance(theme, str) else dict(theme or {"name": "material"})
    overrides = _theme_folder(config, root, work, options.search)
    if overrides:
        theme["custom_dir"] = overrides
    out["theme"] = theme
    css = list(config.get("extra_css") or [])
    scripts = list(config.get("extra_javascript") or [])
    for path in [STYLESHEET] + ([SEARCH_STYLESHEET] if options.search else []):
        if path not in css:
            css.append(path)
    if options.search and SEARCH_SCRIPT not in scripts:
        scripts.append(SEARCH_SCRIPT)
    if edition:
        extra = dict(out.get("extra") or {})
        if not extra.get("alternate"):  # a site's own switch is kept as it is
            extra["alternate"] = [dict(entry) for entry in ALTERNATE]
        out["extra"] = extra
        if EDITION_SCRIPT not in scripts:
            scripts.append(EDITION_SCRIPT)
    out["extra_css"], out["extra_javascript"] = css, scripts
    if not scripts:
        del out["extra_javascript"]
    out["markdown_extensions"] = _markdown_extensions(config)
    return out


def write_config(config: dict, path: Path) -> bool:
    """Write the configuration; returns whether it changed."""
    text = yaml.dump(config, Dumper=_Dumper, allow_unicode=True, sort_keys=False, width=10**6)
    path.parent.mkdir(parents=True, exist_ok=True)
    if path.is_file() and path.read_text(encoding="utf-8") == text:
        return False
    path.write_text(text, encoding="utf-8")
    return True


def available() -> bool:
    try:
        import zensical  # noqa: F401
    except ImportError:
        return False
    return True


def require() -> None:
    if not available():
        raise ConfigError('Zensical is not installed: pip install "notekb[zensical]" (or pip install zensical)')


def command(action: str, config_file: Path, *args: str) -> list[str]:
    return [sys.executable, "-m", "zensical", action, "-f", str(config_file), *args]


def build(config_file: Path, strict: bool = False) -> subprocess.CompletedProcess:
    env = dict(os.environ, PYTHONUNBUFFERED="1")
    return subprocess.run(command("build", config_file, *(["--strict"] if strict else [])), cwd=config_file.parent, env=env, capture_output=True, text=True)
