// magscan review report. Plain JS, no server: the pages open from file://,
// where fetch() of local files is blocked, so all data is in the HTML itself.
"use strict";

function setHash(hash) {
  // replaceState keeps the back button for real navigation; some browsers
  // refuse it on file:// URLs, and a lost hash is harmless
  try { history.replaceState(null, "", hash || location.pathname + location.search); } catch (e) {}
}

function setupIndex() {
  const table = document.querySelector("table.pages");
  if (!table) return;
  const rows = Array.from(table.tBodies[0].rows);
  const failed = document.getElementById("f-failed");
  const low = document.getElementById("f-low");
  const thr = document.getElementById("f-thr");
  const text = document.getElementById("f-text");
  const flag = document.getElementById("f-flag");
  const shown = document.getElementById("shown");

  function flagMatch(r) {
    const want = flag.value;
    if (!want) return true;
    if (want === "!flagged") return r.dataset.flagged === "1";
    if (want === "!any") return r.dataset.flags !== "";
    return r.dataset.flags.split(" ").includes(want);
  }

  function apply() {
    const limit = parseFloat(thr.value);
    const needle = text.value.trim().toLowerCase();
    let n = 0;
    for (const r of rows) {
      const conf = r.dataset.conf === "" ? NaN : parseFloat(r.dataset.conf);
      const isLow = !isNaN(conf) && !isNaN(limit) && conf < limit;
      r.classList.toggle("low", isLow);
      const hide = (failed.checked && r.dataset.failed !== "1") ||
                   (low.checked && !isLow) || !flagMatch(r) ||
                   (needle && !r.dataset.name.toLowerCase().includes(needle));
      r.classList.toggle("hidden", hide);
      if (!hide) n++;
    }
    shown.textContent = n + " of " + rows.length + " shown";
    // filters survive a visit to a page view and the back button
    const state = new URLSearchParams();
    if (failed.checked) state.set("failed", "1");
    if (low.checked) state.set("low", thr.value);
    if (flag.value) state.set("flag", flag.value);
    if (needle) state.set("q", text.value.trim());
    setHash(state.toString() ? "#" + state : "");
  }

  const init = new URLSearchParams(location.hash.slice(1));
  failed.checked = init.get("failed") === "1";
  if (init.has("low")) { low.checked = true; thr.value = init.get("low") || thr.value; }
  text.value = init.get("q") || "";
  if (init.has("flag")) flag.value = init.get("flag");
  for (const el of [failed, low, thr, text, flag]) el.addEventListener("input", apply);
  apply();

  // sort by clicking a column head; numbers sort as numbers, blanks last
  table.querySelectorAll("th[data-key]").forEach((th) => {
    th.addEventListener("click", () => {
      const key = th.dataset.key;
      const asc = th.getAttribute("aria-sort") !== "ascending";
      table.querySelectorAll("th").forEach((h) => h.removeAttribute("aria-sort"));
      th.setAttribute("aria-sort", asc ? "ascending" : "descending");
      const val = (r) => r.dataset[key] ?? "";
      const numeric = th.dataset.type === "num";
      rows.sort((a, b) => {
        const x = val(a), y = val(b);
        if (x === "" || y === "") return (x === "") - (y === "");
        const c = numeric ? parseFloat(x) - parseFloat(y) : x.localeCompare(y);
        return asc ? c : -c;
      });
      for (const r of rows) table.tBodies[0].appendChild(r);
    });
  });
}

