// Composer location: a place search (combobox + listbox, results from compose_places) for accounts connected
// with Facebook Login; the Facebook Page id field stays the way in for everyone else and without JavaScript.
(function () {
  "use strict";
  const form = document.getElementById("composer");
  const field = document.getElementById("place-field");
  if (!form || !field) return;
  const search = document.getElementById("place-search");
  const input = document.getElementById("place-q");
  const unavailable = document.getElementById("place-unavailable");
  const idInput = form.querySelector('input[name="location_id"]');
  const nameInput = form.querySelector('input[name="location_name"]');
  const chosen = document.getElementById("place-chosen");
  const chosenName = document.getElementById("place-chosen-name");
  const clear = document.getElementById("place-clear");
  const allowed = (field.dataset.searchAccounts || "").split(",").filter(Boolean);
  let active = -1;

  function options() { return [...field.querySelectorAll("#place-results [role=option]")]; }
  function listbox() { return document.getElementById("place-results"); }

  function accountChanged() {
    const account = form.querySelector('select[name="account"]');
    const ok = !!account && allowed.includes(account.value);
    search.hidden = !ok;
    unavailable.hidden = ok || !account || !account.value;
  }

  function setOpen(open) {
    input.setAttribute("aria-expanded", open ? "true" : "false");
    const box = listbox();
    if (box && !open) box.hidden = true;
    if (!open) { active = -1; input.removeAttribute("aria-activedescendant"); }
  }

  function highlight(n) {
    const opts = options();
    if (!opts.length) return;
    active = (n + opts.length) % opts.length;
    opts.forEach((o, i) => o.setAttribute("aria-selected", i === active ? "true" : "false"));
    input.setAttribute("aria-activedescendant", opts[active].id);
    opts[active].scrollIntoView({ block: "nearest" });
  }

  function show(name, id) {
    chosenName.textContent = name || (id ? "Page " + id : "");
    chosen.hidden = !id;
  }

  function choose(opt) {
    idInput.value = opt.dataset.placeId;
    nameInput.value = opt.dataset.placeName;
    show(opt.dataset.placeName, opt.dataset.placeId);
    setOpen(false);
    const status = document.getElementById("place-status");
    if (status) { status.className = "place-status small muted"; status.textContent = "Location set: " + opt.dataset.placeName + "."; }
    input.value = "";
    input.focus();
    form.dispatchEvent(new CustomEvent("composer-changed"));
  }

  // The search box is not part of the post: keep its typing away from the live check.
  ["input", "change"].forEach((type) => search.addEventListener(type, (e) => e.stopPropagation()));
  input.addEventListener("keydown", (e) => {
    const opts = options();
    if (e.key === "ArrowDown" || e.key === "ArrowUp") {
      if (!opts.length) return;
      e.preventDefault();
      setOpen(true);
      listbox().hidden = false;
      highlight(active < 0 ? (e.key === "ArrowDown" ? 0 : -1) : active + (e.key === "ArrowDown" ? 1 : -1));
    } else if (e.key === "Enter") {
      e.preventDefault();  // never submits the post from here
      if (active >= 0 && opts[active]) choose(opts[active]);
    } else if (e.key === "Escape") {
      setOpen(false);
    }
  });
  field.addEventListener("click", (e) => {
    const opt = e.target.closest("[role=option]");
    if (opt) { e.preventDefault(); choose(opt); }
  });
  document.body.addEventListener("htmx:afterSwap", (e) => {
    if (!e.detail.target || e.detail.target.id !== "place-box") return;
    active = -1;
    setOpen(options().length > 0);
  });
  if (clear) clear.addEventListener("click", () => {
    idInput.value = "";
    nameInput.value = "";
    show("", "");
    idInput.focus();
    form.dispatchEvent(new CustomEvent("composer-changed"));
  });
  // A Page id typed by hand names no searched place: drop the stale name, show the id.
  idInput.addEventListener("input", () => {
    nameInput.value = "";
    const typed = idInput.value.trim();
    show("", /^[0-9]+$/.test(typed) ? typed : "");  // anything else gets the server's message beside the field
  });
  form.addEventListener("change", (e) => { if (e.target.name === "account") accountChanged(); });
  accountChanged();
})();
