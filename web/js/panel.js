// The selected site's panel: names, status, level, latest numbers, the live frame with a
// client-side density overlay and the ROI outline, and the chart.

import { request, snapshotUrl } from "./api.js";
import { liveTrend, showTrend } from "./trend.js";
import { liveMotion, showMotion } from "./motion.js";
import { OFFLINE_COLOR, cap, fmtAge, fmtNum, pictureWarning, readingStale, textOn } from "./util.js";

const OVERLAY_KEY = "crowd-monitor.overlay";

/** The count scale's tooltip: what it stands on. */
export function countScaleTitle(applied) {
  if (!applied) return "The model's count at this camera is multiplied by this factor (set in the configuration)";
  if (!applied.samples) return `Set by ${applied.by} without frames counted by hand`;
  const parts = [
    `Fitted by ${applied.by} on ${applied.samples} frame${applied.samples === 1 ? "" : "s"} counted by hand`,
    `off by ${fmtNum(applied.mae_applied, 1)} people on average on them`,
  ];
  if (applied.mae_held_out != null) parts.push(`${fmtNum(applied.mae_held_out, 1)} on frames held out of the fit`);
  return parts.join("; ");
}

// persons/m² → RGBA. 0 is transparent; 5 and above is red.
const RAMP = [
  [0, [46, 158, 91, 0]],
  [1, [46, 158, 91, 0.28]],
  [2, [234, 179, 8, 0.4]],
  [3.5, [249, 115, 22, 0.5]],
  [5, [220, 38, 38, 0.62]],
];

export function densityColor(v) {
  if (v == null || !(v > 0)) return null;
  if (v >= RAMP[RAMP.length - 1][0]) {
    const [r, g, b, a] = RAMP[RAMP.length - 1][1];
    return `rgba(${r},${g},${b},${a})`;
  }
  for (let i = 1; i < RAMP.length; i += 1) {
    const [v1, c1] = RAMP[i];
    if (v <= v1) {
      const [v0, c0] = RAMP[i - 1];
      const t = (v - v0) / (v1 - v0);
      const c = c0.map((x, k) => x + (c1[k] - x) * t);
      return `rgba(${Math.round(c[0])},${Math.round(c[1])},${Math.round(c[2])},${c[3].toFixed(3)})`;
    }
  }
  return null;
}

export class SitePanel {
  constructor(root, chart) {
    this.root = root;
    this.chart = chart;
    this.$ = (id) => root.querySelector(`#${id}`);
    this.site = null;
    this.reading = null;
    this.frame = { inflight: null, wantSeq: null, loadedSeq: null, url: null };
    this.status = { dropped: 0 };
    this.img = this.$("frame-img");
    this.canvas = this.$("frame-overlay");
    this.toggle = this.$("overlay-toggle");
    this.trend = this.$("panel-trend");
    this.motion = this.$("panel-motion");
    try {
      this.toggle.checked = localStorage.getItem(OVERLAY_KEY) !== "off";
    } catch {
      /* default on */
    }
    this.canvas.hidden = !this.toggle.checked;
    this.toggle.addEventListener("change", () => {
      this.canvas.hidden = !this.toggle.checked;
      try {
        localStorage.setItem(OVERLAY_KEY, this.toggle.checked ? "on" : "off");
      } catch {
        /* not remembered */
      }
    });
  }

  /** Shows a newly selected site (or nothing). */
  show(site) {
    this.abortFrame();
    this.site = site;
    this.reading = site?.latest ?? null;
    this.root.dataset.siteId = site?.id ?? "";
    this.$("panel-empty").hidden = Boolean(site);
    this.$("panel-body").hidden = !site;
    this.img.removeAttribute("src");
    this.img.hidden = true;
    this.setFrameMessage("No frame yet.");
    if (!site) return;
    this.updateSite(site);
    this.renderReading();
    if (this.reading) this.requestFrame(this.reading.seq);
  }

