// mailroom review UI: keyboard-first queue and document view. Plain JavaScript, no build
// step. The server decides everything that matters (normalised values, checks, permissions);
// this file only moves focus, picks words off the page and sends what the person did.
"use strict";
(function () {
  const $ = (s, r) => (r || document).querySelector(s);
  const $$ = (s, r) => Array.from((r || document).querySelectorAll(s));
  const BOOKING = ["invoice", "credit_note", "receipt"];

  function queueKeys() {
    const rows = $$("#queue tbody tr");
    if (!rows.length) return;
    let at = -1;
    const mark = (i) => {
      rows.forEach((r) => r.classList.remove("cursor"));
      at = Math.max(0, Math.min(rows.length - 1, i));
      rows[at].classList.add("cursor");
      rows[at].scrollIntoView({ block: "nearest" });
    };
    document.addEventListener("keydown", (e) => {
      if (e.target.closest("input,select,textarea")) return;
      if (e.key === "j") mark(at + 1);
      else if (e.key === "k") mark(at - 1);
      else if (e.key === "Enter" && at >= 0) location.href = rows[at].dataset.href;
    });
    rows.forEach((r) => r.addEventListener("click", (e) => { if (!e.target.closest("a")) location.href = r.dataset.href; }));
  }

  function documentView() {
    const dataEl = $("#doc-data");
    if (!dataEl) return;
    const data = JSON.parse(dataEl.textContent);
    const pagesEl = $("#pages");
    const inputs = $$("#fields input.value");
    const docType = $("#doc_type");
    const status = $("#status");
    const original = {};
    inputs.forEach((i) => (original[i.name] = i.value));
    const originalType = docType ? docType.value : null;
    const assign = $$("#fields input.assign");
    const originalAssign = {};
    assign.forEach((i) => (originalAssign[i.name] = i.value));
    const grid = (id) => {
      const t = $("#" + id);
      if (!t) return null;
      return $$("tbody tr", t).map((tr) => Object.fromEntries($$("input", tr).map((i) => [i.name, i.value])));
    };
    const originalGrids = { vat_breakdown: JSON.stringify(grid("vat_breakdown")), line_items: JSON.stringify(grid("line_items")) };
    const picked = {};
    const confirmed = new Set();
    const boxes = {};
    let active = null;

    // The pages, with a transparent span over every word and a box around every value.
    data.pages.forEach((p) => {
      if (!p.img) return;
      const page = document.createElement("div");
      page.className = "page";
      page.dataset.page = p.n;
      page.style.aspectRatio = p.w + " / " + p.h;
      const img = document.createElement("img");
      img.src = p.img;
      img.alt = "page " + p.n;
      img.draggable = false;
      page.appendChild(img);
      const pct = (v, of) => (100 * v) / of + "%";
      page._place = (el, b) => {
        el.style.left = pct(b[0], p.w);
        el.style.top = pct(b[1], p.h);
        el.style.width = pct(b[2] - b[0], p.w);
        el.style.height = pct(b[3] - b[1], p.h);
      };
      p.words.forEach((w, k) => {
        const s = document.createElement("span");
        s.className = "word";
        s.dataset.o = k;
        s.dataset.text = w[0];
        s._bbox = w.slice(1);
        page._place(s, s._bbox);
        page.appendChild(s);
      });
      Object.entries(data.fields).forEach(([name, f]) => {
        if (f.page === p.n && f.bbox) {
          const b = document.createElement("div");
          b.className = "box";
          b.dataset.field = name;
          page._place(b, f.bbox);
          page.appendChild(b);
          boxes[name] = b;
        }
      });
      (data.stamps || []).filter((s) => s.page === p.n).forEach((s) => {
        const st = document.createElement("div");
        st.className = "stamp";
        st.dataset.n = s.n;
        const t = document.createElement("strong");
        t.textContent = s.title;
        const l = document.createElement("span");
        l.textContent = s.line;
        st.append(t, l);
        page._place(st, s.bbox);
        page.appendChild(st);
      });
      pagesEl.appendChild(page);
    });
    const toggle = $("#toggle-stamps");
    if (toggle) toggle.addEventListener("click", () => {
      const hidden = pagesEl.classList.toggle("hide-stamps");
      toggle.textContent = hidden ? "Show stamps" : "Hide stamps";
    });

    const row = (i) => i.closest("tr");
    const attention = () => inputs.filter((i) => !confirmed.has(i.name) && (row(i).classList.contains("red") || row(i).classList.contains("amber")));
    const highlight = (name, on) => { if (boxes[name]) boxes[name].classList.toggle("hl", on); };

    inputs.forEach((i) => {
      row(i).addEventListener("mouseenter", () => highlight(i.name, true));
      row(i).addEventListener("mouseleave", () => highlight(i.name, i === active));
      i.addEventListener("focus", () => {
        if (active) highlight(active.name, false);
        active = i;
        inputs.forEach((x) => row(x).classList.remove("active"));
        row(i).classList.add("active");
        highlight(i.name, true);
        if (boxes[i.name]) boxes[i.name].scrollIntoView({ block: "nearest", behavior: "smooth" });
      });
      i.addEventListener("input", () => { delete picked[i.name]; confirmed.delete(i.name); schedule(); });
    });

    // Click a word, or drag over words, to fill the focused value with them.
    let dragStart = null;
    pagesEl.addEventListener("mousedown", (e) => {
      const w = e.target.closest(".word");
      if (!w || !active || !data.may_review) return;
      e.preventDefault();
      dragStart = w;
    });
    pagesEl.addEventListener("mouseup", (e) => {
      if (!dragStart || !active) { dragStart = null; return; }
      e.preventDefault();
      const page = dragStart.parentElement;
      const w = e.target.closest(".word");
      const end = w && w.parentElement === page ? w : dragStart;
      const lo = Math.min(+dragStart.dataset.o, +end.dataset.o), hi = Math.max(+dragStart.dataset.o, +end.dataset.o);
      dragStart = null;
      const words = $$(".word", page).filter((x) => +x.dataset.o >= lo && +x.dataset.o <= hi);
      const bbox = words.reduce((u, x) => [Math.min(u[0], x._bbox[0]), Math.min(u[1], x._bbox[1]), Math.max(u[2], x._bbox[2]), Math.max(u[3], x._bbox[3])], [1e9, 1e9, -1e9, -1e9]);
      active.value = words.map((x) => x.dataset.text).join(" ");
      picked[active.name] = { page: +page.dataset.page, bbox: bbox };
      let box = boxes[active.name];
      if (!box) { box = document.createElement("div"); box.className = "box"; box.dataset.field = active.name; boxes[active.name] = box; }
      page.appendChild(box);
      page._place(box, bbox);
      highlight(active.name, true);
      const target = active;
      active.focus();
      check([target.name]);
    });

    // Live checks: the server normalises the values and runs the pipeline's checks.
    let timer = null;
    const schedule = () => { clearTimeout(timer); timer = setTimeout(() => check([]), 350); };
    async function check(normaliseNames) {
      const fields = Object.fromEntries(inputs.map((i) => [i.name, i.value]));
      const vat = (grid("vat_breakdown") || []).filter((r) => r.rate || r.base || r.amount);
      let res;
      try {
        res = await post("check", { fields: fields, vat_breakdown: vat.every((r) => r.rate && r.base && r.amount) ? vat.map(norm) : [] });
      } catch (err) { say(err.message, true); return; }
      const failing = new Set();
      const why = {};
      res.checks.forEach((c) => { if (!c.passed) c.fields.forEach((f) => { failing.add(f); (why[f] = why[f] || []).push(c.message); }); });
      const booking = docType && BOOKING.includes(docType.value);
      inputs.forEach((i) => {
        const r = row(i);
        const out = res.fields[i.name] || {};
        if (normaliseNames.includes(i.name) && out.value) i.value = out.value;
        const reasons = (why[i.name] || []).slice();
        if (out.error) reasons.unshift(out.error);
        const empty = !i.value.trim();
        if (empty && booking && r.dataset.mandatory === "1") reasons.unshift("missing: needed to book the document");
        const changed = i.value !== original[i.name];
        let cls;
        if (reasons.length) cls = "red";
        else if (empty) cls = "empty";
        else if (changed || confirmed.has(i.name)) cls = "green";
        else cls = r.classList.contains("amber") ? "amber" : "green";
        ["red", "amber", "green", "empty"].forEach((c) => r.classList.toggle(c, c === cls));
        r.classList.toggle("confirmed", confirmed.has(i.name));
        let src = $(".src", r);
        if (changed) {
          if (!src) { src = document.createElement("div"); src.className = "src"; i.parentElement.appendChild(src); }
          src.textContent = picked[i.name] ? "picked from page " + picked[i.name].page + " — saved with approve or save" : "typed — saved with approve or save";
        }
        const whyEl = $(".why", r);
        if (changed || reasons.length || cls !== "amber") whyEl.replaceChildren(...reasons.map((t) => Object.assign(document.createElement("span"), { textContent: t })));
        i.tabIndex = cls === "red" || (cls === "amber" && !confirmed.has(i.name)) ? 0 : -1;
      });
      const list = $("#checks");
      const own = new Set(res.checks.map((c) => c.name));
      $$("li", list).forEach((li) => { if (own.has(li.dataset.check) || li.classList.contains("none")) li.remove(); });
      res.checks.forEach((c) => {
        const li = document.createElement("li");
        li.className = c.passed ? "ok" : "bad";
        li.dataset.check = c.name;
        li.textContent = c.message;
        list.appendChild(li);
      });
    }
    const norm = (r) => r;

    async function post(what, body) {
      const r = await fetch("/ui/documents/" + data.id + "/" + what, {
        method: "POST",
        credentials: "same-origin",
        headers: { "Content-Type": "application/json", "X-CSRF-Token": data.csrf },
        body: JSON.stringify(body),
      });
      const j = await r.json().catch(() => ({ error: "HTTP " + r.status }));
      if (!r.ok) throw new Error(j.error || "HTTP " + r.status);
      return j;
    }
    const say = (text, bad) => { if (status) { status.textContent = text; status.classList.toggle("bad", !!bad); } };

    function confirmField(i) {
      confirmed.add(i.name);
      check([i.name]);
      move(1, i);
    }
    function move(step, from) {
      const list = attention();
      const all = inputs;
      if (!list.length) { const a = $("#approve"); if (a) a.focus(); return; }
      const pos = from ? all.indexOf(from) : -1;
      let next;
      if (step > 0) next = list.find((i) => all.indexOf(i) > pos) || list[0];
      else next = list.slice().reverse().find((i) => all.indexOf(i) < pos) || list[list.length - 1];
      next.focus();
      next.select();
    }

    function reason(title) {
      const d = $("#reason-dialog");
      $("#reason-label").textContent = title;
      const input = $("#reason");
      input.value = "";
      return new Promise((resolve) => {
        d.addEventListener("close", () => resolve(d.returnValue === "ok" && input.value.trim() ? input.value.trim() : null), { once: true });
        d.showModal();
        input.focus();
      });
    }

    async function act(action) {
      if (!data.may_review) return;
      let why = null;
      if (action === "postpone") { why = await reason("Why postpone? (e.g. waiting for the delivery note)"); if (!why) return; }
      if (action === "reject") { why = await reason("Why reject? (e.g. duplicate, not ours)"); if (!why) return; }
      if (action === "refuse") { why = await reason("Why refuse the approval? (e.g. goods not received)"); if (!why) return; }
      const fields = {};
      inputs.forEach((i) => {
        if (i.value !== original[i.name]) fields[i.name] = i.value.trim() ? Object.assign({ value: i.value }, picked[i.name] || {}) : null;
      });
      const body = { base: data.revision, action: action, reason: why, fields: fields };
      if (docType && docType.value !== originalType) body.doc_type = docType.value;
      assign.forEach((i) => { if (i.value !== originalAssign[i.name]) body[i.name] = i.value.trim(); });
      const vat = grid("vat_breakdown");
      if (vat && JSON.stringify(vat) !== originalGrids.vat_breakdown) body.vat_breakdown = vat;
      const items = grid("line_items");
      if (items && JSON.stringify(items) !== originalGrids.line_items) body.line_items = items;
      say(action === "save" ? "Saving…" : "Sending…");
      try {
        const res = await post("decide", body);
        if (action === "save") { location.reload(); return; }
        say(action === "refuse" ? "refused" : action + "d");
        location.href = res.next || data.queue;
      } catch (err) {
        say(err.message, true);
      }
    }

    document.addEventListener("keydown", (e) => {
      const inField = e.target.matches && e.target.matches("input.value");
      if (e.key === "Tab" && inField) { e.preventDefault(); move(e.shiftKey ? -1 : 1, e.target); return; }
      if (e.key === "Enter" && (e.ctrlKey || e.metaKey)) { e.preventDefault(); act("approve"); return; }
      if (e.key === "Enter" && inField) { e.preventDefault(); confirmField(e.target); return; }
      if (e.key === "Escape" && inField) { e.target.blur(); return; }
      if (e.target.closest && e.target.closest("input,select,textarea,dialog")) return;
      // A shortcut's own key must not land in the reason dialog it opens.
      if (["a", "s", "p", "r", "x", "?"].includes(e.key)) e.preventDefault();
      if (e.key === "a") act("approve");
      else if (e.key === "s") act("save");
      else if (e.key === "p") act("postpone");
      else if (e.key === "r") act("reject");
      else if (e.key === "x" && $("#refuse")) act("refuse");
      else if (e.key === "?") $("#help").showModal();
    });
    [["#approve", "approve"], ["#save", "save"], ["#postpone", "postpone"], ["#reject", "reject"], ["#refuse", "refuse"]].forEach(([sel, a]) => { const b = $(sel); if (b) b.addEventListener("click", () => act(a)); });
    if (docType) docType.addEventListener("change", () => check([]));
    $$("[data-add-row]").forEach((b) => b.addEventListener("click", () => {
      const body = $("#" + b.dataset.addRow + " tbody");
      const tr = document.createElement("tr");
      ["rate", "base", "amount"].forEach((n) => { const td = document.createElement("td"); const i = document.createElement("input"); i.name = n; td.appendChild(i); tr.appendChild(td); });
      body.appendChild(tr);
    }));
    $$("#vat_breakdown").forEach((t) => t.addEventListener("input", schedule));
    // Start on the first value that needs attention.
    const first = attention()[0];
    if (first && data.may_review) first.focus();
  }

  document.addEventListener("keydown", (e) => {
    if (e.key === "?" && !e.target.closest("input,select,textarea") && !$("#doc-data")) alert("Queue keys: j / k move, Enter opens the document.");
  });
  document.addEventListener("DOMContentLoaded", () => { queueKeys(); documentView(); });
})();
