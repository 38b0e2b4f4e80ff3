// Orders to place: the chosen order's lat and lon follow a click on the map; tiles only if configured.
"use strict";

(() => {
  const host = document.getElementById("locate-map");
  if (!host) return;
  const map = L.map(host).setView([Number(host.dataset.lat), Number(host.dataset.lon)], 11);
  if (host.dataset.tileUrl) {
    L.tileLayer(host.dataset.tileUrl, { attribution: host.dataset.tileAttribution || "", maxZoom: 19 }).addTo(map);
  }
  const forms = [...document.querySelectorAll("form.place")];
  let chosen = forms[0];
  let pin = null;

  function choose(form) {
    chosen = form;
    for (const f of forms) f.closest("li").classList.toggle("chosen", f === form);
  }

  for (const form of forms) {
    form.querySelector("button.pick").addEventListener("click", () => choose(form));
  }
  choose(chosen);

  map.on("click", (event) => {
    const lat = event.latlng.lat.toFixed(6);
    const lon = event.latlng.lng.toFixed(6);
    if (pin) pin.setLatLng(event.latlng); else pin = L.circleMarker(event.latlng, { radius: 8, className: "pin" }).addTo(map);
    chosen.lat.value = lat;
    chosen.lon.value = lon;
  });
})();
