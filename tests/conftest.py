"""Shared fixtures: the repository's paths, a built site, and helpers to read its HTML."""

from __future__ import annotations

import os
import re
import shutil
import signal
import subprocess
import sys
import unicodedata
from contextlib import contextmanager
from pathlib import Path

import pytest
from bs4 import BeautifulSoup

ROOT = Path(__file__).resolve().parents[1]
NOTES = ROOT / "notes"
DATA = Path(__file__).resolve().parent / "data"
SEEDS = {
    "000": NOTES / "000_0a32c9c4a1112e15.txt",
    "001": NOTES / "001_0fd4e0d5ad12595e.txt",
    "002": NOTES / "002_0b0be4c744a787e9.txt",
    "003": NOTES / "003_85ea77ce08776b2e.txt",
    "004": NOTES / "004_c634153634caeac2.txt",
}
MKDOCS = [sys.executable, "-m", "mkdocs"]


def make_project(tmp: Path, notes: Path | None = NOTES, extra_notes: dict[str, bytes] | None = None) -> Path:
    """A copy of the project (mkdocs.yml, docs/, notes/) in `tmp`, optionally with more notes."""
    shutil.copy(ROOT / "mkdocs.yml", tmp / "mkdocs.yml")
    shutil.copytree(ROOT / "docs", tmp / "docs")
    if notes is not None:
        shutil.copytree(notes, tmp / "notes")
    else:
        (tmp / "notes").mkdir()
    for name, data in (extra_notes or {}).items():
        target = tmp / "notes" / name
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(data)
    return tmp


def mkdocs_build(project: Path, strict: bool = True, verbose: bool = False, env: dict[str, str] | None = None) -> subprocess.CompletedProcess:
    """`mkdocs build` in `project` as a user runs it; `env` adds to (or overrides) the environment."""
    args = MKDOCS + ["build", "--site-dir", str(project / "site")] + (["--strict"] if strict else []) + (["--verbose"] if verbose else [])
    env = dict(os.environ, NO_MKDOCS_2_WARNING="1", **(env or {}))
    return subprocess.run(args, cwd=project, capture_output=True, text=True, env=env, timeout=600)


@pytest.fixture(scope="session")
def built_site(tmp_path_factory) -> Path:
    """The seed notes built with `mkdocs build --strict`, as a user would; returns the site folder."""
    project = make_project(tmp_path_factory.mktemp("project"))
    result = mkdocs_build(project)
    assert result.returncode == 0, result.stderr
    return project / "site"


def page_soup(site: Path, url: str) -> BeautifulSoup:
    path = site / url.strip("/") / "index.html" if not url.endswith(".html") else site / url
    return BeautifulSoup(path.read_text(encoding="utf-8"), "html.parser")


def article(site: Path, url: str) -> BeautifulSoup:
    """The page's main content (without navigation, header and footer)."""
    soup = page_soup(site, url)
    return soup.select_one("article.md-content__inner") or soup


def squash(text: str) -> str:
    """A comparison form: NFKC (full-width -> half-width), no whitespace, no Markdown emphasis,
    unified quotes and punctuation, lower case. Typography may add spaces and change punctuation
    width; this form is equal before and after."""
    text = unicodedata.normalize("NFKC", text)
    text = text.replace("。", ".").replace("、", ",").replace("“", '"').replace("”", '"').replace("‘", "'").replace("’", "'")
    text = re.sub(r"\*\*|__|\s+|[•·]", "", text)
    return text.lower()


def seed_sentences(path: Path, skip: set[str] = frozenset()) -> list[str]:
    """The sentences of a seed note: its non-empty lines split at Chinese sentence ends.

    Lines in `skip` (boilerplate, metadata) and image lines (placeholders, tested on their own)
    are left out; list numbering is left out because it is restructured, not text."""
    text = path.read_text(encoding="utf-8")
    out = []
    for line in text.split("\n"):
        line = line.strip()
        if not line or line.startswith("![") or line in skip or any(s in line for s in skip if len(s) > 6):
            continue
        line = line.lstrip("#•-").strip()
        line = re.sub(r"^\d+(?:\.\d+)*(?:[.：:]\s*|\s+)", "", line)
        for sentence in re.split(r"(?<=[。！？])", line):
            if len(squash(sentence)) >= 4:
                out.append(sentence.strip())
    return out


# ---------------------------------------------------------------------------------------------
# Browser tests: Debian's chromium driven by playwright (its own browser download is not used).


