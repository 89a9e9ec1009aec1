"""`mkdocs serve` on a site large enough for helper processes, as a user meets it (README, "Helper
processes"): the helpers are kept across rebuilds (an edited note goes to a warm helper), deleting
or renaming a note gives the right pages, the work falls back to MkDocs' own process when a helper
dies, and no helper outlives the server, whether it is stopped (SIGTERM) or killed (SIGKILL).

Two real servers (`mkdocs serve -v`), each over its own copy of one generated corpus of 60 notes
(helpers are used from PARALLEL_MIN notes on) and three short notes written for this file; pages
are read over HTTP. The helpers are found as the children of the fork server that the server
started: the two note helpers first (started in on_config), then the search helper (started in
on_files). The tests of each server run in the order written; the last one ends it.
"""

from __future__ import annotations

import json
import os
import re
import signal
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path
from typing import NamedTuple

import pytest
from bs4 import BeautifulSoup
from conftest import ROOT, Served, make_project

from notekb.mkdocs.helpers import NOTE_HELPERS, PARALLEL_MIN

sys.path.insert(0, str(ROOT / "bench"))
from corpus import generate  # noqa: E402

CORPUS = 60
GONE = 20  # seconds for processes to end once the server has

# Notes of our own, all about Gemma, so that their excerpts sit on one model page.
EDITED = "mine/walnut-diary.md"
DELETED = "mine/lantern-memo.md"
RENAMED = "mine/pebble-jotting.md"
RENAMED_TO = "mine/pebble-jotting-moved.md"
OURS = {
    EDITED: "---\nmodel: gemma\nauthor: 核桃\n---\n\nGemma 读后小记：核桃记下的第一句，写在周二的晚上。\n",
    DELETED: "---\nmodel: gemma\nauthor: 灯笼\n---\n\nGemma 读后小记：灯笼这篇只活到被删掉的那一刻。\n",
    RENAMED: "---\nmodel: gemma\nauthor: 卵石\n---\n\nGemma 读后小记：卵石这篇会换一个文件名继续存在。\n",
}
MODEL_PAGE = "/models/gemma/"
PLAIN_CORPUS_NOTE = "batch000/n00000_000.md"  # UTF-8, no front matter: its page is notes/n00000_000/


def _url(rel: str) -> str:
    return f"/notes/{Path(rel).stem}/"


# ---------------------------------------------------------------------------------------------
# Processes, read from /proc (psutil is not a dependency).


class Proc(NamedTuple):
    pid: int
    start: int  # clock ticks after boot: with the pid, one process even if the pid is reused


def _stat(pid: int) -> list[str] | None:
    """/proc/<pid>/stat from the state on (field 3 is item 0), or None if there is no such process."""
    try:
        text = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    return text[text.rindex(")") + 2 :].split()


def _running(proc: Proc) -> bool:
    """Whether the process is still there (a zombie has ended: it only waits to be reaped)."""
    fields = _stat(proc.pid)
    return fields is not None and int(fields[19]) == proc.start and fields[0] not in "ZXx"


def _nice(proc: Proc) -> int:
    return int(_stat(proc.pid)[16])


def _children(pid: int) -> list[Proc]:
    out = []
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            fields = _stat(int(entry))
            if fields and int(fields[1]) == pid and fields[0] not in "ZXx":
                out.append(Proc(int(entry), int(fields[19])))
    return sorted(out, key=lambda p: (p.start, p.pid))


