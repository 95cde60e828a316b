/* The bilan's charts on the page: each .bilan-chart names the json_script element that holds
   its plotly figure, built in Python (reports/charts/). No inline script, no CDN. */
(function () {
  "use strict";
  if (typeof window.Plotly === "undefined") { return; }

  // plotly.js fetches a world map from its CDN for any geo figure, even one drawn from our own
  // communes' contours with the base map hidden: give it an empty world instead.
  var assets = window.PlotlyGeoAssets = window.PlotlyGeoAssets || {};
  assets.topojson = assets.topojson || {};
  ["world_110m", "world_50m"].forEach(function (name) {
    if (assets.topojson[name]) { return; }
    var objects = {};
    ["land", "ocean", "coastlines", "lakes", "rivers", "countries", "subunits"].forEach(function (layer) {
      objects[layer] = {type: "GeometryCollection", geometries: []};
    });
    assets.topojson[name] = {type: "Topology", objects: objects, arcs: []};
  });

  document.querySelectorAll(".bilan-chart[data-chart-source]").forEach(function (element) {
    var source = document.getElementById(element.dataset.chartSource);
    if (!source) { return; }
    var figure = JSON.parse(source.textContent);
    var layout = Object.assign({}, figure.layout || {}, {autosize: true});
    delete layout.width;
    window.Plotly.newPlot(element, figure.data || [], layout, {
      responsive: true,
      displaylogo: false,
      modeBarButtonsToRemove: ["select2d", "lasso2d"],
      locale: "fr"
    });
  });
})();
