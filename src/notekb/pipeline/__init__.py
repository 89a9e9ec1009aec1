"""The pipeline, one module per stage: read -> clean -> route -> link, then render (notekb.pages),
run by `build_site` (pipeline.build). Each stage is a plain function from data to data."""

from notekb.pipeline.build import NoteCache, Site, build_site, process_note

__all__ = ["NoteCache", "Site", "build_site", "process_note"]
