/* Grid planner: drag a planned tile onto another planned tile to swap their publish times, or a draft from the
   rail onto a free slot; the tiles' Earlier / Later buttons swap with the planned neighbour. Each POST carries the
   posts' versions. A swap is answered with only the tiles it changed (#grid-changes: the two posts, each taking
   the other's place, and their neighbours, whose buttons now name other posts); a refused or conflicting swap and
   a placed draft with the whole grid body re-rendered by the server (the tiles where they really are and a
   message). Without scripts the Earlier / Later buttons and the rail's "Next free slot" are plain forms. */
(function () {
  "use strict";
  let dragging = null;

  function csrf() {
    try { return JSON.parse(document.body.getAttribute("hx-headers") || "{}")["X-CSRFToken"] || ""; }
    catch (e) { return ""; }
  }
  function body() { return document.getElementById("grid-body"); }

  function flash(text, ok) {
    const box = document.getElementById("grid-flash");
    if (!box) return;
    box.textContent = text;
    box.className = "grid-flash " + (ok ? "ok" : "err");
  }

  /* The changed tiles of a swap: find every tile to be replaced first (two posts trade places, so an id is
     briefly on two tiles), then put each fresh tile where its old one was. A tile not on this page is skipped. */
  function patch(changes) {
    const fresh = Array.prototype.slice.call(changes.querySelectorAll(".tile[data-replaces]"));
    const olds = fresh.map(function (t) { return document.getElementById(t.dataset.replaces); });
    if (!olds.some(Boolean)) return false;
    document.querySelectorAll("#ig-grid .tile.flash").forEach(function (el) { el.classList.remove("flash"); });
    fresh.forEach(function (tile, n) {
      if (!olds[n]) return;
      tile.removeAttribute("data-replaces");
      olds[n].replaceWith(document.importNode(tile, true));
    });
    const news = changes.querySelector("#grid-flash");
    if (news) flash(news.textContent, news.classList.contains("ok"));
    return true;
  }

  function replace(html) {
    const doc = new DOMParser().parseFromString(html, "text/html");
    const changes = doc.getElementById("grid-changes");
    if (changes) return patch(changes);
    const fresh = doc.getElementById("grid-body");
    const old = body();
    if (!fresh || !old) return false;
    old.replaceWith(fresh);
    if (window.htmx) window.htmx.process(fresh);
    return true;
  }

  function send(url, data) {
    if (!data.has("page")) data.append("page", (body() && body().dataset.page) || "1");
    flash("Saving…", true);
    return fetch(url, { method: "POST", body: data, credentials: "same-origin",
      headers: { "X-CSRFToken": csrf(), "X-Grid": "1" } })
      .then(function (r) { return r.text().then(function (t) { return { ok: r.ok, text: t }; }); })
      .then(function (res) {
        if (!replace(res.text)) {
          flash(res.ok ? "Saved; reload to see it." : "That did not work; reload the page.", res.ok);
          return;
        }
        const marked = document.querySelector("#ig-grid .tile.flash");
        if (marked) marked.scrollIntoView({ block: "nearest" });
      })
      .catch(function () { flash("The server could not be reached; nothing was changed. Try again.", false); });
  }

  function fields(obj) {
    const data = new FormData();
    Object.keys(obj).forEach(function (k) { data.append(k, obj[k]); });
    return data;
  }

  function clearMarks() {
    document.querySelectorAll(".drop-ok").forEach(function (el) { el.classList.remove("drop-ok"); });
  }

  function accepts(tile) {
    if (!dragging || !tile) return false;
    if (dragging.kind === "tile") return tile.dataset.movable === "1" && tile.dataset.post !== dragging.post;
    return tile.classList.contains("tile-slot");
  }

  document.addEventListener("dragstart", function (e) {
    const el = e.target.closest && e.target.closest('.tile[draggable="true"], .rail-draft');
    if (!el) return;
    dragging = { kind: el.classList.contains("rail-draft") ? "draft" : "tile", post: el.dataset.post,
      version: el.dataset.version, el: el };
    el.classList.add("dragging");
    e.dataTransfer.effectAllowed = "move";
    e.dataTransfer.setData("text/plain", el.dataset.post);
  });
  document.addEventListener("dragend", function () {
    if (dragging) dragging.el.classList.remove("dragging");
    dragging = null;
    clearMarks();
  });
  document.addEventListener("dragover", function (e) {
    const tile = e.target.closest && e.target.closest(".tile");
    if (!accepts(tile)) return;
    e.preventDefault();
    e.dataTransfer.dropEffect = "move";
    clearMarks();
    tile.classList.add("drop-ok");
  });
  document.addEventListener("dragleave", function (e) {
    const tile = e.target.closest && e.target.closest(".tile");
    if (tile && !tile.contains(e.relatedTarget)) tile.classList.remove("drop-ok");
  });
  document.addEventListener("drop", function (e) {
    const tile = e.target.closest && e.target.closest(".tile");
    if (!accepts(tile)) return;
    e.preventDefault();
    const b = body();
    const from = dragging;
    clearMarks();
    if (from.kind === "tile") {
      send(b.dataset.swapUrl, fields({ post: from.post, version: from.version, target: tile.dataset.post,
        target_version: tile.dataset.version }));
    } else {
      send(b.dataset.placeUrl, fields({ post: from.post, version: from.version, slot: tile.dataset.slot }));
    }
  });

  /* Earlier / Later: the same request as a drop; then the keyboard stays on the post that moved (the same button
     when it still has one, else the other, else the tile). */
  document.addEventListener("submit", function (e) {
    const form = e.target.closest && e.target.closest(".tile-moves form");
    if (!form || !body()) return;
    e.preventDefault();
    const pressed = (e.submitter || form.querySelector("button[data-move]") || {}).dataset || {};
    send(form.action, new FormData(form)).then(function () {
      const tile = document.querySelector("#ig-grid .tile.flash");
      if (!tile) return;
      const again = tile.querySelector('button[data-move="' + pressed.move + '"]') || tile.querySelector("button[data-move]");
      if (again) again.focus();
      else { tile.tabIndex = -1; tile.focus(); }
    });
  });
})();
