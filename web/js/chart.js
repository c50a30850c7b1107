// The selected site's chart: people count (left axis) and peak persons/m² (right axis) over
// the last 10 minutes, with the site's threshold levels as dashed horizontal lines.

import { fmtNum } from "./util.js";
import { serverNow } from "./server_clock.js";

const uPlot = window.uPlot;

export const WINDOW_S = 600;
const COUNT_COLOR = "#60a5fa";
const PEAK_COLOR = "#f472b6";
const MEAN_COLOR = "#c084fc";
const LEGEND_H = 30;
const AXIS = {
  stroke: "#9aa7b8",
  grid: { stroke: "rgba(154,167,184,0.12)", width: 1 },
  ticks: { stroke: "rgba(154,167,184,0.25)", width: 1 },
  font: "11px system-ui, sans-serif",
};

const pad = (n) => String(n).padStart(2, "0");
function hhmm(t) {
  const d = new Date(t * 1000);
  return `${pad(d.getHours())}:${pad(d.getMinutes())}`;
}

function lastOf(a) {
  return a.length ? a[a.length - 1] : undefined;
}

export class SiteChart {
  constructor(container) {
    this.container = container;
    this.xs = [];
    this.counts = [];
    this.peaks = [];
    this.means = [];
    this.thresholds = null;
    this.plot = null;
    this.pending = false;
    this.observer = new ResizeObserver(() => this.resize());
    this.observer.observe(container);
  }

  /** Levels drawn on `scale` (the metric's axis). */
  levelsOn(scale) {
    const t = this.thresholds;
    if (!t) return [];
    const onCount = t.metric === "count";
    return (scale === "count") === onCount ? t.levels : [];
  }

  build() {
    const { width, height } = this.size();
    const rangeFor = (scale, floor) => (u, min, max) => {
      const top = Math.max(max ?? 0, ...this.levelsOn(scale).map((l) => l.enter), floor);
      return [0, top * 1.15];
    };
    const drawLevels = (u) => {
      const { ctx, bbox } = u;
      const dpr = window.devicePixelRatio || 1;
      for (const scale of ["count", "density"]) {
        let lastLabelY = Infinity;
        for (const level of this.levelsOn(scale)) {
          const y = Math.round(u.valToPos(level.enter, scale, true)) + 0.5;
          if (y < bbox.top || y > bbox.top + bbox.height) continue;
          ctx.save();
          ctx.strokeStyle = level.color;
          ctx.globalAlpha = 0.85;
          ctx.lineWidth = dpr;
          ctx.setLineDash([6 * dpr, 4 * dpr]);
          ctx.beginPath();
          ctx.moveTo(bbox.left, y);
          ctx.lineTo(bbox.left + bbox.width, y);
          ctx.stroke();
          ctx.setLineDash([]);
          ctx.font = `${10 * dpr}px system-ui, sans-serif`;
          ctx.textAlign = "left";
          ctx.textBaseline = "bottom";
          const x = bbox.left + 4 * dpr; // the newest data is on the right
          if (lastLabelY - y < 13 * dpr) {
            ctx.restore();
            continue; // too close to the label below: the line alone says enough
          }
          lastLabelY = y;
          const text = `${level.name} ${+level.enter.toFixed(2)}`;
          const tw = ctx.measureText(text).width;
          ctx.fillStyle = "rgba(20, 28, 38, 0.85)";
          ctx.fillRect(x - 2 * dpr, y - 13 * dpr, tw + 4 * dpr, 12 * dpr);
          ctx.fillStyle = level.color;
          ctx.fillText(text, x, y - 2 * dpr);
          ctx.restore();
        }
      }
    };
    const opts = {
      width,
      height,
      pxAlign: 0,
      cursor: { drag: { x: false, y: false }, points: { size: 6 } },
      legend: { show: true, live: true },
      scales: {
        x: {
          time: true,
          range: () => {
            const end = Math.max(serverNow(), lastOf(this.xs) ?? 0);
            return [end - WINDOW_S, end];
          },
        },
        count: { range: rangeFor("count", 1) },
        density: { range: rangeFor("density", 0.05) },
      },
      axes: [
        { ...AXIS, space: 60, values: (u, splits) => splits.map(hhmm) },
        { ...AXIS, scale: "count", label: "people", labelSize: 18, size: 44, labelFont: AXIS.font },
        {
          ...AXIS,
          scale: "density",
          side: 1,
          label: "persons/m²",
          labelSize: 18,
          size: 44,
          labelFont: AXIS.font,
          grid: { show: false },
          values: (u, vals) => vals.map((v) => fmtNum(v, 1)),
        },
      ],
      series: [
        { label: "Time", value: (u, v) => (v == null ? "–" : new Date(v * 1000).toLocaleTimeString("en-GB")) },
        { label: "People", scale: "count", stroke: COUNT_COLOR, fill: "rgba(96, 165, 250, 0.12)", width: 1.5, value: (u, v) => fmtNum(v, 0), points: { show: false } },
        {
          label: "Peak /m²",
          scale: "density",
          stroke: PEAK_COLOR,
          width: 2,
          value: (u, v) => fmtNum(v, 2),
          points: { show: false },
        },
        {
          label: "Mean /m²",
          scale: "density",
          stroke: MEAN_COLOR,
          width: 1,
          dash: [4, 3],
          show: this.thresholds?.metric === "mean_density",
          value: (u, v) => fmtNum(v, 2),
          points: { show: false },
        },
      ],
      hooks: { draw: [drawLevels] },
    };
    this.plot?.destroy();
    this.plot = new uPlot(opts, this.data(), this.container);
  }

