/* Open Pro — the guests' pages. After htmx swaps the lodging's calendar (another month, an arrival
   day), the keyboard keeps its place: htmx itself gives the focus back to the element of the same
   id (the month links, the day chosen); when that element is gone (the first month has no
   "previous month"), the focus goes to the month's title rather than falling to the page. */
(function () {
  "use strict";
  document.addEventListener("htmx:afterSwap", function (event) {
    var box = event.target;
    if (!box || box.id !== "calendar") return;
    var active = document.activeElement;
    if (active && active !== document.body && document.documentElement.contains(active)) return;
    var title = document.getElementById("month-title");
    if (title) title.focus({ preventScroll: true });
  });
})();
