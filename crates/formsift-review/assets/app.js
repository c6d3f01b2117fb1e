// formsift review page: a queue of review items, the source beside the
// extracted row, and accept / correct / not-a-row decisions saved to the
// corrections file through the local API.
"use strict";

const $ = (sel) => document.querySelector(sel);
const state = { meta: null, items: [], index: -1, detail: null };

function esc(s) {
  return String(s ?? "").replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" }[c]));
}

function toast(text, error) {
  const t = $("#toast");
  t.textContent = text;
  t.className = "show" + (error ? " error" : "");
  clearTimeout(toast.timer);
  toast.timer = setTimeout(() => (t.className = ""), error ? 6000 : 2500);
}

async function api(path, options) {
  const r = await fetch(path, options);
  const body = await r.json().catch(() => ({ error: r.statusText }));
  if (!r.ok) throw new Error(body.error || r.statusText);
  return body;
}

function confClass(c) {
  return c < 0.5 ? "low" : c < 0.8 ? "mid" : "";
}

function fillSelect(sel, counts) {
  const keep = sel.value;
  for (const [value, n] of Object.entries(counts || {})) {
    const o = document.createElement("option");
    o.value = value;
    o.textContent = `${value} (${n})`;
    sel.appendChild(o);
  }
  sel.value = keep;
}

async function loadMeta() {
  state.meta = await api("/api/meta");
  const f = state.meta.facets;
  fillSelect($("#f-file"), f.files);
  fillSelect($("#f-type"), f.form_types);
  fillSelect($("#f-flag"), f.flags);
  $("#reviewer").value = localStorage.getItem("formsift-reviewer") || state.meta.reviewer;
  summary();
}

function summary() {
  const s = state.meta.facets.status;
  $("#summary").textContent = `${state.meta.total} items · ${s.open || 0} open · corrections → ${state.meta.corrections}`;
}

async function loadQueue(keepKey) {
  const q = new URLSearchParams();
  for (const [id, name] of [["#f-file", "file"], ["#f-type", "form_type"], ["#f-flag", "flag"], ["#f-status", "status"]]) {
    if ($(id).value) q.set(name, $(id).value);
  }
  const r = await api("/api/items?" + q.toString());
  state.items = r.items;
  const list = $("#queue");
  list.innerHTML = r.items
    .map((it, i) => `<li data-key="${it.key}" data-i="${i}">
      <span class="name">${esc(it.name || "(record)")}</span>
      <span class="meta"><span class="conf ${confClass(it.confidence)}">${it.confidence.toFixed(2)}</span>
      ${esc(it.id)}${esc(it.path)} <span class="state ${it.status}">${it.status.replace(/_/g, " ")}</span></span></li>`)
    .join("");
  $("#queue-empty").hidden = r.items.length > 0;
  $("#queue-more").hidden = r.count <= r.items.length;
  $("#queue-more").textContent = `Showing the ${r.items.length} least confident of ${r.count}; decide these, or narrow the filters.`;
  let i = r.items.findIndex((it) => it.key === keepKey);
  if (i < 0) i = Math.min(Math.max(state.index, 0), r.items.length - 1);
  if (r.items.length) await select(i);
  else $("#detail").innerHTML = '<p class="muted">Nothing to review here.</p>';
}

async function select(i) {
  if (i < 0 || i >= state.items.length) return;
  state.index = i;
  document.querySelectorAll("#queue li").forEach((li) => li.classList.toggle("current", +li.dataset.i === i));
  const li = document.querySelector(`#queue li[data-i="${i}"]`);
  if (li) li.scrollIntoView({ block: "nearest" });
  state.detail = await api("/api/items/" + state.items[i].key);
  renderDetail();
}

function sourceHtml(d) {
  const c = d.context;
  if (c && c.lines) {
    return c.lines
      .map(([n, text]) => `<div class="${n >= c.mark[0] && n <= c.mark[1] ? "mark" : ""}"><span class="n">${n}</span>${esc(text)}</div>`)
      .join("");
  }
  const note = c && c.error ? `<p class="muted">${esc(c.error)}</p>` : "";
  return note + d.source_text.split("\n").map((l) => `<div class="mark">${esc(l)}</div>`).join("");
}

function inputFor(field, value) {
  const v = value === null || value === undefined ? "" : value;
  if (field.endsWith(".op")) {
    const opts = ["", ...state.meta.ops].map((o) => `<option value="${esc(o)}" ${o === v ? "selected" : ""}>${esc(o || "—")}</option>`);
    return `<select name="${esc(field)}" data-orig="${esc(v)}">${opts.join("")}</select>`;
  }
  return `<input name="${esc(field)}" value="${esc(v)}" data-orig="${esc(v)}" autocomplete="off">`;
}

