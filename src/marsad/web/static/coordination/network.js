/* The network view of coordinated accounts, drawn by the vendored cytoscape.
   Reads Marsad's own JSON: nodes are labelled with display names and sized by their
   ties; the method filter redraws with that method's ties only; clicking an account
   opens its group. The legend and controls show only once the view can draw. */
(function () {
  "use strict";
  var el = document.getElementById("network");
  if (!el || !window.cytoscape) { return; }
  var palette = ["#0b6e69", "#a4161a", "#9a6700", "#3a5a98", "#6a4c93", "#2b7a0b", "#b5179e", "#5b6770"];
  var tools = document.getElementById("network-tools");
  var method = document.getElementById("network-method");
  var fit = document.getElementById("network-fit");
  var legend = document.getElementById("network-legend");
  var cy = null;

  function colour(c) { return c ? palette[c % palette.length] : "#999"; }

  function drawLegend(nodes) {
    if (!legend) { return; }
    var seen = {};
    nodes.forEach(function (n) { if (n.data.cluster) { seen[n.data.cluster] = true; } });
    legend.textContent = "";
    Object.keys(seen).map(Number).sort(function (a, b) { return a - b; }).forEach(function (c) {
      var item = document.createElement("li");
      var swatch = document.createElement("span");
      swatch.className = "swatch swatch-" + (c % palette.length);
      item.appendChild(swatch);
      item.appendChild(document.createTextNode(" " + legend.dataset.group.replace("%(n)s", c)));
      legend.appendChild(item);
    });
    legend.hidden = false;
  }

  function draw(graph) {
    if (cy) { cy.destroy(); cy = null; }
    if (!graph.nodes.length) { el.hidden = true; return; }
    el.hidden = false;
    var most = Math.max.apply(null, graph.nodes.map(function (n) { return n.data.degree || 1; }));
    cy = cytoscape({
      container: el,
      elements: graph.nodes.concat(graph.edges),
      style: [
        { selector: "node", style: {
          "background-color": function (n) { return colour(n.data("cluster")); },
          "label": "data(label)", "font-size": 9, "text-valign": "bottom", "text-margin-y": 3,
          "text-background-color": "#fff", "text-background-opacity": 0.8,
          "text-background-padding": 1, "min-zoomed-font-size": 6,
          "width": function (n) { return 10 + 22 * Math.sqrt((n.data("degree") || 1) / most); },
          "height": function (n) { return 10 + 22 * Math.sqrt((n.data("degree") || 1) / most); } } },
        { selector: "edge", style: {
          "width": function (e) { return Math.min(1 + Math.log(1 + e.data("weight")), 6); },
          "line-color": "#b8c2c8", "curve-style": "haystack" } }
      ],
      layout: { name: "cose", animate: false, nodeRepulsion: function () { return 8000; }, idealEdgeLength: function () { return 60; } }
    });
    if (el.dataset.link) {
      cy.on("tap", "node", function (evt) {
        var c = evt.target.data("cluster");
        if (c) { window.location.href = el.dataset.link + c; }
      });
    }
    drawLegend(graph.nodes);
  }

  function load() {
    var src = el.dataset.src;
    if (method && method.value) { src += (src.indexOf("?") < 0 ? "?" : "&") + "method=" + encodeURIComponent(method.value); }
    return fetch(src, { credentials: "same-origin" })
      .then(function (r) { return r.json(); })
      .then(draw);
  }

  load().then(function () { if (tools) { tools.hidden = false; } });
  if (method) { method.addEventListener("change", load); }
  if (fit) { fit.addEventListener("click", function () { if (cy) { cy.fit(undefined, 20); } }); }
}());
