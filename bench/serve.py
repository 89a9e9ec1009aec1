"""Edit-to-visible while serving: the time from saving an edit to a note until the served page
shows it.

    start the server (its own process group) ─▶ wait until it answers the page over HTTP and says it
    is ready ─▶ append a marker sentence with a random token to the edited file, note the time ─▶ ask
    for the page every 50 ms until the token is in it ─▶ the difference is one measurement

Each edit replaces the previous marker (the file is the original plus one marker), so that every
edit is one write; the original is written back and the server's whole process group stopped at
the end. A marker that never shows raises ServeError: the benchmark reports no number for a server
that does not show edits.

    python bench/serve.py URL_PATH EDITED_FILE -- COMMAND… {addr} …   # one server, by hand
"""

from __future__ import annotations

import os
import secrets
import signal
import socket
import statistics
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

POLL = 0.05  # seconds between two requests for the page
SETTLE = 1.5  # seconds the server must have printed nothing (it is idle) before the next edit
QUIET_MAX = 180.0  # seconds to wait at most for that
START_TIMEOUT = 900.0  # seconds for the first build (30+ s at 1,000 notes on 2 cores; more with other work)
VISIBLE_TIMEOUT = 300.0  # seconds for an edit to show before the measurement fails

# No proxy for localhost, whatever the environment says.
_OPENER = urllib.request.build_opener(urllib.request.ProxyHandler({}))


class ServeError(RuntimeError):
    pass


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def encoding_of(data: bytes) -> str:
    """The encoding to append text to a note in (the corpus has UTF-8, GBK and UTF-16 notes)."""
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return "utf-16-le" if data.startswith(b"\xff\xfe") else "utf-16-be"
    try:
        data.decode("utf-8")
        return "utf-8"
    except UnicodeDecodeError:
        return "gbk"


def fetch(url: str, timeout: float) -> tuple[int, bytes] | None:
    """(status, body) of a GET, or None when the server does not answer (yet)."""
    try:
        with _OPENER.open(url, timeout=max(timeout, 0.5)) as response:
            return response.status, response.read()
    except urllib.error.HTTPError as exc:
        return exc.code, b""
    except (urllib.error.URLError, OSError):
        return None


class Server:
    """A development server started in a process group of its own, its output in a log file."""

    def __init__(self, command: list[str], cwd: Path, log: Path) -> None:
        self.command, self.cwd, self.log = command, cwd, log
        self.process: subprocess.Popen | None = None

    def start(self) -> None:
        env = dict(os.environ, NO_MKDOCS_2_WARNING="1", PYTHONUNBUFFERED="1")
        self.log.parent.mkdir(parents=True, exist_ok=True)
        with open(self.log, "wb") as out:
            self.process = subprocess.Popen(self.command, cwd=self.cwd, stdout=out, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, env=env, start_new_session=True)

    def output(self) -> str:
        try:
            return self.log.read_text(encoding="utf-8", errors="replace")
        except OSError:
            return ""

    def tail(self, chars: int = 3000) -> str:
        return self.output()[-chars:]

    def wait_quiet(self, seconds: float) -> None:
        """Until the server has printed nothing for `seconds` (at most QUIET_MAX)."""
        deadline = time.perf_counter() + QUIET_MAX
        last, since = None, time.perf_counter()
        while time.perf_counter() < deadline:
            size = self.log.stat().st_size if self.log.exists() else 0
            if size != last:
                last, since = size, time.perf_counter()
            elif time.perf_counter() - since >= seconds:
                return
            time.sleep(0.1)

    def check_alive(self, doing: str) -> None:
        if self.process.poll() is not None:
            raise ServeError(f"{' '.join(self.command)} stopped (exit {self.process.returncode}) {doing}; its output ends:\n{self.tail()}")

    def stop(self) -> None:
        """Ctrl+C to the whole group (the servers clean up their temporary folders on it), then
        SIGTERM, then SIGKILL; and SIGKILL to whatever of the group is left."""
        if self.process is None:
            return
        pgid = self.process.pid  # start_new_session: the group's id is the leader's pid
        for sig, wait in ((signal.SIGINT, 20), (signal.SIGTERM, 10), (signal.SIGKILL, 10)):
            if self.process.poll() is not None:
                break
            try:
                os.killpg(pgid, sig)
            except ProcessLookupError:
                break
            try:
                self.process.wait(timeout=wait)
            except subprocess.TimeoutExpired:
                continue
        try:
            os.killpg(pgid, signal.SIGKILL)  # children that outlived the leader
        except (ProcessLookupError, PermissionError):
            pass
        if self.process.poll() is None:
            self.process.wait(timeout=10)


