// A site's span as a strip: one column per bin, stacked by the time in each picture state.

import { el, fmtDuration, fmtTime } from "../util.js";
import { fmtShare } from "./format.js";

// Top to bottom in each column; the words are the ones the table and legend use.
export const STATES = [
  { key: "offline_s", state: "offline", words: "camera offline" },
  { key: "poor_s", state: "poor", words: "poor" },
  { key: "dark_s", state: "dark", words: "no picture" },
  { key: "stopped_s", state: "stopped", words: "monitor stopped" },
  { key: "unassessed_s", state: "unassessed", words: "picture check off" },
  { key: "good_s", state: "good", words: "good" },
];

const SUMMARY_ORDER = ["good", "poor", "unassessed", "offline", "stopped", "dark"];

function binTitle(bin) {
  const parts = STATES.filter((s) => bin.times[s.key] > 0).map((s) => `${s.words} ${fmtDuration(bin.times[s.key])}`);
  return `${fmtTime(bin.start)} – ${fmtTime(bin.end)}\n${parts.join("\n")}`;
}

function binColumn(bin) {
  const length = bin.end - bin.start;
  const column = el("span", { class: "strip-bin", "data-testid": "health-bin", title: binTitle(bin) });
  for (const s of STATES) {
    column.dataset[s.state] = String(bin.times[s.key]);
    if (!(bin.times[s.key] > 0)) continue;
    const segment = el("span", { class: "strip-seg", "data-state": s.state });
    segment.style.height = `${(100 * bin.times[s.key]) / length}%`;
    column.append(segment);
  }
  return column;
}

/** The strip of `site` over a span `span` seconds long, called `spanWords` ("Last 6 h"). */
export function renderStrip(site, span, spanWords) {
  const summary = SUMMARY_ORDER.map((state) => STATES.find((s) => s.state === state))
    .map((s) => `${s.words} ${fmtShare(site.times[s.key], span)}`)
    .join(", ");
  return el(
    "div",
    { class: "strip", role: "img", "aria-label": `${spanWords}: ${summary}`, "data-testid": `health-strip-${site.site_id}` },
    ...site.bins.map(binColumn),
  );
}
