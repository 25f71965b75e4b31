// Price pages: "Tout sélectionner" for the weekdays, "Ajouter une période", tick every row.
// The server understands the same inputs without this script ("Tout sélectionner" ticked = all days).
(function () {
  "use strict";
  document.addEventListener("change", function (event) {
    var box = event.target;
    var group = box.closest("[data-weekdays]");
    if (group && box.name === "all_weekdays") {
      group.querySelectorAll('input[name="weekdays"]').forEach(function (day) { day.checked = box.checked; });
    } else if (group && box.name === "weekdays") {
      var all = group.querySelector('input[name="all_weekdays"]');
      var days = group.querySelectorAll('input[name="weekdays"]');
      if (all) all.checked = Array.prototype.every.call(days, function (day) { return day.checked; });
    }
    if (box.matches("[data-check-all]")) {
      box.closest("table").querySelectorAll('tbody input[name="ids"]').forEach(function (row) { row.checked = box.checked; });
    }
  });
  document.addEventListener("click", function (event) {
    var button = event.target.closest("[data-add-period]");
    if (!button) return;
    var fieldset = button.closest("fieldset");
    var total = fieldset.querySelector('input[name$="-TOTAL_FORMS"]');
    var count = parseInt(total.value, 10);
    if (count >= parseInt(button.dataset.max, 10)) return;
    var html = fieldset.querySelector("template[data-period-template]").innerHTML.replace(/__prefix__/g, String(count));
    fieldset.querySelector("[data-periods]").insertAdjacentHTML("beforeend", html);
    total.value = String(count + 1);
    var rows = fieldset.querySelectorAll(".period-row");
    var input = rows[rows.length - 1].querySelector("input");
    if (input) input.focus();
  });
})();
