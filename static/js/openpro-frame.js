/* Open Pro — inside a widget's frame: tell the page around it how tall this page is, so that the
   embed script (openpro-widget.js) sizes the frame to it, at every step and every change. Only a
   height is sent (to any parent: it is no secret); the parent checks that it comes from us. */
(function () {
  "use strict";
  if (window.parent === window) return;
  var last = 0;
  function post() {
    var height = Math.ceil(document.documentElement.getBoundingClientRect().height);
    if (height === last) return;
    last = height;
    window.parent.postMessage({ type: "openpro-widget:height", height: height }, "*");
  }
  function start() {
    post();
    if ("ResizeObserver" in window) {
      new ResizeObserver(post).observe(document.body);
    } else {
      window.setInterval(post, 500);
    }
    window.addEventListener("load", post);
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
