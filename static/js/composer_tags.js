// Composer people tags placed on the photo: click the preview's photo (or press Enter on it) to tag someone
// there; click a tag to move, rename or remove it; arrow keys move a focused tag. The usernames field says who
// is tagged (the no-JavaScript way); user_tag_points says where, as x, y from 0 to 1 of the photo. The server
// checks both (instagram_rules.user_tag_errors) and draws the markers in the preview it sends back.
(function () {
  "use strict";
  const form = document.getElementById("composer");
  const editor = document.getElementById("tag-editor");
  if (!form || !editor) return;
  const names = form.querySelector('input[name="user_tags"]');
  const points = form.querySelector('input[name="user_tag_points"]');
  const who = document.getElementById("tag-username");
  const xIn = document.getElementById("tag-x");
  const yIn = document.getElementById("tag-y");
  const error = document.getElementById("tag-error");
  const removeBtn = document.getElementById("tag-remove");
  let editing = null;  // the username being edited, "" for a new tag, null when closed
  let focusAfter = null;  // what to focus once the server's preview arrives

  const key = (name) => name.replace(/^@/, "").toLowerCase();
  function readPoints() {
    try {
      const list = JSON.parse(points.value || "[]");
      return Array.isArray(list) ? list.filter((p) => p && typeof p === "object" && typeof p.username === "string") : [];
    } catch (err) {
      return [];  // unreadable (the server says so beside the field); placing a tag starts afresh
    }
  }
  function readNames() { return (names.value || "").split(/[\s,]+/).filter(Boolean).map((n) => n.replace(/^@/, "")); }
  function write(list, nameList) {
    points.value = JSON.stringify(list);
    names.value = nameList.join(", ");
    form.dispatchEvent(new CustomEvent("composer-changed"));
  }
  const round = (v) => Math.round(Math.min(1, Math.max(0, v)) * 10000) / 10000;

  function media() { return document.querySelector("#preview .ig-media"); }
  function drawPending() {
    document.querySelectorAll(".tag-pending").forEach((el) => el.remove());
    const box = media();
    if (editing === null || !box) return;
    const dot = document.createElement("span");
    dot.className = "tag-pending";
    dot.setAttribute("aria-hidden", "true");
    dot.style.left = (Number(xIn.value) || 0) + "%";
    dot.style.top = (Number(yIn.value) || 0) + "%";
    box.appendChild(dot);
  }
  function say(text) { error.textContent = text; error.hidden = !text; }

  function open(username, x, y) {
    editing = username;
    who.value = username ? "@" + username : "";
    xIn.value = Math.round(x * 100);
    yIn.value = Math.round(y * 100);
    removeBtn.hidden = !username;
    say("");
    editor.hidden = false;
    drawPending();
    who.focus();
  }
  // focusName: the tag to focus ("" = the photo); later: wait for the server's new preview (after a change).
  function close(focusName, later) {
    editing = null;
    editor.hidden = true;
    say("");
    drawPending();
    focusAfter = focusName;
    if (!later) focusNow();
  }
  function focusNow() {
    if (focusAfter === null) return;
    const target = focusAfter
      ? document.querySelector('.tag-mark[data-tag-user="' + CSS.escape(focusAfter) + '"]')
      : document.getElementById("tag-surface");
    if (target) { target.focus(); focusAfter = null; }
  }

  function save() {
    const username = who.value.trim().replace(/^@/, "");
    const x = Number(xIn.value), y = Number(yIn.value);
    if (!username) return say("Type the Instagram username of the person to tag.");
    if (/[\s,@]/.test(username)) return say("One username only, without spaces or commas.");
    if (xIn.value === "" || yIn.value === "" || !Number.isFinite(x) || !Number.isFinite(y) || x < 0 || x > 100 || y < 0 || y > 100) {
      return say("The place on the photo goes from 0 to 100 per cent, from the left and from the top.");
    }
    const old = editing ? key(editing) : null;
    const list = readPoints().filter((p) => key(p.username) !== key(username) && key(p.username) !== old);
    list.push({ username: username, x: round(x / 100), y: round(y / 100) });
    let nameList = readNames();
    if (old !== null && old !== key(username)) nameList = nameList.map((n) => (key(n) === old ? username : n));
    if (!nameList.some((n) => key(n) === key(username))) nameList.push(username);
    write(list, nameList);
    close(username, true);
  }
  function remove(username) {
    write(readPoints().filter((p) => key(p.username) !== key(username)), readNames().filter((n) => key(n) !== key(username)));
    close("", true);
  }
  function nudge(mark, dx, dy) {
    const username = mark.dataset.tagUser;
    const x = round(Number(mark.dataset.x) / 100 + dx), y = round(Number(mark.dataset.y) / 100 + dy);
    mark.style.left = x * 100 + "%";
    mark.style.top = y * 100 + "%";
    mark.dataset.x = x * 100;
    mark.dataset.y = y * 100;
    const list = readPoints().filter((p) => key(p.username) !== key(username));
    list.push({ username: username, x: x, y: y });
    focusAfter = username;
    write(list, readNames());
  }

  document.addEventListener("click", (e) => {
    const surface = e.target.closest("#tag-surface");
    const mark = e.target.closest(".tag-mark");
    if (mark && !mark.disabled && form.contains(mark)) {
      e.preventDefault();
      open(mark.dataset.tagUser, Number(mark.dataset.x) / 100, Number(mark.dataset.y) / 100);
      return;
    }
    if (!surface) return;
    e.preventDefault();
    const rect = surface.getBoundingClientRect();
    const keyboard = e.detail === 0;  // Enter or Space on the control: no pointer position
    const x = keyboard ? 0.5 : round((e.clientX - rect.left) / rect.width);
    const y = keyboard ? 0.5 : round((e.clientY - rect.top) / rect.height);
    if (editing !== null && !keyboard) {  // moving the open tag's point
      xIn.value = Math.round(x * 100);
      yIn.value = Math.round(y * 100);
      drawPending();
      return;
    }
    if (editing === null) open("", x, y);
  });
  document.addEventListener("keydown", (e) => {
    const mark = e.target.closest && e.target.closest(".tag-mark");
    if (!mark || mark.disabled || !form.contains(mark)) return;
    const step = e.shiftKey ? 0.1 : 0.02;
    const moves = { ArrowLeft: [-step, 0], ArrowRight: [step, 0], ArrowUp: [0, -step], ArrowDown: [0, step] };
    if (moves[e.key]) { e.preventDefault(); nudge(mark, ...moves[e.key]); }
    else if (e.key === "Delete" || e.key === "Backspace") { e.preventDefault(); remove(mark.dataset.tagUser); }
  });
  // The editor's own inputs are not part of the post (they have no names): keep them from the live check.
  ["input", "change"].forEach((type) => editor.addEventListener(type, (e) => { e.stopPropagation(); drawPending(); }));
  editor.addEventListener("keydown", (e) => {
    if (e.key === "Enter" && e.target.tagName === "INPUT") { e.preventDefault(); save(); }
    else if (e.key === "Escape") { e.preventDefault(); close(editing || ""); }
  });
  document.getElementById("tag-save").addEventListener("click", save);
  document.getElementById("tag-cancel").addEventListener("click", () => close(editing || ""));
  removeBtn.addEventListener("click", () => remove(editing || who.value.trim()));
  // The server re-draws the preview (markers included) after each change: put back the pending point and focus.
  ["htmx:afterSettle", "htmx:oobAfterSwap"].forEach((type) => document.body.addEventListener(type, () => {
    drawPending();
    focusNow();
  }));
})();
