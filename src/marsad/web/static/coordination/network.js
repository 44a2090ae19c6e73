/* The network view of coordinated accounts, drawn by the vendored cytoscape.
   Reads Marsad's own JSON; clicking an account opens its group. */
(function () {
  "use strict";
  var el = document.getElementById("network");
  if (!el || !window.cytoscape) { return; }
  var palette = ["#0b6e69", "#a4161a", "#9a6700", "#3a5a98", "#6a4c93", "#2b7a0b", "#b5179e", "#5b6770"];
  fetch(el.dataset.src, { credentials: "same-origin" })
    .then(function (r) { return r.json(); })
    .then(function (graph) {
      if (!graph.nodes.length) { el.hidden = true; return; }
      var cy = cytoscape({
        container: el,
        elements: graph.nodes.concat(graph.edges),
        style: [
          { selector: "node", style: {
            "background-color": function (n) { var c = n.data("cluster"); return c ? palette[c % palette.length] : "#999"; },
            "label": "data(id)", "font-size": 8, "width": 14, "height": 14 } },
          { selector: "edge", style: {
            "width": function (e) { return Math.min(1 + Math.log(1 + e.data("weight")), 6); },
            "line-color": "#b8c2c8", "curve-style": "haystack" } }
        ],
        layout: { name: "cose", animate: false }
      });
      if (el.dataset.link) {
        cy.on("tap", "node", function (evt) {
          var c = evt.target.data("cluster");
          if (c) { window.location.href = el.dataset.link + c; }
        });
      }
    });
}());