  data() {
    return [this.xs, this.counts, this.peaks, this.means];
  }

  /** Starts over for a newly selected site with its history (oldest first). */
  reset(thresholds, readings = []) {
    this.thresholds = thresholds;
    this.xs = [];
    this.counts = [];
    this.peaks = [];
    this.means = [];
    for (const r of readings) this.insert(r);
    this.trim();
    this.build();
  }

  setThresholds(thresholds) {
    this.thresholds = thresholds;
    this.build();
  }

  /** Adds readings (live, or history arriving late), keeping time order and no duplicates. */
  append(...readings) {
    let changed = false;
    for (const r of readings) changed = this.insert(r) || changed;
    if (!changed) return;
    this.trim();
    this.redraw();
  }

  insert(r) {
    const t = r.captured_at;
    let i = this.xs.length;
    while (i > 0 && this.xs[i - 1] > t) i -= 1;
    if (i > 0 && this.xs[i - 1] === t) return false;
    this.xs.splice(i, 0, t);
    this.counts.splice(i, 0, r.count);
    this.peaks.splice(i, 0, r.peak_density);
    this.means.splice(i, 0, r.mean_density);
    return true;
  }

  trim() {
    const end = Math.max(serverNow(), lastOf(this.xs) ?? 0);
    let n = 0;
    while (n < this.xs.length && this.xs[n] < end - WINDOW_S) n += 1;
    if (n) {
      this.xs.splice(0, n);
      this.counts.splice(0, n);
      this.peaks.splice(0, n);
      this.means.splice(0, n);
    }
  }

  /** Coalesces redraws to one per animation frame. */
  redraw() {
    if (this.pending || !this.plot) return;
    this.pending = true;
    requestAnimationFrame(() => {
      this.pending = false;
      this.plot?.setData(this.data());
    });
  }

  /** Plot size: the container (fixed height in CSS) less room for the legend row. */
  size() {
    const width = Math.max(200, Math.floor(this.container.clientWidth));
    const height = Math.max(120, Math.floor(this.container.clientHeight || 220) - LEGEND_H);
    return { width, height };
  }

  resize() {
    if (!this.plot) return;
    const { width, height } = this.size();
    if (width !== this.plot.width || height !== this.plot.height) this.plot.setSize({ width, height });
  }

  get length() {
    return this.xs.length;
  }
}
