/* Picking the exact point on a map, for reporters whose browser runs JavaScript.
   The form works without it (latitude and longitude fields). Leaflet is loaded
   only when the reporter opens "Exact point", so the form stays light on a slow
   connection; everything comes from Marsad itself. */
(function () {
  "use strict";
  var box = document.querySelector("details.point-picker");
  if (!box) { return; }
  var lat = box.querySelector("input[name=lat]");
  var lon = box.querySelector("input[name=lon]");
  var started = false;

  function addCss(href) {
    var link = document.createElement("link");
    link.rel = "stylesheet";
    link.href = href;
    document.head.appendChild(link);
  }

  function draw() {
    var el = document.createElement("div");
    el.className = "picker-map";
    box.appendChild(el);
    var map = L.map(el, { minZoom: 5, maxZoom: 14 }).setView([33.2, 43.7], 6);
    if (box.dataset.tiles) {
      L.tileLayer(box.dataset.tiles, { attribution: box.dataset.attribution || "", maxZoom: 14 }).addTo(map);
    }
    fetch(box.dataset.places, { credentials: "same-origin" })
      .then(function (r) { return r.json(); })
      .then(function (fc) {
        L.geoJSON(fc, {
          style: { color: "#0b6e69", weight: 1, fillOpacity: 0.04 },
          pointToLayer: function (f, ll) { return L.circleMarker(ll, { radius: 3, weight: 1 }); }
        }).addTo(map);
      });
    var marker = null;
    function place(ll) {
      lat.value = ll.lat.toFixed(5);
      lon.value = ll.lng.toFixed(5);
      if (marker) { marker.setLatLng(ll); } else {
        marker = L.circleMarker(ll, { radius: 8, color: "#fff", weight: 2, fillColor: "#a4161a", fillOpacity: 1 }).addTo(map);
      }
    }
    map.on("click", function (e) { place(e.latlng); });
    if (lat.value && lon.value && !isNaN(+lat.value) && !isNaN(+lon.value)) {
      place(L.latLng(+lat.value, +lon.value));
      map.setView([+lat.value, +lon.value], 9);
    }
  }

  box.addEventListener("toggle", function () {
    if (!box.open || started) { return; }
    started = true;
    addCss("/static/vendor/leaflet/leaflet.css");
    var script = document.createElement("script");
    script.src = "/static/vendor/leaflet/leaflet.js";
    script.onload = draw;
    document.head.appendChild(script);
  });
}());
