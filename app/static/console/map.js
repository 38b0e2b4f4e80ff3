// The region's day on a Leaflet map: outlines, homes, last positions, visits and routes; tiles only if configured.
"use strict";

(() => {
  const { request, clock } = Console;
  const host = document.getElementById("map");
  if (!host) return;
  const urls = host.dataset;
  const PALETTE = ["#1f77b4", "#d62728", "#2ca02c", "#9467bd", "#ff7f0e", "#17becf", "#8c564b", "#e377c2", "#7f7f7f", "#bcbd22"];
  const map = L.map(host, { preferCanvas: false, zoomSnap: 0.25 });
  if (urls.tileUrl) L.tileLayer(urls.tileUrl, { attribution: urls.tileAttribution || "", maxZoom: 19 }).addTo(map);
  const positions = L.layerGroup().addTo(map);
  const text = (s) => String(s).replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
  let colours = new Map();
  let names = new Map();

  function draw(data) {
    const bounds = [];
    for (const region of data.regions) {
      const layer = L.polygon(region.outline, {
        color: region.current ? "#0b5394" : "#9aa5b1",
        weight: region.current ? 3 : 1,
        fillOpacity: region.current ? 0.08 : 0.02,
        className: `region region-${region.code}${region.current ? " current" : ""}`,
      }).bindTooltip(`${text(region.code)} · ${text(region.name)}`).addTo(map);
      if (region.current) bounds.push(...region.outline);
    }
    data.technicians.forEach((tech, index) => {
      colours.set(tech.id, PALETTE[index % PALETTE.length]);
      names.set(tech.id, tech.code);
    });
    for (const route of data.routes) {
      L.polyline(route.points, { color: colours.get(route.technician_id) || "#333", weight: 3, opacity: 0.8, className: "route" })
        .bindTooltip(`route of ${text(names.get(route.technician_id) || route.technician_id)}`).addTo(map);
      bounds.push(...route.points);
    }
    for (const tech of data.technicians) {
      L.circleMarker(tech.home, { radius: 7, color: "#222", weight: 2, fillColor: colours.get(tech.id), fillOpacity: 1, className: "home" })
        .bindTooltip(`${text(tech.code)} ${text(tech.name)} — home base`).addTo(map);
    }
    for (const v of data.visits) {
      L.circleMarker([v.lat, v.lon], { radius: 6, color: colours.get(v.technician_id) || "#333", weight: 2, fillColor: "#fff", fillOpacity: 1, className: `visit status-${v.status}` })
        .bindTooltip(`#${v.order_id} ${text(v.customer)} · ${text(names.get(v.technician_id) || "")} ${clock(v.start)} · ${v.status}`).addTo(map);
    }
    for (const u of data.unassigned) {
      L.circleMarker([u.lat, u.lon], { radius: 5, color: "#b00", weight: 1, fillColor: "#f4cccc", fillOpacity: 1, className: "unassigned" })
        .bindTooltip(`#${u.order_id} ${text(u.customer)} — unassigned`).addTo(map);
    }
    if (bounds.length) map.fitBounds(bounds, { padding: [20, 20] });
    else map.setView([31.23, 121.47], 10);
    live(data.live);
  }

  function live(data) {
    positions.clearLayers();
    for (const tech of data.technicians) {
      if (!tech.position) continue;
      L.marker([tech.position.lat, tech.position.lon], { title: `${names.get(tech.id) || tech.id} (${tech.status})` })
        .bindTooltip(`${text(names.get(tech.id) || tech.id)} · ${tech.status} · ${clock(tech.position.reported_at)}`).addTo(positions);
    }
    host.dataset.lastPoll = new Date().toISOString();
  }

  (async () => {
    L.Icon.Default.imagePath = host.dataset.iconPath || "/static/vendor/leaflet/images/";
    const answer = await request("GET", urls.mapUrl);
    if (!answer.ok) return;
    draw(answer.data);
    host.dataset.ready = "1";
    setInterval(async () => {
      const update = await request("GET", urls.liveUrl);
      if (update.ok) live(update.data);
    }, Math.max(2, Number(urls.livePoll || 10)) * 1000);
  })();
})();
