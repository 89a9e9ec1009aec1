"""notekb's search: the sharded CJK-aware index (search.index), the helper process that tokenizes
while pages render (search.worker), and the script that drives the header search box
(search/assets/search.js)."""
