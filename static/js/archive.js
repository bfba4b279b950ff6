// Archive gallery: a lightbox over the grid (caption, date, counts, links), arrow keys between posts,
// carousel items inside a post. Without JavaScript every tile links to the post's own page.
(function () {
  "use strict";
  document.documentElement.classList.add("js");
  const dialog = document.getElementById("lightbox");
  if (!dialog) return;
  const stage = document.getElementById("lb-stage");
  let tiles = [];
  let index = -1;
  let item = 0;

  function el(tag, attrs, text) {
    const node = document.createElement(tag);
    Object.entries(attrs || {}).forEach(([k, v]) => node.setAttribute(k, v));
    if (text !== undefined) node.textContent = text;
    return node;
  }

  function data(i) {
    try { return JSON.parse(tiles[i].dataset.post); } catch (e) { return null; }
  }

  function renderMedia(post) {
    stage.replaceChildren();
    const media = post.media[item] || {};
    if (media.src && media.kind === "VIDEO") {
      stage.append(el("video", { src: media.src, controls: "", autoplay: "", poster: media.thumb || "", class: "lb-media" }));
    } else if (media.src || media.thumb) {
      stage.append(el("img", { src: media.src || media.thumb, alt: post.caption ? post.caption.slice(0, 120) : "", class: "lb-media" }));
    } else {
      stage.append(el("p", { class: "muted" }, media.error || "This file is not stored yet."));
    }
    if (media.error) stage.append(el("p", { class: "lb-error" }, media.error));
    renderLinks(post, media);
    if (post.media.length > 1) {
      const dots = el("div", { class: "lb-items" });
      const prev = el("button", { type: "button", "aria-label": "Previous item" }, "‹");
      const next = el("button", { type: "button", "aria-label": "Next item" }, "›");
      prev.disabled = item === 0;
      next.disabled = item === post.media.length - 1;
      prev.addEventListener("click", () => { item -= 1; renderMedia(post); });
      next.addEventListener("click", () => { item += 1; renderMedia(post); });
      dots.append(prev, el("span", { id: "lb-item-count" }, `${item + 1} / ${post.media.length}`), next);
      stage.append(dots);
    }
  }

  function renderLinks(post, media) {
    const links = document.getElementById("lb-links");
    links.replaceChildren();
    if (post.permalink) links.append(el("a", { href: post.permalink, target: "_blank", rel: "noopener noreferrer" }, "View on Instagram ↗"));
    if (media.download) links.append(" ", el("a", { href: media.download, class: "lb-download" }, post.media.length > 1 ? `Download item ${item + 1}` : "Download original"));
  }

  function show(i) {
    if (i < 0 || i >= tiles.length) return;
    index = i;
    item = 0;
    const post = data(i);
    if (!post) return;
    renderMedia(post);
    document.getElementById("lb-date").textContent = `${post.date} · ${post.type}${post.deleted ? " · deleted on Instagram" : ""}`;
    const likes = post.likes === null ? "likes hidden" : `${post.likes.toLocaleString()} likes`;
    const comments = post.comments === null ? "" : ` · ${post.comments.toLocaleString()} comments`;
    document.getElementById("lb-counts").textContent = likes + comments;
    document.getElementById("lb-caption").textContent = post.caption || "(no caption)";
    document.getElementById("lb-prev").disabled = i === 0;
    document.getElementById("lb-next").disabled = i === tiles.length - 1;
    dialog.dataset.index = String(i);
  }

  function open(link) {
    tiles = Array.from(document.querySelectorAll("#tile-grid .tile-link"));
    const i = tiles.indexOf(link);
    if (i < 0) return;
    // showModal() makes the page behind inert: Tab stays inside the lightbox (issue 23).
    if (!dialog.open) dialog.showModal();
    show(i);
    document.getElementById("lb-close").focus();
  }

  document.addEventListener("click", (event) => {
    const link = event.target.closest && event.target.closest("#tile-grid .tile-link");
    if (!link || event.metaKey || event.ctrlKey || event.shiftKey || event.button !== 0) return;
    event.preventDefault();
    open(link);
  });
  document.getElementById("lb-prev").addEventListener("click", () => show(index - 1));
  document.getElementById("lb-next").addEventListener("click", () => show(index + 1));
  document.getElementById("lb-close").addEventListener("click", () => dialog.close());
  dialog.addEventListener("click", (event) => { if (event.target === dialog) dialog.close(); });
  dialog.addEventListener("close", () => {
    stage.replaceChildren();
    // Focus returns to the tile of the post last shown (the one opened, or where the arrows led). After a task:
    // Chromium restores focus to the element focused before showModal() around the close event, which would win.
    const back = tiles[index];
    if (back) setTimeout(() => back.focus(), 0);
  });
  document.addEventListener("keydown", (event) => {
    if (!dialog.open) return;
    if (event.key === "ArrowRight") { event.preventDefault(); show(index + 1); }
    if (event.key === "ArrowLeft") { event.preventDefault(); show(index - 1); }
  });
})();
