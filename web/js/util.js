// Small shared helpers: formatting, level colours, DOM.

import { serverNow } from "./server_clock.js";

export const NORMAL_COLOR = "#2e9e5b";
export const OFFLINE_COLOR = "#6b7280";

/** The colour of `level` in a site's thresholds; `normal` (and unknown levels) → calm green. */
export function levelColor(thresholds, level, fallback = NORMAL_COLOR) {
  if (!level || level === "normal") return NORMAL_COLOR;
  const found = thresholds?.levels?.find((l) => l.name === level);
  return found ? found.color : fallback;
}

// A site's turbulence alerts (monitor/alerts/turbulence.py): one level, in the red the map
// draws turbulence in, and more urgent than any density level, since it is the step before a
// crush.
export const TURBULENCE_METRIC = "crowd_pressure";
export const TURBULENT_COLOR = "#ef4444";

/** The colour of an alert shown at `level` (its level or peak level). */
export function alertColor(site, alert, level, fallback = NORMAL_COLOR) {
  if (alert.metric === TURBULENCE_METRIC && level && level !== "normal") return TURBULENT_COLOR;
  return levelColor(site?.thresholds, level, fallback);
}

/** Whether one of `alerts` is the site's turbulence alert with its crowd not calm again,
 * acknowledged or not: the map's ring and the wall's red frame. */
export function turbulenceAlertOn(site, alerts) {
  for (const a of alerts) {
    if (a.site_id === site.id && a.metric === TURBULENCE_METRIC && a.state !== "resolved" && a.cleared_at == null) {
      return true;
    }
  }
  return false;
}

/** The rank of a site's turbulence level: above its highest density level (see levelRank). */
export function turbulenceRank(site) {
  return site?.thresholds?.levels?.length ?? 0;
}

/** How severe an alert that reached `level` is among the site's (see levelRank). */
export function alertRank(site, alert, level) {
  if (alert.metric === TURBULENCE_METRIC) return level && level !== "normal" ? turbulenceRank(site) : -1;
  return levelRank(site?.thresholds, level);
}

/** How severe `level` is among a site's thresholds: -1 for normal (and unknown levels), else
 * its index, the lowest level 0. */
export function levelRank(thresholds, level) {
  if (!level || level === "normal") return -1;
  return thresholds?.levels?.findIndex((l) => l.name === level) ?? -1;
}

/** Black or white text, whichever reads better on `hex`. */
export function textOn(hex) {
  const m = /^#?([0-9a-f]{2})([0-9a-f]{2})([0-9a-f]{2})$/i.exec(hex || "");
  if (!m) return "#fff";
  const [r, g, b] = m.slice(1).map((h) => parseInt(h, 16) / 255);
  const lum = 0.2126 * r + 0.7152 * g + 0.0722 * b;
  return lum > 0.55 ? "#0b0f14" : "#ffffff";
}

const pad = (n) => String(n).padStart(2, "0");

