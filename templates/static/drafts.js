/*
 * drafts.js -- keeps the reader's own text on a concept page in this
 * browser (templates/concept.mustache): the demo's prediction
 * (#demo-prediction) and the research room's draft (#research-draft), and
 * shows what follows from them: the research room's next local action
 * (#research-next, the draft's first line) and the practice loop's
 * readiness (#practice-readiness, its checks done out of those listed).
 *
 * Each textarea is stored in localStorage under "folio:<kind>:<data-key>"
 * (data-key is the page's key, "concept:<id>"), restored on load and saved
 * on every input; "folio:moved:<key>" records that a demo control was
 * moved once.  Nothing is sent anywhere.  Where storage is refused
 * (private mode, file:// in some browsers) the fields still work; the
 * draft's status line says the text will not be kept.  Without this
 * script the next action and the readiness stay hidden.
 */
(function () {
  "use strict";

  function storage() {
    try {
      var s = window.localStorage, probe = "folio:probe";
      s.setItem(probe, "1");
      s.removeItem(probe);
      return s;
    } catch (e) {
      return null;
    }
  }

  // Sets el's text only when it differs, so that a live region speaks
  // only of a change.
  function show(el, text) {
    if (el && el.textContent !== text) el.textContent = text;
  }

  // Restores one textarea and saves it as it changes; onSave(kept) reports
  // whether the text was stored.
  function keep(store, id, kind, onSave) {
    var el = document.getElementById(id);
    if (!el || !el.dataset.key) return null;
    var name = "folio:" + kind + ":" + el.dataset.key;
    if (store) {
      var saved = store.getItem(name);
      if (saved !== null && el.value === "") el.value = saved;
    }
    el.addEventListener("input", function () {
      var kept = false;
      if (store) {
        try {
          if (el.value === "") store.removeItem(name);
          else store.setItem(name, el.value);
          kept = true;
        } catch (e) { /* quota: the text stays in the field only */ }
      }
      if (onSave) onSave(kept);
    });
    return el;
  }

  var store = storage();
  var status = document.getElementById("research-draft-status");
  function say(text) { if (status) status.textContent = text; }

  var prediction = keep(store, "demo-prediction", "prediction", refresh);
  var draft = keep(store, "research-draft", "draft", function (kept) {
    say(kept ? "Draft saved in this browser at " +
        new Date().toLocaleTimeString() + "; nothing is sent anywhere."
      : "This browser refuses to store the draft; copy it before you leave.");
    refresh();
  });
  if (draft) {
    if (!store) say("This browser refuses to store the draft; copy it before you leave.");
    else if (draft.value !== "") say("Draft restored from this browser; nothing is sent anywhere.");
    else say("Your draft is kept in this browser only; nothing is sent anywhere.");
  }

  // A demo control moved once stays moved for this page.  The demo's
  // range inputs are made by demo.js; their input events bubble to #demo.
  var stage = document.getElementById("demo");
  var movedName = stage && stage.dataset.key ? "folio:moved:" + stage.dataset.key : null;
  var moved = !!(store && movedName && store.getItem(movedName) === "1");
  if (stage) {
    stage.addEventListener("input", function (e) {
      if (moved || !e.target || e.target.type !== "range") return;
      moved = true;
      try {
        if (store && movedName) store.setItem(movedName, "1");
      } catch (x) { /* quota: remembered until the page is left */ }
      refresh();
    });
  }

  function filled(el) { return !!el && el.value.trim() !== ""; }

  // The draft's first line that is not blank, or "".
  function firstLine(text) {
    var lines = text.split("\n");
    for (var i = 0; i < lines.length; i++)
      if (lines[i].trim() !== "") return lines[i].trim();
    return "";
  }

  var next = document.getElementById("research-next");
  var nextText = document.getElementById("research-next-text");
  var ready = document.getElementById("practice-readiness");
  var checks = ready ? ready.querySelectorAll("li[data-check]") : [];
  var count = document.getElementById("practice-readiness-count");

  // Shows the next action and the readiness as the fields now stand.
  function refresh() {
    if (next && draft) {
      show(nextText, firstLine(draft.value) || "No local draft saved yet");
      next.hidden = false;
    }
    var done = {prediction: filled(prediction), moved: moved, draft: filled(draft)};
    var n = 0;
    Array.prototype.forEach.call(checks, function (li) {
      var ok = !!done[li.dataset.check];
      li.classList.toggle("is-done", ok);
      show(li.querySelector(".readiness-state"), ok ? "done" : "not yet");
      n += ok ? 1 : 0;
    });
    if (checks.length) {
      show(count, n + "/" + checks.length);
      ready.hidden = false;
    }
  }
  refresh();
})();
