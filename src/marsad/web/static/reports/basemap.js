/* The maps' base layer, shared by the public map and the report form's point picker.

   Draws Iraq's governorates and districts from Marsad's own /places/boundaries.json
   with each area's name in the page's language, and below them, only if the operator
   provides one, a self-hosted basemap (a PMTiles file drawn by protomaps-leaflet, or
   same-host raster tiles). No request ever goes to another host.

   It also puts Leaflet's own words (zoom buttons, layer switcher, attribution, the
   popup's close button) in the page's language; the words come from the element's
   data-t-* attributes, written by the server from the catalogs. Leaflet inserts some
   of them as HTML, so they are escaped here first. */
(function () {
  "use strict";

  // Iraq's extent ([south, west], [north, east]): every map opens on the whole country.
  var IRAQ = [[29.06, 38.79], [37.38, 48.57]];

  function escapeHtml(value) {
    return String(value).replace(/[&<>"']/g, function (c) { return "&#" + c.charCodeAt(0) + ";"; });
  }

  function inRing(ring, x, y) {
    var inside = false;
    for (var i = 0, j = ring.length - 1; i < ring.length; j = i++) {
      var xi = ring[i][0], yi = ring[i][1], xj = ring[j][0], yj = ring[j][1];
      if ((yi > y) !== (yj > y) && x < xi + (y - yi) * (xj - xi) / (yj - yi)) { inside = !inside; }
    }
    return inside;
  }

  function contains(geometry, x, y) {
    var polygons = geometry.type === "Polygon" ? [geometry.coordinates] : geometry.coordinates;
    for (var p = 0; p < polygons.length; p++) {
      var rings = polygons[p];
      if (!rings.length || !inRing(rings[0], x, y)) { continue; }
      var inHole = false;
      for (var h = 1; h < rings.length; h++) { if (inRing(rings[h], x, y)) { inHole = true; } }
      if (!inHole) { return true; }
    }
    return false;
  }

  function label(text, className) {
    var span = document.createElement("span");
    span.textContent = text;
    return L.divIcon({ className: "area-label " + className, html: span, iconSize: null });
  }

  function extent(geometry) {
    var box = [Infinity, Infinity, -Infinity, -Infinity];
    var polygons = geometry.type === "Polygon" ? [geometry.coordinates] : geometry.coordinates;
    polygons.forEach(function (rings) {
      rings[0].forEach(function (pt) {
        box[0] = Math.min(box[0], pt[0]); box[1] = Math.min(box[1], pt[1]);
        box[2] = Math.max(box[2], pt[0]); box[3] = Math.max(box[3], pt[1]);
      });
    });
    return (box[2] - box[0]) * (box[3] - box[1]);
  }

  /* Names that would overlap one already written are hidden until the reader zooms
     in; the smallest areas are written first, since the large ones have room. */
  function declutter(group) {
    var placed = [];
    group.eachLayer(function (marker) {
      var icon = marker.getElement();
      var span = icon && icon.firstChild;
      if (!span) { return; }
      span.style.visibility = "";
      var r = span.getBoundingClientRect();
      var clash = placed.some(function (p) {
        return r.left < p.right + 3 && r.right > p.left - 3 && r.top < p.bottom && r.bottom > p.top;
      });
      if (clash) { span.style.visibility = "hidden"; } else { placed.push(r); }
    });
  }

  /* Draw the base layer on `map`; `el` carries the data-* settings and words.
     Returns { ready: Promise, locate(latlng), name(props), overlay(layer, words) }. */
  window.MarsadBasemap = function (map, el) {
    var d = el.dataset;
    var lang = d.lang || document.documentElement.lang || "ar";
    var features = { 1: [], 2: [] };
    var byCode = {};
    var narrow = window.innerWidth < 600;

    L.control.zoom({ zoomInTitle: d.tZoomIn, zoomOutTitle: d.tZoomOut }).addTo(map);
    map.attributionControl.setPrefix(escapeHtml(d.tLeaflet || "Leaflet"));
    var control = L.control.layers(null, null, { collapsed: narrow }).addTo(map);
    var toggle = control.getContainer().querySelector(".leaflet-control-layers-toggle");
    if (toggle) {
      toggle.title = d.tLayers;
      toggle.setAttribute("aria-label", d.tLayers);
    }
    map.on("popupopen", function (e) {
      var close = e.popup.getElement().querySelector(".leaflet-popup-close-button");
      if (close) {
        close.title = d.tClose;
        close.setAttribute("aria-label", d.tClose);
      }
    });

    if (d.pmtiles && window.protomapsL) {
      var vector = protomapsL.leafletLayer({
        url: d.pmtiles, flavor: "light", lang: lang, attribution: escapeHtml(d.attribution || "")
      });
      vector.addTo(map);
      control.addBaseLayer(vector, escapeHtml(d.tBasemap));
    } else if (d.tiles) {
      var raster = L.tileLayer(d.tiles, { attribution: escapeHtml(d.attribution || ""), maxZoom: 14 });
      raster.addTo(map);
      control.addBaseLayer(raster, escapeHtml(d.tBasemap));
    }

    function name(props) { return props["name_" + lang] || props.name_en; }

    var ready = fetch(d.boundaries, { credentials: "same-origin" })
      .then(function (r) { return r.json(); })
      .then(function (fc) {
        fc.features.forEach(function (f) {
          features[f.properties.level].push(f);
          byCode[f.properties.pcode] = f.properties;
        });
        var attribution = escapeHtml(d.tBoundaries || "");
        var districts = L.geoJSON({ type: "FeatureCollection", features: features[2] }, {
          interactive: false, attribution: attribution,
          style: { color: "#5b6770", weight: 0.7, opacity: 0.8, fill: false, dashArray: "3 3" }
        });
        var governorates = L.geoJSON({ type: "FeatureCollection", features: features[1] }, {
          interactive: false,
          style: { color: "#0b6e69", weight: 1.6, fillColor: "#0b6e69", fillOpacity: 0.05 }
        });
        function bySize(list) {
          return list.slice().sort(function (a, b) { return extent(a.geometry) - extent(b.geometry); });
        }
        var govNames = L.layerGroup(bySize(features[1]).map(function (f) {
          var at = f.properties.label;
          return L.marker([at[1], at[0]], { icon: label(name(f.properties), "governorate"), interactive: false, keyboard: false });
        }));
        var distNames = L.layerGroup(bySize(features[2]).map(function (f) {
          var at = f.properties.label;
          return L.marker([at[1], at[0]], { icon: label(name(f.properties), "district"), interactive: false, keyboard: false });
        }));
        var govGroup = L.layerGroup([governorates, govNames]);
        var distGroup = L.layerGroup([districts]);
        function showNames() {
          // District names only when there is room for them; then they replace the
          // governorates' names, which are shown from the start.
          var districtNames = map.hasLayer(distGroup) && map.getZoom() >= 8;
          if (districtNames) { distGroup.addLayer(distNames); } else { distGroup.removeLayer(distNames); }
          if (districtNames) { govGroup.removeLayer(govNames); } else { govGroup.addLayer(govNames); }
          declutter(districtNames ? distNames : govNames);
        }
        distGroup.addTo(map);
        govGroup.addTo(map);
        map.on("zoomend overlayadd overlayremove resize", showNames);
        showNames();
        control.addOverlay(govGroup, escapeHtml(d.tGovernorates));
        control.addOverlay(distGroup, escapeHtml(d.tDistricts));
        return fc;
      });

    /* The governorate and district of a point, from the same shapes the map draws
       (simplified: a point near a border may be given its neighbour). */
    function locate(latlng) {
      var found = { governorate: null, district: null };
      for (var i = 0; i < features[2].length; i++) {
        if (contains(features[2][i].geometry, latlng.lng, latlng.lat)) {
          found.district = features[2][i].properties;
          found.governorate = byCode[found.district.parent] || null;
          return found;
        }
      }
      for (var g = 0; g < features[1].length; g++) {
        if (contains(features[1][g].geometry, latlng.lng, latlng.lat)) {
          found.governorate = features[1][g].properties;
          return found;
        }
      }
      return found;
    }

    return {
      iraq: IRAQ,
      ready: ready,
      locate: locate,
      name: name,
      overlay: function (layer, words) { control.addOverlay(layer, escapeHtml(words)); }
    };
  };
}());