def chromium_path() -> str:
    for candidate in (os.environ.get("NOTEKB_CHROMIUM"), shutil.which("chromium"), "/usr/bin/chromium", shutil.which("chromium-browser"), shutil.which("google-chrome")):
        if candidate and Path(candidate).exists():
            return candidate
    pytest.fail("Chromium not found: install Debian's chromium (scripts/test does) or set NOTEKB_CHROMIUM")


@pytest.fixture(scope="session")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        chromium = p.chromium.launch(
            executable_path=chromium_path(),
            args=["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--no-first-run"],
        )
        yield chromium
        chromium.close()


class _QuietHandler(__import__("http.server").server.SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


def serve_dir(directory: Path):
    """Serve a folder on 127.0.0.1 in a thread; returns (base URL, server)."""
    import functools
    import threading
    from http.server import ThreadingHTTPServer

    server = ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(_QuietHandler, directory=str(directory)))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    return f"http://127.0.0.1:{server.server_address[1]}/", server


@pytest.fixture(scope="session")
def served_site(built_site):
    base, server = serve_dir(built_site)
    yield base
    server.shutdown()
    server.server_close()


# ---------------------------------------------------------------------------------------------
# `mkdocs serve` as a user runs it.


def free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Served:
    """A running `mkdocs serve` of a project, with its log; fails a test with the log's end when
    the server ends or a rebuild fails."""

    WAIT = 240  # seconds a change may take to show: generous, the machine may be busy

    def __init__(self, project: Path, log: Path, args: list[str]):
        self.project, self.log_path = project, log
        self.mark = 0  # where in the log the last change to the notes was made
        for attempt in range(3):  # the free port may be taken between finding it and binding it
            self.base = f"http://127.0.0.1:{free_port()}"
            with open(log, "w") as out:
                self.process = subprocess.Popen(MKDOCS + ["serve", "-a", self.base[len("http://"):], *args], cwd=project, env=dict(os.environ, NO_MKDOCS_2_WARNING="1"), stdout=out, stderr=subprocess.STDOUT)
            if not self._port_taken():
                return
            self.stop()
        pytest.fail(f"no free port for mkdocs serve: {self.log()[-500:]}")

    def _port_taken(self) -> bool:
        import time

        deadline = time.monotonic() + 30
        while time.monotonic() < deadline and self.process.poll() is None and "Serving on" not in self.log():
            time.sleep(0.2)
        return self.process.poll() is not None and "Address already in use" in self.log()

    def log(self) -> str:
        return self.log_path.read_text(encoding="utf-8", errors="replace")

    def get(self, path: str, timeout: float = 60) -> tuple[int, str]:
        """The status and body of a page; 0 when the server does not answer (yet, or while a
        failed rebuild keeps requests waiting)."""
        import urllib.error
        import urllib.request

        try:
            with urllib.request.urlopen(self.base + path, timeout=timeout) as response:
                return response.status, response.read().decode("utf-8")
        except urllib.error.HTTPError as exc:
            return exc.code, ""
        except OSError:
            return 0, ""

    def changing(self) -> None:
        """Before a change to the notes: a rebuild failing after this fails `wait_for` at once."""
        self.mark = len(self.log())

    def wait_for(self, path: str, holds, what: str) -> str:
        """The page at `path` once `holds(body)` (or, for a string, once the body contains it)."""
        import time

        test = (lambda body: holds in body) if isinstance(holds, str) else holds
        deadline = time.monotonic() + self.WAIT
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                pytest.fail(f"{what}: mkdocs serve ended ({self.process.returncode}):\n{self.log()[-3000:]}")
            failed = self.log()[self.mark :].find("An error happened during the rebuild")
            if failed >= 0:
                pytest.fail(f"{what}: the rebuild failed:\n{self.log()[self.mark :][max(0, failed - 3000) : failed + 200]}")
            status, body = self.get(path, timeout=10)
            if status == 200 and test(body):
                return body
            time.sleep(0.3)
        pytest.fail(f"{what} ({path}), not within {self.WAIT} s; log:\n{self.log()[-3000:]}")

    def stop(self, sig: int = signal.SIGTERM) -> None:
        if self.process.poll() is None:
            self.process.send_signal(sig)
        try:
            self.process.wait(timeout=60)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()


@contextmanager
def mkdocs_serve(project: Path, *args: str):
    """`mkdocs serve` in `project` for the length of a with block."""
    served = Served(project, project.parent / f"serve-{project.name}.log", list(args))
    try:
        yield served
    finally:
        served.stop()
