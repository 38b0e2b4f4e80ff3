// Shared by the console's pages: JSON requests that carry the CSRF token, and small DOM helpers.
"use strict";

const Console = (() => {
  const csrf = () => document.querySelector('meta[name="csrf-token"]').content;

  // Every answer is JSON; errors are problem+json, returned rather than thrown so callers show them.
  async function request(method, url, body) {
    const options = { method, headers: { Accept: "application/json" }, credentials: "same-origin" };
    if (method !== "GET") options.headers["X-CSRFToken"] = csrf();
    if (body !== undefined) {
      options.headers["Content-Type"] = "application/json";
      options.body = JSON.stringify(body);
    }
    const response = await fetch(url, options);
    let data = null;
    try { data = await response.json(); } catch (_) { data = null; }
    return { ok: response.ok, status: response.status, data: data || {} };
  }

  function el(tag, attrs, ...children) {
    const node = document.createElement(tag);
    for (const [key, value] of Object.entries(attrs || {})) {
      if (value === null || value === undefined || value === false) continue;
      if (key === "class") node.className = value;
      else if (key === "text") node.textContent = value;
      else if (key.startsWith("on")) node.addEventListener(key.slice(2), value);
      else node.setAttribute(key, value === true ? "" : value);
    }
    for (const child of children.flat()) {
      if (child === null || child === undefined) continue;
      node.append(child instanceof Node ? child : document.createTextNode(String(child)));
    }
    return node;
  }

  const clock = (iso) => (iso ? iso.slice(11, 16) : "");
  const minutes = (seconds) => `${Math.round(seconds / 60)} min`;
  const hours = (seconds) => `${(seconds / 3600).toFixed(1)} h`;

  // Problem details as lines a dispatcher can read: the detail, then each rule or field message.
  function problemLines(data) {
    const lines = [];
    if (data.violations) for (const v of data.violations) lines.push({ code: v.code, detail: v.detail });
    if (data.errors) for (const [field, msgs] of Object.entries(data.errors)) for (const m of msgs) lines.push({ code: field, detail: m });
    if (!lines.length) lines.push({ code: "error", detail: data.detail || data.title || "The request failed." });
    return lines;
  }

  return { request, el, clock, minutes, hours, problemLines };
})();

// The region and date pickers reload the page as soon as they change (no inline handlers: the CSP forbids them).
document.querySelectorAll("[data-submit-on-change]").forEach((field) => {
  field.addEventListener("change", () => field.form.submit());
});
