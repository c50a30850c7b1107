// One site in the replay: its video with the heat overlay, its count and persons/m² chart
// with a moving cursor and alert marks, and a timeline of what was recorded. Click the chart
// or the timeline to seek the shared clock.

import { request } from "../api.js";
import { serverNow } from "../server_clock.js";
import { el, pictureWarning } from "../util.js";
import { drawOverlay } from "./overlay.js";
import { fmtPressure } from "../motion.js";
import {
  damagedAt,
  fmtClock,
  nextSegment,
  outageAt,
  readingNear,
  segmentAt,
  turbulentSpans,
} from "./timeline.js";

const AXIS = { stroke: "#9aa7b8", grid: { stroke: "#263345", width: 1 }, ticks: { stroke: "#263345" } };
const MARK_COLORS = { raised: "#ef4444", escalated: "#f08c00", cleared: "#2e9e5b", resolved: "#2e9e5b" };
/** The turbulence red (util.TURBULENT_COLOR), faint: the chart's lines stay readable over it. */
const TURBULENT_BAND = "rgba(239, 68, 68, 0.16)";
/** A video this far (in seconds of content) from the clock is sought back into step. */
const DRIFT_S = 0.3;

/** A span ending later than this before now may reach into the segment being written
 * (segment_s is at most an hour): that segment is closed first, so the replay reaches now. */
const OPEN_SEGMENT_REACH_S = 3600;

const q = (v) => encodeURIComponent(v);

export class Lane {
  constructor(site, clock, { onRemove }) {
    this.site = site;
    this.clock = clock;
    this.segments = [];
    this.readings = [];
    this.marks = [];
    this.outages = []; // when the camera was offline, and why
    this.turbulent = []; // when the crowd was turbulent (turbulentSpans)
    this.current = null; // the segment loaded in the video
    this.window = null; // [since, until]
    this.plot = null;

    this.video = el("video", {
      muted: true,
      playsInline: true,
      preload: "auto",
      "data-testid": `replay-video-${site.id}`,
    });
    this.canvas = el("canvas", { "data-testid": `replay-overlay-${site.id}` });
    this.noVideo = el("div", { class: "no-video", "data-testid": `replay-no-video-${site.id}` });
    this.warning = el("p", { class: "lane-warning", "data-testid": `replay-warning-${site.id}` });
    this.warning.hidden = true;
    // The picture behind the reading on screen, worded as on the live page.
    this.picture = el("p", {
      class: "lane-warning lane-picture",
      role: "status",
      hidden: true,
      "data-testid": `replay-picture-${site.id}`,
      "data-issues": "",
    });
    this.readout = el("span", { class: "lane-readout", "data-testid": `replay-readout-${site.id}` });
    this.timeline = el("div", { class: "timeline", "data-testid": `replay-timeline-${site.id}` });
    this.timelineCursor = el("div", { class: "cursor" });
    this.chartBox = el("div", { class: "chart-box", "data-testid": `replay-chart-${site.id}` });
    const remove = el("button", { type: "button", title: "Remove", text: "✕", onclick: () => onRemove(this) });
    this.root = el(
      "section",
      { class: "card lane", "data-testid": `replay-lane-${site.id}`, "data-site-id": site.id },
      el(
        "div",
        { class: "lane-head" },
        el("h2", { text: site.name_en }),
        el("span", { class: "zh", lang: "zh-CN", text: site.name_zh }),
        this.readout,
        remove,
      ),
      this.warning,
      this.picture,
      el("div", { class: "video-box" }, this.video, this.canvas, this.noVideo),
      this.timeline,
      this.chartBox,
    );
    this.timeline.addEventListener("click", (ev) => {
      if (!this.window) return;
      const box = this.timeline.getBoundingClientRect();
      const [since, until] = this.window;
      this.clock.seek(since + ((ev.clientX - box.left) / box.width) * (until - since));
    });
    this.video.addEventListener("loadedmetadata", () => this.sync(true));
    this.resizer = new ResizeObserver(() => {
      const width = this.chartBox.clientWidth;
      if (this.plot && width > 0 && width !== this.plot.width) this.plot.setSize({ width, height: 160 });
    });
    this.resizer.observe(this.chartBox);
    this.video.addEventListener("seeked", () => this.drawOverlay());
    this.showRecordingStatus(site.recording);
  }

  /** Epoch seconds on screen while this lane's video plays, else null (for the clock). */
  playingTime() {
    const v = this.video;
    if (!this.current || v.paused || v.seeking || v.readyState < 2 || v.ended) return null;
    return this.current.start + v.currentTime;
  }

  showRecordingStatus(recording) {
    if (recording?.status === "paused") {
      this.warning.textContent = `Recording paused: ${recording.reason}`;
      this.warning.dataset.severity = "bad";
      this.warning.hidden = false;
    } else {
      this.warning.hidden = true;
    }
  }

