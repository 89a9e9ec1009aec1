"""Stage 5, render: the page builders (one module per kind of page) and the Markdown helpers they
share. `render_site` (pages.site) puts every page together; nothing here imports the pipeline's
orchestration, which calls it."""

from notekb.pages.excerpts import display_title, titled
from notekb.pages.site import render_site

__all__ = ["display_title", "render_site", "titled"]
