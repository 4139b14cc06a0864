/*
 * search.js -- the search page's filter (templates/search.mustache).
 *
 * Without this script the page lists every page.  With it, what the
 * reader types filters that list: every word typed must occur (ignoring
 * case and accents) in a page's title, summary, domain, section headings
 * or claims, and pages are ranked by where the words occur (title first).
 * The index is the form's data-index (search/index.json); until it loads,
 * or where it cannot (a browser that refuses to fetch from file://), the
 * list on the page itself is the index, without headings and claims.
 *
 * Every text from the index is put in the page with textContent, never as
 * markup.  Nothing is loaded from another host.
 */
(function () {
  "use strict";
  var form = document.getElementById("search-form");
  var input = document.getElementById("search-q");
  var status = document.getElementById("search-status");
  var results = document.getElementById("search-results");
  var all = document.getElementById("search-all");
  if (!form || !input || !status || !results || !all) return;

  var MAX_RESULTS = 50;
  var entries = fromList();

  // Lower case without combining accents, so that "esperance" finds
  // "espérance".
  function fold(s) {
    s = String(s || "").toLowerCase();
    return s.normalize ? s.normalize("NFD").replace(/[\u0300-\u036f]/g, "") : s;
  }

  // The entries the page itself lists (the fallback index).
  function fromList() {
    var out = [];
    var items = all.querySelectorAll("li[data-id]");
    for (var i = 0; i < items.length; i++) {
      var a = items[i].querySelector("a");
      var dom = items[i].querySelector(".search-domain");
      var sum = items[i].querySelector(".card-summary");
      out.push({
        title: a ? a.textContent : "",
        url: a ? a.getAttribute("href") : "",
        domain: dom ? dom.textContent : "",
        summary: sum ? sum.textContent : "",
        status: "",
        headings: [],
        claims: []
      });
    }
    return out;
  }

  // Folded copies of an entry's fields, computed once.
  function prepare(e) {
    var h = [], c = [];
    for (var i = 0; i < (e.headings || []).length; i++) h.push(fold(e.headings[i].text));
    for (var k = 0; k < (e.claims || []).length; k++) c.push(fold(e.claims[k]));
    e._f = { title: fold(e.title), domain: fold(e.domain), summary: fold(e.summary), headings: h, claims: c };
    return e;
  }

  function firstMatch(list, word) {
    for (var i = 0; i < list.length; i++) if (list[i].indexOf(word) >= 0) return i;
    return -1;
  }

  // The entry's score for the words (0: some word is missing), and the
  // first heading and claim that hold a word, to show under the result.
  function score(e, words) {
    var f = (e._f ? e : prepare(e))._f, total = 0, heading = -1, claim = -1;
    for (var i = 0; i < words.length; i++) {
      var w = words[i], s = 0;
      if (f.title.indexOf(w) >= 0) s += 10;
      if (f.domain.indexOf(w) >= 0) s += 4;
      if (f.summary.indexOf(w) >= 0) s += 3;
      var h = firstMatch(f.headings, w);
      if (h >= 0) { s += 2; if (heading < 0) heading = h; }
      var c = firstMatch(f.claims, w);
      if (c >= 0) { s += 1; if (claim < 0) claim = c; }
      if (s === 0) return null;
      total += s;
    }
    return { entry: e, score: total, heading: heading, claim: claim };
  }

  function el(tag, cls, text) {
    var n = document.createElement(tag);
    if (cls) n.className = cls;
    if (text !== undefined) n.textContent = text;
    return n;
  }

  function link(href, text) {
    var a = el("a", "", text);
    a.setAttribute("href", href);
    return a;
  }

  function render(hits, query) {
    while (results.firstChild) results.removeChild(results.firstChild);
    for (var i = 0; i < hits.length && i < MAX_RESULTS; i++) {
      var e = hits[i].entry, li = el("li", "card");
      var h = el("h3", "card-title");
      h.appendChild(link(e.url, e.title));
      li.appendChild(h);
      li.appendChild(el("p", "search-domain", e.domain + (e.status ? " · status: " + e.status : "")));
      li.appendChild(el("p", "card-summary", e.summary));
      if (hits[i].heading >= 0) {
        var sec = el("p", "search-match", "Section: ");
        var hd = e.headings[hits[i].heading];
        sec.appendChild(link(hd.url, hd.text));
        li.appendChild(sec);
      }
      if (hits[i].claim >= 0)
        li.appendChild(el("p", "search-match", "Claim: " + e.claims[hits[i].claim]));
      results.appendChild(li);
    }
    var n = hits.length;
    status.textContent = n === 0 ? "No page matches \u201c" + query + "\u201d."
      : n + (n === 1 ? " page matches" : " pages match") + " \u201c" + query + "\u201d" +
        (n > MAX_RESULTS ? "; the first " + MAX_RESULTS + " are shown." : ".");
  }

  function run() {
    var query = input.value.trim();
    var words = fold(query).split(/\s+/).filter(Boolean);
    if (words.length === 0) {
      results.hidden = true;
      all.hidden = false;
      status.textContent = "";
      return;
    }
    var hits = [];
    for (var i = 0; i < entries.length; i++) {
      var h = score(entries[i], words);
      if (h) { h.order = i; hits.push(h); }
    }
    hits.sort(function (a, b) { return b.score - a.score || a.order - b.order; });
    render(hits, query);
    results.hidden = false;
    all.hidden = true;
  }

  // Keeps ?q= in the address, so that a search can be shared or reloaded.
  function remember() {
    try {
      var u = new URL(window.location.href);
      if (input.value) u.searchParams.set("q", input.value);
      else u.searchParams.delete("q");
      window.history.replaceState(null, "", u.toString());
    } catch (err) { /* file:// in some browsers: nothing to keep */ }
  }

  form.addEventListener("submit", function (ev) { ev.preventDefault(); run(); remember(); });
  input.addEventListener("input", function () { run(); remember(); });

  try {
    var q = new URLSearchParams(window.location.search).get("q");
    if (q) input.value = q;
  } catch (err) { /* no URLSearchParams: start empty */ }
  run();

  var src = form.getAttribute("data-index");
  if (src && window.fetch) {
    window.fetch(src).then(function (r) {
      if (!r.ok) throw new Error(r.status);
      return r.json();
    }).then(function (data) {
      if (data && Array.isArray(data.pages)) {
        entries = data.pages;
        run();
      }
    }).catch(function () { /* keep the list on the page as the index */ });
  }
})();
