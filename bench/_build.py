"""One measured MkDocs build in this process: prints a JSON line with wall time, peak memory and
the notekb plugin's own timings. With --rebuild-after FILE, builds, appends a sentence to FILE and
builds again with the same plugin instance, as `mkdocs serve` does."""

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
    args = parser.parse_args()
    config = load_config(args.config)
    started = time.perf_counter()
    build(config)
    result = {"seconds": time.perf_counter() - started, "timings": plugin_timings(config)}
    if args.rebuild_after:
        text = args.rebuild_after.read_bytes()
        args.rebuild_after.write_bytes(text + "\n\n这是基准测试在重建前加上的一句话。\n".encode(_encoding(text)))
        started = time.perf_counter()
        build(config)
        result["rebuild_seconds"] = time.perf_counter() - started
        result["rebuild_timings"] = plugin_timings(config)
        args.rebuild_after.write_bytes(text)
    result["max_rss_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(json.dumps(result))


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
