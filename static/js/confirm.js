// Irreversible buttons (data-confirm="question") ask first, in a <dialog>. Without JavaScript the server asks the
// same question on a confirmation page (scheduler/actions.py); with it, "confirmed=1" travels with the form.
(function () {
  "use strict";
  let dialog = null;

  function build() {
    dialog = document.createElement("dialog");
    dialog.className = "confirm-dialog";
    dialog.setAttribute("aria-labelledby", "confirm-dialog-question");
    const p = document.createElement("p");
    p.id = "confirm-dialog-question";
    const form = document.createElement("form");
    form.method = "dialog";
    const yes = document.createElement("button");
    yes.value = "yes";
    yes.className = "danger button";
    const no = document.createElement("button");
    no.value = "no";
    no.textContent = "No, go back";
    no.className = "button";
    form.append(yes, " ", no);
    dialog.append(p, form);
    document.body.append(dialog);
  }

  function ask(question, label) {
    if (!dialog) build();
    dialog.querySelector("p").textContent = question;
    dialog.querySelector("button[value=yes]").textContent = label || "Yes";
    dialog.returnValue = "";
    dialog.showModal();  // modal: the page behind is inert, so Tab stays inside the question (issue 23)
    return new Promise(function (resolve) {
      dialog.addEventListener("close", function () { resolve(dialog.returnValue === "yes"); }, { once: true });
    });
  }

  document.addEventListener("submit", function (event) {
    const form = event.target;
    const button = event.submitter;
    const question = button && button.dataset.confirm;
    if (!question || form.dataset.confirmed === "1") return;
    event.preventDefault();
    event.stopImmediatePropagation();
    ask(question, button.textContent.trim()).then(function (ok) {
      if (!ok) { button.focus(); return; }  // back where the question was asked (issue 23)
      const flag = document.createElement("input");
      flag.type = "hidden";
      flag.name = "confirmed";
      flag.value = "1";
      form.append(flag);
      form.dataset.confirmed = "1";
      form.requestSubmit(button);
    });
  }, true);
})();
