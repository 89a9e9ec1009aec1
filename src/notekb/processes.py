"""Helper processes, the same way for every part of notekb that uses them (note processing, page
preparation, search indexing): started from a fork server that has imported notekb once, at a
lower priority than MkDocs, and gone when the process that started them is."""

from __future__ import annotations

import concurrent.futures as cf
import logging
import multiprocessing
import os
import time

log = logging.getLogger("mkdocs.plugins.notekb")
HELPER_NICENESS = 10
PRELOAD = ["notekb.pipeline", "notekb.publish.prepare", "notekb.search.worker"]


def helper_context():
    """The multiprocessing context for every notekb helper: forkserver (forking MkDocs itself is
    unsafe once `mkdocs serve` runs threads), with notekb's modules imported once in the fork
    server, so that each helper starts with them loaded instead of importing them again."""
    context = multiprocessing.get_context("forkserver")
    context.set_forkserver_preload(PRELOAD)
    return context


def _ended(pid: int) -> bool:
    """Whether a process has ended: gone, or a zombie (dead, waiting for whoever started it to
    collect its exit status, which a script that killed `mkdocs serve` may never do)."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    except PermissionError:
        return False
    try:
        with open(f"/proc/{pid}/stat", "rb") as stat:
            return stat.read().rsplit(b")", 1)[1].split()[0] == b"Z"
    except (OSError, IndexError):
        return False  # no /proc (macOS): a zombie server keeps its helpers until it is collected


def watch_parent(pid: int, then=None, *args) -> None:
    """In a helper process: give way to MkDocs, and exit when the process that started it is gone
    (then run `then(*args)`, the helper's own start-up).

    Helpers do background work; on a machine with two cores, MkDocs rendering pages must not lose
    its core to them, so they run at a lower priority. `mkdocs serve` stopped with SIGTERM runs no
    clean-up, and a helper must not outlive it. Ctrl+C in a terminal reaches every process of the
    group: the helpers leave stopping to MkDocs (which shuts them down) instead of each printing a
    KeyboardInterrupt traceback."""
    import signal
    import threading

    signal.signal(signal.SIGINT, signal.SIG_IGN)
    try:
        os.nice(HELPER_NICENESS)
    except (OSError, AttributeError):
        pass

    def watch() -> None:
        while True:
            time.sleep(1.0)
            if _ended(pid):
                os._exit(0)

    threading.Thread(target=watch, name="notekb-watch-parent", daemon=True).start()
    if then is not None:
        then(*args)


def start_helpers(count: int, then=None, *args) -> cf.ProcessPoolExecutor | None:
    """`count` helper processes (each runs `then(*args)` first), or None where processes cannot be
    started: the caller then does the work itself."""
    try:
        return cf.ProcessPoolExecutor(count, mp_context=helper_context(), initializer=watch_parent, initargs=(os.getpid(), then, *args))
    except (OSError, ValueError) as exc:
        log.debug(f"no helper processes ({exc}); working in this process")
        return None
