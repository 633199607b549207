// Riffle's graphs page: the metric tree, live charts of the recent points (Graphite's render API of this server),
// occurrences as vertical markers, and the pipeline's health. No build step: plain browser JavaScript and uPlot.
(function () {
  "use strict";

  var COLORS = ["#3b6fd8", "#e0701b", "#2e9d5a", "#c23b8e", "#7a5bd1", "#b9a10c", "#1f9bb0", "#d23a3a",
    "#5b7083", "#8c564b"];
  var state = { range: 3600, charts: [], selected: null, occurrences: [], lastStatus: null, markers: {}, open: [] };
  window.riffle = state; // for the browser test and for curious users

  function $(id) { return document.getElementById(id); }

  function getJson(url) {
    return fetch(url, { cache: "no-store" }).then(function (r) {
      if (!r.ok) {
        return r.text().then(function (t) { throw new Error(t.trim() || ("HTTP " + r.status)); });
      }
      return r.json();
    });
  }

  // ---------------------------------------------------------------- health

  function setFigure(id, text, cls) {
    var el = $(id);
    el.querySelector(".value").textContent = text;
    el.className = "figure" + (cls ? " " + cls : "");
  }

  function stageFigures(status, name) {
    for (var i = 0; i < status.stages.length; i++) {
      if (status.stages[i].name === name) { return status.stages[i].figures; }
    }
    return null;
  }

  function fmt(n) {
    if (n === null || n === undefined || isNaN(n)) { return "–"; }
    if (Math.abs(n) >= 100) { return Math.round(n).toLocaleString("en"); }
    return (Math.round(n * 10) / 10).toString();
  }

  function pollStatus() {
    getJson("api/status").then(function (s) {
      var bridge = stageFigures(s, "bridge"), streams = stageFigures(s, "streams"), sink = stageFigures(s, "sink");
      setFigure("h-state", s.healthy ? "running" : "NOT ready", s.healthy ? "good" : "bad");
      var prev = state.lastStatus;
      if (bridge && prev && prev.bridge && s.time > prev.time) {
        setFigure("h-events", fmt((bridge.events_in - prev.bridge.events_in) / (s.time - prev.time)));
      } else if (!bridge) {
        setFigure("h-events", "no bridge");
      }
      setFigure("h-late", streams ? fmt(streams.late) : "–", streams && streams.late > 0 ? "bad" : "");
      setFigure("h-lag", sink && sink.lag !== undefined ? fmt(sink.lag) : "?", sink && sink.lag > 10000 ? "bad" : "");
      setFigure("h-points", sink ? fmt(sink.points_written_per_second) : "–");
      if (sink && sink.graphite_endpoints !== undefined) {
        var ok = sink.graphite_connected === sink.graphite_endpoints;
        setFigure("h-graphite", sink.graphite_connected + "/" + sink.graphite_endpoints + " connected",
          ok ? "good" : "bad");
      } else {
        setFigure("h-graphite", "none");
      }
      setFigure("h-refused", bridge ? fmt(bridge.refused) : "–", bridge && bridge.refused > 0 ? "bad" : "");
      setFigure("h-series", fmt(s.store.series));
      state.lastStatus = { time: s.time, bridge: bridge };
    }).catch(function () {
      setFigure("h-state", "unreachable", "bad");
    });
  }

  // ---------------------------------------------------------------- tree and search

  function hostFirst(a, b) {
    // environment -> host: the all-hosts series come first, then the hosts in order
    if (a.text === "all-hosts" && b.text !== "all-hosts") { return -1; }
    if (b.text === "all-hosts" && a.text !== "all-hosts") { return 1; }
    return a.text < b.text ? -1 : a.text > b.text ? 1 : 0;
  }

  function loadChildren(ul, prefix) {
    var query = prefix ? prefix + ".*" : "*";
    return getJson("metrics/find?query=" + encodeURIComponent(query)).then(function (nodes) {
      nodes.sort(hostFirst);
      ul.innerHTML = "";
      nodes.forEach(function (n) {
        var path = prefix ? prefix + "." + n.text : n.text;
        var li = document.createElement("li");
        li.className = n.expandable ? "branch" : "leaf";
        li.dataset.path = path;
        var span = document.createElement("span");
        span.textContent = n.text;
        li.appendChild(span);
        if (n.expandable) {
          var child = document.createElement("ul");
          li.appendChild(child);
          if (state.open.indexOf(path) >= 0) { // #open=production in the address
            li.classList.add("open");
            loadChildren(child, path);
          }
          span.addEventListener("click", function () {
            if (li.classList.toggle("open")) {
              loadChildren(child, path);
            } else {
              child.innerHTML = "";
            }
          });
        } else {
          span.title = "add " + path + " to the selected chart";
          span.addEventListener("click", function () { addTarget(path); });
        }
        ul.appendChild(li);
      });
    });
  }

  var searchTimer = null;
  function onSearch() {
    clearTimeout(searchTimer);
    searchTimer = setTimeout(function () {
      var q = $("search").value.trim(), results = $("results");
      if (!q) { results.innerHTML = ""; $("tree").style.display = ""; return; }
      getJson("api/search?q=" + encodeURIComponent(q)).then(function (paths) {
        results.innerHTML = "";
        $("tree").style.display = "none";
        if (paths.length === 0) { results.textContent = "no series contains '" + q + "'"; }
        paths.forEach(function (p) {
          var d = document.createElement("div");
          d.textContent = p;
          d.title = "add to the selected chart";
          d.addEventListener("click", function () { addTarget(p); });
          results.appendChild(d);
        });
      });
    }, 150);
  }

  // ---------------------------------------------------------------- charts

  /** What a series measures, from Riemann's path convention: its last node that is not a percentile number. */
  function unitOf(name) {
    var m = name.match(/[A-Za-z0-9_*?{}\[\],-]+(\.[A-Za-z0-9_*?{}\[\],-]+)+/);
    var parts = (m ? m[0] : name).split(".");
    // a percentile (search-time.value.99) is in the unit of its service: skip the number and "value"
    for (var i = parts.length - 1; i >= 0; i--) {
      if (!/^\d+$/.test(parts[i]) && !(parts[i] === "value" && i < parts.length - 1)) { return parts[i]; }
    }
    return name;
  }

  function newChart(targets) {
    var el = document.createElement("div");
    el.className = "chart";
    el.innerHTML = '<div class="head"><span class="targets"></span><span><button type="button" class="remove">'
      + "remove</button></span></div><div class=\"error\"></div><div class=\"plot\"></div>";
    $("charts").appendChild(el);
    var chart = { el: el, targets: targets.slice(), plot: null, names: "", zoomed: false, updates: 0, data: null };
    el.addEventListener("click", function () { select(chart); });
    el.querySelector(".remove").addEventListener("click", function (e) {
      e.stopPropagation();
      removeChart(chart);
    });
    state.charts.push(chart);
    select(chart);
    showTargets(chart);
    refresh(chart);
    return chart;
  }

  function select(chart) {
    state.selected = chart;
    state.charts.forEach(function (c) { c.el.classList.toggle("selected", c === chart); });
  }

  function removeChart(chart) {
    if (chart.plot) { chart.plot.destroy(); }
    chart.el.remove();
    state.charts = state.charts.filter(function (c) { return c !== chart; });
    select(state.charts[0] || null);
    saveHash();
  }

  function showTargets(chart) {
    chart.el.querySelector(".targets").textContent = chart.targets.join("   ") || "(empty: pick a series)";
    chart.el.dataset.targets = chart.targets.join(";");
    saveHash();
  }

  function addTarget(target) {
    target = target.trim();
    if (!target) { return; }
    var chart = state.selected || newChart([]);
    if (chart.targets.indexOf(target) < 0) { chart.targets.push(target); }
    showTargets(chart);
    refresh(chart);
  }

  function saveHash() {
    var parts = state.charts.map(function (c) { return "chart=" + encodeURIComponent(c.targets.join(";")); });
    history.replaceState(null, "", "#" + parts.join("&") + "&range=" + state.range
      + (state.open.length ? "&open=" + encodeURIComponent(state.open.join(";")) : ""));
  }

  function loadHash() {
    var found = false;
    location.hash.replace(/^#/, "").split("&").forEach(function (kv) {
      var eq = kv.indexOf("=");
      if (eq < 0) { return; }
      var k = kv.substring(0, eq), v = decodeURIComponent(kv.substring(eq + 1));
      if (k === "chart") {
        newChart(v ? v.split(";") : []);
        found = true;
      } else if (k === "open") {
        state.open = v.split(";");
      } else if (k === "range" && +v > 0) {
        setRange(+v);
      }
    });
    return found;
  }

  function setRange(seconds) {
    state.range = seconds;
    document.querySelectorAll(".ranges button").forEach(function (b) {
      b.classList.toggle("on", +b.dataset.range === seconds);
    });
    state.charts.forEach(function (c) { c.zoomed = false; refresh(c); });
    saveHash();
  }

  function refresh(chart) {
    if (chart.targets.length === 0) { return Promise.resolve(); }
    var url = "render?format=json&from=-" + state.range + "s&until=now"
      + chart.targets.map(function (t) { return "&target=" + encodeURIComponent(t); }).join("");
    return getJson(url).then(function (series) {
      chart.el.querySelector(".error").textContent = "";
      draw(chart, series);
    }).catch(function (e) {
      chart.el.querySelector(".error").textContent = e.message;
    });
  }

  function draw(chart, series) {
    // one x axis: the union of the series' timestamps (the same grid unless summarize changed the step)
    var times = {};
    series.forEach(function (s) { s.datapoints.forEach(function (p) { times[p[1]] = true; }); });
    var xs = Object.keys(times).map(Number).sort(function (a, b) { return a - b; });
    var index = {};
    xs.forEach(function (t, i) { index[t] = i; });
    var data = [xs];
    series.forEach(function (s) {
      var ys = new Array(xs.length).fill(null);
      s.datapoints.forEach(function (p) { ys[index[p[1]]] = p[0]; });
      data.push(ys);
    });
    // units: the first unit on the left axis, any other on the right
    var units = [];
    series.forEach(function (s) {
      var u = unitOf(s.target);
      if (units.indexOf(u) < 0) { units.push(u); }
    });
    var names = series.map(function (s) { return s.target; }).join("\n") + "|" + units.join(",");
    chart.data = data;
    chart.series = series.map(function (s) { return s.target; });
    chart.updates++;
    var plotEl = chart.el.querySelector(".plot");
    if (series.length === 0) {
      if (chart.plot) { chart.plot.destroy(); chart.plot = null; }
      chart.names = "";
      plotEl.innerHTML = '<div class="empty">no series matches ' + chart.targets.map(escapeHtml).join(", ")
        + " (yet)</div>";
      return;
    }
    if (chart.plot && chart.names === names) {
      chart.plot.setData(data, !chart.zoomed);
      return;
    }
    if (chart.plot) { chart.plot.destroy(); }
    plotEl.innerHTML = "";
    chart.names = names;
    var opts = {
      width: Math.max(300, plotEl.clientWidth || chart.el.clientWidth - 20),
      height: 260,
      scales: { x: { time: true } },
      series: [{}].concat(series.map(function (s, i) {
        return {
          label: s.target,
          stroke: COLORS[i % COLORS.length],
          width: 1.5,
          scale: units.indexOf(unitOf(s.target)) === 0 ? "y" : "y2",
          spanGaps: false,
          value: function (u, v) { return v === null ? "–" : fmt(v); }
        };
      })),
      axes: [{}, { scale: "y", label: units[0], size: 60 }].concat(units.length > 1
        ? [{ scale: "y2", side: 1, label: units.slice(1).join(", "), grid: { show: false }, size: 60 }] : []),
      cursor: { drag: { x: true, y: false } },
      hooks: {
        setSelect: [function (u) { if (u.select.width > 0) { chart.zoomed = true; } }],
        draw: [drawOccurrences]
      }
    };
    chart.plot = new uPlot(opts, data, plotEl);
    chart.plot.over.addEventListener("dblclick", function () { chart.zoomed = false; });
  }

  function escapeHtml(s) {
    return s.replace(/[&<>"]/g, function (c) { return { "&": "&amp;", "<": "&lt;", ">": "&gt;", "\"": "&quot;" }[c]; });
  }

  /** Occurrences (deploys, sign-ups...) as dashed vertical lines across every chart, labelled by their service. */
  function drawOccurrences(u) {
    var ctx = u.ctx, min = u.scales.x.min, max = u.scales.x.max, dpr = devicePixelRatio;
    var byTime = {};
    state.occurrences.forEach(function (o) {
      var label = occurrenceLabel(o.path);
      if (!state.markers[label]) { return; }
      o.times.forEach(function (t) {
        if (t < min || t > max) { return; }
        byTime[t] = byTime[t] || [];
        if (byTime[t].indexOf(label) < 0) { byTime[t].push(label); }
      });
    });
    ctx.save();
    ctx.lineWidth = 1.5 * dpr;
    ctx.setLineDash([5 * dpr, 4 * dpr]);
    ctx.font = (11 * dpr) + "px sans-serif";
    ctx.strokeStyle = "#d2691e";
    ctx.fillStyle = "#d2691e";
    var lastLabelX = -1e9;
    Object.keys(byTime).map(Number).sort(function (a, b) { return a - b; }).forEach(function (t) {
      var x = Math.round(u.valToPos(t, "x", true));
      ctx.beginPath();
      ctx.moveTo(x, u.bbox.top);
      ctx.lineTo(x, u.bbox.top + u.bbox.height);
      ctx.stroke();
      if (x - lastLabelX > 60 * dpr) { // one label per cluster of lines
        ctx.fillText(byTime[t].join(", "), x + 3 * dpr, u.bbox.top + 11 * dpr);
        lastLabelX = x;
      }
    });
    ctx.restore();
  }

  /** production.web1.deploys.occurrences -> deploys */
  function occurrenceLabel(path) {
    return path.split(".").slice(0, -1).pop();
  }

  /**
   * Occurrences, and a check box per kind above the charts. A kind seen in more than a fifth of the windows (sign-ups
   * on a busy site) is off until ticked: the lines are for rare things such as deploys.
   */
  function pollOccurrences() {
    return getJson("api/occurrences?from=-" + state.range + "s").then(function (list) {
      state.occurrences = list;
      var windows = {};
      list.forEach(function (o) {
        var label = occurrenceLabel(o.path);
        windows[label] = windows[label] || {};
        o.times.forEach(function (t) { windows[label][t] = true; });
      });
      var box = $("markers");
      Object.keys(windows).sort().forEach(function (label) {
        if (state.markers[label] !== undefined) { return; }
        var share = Object.keys(windows[label]).length / (state.range / 5);
        state.markers[label] = share <= 0.2;
        var l = document.createElement("label");
        var cb = document.createElement("input");
        cb.type = "checkbox";
        cb.checked = state.markers[label];
        cb.dataset.label = label;
        cb.addEventListener("change", function () {
          state.markers[label] = cb.checked;
          state.charts.forEach(function (c) { if (c.plot) { c.plot.redraw(); } });
        });
        l.appendChild(cb);
        l.appendChild(document.createTextNode(" " + label));
        box.appendChild(l);
      });
      box.style.display = Object.keys(state.markers).length ? "" : "none";
    }).catch(function () { /* the charts still draw without markers */ });
  }

  // ---------------------------------------------------------------- live

  var ticks = 0;
  function tick() {
    ticks++;
    pollStatus();
    var occ = ticks % 2 === 1 ? pollOccurrences() : Promise.resolve();
    occ.then(function () { state.charts.forEach(refresh); });
  }

  $("add").addEventListener("submit", function (e) {
    e.preventDefault();
    addTarget($("target").value);
    $("target").value = "";
  });
  $("new-chart").addEventListener("click", function () {
    var t = $("target").value.trim();
    newChart(t ? [t] : []);
    $("target").value = "";
  });
  document.querySelectorAll(".ranges button").forEach(function (b) {
    b.addEventListener("click", function () { setRange(+b.dataset.range); });
  });
  $("search").addEventListener("input", onSearch);
  window.addEventListener("resize", function () {
    state.charts.forEach(function (c) {
      if (c.plot) { c.plot.setSize({ width: Math.max(300, c.el.clientWidth - 20), height: 260 }); }
    });
  });

  if (!loadHash()) {
    newChart(["*.all-hosts.*.rate-per-second"]);
  }
  loadChildren($("tree"), "");
  tick();
  setInterval(tick, 1000);
  setInterval(function () { loadChildrenOpen(); }, 10000);

  /** Refreshes the top of the tree now and then, keeping what is open. */
  function loadChildrenOpen() {
    if ($("tree").querySelector(".open")) { return; }
    loadChildren($("tree"), "");
  }
})();
