/* notekb search: a sharded index that works in Simplified and Traditional Chinese, Korean and English.
 *
 * The index (written by notekb/search_index.py) is a manifest, postings shards and one small file
 * per page section. A query is folded exactly as the index was (NFKC, lower case, Traditional ->
 * Simplified), cut into the same tokens (CJK bigrams, Latin runs), expanded with cross-language
 * synonyms, and only the shards its tokens live in are fetched.
 */
(function () {
  "use strict";
  var root = document.querySelector("[data-notekb-search]");
  if (!root) return;
  var input = root.querySelector("[data-notekb-query]");
  var meta = root.querySelector("[data-notekb-meta]");
  var list = root.querySelector("[data-notekb-list]");
  var toggle = document.getElementById("__search");
  var form = root.querySelector("form");
  var reset = root.querySelector("button[type=reset]");
  /* A box that opens as a dialog of its own (search-box.css, for a theme without Material's search
     box: Zensical's) comes at the end of the page: its buttons go into the header, the dialog to the
     end of <body>, where no header's backdrop filter confines it. */
  var opener = root.querySelector("[data-notekb-open]");
  var header = document.querySelector(".md-header__inner");
  if (opener && header) header.insertBefore(opener, header.querySelector(".md-header__source"));
  var dialog = root.querySelector("[data-notekb-dialog]");
  if (dialog) document.body.appendChild(dialog);
  var config = {};
  try { config = JSON.parse(document.getElementById("__config").textContent); } catch (e) { /* no config */ }
  var tr = config.translations || {};
  var T = {
    placeholder: tr["search.result.placeholder"] || "Type to start searching",
    none: tr["search.result.none"] || "No matching documents",
    one: tr["search.result.one"] || "1 matching document",
    other: tr["search.result.other"] || "# matching documents",
    short: "Type at least two characters",
    pages: "# pages · % matches",
    moreSections: "# more matches on this page",
    morePages: "+ # more pages",
    failed: "The search index did not load: "
  };
  // notekb's own words are in the page (partials/notekb-search-box.html), where an edition of the
  // site converts them with the rest of the page's text.
  document.querySelectorAll("[data-notekb-search] [data-notekb-text], [data-notekb-dialog] [data-notekb-text]").forEach(function (el) { T[el.getAttribute("data-notekb-text")] = el.textContent; });
  var siteBase = new URL(config.base || ".", location.href);
  var indexUrl = new URL("search/", siteBase);  // the index lives in search/ at the site's root

  var HAN = /[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]+/g;
  var HANGUL = /[\uac00-\ud7a3\u1100-\u11ff\u3130-\u318f]+/g;
  var LATIN = /[a-z]+|[0-9]+(?:\.[0-9]+)*/g;
  var COMPOUND = /[a-z0-9]+(?:\.[0-9]+)*/g;  // as index.py's _COMPOUND
  var EMPTY = new Set();
  var HAS_HAN = /[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]/;

  function fetchJSON(url) {
    return fetch(url).then(function (r) {
      if (!r.ok) throw new Error(r.status + " " + url);
      return r.json();
    });
  }
  var manifest = null, t2s = null, t2sLoading = null;
  var shards = new Map(), docs = new Map();
  function loadManifest() {
    if (!manifest) manifest = fetchJSON(new URL("manifest.json", indexUrl));
    return manifest;
  }
  function loadT2S() {
    if (t2s) return Promise.resolve(t2s);
    if (!t2sLoading) {
      t2sLoading = fetchJSON(new URL("t2s.json", indexUrl)).then(function (d) {
        var map = new Map(), from = Array.from(d.from), to = Array.from(d.to);
        for (var i = 0; i < from.length; i++) map.set(from[i], to[i]);
        t2s = map;
        return map;
      });
    }
    return t2sLoading;
  }
  function loadShard(k) {
    if (!shards.has(k)) shards.set(k, fetchJSON(new URL("s/" + k + ".json", indexUrl)));
    return shards.get(k);
  }
  function loadDoc(id) {
    return loadManifest().then(function (m) {
      var chunk = Math.floor(id / (m.chunk || 1));
      if (!docs.has(chunk)) docs.set(chunk, fetchJSON(new URL("d/" + chunk + ".json", indexUrl)));
      return docs.get(chunk).then(function (records) { return m.chunk ? records[id % m.chunk] : records; });
    });
  }

  /* The fold shared with the index: NFKC, lower case, Traditional -> Simplified, char by char. */
  function foldChar(c) {
    var n = c.normalize("NFKC").toLowerCase();
    if (t2s && n.length === 1 && t2s.has(n)) n = t2s.get(n);
    return n;
  }
  function fold(text) {
    var out = "";
    for (var c of text) out += foldChar(c);
    return out;
  }
  /* Folded text with, for every folded character, the index of the original character. */
  function foldWithMap(text) {
    var out = "", map = [], chars = Array.from(text), pos = 0;
    for (var i = 0; i < chars.length; i++) {
      var f = foldChar(chars[i]);
      for (var j = 0; j < f.length; j++) { out += f[j]; map.push(pos); }
      pos += chars[i].length;
    }
    map.push(pos);
    return { text: out, map: map };
  }

  function shardOf(token, n) {
    var key = /^[\x00-\x7f]/.test(token) ? token.slice(0, 2) : token;
    var h = 0x811c9dc5;
    for (var c of key) {
      h ^= c.codePointAt(0);
      h = Math.imul(h, 0x01000193) >>> 0;
    }
    return h % n;
  }

  function bigrams(run) {
    var chars = Array.from(run), out = [];
    for (var i = 0; i + 1 < chars.length; i++) out.push(chars[i] + chars[i + 1]);
    return out;
  }

  /* A query's terms: required ones (all must match, or most for long CJK queries), bonus ones
     (whole CJK words, which rank text that has the word itself above text that only has its
     characters) and whole ones (letters and digits run together, "tpuv5p": text that has the
     whole token ranks above text that only has its pieces, "TPUv5e"). Stop words ("of" in
     "mixture of experts") are optional and never highlighted. */
  function terms(q, stop) {
    var required = [], bonus = [], whole = [], surfaces = [], m;
    stop = stop || EMPTY;
    // Chinese and Korean alike: every bigram is required, the whole run is a bonus word.
    [HAN, HANGUL].forEach(function (script) {
      script.lastIndex = 0;
      while ((m = script.exec(q))) {
        var run = m[0], length = Array.from(run).length;
        if (length < 2) continue;
        bigrams(run).forEach(function (b) { required.push({ tok: b, prefix: false }); });
        if (length > 2) bonus.push({ tok: run, prefix: false });
        if (!stop.has(run)) surfaces.push(run);
      }
    });
    // Letters and digits run together: the whole token is what is marked. Its pieces are marked
    // too only for a name and its version ("gemini1.5": "Gemini 1.5"), not "tpuv" of "tpuv5p".
    var pieces = new Set();
    COMPOUND.lastIndex = 0;
    while ((m = COMPOUND.exec(q))) {
      if (/[a-z]/.test(m[0]) && /[0-9]/.test(m[0])) {
        whole.push({ tok: m[0], prefix: false });
        surfaces.push(m[0]);
        if (!/^[a-z]{2,}[0-9]+(?:\.[0-9]+)*$/.test(m[0])) (m[0].match(LATIN) || []).forEach(function (x) { pieces.add(x); });
      }
    }
    LATIN.lastIndex = 0;
    while ((m = LATIN.exec(q))) {
      var t = m[0];
      if (t.length > 1 || /[0-9]/.test(t)) {
        required.push({ tok: t, prefix: /[a-z]/.test(t) && t.length >= 2, stop: stop.has(t) });
        if (!stop.has(t) && !pieces.has(t)) surfaces.push(t);
      }
    }
    return { required: required, bonus: bonus, whole: whole, surfaces: surfaces };
  }

  function wordRe(name) {
    var esc = name.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
    return /^[\x00-\x7f]+$/.test(name) ? new RegExp("(^|[^a-z0-9])" + esc + "(?![a-z0-9])") : new RegExp(esc);
  }

  /* The query and its synonym variants: a name from a synonym group found in the query is
     replaced by every other name of its group (longest names first, at most two groups). */
  function variants(q, groups) {
    var found = [];
    groups.forEach(function (entry) {
      var best = null, names = entry.slice(1);
      names.forEach(function (name) {
        if ((!best || name.length > best.length) && q.indexOf(name) !== -1 && wordRe(name).test(q)) best = name;
      });
      // Expand into the group's representatives: one or two names per language.
      if (best) found.push({ name: best, group: names.slice(0, entry[0]) });
    });
    found.sort(function (a, b) { return b.name.length - a.name.length; });
    var out = [{ q: q, weight: 1 }], seen = new Set([q]);
    found.slice(0, 2).forEach(function (f) {
      var base = out.slice();
      base.forEach(function (v) {
        f.group.forEach(function (other) {
          if (other === f.name || out.length >= 24) return;
          var replaced = v.q.replace(f.name, " " + other + " ").trim();
          if (!seen.has(replaced)) {
            seen.add(replaced);
            out.push({ q: replaced, weight: 0.45 * v.weight, via: other });
          }
        });
      });
    });
    return out;
  }

  function idf(n, df) { return Math.log(1 + (n - df + 0.5) / (df + 0.5)); }

  /* Postings of one term: exact, or (for a Latin prefix) every token of the shard starting with it. */
  function postings(term, m) {
    return loadShard(shardOf(term.tok, m.shards)).then(function (shard) {
      var found = [], common = shard["~"] || {};
      if (shard[term.tok] && term.tok !== "~") found.push({ tok: term.tok, factor: 1 });
      if (term.prefix) {
        // A word that exists as typed is what the reader meant; longer words weigh much less then.
        // A prefix with no word of its own is a word being typed: its completions count more.
        var factor = shard[term.tok] ? 0.25 : 0.7;
        for (var key in shard) {
          if (key !== term.tok && key !== "~" && key.indexOf(term.tok) === 0) found.push({ tok: key, factor: factor });
        }
      }
      var scores = new Map(), df = 0, scale = m.scale || 100;
      found.forEach(function (f) {
        var list = shard[f.tok], doc = 0;
        df = Math.max(df, common[f.tok] || list.length / 2);
        for (var i = 0; i < list.length; i += 2) {
          doc += list[i];  // doc ids are stored as gaps
          var s = list[i + 1] / scale * f.factor;
          if (!(scores.get(doc) >= s)) scores.set(doc, s);
        }
      });
      var weight = idf(m.n, Math.max(df, scores.size));
      return { scores: scores, idf: weight, common: found.length > 0 && found.every(function (f) { return f.tok in common; }) };
    });
  }

  function scoreVariant(v, m) {
    var t = terms(v.q, stopWords(m));
    if (!t.required.length) return Promise.resolve(new Map());
    var all = t.required.concat(t.bonus, t.whole);
    return Promise.all(all.map(function (r) { return postings(r, m); })).then(function (found) {
      var req = found.slice(0, t.required.length);
      var bon = found.slice(t.required.length, t.required.length + t.bonus.length);
      var who = found.slice(t.required.length + t.bonus.length);
      // Very common tokens keep only their strongest postings, and stop words say little: both
      // count as optional unless the query has nothing else.
      var optional = req.map(function (p, i) { return p.common || !!t.required[i].stop; });
      var rare = req.filter(function (p, i) { return !optional[i]; });
      var needed = rare.length ? rare : req;
      var acc = new Map();
      needed.forEach(function (p) {
        p.scores.forEach(function (s, doc) {
          var a = acc.get(doc) || { score: 0, hits: 0, whole: 0 };
          a.score += s * p.idf;
          a.hits += 1;
          acc.set(doc, a);
        });
      });
      if (rare.length) {
        req.filter(function (p, i) { return optional[i]; }).forEach(function (p) {
          p.scores.forEach(function (s, doc) {
            var a = acc.get(doc);
            if (a) a.score += s * p.idf;
          });
        });
      }
      bon.concat(who).forEach(function (p, i) {
        p.scores.forEach(function (s, doc) {
          var a = acc.get(doc);
          if (!a) return;
          a.score += 0.5 * s * p.idf;
          if (i >= bon.length) a.whole += 1;
        });
      });
      var need = needed.length, out = new Map();
      var cjkLong = t.required.length >= 3;
      acc.forEach(function (a, doc) {
        var coverage = a.hits / need;
        if (coverage === 1 || (cjkLong && coverage >= 0.7)) {
          out.set(doc, {
            score: a.score * v.weight * coverage * coverage, full: coverage === 1,
            whole: who.length ? a.whole / who.length : 0, surfaces: t.surfaces
          });
        }
      });
      return out;
    });
  }

  /* Ranking: every term matched, then the whole tokens the query names, then the score. */
  function better(a, b) {
    return (b.full - a.full) || (b.whole - a.whole) || (b.score - a.score);
  }

  function stopWords(m) {
    if (!m.stopSet) m.stopSet = new Set(m.stop || []);
    return m.stopSet;
  }

  /* The page of every section, from the manifest's runs of [page number, sections]. */
  function pageOf(m) {
    if (!m.pageOf) {
      var runs = m.pages || [], out = new Int32Array(m.n), at = 0;
      for (var i = 0; i + 1 < runs.length; i += 2) {
        for (var k = 0; k < runs[i + 1] && at < m.n; k++) out[at++] = runs[i];
      }
      m.pageOf = out;
    }
    return m.pageOf;
  }

  function search(raw) {
    var needsT2S = HAS_HAN.test(raw);
    return Promise.all([loadManifest(), needsT2S ? loadT2S() : Promise.resolve(null)]).then(function (r) {
      var m = r[0], q = fold(raw).trim(), stop = stopWords(m);
      var vs = variants(q, m.synonyms || []);
      var base = terms(q, stop);
      var anyTerms = vs.some(function (v) { return terms(v.q, stop).required.length > 0; });
      if (!anyTerms) return { short: true, results: [], pages: [], surfaces: [], exact: new Set() };
      return Promise.all(vs.map(function (v) { return scoreVariant(v, m); })).then(function (maps) {
        var best = new Map(), surfaces = new Set(base.surfaces);
        maps.forEach(function (mp, i) {
          mp.forEach(function (r, doc) {
            var cur = best.get(doc);
            if (!cur || better(r, cur) < 0) best.set(doc, r);
            if (i > 0) r.surfaces.forEach(function (s) { surfaces.add(s); });
          });
        });
        var ranked = Array.from(best.entries()).sort(function (a, b) {
          return better(a[1], b[1]) || (a[0] - b[0]);
        });
        // Results by page, in the order of each page's best section.
        var where = pageOf(m), byPage = new Map();
        ranked.forEach(function (r) {
          var page = where[r[0]];
          if (!byPage.has(page)) byPage.set(page, []);
          byPage.get(page).push(r);
        });
        return { short: false, results: ranked, pages: Array.from(byPage.values()), surfaces: Array.from(surfaces), exact: synonymOnly(base.surfaces, surfaces) };
      });
    });
  }

  function escapeHtml(s) {
    return s.replace(/[&<>"]/g, function (c) { return { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;" }[c]; });
  }

  /* The surfaces that only a synonym brought ("tpu" of "TPU v5p"): marked as whole tokens only, not
     as the start of a longer one ("TPUv4"); what the reader typed is also marked as a prefix. */
  function synonymOnly(typed, all) {
    var mine = new Set(typed), out = new Set();
    all.forEach(function (s) { if (!mine.has(s)) out.add(s); });
    return out;
  }

  /* Occurrences of the (folded) surfaces in original text, as [start, end) of the original. */
  function matches(text, surfaces, exact) {
    var f = foldWithMap(text), spans = [];
    surfaces.forEach(function (s, rank) {
      if (!s) return;
      // A word of letters or digits is marked where a token starts ("tpu" in "TPUv4", not
      // "of" in "often"), as the index matched it; Chinese and Korean anywhere.
      var latin = /^[a-z0-9]/.test(s);
      var i = f.text.indexOf(s);
      while (i !== -1) {
        var starts = !latin || i === 0 || !/[a-z0-9]/.test(f.text[i - 1]);
        var ends = !latin || !exact || !exact.has(s) || !/[a-z0-9]/.test(f.text[i + s.length] || "");
        if (starts && ends) spans.push([f.map[i], f.map[i + s.length], rank]);
        i = f.text.indexOf(s, i + (latin ? 1 : s.length));
      }
    });
    spans.sort(function (a, b) { return a[0] - b[0] || b[1] - a[1]; });
    var merged = [];
    spans.forEach(function (s) {
      var last = merged[merged.length - 1];
      if (last && s[0] <= last[1]) { last[1] = Math.max(last[1], s[1]); last[2] = Math.min(last[2], s[2]); } else merged.push(s.slice());
    });
    return merged;
  }

  function snippet(text, surfaces, exact) {
    var spans = matches(text, surfaces, exact);
    // Around the first match of the surface that matters most: the reader's own words come first.
    var first = null;
    spans.forEach(function (s) { if (!first || s[2] < first[2]) first = s; });
    var start = first ? Math.max(0, first[0] - 40) : 0;
    var end = Math.min(text.length, start + 160);
    var html = start > 0 ? "…" : "", pos = start;
    spans.forEach(function (s) {
      if (s[0] < start || s[1] > end) return;
      html += escapeHtml(text.slice(pos, s[0])) + "<mark>" + escapeHtml(text.slice(s[0], s[1])) + "</mark>";
      pos = s[1];
    });
    html += escapeHtml(text.slice(pos, end)) + (end < text.length ? "…" : "");
    return html;
  }

  function href(url, query) {
    var hash = url.indexOf("#");
    var path = hash === -1 ? url : url.slice(0, hash), anchor = hash === -1 ? "" : url.slice(hash);
    var target = new URL(path, siteBase);
    target.searchParams.set("h", query);
    return target.pathname + target.search + anchor;
  }

  var seq = 0, shown = 10, perPage = 3;
  /* Results grouped by page, pages in the order of their best section: the best few sections of
     each page, how many more it has, and how many pages matched in all. */
  function render(query, outcome, more) {
    list.innerHTML = "";
    if (outcome.short) { meta.textContent = T.short; return Promise.resolve(); }
    var n = outcome.results.length, pageCount = outcome.pages.length;
    meta.textContent = n === 0 ? T.none : T.pages.replace("#", pageCount).replace("%", n);
    meta.setAttribute("data-notekb-pages", pageCount);
    var top = outcome.pages.slice(0, more || shown);
    var wanted = top.map(function (sections) { return sections.slice(0, perPage); });
    return Promise.all(wanted.map(function (sections) {
      return Promise.all(sections.map(function (r) { return loadDoc(r[0]); }));
    })).then(function (pages) {
      pages.forEach(function (records, k) {
        var li = document.createElement("li");
        li.className = "md-search-result__item";
        var htmlParts = records.map(function (d, i) {
          var heading = i === 0 ? "<h1>" + escapeHtml(d.p) + (d.t && d.t !== d.p ? " › " + escapeHtml(d.t) : "") + "</h1>" : "<h2>" + escapeHtml(d.t || d.p) + "</h2>";
          var cls = i === 0 ? "md-search-result__article md-search-result__article--document md-typeset" : "md-search-result__article md-typeset";
          return '<a href="' + escapeHtml(href(d.u, query)) + '" class="md-search-result__link" tabindex="-1" data-notekb-result>' +
            '<article class="' + cls + '">' + heading + "<p>" + snippet(d.x, outcome.surfaces, outcome.exact) + "</p></article></a>";
        });
        var rest = top[k].length - records.length;
        if (rest > 0) htmlParts.push('<div class="nkb-result-more">' + escapeHtml(T.moreSections.replace("#", rest)) + "</div>");
        li.innerHTML = htmlParts.join("");
        li.setAttribute("data-notekb-page", "");
        list.appendChild(li);
      });
      if (pageCount > top.length) {
        var li = document.createElement("li");
        li.className = "md-search-result__item";
        var button = document.createElement("a");
        button.href = "javascript:void(0)";
        button.className = "md-search-result__more";
        button.textContent = T.morePages.replace("#", pageCount - top.length);
        button.setAttribute("data-notekb-more", "");
        button.addEventListener("click", function (e) { e.preventDefault(); render(query, outcome, top.length + 10); });
        li.appendChild(button);
        list.appendChild(li);
      }
    });
  }

  function run() {
    var query = input.value;
    var mine = ++seq;
    if (!query.trim()) {
      list.innerHTML = "";
      meta.textContent = T.placeholder;
      root.removeAttribute("data-notekb-state");
      return;
    }
    root.setAttribute("data-notekb-state", "busy");
    search(query).then(function (outcome) {
      if (mine !== seq) return;
      return render(query, outcome).then(function () {
        if (mine === seq) root.setAttribute("data-notekb-state", "done");
      });
    }).catch(function (err) {
      if (mine !== seq) return;
      meta.textContent = T.failed + err.message;
      root.setAttribute("data-notekb-state", "error");
    });
  }

  form.addEventListener("submit", function (e) { e.preventDefault(); });
  var timer = null;
  input.addEventListener("input", function () {
    clearTimeout(timer);
    timer = setTimeout(run, 120);
  });
  input.addEventListener("focus", function () { if (toggle && !toggle.checked) toggle.checked = true; });
  reset.addEventListener("click", function () {
    input.value = "";
    run();
    input.focus();
  });
  if (toggle) {
    toggle.addEventListener("change", function () { if (toggle.checked) setTimeout(function () { input.focus(); }, 50); });
  }
  list.addEventListener("click", function (e) {
    if (e.target.closest("[data-notekb-result]") && toggle) toggle.checked = false;
  });
  document.addEventListener("keydown", function (e) {
    var typing = /^(INPUT|TEXTAREA|SELECT)$/.test((document.activeElement || {}).tagName || "");
    var open = !typing && (e.key === "/" || e.key === "s" || e.key === "f") && !e.ctrlKey && !e.metaKey && !e.altKey;
    if (open || (e.key === "k" && (e.ctrlKey || e.metaKey) && !e.altKey)) {
      e.preventDefault();
      if (toggle) toggle.checked = true;
      input.focus();
    } else if (e.key === "Escape" && toggle && toggle.checked) {
      toggle.checked = false;
      input.blur();
    } else if (document.activeElement === input && e.key === "Enter") {
      var first = list.querySelector("[data-notekb-result]");
      if (first) { e.preventDefault(); location.href = first.href; }
    } else if (toggle && toggle.checked && (e.key === "ArrowDown" || e.key === "ArrowUp")) {
      var links = Array.from(list.querySelectorAll("[data-notekb-result]"));
      if (!links.length) return;
      var i = links.indexOf(document.activeElement);
      i = e.key === "ArrowDown" ? Math.min(links.length - 1, i + 1) : i - 1;
      e.preventDefault();
      if (i < 0) input.focus(); else links[i].focus();
    }
  });

  /* On a page opened from a result (?h=query): mark what matched, as Material's search.highlight does. */
  function highlightPage() {
    var q = new URLSearchParams(location.search).get("h");
    var content = document.querySelector("article.md-content__inner");
    if (!q || !content) return;
    (HAS_HAN.test(q) ? loadT2S() : Promise.resolve()).then(function () { return loadManifest(); }).then(function (m) {
      // The same surfaces as the results showed: the query's and its synonyms', never stop words.
      var folded = fold(q).trim(), stop = stopWords(m), typed = terms(folded, stop).surfaces, surfaces = new Set(typed);
      variants(folded, m.synonyms || []).forEach(function (v) { terms(v.q, stop).surfaces.forEach(function (s) { surfaces.add(s); }); });
      var exact = synonymOnly(typed, surfaces);
      var walker = document.createTreeWalker(content, NodeFilter.SHOW_TEXT, {
        acceptNode: function (node) {
          return node.parentElement.closest("pre, code, mark, .headerlink, script, style") ? NodeFilter.FILTER_REJECT : NodeFilter.FILTER_ACCEPT;
        }
      });
      var nodes = [];
      while (walker.nextNode()) nodes.push(walker.currentNode);
      var wanted = Array.from(surfaces).filter(function (s) { return Array.from(s).length >= 2 || /[0-9]/.test(s); });
      nodes.forEach(function (node) {
        var spans = matches(node.nodeValue, wanted, exact);
        if (!spans.length) return;
        var frag = document.createDocumentFragment(), pos = 0, text = node.nodeValue;
        spans.forEach(function (s) {
          frag.appendChild(document.createTextNode(text.slice(pos, s[0])));
          var mark = document.createElement("mark");
          mark.setAttribute("data-md-highlight", "");
          mark.textContent = text.slice(s[0], s[1]);
          frag.appendChild(mark);
          pos = s[1];
        });
        frag.appendChild(document.createTextNode(text.slice(pos)));
        node.parentNode.replaceChild(frag, node);
      });
    }).catch(function () { /* highlighting is a nicety */ });
  }
  highlightPage();
  window.notekbSearch = { search: search, fold: fold, terms: terms, variants: variants, loadDoc: loadDoc, snippet: snippet };
})();
