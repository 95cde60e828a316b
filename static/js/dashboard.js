/* The dashboard's charts: each figure is built in Python (reports/charts/) and passed as a
   JSON data block (Django's json_script); this script draws it with plotly.js, served from our
   own static files. Clicking a bar, a slice, a point or a commune opens the dossier list behind
   it: the address is in the point's customdata, and only our own /projets/ list is followed.
   No inline script anywhere, so a strict Content-Security-Policy can forbid them. */
(function () {
  "use strict";

  var FRENCH = {
    moduleType: "locale",
    name: "fr",
    dictionary: {
      "Download plot as a PNG": "Télécharger le graphique (PNG)",
      "Download plot as a png": "Télécharger le graphique (PNG)",
      "Download plot": "Télécharger le graphique",
      "Reset axes": "Réinitialiser les axes",
      "Autoscale": "Échelle automatique",
      "Produced with Plotly.js": "Réalisé avec Plotly.js",
      "Click to enter Colorscale title": "",
      "Click to enter Component A title": "",
      "Click to enter Plot title": "",
      "Click to enter X axis title": "",
      "Click to enter Y axis title": ""
    },
    format: {
      decimal: ",",
      thousands: " ",
      days: ["dimanche", "lundi", "mardi", "mercredi", "jeudi", "vendredi", "samedi"],
      shortDays: ["dim.", "lun.", "mar.", "mer.", "jeu.", "ven.", "sam."],
      months: ["janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août",
        "septembre", "octobre", "novembre", "décembre"],
      shortMonths: ["janv.", "févr.", "mars", "avr.", "mai", "juin", "juil.", "août", "sept.",
        "oct.", "nov.", "déc."],
      date: "%d/%m/%Y"
    }
  };

  function dossierAddress(point) {
    var data = point && point.customdata;
    if (Array.isArray(data)) {
      data = data[0];
    }
    // Only our dossier list: a figure can never send the reader elsewhere.
    if (typeof data === "string" && data.indexOf("/projets/?") === 0) {
      return data;
    }
    return null;
  }

  function draw(container) {
    var source = document.getElementById(container.getAttribute("data-figure"));
    if (!source) {
      return;
    }
    var figure = JSON.parse(source.textContent);
    var layout = figure.layout || {};
    layout.dragmode = false;
    container.textContent = "";
    window.Plotly.newPlot(container, figure.data || [], layout, {
      locale: "fr",
      responsive: true,
      displaylogo: false,
      scrollZoom: false,
      modeBarButtons: [["toImage"]],
      toImageButtonOptions: { format: "png", filename: container.id, scale: 2 }
    }).then(function (plot) {
      plot.on("plotly_click", function (event) {
        var address = dossierAddress(event.points && event.points[0]);
        if (address) {
          window.location.assign(address);
        }
      });
      plot.on("plotly_hover", function (event) {
        plot.classList.toggle("chart--pointer", Boolean(dossierAddress(event.points && event.points[0])));
      });
      plot.on("plotly_unhover", function () {
        plot.classList.remove("chart--pointer");
      });
      container.setAttribute("data-rendered", "true");
    });
  }

  // plotly.js fetches the world's outlines from its CDN for any geo chart, even one drawn from
  // our own GeoJSON with every base layer hidden. Our map needs none of them: an empty
  // topology, registered the way plotly's offline assets are, keeps the page off the network.
  function registerEmptyWorld() {
    var assets = window.PlotlyGeoAssets = window.PlotlyGeoAssets || {};
    assets.topojson = assets.topojson || {};
    ["world_110m", "world_50m"].forEach(function (name) {
      if (assets.topojson[name]) {
        return;
      }
      var objects = {};
      ["land", "ocean", "coastlines", "lakes", "rivers", "countries", "subunits"].forEach(function (layer) {
        objects[layer] = { type: "GeometryCollection", geometries: [] };
      });
      assets.topojson[name] = { type: "Topology", objects: objects, arcs: [] };
    });
  }

  function init() {
    if (!window.Plotly) {
      return; // The tables below each chart still hold every figure.
    }
    window.Plotly.register(FRENCH);
    registerEmptyWorld();
    document.querySelectorAll(".chart[data-figure]").forEach(draw);
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", init);
  } else {
    init();
  }
})();
