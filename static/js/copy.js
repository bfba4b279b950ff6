// Copy buttons (issue 23): <button data-copy="input-id"> puts that field's value on the clipboard and says so.
// Without JavaScript the buttons stay hidden and the read-only field can still be selected and copied by hand.
(function () {
  "use strict";
  document.querySelectorAll("button[data-copy]").forEach(function (b) { b.hidden = false; });
  document.addEventListener("click", function (event) {
    const button = event.target.closest && event.target.closest("button[data-copy]");
    if (!button) return;
    const field = document.getElementById(button.dataset.copy);
    if (!field) return;
    const status = document.getElementById("copy-status");
    function done(ok) {
      const label = button.dataset.label || button.textContent;
      button.dataset.label = label;
      button.textContent = ok ? "Copied" : "Select and copy it";
      if (status) status.textContent = ok ? "Copied to the clipboard." : "The browser refused; select the address and copy it.";
      window.setTimeout(function () { button.textContent = label; }, 2000);
    }
    field.select();
    if (navigator.clipboard && navigator.clipboard.writeText) {
      navigator.clipboard.writeText(field.value).then(function () { done(true); }, function () { done(false); });
    } else {
      done(false);
    }
  });
})();
