"""The `notekb` command: export pages for any engine, check notes, show where notes land.

    notekb check [PATH…]     problems in notes (default: notes/); exit 1 if there is an error
    notekb route PATH…       where each note (each part of a digest) lands on the site, and why
    notekb export DIR        write the generated Markdown pages to DIR

`check` prints one line per problem, like a compiler:

    error: notes/x.txt:12: unsafe HTML: <script> runs code in the reader's browser; …
    warning: notes/y.md:3: unknown front matter field 'category' (known fields: …)

i.e. `<level>: <file>[:<line>]: <message>`, then a summary line. `--format github` prints GitHub
Actions annotations instead (`::error file=…,line=…::…`), which show up on the pull request's diff.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from notekb.records import Diagnostic


def _registry(data_dir: str | None):
    from notekb.registry import Registry

    return Registry.load(data_dir)


def _escape(value: str, in_property: bool = False) -> str:
    value = value.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")
    return value.replace(":", "%3A").replace(",", "%2C") if in_property else value


def format_diagnostic(d: Diagnostic, fmt: str = "text") -> str:
    if fmt == "github":
        level = d.level if d.level in ("error", "warning") else "notice"
        props = f"file={_escape(d.path, True)}" + (f",line={d.line}" if d.line else "")
        return f"::{level} {props}::{_escape(d.message)}"
    return f"{d.level}: {d}"


def _notes_dir(value: str | None) -> str | None:
    return value if value and Path(value).is_dir() else None


def cmd_check(args: argparse.Namespace) -> int:
    from notekb.cli.check import check_paths

    levels = ("error", "warning", "info", "debug") if args.verbose else ("error", "warning")
    diagnostics = check_paths(args.paths or ["notes"], _registry(args.data), _notes_dir(args.notes), levels)
    for d in diagnostics:
        print(format_diagnostic(d, args.format))
    errors = sum(d.level == "error" for d in diagnostics)
    warnings = sum(d.level == "warning" for d in diagnostics)
    files = len({d.path for d in diagnostics if d.level in ("error", "warning")})
    if errors or warnings:
        print(f"{errors} error(s), {warnings} warning(s) in {files} file(s)")
    else:
        print("no problems found")
    return 1 if errors else 0


def cmd_route(args: argparse.Namespace) -> int:
    from notekb.cli.check import collect
    from notekb.cli.route import route_report

    registry = _registry(args.data)
    files, problems = collect(args.paths, _notes_dir(args.notes))
    status = 1 if any(d.level == "error" for d in problems) else 0
    for d in problems:
        print(format_diagnostic(d), file=sys.stderr)
    for k, file in enumerate(files):
        lines, problems, readable = route_report(file, registry)
        if k:
            print()
        print("\n".join(lines))
        for d in problems:
            print(f"    {format_diagnostic(d)}")
        if not readable:
            status = 1
    return status


def cmd_export(args: argparse.Namespace) -> int:
    from notekb.cli.export import export

    site = export(args.notes, args.dir, args.docs, args.data)
    for d in site.diagnostics:
        if d.level in ("error", "warning"):
            print(f"{d.level}: {d}", file=sys.stderr)
    print(f"wrote {len(site.pages)} pages from {len(site.notes)} notes to {args.dir}")
    return 1 if any(d.level == "error" for d in site.diagnostics) else 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="notekb", description="Turn paper-reading notes into a knowledge base.")
    sub = parser.add_subparsers(dest="command", required=True)

    p = sub.add_parser(
        "check",
        help="report problems in notes (exit 1 on an error)",
        description="Check notes before a pull request: encoding, front matter, unsafe HTML, duplicates, "
        "notes that land on no model. Prints '<level>: <file>:<line>: <message>'; exits 1 if there is an error.",
    )
    p.add_argument("paths", nargs="*", metavar="PATH", help="note files or folders (default: notes)")
    p.add_argument("--notes", default="notes", help="the site's notes folder; new notes are compared with it for duplicates (default: notes)")
    p.add_argument("--format", choices=("text", "github"), default="text", help="text (default) or GitHub Actions annotations")
    p.add_argument("-v", "--verbose", action="store_true", help="also show info and debug messages (boilerplate removed, …)")
    p.add_argument("--data", default=None, help="folder of YAML data files replacing the packaged ones")
    p.set_defaults(func=cmd_check)

    p = sub.add_parser(
        "route",
        help="show where each note (each part of a digest) lands on the site, and why",
        description="For each note: the page it lands on (models/<id>/, papers/<slug>/ or others/) and the evidence.",
    )
    p.add_argument("paths", nargs="+", metavar="PATH", help="note files or folders")
    p.add_argument("--notes", default="notes", help="the site's notes folder, for the notes' page addresses (default: notes)")
    p.add_argument("--data", default=None, help="folder of YAML data files replacing the packaged ones")
    p.set_defaults(func=cmd_route)

    p = sub.add_parser("export", help="write the generated Markdown pages to DIR")
    p.add_argument("dir")
    p.add_argument("--notes", default="notes", help="notes folder (default: notes)")
    p.add_argument("--docs", default="docs", help="hand-written pages copied along (default: docs)")
    p.add_argument("--data", default=None, help="folder of YAML data files replacing the packaged ones")
    p.set_defaults(func=cmd_export)
    return parser


def main(argv: list[str] | None = None) -> int:
    for stream in (sys.stdout, sys.stderr):
        if hasattr(stream, "reconfigure"):
            stream.reconfigure(errors="backslashreplace")  # file names and notes in any script
    args = build_parser().parse_args(argv)
    try:
        return args.func(args)
    except BrokenPipeError:  # `notekb route … | head`: the reader has what it wanted
        sys.stderr.close()
        return 0


if __name__ == "__main__":
    sys.exit(main())
