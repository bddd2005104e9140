/* Small SVG chart functions: no library, no network. Each draws into an element from data and
   can be called again to redraw (the filters do). Marks carry class "mark" and a <title>. */
(() => {
"use strict";
const SVGNS = "http://www.w3.org/2000/svg";  // a namespace name, never fetched
const PALETTE = ["#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#999999", "#000000"];

const fmt = {
  int: v => v == null ? "n/a" : Math.round(v).toLocaleString("en-US"),
  pct: v => v == null ? "n/a" : (v * 100).toFixed(1) + " %",
  eur: v => {
    if (v == null) return "n/a";
    const s = v < 0 ? "−" : "", a = Math.abs(v);
    if (a >= 1e6) return "EUR " + s + (a / 1e6).toFixed(2) + " M";
    if (a >= 1e3) return "EUR " + s + (a / 1e3).toFixed(1) + " k";
    return "EUR " + s + a.toFixed(0);
  },
  days: v => v == null ? "n/a" : v.toFixed(0) + " days",
  people: v => v == null ? "n/a" : Math.round(v).toLocaleString("en-US") + " people",
};
// axis tick labels: shorter than the tooltips
const tickFmt = {
  pct: v => Math.round(v * 100) + "%",
  eur: v => Math.abs(v) >= 1e6 ? (v / 1e6).toFixed(1) + "M" : Math.abs(v) >= 1e3 ? (v / 1e3).toFixed(0) + "k" : v.toFixed(0),
  int: v => String(Math.round(v)), people: v => String(Math.round(v)), days: v => String(Math.round(v)),
};

function el(tag, attrs, parent) {
  const node = document.createElementNS(SVGNS, tag);
  for (const [k, v] of Object.entries(attrs || {})) node.setAttribute(k, v);
  if (parent) parent.appendChild(node);
  return node;
}
function titled(node, text) { el("title", {}, node).textContent = text; return node; }

function niceTicks(lo, hi, count) {
  if (hi === lo) hi = lo + 1;
  const raw = (hi - lo) / count, mag = Math.pow(10, Math.floor(Math.log10(raw)));
  const step = [1, 2, 2.5, 5, 10].map(m => m * mag).find(s => s >= raw);
  const ticks = [];
  for (let t = Math.floor(lo / step) * step; t <= hi + step * 1e-9; t += step) ticks.push(+t.toFixed(10));
  if (ticks[ticks.length - 1] < hi) ticks.push(ticks[ticks.length - 1] + step);
  return ticks;
}

function legend(container, items) {
  const ul = document.createElement("ul");
  ul.className = "legend";
  for (const it of items) {
    const li = document.createElement("li");
    const sw = document.createElement("span");
    sw.className = "swatch " + (it.kind || "bar");
    sw.style.background = it.kind === "line" || it.kind === "rule" ? "transparent" : it.kind === "band" ? it.color + "40" : it.color;
    sw.style.borderColor = it.color;
    li.appendChild(sw);
    li.appendChild(document.createTextNode(it.name));
    ul.appendChild(li);
  }
  container.appendChild(ul);
}

function empty(container, message) {
  container.replaceChildren();
  const p = document.createElement("p");
  p.className = "empty";
  p.textContent = message;
  container.appendChild(p);
}

/* Vertical chart over categories (months, quarters, years…).
   spec: {categories, labels?, series: [{name, kind: "bar"|"line", values, color, stack?, hollow?: [bool], dash?}],
          unit: "pct"|"eur"|"int"|"people"|"days", yLabel, rules: [{value, name, color}],
          bands: [{from: [..per category], to: [..], name, color}], height?, legend?: bool, minY?, maxY?} */
function columnChart(container, spec) {
  container.replaceChildren();
  const cats = spec.categories;
  if (!cats.length || !spec.series.some(s => s.values.some(v => v != null))) {
    return empty(container, spec.emptyText || "No data for this selection.");
  }
  const W = Math.max(320, container.clientWidth || 600), H = spec.height || 240;
  const m = spec.compact ? {l: 34, r: 6, t: 6, b: 20} : {l: 56, r: 12, t: 10, b: 34};
  const svg = el("svg", {viewBox: `0 0 ${W} ${H}`, width: W, height: H, role: "img", "aria-label": spec.yLabel || ""}, container);
  // stacks: bars of the same stack key pile up; distinct keys sit side by side
  const bars = spec.series.filter(s => s.kind === "bar");
  const stackKeys = [...new Set(bars.map(s => s.stack || s.name))];
  let lo = spec.minY != null ? spec.minY : 0, hi = spec.maxY != null ? spec.maxY : -Infinity;
  cats.forEach((_, i) => {
    for (const key of stackKeys) {
      let pos = 0, neg = 0;
      for (const s of bars.filter(b => (b.stack || b.name) === key)) {
        const v = s.values[i] || 0;
        if (v >= 0) pos += v; else neg += v;
      }
      hi = Math.max(hi, pos); lo = Math.min(lo, neg);
    }
    for (const s of spec.series.filter(s => s.kind === "line")) {
      const v = s.values[i];
      if (v != null) { hi = Math.max(hi, v); lo = Math.min(lo, v); }
    }
    for (const b of spec.bands || []) if (b.to[i] != null) hi = Math.max(hi, b.to[i]);
  });
  for (const r of spec.rules || []) hi = Math.max(hi, r.value);
  if (spec.maxY != null) hi = Math.max(hi, spec.maxY);
  if (!isFinite(hi) || hi <= lo) hi = lo + 1;
  const ticks = niceTicks(lo, hi, spec.compact ? 2 : 5);
  const y0 = ticks[0], y1 = ticks[ticks.length - 1];
  const y = v => m.t + (H - m.t - m.b) * (1 - (v - y0) / (y1 - y0));
  const bw = (W - m.l - m.r) / cats.length;
  const x = i => m.l + bw * (i + 0.5);
  const grid = el("g", {class: "grid"}, svg);
  const tf = tickFmt[spec.unit] || tickFmt.int;
  for (const t of ticks) {
    el("line", {x1: m.l, x2: W - m.r, y1: y(t), y2: y(t), class: t === 0 ? "zero" : ""}, grid);
    el("text", {x: m.l - 6, y: y(t) + 4, "text-anchor": "end", class: "tick"}, grid).textContent = tf(t);
  }
  if (spec.yLabel) {
    el("text", {x: 12, y: m.t + (H - m.t - m.b) / 2, transform: `rotate(-90 12 ${m.t + (H - m.t - m.b) / 2})`,
      "text-anchor": "middle", class: "axis-label"}, svg).textContent = spec.yLabel;
  }
  const labels = spec.labels || cats;
  const every = Math.max(1, Math.ceil(cats.length * (spec.compact ? 70 : 52) / (W - m.l - m.r)));
  labels.forEach((lab, i) => {
    if ((cats.length - 1 - i) % every) return;  // keep the latest label
    el("text", {x: x(i), y: H - m.b + (spec.compact ? 14 : 16), "text-anchor": "middle", class: "tick"}, svg).textContent = lab;
  });
  for (const b of spec.bands || []) {
    const g = el("g", {class: "band"}, svg);
    cats.forEach((c, i) => {
      if (b.from[i] == null || b.to[i] == null) return;
      titled(el("rect", {x: x(i) - bw / 2, width: bw, y: y(b.to[i]), height: Math.max(0, y(b.from[i]) - y(b.to[i])),
        fill: b.color, "fill-opacity": 0.18}, g), `${b.name}: ${labels[i]} ${tf(b.from[i])}–${tf(b.to[i])}`);
    });
  }
  const slot = bw * 0.8 / stackKeys.length;
  stackKeys.forEach((key, k) => {
    const base = cats.map(() => ({pos: 0, neg: 0}));
    for (const s of bars.filter(b => (b.stack || b.name) === key)) {
      const g = el("g", {class: "series", "data-series": s.name}, svg);
      s.values.forEach((v, i) => {
        if (v == null || v === 0) return;
        const from = v >= 0 ? base[i].pos : base[i].neg, to = from + v;
        if (v >= 0) base[i].pos = to; else base[i].neg = to;
        titled(el("rect", {class: "mark", x: x(i) - bw * 0.4 + k * slot, width: Math.max(1, slot - 1),
          y: y(Math.max(from, to)), height: Math.max(0.5, Math.abs(y(from) - y(to))), fill: s.color}, g),
          `${s.name}, ${labels[i]}: ${(fmt[spec.unit] || fmt.int)(Math.abs(v))}`);
      });
    }
  });
  for (const r of spec.rules || []) {
    el("line", {x1: m.l, x2: W - m.r, y1: y(r.value), y2: y(r.value), stroke: r.color, "stroke-dasharray": "6 4",
      class: "rule"}, svg);
    el("text", {x: W - m.r - 4, y: y(r.value) - 4, "text-anchor": "end", class: "rule-label", fill: r.color}, svg)
      .textContent = r.name;
  }
  for (const s of spec.series.filter(s => s.kind === "line")) {
    const g = el("g", {class: "series", "data-series": s.name}, svg);
    let d = "", pen = false;
    s.values.forEach((v, i) => {
      if (v == null) { pen = false; return; }
      d += (pen ? "L" : "M") + x(i).toFixed(1) + " " + y(v).toFixed(1);
      pen = true;
    });
    titled(el("path", {class: "mark line", d, stroke: s.color, "stroke-width": s.width || 2, fill: "none",
      "stroke-dasharray": s.dash || "", "stroke-opacity": s.opacity || 1}, g), s.name);
    if (s.markers === false) continue;
    s.values.forEach((v, i) => {
      if (v == null) return;
      const hollow = s.hollow && s.hollow[i];
      titled(el("circle", {class: "mark point" + (hollow ? " small-sample" : ""), cx: x(i), cy: y(v), r: hollow ? 3.5 : 2.5,
        fill: hollow ? "#fff" : s.color, stroke: s.color, "stroke-width": 1.5}, g),
        `${s.name}, ${labels[i]}: ${(fmt[spec.unit] || fmt.int)(v)}${hollow ? " (small sample)" : ""}`);
    });
  }
  if (spec.legend !== false) {
    const items = [...(spec.extraLegend || [])];
    for (const s of spec.series) if (!s.noLegend) items.push({name: s.name, color: s.color, kind: s.kind});
    for (const b of spec.bands || []) items.push({name: b.name, color: b.color, kind: "band"});
    for (const r of spec.rules || []) items.push({name: r.name, color: r.color, kind: "rule"});
    if (spec.series.some(s => s.hollow && s.hollow.some(Boolean))) items.push({name: "○ small sample", color: "#555", kind: "line"});
    legend(container, items);
  }
}

/* Horizontal bars, one row per category (hubs, solutions): stacked within a stack key, keys side by side.
   spec: {categories, series: [{name, values, color, stack?}], unit, xLabel} */
function barRows(container, spec) {
  container.replaceChildren();
  const cats = spec.categories;
  if (!cats.length) return empty(container, spec.emptyText || "No data for this selection.");
  const keys = [...new Set(spec.series.map(s => s.stack || s.name))];
  const rowH = Math.max(18, 10 * keys.length + 8);
  const W = Math.max(320, container.clientWidth || 600);
  const labelW = Math.min(220, Math.max(...cats.map(c => c.length)) * 6.6 + 12);
  const m = {l: labelW, r: 16, t: 6, b: 36}, H = m.t + m.b + rowH * cats.length;
  const svg = el("svg", {viewBox: `0 0 ${W} ${H}`, width: W, height: H, role: "img", "aria-label": spec.xLabel || ""}, container);
  let lo = 0, hi = 0;
  cats.forEach((_, i) => keys.forEach(key => {
    let pos = 0, neg = 0;
    for (const s of spec.series.filter(s => (s.stack || s.name) === key)) {
      const v = s.values[i] || 0; if (v >= 0) pos += v; else neg += v;
    }
    hi = Math.max(hi, pos); lo = Math.min(lo, neg);
  }));
  const ticks = niceTicks(lo, hi || 1, 5), x0 = ticks[0], x1 = ticks[ticks.length - 1];
  const x = v => m.l + (W - m.l - m.r) * (v - x0) / (x1 - x0);
  const tf = tickFmt[spec.unit] || tickFmt.int;
  const grid = el("g", {class: "grid"}, svg);
  for (const t of ticks) {
    el("line", {x1: x(t), x2: x(t), y1: m.t, y2: H - m.b, class: t === 0 ? "zero" : ""}, grid);
    el("text", {x: x(t), y: H - m.b + 14, "text-anchor": "middle", class: "tick"}, grid).textContent = tf(t);
  }
  if (spec.xLabel) el("text", {x: m.l + (W - m.l - m.r) / 2, y: H - 4, "text-anchor": "middle", class: "axis-label"}, svg)
    .textContent = spec.xLabel;
  cats.forEach((c, i) => {
    el("text", {x: m.l - 6, y: m.t + rowH * (i + 0.5) + 4, "text-anchor": "end", class: "tick"}, svg).textContent = c;
  });
  const slot = (rowH - 6) / keys.length;
  keys.forEach((key, k) => {
    const base = cats.map(() => ({pos: 0, neg: 0}));
    for (const s of spec.series.filter(s => (s.stack || s.name) === key)) {
      const g = el("g", {class: "series", "data-series": s.name}, svg);
      s.values.forEach((v, i) => {
        if (v == null || v === 0) return;
        const from = v >= 0 ? base[i].pos : base[i].neg, to = from + v;
        if (v >= 0) base[i].pos = to; else base[i].neg = to;
        titled(el("rect", {class: "mark", y: m.t + rowH * i + 3 + k * slot, height: Math.max(1, slot - 1),
          x: x(Math.min(from, to)), width: Math.max(0.5, Math.abs(x(to) - x(from))), fill: s.color}, g),
          `${c(i)} — ${s.name}: ${(fmt[spec.unit] || fmt.int)(v)}`);
      });
    }
  });
  function c(i) { return cats[i]; }
  legend(container, spec.series.map(s => ({name: s.name, color: s.color, kind: "bar"})));
}

window.Charts = {columnChart, barRows, fmt, PALETTE, legend, empty};
})();
