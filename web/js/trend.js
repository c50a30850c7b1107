// Where a site's alert metric is heading (a live reading's `trend`), in the operator's
// words: the panel's trend line, the site list's badge and the map marker's tooltip.

import { fmtDuration, fmtMetric, fmtNum, liveReading } from "./util.js";
import { serverNow } from "./server_clock.js";

// Platforms arrive in 1, 3 or 5 minutes: a level due within the 3-minute tier is "soon".
export const SOON_S = 180;

const ARROWS = { rising: "↗", falling: "↘", steady: "→" };
const MINUS = "\u2212";

/** The trend of a site's `reading` while it still says where the crowd is heading: none for
 * an offline site, nor once the reading is stale (a stream that stalled without failing). */
export function liveTrend(site, reading, now = serverNow()) {
  return liveReading(site, reading, now)?.trend ?? null;
}


/** A change per minute with its sign: "+0.40 /m² per min", "−1.5 people per min". */
export function fmtRate(rate, metric, { compact = false } = {}) {
  const size = Math.abs(rate);
  // Counts: one decimal for a slow change, whole people for a fast one; ".0" is dropped.
  let digits = metric === "count" ? fmtNum(size, size < 10 ? 1 : 0).replace(/\.0$/, "") : fmtNum(size, 2);
  if (/^0(\.0+)?$/.test(digits)) return compact ? "±0/min" : "no change per min";
  digits = `${rate < 0 ? MINUS : "+"}${digits}`;
  if (compact) return metric === "count" ? `${digits} ppl/min` : `${digits} /m²/min`;
  return metric === "count" ? `${digits} people per min` : `${digits} /m² per min`;
}

/** Seconds ahead, in whole minutes: "<1 min", "~2 min". */
function fmtEta(eta) {
  return eta < 60 ? "<1 min" : `~${Math.round(eta / 60)} min`;
}


/** A reading's `trend` for a site whose alerts are on `metric`, or null when there is none:
 * {arrow, text, short, title, urgency, color}. The server names the next level among the
 * levels in force (a schedule's, in its window), with its enter value and colour. `text`
 * (the panel) and `short` (the site list) go after the arrow; `title` is the full sentence;
 * `urgency` is "soon" (next level within SOON_S), "later" (further, within the horizon) or
 * ""; `color` is the next level's colour while it is projected, else null. */
export function trendText(trend, metric) {
  if (!trend) return null;
  const { direction, rate_per_min: rate, next_level: next, eta_s: eta } = trend;
  const arrow = ARROWS[direction] ?? "?";
  const rateText = fmtRate(rate, metric);
  let text;
  let short;
  if (next && eta != null && eta <= 0) {
    text = `${next} threshold reached`;
    short = `${next} now`;
  } else if (next && eta != null) {
    text = `${next} in ${fmtEta(eta)}`;
    short = `${next} ${fmtEta(eta)}`;
  } else if (direction === "steady") {
    text = "steady";
    short = "steady";
  } else {
    text = `${direction} ${rateText}`;
    short = fmtRate(rate, metric, { compact: true });
  }

  const label = metric === "count" ? "People" : metric === "mean_density" ? "Mean density" : "Peak density";
  const sentences = [`${label} ${direction}: ${rateText} over the last minutes (now ${fmtMetric(metric, trend.value)}).`];
  const target = trend.next_enter != null ? `${next} (${fmtMetric(metric, trend.next_enter)})` : next;
  if (!next) sentences.push("Already at the top level.");
  else if (eta != null && eta <= 0) {
    sentences.push(`Already at or above ${target}: it is raised once it holds for the minimum duration.`);
  } else if (eta != null) sentences.push(`At this rate it reaches ${target} in about ${fmtDuration(eta)}.`);
  else if (direction === "rising") sentences.push(`At this rate it does not reach ${target} within the forecast horizon.`);
  else sentences.push(`Next level: ${target}.`);

  return {
    arrow,
    text,
    short,
    title: sentences.join("\n"),
    urgency: eta == null || !next ? "" : eta <= SOON_S ? "soon" : "later",
    color: eta != null && next ? (trend.next_color ?? null) : null,
  };
}

/** Shows `trend` (null: none) on `node`, a site's panel line or list badge: its `text` or
 * `short` words after the arrow, the sentence as its title, and the next level's colour as
 * `--trend` while that level is projected. */
export function showTrend(node, trend, metric, words = "text") {
  const shown = trendText(trend, metric);
  node.dataset.direction = trend?.direction ?? "";
  node.dataset.urgency = shown?.urgency ?? "";
  const text = shown ? `${shown.arrow} ${shown[words]}` : "";
  if (node.textContent !== text) node.textContent = text;
  node.title = shown?.title ?? "";
  if (shown?.color) node.style.setProperty("--trend", shown.color);
  else node.style.removeProperty("--trend");
  return shown;
}
