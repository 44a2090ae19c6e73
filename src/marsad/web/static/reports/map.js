/* The public map: Iraq's boundaries as the base layer, published reports as
   clustered points. Reads only Marsad's own JSON; no tile server unless the
   operator configured one. Text is inserted with textContent, never as HTML. */
(function () {
  "use strict";
  var el = document.getElementById("map");
  if (!el || !window.L) { return; }
  var data = el.dataset;
  var lang = data.lang || "ar";
  var map = L.map(el, { zoomSnap: 0.5, minZoom: 5, maxZoom: 13 }).setView([33.2, 43.7], 6);
  if (data.tiles) {
    L.tileLayer(data.tiles, { attribution: data.attribution || "", maxZoom: 13 }).addTo(map);
  }
  function placeName(props) { return props["name_" + lang] || props.name_en; }
  function boundaries(url, style) {
    return fetch(url, { credentials: "same-origin" }).then(function (r) { return r.json(); })
      .then(function (fc) {
        return L.geoJSON(fc, {
          style: style,
          pointToLayer: function (f, latlng) { return L.circleMarker(latlng, { radius: 3, color: style.color, weight: 1 }); },
          onEachFeature: function (f, layer) { layer.bindTooltip(placeName(f.properties)); }
        });
      });
  }
  var overlays = {};
  var control = L.control.layers(null, overlays).addTo(map);
  boundaries(data.places, { color: "#0b6e69", weight: 1.5, fillOpacity: 0.04 }).then(function (layer) {
    layer.addTo(map);
    layer.bringToBack();
    control.addOverlay(layer, "\u2751");
  });
  boundaries(data.districts, { color: "#5b6770", weight: 0.6, fillOpacity: 0, dashArray: "2 3" }).then(function (layer) {
    control.addOverlay(layer, "\u2750");
  });
  var cluster = L.markerClusterGroup({ showCoverageOnHover: false, maxClusterRadius: 40 });
  fetch(data.geojson, { credentials: "same-origin" }).then(function (r) { return r.json(); })
    .then(function (fc) {
      fc.features.forEach(function (f) {
        if (!f.geometry) { return; }
        var c = f.geometry.coordinates;
        var marker = L.circleMarker([c[1], c[0]], {
          radius: 7, color: "#fff", weight: 1.5, fillColor: f.properties.verified ? "#a4161a" : "#9a6700", fillOpacity: 0.9
        });
        var box = document.createElement("div");
        var title = document.createElement("strong");
        title.textContent = f.properties.title;
        var meta = document.createElement("div");
        meta.textContent = [f.properties.category_name, f.properties.district_name || f.properties.governorate_name, f.properties.occurred]
          .filter(Boolean).join(" \u00b7 ");
        var link = document.createElement("a");
        link.href = "/reports/" + encodeURIComponent(f.id);
        link.textContent = data.more;
        box.appendChild(title); box.appendChild(meta); box.appendChild(link);
        marker.bindPopup(box);
        cluster.addLayer(marker);
      });
      map.addLayer(cluster);
    });
}());
