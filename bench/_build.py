"""One measured MkDocs build in this process: prints a JSON line with wall time, peak memory and
the notekb plugin's own timings. With --rebuild-after FILE, builds, appends a sentence to FILE and
builds again with the same plugin instance, as `mkdocs serve` does. With --started-at T (the
time.time() at which the caller started this process), also the wall time from then to the end of
the first build (`process_seconds`: Python's start, imports and configuration included, as a cold
`mkdocs build` command takes)."""

from __future__ import annotations

import argparse
import json
import os
import resource
import time
from pathlib import Path

os.environ.setdefault("NO_MKDOCS_2_WARNING", "1")

from mkdocs.commands.build import build  # noqa: E402
from mkdocs.config import load_config  # noqa: E402


def plugin_timings(config) -> dict:
    plugin = config.plugins.get("notekb")
    return dict(getattr(plugin, "timings", {})) if plugin else {}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("config")
    parser.add_argument("--rebuild-after", type=Path)
    parser.add_argument("--started-at", type=float)
    args = parser.parse_args()
    config = load_config(args.config)
    started = time.perf_counter()
    build(config)
    result = {"seconds": time.perf_counter() - started, "timings": plugin_timings(config)}
    if args.started_at:
        result["process_seconds"] = time.time() - args.started_at
    if args.rebuild_after:
        text = args.rebuild_after.read_bytes()
        args.rebuild_after.write_bytes(text + "\n\n这是基准测试在重建前加上的一句话。\n".encode(_encoding(text)))
        started = time.perf_counter()
        build(config)
        result["rebuild_seconds"] = time.perf_counter() - started
        result["rebuild_timings"] = plugin_timings(config)
        args.rebuild_after.write_bytes(text)
    result["max_rss_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    result["helpers_peak_mb"] = _helpers_peak_mb()
    print(json.dumps(result))


def _helpers_peak_mb() -> float:
    """The peak resident memory of every process this one started (notekb's helpers, still alive:
    MkDocs' build function does not shut plugins down), summed: an upper bound on what they held
    at any one time. Linux only (/proc); 0 elsewhere."""
    parents: dict[int, int] = {}
    for entry in Path("/proc").glob("[0-9]*"):
        try:
            parents[int(entry.name)] = int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1])
        except (OSError, ValueError, IndexError):
            continue
    family, grew = {os.getpid()}, True
    while grew:
        grown = family | {pid for pid, parent in parents.items() if parent in family}
        grew, family = grown != family, grown
    total_kb = 0
    for pid in family - {os.getpid()}:
        try:
            status = Path(f"/proc/{pid}/status").read_text()
        except OSError:
            continue
        total_kb += next((int(line.split()[1]) for line in status.splitlines() if line.startswith("VmHWM:")), 0)
    return total_kb / 1024


def _encoding(data: bytes) -> str:
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return "utf-16-le" if data.startswith(b"\xff\xfe") else "utf-16-be"
    try:
        data.decode("utf-8")
        return "utf-8"
    except UnicodeDecodeError:
        return "gbk"


if __name__ == "__main__":
    main()
