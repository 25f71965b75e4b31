// Open Pro — small behaviours of the back-office shell. No framework; htmx does the rest.
(function () {
  "use strict";
  function setCookie(name, value) {
    document.cookie = name + "=" + value + "; path=/; max-age=31536000; SameSite=Lax";
  }
  document.addEventListener("click", function (event) {
    var toggle = event.target.closest("[data-menu-toggle]");
    if (toggle) {
      var open = document.body.classList.toggle("menu-open");
      toggle.setAttribute("aria-expanded", open ? "true" : "false");
      return;
    }
    var collapse = event.target.closest("[data-menu-collapse]");
    if (collapse) {
      var collapsed = document.body.classList.toggle("menu-collapsed");
      collapse.setAttribute("aria-pressed", collapsed ? "true" : "false");
      setCookie("menu_collapsed", collapsed ? "1" : "0");
      return;
    }
    // Close the account menu when clicking elsewhere.
    document.querySelectorAll("details.account-menu[open]").forEach(function (details) {
      if (!details.contains(event.target)) details.removeAttribute("open");
    });
  });
  // Confirmation before destructive actions: <button data-confirm="…">.
  document.addEventListener("submit", function (event) {
    var submitter = event.submitter;
    var message = (submitter && submitter.dataset.confirm) || event.target.dataset.confirm;
    if (message && !window.confirm(message)) event.preventDefault();
  });
  // Unsaved edits are never lost: a form marked data-track-changes remembers it was changed; a
  // form with data-unsaved-form="<id of that form>" (the photo upload of a lodging) is then not
  // sent and shows its warning instead: save the edits first.
  function markChanged(event) {
    var form = event.target.form;
    if (form && form.hasAttribute("data-track-changes")) form.dataset.changed = "1";
  }
  document.addEventListener("input", markChanged);
  document.addEventListener("change", markChanged);
  document.addEventListener("submit", function (event) {
    var watched = event.target.dataset.unsavedForm;
    var other = watched && document.getElementById(watched);
    if (!other || other.dataset.changed !== "1") return;
    event.preventDefault();
    var warning = event.target.querySelector("[data-unsaved-warning]");
    if (warning) {
      warning.hidden = false;
      warning.focus();
    }
  });
})();
