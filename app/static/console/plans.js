// Optimize: start a plan run, follow its progress, review what would change, and publish it.
"use strict";

(() => {
  const { request, el, clock, hours, problemLines } = Console;
  const host = document.getElementById("timeline");
  const button = document.getElementById("optimize");
  if (!host || !button) return;
  const panel = document.getElementById("plan-panel");
  const bar = document.getElementById("plan-progress");
  const state = document.getElementById("plan-state");
  const review = document.getElementById("plan-review");
  const plansUrl = host.dataset.plansUrl;
  const region = host.dataset.region;

  function totalsTable(before, after) {
    const rows = [
      ["Travel", hours(before.travel_seconds), hours(after.travel_seconds)],
      ["Distance", `${(before.travel_metres / 1000).toFixed(1)} km`, `${(after.travel_metres / 1000).toFixed(1)} km`],
      ["Visits assigned", before.assigned, after.assigned],
      ["Late visits", before.late_visits, after.late_visits],
      ["Lateness", `${Math.round(before.late_seconds / 60)} min`, `${Math.round(after.late_seconds / 60)} min`],
    ];
    return el("table", { class: "totals" },
      el("thead", {}, el("tr", {}, el("th", {}), el("th", { text: "now" }), el("th", { text: "with this plan" }))),
      el("tbody", {}, rows.map(([label, now, then]) => el("tr", { "data-total": label },
        el("th", { text: label }), el("td", { class: "before", text: now }), el("td", { class: "after", text: then })))));
  }

  function section(title, cls, entries, line) {
    return el("details", { class: `review-${cls}`, open: entries.length > 0 && entries.length <= 30 },
      el("summary", {}, `${title} `, el("span", { class: "count", text: entries.length })),
      el("ul", {}, entries.map((e) => el("li", { "data-order-id": e.order_id }, line(e)))));
  }

  function showReview(plan) {
    const r = plan.review;
    review.replaceChildren(
      totalsTable(r.before, r.after),
      section("Moved", "moved", r.moved, (e) => `#${e.order_id} ${e.customer}: ${e.from_technician} ${clock(e.from_start)} → ${e.technician} ${clock(e.start)}`),
      section("Newly assigned", "assigned", r.assigned, (e) => `#${e.order_id} ${e.customer} → ${e.technician} ${clock(e.start)} (window ${clock(e.window_start)}–${clock(e.window_end)})`),
      section("Still unassigned", "unassigned", r.unassigned, (e) => [
        `#${e.order_id} ${e.customer}${e.was_assigned_to ? ` (now with ${e.was_assigned_to})` : ""}: `,
        el("span", { class: "reasons", text: e.reasons.map((x) => (x.hint ? `${x.detail} (${x.hint})` : x.detail)).join("; ") })]),
      section("By technician", "technicians", r.technicians, (e) => {
        const parts = [`${e.technician}: ${e.visits_before} → ${e.visits_after} visits`];
        if (e.added.length) parts.push(`gains ${e.added.map((o) => `#${o}`).join(" ")}`);
        if (e.removed.length) parts.push(`loses ${e.removed.map((o) => `#${o}`).join(" ")}`);
        if (e.retimed.length) parts.push(`new times for ${e.retimed.map((o) => `#${o}`).join(" ")}`);
        return parts.join("; ");
      }),
      el("p", { class: "unchanged", text: `${r.unchanged} visit(s) unchanged.` }),
      plan.published ? el("p", { class: "published", text: "Published." })
        : el("button", { type: "button", id: "publish", text: "Publish", onclick: () => publish(plan.id) }));
  }

  async function follow(id) {
    for (;;) {
      const answer = await request("GET", `${plansUrl}/${id}?region=${encodeURIComponent(region)}`);
      if (!answer.ok) { state.textContent = problemLines(answer.data)[0].detail; break; }
      const plan = answer.data;
      bar.value = plan.progress;
      state.textContent = `${plan.status} ${plan.progress}%`;
      panel.dataset.status = plan.status;
      if (plan.status === "done") { showReview(plan); break; }
      if (plan.status === "failed") { state.textContent = `failed: ${plan.error || ""}`; break; }
      await new Promise((resolve) => setTimeout(resolve, 700));
    }
    button.disabled = false;
  }

  async function publish(id) {
    const target = document.getElementById("publish");
    target.disabled = true;
    const answer = await request("POST", `${plansUrl}/${id}/publish`);
    if (answer.ok) {
      const p = answer.data.publication || {};
      panel.dataset.status = "published";
      target.replaceWith(el("p", { class: "published",
        text: `Published: ${p.visits_created || 0} created, ${p.visits_updated || 0} updated, ${p.visits_released || 0} released.` }));
      setTimeout(() => window.location.reload(), 1500);
    } else {
      target.disabled = false;
      target.after(el("p", { class: "error", text: problemLines(answer.data).map((l) => l.detail).join("; ") }));
    }
  }

  button.addEventListener("click", async () => {
    button.disabled = true;
    panel.hidden = false;
    review.replaceChildren();
    bar.value = 0;
    state.textContent = "queued";
    panel.dataset.status = "queued";
    const answer = await request("POST", plansUrl, { region, date: host.dataset.date });
    if (!answer.ok) { state.textContent = problemLines(answer.data)[0].detail; button.disabled = false; return; }
    await follow(answer.data.id);
  });
})();
