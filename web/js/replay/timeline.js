// Pure helpers over sorted lists of segments and readings (no DOM), shared by the lanes.

export { fromLocalInput, toLocalInput } from "../util.js";

/** A segment's last frame stays on screen this long: consecutive segments are a frame apart. */
export const HOLD_S = 0.5;

/** The segment holding time `t`, or null; `segments` oldest first. Damaged ones are skipped. */
export function segmentAt(segments, t) {
  let held = null;
  for (const s of segments) {
    if (s.health !== "ok") continue;
    if (s.start <= t && t <= s.end) return s;
    if (s.end < t && t <= s.end + HOLD_S) held = s;
  }
  return held;
}

/** The damaged segment holding `t` (to say why nothing plays), or null. */
export function damagedAt(segments, t) {
  return segments.find((s) => s.health !== "ok" && s.start <= t && t <= s.end) ?? null;
}

/** The outage (the camera reported offline) holding `t`, or null; `outages` oldest first. */
export function outageAt(outages, t) {
  return outages.find((o) => o.start <= t && t < o.end) ?? null;
}

/** The next playable segment starting after `t`, or null. */
export function nextSegment(segments, t) {
  return segments.find((s) => s.health === "ok" && s.start > t) ?? null;
}

/** The reading captured nearest `t` within `tolerance` seconds; `readings` oldest first. */
export function readingNear(readings, t, tolerance = 3) {
  let lo = 0;
  let hi = readings.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (readings[mid].captured_at < t) lo = mid + 1;
    else hi = mid;
  }
  let best = null;
  for (const i of [lo - 1, lo]) {
    const r = readings[i];
    if (r && (!best || Math.abs(r.captured_at - t) < Math.abs(best.captured_at - t))) best = r;
  }
  return best && Math.abs(best.captured_at - t) <= tolerance ? best : null;
}

/** Readings further apart than this do not make one turbulent stretch: the camera was away,
 * or analysis stalled, and nobody saw what the crowd did in between. */
export const TURBULENT_GAP_S = 5;

/**
 * The stretches in which the crowd was turbulent, from its readings (oldest first): each
 * {start, end, peak}, from the first turbulent reading to the last of a run, with the highest
 * pressure measured in it. A reading without motion (not measured, a gap) ends a run.
 */
export function turbulentSpans(readings, maxGapS = TURBULENT_GAP_S) {
  const spans = [];
  let open = null;
  let last = null;
  for (const r of readings) {
    const turbulent = Boolean(r.motion?.turbulent);
    if (open && (!turbulent || r.captured_at - last > maxGapS)) {
      spans.push(open);
      open = null;
    }
    if (turbulent) {
      if (!open) open = { start: r.captured_at, end: r.captured_at, peak: r.motion.pressure };
      open.end = r.captured_at;
      open.peak = Math.max(open.peak, r.motion.pressure);
    }
    last = r.captured_at;
  }
  if (open) spans.push(open);
  return spans;
}

/** Seconds per frame of a segment (for frame stepping). */
export function frameStep(segment) {
  if (!segment || segment.frames < 2) return 0.1;
  return (segment.end - segment.start) / (segment.frames - 1);
}

export function fmtClock(t) {
  const d = new Date(t * 1000);
  const pad = (n, w = 2) => String(n).padStart(w, "0");
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())} ${pad(d.getHours())}:${pad(
    d.getMinutes(),
  )}:${pad(d.getSeconds())}.${pad(d.getMilliseconds(), 3).slice(0, 1)}`;
}
