/*
 * demo.js -- a concept page's live demo (the #demo element of
 * templates/concept.mustache), run by the flow library compiled to
 * WebAssembly (static/flow.wasm, from `make wasm`).
 *
 * #demo's data-config is the page's `demo:` block as JSON.  By `dim`:
 *   dim 2, map affine   the image of the latent grid under x = A z + b
 *                       (flow_forward), the probe point, and its base log
 *                       density at the preimage, log-det correction and
 *                       log density (flow_inverse, flow_log_prob);
 *   dim 1, map affine   a density curve (flow_log_prob over a range) with
 *                       the data as points: either data points under
 *                       x = shift + scale z (log-likelihood = the sum of
 *                       log p over the data), or a noising path, where
 *                       data {mean, std} and a linear beta schedule give
 *                       the marginal at step t, N(sqrt(ab) mean,
 *                       ab std^2 + 1 - ab) with ab = alpha-bar(t).
 * A range input per entry of `controls` updates everything live.
 *
 * Every number the page shows comes from the wasm library, the same code
 * that checked the page's witnesses.  Text goes in with textContent only;
 * nothing is loaded from another host.  Without this script, or without
 * flow.wasm, the panel keeps (or says in) its fallback text.
 */
(function () {
  "use strict";
  var stage = document.getElementById("demo");
  if (!stage) return;
  var fallback = stage.querySelector(".demo-fallback");
  var SVG = "http://www.w3.org/2000/svg";
  // flow.wasm sits beside this script, in the site's static/ folder.
  var here = document.currentScript && document.currentScript.src;

  function say(text) {
    if (!fallback) {
      fallback = document.createElement("p");
      fallback.className = "demo-fallback";
      stage.appendChild(fallback);
    }
    fallback.textContent = text;
  }

  // ---- the wasm flow library: a bump allocator over its memory from
  // __heap_base, reset for every redraw (each redraw builds a fresh flow).
  function Lib(exports) {
    this.e = exports;
    this.base = (exports.__heap_base.value + 15) & ~15;
    this.top = this.base;
  }
  Lib.prototype.reset = function () { this.top = this.base; };
  Lib.prototype.alloc = function (bytes) {
    var p = this.top;
    this.top += (bytes + 15) & ~15;
    return p;
  };
  Lib.prototype.put = function (values) {
    var p = this.alloc(8 * Math.max(values.length, 1));
    new Float64Array(this.e.memory.buffer, p, values.length).set(values);
    return p;
  };
  Lib.prototype.get = function (p, n) {
    return Array.prototype.slice.call(new Float64Array(this.e.memory.buffer, p, n));
  };
  // A fresh flow of one affine layer x = A z + b (A row-major, dim x dim)
  // over a standard-normal base; returns its address.
  Lib.prototype.affine = function (dim, A, b) {
    var NMEM = 1 << 16;
    var f = this.alloc(1 << 16), mem = this.alloc(8 * NMEM);
    if (this.e.flow_init(f, dim, mem, NMEM) !== 0 ||
        this.e.flow_add_affine(f, this.put(A), this.put(b)) !== 0)
      throw new Error("the flow library refused the map (is A invertible?)");
    return f;
  };
  // flow_forward, flow_inverse and flow_log_prob over n points.
  Lib.prototype.run = function (name, f, dim, xs, n) {
    var out = this.alloc(8 * dim * n), ld = this.alloc(8 * n);
    var r = name === "log_prob"
      ? this.e.flow_log_prob(f, this.put(xs), out, n)
      : this.e["flow_" + name](f, this.put(xs), out, ld, n);
    if (r !== 0) throw new Error("flow_" + name + " failed");
    return {out: this.get(out, name === "log_prob" ? n : dim * n),
      logdet: this.get(ld, n)};
  };

  // ---- the state the controls move: A, b, shift, scale, t.
  function initialState(c) {
    var s = {A: c.A ? c.A.map(function (r) { return r.slice(); }) : null,
      b: c.b ? c.b.slice() : null, shift: 0, scale: 1, t: 0};
    var start = c.start || {};
    Object.keys(start).forEach(function (k) { s[k] = start[k]; });
    return s;
  }
  // "A[0][1]" -> ["A", 0, 1]; "shift" -> ["shift"].
  function path(param) {
    var m = /^([A-Za-z_]+)((?:\[\d+\])*)$/.exec(param);
    if (!m) return null;
    var idx = (m[2].match(/\d+/g) || []).map(Number);
    return [m[1]].concat(idx);
  }
  function getParam(s, p) {
    var v = s[p[0]];
    for (var i = 1; i < p.length && v != null; i++) v = v[p[i]];
    return typeof v === "number" ? v : NaN;
  }
  function setParam(s, p, value) {
    if (p.length === 1) { s[p[0]] = value; return; }
    var v = s[p[0]];
    for (var i = 1; i < p.length - 1; i++) v = v[p[i]];
    v[p[p.length - 1]] = value;
  }

  // ---- drawing helpers: an SVG in world coordinates [x0,x1] x [y0,y1].
  function el(name, attrs) {
    var e = document.createElementNS(SVG, name);
    Object.keys(attrs).forEach(function (k) { e.setAttribute(k, attrs[k]); });
    return e;
  }
  function canvas(x0, x1, y0, y1, label) {
    var W = 320, H = label === "grid" ? 320 : 200;
    var svg = el("svg", {viewBox: "0 0 " + W + " " + H, class: "demo-plot",
      role: "img"});
    var sx = function (x) { return ((x - x0) / (x1 - x0) * W).toFixed(2); };
    var sy = function (y) { return (H - (y - y0) / (y1 - y0) * H).toFixed(2); };
    var line = function (pts, attrs) {
      attrs.points = pts.map(function (q) { return sx(q[0]) + "," + sy(q[1]); }).join(" ");
      attrs.fill = "none";
      svg.appendChild(el("polyline", attrs));
    };
    var dot = function (x, y, r, attrs) {
      attrs.cx = sx(x); attrs.cy = sy(y); attrs.r = r;
      svg.appendChild(el("circle", attrs));
    };
    return {svg: svg, line: line, dot: dot};
  }
  function fmt(v) { return isFinite(v) ? v.toFixed(4) : String(v); }

  // ---- dim 2: the grid's image, the probe and its three numbers.
  function draw2(lib, c, s, plot, show) {
    var ext = (c.grid && c.grid.extent) || 3, nl = (c.grid && c.grid.lines) || 9;
    var A = [s.A[0][0], s.A[0][1], s.A[1][0], s.A[1][1]];
    var f = lib.affine(2, A, s.b);
    var K = 2, zs = [], i, j, u;
    // Each grid line as K points (the map is affine, so its image is straight).
    for (i = 0; i < nl; i++) {
      u = -ext + 2 * ext * i / (nl - 1);
      for (j = 0; j < K; j++) zs.push(u, -ext + 2 * ext * j / (K - 1));
      for (j = 0; j < K; j++) zs.push(-ext + 2 * ext * j / (K - 1), u);
    }
    var xs = lib.run("forward", f, 2, zs, zs.length / 2).out;
    var R = 2.5 * ext, cv = canvas(-R, R, -R, R, "grid");
    cv.line([[-R, 0], [R, 0]], {stroke: "currentColor", "stroke-opacity": 0.25});
    cv.line([[0, -R], [0, R]], {stroke: "currentColor", "stroke-opacity": 0.25});
    for (i = 0; i < xs.length / (2 * K); i++) {
      var pts = [];
      for (j = 0; j < K; j++) pts.push([xs[2 * (i * K + j)], xs[2 * (i * K + j) + 1]]);
      cv.line(pts, {stroke: "currentColor", "stroke-opacity": 0.6, class: "demo-grid-line"});
    }
    var probe = c.probe || [0, 0];
    var inv = lib.run("inverse", f, 2, probe, 1);
    var lp = lib.run("log_prob", f, 2, probe, 1).out[0];
    var logdet = inv.logdet[0];  // log |det dz/dx|, the inverse map's
    cv.dot(probe[0], probe[1], 5, {fill: "#c0392b", class: "demo-probe"});
    plot.replaceChildren(cv.svg);
    show({"base-log-density": lp - logdet, "log-det-correction": logdet,
      "log-density": lp, "preimage": "(" + inv.out.map(fmt).join(", ") + ")"});
  }

  // alpha-bar(t) = prod over the first t steps of (1 - beta_i), the betas
  // spaced linearly from beta_start to beta_end over `steps` steps.
  function alphaBar(sch, t) {
    var n = sch.steps || 1000, ab = 1;
    for (var i = 0; i < Math.min(t, n); i++)
      ab *= 1 - (sch.beta_start + (sch.beta_end - sch.beta_start) * i / Math.max(n - 1, 1));
    return ab;
  }

  // ---- dim 1: a density curve, the data, and the numbers.
  var firstPeak = 0;
  function draw1(lib, c, s, plot, show) {
    var mean = s.shift, sd = s.scale, points = [], numbers = {};
    if (Array.isArray(c.data)) {
      points = c.data;
    } else if (c.data && c.schedule) {
      var ab = alphaBar(c.schedule, s.t);
      mean = Math.sqrt(ab) * c.data.mean;
      sd = Math.sqrt(ab * c.data.std * c.data.std + 1 - ab);
      numbers["alpha-bar"] = ab;
      numbers["marginal-density"] = "N(" + fmt(mean) + ", " + fmt(sd) + "\u00b2)";
    }
    var f = lib.affine(1, [sd], [mean]);
    // The range: the data and the controls' whole reach, fixed while the
    // controls move so that the curve's changes are visible.
    var lo = Infinity, hi = -Infinity;
    points.concat(c.data && c.data.mean != null ? [c.data.mean, 0] : [])
      .forEach(function (v) { lo = Math.min(lo, v); hi = Math.max(hi, v); });
    (c.controls || []).forEach(function (k) {
      if (k.param === "shift") { lo = Math.min(lo, k.min); hi = Math.max(hi, k.max); }
    });
    lo -= 2; hi += 2;
    var N = 241, xs = [];
    for (var i = 0; i < N; i++) xs.push(lo + (hi - lo) * i / (N - 1));
    var lp = lib.run("log_prob", f, 1, xs, N).out;
    // The height scale is the first drawing's, grown only when a curve
    // would not fit: a curve that flattens is seen to flatten.
    var dens = lp.map(Math.exp);
    var top = firstPeak = Math.max(firstPeak, Math.max.apply(null, dens));
    var cv = canvas(lo, hi, -0.05 * top, 1.1 * top, "curve");
    cv.line([[lo, 0], [hi, 0]], {stroke: "currentColor", "stroke-opacity": 0.4});
    cv.line(xs.map(function (x, k) { return [x, dens[k]]; }),
      {stroke: "#2c6fbb", "stroke-width": 2, class: "demo-curve"});
    if (points.length) {
      var lpd = lib.run("log_prob", f, 1, points, points.length).out;
      numbers["log-likelihood"] = lpd.reduce(function (a, v) { return a + v; }, 0);
      points.forEach(function (x) { cv.dot(x, 0, 4, {fill: "#c0392b", class: "demo-point"}); });
    } else if (c.data && c.data.mean != null) {
      cv.dot(c.data.mean, 0, 4, {fill: "#c0392b", class: "demo-point"});
    }
    plot.replaceChildren(cv.svg);
    show(numbers);
  }

  // ---- the panel: plot, readout, controls.
  function start(lib, c) {
    var s = initialState(c);
    var plot = document.createElement("div");
    plot.className = "demo-figure";
    var readout = document.createElement("dl");
    readout.className = "demo-readout";
    var cells = {};
    (c.show || []).forEach(function (name) {
      var dt = document.createElement("dt"), dd = document.createElement("dd");
      dt.textContent = name.replace(/-/g, " ");
      dd.id = "demo-value-" + name;
      dd.setAttribute("aria-live", "polite");
      readout.appendChild(dt); readout.appendChild(dd);
      cells[name] = dd;
    });
    var show = function (numbers) {
      Object.keys(cells).forEach(function (name) {
        var v = numbers[name];
        cells[name].textContent = v == null ? "\u2014" : typeof v === "number" ? fmt(v) : v;
      });
    };
    var draw = function () {
      lib.reset();
      try {
        (c.dim === 2 ? draw2 : draw1)(lib, c, s, plot, show);
      } catch (e) {
        show({});
        say("The demo could not draw this setting: " + e.message);
      }
    };
    var controls = document.createElement("div");
    controls.className = "demo-controls";
    (c.controls || []).forEach(function (k, n) {
      var p = path(k.param);
      if (!p || isNaN(getParam(s, p))) return;
      var id = "demo-control-" + n;
      var row = document.createElement("div");
      var label = document.createElement("label");
      var input = document.createElement("input");
      var out = document.createElement("output");
      row.className = "demo-control";
      label.htmlFor = id;
      label.textContent = k.param;
      input.type = "range"; input.id = id;
      input.min = k.min; input.max = k.max; input.step = k.step || "any";
      input.value = getParam(s, p);
      out.htmlFor = id;
      out.textContent = input.value;
      input.addEventListener("input", function () {
        setParam(s, p, Number(input.value));
        out.textContent = input.value;
        draw();
      });
      row.appendChild(label); row.appendChild(input); row.appendChild(out);
      controls.appendChild(row);
    });
    stage.replaceChildren(plot, readout, controls);
    fallback = null;
    stage.dataset.ready = "true";
    draw();
  }

  var config;
  try {
    config = JSON.parse(stage.dataset.config);
  } catch (e) {
    say("The demo's configuration could not be read.");
    return;
  }
  if (config.map !== "affine" || (config.dim !== 1 && config.dim !== 2) ||
      (config.dim === 2 && !(config.A && config.b))) {
    say("This demo's kind (map " + config.map + ", dim " + config.dim +
      ") is not one this page's script can draw yet.");
    return;
  }
  if (!window.WebAssembly || !window.fetch || !here) {
    say("This browser cannot run the demo's WebAssembly.");
    return;
  }
  say("Loading the demo\u2026");
  fetch(new URL("flow.wasm", here)).then(function (r) {
    if (!r.ok) throw new Error("missing");
    return r.arrayBuffer();
  }).then(function (bytes) {
    return WebAssembly.instantiate(bytes, {});
  }).then(function (m) {
    start(new Lib(m.instance.exports), config);
  }, function (e) {
    say(e && e.message === "missing"
      ? "The demo's WebAssembly file (static/flow.wasm) is missing from this " +
        "site: build it with `make wasm`, then build the site again."
      : "The demo's WebAssembly file (static/flow.wasm) could not be loaded " +
        "(a browser may refuse to fetch it from a file:// page; use folio serve).");
  });
})();