function renderDetail() {
  const d = state.detail;
  const rec = d.record || {};
  const isRow = d.path !== "";
  const flags = d.explained.map((f) => `<li><code>${esc(f.flag)}</code> ${esc(f.about || "")}</li>`).join("");
  const checks = (rec.failed_checks || [])
    .map((c) => `<li><code>${esc(c.name)}</code> ${esc(c.about || "")}: expected ${esc(JSON.stringify(c.expected))}, found ${esc(JSON.stringify(c.found))}</li>`)
    .join("");
  const editor = d.current
    .map(([field, value]) => `<label for="ed-${esc(field)}">${esc(field)}</label>${inputFor(field, value).replace("<input ", `<input id="ed-${esc(field)}" `).replace("<select ", `<select id="ed-${esc(field)}" `)}`)
    .join("");
  const decisions = d.decisions
    .map((c) => `<li>${esc(c.time)} ${esc(c.reviewer)}: ${esc(c.action)}${c.field ? ` ${esc(c.field)} ${esc(JSON.stringify(c.old))} → ${esc(JSON.stringify(c.new))}` : ""}</li>`)
    .join("");
  $("#detail").innerHTML = `
    <h2>${esc(isRow ? d.value.name : rec.title)}</h2>
    <p class="muted">${esc(d.id)}${esc(d.path)} · ${esc(d.form_type)} · ${esc(rec.project_name || rec.title || "")} · ${esc(d.file)}
      · confidence <span class="conf ${confClass(d.confidence)}">${d.confidence.toFixed(2)}</span>
      · <span class="state ${d.status}" id="item-status">${d.status.replace(/_/g, " ")}</span></p>
    <div class="cols">
      <div>
        <div class="box"><h3>Source lines</h3><div class="source" id="source">${sourceHtml(d)}</div></div>
        <div class="box"><h3>Why it is here</h3><ul class="flags">${flags || "<li>no flags</li>"}</ul>
          ${checks ? `<h3>Failed checks of the form</h3><ul class="checks">${checks}</ul>` : ""}</div>
      </div>
      <div>
        <div class="box"><h3>${isRow ? "The row" : "The record"}</h3>
          <form id="editor" onsubmit="return false">${editor}</form>
          <div class="actions">
            <button id="accept" class="ok" title="a">Accept</button>
            <button id="save" class="primary" title="Ctrl+Enter">Save correction</button>
            ${isRow ? '<button id="not-a-row" class="danger" title="x">Not a row</button>' : ""}
          </div>
        </div>
        ${decisions ? `<div class="box decisions"><h3>Decisions</h3><ul>${decisions}</ul></div>` : ""}
      </div>
    </div>`;
  $("#accept").onclick = () => decide("accept");
  $("#save").onclick = () => decide("correct");
  if (isRow) $("#not-a-row").onclick = () => decide("not_a_row");
  document.querySelectorAll("#editor input, #editor select").forEach((el) => {
    el.addEventListener("input", () => el.classList.toggle("changed", el.value !== el.dataset.orig));
  });
}

function changes() {
  const out = {};
  document.querySelectorAll("#editor input, #editor select").forEach((el) => {
    if (el.value !== el.dataset.orig) out[el.name] = el.value.trim() === "" ? null : el.value;
  });
  return out;
}

async function decide(action) {
  const d = state.detail;
  if (!d) return;
  const body = { action, reviewer: $("#reviewer").value.trim() || undefined };
  if (action === "correct") {
    body.changes = changes();
    if (!Object.keys(body.changes).length) return toast("Nothing changed: edit a field, or accept the row as it is.", true);
  }
  try {
    const r = await api("/api/items/" + d.key, {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify(body),
    });
    toast(`${action.replace(/_/g, " ")}: ${r.written.length} line(s) saved to the corrections file`);
    state.meta = await api("/api/meta");
    summary();
    const next = state.items[state.index + 1];
    await loadQueue(next ? next.key : undefined);
  } catch (e) {
    toast(e.message, true);
  }
}

document.addEventListener("keydown", (ev) => {
  const inField = ev.target.matches("input, select, textarea");
  if (ev.key === "Enter" && (ev.ctrlKey || ev.metaKey)) {
    ev.preventDefault();
    return decide("correct");
  }
  if (inField) {
    if (ev.key === "Escape") ev.target.blur();
    return;
  }
  if (ev.ctrlKey || ev.metaKey || ev.altKey) return;
  const keys = {
    j: () => select(state.index + 1),
    k: () => select(state.index - 1),
    a: () => decide("accept"),
    x: () => state.detail && state.detail.path !== "" && decide("not_a_row"),
    e: () => { const f = document.querySelector("#editor input"); if (f) f.focus(); },
  };
  if (keys[ev.key]) {
    ev.preventDefault();
    keys[ev.key]();
  }
});

$("#queue").addEventListener("click", (ev) => {
  const li = ev.target.closest("li");
  if (li) select(+li.dataset.i);
});
for (const id of ["#f-file", "#f-type", "#f-flag", "#f-status"]) {
  $(id).addEventListener("change", () => { state.index = 0; loadQueue(); });
}
$("#reviewer").addEventListener("change", () => localStorage.setItem("formsift-reviewer", $("#reviewer").value.trim()));

loadMeta().then(() => loadQueue()).catch((e) => toast(e.message, true));
