/* notekb: the language switch keeps the reader's section. The links to this page in the other
   edition (hreflang zh-Hans / zh-Hant, written by publish/edition.py) carry the anchor the reader
   is at when they are followed; anchors are the same in both editions. */
(function () {
  document.addEventListener("click", function (event) {
    var link = event.target.closest && event.target.closest('a[hreflang="zh-Hans"], a[hreflang="zh-Hant"]');
    if (!link || !location.hash) return;
    var url = new URL(link.getAttribute("href"), location.href);
    url.hash = location.hash;
    link.href = url.toString();
  }, true);
})();
