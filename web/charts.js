// Time series kept in the page and drawn with uPlot: the node sends cumulative counters,
// this file turns two snapshots into rates and histogram quantiles and keeps 5 minutes.
"use strict";

const Charts = (() => {
  const WINDOW_S = 300;

  const colors = {
    companion: "#4cc9f0", gateway: "#f72585", voice: "#b5e48c",
    routed: "#4cc9f0", buffered: "#ffd166", dropped_overflow: "#ef476f", dropped_expired: "#f78c6b", rerouted: "#b388eb",
    p50: "#4cc9f0", p99: "#f72585", broadcasts: "#b5e48c",
  };

  /// The q-quantile of a histogram window, Prometheus' histogram_quantile way: `cum` holds
  /// cumulative counts per bound then +Inf. Null when the window holds no observation.
  function quantile(bounds, cum, q) {
    const total = cum[cum.length - 1];
    if (!(total > 0)) return null;
    const rank = q * total;
    for (let i = 0; i < bounds.length; i++) {
      if (cum[i] >= rank) {
        const lower = i === 0 ? 0 : bounds[i - 1];
        const below = i === 0 ? 0 : cum[i - 1];
        const inBucket = cum[i] - below;
        if (inBucket <= 0) return bounds[i];
        return lower + (bounds[i] - lower) * ((rank - below) / inBucket);
      }
    }
    return bounds[bounds.length - 1]; // in +Inf: the highest finite bound, as Prometheus does
  }

  /// Per-second rate of a counter between two snapshots; null across a reset.
  function rate(now, before, dt) {
    const d = now - before;
    return d >= 0 && dt > 0 ? d / dt : null;
  }

  /// A set of aligned series over the last WINDOW_S seconds: data[0] holds the times.
  class Window {
    constructor(names) {
      this.names = names;
      this.data = [[]].concat(names.map(() => []));
    }
    push(t, values) {
      this.data[0].push(t);
      this.names.forEach((n, i) => this.data[i + 1].push(values[n] ?? null));
      const oldest = t - WINDOW_S;
      let drop = 0;
      while (drop < this.data[0].length && this.data[0][drop] < oldest) drop++;
      if (drop > 0) this.data.forEach((s) => s.splice(0, drop));
    }
  }

  function axisStyle() {
    return { stroke: "#9aa4b2", grid: { stroke: "#263040", width: 1 }, ticks: { stroke: "#263040" } };
  }

  /// One uPlot chart in `el` for `w`'s series, sized to its container.
  class Chart {
    constructor(el, w, opts = {}) {
      this.el = el;
      this.w = w;
      const series = [{}].concat(w.names.map((n) => ({
        label: opts.labels?.[n] ?? n,
        stroke: colors[n] ?? "#ddd",
        width: 2,
        spanGaps: false,
        value: (u, v) => (v == null ? "–" : fmt(v, opts.digits ?? 1)),
      })));
      this.plot = new uPlot({
        width: Math.max(el.clientWidth, 200),
        height: opts.height ?? 170,
        series,
        scales: { x: { time: true }, y: { range: (u, min, max) => [0, Math.max(max, opts.minMax ?? 1)] } },
        axes: [Object.assign(axisStyle(), { values: (u, ticks) => ticks.map(clock) }),
               Object.assign(axisStyle(), { size: 48 })],
        legend: { live: false },
        cursor: { drag: { x: false, y: false } },
      }, w.data, el);
      new ResizeObserver(() => this.resize()).observe(el);
    }
    resize() {
      const width = Math.max(this.el.clientWidth, 200);
      if (width !== this.plot.width) this.plot.setSize({ width, height: this.plot.height });
    }
    redraw() {
      this.plot.setData(this.w.data);
    }
  }

  /// A time axis label: the node's wall clock as the browser shows it, HH:MM:SS.
  function clock(t) {
    return new Date(t * 1000).toLocaleTimeString("en-GB", { hour12: false });
  }

  function fmt(v, digits) {
    if (Math.abs(v) >= 1000) return Math.round(v).toLocaleString("en-US");
    return Number(v.toFixed(digits)).toString();
  }

  return { WINDOW_S, quantile, rate, Window, Chart, fmt };
})();
