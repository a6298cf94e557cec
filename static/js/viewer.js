/* Zoom and pan for the photograph on the item page (OpenSeadragon).
 * Opens on the IIIF image service when the page names one, else on the derivatives the archive
 * already makes (a small image pyramid). Without this script the plain image and link remain. */
(function () {
  "use strict";

  function tileSource(block) {
    var iiif = block.getAttribute("data-iiif");
    if (iiif) { return iiif; }
    var levels = JSON.parse(block.getAttribute("data-levels") || "[]");
    if (levels.length === 1) { return { type: "image", url: levels[0].url }; }
    return { type: "legacy-image-pyramid", levels: levels };
  }

  function setUp(block) {
    if (typeof window.OpenSeadragon !== "function") { return; }  // assets not installed
    var open = block.querySelector("[data-viewer-open]");
    var panel = block.querySelector(".viewer-panel");
    var canvas = block.querySelector("[data-viewer-canvas]");
    var viewer = null;

    function show() {
      panel.hidden = false;
      open.setAttribute("aria-expanded", "true");
      if (!viewer) {
        viewer = window.OpenSeadragon({
          element: canvas,
          prefixUrl: block.getAttribute("data-prefix"),
          tileSources: tileSource(block),
          showNavigationControl: false,
          keyboardNavEnabled: true,
          visibilityRatio: 1,
          constrainDuringPan: true,
          maxZoomPixelRatio: 2,
          crossOriginPolicy: false
        });
        viewer.addHandler("open-failed", function () {
          if (block.getAttribute("data-iiif")) {  // the service is missing: use our derivatives
            block.removeAttribute("data-iiif");
            viewer.open(tileSource(block));
          }
        });
        viewer.addHandler("canvas-key", function (event) {
          if (event.originalEvent.key === "Escape") { hide(); }
        });
      }
      var focusTarget = canvas.querySelector(".openseadragon-canvas") || canvas;
      focusTarget.focus();
    }

    function hide() {
      panel.hidden = true;
      open.setAttribute("aria-expanded", "false");
      open.focus();
    }

    open.hidden = false;
    open.addEventListener("click", function () { if (panel.hidden) { show(); } else { hide(); } });
    block.querySelector("[data-viewer-close]").addEventListener("click", hide);
    block.querySelectorAll("[data-viewer-zoom]").forEach(function (button) {
      button.addEventListener("click", function () {
        if (!viewer) { return; }
        var how = button.getAttribute("data-viewer-zoom");
        if (how === "home") { viewer.viewport.goHome(); }
        else { viewer.viewport.zoomBy(how === "in" ? 1.5 : 1 / 1.5); }
        viewer.viewport.applyConstraints();
      });
    });
    panel.addEventListener("keydown", function (event) {
      if (event.key === "Escape") { hide(); }
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("[data-viewer]").forEach(setUp);
  });
}());
