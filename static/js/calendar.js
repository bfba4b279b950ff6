/* Editorial calendar: native HTML5 drag and drop of cards, the series question, the timezone note.
   Every drop POSTs to the move endpoint with the card's version; the answer is the grid re-rendered by the
   server (a refused or conflicting move comes back with the card where it really is and a message). */
(function () {
  "use strict";
  document.documentElement.classList.add("js");
  const mine = (Intl.DateTimeFormat().resolvedOptions() || {}).timeZone || "";
  let dragging = null;

  function csrf() {
    try { return JSON.parse(document.body.getAttribute("hx-headers") || "{}")["X-CSRFToken"] || ""; }
    catch (e) { return ""; }
  }
  function grid() { return document.getElementById("calendar-body"); }

  function fmt(date, zone) {
    return date.toLocaleString(undefined, { timeZone: zone, weekday: "short", day: "numeric", month: "short",
      hour: "2-digit", minute: "2-digit", hourCycle: "h23" });
  }

  /* A browser in another zone than the workspace: say so once, and put both times on every card's hover. */
  function timezones(root) {
    const body = grid();
    if (!body || !mine) return;
    const ws = body.dataset.tz;
    if (mine === ws) return;
    const note = document.getElementById("tz-note");
    if (note && note.hidden) {
      note.hidden = false;
      note.textContent = "Times are shown in the workspace's time zone, " + ws + ". Your browser is set to " +
        mine + ": hover over a time to see both.";
    }
    (root || body).querySelectorAll("time.cal-time").forEach(function (t) {
      const d = new Date(t.getAttribute("datetime"));
      if (isNaN(d)) return;
      // The server's line first: it carries the zone abbreviation where two equal wall times differ (02:30 CET).
      if (!t.dataset.ws) t.dataset.ws = t.title || (fmt(d, ws) + " " + ws);
      t.title = t.dataset.ws + "\n" + fmt(d, mine) + " your time (" + mine + ")";
    });
  }

  function flash(text, ok) {
    const box = document.getElementById("calendar-flash");
    if (!box) return;
    box.textContent = text;
    box.className = "cal-flash " + (ok ? "ok" : "err");
  }

  function swap(html) {
    const doc = new DOMParser().parseFromString(html, "text/html");
    const fresh = doc.getElementById("calendar-body");
    const old = grid();
    if (!fresh || !old) return false;
    const oldWrap = old.querySelector(".cal-week-wrap");
    const keepScroll = oldWrap ? oldWrap.scrollTop : null;
    old.replaceWith(fresh);
    syncFilters(fresh);
    if (window.htmx) window.htmx.process(fresh);
    timezones(fresh);
    const newWrap = fresh.querySelector(".cal-week-wrap");
    if (keepScroll !== null && newWrap) { newWrap.scrollTop = keepScroll; newWrap.dataset.scrolled = "1"; }
    const marked = fresh.querySelector(".cal-card.flash");
    if (marked) marked.scrollIntoView({ block: "nearest" });
    rove(fresh);
    return true;
  }

  function refresh() {
    return fetch(window.location.href, { headers: { "HX-Request": "true", "HX-Target": "calendar-body" },
      credentials: "same-origin" }).then(function (r) { return r.text(); }).then(swap);
  }

  function askScope() {
    const dialog = document.getElementById("series-dialog");
    if (!dialog || !dialog.showModal) return Promise.resolve("this");
    return new Promise(function (resolve) {
      dialog.returnValue = "";
      dialog.addEventListener("close", function once() {
        dialog.removeEventListener("close", once);
        resolve(dialog.returnValue || "cancel");
      });
      dialog.showModal();
    });
  }

  function move(card, at, fold) {
    const body = grid();
    const ask = card.dataset.series ? askScope() : Promise.resolve("this");
    return ask.then(function (scope) {
      if (scope === "cancel") return refresh();
      const form = new URLSearchParams(body.dataset.query || "");
      form.set("at", at);
      form.set("fold", fold);
      form.set("version", card.dataset.version);
      form.set("scope", scope);
      if (card.dataset.occurrence) form.set("occurrence", card.dataset.occurrence);
      body.setAttribute("aria-busy", "true");
      return fetch(body.dataset.moveBase + card.dataset.post, {
        method: "POST", body: form, credentials: "same-origin",
        headers: { "X-CSRFToken": csrf(), "X-Calendar": "1", "HX-Request": "true", "HX-Target": "calendar-body" },
      }).then(function (r) {
        return r.text().then(function (html) {
          if (swap(html)) { focusCard(card.dataset.key, card.dataset.post); return; }
          {
            return refresh().then(function () {
              flash(r.status === 403 ? "Your role may not move posts." :
                "The move did not go through (the server answered " + r.status + "). Nothing changed.", false);
            });
          }
        });
      }).catch(function () {
        return refresh().then(function () { flash("The move did not go through: no connection. Nothing changed.", false); });
      });
    });
  }

  function target(el) {
    return el && el.closest ? el.closest(".cal-slot[data-at], .cal-fold, td.cal-hour, td.cal-day") : null;
  }

  /* The local time a drop means; the server turns it into an instant (accounts/localtime.py: a time that does not
     exist moves forward by the gap, one that happens twice is the pass dropped on, or the card's own). */
  function timeFor(t, card) {
    if (t.classList.contains("cal-slot")) return t.dataset.at;  // a posting slot: its exact time
    const minutes = (card.dataset.localTime || "00:00").slice(3, 5);
    const cell = t.classList.contains("cal-fold") ? t.closest("td.cal-hour") : t;
    if (cell.classList.contains("cal-hour")) {  // week: that hour row, the card's own minutes
      return cell.dataset.date + "T" + String(cell.dataset.hour).padStart(2, "0") + ":" + minutes;
    }
    return t.dataset.date + "T" + card.dataset.localTime;  // month: another day, same local time of day
  }

  function foldFor(t, card) {
    if (t.classList.contains("cal-fold")) return t.dataset.fold;
    return t.classList.contains("cal-day") ? (card.dataset.fold || "0") : "0";
  }

  function unmark() {
    document.querySelectorAll(".drop-over").forEach(function (el) { el.classList.remove("drop-over"); });
  }

  document.addEventListener("dragstart", function (e) {
    const locked = e.target.closest ? e.target.closest(".cal-card[data-locked]") : null;
    if (locked) { e.preventDefault(); flash(locked.dataset.locked, false); return; }  // say why (issue 23)
    const card = e.target.closest ? e.target.closest(".cal-card[data-movable]") : null;
    if (!card) return;
    dragging = card;
    e.dataTransfer.effectAllowed = "move";
    e.dataTransfer.setData("text/plain", card.dataset.key);
    card.classList.add("dragging");
  });
  document.addEventListener("dragend", function () {
    if (dragging) dragging.classList.remove("dragging");
    dragging = null;
    unmark();
  });
  document.addEventListener("dragover", function (e) {
    const t = dragging && target(e.target);
    if (!t) return;
    e.preventDefault();
    e.dataTransfer.dropEffect = "move";
    if (!t.classList.contains("drop-over")) { unmark(); t.classList.add("drop-over"); }
  });
  document.addEventListener("drop", function (e) {
    const t = dragging && target(e.target);
    if (!t) return;
    e.preventDefault();
    const card = dragging;
    unmark();
    const at = timeFor(t, card);
    const fold = foldFor(t, card);
    const current = card.dataset.localDate + "T" + card.dataset.localTime;
    const cell = t.classList.contains("cal-slot") ? t.parentElement : t;
    if (cell.contains(card) && !t.classList.contains("cal-slot") && !t.classList.contains("cal-hour") &&
        !t.classList.contains("cal-fold")) return;
    cell.appendChild(card);  // where the user put it, until the server's grid replaces it
    card.classList.add("moving");
    if (at === current && fold === (card.dataset.fold || "0")) return;
    move(card, at, fold);
  });

  /* The filter bar lives outside the swapped grid: keep its view and date in step with what the grid shows. */
  function syncFilters(root) {
    const body = root && root.id === "calendar-body" ? root : grid();
    const form = document.getElementById("calendar-filters");
    if (!body || !form) return;
    const query = new URLSearchParams(body.dataset.query || "");
    ["view", "date"].forEach(function (name) {
      if (form.elements[name] && query.get(name)) form.elements[name].value = query.get(name);
    });
  }

  /* The week opens at the working day (07:00) or at its earliest card, whichever is first. */
  function scrollWeek(root) {
    const wrap = (root || document).querySelector(".cal-week-wrap");
    if (!wrap || wrap.dataset.scrolled) return;
    wrap.dataset.scrolled = "1";
    const first = wrap.querySelector("td.cal-hour .cal-card");
    const hour = Math.min(7, first ? Number(first.closest("td").dataset.hour) : 7);
    const row = wrap.querySelector("#hour-" + hour);
    const head = wrap.querySelector("thead");
    if (row) wrap.scrollTop = row.offsetTop - (head ? head.offsetHeight : 0);
  }

  /* Keyboard (issue 23): roving focus. One cell of the grid is in the tab order (tabindex 0), the others and every
     link inside the grid are -1; arrow keys move between cells, Enter goes to a cell's posts, Enter on a post shows
     its actions (its links join the tab order), Escape goes back out. */
  const CELLS = "td.cal-day, td.cal-hour, section.cal-agenda-day";
  function cells() {
    const g = document.getElementById("calendar-grid");
    return g ? Array.prototype.slice.call(g.querySelectorAll(CELLS)) : [];
  }
  function rove(root) {
    const all = cells();
    if (!all.length) return;
    (root || document).querySelectorAll("#calendar-grid a, #calendar-grid button").forEach(function (a) {
      if (!a.closest(".cal-card.cal-actions-open")) a.setAttribute("tabindex", "-1");
    });
    let current = all.filter(function (c) { return c.getAttribute("tabindex") === "0"; })[0];
    if (!current) {
      current = all.filter(function (c) { return c.classList.contains("today"); })[0] ||
        all.filter(function (c) { return c.querySelector(".cal-card"); })[0] || all[0];
    }
    all.forEach(function (c) { c.setAttribute("tabindex", c === current ? "0" : "-1"); });
  }
  function focusCell(cell) {
    if (!cell) return;
    cells().forEach(function (c) { c.setAttribute("tabindex", c === cell ? "0" : "-1"); });
    cell.focus();
  }
  function closeActions(card) {
    card.classList.remove("cal-actions-open");
    card.querySelectorAll("a, button").forEach(function (a) { a.setAttribute("tabindex", "-1"); });
  }
  function neighbour(cell, key) {
    const all = cells();
    const i = all.indexOf(cell);
    if (cell.matches("td")) {
      const row = cell.parentElement;
      const col = Array.prototype.indexOf.call(row.children, cell);
      if (key === "ArrowLeft" || key === "ArrowRight") return all[i + (key === "ArrowLeft" ? -1 : 1)] || null;
      const other = key === "ArrowUp" ? row.previousElementSibling : row.nextElementSibling;
      return other ? other.children[col] : null;
    }
    return all[i + (key === "ArrowUp" || key === "ArrowLeft" ? -1 : 1)] || null;  // agenda: a list of days
  }
  document.addEventListener("keydown", function (e) {
    const t = e.target;
    if (!t.closest || !t.closest("#calendar-grid")) return;
    const arrows = ["ArrowLeft", "ArrowRight", "ArrowUp", "ArrowDown"];
    if (t.matches(CELLS)) {
      if (arrows.indexOf(e.key) >= 0) { e.preventDefault(); focusCell(neighbour(t, e.key)); }
      else if (e.key === "Enter") {
        const first = t.querySelector(".cal-card");
        if (first) { e.preventDefault(); first.focus(); }
      }
      return;
    }
    const card = t.closest(".cal-card");
    if (!card) return;
    const cell = card.closest(CELLS);
    if (t === card) {
      const siblings = Array.prototype.slice.call(cell.querySelectorAll(".cal-card"));
      const i = siblings.indexOf(card);
      if (e.key === "Enter") {
        e.preventDefault();
        card.classList.add("cal-actions-open");
        const links = card.querySelectorAll("a, button");
        links.forEach(function (a) { a.setAttribute("tabindex", "0"); });
        if (links.length) links[links.length - 1].focus();  // the last action is Move where the role may move posts
      } else if (e.key === "ArrowDown" || e.key === "ArrowUp") {
        e.preventDefault();
        const next = siblings[i + (e.key === "ArrowDown" ? 1 : -1)];
        if (next) next.focus();
      } else if (e.key === "Escape") { e.preventDefault(); focusCell(cell); }
      return;
    }
    if (e.key === "Escape") { e.preventDefault(); closeActions(card); card.focus(); }
  });
  document.addEventListener("focusout", function (e) {
    const card = e.target.closest && e.target.closest(".cal-card.cal-actions-open");
    if (card && !card.contains(e.relatedTarget)) closeActions(card);
  });
  document.addEventListener("focusin", function (e) {  // a click or a skip link into a cell makes it the tab stop
    const cell = e.target.matches && e.target.matches(CELLS) ? e.target : null;
    if (cell && cell.getAttribute("tabindex") !== "0") cells().forEach(function (c) {
      c.setAttribute("tabindex", c === cell ? "0" : "-1");
    });
  });
  /* After a move, focus is on the moved card: the htmx answer's card, or the no-JS redirect's #card-… fragment. */
  function focusCard(key, post) {
    const card = (key && document.getElementById("card-" + key)) ||
      (post && document.querySelector('.cal-card[data-post="' + post + '"]'));
    if (!card) return;
    const cell = card.closest(CELLS);
    if (cell) cells().forEach(function (c) { c.setAttribute("tabindex", c === cell ? "0" : "-1"); });
    card.focus({ preventScroll: false });
  }

  // After htmx swapped the grid (navigation, filters, history): the new grid is whatever #calendar-body is now.
  function afterHtmx() { syncFilters(); timezones(); scrollWeek(); rove(); }
  document.addEventListener("htmx:afterSwap", afterHtmx);
  document.addEventListener("htmx:afterSettle", afterHtmx);
  timezones();
  scrollWeek();
  rove();
  if (/^#card-/.test(window.location.hash)) focusCard(window.location.hash.slice(6));
})();
