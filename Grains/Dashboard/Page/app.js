// GrainKV dashboard: polls /dashboard/api/cluster every 2 s and draws the ring (each node's arcs: the ranges
// it is first replica for), the nodes with their liveness, and per-node request rate, latency and engine
// figures. Every figure a node reports is cumulative; rates and latencies here are the difference between
// the node's latest reading and its oldest one of the last 10 s (the first refresh shows figures since the
// node started). Text is set with textContent only (node ids are configuration).
"use strict";

const REFRESH_MS = 2000;
const WINDOW_MS = 10000;
const COLORS = ["#3b6fd4", "#e07b39", "#2e9d5b", "#b8457a", "#7c5cc4", "#c9a227", "#2a9fb0", "#8c6d52", "#d1495b", "#5f7f3a"];
const SVG = "http://www.w3.org/2000/svg";
const readings = new Map();   // node id -> its figures at the refreshes of the last WINDOW_MS, oldest first
const history = new Map();    // node id -> recent request rates (for the sparkline)
const colorOf = new Map();

function el(tag, text, cls) {
  const e = document.createElement(tag);
  if (text !== undefined && text !== null) e.textContent = String(text);
  if (cls) e.className = cls;
  return e;
}

function bytes(n) {
  if (n === null || n === undefined) return "–";
  const units = ["B", "KiB", "MiB", "GiB", "TiB"];
  let i = 0;
  while (n >= 1024 && i < units.length - 1) { n /= 1024; i++; }
  return (i === 0 ? n : n.toFixed(1)) + " " + units[i];
}

function fixed(n, digits) { return n === null || n === undefined || !isFinite(n) ? "–" : n.toFixed(digits); }

function sumRequests(f) {
  const ops = [f.get, f.put, f.delete];
  const buckets = f.get.buckets.map((_, i) => ops.reduce((s, o) => s + o.buckets[i], 0));
  return {
    count: ops.reduce((s, o) => s + o.count, 0),
    failed: ops.reduce((s, o) => s + o.failed, 0),
    latency: ops.reduce((s, o) => s + o.latencySeconds, 0),
    buckets,
  };
}

// Requests, failures, mean and p99 latency between two readings (or since start when there is one only).
function between(now, before, bounds) {
  const a = sumRequests(now.figures);
  const b = before ? sumRequests(before) : null;
  const seconds = b ? (Date.parse(now.figures.at) - Date.parse(before.at)) / 1000 : now.figures.uptimeSeconds;
  const count = a.count - (b ? b.count : 0);
  const failed = a.failed - (b ? b.failed : 0);
  const latency = a.latency - (b ? b.latency : 0);
  const buckets = a.buckets.map((v, i) => v - (b ? b.buckets[i] : 0));
  let p99 = null;
  if (count > 0) {
    let seen = 0;
    for (let i = 0; i < buckets.length; i++) {
      seen += buckets[i];
      if (seen >= 0.99 * count) { p99 = i < bounds.length ? bounds[i] * 1000 : Infinity; break; }
    }
  }
  return {
    rate: seconds > 0 ? count / seconds : null,
    errors: seconds > 0 ? failed / seconds : null,
    mean: count > 0 ? (latency / count) * 1000 : null,
    p99,
  };
}

function arcPath(start, end, total, outer, inner) {
  const angle = (r) => (r / total) * 2 * Math.PI - Math.PI / 2;
  const a0 = angle(start), a1 = angle(end);
  const large = end - start > total / 2 ? 1 : 0;
  const p = (radius, a) => `${(radius * Math.cos(a)).toFixed(2)} ${(radius * Math.sin(a)).toFixed(2)}`;
  return `M ${p(outer, a0)} A ${outer} ${outer} 0 ${large} 1 ${p(outer, a1)} L ${p(inner, a1)} A ${inner} ${inner} 0 ${large} 0 ${p(inner, a0)} Z`;
}

function drawRing(view) {
  const svg = document.getElementById("ring");
  svg.replaceChildren();
  const live = new Map(view.nodes.map((n) => [n.id, n.live]));
  for (const arc of view.ring) {
    // An arc over the whole circle is drawn as two halves (an SVG arc cannot start and end at one point).
    const parts = arc.end - arc.start >= view.rangeCount
      ? [[arc.start, arc.start + view.rangeCount / 2], [arc.start + view.rangeCount / 2, arc.end]]
      : [[arc.start, arc.end]];
    for (const [s, e] of parts) {
      const path = document.createElementNS(SVG, "path");
      path.setAttribute("d", arcPath(s, e, view.rangeCount, 150, 95));
      path.setAttribute("fill", colorOf.get(arc.node) || "#999");
      path.setAttribute("data-node", arc.node);
      if (!live.get(arc.node)) path.setAttribute("class", "not-live");
      const title = document.createElementNS(SVG, "title");
      title.textContent = `${arc.node}: ranges ${arc.start}–${arc.end - 1}`;
      path.appendChild(title);
      svg.appendChild(path);
    }
  }
  const caption = document.createElementNS(SVG, "text");
  caption.setAttribute("y", "-4");
  caption.textContent = `${view.nodes.length} node${view.nodes.length === 1 ? "" : "s"}`;
  const sub = document.createElementNS(SVG, "text");
  sub.setAttribute("y", "14");
  sub.textContent = `${view.rangeCount} ranges`;
  svg.append(caption, sub);

  const legend = document.getElementById("legend");
  legend.replaceChildren(...view.nodes.map((n) => {
    const li = el("li");
    li.setAttribute("data-node", n.id);
    const swatch = el("span", null, "swatch");
    swatch.style.background = colorOf.get(n.id);
    li.append(swatch, `${n.id} — ${(n.share * 100).toFixed(1)} % of the ring (first replica of ${n.primaryRanges} ranges)`);
    return li;
  }));
}

