"""What the page builders remember between `mkdocs serve` rebuilds: a page is made again only
when what it shows changed."""

from __future__ import annotations


def retitled(cache: dict | None, titles: dict[str, str]) -> set[str]:
    """The pages whose title changed since the last build (every entry `finished` keeps was made
    with the last build's titles: entries not used in a build are dropped)."""
    if cache is None:
        return set()
    before = cache.get("titles", {})
    cache["titles"] = titles
    return {p for p in before.keys() | titles.keys() if before.get(p) != titles.get(p)}


def remember(cache: dict | None, name: str, key: tuple, make, fresh: bool = False):
    """make(), remembered under `key` in cache[name] for the next build (`mkdocs serve`): the key
    holds everything the value depends on. render_site keeps only this build's entries, so memory
    does not grow with every edit. With fresh, the value is made again even if remembered."""
    if cache is None:
        return make()
    store = cache.setdefault(name, {})
    used = cache.setdefault("_used_" + name, {})
    value = None if fresh else store.get(key)
    if value is None:
        value = make()
    used[key] = value
    return value


def keep_used(cache: dict | None, digests: set[str] = frozenset()) -> None:
    """Keep this build's entries for the next. Excerpts are kept for every note still there, used
    or not: a model page taken whole from the cache does not ask for its excerpts, which the next
    edit on that model needs."""
    if cache is None:
        return
    for key, value in cache.get("excerpt", {}).items():
        if key[1] in digests:
            cache.setdefault("_used_excerpt", {}).setdefault(key, value)
    for name in [n for n in cache if isinstance(n, str) and n.startswith("_used_")]:
        cache[name[len("_used_"):]] = cache.pop(name)
