/*
 * drafts.js -- keeps the reader's own text on a concept page in this
 * browser (templates/concept.mustache): the demo's prediction
 * (#demo-prediction) and the research room's draft (#research-draft).
 *
 * Each textarea is stored in localStorage under "folio:<kind>:<data-key>"
 * (data-key is the page's key, "concept:<id>"), restored on load and saved
 * on every input.  Nothing is sent anywhere.  Where storage is refused
 * (private mode, file:// in some browsers) the fields still work; the
 * draft's status line says the text will not be kept.
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

  keep(store, "demo-prediction", "prediction", null);
  var draft = keep(store, "research-draft", "draft", function (kept) {
    say(kept ? "Draft saved in this browser at " +
        new Date().toLocaleTimeString() + "; nothing is sent anywhere."
      : "This browser refuses to store the draft; copy it before you leave.");
  });
  if (draft) {
    if (!store) say("This browser refuses to store the draft; copy it before you leave.");
    else if (draft.value !== "") say("Draft restored from this browser; nothing is sent anywhere.");
    else say("Your draft is kept in this browser only; nothing is sent anywhere.");
  }
})();
