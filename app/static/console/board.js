// The day board: technicians' rows on a vis-timeline, dragging orders and visits, locks and live status.
"use strict";

(() => {
  const { request, el, clock, problemLines } = Console;
  const host = document.getElementById("timeline");
  if (!host) return;
  const urls = host.dataset;
  const MOVABLE = new Set(["booked", "dispatched"]);
  const groups = new vis.DataSet();
  const items = new vis.DataSet();
  let offset = "+00:00";
  let timeline = null;
  let board = null;

  // Dates on the axis in the page's language, never the browser's: moment would otherwise guess from the
  // browser (a Chinese browser got Ukrainian month names).
  const language = (document.documentElement.lang || "en").toLowerCase();
  const local = (date) => vis.moment(date).locale(language).utcOffset(offset);
  const isoAt = (date) => local(date).format("YYYY-MM-DDTHH:mm:ssZ");

  function groupContent(tech, status) {
    return el("div", { class: "tech", "data-technician-id": tech.id },
      el("span", { class: "tcode", text: tech.code }), " ",
      el("span", { class: "tname", text: tech.name }),
      tech.helping ? el("span", { class: "helping", text: "helping" }) : null,
      el("span", { class: `tstatus tstatus-${status || "none"}`, text: (status || (tech.shift ? "" : tech.off_reason)).replace("_", " ") }));
  }

  function elsewhereItem(v) {
    return {
      id: `e${v.id}`,
      visitId: v.id,
      elsewhere: true,
      group: v.technician_id,
      start: v.start,
      end: v.end,
      className: `visit elsewhere status-${v.status}`,
      editable: false,
      title: `${v.region}: #${v.order_id} ${v.customer} · window ${clock(v.window_start)}–${clock(v.window_end)} · ${v.status} (another region's visit)`,
      content: el("span", { class: "vcontent", "data-elsewhere-visit-id": v.id },
        el("span", { class: "region-tag", text: v.region }), ` #${v.order_id} ${v.customer}`),
    };
  }

  function visitItem(v) {
    const locked = v.locked ? " locked" : "";
    const late = v.late ? " late" : "";
    const expected = v.placed ? "" : " expected";
    return {
      id: `v${v.id}`,
      visitId: v.id,
      orderId: v.order_id,
      group: v.technician_id,
      start: v.start,
      end: v.end,
      status: v.status,
      locked: v.locked,
      className: `visit status-${v.status}${locked}${late}${expected}`,
      editable: !v.locked && MOVABLE.has(v.status),
      title: `#${v.order_id} ${v.customer} · ${v.kind} · window ${clock(v.window_start)}–${clock(v.window_end)} · ${v.status}${v.placed ? "" : " (booked by the customer, not yet planned)"}`,
      content: el("span", { class: "vcontent", "data-visit-id": v.id, "data-order-id": v.order_id },
        v.locked ? el("span", { class: "lock", title: "locked", text: "🔒 " }) : null,
        `#${v.order_id} ${v.customer} `,
        el("span", { class: "window", text: `${clock(v.window_start)}–${clock(v.window_end)}` })),
    };
  }

  function render(data) {
    board = data;
    const sample = data.technicians.find((t) => t.shift) || data.visits[0];
    const iso = sample ? (sample.shift ? sample.shift.start : sample.start) : null;
    if (iso) offset = iso.slice(19);
    groups.clear();
    items.clear();
    for (const tech of data.technicians) {
      groups.add({ id: tech.id, content: groupContent(tech, null) });
      if (tech.shift) items.add({ id: `shift-${tech.id}`, group: tech.id, start: tech.shift.start, end: tech.shift.end, type: "background", className: "shift" });
      if (tech.lunch) items.add({ id: `lunch-${tech.id}`, group: tech.id, start: tech.lunch.start, end: tech.lunch.end, type: "background", className: "lunch", title: `lunch, ${tech.lunch.minutes} min` });
    }
    for (const v of data.visits) items.add(visitItem(v));
    for (const v of data.elsewhere || []) items.add(elsewhereItem(v));
  }

  function create() {
    const day = host.dataset.date;
    timeline = new vis.Timeline(host, items, groups, {
      moment: (date) => local(date),
      locale: language.startsWith("zh") ? "zh" : "en",
      start: `${day}T07:00:00${offset}`,
      end: `${day}T21:00:00${offset}`,
      stack: false,
      orientation: "top",
      zoomMin: 60 * 60 * 1000,
      groupHeightMode: "fixed",
      margin: { item: 4 },
      snap: (date) => { const step = 5 * 60 * 1000; return new Date(Math.round(date / step) * step); },
      editable: { add: false, remove: false, updateTime: true, updateGroup: true, overrideItems: false },
      onMove: (item, callback) => moveVisit(item, callback),
      tooltip: { followMouse: true },
    });
    timeline.on("select", (props) => showVisit(props.items[0]));
    timeline.on("drop", (props) => dropOrder(props));
  }

  async function submitMove(orderId, technicianId, start) {
    return request("POST", urls.moveUrl, { order_id: orderId, technician_id: technicianId, start });
  }

  let hideResult = null;

  function showResult(anchor, lines, ok) {
    const box = document.getElementById("move-result");
    box.hidden = false;
    clearTimeout(hideResult);
    // An accepted move needs no answer: its note goes away by itself instead of covering the order panel.
    if (ok) hideResult = setTimeout(() => { box.hidden = true; }, 4000);
    box.className = `card move-result ${ok ? "accepted" : "refused"}`;
    box.replaceChildren(
      el("strong", { text: ok ? "Move accepted" : "Move refused" }),
      el("ul", { class: "violations" }, lines.map((l) => el("li", { class: "violation", "data-code": l.code, text: l.detail }))));
    if (anchor) {
      const r = anchor.getBoundingClientRect();
      box.style.top = `${window.scrollY + r.bottom + 4}px`;
      box.style.left = `${window.scrollX + r.left}px`;
    }
  }

  async function moveVisit(item, callback) {
    const anchor = host.querySelector(`[data-visit-id="${item.visitId}"]`);
    const answer = await submitMove(item.orderId, item.group, isoAt(item.start));
    if (answer.ok) {
      callback(item);
      showResult(anchor, [{ code: "ok", detail: `#${item.orderId} now at ${local(item.start).format("HH:mm")}` }], true);
      await reload();
    } else {
      callback(null);
      showResult(anchor, problemLines(answer.data), false);
    }
  }

  function queueItem(orderId) {
    return document.querySelector(`.queue-item[data-order-id="${orderId}"]`);
  }

  function showQueueResult(orderId, lines) {
    const entry = queueItem(orderId);
    if (!entry) return;
    entry.classList.add("refused");
    const list = entry.querySelector(".violations");
    list.hidden = false;
    list.replaceChildren(...lines.map((l) => el("li", { class: "violation", "data-code": l.code, text: l.detail })));
  }

  async function assignOrder(orderId, technicianId, start) {
    const answer = await submitMove(orderId, technicianId, start);
    if (answer.ok) {
      window.location.reload();
    } else {
      showQueueResult(orderId, problemLines(answer.data));
    }
    return answer;
  }

  function dropOrder(props) {
    let data = null;
    try { data = JSON.parse(props.event.dataTransfer.getData("text")); } catch (_) { return; }
    if (!data || data.target !== "order" || props.group === null || props.group === undefined) return;
    const when = props.snappedTime || props.time;
    assignOrder(data.orderId, Number(props.group), isoAt(when));
  }

  function wireQueue() {
    for (const entry of document.querySelectorAll(".queue-item")) {
      const orderId = Number(entry.dataset.orderId);
      entry.addEventListener("dragstart", (event) => {
        event.dataTransfer.effectAllowed = "move";
        event.dataTransfer.setData("text", JSON.stringify({ id: `order-${orderId}`, target: "order", orderId, content: entry.dataset.label }));
      });
      const form = entry.querySelector("form.assign");
      form.addEventListener("submit", (event) => {
        event.preventDefault();
        const technicianId = Number(form.technician_id.value);
        assignOrder(orderId, technicianId, `${host.dataset.date}T${form.time.value}:00${offset}`);
      });
    }
  }

  function showVisit(id) {
    const panel = document.getElementById("visit-panel");
    const item = id && items.get(id);
    if (!item || !item.visitId) { panel.hidden = true; return; }
    if (item.elsewhere) {
      const e = board.elsewhere.find((x) => x.id === item.visitId);
      panel.hidden = false;
      panel.replaceChildren(
        el("h3", { text: `Order #${e.order_id} · region ${e.region}` }),
        el("p", { text: `${e.customer} · ${e.address}` }),
        el("p", { text: `planned ${clock(e.start)}–${clock(e.end)} · ${e.status.replace("_", " ")}` }),
        el("p", { class: "muted", text: "Another region's visit: change it on that region's board." }));
      return;
    }
    const v = board.visits.find((x) => x.id === item.visitId);
    const lockUrl = urls.lockUrl.replace("/0/lock", `/${v.id}/${v.locked ? "unlock" : "lock"}`);
    panel.hidden = false;
    panel.replaceChildren(
      el("h3", {}, el("a", { href: urls.orderUrl.replace(/0$/, v.order_id), text: `Order #${v.order_id}` })),
      el("p", { text: `${v.customer} · ${v.address}${v.location_quality === "district" ? " (district only)" : ""}` }),
      el("p", { text: `${v.kind}, ${v.duration_min} min · ${v.status.replace("_", " ")}` }),
      el("p", { text: `${v.placed ? "planned" : "not yet planned, expected"} ${clock(v.start)}–${clock(v.end)} · promised ${clock(v.window_start)}–${clock(v.window_end)}` }),
      el("button", { type: "button", class: "lock-toggle", text: v.locked ? "Unlock" : "Lock", onclick: async () => {
        const answer = await request("POST", lockUrl);
        if (answer.ok) await reload(); else showResult(panel, problemLines(answer.data), false);
      } }));
  }

  async function reload() {
    const answer = await request("GET", urls.boardUrl);
    if (answer.ok) { render(answer.data); await poll(); }
  }

  async function poll() {
    const answer = await request("GET", urls.liveUrl);
    if (!answer.ok || !board) return;
    const statuses = new Map(answer.data.technicians.map((t) => [t.id, t.status]));
    for (const tech of board.technicians) groups.update({ id: tech.id, content: groupContent(tech, statuses.get(tech.id)) });
    for (const v of answer.data.visits) {
      const known = board.visits.find((x) => x.id === v.id);
      if (known && (known.status !== v.status || known.locked !== v.locked)) {
        Object.assign(known, v);
        items.update(visitItem(known));
      }
    }
    host.dataset.lastPoll = new Date().toISOString();
  }

  (async () => {
    const answer = await request("GET", urls.boardUrl);
    if (!answer.ok) return;
    render(answer.data);
    create();
    wireQueue();
    await poll();
    host.dataset.ready = "1";
    setInterval(poll, Math.max(2, Number(urls.livePoll || 10)) * 1000);
  })();

  window.Board = { reload, offset: () => offset, timeline: () => timeline, technicians: () => (board ? board.technicians : []) };
})();