  /** Names, status, level: after a snapshot, status or thresholds change. */
  updateSite(site) {
    if (!this.site || site.id !== this.site.id) return;
    this.site = site;
    this.$("panel-name").textContent = site.name_en;
    this.$("panel-name-zh").textContent = site.name_zh || "";
    const status = this.$("panel-status");
    status.textContent = cap(site.status);
    status.dataset.status = site.status;
    const level = this.$("panel-level");
    const color = site.status === "offline" ? OFFLINE_COLOR : site.level_color;
    level.textContent = cap(site.level);
    level.dataset.level = site.level;
    level.style.background = color;
    level.style.color = textOn(color);
    const reason = this.$("panel-reason");
    reason.textContent = site.status_reason || "";
    reason.hidden = !site.status_reason;
    reason.classList.toggle("offline", site.status === "offline");
    // Site setup (setup.html): uncalibrated sites spread their configured area evenly.
    this.$("panel-calibration").hidden = site.setup?.calibrated !== false;
    this.showCountScale(site);
    this.$("panel-setup-link").href = `/setup.html?site=${encodeURIComponent(site.id)}`;
    this.renderMeta();
    this.renderLiveLines();
    this.drawOverlay();
  }

  /** "Count ×1.25", and in its tooltip how far to trust it: the frames counted by hand it
   * was fitted on and its error on them (asked for once per site and scale). */
  showCountScale(site) {
    const scale = site.setup?.count_scale ?? 1;
    const badge = this.$("panel-count-scale");
    badge.hidden = scale === 1;
    badge.textContent = `Count ×${scale.toFixed(2)}`;
    const key = `${site.id}:${scale}`;
    if (scale === 1 || badge.dataset.key === key) return;
    badge.dataset.key = key;
    badge.title = "The model's count at this camera is multiplied by this factor";
    request("GET", `/api/sites/${encodeURIComponent(site.id)}/count-scale`)
      .then((answer) => {
        if (badge.dataset.key !== key) return; // another site or scale since
        badge.title = countScaleTitle(answer.applied);
        badge.dataset.heldOut = answer.applied?.mae_held_out == null ? "" : String(answer.applied.mae_held_out);
      })
      .catch((err) => console.warn("count scale:", err.message));
  }

  setDropped(n) {
    this.status.dropped = n;
    this.renderMeta();
  }

  renderMeta() {
    const s = this.site;
    if (!s) return;
    const t = s.thresholds;
    const parts = [
      `Analysis ${fmtNum(s.analysis_fps, 1)} fps`,
      t ? `Alerts on ${t.metric.replace("_", " ")} (hold ${fmtNum(t.min_duration_s, 0)} s)` : null,
      this.status.dropped ? `${this.status.dropped} frames skipped` : null,
      s.location_approximate ? "Location approximate" : null,
      `${s.lat.toFixed(4)}, ${s.lon.toFixed(4)}`,
    ];
    this.$("panel-meta").textContent = parts.filter(Boolean).join(" · ");
  }

  /** A live reading of the selected site. */
  applyReading(site, reading) {
    if (!this.site || site.id !== this.site.id) return;
    this.site = site;
    this.reading = reading;
    this.renderReading();
    this.requestFrame(reading.seq);
  }

  renderReading() {
    const r = this.reading;
    this.$("stat-count").textContent = r ? fmtNum(r.count, 0) : "–";
    this.$("stat-mean").textContent = r ? fmtNum(r.mean_density, 2) : "–";
    this.$("stat-peak").textContent = r ? fmtNum(r.peak_density, 2) : "–";
    this.renderPicture(r?.image_quality);
    this.renderLiveLines();
    this.tick();
    if (r) {
      const frame = this.$("frame");
      const ratio = `${r.frame_width} / ${r.frame_height}`;
      if (frame.style.aspectRatio !== ratio) frame.style.aspectRatio = ratio;
    }
    this.drawOverlay();
  }

  /** The warning under the numbers when the picture behind them is poor. */
  renderPicture(quality) {
    const warning = pictureWarning(quality);
    const node = this.$("panel-quality");
    node.hidden = !warning;
    node.title = warning?.title ?? "";
    for (const id of ["stat-count", "stat-mean", "stat-peak"]) {
      this.$(id).classList.toggle("doubtful", Boolean(warning));
    }
    // Readings arrive several times a second; rewriting the same words would have screen
    // readers announce this status again each time.
    const issues = warning ? warning.issues.join(" ") : "";
    if (node.dataset.issues === issues) return;
    node.dataset.issues = issues;
    node.dataset.severity = warning?.severity ?? "";
    node.textContent = warning?.text ?? "";
  }

  /** The trend and motion lines: each hidden without its live value (see liveTrend). */
  renderLiveLines() {
    const trend = liveTrend(this.site, this.reading);
    this.trend.hidden = !showTrend(this.trend, trend, this.site?.thresholds?.metric);
    this.motion.hidden = !showMotion(this.motion, liveMotion(this.site, this.reading));
  }

