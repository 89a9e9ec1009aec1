"""Kept for one release: the plugin moved to notekb.mkdocs.plugin (installs made before the move
still name this module in their entry point)."""

from notekb.mkdocs.plugin import NotekbConfig, NotekbPlugin

__all__ = ["NotekbConfig", "NotekbPlugin"]
