/* Picking the exact point on a map, for reporters whose browser runs JavaScript.
   The form works without it (latitude and longitude fields). Leaflet and the
   boundaries are loaded only when the reporter opens "Exact point", so the form
   stays light on a slow connection; everything comes from Marsad itself.

   After a click the picker says which governorate and district the point is in,
   worked out in the browser from the boundaries Marsad serves: the point leaves
   the phone only when the reporter sends the report. An empty governorate or
   district field is filled in from it; the reporter can still change both. */
(function () {
  "use strict";
  var box = document.querySelector("details.point-picker");
  if (!box) { return; }
  var d = box.dataset;
  var lat = box.querySelector("input[name=lat]");
  var lon = box.querySelector("input[name=lon]");
  var form = box.closest("form");
  var govSelect = form && form.querySelector("select[name=governorate]");
  var distSelect = form && form.querySelector("select[name=district]");
  var started = false;

  function addCss(href) {
    var link = document.createElement("link");
    link.rel = "stylesheet";
    link.href = href;
    document.head.appendChild(link);
  }

  function addScript(src) {
    return new Promise(function (resolve, reject) {
      var script = document.createElement("script");
      script.src = src;
      script.onload = resolve;
      script.onerror = reject;
      document.head.appendChild(script);
    });
  }

  function choose(select, code) {
    if (!select || !code || select.value) { return; }
    for (var i = 0; i < select.options.length; i++) {
      if (select.options[i].value === code) {
        select.value = code;
        select.dispatchEvent(new Event("change", { bubbles: true }));
        return;
      }
    }
  }

  function draw() {
    var el = document.createElement("div");
    el.className = "picker-map";
    var said = document.createElement("p");
    said.className = "picked";
    said.setAttribute("aria-live", "polite");
    box.appendChild(el);
    box.appendChild(said);
    var map = L.map(el, { zoomSnap: 0.5, minZoom: 4.5, maxZoom: 14, zoomControl: false });
    var base = window.MarsadBasemap(map, box);
    map.fitBounds(base.iraq);
    var marker = null;

    function tell(found) {
      said.textContent = "";
      if (!found.governorate) {
        said.textContent = d.tOutside;
        return;
      }
      var parts = [[d.tGovernorate, found.governorate], [d.tDistrict, found.district]];
      parts.forEach(function (part) {
        if (!part[1]) { return; }
        var line = document.createElement("span");
        line.className = "picked-" + (part[1].level === 1 ? "governorate" : "district");
        line.appendChild(document.createTextNode(part[0] + ": "));
        var strong = document.createElement("strong");
        strong.textContent = base.name(part[1]);
        line.appendChild(strong);
        said.appendChild(line);
        said.appendChild(document.createTextNode(" "));
      });
      choose(govSelect, found.governorate.pcode);
      if (found.district && govSelect && govSelect.value === found.governorate.pcode) {
        choose(distSelect, found.district.pcode);
      }
    }

    function place(ll) {
      lat.value = ll.lat.toFixed(5);
      lon.value = ll.lng.toFixed(5);
      if (marker) { marker.setLatLng(ll); } else {
        marker = L.circleMarker(ll, { radius: 8, color: "#fff", weight: 2, fillColor: "#a4161a", fillOpacity: 1 }).addTo(map);
      }
      base.ready.then(function () { tell(base.locate(ll)); });
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
    addCss(d.leafletCss);
    var scripts = addScript(d.leafletJs).then(function () { return addScript(d.basemapJs); });
    if (d.pmtiles) {
      scripts = scripts.then(function () { return addScript(d.protomapsJs); });
    }
    scripts.then(draw);
  });
}());
