/* The moderation queue, from the keyboard.
 *
 * After a decision the page comes back with the next note's row in the address (#c123): its
 * first action is focused, so the archivist goes on with the keyboard where they left off.
 * "Select every note on this page" ticks the rows for a bulk decision.
 *
 * Without this file everything works; the browser only scrolls to the next note.
 */
(function () {
  "use strict";

  function focusRow(id) {
    var row = document.getElementById(id);
    if (!row || !row.classList.contains("queue-row")) {
      return;
    }
    var target = row.querySelector(
      ".queue-actions .decision-buttons button, .queue-actions a, .note-heading");
    if (target) {
      target.focus();
    }
  }

  function setUpSelectAll() {
    var holder = document.querySelector("[data-select-all]");
    if (!holder) {
      return;
    }
    var button = holder.querySelector("button");
    holder.hidden = false;
    button.addEventListener("click", function () {
      var boxes = document.querySelectorAll('input[form="bulk-form"][name="ids"]');
      var all = Array.prototype.every.call(boxes, function (box) { return box.checked; });
      Array.prototype.forEach.call(boxes, function (box) { box.checked = !all; });
      button.textContent = all ? "Select every note on this page" : "Clear the selection";
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    if (window.location.hash.length > 1) {
      focusRow(window.location.hash.slice(1));
    }
    setUpSelectAll();
  });
})();
