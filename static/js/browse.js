/* Browse: the order and collection choices are folded away (<details>) so that on a phone the
 * photographs come first. On a wide screen there is room for both: they are shown open.
 *
 * Without this file the choices stay one click away.
 */
(function () {
  "use strict";

  if (!window.matchMedia("(min-width: 48rem)").matches) {
    return;
  }
  document.querySelectorAll("details[data-open-wide]").forEach(function (details) {
    details.open = true;
  });
})();
