"""What the plugin changes in MkDocs' configuration: the Markdown extensions generated pages need,
heading ids that never take the theme's, the stylesheet, and notekb's search in Material's header
box (its templates, its script, and a stand-in for Material's search plugin)."""

from __future__ import annotations

from pathlib import Path

from mkdocs.config import config_options as c
from mkdocs.plugins import BasePlugin, get_plugin_logger

from notekb.pages.style import STYLESHEET
from notekb.publish.edition_site import ALTERNATE, EDITION_SCRIPT
from notekb.publish.sanitize import theme_safe_slugify
from notekb.publish.site import SEARCH_SCRIPT

TEMPLATES = Path(__file__).parent / "templates"
REQUIRED_EXTENSIONS = ["attr_list", "md_in_html", "tables", "toc"]

log = get_plugin_logger("notekb")


class _SearchSlot(BasePlugin):
    """Stands in Material's "material/search" slot so the theme renders its header search box,
    which notekb's search.js then drives; Material's own lunr index is not built."""

    config_scheme = (("enabled", c.Type(bool, default=True)),)


def configure(config, search: bool, edition: bool = False) -> None:
    """Adjust MkDocs' configuration for the generated pages (and for notekb's search box and the
    Traditional edition's language switch)."""
    for ext in REQUIRED_EXTENSIONS:
        if ext not in config.markdown_extensions:
            config.markdown_extensions.append(ext)
    toc = config.mdx_configs.setdefault("toc", {})
    toc["slugify"] = theme_safe_slugify(toc.get("slugify"))
    if STYLESHEET not in config.extra_css:
        config.extra_css.append(STYLESHEET)
    if edition:
        if not config.extra.get("alternate"):  # a site's own switch is kept as it is
            config.extra["alternate"] = [dict(entry) for entry in ALTERNATE]
        if EDITION_SCRIPT not in [str(s) for s in config.extra_javascript]:
            config.extra_javascript.append(EDITION_SCRIPT)
    if not search:
        return
    theme_dirs = config.theme.dirs
    if str(TEMPLATES) not in theme_dirs:
        # After the user's custom_dir (if any), before the theme's own templates.
        theme_dirs.insert(1 if config.theme.custom_dir else 0, str(TEMPLATES))
    if "material/search" not in config.plugins and "search" not in config.plugins:
        slot = _SearchSlot()
        slot.load_config({})
        config.plugins["material/search"] = slot
    else:
        log.info("Material's search plugin is enabled too; notekb's search replaces its box (remove `search` from plugins to skip its index)")
    if SEARCH_SCRIPT not in [str(s) for s in config.extra_javascript]:
        config.extra_javascript.append(SEARCH_SCRIPT)


def search_script() -> str:
    return (Path(__file__).parents[1] / "search" / "assets" / "search.js").read_text(encoding="utf-8")
