// Composer: picking media from the library, reordering by drag (SortableJS) or buttons, showing the parts of the
// form that apply. No Instagram rule lives here: every check, counter, summary and the preview come from the
// server (the form's hx-post to compose_check), which runs the same code the services enforce.
(function () {
  "use strict";
  document.documentElement.classList.add("js");
  // Carousel preview: dots and the counter follow the swipe.
  document.addEventListener("scroll", (e) => {
    const track = e.target;
    if (!track.classList || !track.classList.contains("ig-track")) return;
    const i = Math.round(track.scrollLeft / track.clientWidth);
    const card = track.closest(".ig-card");
    card.querySelectorAll(".ig-dots i").forEach((dot, n) => dot.classList.toggle("on", n === i));
    const count = card.querySelector(".ig-count");
    if (count) count.textContent = (i + 1) + "/" + track.children.length;
  }, true);

  const form = document.getElementById("composer");
  if (!form) return;
  const list = document.getElementById("media-items");
  const tpl = document.getElementById("item-template");

  function renumber() {
    if (list) {
      list.querySelectorAll(".media-item").forEach((li, i) => {
        li.querySelector(".item-n").textContent = i + 1;
        li.querySelector(".move-up").value = "up:" + i;
        li.querySelector(".move-down").value = "down:" + i;
        li.querySelector(".remove-item").value = "remove:" + i;
      });
      const empty = document.querySelector(".empty-items");
      if (empty) empty.hidden = list.children.length > 0;
      document.querySelectorAll(".pick-card").forEach((card) => {
        card.classList.toggle("picked", !!list.querySelector('.media-item[data-asset="' + card.dataset.asset + '"]'));
      });
    }
  }

  function changed() {
    renumber();
    form.dispatchEvent(new CustomEvent("composer-changed"));
  }

  function sync() {
    const checked = (name) => (form.querySelector('input[name="' + name + '"]:checked') || {}).value || "";
    form.dataset.kind = checked("kind");
    form.dataset.when = checked("when") || "none";
    form.dataset.end = checked("repeat_end") || "never";
    // Parts a kind cannot carry hide, unless they hold something: then the server's message beside them says why.
    const filled = (el) => [...el.querySelectorAll("input, textarea")].some((i) => i.value.trim());
    form.querySelectorAll(".not-story").forEach((el) => el.classList.toggle("kind-hidden", form.dataset.kind === "story" && !filled(el)));
    form.querySelectorAll(".not-carousel").forEach((el) => el.classList.toggle("kind-hidden", form.dataset.kind === "carousel" && !filled(el)));
    const repeat = form.querySelector('select[name="repeat"]');
    form.dataset.repeat = repeat ? repeat.value : "";
    const unit = form.querySelector(".rep-unit");
    const every = form.querySelector('input[name="repeat_interval"]');
    const one = !every || every.value === "" || every.value === "1";
    const units = { daily: "day", weekly: "week", monthly_day: "month", monthly_weekday: "month" }[form.dataset.repeat] || "";
    if (unit) unit.textContent = units && (one ? units : units + "s");
  }

  function addItem(card) {
    if (!list || !tpl) return;
    if (list.querySelector('.media-item[data-asset="' + card.dataset.asset + '"]')) {
      card.classList.add("shake");
      setTimeout(() => card.classList.remove("shake"), 400);
      return;
    }
    const li = tpl.content.firstElementChild.cloneNode(true);
    li.dataset.asset = card.dataset.asset;
    li.querySelector('input[name="item_asset"]').value = card.dataset.asset;
    li.querySelector('input[name="item_alt"]').value = card.dataset.alt || "";
    li.querySelector(".item-thumb").src = card.dataset.thumb;
    li.querySelector(".item-title").textContent = card.dataset.title;
    list.appendChild(li);
    changed();
  }

  function move(li, delta) {
    if (delta < 0 && li.previousElementSibling) li.parentNode.insertBefore(li, li.previousElementSibling);
    else if (delta > 0 && li.nextElementSibling) li.parentNode.insertBefore(li.nextElementSibling, li);
    else return;
    changed();
    const again = li.querySelector(delta < 0 ? ".move-up" : ".move-down");
    if (again) again.focus();
  }

  form.addEventListener("click", (e) => {
    const pick = e.target.closest(".pick-card");
    if (pick && pick.closest("#picker-grid")) {
      e.preventDefault();
      addItem(pick);
      return;
    }
    const btn = e.target.closest(".move-up, .move-down, .remove-item");
    if (btn && list && list.contains(btn)) {
      e.preventDefault();
      const li = btn.closest(".media-item");
      if (btn.classList.contains("remove-item")) { li.remove(); changed(); }
      else move(li, btn.classList.contains("move-up") ? -1 : 1);
    }
  });
  form.addEventListener("keydown", (e) => {
    // Enter in a one-line field (alt text, tags, the picker's search) must not save the post half-written.
    if (e.key === "Enter" && e.target.tagName === "INPUT" && e.target.type !== "submit") e.preventDefault();
  });
  // The picker's own inputs (search, kind, file) are not part of the post: keep them from the live check.
  form.querySelectorAll(".picker-bar, #dropzone").forEach((el) => ["input", "change"].forEach((type) =>
    el.addEventListener(type, (e) => e.stopPropagation())));
  form.addEventListener("change", sync);
  form.addEventListener("input", (e) => { if (e.target.name === "repeat_interval") sync(); });

  if (list && window.Sortable) {
    window.Sortable.create(list, {
      handle: ".drag-handle", animation: 150, forceFallback: true, fallbackOnBody: true,
      ghostClass: "drag-ghost", chosenClass: "drag-chosen", onEnd: changed,
    });
  }

  // Files uploaded inside the picker (library.js does the upload): show them first in the picker, ready to pick.
  document.addEventListener("media-uploaded", (e) => {
    const url = form.querySelector("#picker-q").getAttribute("hx-get");
    if (!window.htmx || !url) return;
    window.htmx.ajax("GET", url, { target: "#picker-results", swap: "outerHTML" }).then(() => {
      const card = document.getElementById("pick-" + e.detail.asset.id);
      if (card) card.classList.add("fresh");
      changed();
    });
  });

  sync();
  renumber();
})();
