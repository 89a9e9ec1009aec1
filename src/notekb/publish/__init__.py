"""After rendering, for every engine: each generated page's HTML sanitized, its title made plain
text, and cut into search sections (notekb.search builds the index from them)."""