  /** Loads what was recorded, read and raised in [since, until]. */
  async load(since, until) {
    this.window = [since, until];
    const id = q(this.site.id);
    const range = `since=${since.toFixed(3)}&until=${until.toFixed(3)}`;
    if (until > serverNow() - OPEN_SEGMENT_REACH_S && this.site.recording?.status === "recording") {
      // Without it, the footage would end where the last closed segment did.
      await request("POST", `/api/sites/${id}/recordings/cut`).catch((err) => console.warn("cut:", err.message));
    }
    const [segments, readings, marks, outages] = await Promise.all([
      request("GET", `/api/sites/${id}/recordings?${range}`),
      request("GET", `/api/sites/${id}/readings?${range}&limit=10000`),
      request("GET", `/api/sites/${id}/alerts?${range}`),
      // Why there is no footage is a help, not the footage: the replay goes on without it.
      request("GET", `/api/sites/${id}/outages?${range}`).catch((err) => {
        console.warn("outages:", err.message);
        return [];
      }),
    ]);
    this.segments = segments;
    this.readings = readings;
    this.marks = marks;
    this.outages = outages;
    this.turbulent = turbulentSpans(readings);
    this.renderTimeline();
    this.renderChart();
    this.sync(true);
  }

  renderTimeline() {
    const [since, until] = this.window;
    const pct = (t) => `${(100 * (t - since)) / (until - since)}%`;
    const blocks = this.segments.map((s) =>
      el("div", {
        class: s.health === "ok" ? "rec" : "rec bad",
        title: s.health === "ok" ? `${fmtClock(s.start)} – ${fmtClock(s.end)}` : s.problem,
        style: `left:${pct(Math.max(s.start, since))};width:${pct(since + Math.min(s.end, until) - Math.max(s.start, since))}`,
      }),
    );
    const marks = this.marks.map((m) =>
      el("div", {
        class: "mark",
        "data-kind": m.kind,
        "data-testid": `replay-mark-${m.kind}`,
        title: `${m.kind} ${m.level} at ${fmtClock(m.at)}`,
        style: `left:${pct(m.at)}`,
      }),
    );
    const outages = this.outages.map((o) =>
      el("div", {
        class: "outage",
        "data-testid": `replay-outage-${this.site.id}`,
        "data-start": String(o.start),
        title: `Camera offline ${fmtClock(o.start)} – ${fmtClock(o.end)}` + (o.reasons.length ? `: ${o.reasons.join("; ")}` : ""),
        style: `left:${pct(o.start)};width:${pct(since + o.end - o.start)}`,
      }),
    );
    const turbulent = this.turbulent.map((span) =>
      el("div", {
        class: "turbulent",
        "data-testid": `replay-turbulent-${this.site.id}`,
        "data-start": String(span.start),
        "data-end": String(span.end),
        title: `Crowd turbulent ${fmtClock(span.start)} – ${fmtClock(span.end)}, up to ${fmtPressure(span.peak)} crowd pressure`,
        style: `left:${pct(span.start)};width:${pct(since + span.end - span.start)}`,
      }),
    );
    this.timeline.replaceChildren(...blocks, ...outages, ...turbulent, ...marks, this.timelineCursor);
  }

  renderChart() {
    const xs = this.readings.map((r) => r.captured_at);
    const data = [xs, this.readings.map((r) => r.count), this.readings.map((r) => r.peak_density)];
    const marks = this.marks;
    const spans = this.turbulent;
    // Under the lines (drawClear runs before the series): when the crowd was pushed about.
    const drawBands = (u) => {
      const { ctx, bbox } = u;
      ctx.save();
      ctx.fillStyle = TURBULENT_BAND;
      for (const span of spans) {
        const left = u.valToPos(span.start, "x", true);
        const width = Math.max(u.valToPos(span.end, "x", true) - left, 2 * devicePixelRatio);
        ctx.fillRect(left, bbox.top, width, bbox.height);
      }
      ctx.restore();
    };
    const drawMarks = (u) => {
      const { ctx, bbox } = u;
      for (const m of marks) {
        const x = Math.round(u.valToPos(m.at, "x", true));
        ctx.save();
        ctx.strokeStyle = MARK_COLORS[m.kind] ?? "#38bdf8";
        ctx.lineWidth = 2;
        ctx.beginPath();
        ctx.moveTo(x, bbox.top);
        ctx.lineTo(x, bbox.top + bbox.height);
        ctx.stroke();
        ctx.restore();
      }
    };
    const [since, until] = this.window;
    const opts = {
      width: Math.max(300, this.chartBox.clientWidth || 400),
      height: 160,
      cursor: { drag: { x: false, y: false } },
      scales: { x: { time: true, range: () => [since, until] }, count: {}, density: {} },
      axes: [
        { ...AXIS },
        { ...AXIS, scale: "count", size: 40 },
        { ...AXIS, scale: "density", side: 1, size: 40 },
      ],
      series: [
        {},
        { label: "people", scale: "count", stroke: "#38bdf8", width: 1.5 },
        { label: "peak /m²", scale: "density", stroke: "#f59e0b", width: 1.5 },
      ],
      hooks: {
        drawClear: [drawBands],
        draw: [drawMarks],
        // uPlot lays its scales out after the constructor returns, and again on a resize: the
        // cursor can only find the clock's time on the chart then (else it sits at the left
        // edge while paused).
        ready: [() => this.moveCursors(this.clock.t)],
        setSize: [() => this.moveCursors(this.clock.t)],
      },
    };
    this.plot?.destroy();
    this.plot = new uPlot(opts, data, this.chartBox);
    this.chartBox.dataset.turbulentSpans = String(spans.length);
    this.chartCursor = el("div", { class: "chart-cursor", "data-testid": `replay-chart-cursor-${this.site.id}` });
    this.plot.over.append(this.chartCursor);
    this.plot.over.addEventListener("click", (ev) => {
      this.clock.seek(this.plot.posToVal(ev.offsetX, "x"));
    });
  }