// Zoom: the page picture at (at least) twice its fitted size, inside the
// image column, which then scrolls; the point clicked, or the line asked
// for, is brought to the middle.
function setupZoom() {
  const col = document.querySelector(".imgcol");
  const wrap = document.querySelector(".imgwrap");
  if (!col || !wrap) return null;
  const img = wrap.querySelector("img");

  function zoom(on, fx, fy) {
    if (on === col.classList.contains("zoomed")) {
      if (on && fx !== undefined) centre(fx, fy);
      return;
    }
    if (on) {
      const fit = wrap.getBoundingClientRect().width;
      col.style.width = fit + "px";
      const natural = img && img.naturalWidth ? img.naturalWidth : 0;
      wrap.style.width = Math.max(2 * fit, natural) + "px";
      col.classList.add("zoomed");
      centre(fx === undefined ? 0.5 : fx, fy === undefined ? 0.5 : fy);
    } else {
      col.classList.remove("zoomed");
      col.style.width = "";
      wrap.style.width = "";
    }
  }

  function centre(fx, fy) {
    const r = wrap.getBoundingClientRect();
    col.scrollLeft = fx * r.width - col.clientWidth / 2;
    col.scrollTop = fy * r.height - col.clientHeight / 2;
  }

  wrap.addEventListener("click", (ev) => {
    if (ev.target.closest(".blk")) return;
    const r = wrap.getBoundingClientRect();
    zoom(!col.classList.contains("zoomed"), (ev.clientX - r.left) / r.width,
         (ev.clientY - r.top) / r.height);
  });
  const button = document.getElementById("zoom");
  if (button) button.addEventListener("click", () => zoom(!col.classList.contains("zoomed")));
  document.addEventListener("keydown", (ev) => {
    if (ev.target.closest("input, textarea") || ev.altKey || ev.ctrlKey || ev.metaKey) return;
    if (ev.key === "z") zoom(!col.classList.contains("zoomed"));
  });
  return zoom;
}

function setupPage() {
  const zoom = setupZoom();
  const rects = document.querySelectorAll(".blk[data-b]");
  const items = document.querySelectorAll("li.tb[data-b]");
  if (!items.length) return;

  // a doubtful line's picture or text: its place on the page, zoomed in
  document.querySelectorAll("li.lowline").forEach((li) => li.addEventListener("click", (ev) => {
    ev.stopPropagation();
    const mark = document.querySelector('.ln[data-b="' + li.dataset.b + '"][data-l="' + li.dataset.l + '"]');
    document.querySelectorAll(".ln.sel, li.lowline.sel").forEach((el) => el.classList.remove("sel"));
    li.classList.add("sel");
    select(li.dataset.b, null);
    if (mark && zoom) {
      mark.classList.add("sel");
      const x = (parseFloat(mark.style.left) + parseFloat(mark.style.width) / 2) / 100;
      const y = (parseFloat(mark.style.top) + parseFloat(mark.style.height) / 2) / 100;
      zoom(true, x, y);
    }
  }));

  function select(b, scrollTo) {
    document.querySelectorAll(".sel").forEach((el) => el.classList.remove("sel"));
    const rect = document.querySelector('.blk[data-b="' + b + '"]');
    const item = document.querySelector('li.tb[data-b="' + b + '"]');
    if (rect) rect.classList.add("sel");
    if (item) item.classList.add("sel");
    setHash("#b" + b);
    const target = scrollTo === "text" ? item : scrollTo === "image" ? rect : null;
    if (target) target.scrollIntoView({ block: "nearest", behavior: "smooth" });
  }

  rects.forEach((r) => r.addEventListener("click", (ev) => {
    ev.preventDefault();
    select(r.dataset.b, "text");
  }));
  items.forEach((li) => li.addEventListener("click", (ev) => {
    if (ev.target.closest("a")) return;
    select(li.dataset.b, "image");
  }));
  // j / k step through the blocks in reading order
  const order = Array.from(items, (li) => li.dataset.b);
  document.addEventListener("keydown", (ev) => {
    if (ev.target.closest("input, textarea") || ev.altKey || ev.ctrlKey || ev.metaKey) return;
    const cur = document.querySelector("li.tb.sel");
    const i = cur ? order.indexOf(cur.dataset.b) : -1;
    if (ev.key === "j") select(order[Math.min(order.length - 1, i + 1)], "text");
    else if (ev.key === "k") select(order[Math.max(0, i - 1)], "text");
  });
  const m = /^#b(\d+)$/.exec(location.hash);
  if (m) select(m[1], "text");
}

document.addEventListener("DOMContentLoaded", () => { setupIndex(); setupPage(); });