  tick() {
    const r = this.reading;
    const age = this.$("stat-age");
    age.textContent = r ? fmtAge(r.analysed_at) : "–";
    age.title = r ? new Date(r.analysed_at * 1000).toLocaleString() : "";
    age.classList.toggle("stale", this.site?.status === "online" && readingStale(r));
    this.renderLiveLines();
  }

  setFrameMessage(text) {
    const msg = this.$("frame-msg");
    msg.textContent = text || "";
    msg.hidden = !text;
  }

  abortFrame() {
    this.frame.inflight?.abort();
    this.frame.inflight = null;
    this.frame.wantSeq = null;
    this.frame.loadedSeq = null;
  }

  /** Fetches the frame of `seq`; at most one request in flight, the newest wanted wins. */
  requestFrame(seq) {
    this.frame.wantSeq = seq;
    if (this.frame.inflight || !this.site) return;
    if (this.frame.loadedSeq === seq) return;
    const siteId = this.site.id;
    const controller = new AbortController();
    this.frame.inflight = controller;
    fetch(snapshotUrl(siteId, seq), { signal: controller.signal })
      .then(async (res) => {
        if (!res.ok) {
          this.setFrameMessage(res.status === 404 || res.status === 503 ? "No frame yet." : `Frame unavailable (HTTP ${res.status}).`);
          return;
        }
        const blob = await res.blob();
        if (controller.signal.aborted) return;
        const url = URL.createObjectURL(blob);
        await new Promise((resolve) => {
          this.img.onload = resolve;
          this.img.onerror = resolve;
          this.img.src = url;
        });
        if (this.frame.url) URL.revokeObjectURL(this.frame.url);
        this.frame.url = url;
        this.frame.loadedSeq = seq;
        this.img.hidden = false;
        this.img.dataset.seq = String(seq);
        this.setFrameMessage("");
      })
      .catch((err) => {
        if (err.name !== "AbortError") this.setFrameMessage("Frame unavailable.");
      })
      .finally(() => {
        if (this.frame.inflight !== controller) return;
        this.frame.inflight = null;
        const want = this.frame.wantSeq;
        if (want != null && want !== seq && this.site?.id === siteId) {
          setTimeout(() => this.requestFrame(want), 0);
        }
      });
  }

  /** Density grid and ROI polygon, in frame pixels, on the canvas over the image. */
  drawOverlay() {
    const r = this.reading;
    const canvas = this.canvas;
    const ctx = canvas.getContext("2d");
    if (!r || !this.site) {
      ctx.clearRect(0, 0, canvas.width, canvas.height);
      return;
    }
    const w = r.frame_width;
    const h = r.frame_height;
    if (canvas.width !== w || canvas.height !== h) {
      canvas.width = w;
      canvas.height = h;
    } else {
      ctx.clearRect(0, 0, w, h);
    }
    const grid = r.grid ?? [];
    const rows = grid.length;
    const cols = rows ? grid[0].length : 0;
    if (rows && cols) {
      const cw = w / cols;
      const ch = h / rows;
      for (let y = 0; y < rows; y += 1) {
        const row = grid[y];
        for (let x = 0; x < cols; x += 1) {
          const color = densityColor(row[x]);
          if (!color) continue;
          ctx.fillStyle = color;
          const x0 = Math.floor(x * cw);
          const y0 = Math.floor(y * ch);
          ctx.fillRect(x0, y0, Math.ceil((x + 1) * cw) - x0, Math.ceil((y + 1) * ch) - y0);
        }
      }
    }
    const roi = this.site.roi ?? [];
    if (roi.length >= 3) {
      const lw = Math.max(2, w / 320);
      ctx.save();
      ctx.lineJoin = "round";
      ctx.beginPath();
      roi.forEach(([x, y], i) => (i ? ctx.lineTo(x, y) : ctx.moveTo(x, y)));
      ctx.closePath();
      ctx.strokeStyle = "rgba(0,0,0,0.55)";
      ctx.lineWidth = lw * 2.2;
      ctx.stroke();
      ctx.strokeStyle = "#7dd3fc";
      ctx.lineWidth = lw;
      ctx.setLineDash([lw * 4, lw * 2.5]);
      ctx.stroke();
      ctx.restore();
    }
  }
}
