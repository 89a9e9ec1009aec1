"""The stylesheet of the generated pages (facts boxes, excerpts, source labels, placeholders), an
asset of the pages every engine builds."""

from __future__ import annotations

from importlib import resources

STYLESHEET = "assets/notekb.css"  # its path in the site


def stylesheet() -> str:
    return resources.files("notekb.pages").joinpath("assets/notekb.css").read_text(encoding="utf-8")
