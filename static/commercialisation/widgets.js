/* "Moteurs de réservation": copy a snippet; mount the previews again after the options changed. */
(function () {
  "use strict";
  var status = function (text) {
    var region = document.getElementById("copy-status");
    if (region) region.textContent = text;
  };
  document.addEventListener("click", function (event) {
    var button = event.target.closest("[data-copy]");
    if (!button) return;
    var field = document.getElementById(button.getAttribute("data-copy"));
    if (!field) return;
    var done = function () {
      var label = button.getAttribute("data-label") || button.textContent;
      button.setAttribute("data-label", label);
      button.textContent = button.getAttribute("data-copied") || label;
      status(button.textContent);
      window.setTimeout(function () { button.textContent = label; }, 2000);
    };
    if (navigator.clipboard && window.isSecureContext) {
      navigator.clipboard.writeText(field.value).then(done, function () {
        field.select();
        document.execCommand("copy");
        done();
      });
    } else {
      field.select();
      document.execCommand("copy");
      done();
    }
  });
  document.addEventListener("htmx:afterSettle", function () {
    if (window.OpenProWidget) window.OpenProWidget.scan();
  });
})();
