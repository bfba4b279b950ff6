// Every modal <dialog> keeps Tab inside itself (issue 23). showModal() makes the page behind inert, but Chromium
// still lets Tab leave the page for the browser's own controls; here Tab and Shift+Tab wrap around instead.
(function () {
  "use strict";
  const FOCUSABLE = "a[href], button:not([disabled]), input:not([disabled]):not([type=hidden]), select:not([disabled])," +
    " textarea:not([disabled]), video[controls], [tabindex]:not([tabindex='-1'])";

  document.addEventListener("keydown", function (event) {
    if (event.key !== "Tab") return;
    const dialog = document.querySelector("dialog[open]:modal");
    if (!dialog) return;
    const items = Array.prototype.filter.call(dialog.querySelectorAll(FOCUSABLE), function (el) {
      return el.offsetParent !== null || el.getClientRects().length > 0;
    });
    if (!items.length) { event.preventDefault(); return; }
    const first = items[0];
    const last = items[items.length - 1];
    const inside = dialog.contains(document.activeElement);
    if (event.shiftKey && (!inside || document.activeElement === first)) { event.preventDefault(); last.focus(); }
    else if (!event.shiftKey && (!inside || document.activeElement === last)) { event.preventDefault(); first.focus(); }
  });
})();
