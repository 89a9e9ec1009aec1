"""`notekb serve --engine zensical --dev-addr HOST:PORT`: Zensical serves the site and rebuilds what
changed; notekb watches the notes and re-exports only the pages an edit changed.

    edit a note ─▶ notekb sees it (polling os.stat, POLL seconds) ─▶ build_site with the note cache
    (only the edited note is processed again) ─▶ the pages whose Markdown changed are written ─▶
    Zensical renders those pages (publish.extension sanitizes them as they render) and reloads the
    browser ─▶ the step after rendering (publish.site) checks them and updates the search index.

`--engine mkdocs` is `mkdocs serve` with the plugin. The data folder (the plugin's `data_dir`) is
watched too: a change there reloads the data files and re-exports every page.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from notekb.cli import zensical
from notekb.cli.build import Project, report
from notekb.publish.site import PublishError, SiteStep
from notekb.registry import DataError, Registry

POLL = 0.1  # seconds between two looks at the notes folder
WAIT = 60.0  # seconds to wait for Zensical to render a page again before checking it anyway
LARGE = 200_000  # characters of Markdown: a page Zensical takes seconds to render (a model page
# gathering hundreds of notes), written only once the edit's other pages are shown


def snapshot(*folders: Path | None) -> dict[str, tuple[int, int]]:
    """(modification time, size) of every file under the folders."""
    out: dict[str, tuple[int, int]] = {}
    for folder in folders:
        if folder is None or not folder.is_dir():
            continue
        for directory, dirs, files in os.walk(folder):
            dirs[:] = [d for d in dirs if not d.startswith(".")]
            for name in files:
                path = os.path.join(directory, name)
                try:
                    stat = os.stat(path)
                except OSError:
                    continue
                out[path] = (stat.st_mtime_ns, stat.st_size)
    return out


class Server:
    """`zensical serve` over the exported pages, fed by notekb as notes change."""

    def __init__(self, config_file: str | Path, dev_addr: str, poll: float = POLL, log=print) -> None:
        zensical.require()
        self.project = Project.load(config_file, edition=False)  # the Simplified pages: a preview (see the README)
        self.dev_addr = dev_addr
        self.poll = poll
        self.log = log
        self.step = SiteStep(self.project.registry, self.project.options.search)
        self.process: subprocess.Popen | None = None
        self.pages = []
        self.pending: dict[str, tuple[float, int]] = {}  # page path -> (deadline, mtime of its HTML when written)
        self.rendered: dict[str, tuple[int, int]] = {}  # page path -> (mtime, size) of its HTML at the last look
        self.seen: dict[str, tuple[int, int]] = {}

    def _folders(self) -> tuple[Path, Path | None]:
        return self.project.options.notes_dir, self.project.options.data_dir

    def start(self) -> None:
        written = self.project.export()
        report(written, strict=False)
        self.pages = written.pages
        self.seen = snapshot(*self._folders())
        args = zensical.command("serve", self.project.zensical_config_file, "--dev-addr", self.dev_addr)
        self.process = subprocess.Popen(args, cwd=self.project.work, env=dict(os.environ, PYTHONUNBUFFERED="1"))
        self._wait_for_first_build()
        self._check(None)

    def _wait_for_first_build(self) -> None:
        """Zensical empties its site folder and builds every page when it starts: wait until every
        page is there and nothing has been written for a moment."""
        files = [page.file(self.project.site) for page in self.pages]
        started = time.time()
        quiet_since, last = None, None
        while self.process.poll() is None:
            stamps = [f.stat().st_mtime_ns if f.exists() else None for f in files]
            if None not in stamps and min(stamps) / 1e9 >= started - 1:
                newest = max(stamps)
                if newest != last:
                    quiet_since, last = time.monotonic(), newest
                elif time.monotonic() - quiet_since >= 0.5:
                    return
            time.sleep(0.1)
        raise zensical.ConfigError(f"zensical serve stopped (exit {self.process.returncode})")

    def _check(self, changed: set[str] | None) -> None:
        try:
            result = self.step.run(self.project.site, self.pages, changed)
        except PublishError as exc:
            self.log(f"notekb: error: {exc}")
            return
        if changed:
            self.log(f"notekb: checked {result.pages} pages, search index updated ({result.index.get('new_sections', 0)} new sections)")

    def update(self) -> bool:
        """Look at the notes once; export and follow up an edit. Returns whether anything changed."""
        now = snapshot(*self._folders())
        changed_files = {path for path in now.keys() | self.seen.keys() if now.get(path) != self.seen.get(path)}
        self.seen = now
        if changed_files:
            data_dir = self.project.options.data_dir
            if data_dir is not None and any(Path(p).is_relative_to(data_dir) for p in changed_files):
                self._reload_data()
            started = time.perf_counter()
            written = self.project.export(hold=lambda page: len(page.markdown) > LARGE)
            report(written, strict=False)
            self.pages = written.pages
            changed = written.changed or self.project.exporter.flush()
            self._expect(changed)
            names = ", ".join(sorted(Path(p).name for p in changed_files))
            held = len(self.project.exporter.held)
            self.log(
                f"notekb: {names} changed: {len(changed)} pages written{f' ({held} large ones after them)' if held else ''}, "
                f"{len(written.removed)} removed in {time.perf_counter() - started:.2f} s"
            )
        self._follow_up()
        return bool(changed_files)

    def _expect(self, paths: set[str]) -> None:
        """Pages just written: checked once Zensical has rendered them again."""
        by_path = {p.path: p for p in self.pages}
        for path in paths:
            html = by_path[path].file(self.project.site)
            self.pending[path] = (time.monotonic() + WAIT, html.stat().st_mtime_ns if html.exists() else 0)

    def _reload_data(self) -> None:
        try:
            registry = Registry.load(self.project.options.data_dir)
        except (DataError, KeyError, TypeError) as exc:
            self.log(f"notekb: error: cannot load the data files: {exc}")
            return
        self.project.registry = registry
        self.project.cache = type(self.project.cache)()
        self.step = SiteStep(registry, self.project.options.search)

    def _follow_up(self) -> None:
        """Check the pages Zensical has rendered again since they were written (or waited for too
        long), then write the large pages held back."""
        by_path = {p.path: p for p in self.pages}
        ready = set()
        for path, (deadline, before) in self.pending.items():
            page = by_path.get(path)
            if page is None or time.monotonic() > deadline or self._rendered(page, before):
                ready.add(path)
        if ready:
            for path in ready:
                del self.pending[path]
            self._check(ready & by_path.keys())
        if not self.pending and self.project.exporter.held:
            self._expect(self.project.exporter.flush())

    def _rendered(self, page, before: int) -> bool:
        """Whether the page's HTML has been written since `before`, completely (unchanged since the
        last look: Zensical writes files in place), with other content than the step last saw
        (Zensical writes every page on every rebuild, and a rebuild may have begun before the edit
        was written)."""
        html = page.file(self.project.site)
        try:
            stat = html.stat()
        except OSError:
            return False
        now, last = (stat.st_mtime_ns, stat.st_size), self.rendered.get(page.path)
        self.rendered[page.path] = now
        if now[0] == before or now != last:
            return False
        known = self.step.prepared.get(page.path)
        digest = self.step.digest_of(html)
        return digest is not None and (known is None or digest != known[0])

    def run(self) -> int:
        self.start()
        self.log(f"notekb: watching {self.project.options.notes_dir} (Ctrl+C to stop)")
        try:
            while self.process.poll() is None:
                time.sleep(self.poll)
                self.update()
        except KeyboardInterrupt:
            pass
        finally:
            self.stop()
        return 0

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.send_signal(signal.SIGINT)
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()


def serve_with_zensical(config_file: str | Path, dev_addr: str) -> int:
    return Server(config_file, dev_addr).run()


def serve_with_mkdocs(config_file: str | Path, dev_addr: str | None) -> int:
    args = [sys.executable, "-m", "mkdocs", "serve", "-f", str(config_file)] + (["--dev-addr", dev_addr] if dev_addr else [])
    return subprocess.run(args).returncode