/** Epoch seconds → local HH:MM:SS (with the date when not today). */
export function fmtTime(epoch) {
  if (epoch == null) return "–";
  const d = new Date(epoch * 1000);
  const hms = `${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}`;
  const now = new Date();
  if (d.toDateString() === now.toDateString()) return hms;
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())} ${hms}`;
}

export function fmtAge(epoch) {
  if (epoch == null) return "–";
  const s = Math.max(0, serverNow() - epoch);
  if (s < 1) return "just now";
  if (s < 60) return `${Math.floor(s)} s ago`;
  if (s < 3600) return `${Math.floor(s / 60)} min ago`;
  return fmtTime(epoch);
}

/** Seconds as an operator reads them: "5 s", "7 min 30 s", "20 min", "1 h 20 min", "2 d 4 h". */
export function fmtDuration(seconds) {
  const s = Math.max(0, Number(seconds) || 0);
  if (s < 59.5) return `${Math.round(s)} s`;
  if (s < 600) {
    const whole = Math.round(s);
    const rest = whole % 60;
    return rest ? `${Math.floor(whole / 60)} min ${rest} s` : `${whole / 60} min`;
  }
  const minutes = Math.round(s / 60);
  if (minutes < 60) return `${minutes} min`;
  if (minutes < 24 * 60) {
    const m = minutes % 60;
    return m ? `${Math.floor(minutes / 60)} h ${m} min` : `${minutes / 60} h`;
  }
  const hours = Math.round(s / 3600);
  const h = hours % 24;
  return h ? `${Math.floor(hours / 24)} d ${h} h` : `${hours / 24} d`;
}

// A workstation clock this far off the server's is worth telling IT about; nearer, the
// estimate itself (a Date header is whole seconds) could be the difference.
export const CLOCK_NOTE_S = 5;

/** What to say of a workstation clock `offset` seconds behind the server's (negative:
 * ahead), or "" when it is near enough. */
export function clockNote(offset) {
  if (!(Math.abs(offset) >= CLOCK_NOTE_S)) return "";
  const way = offset > 0 ? "slow" : "fast";
  return `This computer's clock is ${fmtDuration(Math.abs(offset))} ${way}: the page keeps the server's time`;
}

export function fmtNum(v, digits = 1) {
  if (v == null || Number.isNaN(v)) return "–";
  return Number(v).toFixed(digits);
}

export const METRIC_LABELS = {
  peak_density: "peak persons/m²",
  mean_density: "mean persons/m²",
  count: "people",
  crowd_pressure: "/s² crowd pressure",
};

export function fmtMetric(metric, value) {
  if (metric === "count") return `${fmtNum(value, 0)} people`;
  if (metric === TURBULENCE_METRIC) return `${fmtNum(value, 3)}/s² crowd pressure`;
  return `${fmtNum(value, 2)} ${METRIC_LABELS[metric] ?? metric}`;
}

export function cap(s) {
  return s ? s[0].toUpperCase() + s.slice(1) : "";
}

// A live reading older than this no longer says how the site is now: its age is marked,
// and its trend is no longer shown.
export const STALE_READING_S = 15;

/** True when `reading` (null: none yet) is too old to say how its site is now. Every place
 * that dims, drops or flags a reading asks this, so they agree on the moment. */
export function readingStale(reading, now = serverNow()) {
  return reading != null && now - reading.analysed_at > STALE_READING_S;
}

/** `reading` while it still says how the site is now, else null: an offline site's last
 * reading, or a stale one (a stream that stalled without failing), no longer does. */
export function liveReading(site, reading, now = serverNow()) {
  if (!site || site.status === "offline" || !reading) return null;
  return readingStale(reading, now) ? null : reading;
}

/** document.createElement with attributes, properties and children in one call. */
export function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (v == null || v === false) continue;
    if (k === "class") node.className = v;
    else if (k === "text") node.textContent = v;
    else if (k.startsWith("on")) node.addEventListener(k.slice(2), v);
    else if (k in node && !k.includes("-")) node[k] = v;
    else node.setAttribute(k, v === true ? "" : String(v));
  }
  for (const c of children) if (c != null) node.append(c);
  return node;
}

// What each picture-quality issue means for the count, in the operator's words. The live
// panel, the site list and the replay share these so every page says the same thing.
const PICTURE_ISSUES = {
  blank: { label: "blank (lens covered?)", effect: "count meaningless" },
  noise: { label: "grainy (night or high gain)", effect: "counts may be off" },
  detail_loss: { label: "starved stream or blur", effect: "counts read low" },
  blocking: { label: "heavy compression", effect: "counts may be off" },
  view_moved: { label: "view moved off its set-up", effect: "region no longer fits" },
};

/** The picture issues the server knows, in the order it lists them. */
export const PICTURE_ISSUE_CODES = Object.keys(PICTURE_ISSUES);

function pictureIssueMeaning(code) {
  // A code newer than this page: named as sent, and not trusted.
  return PICTURE_ISSUES[code] ?? { label: code.replace(/_/g, " "), effect: "counts may be off" };
}

/** One picture issue in the operator's words, as pictureWarning() names it. */
export function pictureIssueLabel(code) {
  return pictureIssueMeaning(code).label;
}

/** A reading's `image_quality` as a warning: {issues, severity, text, title}, or null when
 * the picture is good or was not assessed. `title` gives the measured values behind it. */
export function pictureWarning(quality) {
  const issues = quality?.issues ?? [];
  if (!issues.length) return null;
  const meanings = issues.map(pictureIssueMeaning);
  let text;
  if (issues.includes("blank")) {
    // The server sends blank alone; should it not, blank still outweighs the rest.
    text = `Picture ${PICTURE_ISSUES.blank.label}: ${PICTURE_ISSUES.blank.effect}`;
  } else {
    // Several issues: the count only reads low for sure when every issue says so.
    const effect = meanings.every((m) => m.effect === meanings[0].effect) ? meanings[0].effect : "counts may be off";
    text = `Picture: ${meanings.map((m) => m.label).join(", ")}: ${effect}`;
  }
  const title = [
    "Measured over the last frames (median):",
    `noise ${fmtNum(quality.noise, 1)} grey levels`,
    `fine detail ${fmtNum(quality.detail, 2)} (good picture about 0.7–1.1)`,
    `blocking ${fmtNum(quality.blocking, 2)} (good picture about 1.0–1.5)`,
    `spread ${fmtNum(quality.spread, 1)} grey levels`,
    quality.view_shift == null ? null : `view ${fmtNum(quality.view_shift * 100, 1)}% of the frame's width off its set-up`,
  ].filter((line) => line != null).join("\n");
  return { issues, severity: issues.includes("blank") ? "bad" : "warn", text, title };
}

/** The issues of a site's latest picture, space-separated ("" for a good or unassessed one). */
export function pictureIssues(site) {
  return (site.latest?.image_quality?.issues ?? []).join(" ");
}

/** Epoch seconds → the value of an <input type="datetime-local" step="1"> in local time. */
export function toLocalInput(t) {
  const d = new Date(t * 1000);
  const pad = (n) => String(n).padStart(2, "0");
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}T${pad(d.getHours())}:${pad(
    d.getMinutes(),
  )}:${pad(d.getSeconds())}`;
}

/** The reverse of toLocalInput; NaN when empty or invalid. */
export function fromLocalInput(value) {
  return value ? new Date(value).getTime() / 1000 : NaN;
}