  /** Puts video, overlay and cursors in step with the clock. */
  sync(seeking) {
    const t = this.clock.t;
    this.moveCursors(t);
    const segment = segmentAt(this.segments, t);
    const v = this.video;
    if (!segment) {
      this.current = null;
      v.pause();
      v.hidden = true;
      const damaged = damagedAt(this.segments, t);
      const outage = damaged ? null : outageAt(this.outages, t);
      const next = nextSegment(this.segments, t);
      const then = next ? `; next recording at ${fmtClock(next.start)}` : ".";
      if (damaged) this.noVideo.textContent = `Recording unavailable (${damaged.health}): ${damaged.problem}`;
      else if (outage) {
        const why = outage.reasons.length ? ` (${outage.reasons.join("; ")})` : "";
        this.noVideo.textContent = `Camera offline at this time${why}${then}`;
      } else this.noVideo.textContent = `Nothing recorded at this time${then}`;
      this.noVideo.hidden = false;
      this.root.dataset.state = damaged ? "damaged" : outage ? "camera-offline" : "no-recording";
      this.drawOverlay();
      return;
    }
    v.hidden = false;
    this.noVideo.hidden = true;
    this.root.dataset.state = "video";
    if (this.current?.id !== segment.id) {
      this.current = segment;
      this.root.dataset.segmentId = String(segment.id);
      this.root.dataset.segmentStart = String(segment.start);
      v.src = segment.video_url;
      return; // loadedmetadata syncs again
    }
    if (v.readyState < 1) return;
    const want = Math.min(Math.max(t - segment.start, 0), v.duration || Infinity);
    const playing = this.clock.playing;
    if (seeking || !playing || Math.abs(v.currentTime - want) > DRIFT_S * Math.max(1, this.clock.speed)) {
      if (Math.abs(v.currentTime - want) > 0.001) v.currentTime = want;
    }
    v.playbackRate = this.clock.speed;
    if (playing && v.paused) v.play().catch(() => {});
    if (!playing && !v.paused) v.pause();
    this.drawOverlay();
  }

  drawOverlay() {
    const t = this.current ? this.current.start + this.video.currentTime : this.clock.t;
    const reading = readingNear(this.readings, t);
    this.root.dataset.readingAt = reading ? String(reading.captured_at) : "";
    this.readout.textContent = reading
      ? `${reading.count.toFixed(1)} people · peak ${reading.peak_density.toFixed(2)}/m² · ${reading.level}${motionWords(reading.motion)}`
      : "no reading";
    this.readout.dataset.turbulent = String(Boolean(reading?.motion?.turbulent));
    this.showPicture(reading?.image_quality);
    drawOverlay(this.canvas, this.video, this.current ? reading : null, this.site.roi);
  }

  showPicture(quality) {
    const warning = pictureWarning(quality);
    const node = this.picture;
    node.hidden = !warning;
    node.title = warning?.title ?? "";
    // Called on every frame while playing: rewrite (and have screen readers announce) only
    // when the words change.
    const issues = warning ? warning.issues.join(" ") : "";
    if (node.dataset.issues === issues) return;
    node.dataset.issues = issues;
    node.dataset.severity = warning?.severity ?? "";
    node.textContent = warning?.text ?? "";
  }

  moveCursors(t) {
    if (!this.window) return;
    const [since, until] = this.window;
    this.timelineCursor.style.left = `${(100 * (t - since)) / (until - since)}%`;
    if (this.plot && this.chartCursor) {
      this.chartCursor.style.left = `${this.plot.valToPos(t, "x")}px`;
    }
  }

  destroy() {
    this.video.pause();
    this.video.removeAttribute("src");
    this.resizer.disconnect();
    this.plot?.destroy();
    this.root.remove();
  }
}


/** The readout's words for a stored reading's motion: "" without one (earlier builds, gaps). */
function motionWords(motion) {
  if (!motion) return "";
  const words = ` · moving ${motion.speed_m_s.toFixed(1)} m/s`;
  return motion.turbulent ? `${words} · ≋ turbulent (${fmtPressure(motion.pressure)})` : words;
}
