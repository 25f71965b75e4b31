/* Open Pro — the embed script of the booking widgets. An owner pastes, on any site:

     <script src="https://OPEN-PRO/static/js/openpro-widget.js"
             data-openpro-widget="https://OPEN-PRO/fr/widget/site/92750/" async></script>

   It puts an iframe of that widget just after the script tag (or inside any element carrying
   data-openpro-widget) and keeps its height to the page inside, which posts it (openpro-frame.js).
   Only messages from Open Pro's own origin are read, and only for a frame this script made. Nothing
   is loaded from anywhere else; no cookie is needed (the journey's state is on the server). */
(function () {
  "use strict";
  var me = document.currentScript;
  if (window.OpenProWidget) {
    window.OpenProWidget.scan();
    return;
  }
  var ORIGIN = me && me.src ? new URL(me.src, document.baseURI).origin : window.location.origin;
  var frames = [];

  function mount(holder) {
    var url;
    try {
      url = new URL(holder.getAttribute("data-openpro-widget"), document.baseURI);
    } catch (error) {
      return;
    }
    if (url.origin !== ORIGIN) return;
    holder.setAttribute("data-openpro-mounted", "");
    var frame = document.createElement("iframe");
    frame.src = url.href;
    frame.title = holder.getAttribute("data-openpro-title") || (url.pathname.indexOf("/en/") === 0 ? "Online booking" : "Réservation en ligne");
    frame.style.width = "100%";
    frame.style.minWidth = "280px";
    frame.style.border = "0";
    frame.style.display = "block";
    frame.style.height = (holder.getAttribute("data-openpro-height") || "480") + "px";
    var loads = 0;
    frame.addEventListener("load", function () {
      loads += 1;
      // A new step opened inside the frame: bring its top into view if the page scrolled past it.
      if (loads > 1 && frame.getBoundingClientRect().top < 0) frame.scrollIntoView();
    });
    frames.push(frame);
    if (holder.tagName === "SCRIPT") {
      holder.parentNode.insertBefore(frame, holder.nextSibling);
    } else {
      holder.textContent = "";
      holder.appendChild(frame);
    }
  }

  function scan() {
    var holders = document.querySelectorAll("[data-openpro-widget]:not([data-openpro-mounted])");
    for (var index = 0; index < holders.length; index += 1) mount(holders[index]);
  }

  window.addEventListener("message", function (event) {
    if (event.origin !== ORIGIN) return;
    var data = event.data;
    if (!data || data.type !== "openpro-widget:height") return;
    var height = Number(data.height);
    if (!isFinite(height) || height <= 0) return;
    for (var index = 0; index < frames.length; index += 1) {
      if (frames[index].contentWindow === event.source) {
        frames[index].style.height = Math.min(Math.ceil(height), 20000) + "px";
      }
    }
  });

  window.OpenProWidget = { scan: scan, origin: ORIGIN };
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", scan);
  }
  scan();
})();
