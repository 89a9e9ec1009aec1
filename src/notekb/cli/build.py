"""`notekb build --engine mkdocs|zensical --site-dir DIR`: the site, built by either engine.

`--engine mkdocs` (the default) is `mkdocs build`: the notekb plugin does everything. `--engine
zensical` exports the pages (cli.export), writes Zensical's configuration (cli.zensical), builds
with Zensical, then runs the step after rendering over the site (publish.site: sanitizing, plain
titles, notekb's search index and box) and moves the result to DIR. The pages are the same either
way; so are the sanitizing rules and the search.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

from notekb.cli import zensical
from notekb.cli.export import Exporter, Written
from notekb.pipeline import NoteCache
from notekb.publish.edition_site import kept_titles
from notekb.publish.site import PublishError, SiteStep
from notekb.registry import DataError, Registry


@dataclass
class Project:
    """A notekb project (mkdocs.yml and what it names) prepared for Zensical."""

    config_file: Path
    root: Path
    config: dict
    options: zensical.Options
    registry: Registry
    work: Path
    exporter: Exporter
    cache: NoteCache = field(default_factory=NoteCache)
    edition: bool = True  # build the Traditional edition (the plugin's `traditional` option)

    @classmethod
    def load(cls, config_file: str | Path, edition: bool = True) -> "Project":
        """The project of `config_file`; `edition=False` leaves the Traditional edition out even
        where the configuration asks for it (`notekb serve` previews the Simplified pages)."""
        config_file = Path(config_file).resolve()
        root = config_file.parent
        config = zensical.load_config(config_file)
        options = zensical.notekb_options(config, root)
        try:
            registry = Registry.load(options.data_dir)
        except (DataError, KeyError, TypeError) as exc:
            raise zensical.ConfigError(f"cannot load the data files: {exc}") from exc
        work = root / zensical.WORK
        docs_dir = root / str(config.get("docs_dir", "docs"))
        return cls(config_file, root, config, options, registry, work, Exporter(work / "docs", docs_dir), edition=edition and options.traditional)

    @property
    def zensical_config_file(self) -> Path:
        return self.work / "mkdocs.yml"

    @property
    def site(self) -> Path:
        return self.work / "site"

    def export(self, hold=None) -> Written:
        """Write the pages that changed since the last export (all, the first time), and the
        configuration when the navigation changed (`hold`: see Exporter.run)."""
        written = self.exporter.run(self.options.notes_dir, self.registry, self.cache, hold=hold)
        if written.nav_changed or not self.zensical_config_file.exists():
            config = zensical.zensical_config(self.config, self.root, self.work, self.options, written.nav, self.edition)
            zensical.write_config(config, self.zensical_config_file)
        return written


def report(written: Written, strict: bool) -> bool:
    """Print the notes' problems; returns whether the build must stop (--strict and a problem)."""
    problems = [d for d in written.site.diagnostics if d.level in ("error", "warning")]
    for d in problems:
        print(f"{d.level}: {d}", file=sys.stderr)
    return strict and bool(problems)


def clean_into(source: Path, target: Path) -> None:
    """Move a built site into `target`, emptied first as `mkdocs build` empties its site folder
    (entries whose name starts with a dot stay)."""
    target.mkdir(parents=True, exist_ok=True)
    for entry in target.iterdir():
        if entry.name.startswith("."):
            continue
        if entry.is_dir() and not entry.is_symlink():
            shutil.rmtree(entry)
        else:
            entry.unlink()
    for entry in source.iterdir():
        shutil.move(str(entry), str(target / entry.name))


def _site_dir(project: Project, site_dir: str | None) -> Path:
    target = (Path(site_dir) if site_dir else project.root / str(project.config.get("site_dir", "site"))).resolve()
    for precious in (project.root, project.options.notes_dir, project.exporter.docs_dir, project.work):
        if precious is not None and (target == precious.resolve() or precious.resolve().is_relative_to(target)):
            raise zensical.ConfigError(f"refusing to build into {target}: it holds {precious}")
    if target.is_relative_to(project.work.resolve()):
        raise zensical.ConfigError(f"refusing to build into {target}: notekb's work folder")
    return target


def build_with_zensical(config_file: str | Path, site_dir: str | None = None, strict: bool = False) -> int:
    zensical.require()
    started = time.perf_counter()
    project = Project.load(config_file)
    target = _site_dir(project, site_dir)
    written = project.export()
    if report(written, strict):
        print("Aborted with problems in the notes in strict mode", file=sys.stderr)
        return 1
    exported = time.perf_counter()
    if project.site.exists():  # Zensical leaves files of pages that are gone
        shutil.rmtree(project.site)
    result = zensical.build(project.zensical_config_file, strict)
    sys.stdout.write(result.stdout)
    sys.stderr.write(result.stderr)
    if result.returncode != 0:
        print(f"zensical build failed (exit {result.returncode})", file=sys.stderr)
        return 1
    built = time.perf_counter()
    (project.site / "search.json").unlink(missing_ok=True)  # Zensical's own index: notekb's replaces it
    site_url = project.config.get("site_url")
    step = SiteStep(project.registry, project.options.search, project.edition, kept_titles(written.site.pages), site_url if isinstance(site_url, str) else None)
    try:
        outcome = step.run(project.site, written.pages)
    except PublishError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    clean_into(project.site, target)
    done = time.perf_counter()
    print(
        f"notekb: {len(written.pages)} pages from {len(written.site.notes)} notes built with Zensical into {target} in {done - started:.1f} s "
        f"(export {exported - started:.1f} s, zensical {built - exported:.1f} s, sanitize and index {done - built:.1f} s; "
        f"{outcome.index.get('docs', 0)} search sections{', two editions' if project.edition else ''})"
    )
    return 0


def build_with_mkdocs(config_file: str | Path, site_dir: str | None = None, strict: bool = False) -> int:
    args = [sys.executable, "-m", "mkdocs", "build", "-f", str(config_file)]
    if site_dir:
        args += ["--site-dir", str(site_dir)]
    if strict:
        args.append("--strict")
    return subprocess.run(args, env=dict(os.environ)).returncode
