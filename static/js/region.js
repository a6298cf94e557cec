/* Pointing at the photo.
 *
 * On the "Can you help?" form: draw a box on the photograph (mouse, pen or touch through Pointer
 * Events; or the keyboard: arrow keys move the box, Shift + arrow keys resize it) to say which
 * person or building a note is about. The box is written to the hidden region_x, region_y,
 * region_w and region_h fields as fractions of the photograph's width and height.
 *
 * On the item page: an approved note that points at an area has a "Show on the photo" button;
 * pressing it, or hovering or focusing the note, outlines the area on the photograph.
 *
 * An item with several images: the box is drawn on the image the page shows (the form's
 * region_image field names it); choosing another image (gallery.js) moves the drawing there,
 * clearing a box drawn on the one before. A note's area is outlined on its own image: showing
 * it brings that image up first.
 *
 * Without this file the form works as before, with no area marked.
 */
(function () {
  "use strict";

  var STEP = 0.02; // the arrow keys move or resize the box by 2% of the photograph
  var MIN = 0.02; // the smallest box, as a fraction of each side
  var KEYS = { ArrowLeft: [-1, 0], ArrowRight: [1, 0], ArrowUp: [0, -1], ArrowDown: [0, 1] };

  function clamp(value, low, high) {
    return Math.min(Math.max(value, low), high);
  }

  function percent(value) {
    return Math.round(value * 100) + "%";
  }

  function placeBox(element, region) {
    element.style.left = region.x * 100 + "%";
    element.style.top = region.y * 100 + "%";
    element.style.width = region.w * 100 + "%";
    element.style.height = region.h * 100 + "%";
  }

  function readRegion(values) {
    var numbers = values.map(function (value) { return parseFloat(value); });
    if (!numbers.every(isFinite) || numbers[2] <= 0 || numbers[3] <= 0) {
      return null;
    }
    return { x: numbers[0], y: numbers[1], w: numbers[2], h: numbers[3] };
  }

  /* Keep a box inside the photograph and no smaller than MIN on either side. */
  function within(region) {
    var w = clamp(region.w, MIN, 1);
    var h = clamp(region.h, MIN, 1);
    return { x: clamp(region.x, 0, 1 - w), y: clamp(region.y, 0, 1 - h), w: w, h: h };
  }

  /* The page gives the words in its own language (data-text-* on the picker); English otherwise. */
  function describe(region, texts) {
    if (!region) {
      return texts.textNone || "No area marked.";
    }
    var template = texts.textMarked ||
      "Area marked: {x1} to {x2} across, {y1} to {y2} down the photograph.";
    return template.replace("{x1}", percent(region.x)).replace("{x2}", percent(region.x + region.w))
      .replace("{y1}", percent(region.y)).replace("{y2}", percent(region.y + region.h));
  }

  function initPicker(picker) {
    var form = picker.closest("form");
    var fields = ["region_x", "region_y", "region_w", "region_h"].map(function (name) {
      return form.elements.namedItem(name);
    });
    var stage = picker.querySelector("[data-region-stage]");
    var box = picker.querySelector("[data-region-box]");
    var markButton = picker.querySelector("[data-region-mark]");
    var clearButton = picker.querySelector("[data-region-clear]");
    var status = picker.querySelector("[data-region-status]");
    if (fields.some(function (field) { return !field; }) || !stage || !box) {
      return;
    }
    var region = null;
    var drag = null;

    function show(next, announce) {
      region = next;
      box.hidden = !region;
      clearButton.hidden = !region;
      markButton.textContent = region
        ? (picker.dataset.textMove || "Move or resize the box with the keyboard")
        : (picker.dataset.textMark || "Mark an area with the keyboard");
      if (region) {
        placeBox(box, region);
      }
      if (announce) {
        status.textContent = describe(region, picker.dataset);
      }
    }

    function save(next) {
      if (next) {
        var x = Math.round(next.x * 10000) / 10000;
        var y = Math.round(next.y * 10000) / 10000;
        // Never past the photograph's right or bottom edge once rounded.
        var w = Math.min(Math.round(next.w * 10000), 10000 - Math.round(x * 10000)) / 10000;
        var h = Math.min(Math.round(next.h * 10000), 10000 - Math.round(y * 10000)) / 10000;
        fields[0].value = x;
        fields[1].value = y;
        fields[2].value = w;
        fields[3].value = h;
      } else {
        fields.forEach(function (field) { field.value = ""; });
      }
      show(next, true);
    }

    function pointAt(event) {
      var rect = stage.getBoundingClientRect();
      return {
        x: clamp((event.clientX - rect.left) / rect.width, 0, 1),
        y: clamp((event.clientY - rect.top) / rect.height, 0, 1),
      };
    }

    stage.addEventListener("pointerdown", function (event) {
      if (event.button !== 0 || drag) {
        return;
      }
      var point = pointAt(event);
      if (region && box.contains(event.target)) {
        drag = { mode: "move", dx: point.x - region.x, dy: point.y - region.y, before: region };
        box.focus({ preventScroll: true });
      } else {
        drag = { mode: "draw", anchor: point, before: region };
      }
      drag.pointerId = event.pointerId;
      stage.setPointerCapture(event.pointerId);
      event.preventDefault();
    });

    stage.addEventListener("pointermove", function (event) {
      if (!drag || event.pointerId !== drag.pointerId) {
        return;
      }
      var point = pointAt(event);
      if (drag.mode === "move") {
        show(within({ x: point.x - drag.dx, y: point.y - drag.dy, w: region.w, h: region.h }));
      } else {
        show({
          x: Math.min(drag.anchor.x, point.x),
          y: Math.min(drag.anchor.y, point.y),
          w: Math.abs(point.x - drag.anchor.x),
          h: Math.abs(point.y - drag.anchor.y),
        });
      }
    });

    function finish(event) {
      if (!drag || event.pointerId !== drag.pointerId) {
        return;
      }
      var tooSmall = region && (region.w < MIN || region.h < MIN);
      if (event.type === "pointercancel" || tooSmall) {
        // A tap or a cancelled gesture leaves the box as it was.
        show(drag.before);
      } else if (region) {
        save(within(region));
      }
      if (stage.hasPointerCapture(event.pointerId)) {
        stage.releasePointerCapture(event.pointerId);
      }
      drag = null;
    }
    stage.addEventListener("pointerup", finish);
    stage.addEventListener("pointercancel", finish);

    box.addEventListener("keydown", function (event) {
      var key = KEYS[event.key];
      if (key && region) {
        var next = event.shiftKey
          ? { x: region.x, y: region.y, w: region.w + key[0] * STEP, h: region.h + key[1] * STEP }
          : { x: region.x + key[0] * STEP, y: region.y + key[1] * STEP, w: region.w, h: region.h };
        save(within(next));
        event.preventDefault();
      } else if (event.key === "Delete" || event.key === "Backspace") {
        save(null);
        markButton.focus();
        event.preventDefault();
      }
    });

    markButton.addEventListener("click", function () {
      if (!region) {
        save({ x: 0.3, y: 0.3, w: 0.4, h: 0.4 });
      }
      box.focus();
    });

    clearButton.addEventListener("click", function () {
      save(null);
      markButton.focus();
    });

    var which = picker.querySelector("[data-region-which]");
    var imageField = form.elements.namedItem("region_image");
    var stageImage = stage.querySelector("img");
    document.addEventListener("gallery:shown", function (event) {
      var data = event.detail.link.dataset;
      if (imageField && imageField.value === data.sha) {
        return;
      }
      if (imageField) { imageField.value = data.sha; }
      stageImage.src = data.display;
      stageImage.width = parseInt(data.width, 10);
      stageImage.height = parseInt(data.height, 10);
      if (which && which.dataset.text) {
        var total = document.querySelectorAll("[data-gallery-link]").length;
        which.textContent = which.dataset.text.replace("{n}", String(event.detail.index + 1))
          .replace("{total}", String(total));
      }
      var action = new URL(form.action, window.location.href);
      action.searchParams.set("image", String(event.detail.index + 1));
      form.action = action.pathname + action.search + action.hash;
      if (region) {
        save(null);  // a box belongs to the image it was drawn on
      }
    });

    picker.hidden = false;
    var initial = readRegion(fields.map(function (field) { return field.value; }));
    show(initial ? within(initial) : null, false);
  }

  function initNotes() {
    var frame = document.querySelector("[data-region-photo]");
    var notes = Array.prototype.slice.call(document.querySelectorAll("[data-region-x]"));
    if (!frame || !notes.length) {
      return;
    }
    var outline = document.createElement("span");
    outline.className = "region-outline";
    outline.hidden = true;
    outline.setAttribute("aria-hidden", "true");
    outline.setAttribute("data-region-outline", "");
    frame.appendChild(outline);
    var pinned = null;

    function regionOf(note) {
      var data = note.dataset;
      return readRegion([data.regionX, data.regionY, data.regionW, data.regionH]);
    }

    function outlineFor(note) {
      var region = note && regionOf(note);
      // Only on the note's own image (older pages name none: the one image).
      if (region && note.dataset.regionImage &&
          note.dataset.regionImage !== frame.getAttribute("data-region-image")) {
        region = null;
      }
      outline.hidden = !region;
      if (region) {
        placeBox(outline, within(region));
      }
    }

    function frameInView() {
      var rect = frame.getBoundingClientRect();
      return rect.top >= 0 && rect.bottom <= window.innerHeight;
    }

    notes.forEach(function (note) {
      if (!regionOf(note)) {
        return;
      }
      var control = note.querySelector("[data-region-show]");
      var button = control && control.querySelector("button");
      if (button) {
        control.hidden = false;
        button.addEventListener("click", function () {
          if (pinned && pinned !== note) {
            pinned.querySelector("[data-region-show] button").setAttribute("aria-pressed", "false");
          }
          pinned = pinned === note ? null : note;
          button.setAttribute("aria-pressed", pinned === note ? "true" : "false");
          if (pinned && note.dataset.regionImage) {  // bring the note's image up first
            document.dispatchEvent(new CustomEvent("gallery:request",
              { detail: { sha: note.dataset.regionImage } }));
          }
          outlineFor(pinned);
          if (pinned && !frameInView()) {
            frame.scrollIntoView({ block: "center" });
          }
        });
      }
      note.addEventListener("mouseenter", function () { outlineFor(note); });
      note.addEventListener("mouseleave", function () { outlineFor(pinned); });
      note.addEventListener("focusin", function () { outlineFor(note); });
      note.addEventListener("focusout", function () { outlineFor(pinned); });
    });
    document.addEventListener("gallery:shown", function () { outlineFor(pinned); });
  }

  function init() {
    Array.prototype.forEach.call(document.querySelectorAll("[data-region-picker]"), initPicker);
    initNotes();
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", init);
  } else {
    init();
  }
})();
