/* Every image of an item: the strip of thumbnails beside the photograph.
 *
 * Without this file each thumbnail is a link to the page showing that image (?image=N). With
 * it, choosing a thumbnail (by mouse, touch, or Enter; the arrow keys, Home and End move
 * between them) shows that image in place: the photograph and its links, the address, the
 * zoom viewer and the box drawing on the "Can you help?" form follow.
 *
 * Other scripts ask for an image with a "gallery:request" event (detail: {index} or {sha}) and
 * hear of every change through "gallery:shown" (detail: {index, sha, link}).
 */
(function () {
  "use strict";

  var STEPS = { ArrowLeft: -1, ArrowUp: -1, ArrowRight: 1, ArrowDown: 1 };

  function fill(template, values) {
    return (template || "").replace(/\{(\w+)\}/g, function (match, key) {
      return Object.prototype.hasOwnProperty.call(values, key) ? String(values[key]) : match;
    });
  }

  function init() {
    var strip = document.querySelector("[data-gallery]");
    var image = document.querySelector("[data-gallery-image]");
    var frame = document.querySelector("[data-region-photo]");
    if (!strip || !image || !frame) {
      return;
    }
    var links = Array.prototype.slice.call(strip.querySelectorAll("[data-gallery-link]"));
    var position = document.querySelector("[data-gallery-position]");
    var size = document.querySelector("[data-gallery-size]");
    var full = document.querySelector("[data-gallery-full] a");
    var original = document.querySelector("[data-gallery-original] a");
    var total = links.length;
    var current = 0;
    links.forEach(function (link, index) {
      if (link.getAttribute("aria-current") === "true") { current = index; }
    });

    function show(index, focus) {
      if (index < 0 || index >= total) {
        return;
      }
      var link = links[index];
      var data = link.dataset;
      links.forEach(function (other) {
        if (other === link) { other.setAttribute("aria-current", "true"); }
        else { other.removeAttribute("aria-current"); }
      });
      if (focus) { link.focus(); }
      if (index === current) {
        return;
      }
      current = index;
      image.src = data.display;
      image.width = parseInt(data.width, 10);
      image.height = parseInt(data.height, 10);
      image.alt = fill(strip.dataset.textAlt, { n: index + 1, total: total });
      frame.href = data.full;
      frame.setAttribute("data-region-image", data.sha);
      if (full) { full.href = data.full; }
      if (original) { original.href = data.original; }
      if (position) { position.textContent = fill(strip.dataset.textPosition, { n: index + 1, total: total }); }
      if (size) {
        size.textContent = "(" + fill(strip.dataset.textSize, { width: data.width, height: data.height }) + ")";
      }
      var url = new URL(window.location.href);
      url.searchParams.set("image", String(index + 1));
      window.history.replaceState(window.history.state, "", url.pathname + url.search + url.hash);
      document.dispatchEvent(new CustomEvent("gallery:shown",
        { detail: { index: index, sha: data.sha, link: link } }));
    }

    links.forEach(function (link, index) {
      link.addEventListener("click", function (event) {
        if (event.button !== 0 || event.ctrlKey || event.metaKey || event.shiftKey || event.altKey) {
          return;  // a new tab or window: the link itself
        }
        event.preventDefault();
        show(index, false);
      });
      link.addEventListener("keydown", function (event) {
        var next = null;
        if (STEPS[event.key]) { next = index + STEPS[event.key]; }
        else if (event.key === "Home") { next = 0; }
        else if (event.key === "End") { next = total - 1; }
        if (next === null) {
          return;
        }
        event.preventDefault();
        show(Math.min(Math.max(next, 0), total - 1), true);
      });
    });

    document.addEventListener("gallery:request", function (event) {
      var detail = event.detail || {};
      var index = typeof detail.index === "number" ? detail.index : -1;
      if (detail.sha) {
        links.forEach(function (link, i) { if (link.dataset.sha === detail.sha) { index = i; } });
      }
      show(index, false);
    });
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", init);
  } else {
    init();
  }
}());
