/* Grid planner: drag a planned tile onto another planned tile to swap their publish times, or a draft from the
   rail onto a free slot. Each drop POSTs the posts' versions; the answer is the grid body re-rendered by the
   server (a refused or conflicting swap comes back with the tiles where they really are and a message). Without
   scripts the Earlier / Later buttons and the rail's "Next free slot" do the same as plain forms. */
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

  function replace(html) {
    const doc = new DOMParser().parseFromString(html, "text/html");
    const fresh = doc.getElementById("grid-body");
    const old = body();
    if (!fresh || !old) return false;
    old.replaceWith(fresh);
    if (window.htmx) window.htmx.process(fresh);
    const marked = fresh.querySelector(".tile.flash");
    if (marked) marked.scrollIntoView({ block: "nearest" });
    return true;
  }

  function send(url, fields) {
    const data = new FormData();
    Object.keys(fields).forEach(function (k) { data.append(k, fields[k]); });
    data.append("page", (body() && body().dataset.page) || "1");
    flash("Saving…", true);
    return fetch(url, { method: "POST", body: data, credentials: "same-origin",
      headers: { "X-CSRFToken": csrf(), "X-Grid": "1" } })
      .then(function (r) { return r.text().then(function (t) { return { ok: r.ok, text: t }; }); })
      .then(function (res) { if (!replace(res.text)) flash(res.ok ? "Saved; reload to see it." : "That did not work; reload the page.", res.ok); })
      .catch(function () { flash("The server could not be reached; nothing was changed. Try again.", false); });
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
      send(b.dataset.swapUrl, { post: from.post, version: from.version, target: tile.dataset.post,
        target_version: tile.dataset.version });
    } else {
      send(b.dataset.placeUrl, { post: from.post, version: from.version, slot: tile.dataset.slot });
    }
  });

  /* After an Earlier / Later button (htmx swaps the grid body), keep the keyboard on the post that moved. */
  document.addEventListener("htmx:afterSettle", function () {
    const fresh = body();
    if (!fresh || (document.activeElement && document.activeElement !== document.body)) return;
    const tile = fresh && fresh.querySelector(".tile.flash");
    if (!tile) return;
    const again = tile.querySelector("button[data-move]");
    (again || tile).focus && (again || tile).focus();
  });
})();
