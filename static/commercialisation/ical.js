"use strict";
// "Copier": the calendar address goes to the clipboard; the button then says so.
document.addEventListener("click", function (event) {
  var button = event.target.closest("[data-copy]");
  if (!button) return;
  var input = document.querySelector(button.dataset.copy);
  input.select();
  var done = function () { button.textContent = button.dataset.copied; };
  if (navigator.clipboard && window.isSecureContext) { navigator.clipboard.writeText(input.value).then(done); }
  else { document.execCommand("copy"); done(); }
});
