// Media library: drag-and-drop and picker uploads, one request per file with its own progress bar;
// new cards go to the top of the grid; the detail panel closes and deleted cards leave.
(function () {
  "use strict";
  document.documentElement.classList.add("js");
  const zone = document.getElementById("dropzone");
  const input = document.getElementById("upload-input");
  const list = document.getElementById("upload-list");
  const csrf = () => (document.querySelector("#upload-form [name=csrfmiddlewaretoken]")
    || document.querySelector("[name=csrfmiddlewaretoken]") || {}).value || "";
  const MAX_PARALLEL = 3;
  const queue = [];
  let running = 0;
  let lastCount = 0;  // server time (µs) of the header count shown

  function row(file) {
    const li = document.createElement("li");
    li.className = "uploading";
    const name = document.createElement("span"); name.className = "name"; name.textContent = file.name;
    const bar = document.createElement("progress"); bar.max = 100; bar.value = 0;
    bar.setAttribute("aria-label", "Uploading " + file.name);
    const status = document.createElement("span"); status.className = "status"; status.textContent = "Waiting…";
    li.append(name, bar, status);
    list.prepend(li);
    return { li, bar, status };
  }

  function finish(ui, cls, text) {
    ui.li.className = cls;
    ui.status.textContent = text;
    if (cls === "failed") ui.bar.remove(); else ui.bar.value = 100;
  }

  function addCard(html, id) {
    const grid = document.getElementById("asset-grid");
    if (!grid) return;
    const existing = document.getElementById("asset-" + id);
    const tpl = document.createElement("template");
    tpl.innerHTML = html.trim();
    const card = tpl.content.firstElementChild;
    card.classList.add("fresh");
    if (existing) existing.replaceWith(card); else grid.prepend(card);
    const empty = document.getElementById("library-empty");
    if (empty) empty.remove();
    if (window.htmx) window.htmx.process(card);
  }

  function send(file, ui) {
    running++;
    const xhr = new XMLHttpRequest();
    const body = new FormData();
    body.append("file", file, file.name);
    xhr.open("POST", zone.dataset.uploadUrl);
    xhr.setRequestHeader("Accept", "application/json");
    xhr.setRequestHeader("X-CSRFToken", csrf());
    ui.status.textContent = "0 %";
    xhr.upload.addEventListener("progress", (e) => {
      if (!e.lengthComputable) return;
      const pct = Math.round((e.loaded / e.total) * 100);
      ui.bar.value = pct;
      ui.status.textContent = pct < 100 ? pct + " %" : "Checking…";
    });
    xhr.addEventListener("load", () => {
      let data = null;
      try { data = JSON.parse(xhr.responseText); } catch (err) { data = null; }
      if (data && data.ok) {
        finish(ui, data.duplicate ? "dup" : "done", data.duplicate ? "Already in the library" : "Uploaded");
        ui.li.title = data.message;
        addCard(data.card_html, data.asset.id);
        const total = document.getElementById("library-total");
        // Answers to parallel uploads can arrive out of order: keep the count the server took last.
        if (total && data.total_text && (data.counted_at || 0) >= lastCount) {
          lastCount = data.counted_at || 0;
          total.textContent = data.total_text;
        }
        // Other pages that embed the upload zone (the composer's picker) pick the new asset up from here.
        zone.dispatchEvent(new CustomEvent("media-uploaded", { bubbles: true, detail: data }));
      } else if (data && data.error) {
        finish(ui, "failed", data.error);
      } else if ((xhr.responseURL || "").indexOf("/accounts/login") !== -1) {
        finish(ui, "failed", "“" + file.name + "”: you were signed out. Sign in again (in another tab) and retry.");
      } else if (xhr.status === 403) {
        finish(ui, "failed", "“" + file.name + "”: the page is out of date or your role may not upload. Reload the page and retry.");
      } else if (xhr.status === 413) {
        finish(ui, "failed", "“" + file.name + "”: the file is too large for the server.");
      } else {
        finish(ui, "failed", "“" + file.name + "”: upload failed (" + (xhr.status || "no answer") + "). Try again.");
      }
    });
    xhr.addEventListener("error", () => finish(ui, "failed", "“" + file.name + "”: the connection dropped. Try again."));
    xhr.addEventListener("loadend", () => { running--; pump(); });
    xhr.send(body);
  }

  function pump() {
    while (running < MAX_PARALLEL && queue.length) {
      const job = queue.shift();
      send(job.file, job.ui);
    }
  }

  function enqueue(files) {
    for (const file of files) queue.push({ file, ui: row(file) });
    pump();
  }

  if (zone && input) {
    input.addEventListener("change", () => { enqueue(Array.from(input.files)); input.value = ""; });
    ["dragenter", "dragover"].forEach((t) => zone.addEventListener(t, (e) => { e.preventDefault(); zone.classList.add("dragover"); }));
    ["dragleave", "drop"].forEach((t) => zone.addEventListener(t, (e) => { e.preventDefault(); zone.classList.remove("dragover"); }));
    zone.addEventListener("drop", (e) => { if (e.dataTransfer && e.dataTransfer.files.length) enqueue(Array.from(e.dataTransfer.files)); });
    // Dropping files anywhere on the page uploads them too, instead of the browser opening the file.
    document.addEventListener("dragover", (e) => e.preventDefault());
    document.addEventListener("drop", (e) => {
      if (zone.contains(e.target)) return;
      e.preventDefault();
      if (e.dataTransfer && e.dataTransfer.files.length) enqueue(Array.from(e.dataTransfer.files));
    });
  }

  // Panel: mark the selected card, close button, deleted asset leaves the grid.
  document.addEventListener("click", (e) => {
    const open = e.target.closest(".asset-open");
    if (open) {
      document.querySelectorAll(".asset-card.selected").forEach((c) => c.classList.remove("selected"));
      open.closest(".asset-card").classList.add("selected");
    }
    if (e.target.closest("[data-close-panel]")) {
      const panel = document.getElementById("panel");
      if (panel && zone) panel.innerHTML = '<p class="muted">Select an asset to see its details.</p>';
      else if (!zone) window.history.back();
      document.querySelectorAll(".asset-card.selected").forEach((c) => c.classList.remove("selected"));
    }
  });
  document.body.addEventListener("asset-deleted", (e) => {
    const card = document.getElementById("asset-" + e.detail.id);
    if (card) card.remove();
  });
})();