def _cmdline(proc: Proc) -> str:
    try:
        return Path(f"/proc/{proc.pid}/cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
    except OSError:
        return ""


def _wait_gone(procs: list[Proc], seconds: float = GONE) -> list[Proc]:
    """The processes still running after `seconds` (or as soon as none is)."""
    deadline = time.monotonic() + seconds
    left = [p for p in procs if _running(p)]
    while left and time.monotonic() < deadline:
        time.sleep(0.2)
        left = [p for p in left if _running(p)]
    return left


# ---------------------------------------------------------------------------------------------
# A server.


class Server(Served):
    """`mkdocs serve -v` over `project`, its log in a file, and the processes it started."""

    def __init__(self, project: Path) -> None:
        super().__init__(project, project / "serve.log", ["-v"])
        self.seen: set[Proc] = set()  # every process of the server found, ended at teardown if left

    def article(self, path: str) -> str:
        status, body = self.get(path)
        assert status == 200, (path, status)
        return str(BeautifulSoup(body, "html.parser").select_one("article.md-content__inner"))

    def links(self, path: str) -> set[str]:
        """The paths the page's content links to."""
        status, body = self.get(path)
        assert status == 200, (path, status)
        soup = BeautifulSoup(body, "html.parser").select_one("article.md-content__inner")
        return {urllib.parse.urlsplit(urllib.parse.urljoin(self.base + path, a["href"])).path for a in soup.select("a[href]")}

    def search_records(self) -> str:
        status, body = self.get("/search/manifest.json")
        assert status == 200
        manifest = json.loads(body)
        chunks = [self.get(f"/search/d/{k}.json") for k in range(-(-manifest["n"] // manifest["chunk"]))]
        assert chunks and all(status == 200 for status, _ in chunks), [status for status, _ in chunks]
        return "".join(body for _, body in chunks)

    def forkserver(self) -> Proc:
        found = [p for p in _children(self.process.pid) if "multiprocessing.forkserver" in _cmdline(p)]
        assert len(found) == 1, f"one fork server expected among the server's children: {found}"
        self.seen.update(_children(self.process.pid))
        return found[0]

    def helpers(self) -> list[Proc]:
        """The helper processes, in the order they were started."""
        found = _children(self.forkserver().pid)
        self.seen.update(found)
        return found

    def processed(self, since: int) -> list[tuple[int, str]]:
        """From the log after `since`: per build, how many notes were processed and where."""
        return [(int(n), where) for n, where in re.findall(r"notekb: \d+ notes, (\d+) processed (in helper processes|in this process)", self.log()[since:])]

    def close(self) -> None:
        """Teardown: the server ended, and whatever of it is left (a test failed) ended too."""
        self.stop()
        for proc in _wait_gone(list(self.seen), 5):
            try:
                os.kill(proc.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass


@pytest.fixture(scope="module")
def project_notes(tmp_path_factory) -> Path:
    notes = generate(tmp_path_factory.mktemp("corpus") / "notes", CORPUS)
    assert CORPUS >= PARALLEL_MIN
    for rel, text in OURS.items():
        (notes / rel).parent.mkdir(parents=True, exist_ok=True)
        (notes / rel).write_text(text, encoding="utf-8")
    return notes


def _serve(tmp_path_factory, notes: Path):
    server = Server(make_project(tmp_path_factory.mktemp("project"), notes=notes))
    try:
        server.wait_for(MODEL_PAGE, lambda body: "核桃记下的第一句" in body, "the site never came up")
        yield server
    finally:
        server.close()


@pytest.fixture(scope="module")
def first(tmp_path_factory, project_notes):
    """For the edit, the deletion, the rename, a dead search helper and SIGTERM."""
    yield from _serve(tmp_path_factory, project_notes)


@pytest.fixture(scope="module")
def second(tmp_path_factory, project_notes):
    """For a dead note helper and SIGKILL."""
    yield from _serve(tmp_path_factory, project_notes)


def _edit(server: Server, rel: str, old: str, new: str) -> None:
    path = server.project / "notes" / rel
    text = path.read_text(encoding="utf-8")
    assert old in text
    server.changing()
    path.write_text(text.replace(old, new), encoding="utf-8")


# ---------------------------------------------------------------------------------------------
# The first server.


def test_helpers_are_kept_across_a_rebuild_and_the_edited_note_goes_to_them(first):
    helpers = first.helpers()
    assert len(helpers) == NOTE_HELPERS + 1, f"two note helpers and a search helper expected: {helpers}"
    # nice 10 (README), counted from the server's own niceness (a CI may run the suite niced)
    assert all(_nice(p) == min(19, os.getpriority(os.PRIO_PROCESS, first.process.pid) + 10) for p in helpers)
    since = len(first.log())
    _edit(first, EDITED, "第一句", "第二句")
    first.wait_for(_url(EDITED), lambda body: "核桃记下的第二句" in body, "the edit never reached the note's page")
    model = first.wait_for(MODEL_PAGE, lambda body: "核桃记下的第二句" in body, "the edit never reached the model page")
    assert "核桃记下的第一句" not in model
    assert first.helpers() == helpers, "the helpers were started again for the rebuild"
    builds = first.processed(since)
    assert builds and all(where == "in helper processes" for _, where in builds), builds
    assert (1, "in helper processes") in builds, f"the edited note alone should go to the helpers: {builds}"
    # ... and it did: the helpers returned it (a line the pool writes only for work they did).
    assert "helpers cleaned and routed 1 of 1 notes sent in 1 batches" in first.log()[since:], first.log()[since:][-2000:]


def test_a_deleted_note_leaves_the_site(first):
    helpers = first.helpers()
    assert first.get(_url(DELETED))[0] == 200 and "灯笼这篇" in first.search_records()
    first.changing()
    (first.project / "notes" / DELETED).unlink()
    first.wait_for(MODEL_PAGE, lambda body: "灯笼这篇" not in body, "the deleted note's excerpt stayed on the model page")
    # The same build: requests wait for a rebuild in progress, and this one has no excerpt left.
    assert first.get(_url(DELETED))[0] == 404
    assert first.get("/zh-Hant" + _url(DELETED))[0] == 404
    assert not [link for link in first.links(MODEL_PAGE) if Path(DELETED).stem in link]
    assert "灯笼这篇" not in first.search_records()
    assert "核桃记下的第二句" in first.get(MODEL_PAGE)[1]  # the others are still there
    assert first.helpers() == helpers


def test_a_renamed_note_moves_to_its_new_address(first):
    helpers = first.helpers()
    assert _url(RENAMED) in first.links(MODEL_PAGE)
    assert first.get(_url(RENAMED_TO))[0] == 404
    old, new = first.project / "notes" / RENAMED, first.project / "notes" / RENAMED_TO
    first.changing()
    os.rename(old, new)
    first.wait_for(_url(RENAMED_TO), lambda body: "卵石这篇会换一个文件名继续存在" in body, "the renamed note never showed at its new address")
    assert first.get(_url(RENAMED))[0] == 404
    assert first.get("/zh-Hant" + _url(RENAMED))[0] == 404
    assert first.get("/zh-Hant" + _url(RENAMED_TO))[0] == 200
    # Every link of the model page to the note (its excerpt's source, its list of sources, what
    # links here) goes to the new address.
    to_note = [link for link in first.links(MODEL_PAGE) if Path(RENAMED).stem in link]
    assert to_note and set(to_note) == {_url(RENAMED_TO)}, to_note
    assert "卵石这篇会换一个文件名继续存在" in first.article(MODEL_PAGE)
    assert first.helpers() == helpers


def test_a_dead_search_helper_is_replaced_by_indexing_in_the_server(first):
    helpers = first.helpers()
    search_helper = helpers[-1]
    os.kill(search_helper.pid, signal.SIGKILL)
    assert not _wait_gone([search_helper])
    since = len(first.log())
    _edit(first, EDITED, "第二句", "第三句")
    first.wait_for(MODEL_PAGE, lambda body: "核桃记下的第三句" in body, "the edit never reached the model page")
    log = first.log()[since:]
    assert "search helper process failed" in log and "indexing in this process" in log
    records = first.search_records()
    assert "核桃记下的第三句" in records and "核桃记下的第二句" not in records
    assert first.helpers() == helpers[:-1], "the note helpers are kept"


def test_helpers_end_when_the_server_is_stopped(first):
    helpers = first.helpers()
    assert helpers
    everything = sorted(set(helpers + _children(first.process.pid)))
    first.stop(signal.SIGTERM)
    left = _wait_gone(everything)
    assert not left, f"outlived the server by {GONE} s: {[_cmdline(p)[:90] for p in left]}"


# ---------------------------------------------------------------------------------------------
# The second server.


def test_a_dead_note_helper_leaves_the_work_to_the_server_and_the_pages_as_they_would_be(second):
    helpers = second.helpers()
    assert len(helpers) == NOTE_HELPERS + 1
    note_before = second.article(_url(EDITED))
    model_before = second.article(MODEL_PAGE)
    plain_before = second.article(_url(PLAIN_CORPUS_NOTE))
    assert "核桃记下的第一句" in note_before and "核桃记下的第一句" in model_before
    os.kill(helpers[0].pid, signal.SIGKILL)
    assert not _wait_gone([helpers[0]])
    since = len(second.log())
    _edit(second, EDITED, "第一句", "第四句")
    with open(second.project / "notes" / PLAIN_CORPUS_NOTE, "a", encoding="utf-8") as note:
        note.write("\n")  # another content, the same note: processed again, here
    second.wait_for(MODEL_PAGE, lambda body: "核桃记下的第四句" in body, "the edit never reached the model page")
    log = second.log()[since:]
    assert "note processing in helper processes failed" in log
    builds = second.processed(since)
    assert builds and all(where == "in this process" for _, where in builds), builds
    assert sum(n for n, _ in builds) >= 2, builds
    # What the server made of the notes is what the helpers made of them.
    assert second.article(_url(EDITED)) == note_before.replace("第一句", "第四句")
    assert second.article(MODEL_PAGE) == model_before.replace("第一句", "第四句")
    assert second.article(_url(PLAIN_CORPUS_NOTE)) == plain_before
    # A later edit is done here too.
    since = len(second.log())
    _edit(second, EDITED, "第四句", "第五句")
    second.wait_for(_url(EDITED), lambda body: "核桃记下的第五句" in body, "a later edit never reached the note's page")
    assert second.processed(since) and all(where == "in this process" for _, where in second.processed(since))


def test_helpers_end_when_the_server_is_killed(second):
    helpers = second.helpers()
    assert helpers
    everything = sorted(set(helpers + _children(second.process.pid)))
    # Killed and not collected yet (a zombie, as when whatever started it never waits for it): the
    # helpers must end all the same.
    second.process.send_signal(signal.SIGKILL)
    left = _wait_gone(everything)
    second.stop()
    assert not left, f"outlived the server by {GONE} s: {[_cmdline(p)[:90] for p in left]}"
