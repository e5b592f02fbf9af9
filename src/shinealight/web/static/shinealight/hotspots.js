// The oversight hotspot map: a circle per postcode area, sized by its count, drawn with
// Leaflet from the JSON data element the page carries. The page's table holds the same
// figures, so nothing is lost where this does not run. No inline script (strict CSP).
(function () {
  "use strict";
  var dataElement = document.getElementById("hotspot-data");
  var mapElement = document.getElementById("hotspot-map");
  if (!dataElement || !mapElement || typeof window.L === "undefined") {
    return;
  }
  var L = window.L;
  var data = JSON.parse(dataElement.textContent);
  if (!data.areas || !data.areas.length) {
    return;
  }
  mapElement.hidden = false;
  var map = L.map(mapElement, {
    scrollWheelZoom: false,
    attributionControl: Boolean(data.tiles),
    zoomSnap: 0.5
  });
  // Without tiles a scale is the only sense of distance between the circles.
  L.control.scale({ imperial: false }).addTo(map);
  if (data.tiles) {
    L.tileLayer(data.tiles, { attribution: data.attribution || "", maxZoom: 18 }).addTo(map);
  }
  var largest = 1;
  data.areas.forEach(function (area) {
    largest = Math.max(largest, area.records + area.alerts);
  });
  var points = [];
  // Leaflet puts a string in as HTML; text nodes keep every figure as plain text.
  function text(value) {
    var span = document.createElement("span");
    span.textContent = value;
    return span;
  }
  data.areas.forEach(function (area) {
    var total = area.records + area.alerts;
    var radius = 6 + 24 * Math.sqrt(total / largest);
    var name = area.name ? " (" + area.name + ")" : "";
    // The area code and count stay beside each circle, so the map reads without hovering;
    // a click opens the full figures.
    L.circleMarker([area.lat, area.lon], {
      radius: radius,
      color: "#d4351c",
      weight: 2,
      fillColor: "#d4351c",
      fillOpacity: 0.35
    })
      .bindTooltip(text(area.area + ": " + total), {
        permanent: true,
        direction: "right",
        offset: [radius, 0]
      })
      .bindPopup(
        text(
          area.area + name + ": " + area.records + " records with indicators, " +
            area.alerts + " alerts"
        )
      )
      .addTo(map);
    points.push([area.lat, area.lon]);
  });
  if (points.length === 1) {
    map.setView(points[0], 10);
  } else {
    map.fitBounds(points, { padding: [50, 50], maxZoom: 11 });
  }
})();
