// The network view's diagram, drawn with cytoscape.js over the JSON the page names. The page
// already shows the same network as tables; this only adds the picture, the details panel
// and the time slider. Text goes in with textContent and cytoscape draws labels as canvas
// text, so a name can never become markup. No inline styles: sizes are set through the
// CSSOM, which the Content-Security-Policy allows.
(function () {
  "use strict";

  var root = document.getElementById("network");
  if (!root || typeof window.cytoscape !== "function" || !window.fetch) {
    return;
  }
  var canvas = document.getElementById("network-canvas");
  var slider = document.getElementById("network-time");
  var sliderValue = document.getElementById("network-time-value");
  var count = document.getElementById("network-count");
  var details = document.getElementById("network-details");
  var problem = document.getElementById("network-error");

  // cytoscape adds an inline <style> element unless one with this id exists; the policy
  // would refuse it, so an empty placeholder stands in and the one rule it held is set below.
  var placeholderId = "__________cytoscape_stylesheet";
  if (!document.getElementById(placeholderId)) {
    var placeholder = document.createElement("meta");
    placeholder.id = placeholderId;
    document.head.appendChild(placeholder);
  }

  var COLOURS = {
    child: "#1d70b8",
    adult: "#d4351c",
    person: "#505a5f",
    vehicle: "#00703c",
    phone: "#4c2c92",
    online: "#912b88",
    location: "#f47738",
  };
  var SHAPES = {
    child: "ellipse",
    adult: "diamond",
    person: "octagon",
    vehicle: "round-rectangle",
    phone: "triangle",
    online: "hexagon",
    location: "star",
  };

  function element(tag, text, className) {
    var el = document.createElement(tag);
    if (text !== undefined && text !== null) {
      el.textContent = String(text);
    }
    if (className) {
      el.className = className;
    }
    return el;
  }

  function link(href, text) {
    // Only links the server built to this site's own pages.
    if (typeof href !== "string" || href.charAt(0) !== "/" || href.charAt(1) === "/") {
      return element("span", text);
    }
    var a = element("a", text, "govuk-link");
    a.href = href;
    return a;
  }

  function clear(node) {
    while (node.firstChild) {
      node.removeChild(node.firstChild);
    }
  }

  function summaryRow(list, key, value) {
    var row = element("div", null, "govuk-summary-list__row");
    row.appendChild(element("dt", key, "govuk-summary-list__key"));
    var dd = element("dd", null, "govuk-summary-list__value");
    if (value instanceof Node) {
      dd.appendChild(value);
    } else {
      dd.textContent = value;
    }
    row.appendChild(dd);
    list.appendChild(row);
  }

  function showNothing() {
    clear(details);
    details.appendChild(element("h2", "Details", "govuk-heading-s"));
    details.appendChild(
      element(
        "p",
        "Select a person, object or link in the diagram to see the records it comes from.",
        "govuk-body"
      )
    );
  }

  function showNode(node) {
    clear(details);
    details.appendChild(element("h2", node.label, "govuk-heading-s"));
    var list = element("dl", null, "govuk-summary-list govuk-summary-list--no-border");
    summaryRow(list, "What", node.type_label);
    if (node.detail) {
      summaryRow(list, "Roles", node.detail);
    }
    summaryRow(list, "Entity", node.href ? link(node.href, node.entity_id) : node.entity_id);
    summaryRow(list, "First recorded", node.first);
    summaryRow(list, "Records", String(node.records));
    details.appendChild(list);
    if (node.network_href) {
      var p = element("p", null, "govuk-body");
      p.appendChild(link(node.network_href, "Network of " + node.label));
      details.appendChild(p);
    }
  }

  function showEdge(edge) {
    clear(details);
    details.appendChild(
      element("h2", edge.source_label + " and " + edge.target_label, "govuk-heading-s")
    );
    details.appendChild(
      element(
        "p",
        edge.records === 1 ? "Named together in 1 record:" : "Named together in " + edge.records + " records:",
        "govuk-body"
      )
    );
    var list = element("ul", null, "govuk-list govuk-list--spaced");
    edge.provenance.forEach(function (p) {
      var item = element("li");
      item.appendChild(link(p.href, p.record));
      item.appendChild(
        element(
          "span",
          " – " + p.type + ", " + p.date_label + ", " + (p.grading ? "graded " + p.grading : "not graded") + ". " + p.relation
        )
      );
      list.appendChild(item);
    });
    details.appendChild(list);
  }

  function draw(data) {
    var months = data.months || [];
    var nodesById = {};
    var elements = [];
    data.nodes.forEach(function (node) {
      nodesById[node.id] = node;
      elements.push({
        group: "nodes",
        data: {
          id: node.id,
          label: node.label + "\n" + node.type_label,
          month: node.month,
          colour: COLOURS[node.category] || COLOURS.person,
          shape: SHAPES[node.category] || SHAPES.person,
        },
        classes: node.focus ? "focus" : "",
      });
    });
    var edgesById = {};
    data.edges.forEach(function (edge) {
      edgesById[edge.id] = edge;
      elements.push({
        group: "edges",
        data: {
          id: edge.id,
          source: edge.source,
          target: edge.target,
          month: edge.month,
          weight: Math.min(edge.records, 5),
        },
      });
    });

    canvas.style.position = "relative";
    canvas.style.height = "34rem";
    canvas.style.border = "1px solid #b1b4b6";

    var cy = window.cytoscape({
      container: canvas,
      elements: elements,
      wheelSensitivity: 0.3,
      style: [
        {
          selector: "node",
          style: {
            label: "data(label)",
            shape: "data(shape)",
            "background-color": "data(colour)",
            "border-color": "#0b0c0c",
            "border-width": 1,
            width: 26,
            height: 26,
            color: "#0b0c0c",
            "font-family": "arial, sans-serif",
            "font-size": 11,
            "text-wrap": "wrap",
            "text-max-width": "140px",
            "text-valign": "bottom",
            "text-margin-y": 4,
            "text-background-color": "#ffffff",
            "text-background-opacity": 0.85,
            "text-background-padding": 2,
          },
        },
        { selector: "node.focus", style: { "border-width": 5, width: 34, height: 34 } },
        {
          selector: "edge",
          style: {
            width: "mapData(weight, 1, 5, 1.5, 6)",
            "line-color": "#6f777b",
            "curve-style": "bezier",
          },
        },
        {
          selector: ":selected",
          style: { "border-color": "#ffdd00", "border-width": 6, "line-color": "#0b0c0c" },
        },
        { selector: ".later", style: { display: "none" } },
      ],
      layout: { name: "cose", animate: false, nodeDimensionsIncludeLabels: true, padding: 30 },
    });

    cy.on("select", "node", function (event) {
      showNode(nodesById[event.target.id()]);
    });
    cy.on("select", "edge", function (event) {
      showEdge(edgesById[event.target.id()]);
    });
    cy.on("unselect", function () {
      if (cy.$(":selected").length === 0) {
        showNothing();
      }
    });

    var totalNodes = data.nodes.length;
    var totalEdges = data.edges.length;

    function showUpTo(index) {
      var month = months.length ? months[index].value : "9999-12";
      cy.batch(function () {
        cy.elements().forEach(function (el) {
          var later = el.data("month") > month;
          el.toggleClass("later", later);
          if (later) {
            el.unselect();
          }
        });
      });
      var nodes = cy.nodes().not(".later").length;
      var edges = cy.edges().not(".later").length;
      root.setAttribute("data-visible-nodes", String(nodes));
      root.setAttribute("data-visible-edges", String(edges));
      sliderValue.textContent = months.length ? months[index].label : "";
      slider.setAttribute("aria-valuetext", months.length ? months[index].label : "");
      count.textContent =
        "Showing " + nodes + " of " + totalNodes + " people and objects and " + edges + " of " +
        totalEdges + " links" + (months.length ? ", as known at the end of " + months[index].label + "." : ".");
    }

    slider.min = "0";
    slider.max = String(Math.max(months.length - 1, 0));
    slider.value = slider.max;
    slider.disabled = months.length < 2;
    slider.addEventListener("input", function () {
      showUpTo(parseInt(slider.value, 10) || 0);
    });
    showUpTo(Math.max(months.length - 1, 0));
    // Kept on the element (not a global) so the browser tests can find where points are drawn.
    root.networkDiagram = cy;
    root.setAttribute("data-rendered", "true");
  }

  root.querySelectorAll("[data-network-js]").forEach(function (el) {
    el.hidden = false;
  });

  fetch(root.getAttribute("data-network-src"), {
    credentials: "same-origin",
    headers: { Accept: "application/json" },
  })
    .then(function (response) {
      if (!response.ok) {
        throw new Error("status " + response.status);
      }
      return response.json();
    })
    .then(draw)
    .catch(function () {
      problem.hidden = false;
      problem.textContent =
        "The diagram could not be drawn. The tables below show the same network.";
    });
})();
