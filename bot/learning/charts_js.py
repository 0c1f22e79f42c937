"""The report page's chart drawing, as a JavaScript string inlined in the page (no CDN, no network).

Each ``<figure data-chart=KIND data-series=JSON>`` is drawn as inline SVG. When every
chart is drawn the script sets ``data-charts-drawn`` on ``<body>`` and writes the count
into ``#render-status``; any script error is written into ``data-chart-error`` instead,
so a headless browser's DOM dump tells whether the charts rendered.
"""

CHARTS_JS = r"""
(function () {
  var NS = "http://www.w3.org/2000/svg";
  var COLORS = ["#2f7d32", "#f9a825", "#c62828", "#1565c0", "#6a1b9a", "#00838f"];
  function el(name, attrs, text) {
    var node = document.createElementNS(NS, name);
    for (var key in attrs) { node.setAttribute(key, attrs[key]); }
    if (text !== undefined) { node.textContent = text; }
    return node;
  }
  function legend(svg, series, y) {
    var x = 10;
    series.forEach(function (s, i) {
      svg.appendChild(el("rect", {x: x, y: y - 10, width: 12, height: 12, fill: s.color || COLORS[i % COLORS.length]}));
      svg.appendChild(el("text", {x: x + 16, y: y, "font-size": 12}, s.name));
      x += 24 + 8 * s.name.length;
    });
  }
  // vertical stacked bars: one bar per label, one colour per series
  function columns(fig, spec) {
    var width = 720, height = 260, left = 40, bottom = 40, top = 30;
    var svg = el("svg", {viewBox: "0 0 " + width + " " + height, width: "100%", role: "img"});
    var totals = spec.labels.map(function (_, i) {
      return spec.series.reduce(function (sum, s) { return sum + s.values[i]; }, 0);
    });
    var most = Math.max.apply(null, totals.concat([1]));
    var slot = (width - left - 10) / Math.max(spec.labels.length, 1);
    var scale = (height - bottom - top) / most;
    svg.appendChild(el("line", {x1: left, y1: height - bottom, x2: width - 5, y2: height - bottom, stroke: "#888"}));
    svg.appendChild(el("text", {x: 2, y: top + 4, "font-size": 11}, String(most)));
    spec.labels.forEach(function (label, i) {
      var y = height - bottom;
      spec.series.forEach(function (s, k) {
        var h = s.values[i] * scale;
        y -= h;
        var bar = el("rect", {x: left + i * slot + 2, y: y, width: Math.max(slot - 4, 1), height: h, fill: s.color || COLORS[k % COLORS.length]});
        bar.appendChild(el("title", {}, label + " " + s.name + ": " + s.values[i]));
        svg.appendChild(bar);
      });
      if (spec.labels.length <= 16 || i % Math.ceil(spec.labels.length / 16) === 0) {
        var shown = /^\d{4}-\d\d-\d\d$/.test(label) ? label.slice(5) : label;  // dates: month-day
        svg.appendChild(el("text", {x: left + i * slot + slot / 2, y: height - bottom + 14, "font-size": 10, "text-anchor": "middle"}, shown));
      }
    });
    legend(svg, spec.series, height - 6);
    fig.appendChild(svg);
  }
  // horizontal stacked bars: one row per label
  function rows(fig, spec) {
    var rowHeight = 22, labelWidth = 230, width = 720;
    var height = spec.labels.length * rowHeight + 30;
    var svg = el("svg", {viewBox: "0 0 " + width + " " + height, width: "100%", role: "img"});
    var totals = spec.labels.map(function (_, i) {
      return spec.series.reduce(function (sum, s) { return sum + s.values[i]; }, 0);
    });
    var most = Math.max.apply(null, totals.concat([1]));
    var scale = (width - labelWidth - 60) / most;
    spec.labels.forEach(function (label, i) {
      var y = i * rowHeight + 4, x = labelWidth;
      svg.appendChild(el("text", {x: labelWidth - 6, y: y + 14, "font-size": 12, "text-anchor": "end"},
        label.length > 34 ? label.slice(0, 33) + "\u2026" : label));
      spec.series.forEach(function (s, k) {
        var w = s.values[i] * scale;
        var bar = el("rect", {x: x, y: y, width: w, height: rowHeight - 6, fill: s.color || COLORS[k % COLORS.length]});
        bar.appendChild(el("title", {}, label + " " + s.name + ": " + s.values[i]));
        svg.appendChild(bar);
        x += w;
      });
      svg.appendChild(el("text", {x: x + 4, y: y + 13, "font-size": 11}, String(totals[i])));
    });
    if (spec.series.length > 1) { legend(svg, spec.series, height - 4); }
    fig.appendChild(svg);
  }
  var KINDS = {columns: columns, rows: rows};
  try {
    var figures = document.querySelectorAll("figure[data-chart]");
    var drawn = 0;
    figures.forEach(function (fig) {
      KINDS[fig.getAttribute("data-chart")](fig, JSON.parse(fig.getAttribute("data-series")));
      drawn += 1;
    });
    document.body.setAttribute("data-charts-drawn", String(drawn));
    document.getElementById("render-status").textContent = "charts drawn: " + drawn;
  } catch (error) {
    document.body.setAttribute("data-chart-error", String(error && error.message || error));
  }
})();
"""
