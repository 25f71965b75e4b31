// Open Pro — planning: select days by clicking or dragging (mouse, pen or finger), then ask the
// server (htmx) what can be done on them. Nothing else here: htmx does the partial updates.
(function () {
  "use strict";
  var drag = null;

  function nextDay(iso) {
    var parts = iso.split("-").map(Number);
    var day = new Date(Date.UTC(parts[0], parts[1] - 1, parts[2] + 1));
    return day.toISOString().slice(0, 10);
  }

  function clearSelection() {
    document.querySelectorAll(".pl-cell.is-selected").forEach(function (cell) {
      cell.classList.remove("is-selected");
    });
  }

  function indexAt(cells, x) {
    for (var i = 0; i < cells.length; i++) {
      var rect = cells[i].getBoundingClientRect();
      if (x >= rect.left && x < rect.right) return i;
    }
    if (cells.length && x < cells[0].getBoundingClientRect().left) return 0;
    return cells.length - 1;
  }

  // The selection grows from the first day towards the pointer, over days of the same state only.
  function paint() {
    var step = drag.current >= drag.anchor ? 1 : -1;
    var last = drag.anchor;
    for (var i = drag.anchor + step; step > 0 ? i <= drag.current : i >= drag.current; i += step) {
      if (drag.cells[i].dataset.state !== drag.state) break;
      last = i;
    }
    drag.first = Math.min(drag.anchor, last);
    drag.last = Math.max(drag.anchor, last);
    drag.cells.forEach(function (cell, index) {
      cell.classList.toggle("is-selected", index >= drag.first && index <= drag.last);
    });
  }

  function openSelection(selection) {
    var page = document.querySelector(".planning-page");
    var body = document.getElementById("planning-body");
    var dialog = document.getElementById("planning-dialog");
    var params = new URLSearchParams({
      lodging: selection.lodging,
      arrival: selection.cells[selection.first].dataset.day,
      departure: nextDay(selection.cells[selection.last].dataset.day),
      debut: body ? body.dataset.start : "",
    });
    var url = page.dataset.selectionUrl + "?" + params.toString();
    if (!window.htmx || !dialog || typeof dialog.showModal !== "function") {
      window.location.href = url;
      return;
    }
    window.htmx.ajax("GET", url, { target: "#planning-dialog-content", swap: "innerHTML" }).then(function () {
      if (!dialog.open) dialog.showModal();
    });
  }

  document.addEventListener("pointerdown", function (event) {
    if (event.button !== 0) return;
    var cell = event.target.closest(".pl-cell");
    if (!cell || (cell.dataset.state !== "free" && cell.dataset.state !== "prohibited")) return;
    var row = cell.closest(".pl-cells");
    var cells = Array.prototype.slice.call(row.querySelectorAll(".pl-cell"));
    var index = cells.indexOf(cell);
    drag = { cells: cells, lodging: row.dataset.lodging, state: cell.dataset.state, anchor: index, current: index };
    clearSelection();
    paint();
    event.preventDefault();
  });

  document.addEventListener("pointermove", function (event) {
    if (!drag) return;
    var index = indexAt(drag.cells, event.clientX);
    if (index !== drag.current) {
      drag.current = index;
      paint();
    }
  });

  document.addEventListener("pointerup", function () {
    if (!drag) return;
    var selection = drag;
    drag = null;
    openSelection(selection);
  });

  document.addEventListener("pointercancel", function () {
    drag = null;
    clearSelection();
  });

  // A lodging's online status opens its visibility window in the dialog (its page without htmx).
  document.addEventListener("click", function (event) {
    var link = event.target.closest("a[data-planning-dialog]");
    var dialog = document.getElementById("planning-dialog");
    if (!link || !window.htmx || !dialog || typeof dialog.showModal !== "function") return;
    event.preventDefault();
    window.htmx.ajax("GET", link.href, { target: "#planning-dialog-content", swap: "innerHTML" }).then(function () {
      if (!dialog.open) dialog.showModal();
    });
  });

  // After a prohibition is saved the server swaps the planning and triggers "planning-changed".
  document.addEventListener("planning-changed", function () {
    var dialog = document.getElementById("planning-dialog");
    if (dialog && dialog.open) dialog.close();
  });

  document.addEventListener(
    "close",
    function (event) {
      if (event.target.id === "planning-dialog") {
        clearSelection();
        document.getElementById("planning-dialog-content").innerHTML = "";
      }
    },
    true
  );
})();
