// Shuttle: small progressive enhancements; every page works without this file.
(function () {
  "use strict";

  // Type-to-filter boxes above long checkbox lists (the profile's facets).
  function initTermFilters(root) {
    root.querySelectorAll("input.term-filter[data-filter-target]").forEach(function (box) {
      var list = document.getElementById(box.dataset.filterTarget);
      if (!list || box.dataset.ready) return;
      box.dataset.ready = "1";
      box.hidden = false;
      box.addEventListener("input", function () {
        var needle = box.value.trim().toLowerCase();
        var parent = null;
        list.querySelectorAll("[data-search]").forEach(function (label) {
          var match = needle === "" || label.dataset.search.toLowerCase().indexOf(needle) !== -1;
          label.hidden = !match;
          // A matching child keeps its parent (the group it belongs to) in view.
          if (label.classList.contains("depth-0")) parent = label;
          else if (match && parent) parent.hidden = false;
        });
      });
    });
  }

  // Keep ticked counts in facet legends current.
  function initCounts(root) {
    root.querySelectorAll("fieldset.facet").forEach(function (fieldset) {
      var count = fieldset.querySelector("[data-count-for]");
      if (!count) return;
      fieldset.addEventListener("change", function () {
        var n = fieldset.querySelectorAll("input[type=checkbox]:checked").length;
        count.textContent = n ? "(" + n + ")" : "";
      });
    });
  }

  // Directory: keep the facet panels the user opened open across htmx swaps.
  var openPanels = [];
  document.addEventListener("htmx:beforeSwap", function () {
    openPanels = Array.prototype.map.call(document.querySelectorAll("#directory details[open]"), function (d) { return d.id; });
  });
  document.addEventListener("htmx:afterSettle", function (event) {
    openPanels.forEach(function (id) {
      var panel = document.getElementById(id);
      if (panel) panel.open = true;
    });
    initTermFilters(event.target);
  });

  document.addEventListener("DOMContentLoaded", function () {
    initTermFilters(document);
    initCounts(document);
  });
})();