function sparkline(values) {
  const svg = document.createElementNS(SVG, "svg");
  svg.setAttribute("class", "spark");
  svg.setAttribute("width", "80");
  svg.setAttribute("height", "18");
  const max = Math.max(1, ...values);
  const line = document.createElementNS(SVG, "polyline");
  line.setAttribute("points", values.map((v, i) => `${(i * 80) / Math.max(1, values.length - 1)},${17 - (v / max) * 16}`).join(" "));
  svg.appendChild(line);
  return svg;
}

function drawNodes(view) {
  const body = document.querySelector("#nodes tbody");
  const engines = document.querySelector("#engines tbody");
  const rows = [], engineRows = [];
  for (const n of view.nodes) {
    const tr = el("tr");
    tr.setAttribute("data-node", n.id);
    const name = el("td");
    const swatch = el("span", null, "swatch");
    swatch.style.background = colorOf.get(n.id);
    name.append(swatch, n.id + (n.id === view.observedBy ? " (this node)" : ""));
    if (n.address) name.append(el("small", n.address, "address"));
    let baseline = null;
    if (n.figures) {
      const kept = (readings.get(n.id) || []).filter((r) => Date.parse(n.figures.at) - Date.parse(r.at) <= WINDOW_MS);
      baseline = kept.length > 0 ? kept[0] : null;
      kept.push(n.figures);
      readings.set(n.id, kept);
    }
    const w = n.figures ? between(n, baseline, view.latencyBuckets) : null;
    if (n.figures && baseline && w.rate !== null) {
      const h = history.get(n.id) || [];
      h.push(w.rate);
      while (h.length > 30) h.shift();
      history.set(n.id, h);
    }
    const spark = el("td");
    spark.appendChild(sparkline(history.get(n.id) || []));
    tr.append(
      name,
      el("td", n.datacenter || "–"),
      el("td", n.live ? "live" : "down", n.live ? "live" : "down"),
      el("td", n.gossip, n.gossip === "up" ? "" : n.gossip),
      el("td", n.heartbeatAgeSeconds === null ? "–" : n.heartbeatAgeSeconds.toFixed(1) + " s"),
      el("td", (n.share * 100).toFixed(1) + " %"),
      el("td", `${n.replicaRanges} ranges`),
      el("td", w ? fixed(w.rate, 1) : "–"),
      el("td", w ? fixed(w.errors, 1) : "–"),
      el("td", w ? fixed(w.mean, 2) : "–"),
      el("td", w && w.p99 !== null ? (w.p99 === Infinity ? "> 10000" : "≤ " + w.p99) : "–"),
      spark,
    );
    if (!n.figures && n.figuresError) tr.title = "figures unavailable: " + n.figuresError;
    rows.push(tr);

    const e = n.figures && n.figures.engine;
    const er = el("tr");
    er.setAttribute("data-node", n.id);
    const ratio = e && e.cacheHits + e.cacheMisses > 0 ? e.cacheHits / (e.cacheHits + e.cacheMisses) : null;
    er.append(
      el("td", n.id),
      el("td", e ? bytes(e.memTableBytes) + (e.immutableMemTables > 0 ? ` (+${e.immutableMemTables} to flush)` : "") : "–"),
      el("td", e ? `${e.tables} · ${bytes(e.tableBytes)}` : "–"),
      el("td", e ? e.flushes : "–"),
      el("td", e ? e.compactions : "–"),
      el("td", ratio === null ? "–" : (ratio * 100).toFixed(1) + " %"),
      el("td", e ? bytes(e.cacheBytes) : "–"),
      el("td", e ? e.bloomNegatives : "–"),
      el("td", e ? fixed(e.writeAmplification, 2) : "–"),
      el("td", e ? e.writeStalls : "–"),
      el("td", n.figures ? n.figures.pendingHints : "–"),
    );
    engineRows.push(er);
  }
  body.replaceChildren(...rows);
  engines.replaceChildren(...engineRows);
}

function render(view) {
  view.nodes.forEach((n) => {
    if (!colorOf.has(n.id)) colorOf.set(n.id, COLORS[colorOf.size % COLORS.length]);
  });
  const live = view.nodes.filter((n) => n.live).length;
  document.getElementById("summary").textContent =
    `${live} of ${view.nodes.length} nodes live · N=${view.replicationFactor} W=${view.writeQuorum} R=${view.readQuorum} · seen from ${view.observedBy}`;
  document.getElementById("orleans-link").hidden = !view.orleansDashboard;
  drawRing(view);
  drawNodes(view);
  const status = document.getElementById("status");
  status.className = "";
  status.textContent = "updated " + new Date(view.at).toLocaleTimeString();
  document.body.dataset.loaded = "true";
}

async function refresh() {
  try {
    const response = await fetch("/dashboard/api/cluster", { cache: "no-store" });
    if (!response.ok) throw new Error(`HTTP ${response.status}`);
    render(await response.json());
  } catch (error) {
    const status = document.getElementById("status");
    status.className = "error";
    status.textContent = "refresh failed: " + error.message + " (retrying)";
  } finally {
    setTimeout(refresh, REFRESH_MS);
  }
}

refresh();
