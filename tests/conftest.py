"""Shared fixtures: the repository's paths, a built site, and helpers to read its HTML."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import unicodedata
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
