"use strict";
  // The "Send by mail" form sends the language chosen in the edition settings.
  document.querySelectorAll("#id_language").forEach(function (select) {
    select.addEventListener("change", function () {
      document.querySelectorAll("[data-copy-language] input[name=language]").forEach(function (input) { input.value = select.value; });
    });
  });