def edit_to_visible(
    command: list[str],
    url_path: str,
    edited: Path,
    *,
    cwd: Path,
    log: Path,
    repeat: int = 3,
    ready: str | None = None,
    start_timeout: float = START_TIMEOUT,
    visible_timeout: float = VISIBLE_TIMEOUT,
    settle: float = SETTLE,
) -> dict:
    """Start `command` (every "{addr}" in it becomes 127.0.0.1:<a free port>), wait until it answers
    `url_path` with 200 (and, with `ready`, has printed that text), then edit `edited` `repeat` times,
    each time timing until the page shows the edit. Returns {"runs": [s, …], "median_s", "startup_s"}."""
    port = free_port()
    addr = f"127.0.0.1:{port}"
    url = f"http://{addr}/{url_path.lstrip('/')}"
    server = Server([part.replace("{addr}", addr) for part in command], cwd, log)
    original = edited.read_bytes()
    encoding = encoding_of(original)
    runs: list[float] = []
    started = time.perf_counter()
    server.start()
    try:
        while True:
            server.check_alive(f"before answering {url}")
            answer = fetch(url, timeout=10)
            if answer is not None and answer[0] == 200 and (ready is None or ready in server.output()):
                break
            if time.perf_counter() - started > start_timeout:
                raise ServeError(f"{url} not served within {start_timeout:.0f} s (last answer: {answer and answer[0]}); output ends:\n{server.tail()}")
            time.sleep(0.2)
        startup = time.perf_counter() - started
        server.wait_quiet(settle)
        for k in range(repeat):
            token = f"nkbmark{secrets.token_hex(6)}"
            marker = f"\n\n基准测试第 {k + 1} 次编辑加上的标记：{token}。\n"
            # The original plus this marker (the previous one goes): one write per edit.
            edited.write_bytes(original + marker.encode(encoding))
            saved = time.perf_counter()
            needle = token.encode("ascii")
            while True:
                server.check_alive(f"while {edited.name} was edited")
                answer = fetch(url, timeout=visible_timeout - (time.perf_counter() - saved))
                if answer is not None and needle in answer[1]:
                    runs.append(time.perf_counter() - saved)
                    break
                if time.perf_counter() - saved > visible_timeout:
                    raise ServeError(
                        f"the edit to {edited} (marker {token}) did not show on {url} within {visible_timeout:.0f} s "
                        f"(last answer: {answer and answer[0]}); output ends:\n{server.tail()}"
                    )
                time.sleep(POLL)
            # Each edit starts from an idle server: after the note's page, notekb serve writes the
            # large pages that gather it, which Zensical renders for seconds at 1,000 notes; an edit
            # saved meanwhile waits for that (a figure of its own, not the one measured here).
            server.wait_quiet(settle)
    finally:
        edited.write_bytes(original)
        server.stop()
    return {"runs": runs, "median_s": statistics.median(runs), "startup_s": startup}


if __name__ == "__main__":
    if "--" not in sys.argv or sys.argv.index("--") != 3:
        raise SystemExit(__doc__.strip().splitlines()[-1].strip())
    result = edit_to_visible(sys.argv[4:], sys.argv[1], Path(sys.argv[2]), cwd=Path.cwd(), log=Path("serve.log"))
    print(result)
