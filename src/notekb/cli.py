"""The `notekb` command: export pages for any engine; later also check and route notes."""

from __future__ import annotations

import argparse
import sys

from .export import export


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="notekb", description="Turn paper-reading notes into a knowledge base.")
    sub = parser.add_subparsers(dest="command", required=True)
    p = sub.add_parser("export", help="write the generated Markdown pages to DIR")
    p.add_argument("dir")
    p.add_argument("--notes", default="notes", help="notes folder (default: notes)")
    p.add_argument("--docs", default="docs", help="hand-written pages copied along (default: docs)")
    p.add_argument("--data", default=None, help="folder of YAML data files replacing the packaged ones")
    args = parser.parse_args(argv)
    if args.command == "export":
        site = export(args.notes, args.dir, args.docs, args.data)
        for d in site.diagnostics:
            if d.level in ("error", "warning"):
                print(f"{d.level}: {d}", file=sys.stderr)
        print(f"wrote {len(site.pages)} pages from {len(site.notes)} notes to {args.dir}")
        return 1 if any(d.level == "error" for d in site.diagnostics) else 0
    return 2


if __name__ == "__main__":
    sys.exit(main())
