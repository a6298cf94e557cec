/* Zoom and pan for the photograph on the item page (OpenSeadragon).
 * Opens on the IIIF image service when the page names one, else on the derivatives the archive
 * already makes (a small image pyramid). Without this script the plain image and link remain.
 * An item with several images (a strip of thumbnails, see gallery.js) opens them all, on the
 * image the page shows: "Previous image" and "Next image" (or N, P, Page Down, Page Up) move
 * between them, and the page follows the viewer as the viewer follows the page. */
(function () {
  "use strict";

  function tileSource(element, useIiif) {
    var iiif = element.getAttribute("data-iiif");
    if (iiif && useIiif) { return iiif; }
    var levels = JSON.parse(element.getAttribute("data-levels") || "[]");
    if (levels.length === 1) { return { type: "image", url: levels[0].url }; }
    return { type: "legacy-image-pyramid", levels: levels };
  }

  /* The images the viewer opens: every image of the item (the strip's links), or the one. */
  function imageElements(block) {
    var links = document.querySelectorAll("[data-gallery] [data-gallery-link]");
    return links.length > 1 ? Array.prototype.slice.call(links) : [block];
  }

  function setUp(block) {
    if (typeof window.OpenSeadragon !== "function") { return; }  // assets not installed
    var open = block.querySelector("[data-viewer-open]");
    var panel = block.querySelector(".viewer-panel");
    var canvas = block.querySelector("[data-viewer-canvas]");
    var viewer = null;
    var images = imageElements(block);
    var useIiif = true;
    var current = 0;
    images.forEach(function (element, index) {
      if (element.getAttribute("aria-current") === "true") { current = index; }
    });

    function sources() {
      var list = images.map(function (element) { return tileSource(element, useIiif); });
      return list.length > 1 ? list : list[0];
    }

    function step(by) {
      var next = current + by;
      if (images.length < 2 || next < 0 || next >= images.length) { return; }
      // The page shows that image; the viewer follows it (the "gallery:shown" event).
      document.dispatchEvent(new CustomEvent("gallery:request", { detail: { index: next } }));
    }

    document.addEventListener("gallery:shown", function (event) {
      current = event.detail.index;
      if (viewer && viewer.currentPage() !== current) { viewer.goToPage(current); }
    });

    function show() {
      panel.hidden = false;
      open.setAttribute("aria-expanded", "true");
      if (!viewer) {
        viewer = window.OpenSeadragon({
          element: canvas,
          prefixUrl: block.getAttribute("data-prefix"),
          tileSources: sources(),
          sequenceMode: images.length > 1,
          initialPage: current,
          showSequenceControl: false,
          showNavigationControl: false,
          keyboardNavEnabled: true,
          visibilityRatio: 1,
          constrainDuringPan: true,
          maxZoomPixelRatio: 2,
          crossOriginPolicy: false
        });
        viewer.addHandler("open-failed", function () {
          if (useIiif) {  // the service is missing: use our derivatives
            useIiif = false;
            viewer.open(sources(), current);
          }
        });
        viewer.addHandler("canvas-key", function (event) {
          var key = event.originalEvent.key;
          if (key === "Escape") { hide(); }
          else if (key === "n" || key === "N" || key === "PageDown") {
            event.preventDefaultAction = true;
            step(1);
          } else if (key === "p" || key === "P" || key === "PageUp") {
            event.preventDefaultAction = true;
            step(-1);
          }
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
    block.querySelectorAll("[data-viewer-step]").forEach(function (button) {
      button.addEventListener("click", function () {
        step(parseInt(button.getAttribute("data-viewer-step"), 10));
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
