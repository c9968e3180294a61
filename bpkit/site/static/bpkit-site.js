// bpkit's site: finishing touches on the widgets the embedder draws from stored state.
// - An explorer's picture gets the alt text of its PNG fallback (kept by bpkit.site.ext).
// - A slider handle gets its slider's label as its accessible name.
// - Under each explorer, a line says where its sliders move the picture.
(function () {
  "use strict";

  function labelSliders(root) {
    root.querySelectorAll('[role="slider"]').forEach(function (handle) {
      if (handle.getAttribute("aria-label") || handle.getAttribute("aria-labelledby")) return;
      var box = handle.closest(".widget-slider, .widget-hslider, .widget-vslider, .widget-inline-hbox");
      var label = box && box.querySelector(".widget-label");
      var text = label && label.textContent.trim();
      handle.setAttribute("aria-label", text || "slider");
    });
  }

  function finish(marker) {
    var script = marker.previousElementSibling;
    var view = script && script.previousElementSibling;
    if (!view || !view.querySelector) return false;
    var img = view.querySelector("img");
    if (!img) return false;
    var alt = marker.getAttribute("data-alt");
    img.setAttribute("alt", alt || "The explorer's picture in its stored state");
    labelSliders(view);
    if (!view.nextElementSibling || !view.parentElement.querySelector(".bpkit-explorer-note")) {
      var note = document.createElement("p");
      note.className = "bpkit-explorer-note";
      note.textContent = marker.getAttribute("data-note") ||
        "This explorer shows its stored picture; open the notebook in Jupyter to move it.";
      marker.parentElement.insertBefore(note, marker);
    }
    marker.setAttribute("data-done", "1");
    return true;
  }

  function pass() {
    var left = 0;
    document.querySelectorAll(".bpkit-widget-alt:not([data-done])").forEach(function (marker) {
      if (!finish(marker)) left += 1;
    });
    labelSliders(document);
    return left;
  }

  function start() {
    if (pass() === 0 && document.querySelector(".bpkit-widget-alt") === null) return;
    // Sliders are drawn after the pictures; label every one that appears.
    var observer = new MutationObserver(pass);
    observer.observe(document.body, { childList: true, subtree: true });
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();

// Static explorers (bpkit.site.frames): each slider steps through pictures drawn in
// advance; moving one puts the others back at their stored values.
(function () {
  "use strict";

  function setUp(figure) {
    var controls = JSON.parse(figure.getAttribute("data-controls"));
    var inputs = figure.querySelectorAll("[data-control]");
    var img = figure.querySelector("img");
    var stored = figure.getAttribute("data-alt");

    function show(moved) {
      inputs.forEach(function (input, i) {
        if (i !== moved) input.value = String(controls[i].start);
        if (input.tagName !== "INPUT") return; // a menu shows its own choice
        var label = controls[i].labels[Number(input.value)];
        input.setAttribute("aria-valuetext", label);
        input.nextElementSibling.textContent = label;
      });
      var control = controls[moved];
      var at = Number(inputs[moved].value);
      img.src = control.frames[at];
      img.alt = at === control.start ? stored : control.alts[at];
    }

    inputs.forEach(function (input, i) {
      input.addEventListener(input.tagName === "SELECT" ? "change" : "input", function () {
        show(i);
      });
    });
  }

  function start() {
    document.querySelectorAll("figure.bpkit-frames").forEach(setUp);
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
