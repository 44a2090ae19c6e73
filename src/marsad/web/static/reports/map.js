/* The public map: Iraq's boundaries as the base layer (basemap.js), published
   reports as clustered points. Reads only Marsad's own JSON. Text is inserted with
   textContent, never as HTML; codes and dates sit in their own left-to-right
   isolates so "2025-W11" never reads "W11-2025" on a right-to-left page. */
(function () {
  "use strict";
  var el = document.getElementById("map");
  if (!el || !window.L || !window.MarsadBasemap) { return; }
  var data = el.dataset;
  var map = L.map(el, { zoomSnap: 0.5, minZoom: 4.5, maxZoom: 13, zoomControl: false });
  var base = window.MarsadBasemap(map, el);
  map.fitBounds(base.iraq);

  function isolate(text, ltr) {
    var bdi = document.createElement("bdi");
    if (ltr) { bdi.dir = "ltr"; }
    bdi.textContent = text;
    return bdi;
  }

  function popup(props, id) {
    var box = document.createElement("div");
    box.className = "report-popup";
    var title = document.createElement("strong");
    title.appendChild(isolate(props.title, false));
    var meta = document.createElement("div");
    var parts = [
      [props.category_name, false],
      [props.district_name || props.governorate_name, false],
      [props.occurred, true]
    ].filter(function (p) { return p[0]; });
    parts.forEach(function (p, i) {
      if (i) { meta.appendChild(document.createTextNode(" \u00b7 ")); }
      meta.appendChild(isolate(p[0], p[1]));
    });
    var link = document.createElement("a");
    link.href = "/reports/" + encodeURIComponent(id);
    link.textContent = data.more;
    box.appendChild(title); box.appendChild(meta); box.appendChild(link);
    return box;
  }

  var cluster = L.markerClusterGroup({
    showCoverageOnHover: false,
    maxClusterRadius: 40,
    iconCreateFunction: function (group) {
      var n = group.getChildCount();
      var inner = document.createElement("div");
      var count = document.createElement("span");
      count.textContent = n;
      inner.appendChild(count);
      var words = (data.tCluster || "{n}").replace("{n}", n);
      inner.title = words;
      inner.setAttribute("aria-label", words);
      var size = n < 10 ? "small" : n < 100 ? "medium" : "large";
      return L.divIcon({ html: inner, className: "marker-cluster marker-cluster-" + size, iconSize: L.point(40, 40) });
    }
  });
  fetch(data.geojson, { credentials: "same-origin" }).then(function (r) { return r.json(); })
    .then(function (fc) {
      fc.features.forEach(function (f) {
        if (!f.geometry) { return; }
        var c = f.geometry.coordinates;
        var marker = L.circleMarker([c[1], c[0]], {
          radius: 7, color: "#fff", weight: 1.5, fillColor: f.properties.verified ? "#a4161a" : "#9a6700", fillOpacity: 0.9
        });
        marker.bindPopup(popup(f.properties, f.id));
        cluster.addLayer(marker);
      });
      map.addLayer(cluster);
      base.overlay(cluster, data.tReports);
    });
}());
