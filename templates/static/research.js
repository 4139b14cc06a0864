/*
 * research.js -- a concept page's research room (#research-room of
 * templates/concept.mustache): anchors the question on any object of the
 * page, and copies the grounded hand-off.
 *
 * The page comes anchored on the concept, with a hidden picker
 * (#research-object, a <select>) whose options are the page's objects:
 * value the key ("claim:exact-density"), data-kind, data-title, data-anchor
 * (the object's id on the page) and data-line (the hand-off's first line
 * for that object), all written by folio and escaped by the template.
 * Choosing an object shows its kind, key and title in #research-anchor,
 * with a link to it, and puts its line in place of the concept's at the
 * head of the hand-off (#handoff); the rest of the hand-off is the same
 * for every object.  Text goes in with textContent and .value only.
 *
 * The copy button writes the hand-off with navigator.clipboard; where that
 * is missing or refused, it selects the text (and tries the older copy
 * command) and says so in a polite live region.
 */
(function () {
  "use strict";
  var handoff = document.getElementById("handoff");
  if (!handoff) return;
  var picker = document.getElementById("research-picker");
  var select = document.getElementById("research-object");
  var anchor = document.getElementById("research-anchor");
  // The server's hand-off, anchored on the concept.
  var served = handoff.defaultValue;
  var said = null;

  function tell(text) { if (said) said.textContent = text; }

  // ---- the object picker
  function picking() {
    if (!picker || !select || !anchor || select.options.length < 2) return;
    var concept = select.options[0], head = concept.dataset.line;
    // Without the concept's line at its head the hand-off cannot be
    // re-anchored: the picker stays hidden and the page as served.
    if (!head || served.indexOf(head) !== 0) return;
    var rest = served.slice(head.length);
    var kind = anchor.querySelector(".object-kind");
    var key = anchor.querySelector(".object-key");
    var facts = anchor.querySelector(".object-facts");
    var conceptFacts = facts ? facts.textContent : "";
    var go = document.createElement("a");
    go.className = "object-goto";
    go.textContent = "Show it on the page";
    anchor.appendChild(go);

    function choose() {
      var o = select.options[select.selectedIndex] || concept;
      if (kind) kind.textContent = o.dataset.kind;
      if (key) key.textContent = o.value;
      if (facts) facts.textContent = o === concept ? conceptFacts : o.dataset.title;
      go.href = "#" + o.dataset.anchor;
      handoff.value = o.dataset.line + rest;
      tell("");
    }
    select.addEventListener("change", choose);
    // A reload may bring back the last choice (the browser restores form
    // fields): show what the picker shows.
    choose();
    picker.hidden = false;
  }

  // ---- the copy button
  function copying() {
    var row = document.createElement("p");
    var button = document.createElement("button");
    row.className = "handoff-actions";
    button.type = "button";
    button.id = "handoff-copy";
    button.className = "button";
    button.textContent = "Copy the hand-off";
    said = document.createElement("span");
    said.id = "handoff-copy-status";
    said.className = "handoff-copy-status";
    said.setAttribute("aria-live", "polite");
    row.appendChild(button);
    row.appendChild(said);
    handoff.parentNode.insertBefore(row, handoff.nextSibling);

    // Selects the text for the reader to copy, after trying the older
    // copy command on it; why says what failed first.
    function fallback(why) {
      handoff.focus();
      handoff.select();
      var copied = false;
      try { copied = document.execCommand("copy"); } catch (e) { copied = false; }
      tell(copied ? "Copied" : why + "; the text is selected: copy it with " +
        "Ctrl+C (\u2318C on a Mac).");
    }
    button.addEventListener("click", function () {
      var text = handoff.value;
      tell("");
      if (!navigator.clipboard || !navigator.clipboard.writeText) {
        fallback("This browser gives the page no clipboard here");
        return;
      }
      navigator.clipboard.writeText(text).then(function () {
        tell("Copied");
      }, function (e) {
        fallback("The browser refused to copy (" +
          (e && e.message ? e.message : String(e)) + ")");
      });
    });
  }

  picking();
  copying();
})();
