// Phone (issue 23): a <details class="fold-narrow"> folds its content behind its summary on a narrow screen only.
// On a wide screen the summary is hidden (pressroom.css) and this keeps the details open; on a narrow screen it
// starts closed and the summary opens it. Without this script the wide-screen CSS shows the content anyway.
(function () {
  "use strict";
  var wide = window.matchMedia("(min-width: 701px)");
  function sync() {
    document.querySelectorAll("details.fold-narrow").forEach(function (d) { d.open = wide.matches; });
  }
  if (wide.addEventListener) wide.addEventListener("change", sync);
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", sync);
  else sync();
})();
