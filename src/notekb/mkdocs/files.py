"""The pipeline's output handed to MkDocs: every generated page and image as a virtual file (the
plugin writes nothing into `docs/`), the stylesheet and scripts, and the build log."""

from __future__ import annotations

from mkdocs.plugins import get_plugin_logger
from mkdocs.structure.files import File, Files

from notekb.mkdocs.setup import SEARCH_SCRIPT, search_script
from notekb.pages.style import STYLESHEET, stylesheet
from notekb.pipeline import Site
from notekb.publish.edition_site import EDITION_SCRIPT, edition_script
from notekb.records import Diagnostic

log = get_plugin_logger("notekb")


def add_site(files: Files, site: Site, config, search: bool, edition: bool = False) -> set[str]:
    """Add the site's pages and assets to MkDocs' files; returns the generated pages' paths. A page
    written by hand in `docs/` wins over the generated page of the same name."""
    generated = {p.path for p in site.pages}
    for page in site.pages:
        if files.get_file_from_path(page.path) is not None:
            log.warning(f"docs/{page.path} exists and replaces the generated page of the same name")
            continue
        files.append(File.generated(config, page.path, content=page.markdown))
    for asset in site.assets:
        files.append(File.generated(config, asset.path, abs_src_path=asset.source))
    if files.get_file_from_path(STYLESHEET) is None:
        files.append(File.generated(config, STYLESHEET, content=stylesheet()))
    if search and files.get_file_from_path(SEARCH_SCRIPT) is None:
        files.append(File.generated(config, SEARCH_SCRIPT, content=search_script()))
    if edition and files.get_file_from_path(EDITION_SCRIPT) is None:
        files.append(File.generated(config, EDITION_SCRIPT, content=edition_script()))
    return generated


def report(diagnostics: list[Diagnostic]) -> None:
    """Each problem through MkDocs' logger: errors and warnings as warnings (so `--strict` fails),
    the rest at info and debug level."""
    for diagnostic in diagnostics:
        if diagnostic.level in ("error", "warning"):
            log.warning(str(diagnostic))
        elif diagnostic.level == "info":
            log.info(str(diagnostic))
        else:
            log.debug(str(diagnostic))
