// The picture behind the live count, for the installer at the camera: a soft focus, a
// starved bitrate, a covered lens or night grain is cheapest to fix now. The line says it as
// the live page does (one shared wording); the measures below it, each beside the site's own
// limit, show how far a refocus or a bitrate change has moved the picture, and how near it
// stands to a warning.

import { fmtNum, pictureWarning } from "../util.js";

// One row per measure, shared with the limits form (monitor/config/quality.py):
// `bad`: the side of its limit where a measure is flagged; `body`: its limit's key in
// `image_quality`; `moreThan`: an exclusive lower bound, which an input cannot express;
// `fallback`: the default limit.
export const MEASURES = [
  { key: "noise", digits: 1, bad: "above", words: "grainy above", label: "Grainy above",
    body: "noise_limit", moreThan: 0, fallback: 4.5 },
  { key: "detail", digits: 2, bad: "below", words: "lost below", label: "Detail lost below",
    body: "detail_limit", fallback: 0.6 },
  { key: "blocking", digits: 2, bad: "above", words: "blocky above", label: "Blocky above",
    body: "blocking_limit", moreThan: 1, fallback: 1.75 },
  { key: "spread", digits: 1, bad: "below", words: "blank below", label: "Blank below",
    body: "blank_spread_limit", fallback: 4.0 },
  { key: "view_shift", digits: 3, bad: "above", words: "moved above", label: "View moved above",
    body: "view_shift_limit", fallback: 0.03 },
];
// Within this factor of its limit a measure is near it: an issue, once raised, clears only
// past this margin (CLEAR_MARGIN in monitor/quality/verdict.py).
const NEAR = 1.1;

/** past: flagged side of the limit; near: within the margin on the good side; clear. */
function standing(value, limit, bad) {
  if (value == null || limit == null) return "";
  const [worse, margin] = bad === "above" ? [value > limit, value * NEAR > limit] : [value < limit, value < limit * NEAR];
  if (worse) return "past";
  return margin ? "near" : "clear";
}

export class PictureReading {
  /** `root` holds #picture-state (the status line) and #picture-measures with a
   * #picture-KEY value and #picture-KEY-range limit per measure. */
  constructor(root) {
    this.$ = (id) => root.querySelector(`#${id}`);
  }

  /** Shows the picture behind `reading` (a site's `latest`; null before the first), judged
   * by `limits` (the site's `setup.picture_limits`). */
  show(reading, limits) {
    const quality = reading?.image_quality ?? null;
    const warning = pictureWarning(quality);
    let state = "";
    let text = "";
    if (reading && !quality) [state, text] = ["unassessed", "Picture: not assessed"];
    else if (warning) [state, text] = ["poor", warning.text];
    else if (quality) [state, text] = ["good", "Picture: good"];

    const line = this.$("picture-state");
    line.dataset.state = state;
    line.dataset.issues = warning ? warning.issues.join(" ") : "";
    line.dataset.severity = warning?.severity ?? "";
    // A reading comes every poll; rewriting the same words would have screen readers
    // announce this status again each time.
    if (line.textContent !== text) line.textContent = text;

    // The measures change with every reading, so they stay out of the status line: a
    // screen reader reads them on demand, not on each poll.
    this.$("picture-measures").hidden = !quality;
    for (const m of MEASURES) {
      const node = this.$(`picture-${m.key}`);
      const value = quality?.[m.key];
      const limit = limits?.[m.key];
      node.textContent = fmtNum(value, m.digits);
      node.dataset.value = value == null ? "" : String(value);
      node.dataset.limit = limit == null ? "" : String(limit);
      node.dataset.range = standing(value, limit, m.bad);
      this.$(`picture-${m.key}-range`).textContent = limit == null ? "" : `${m.words} ${fmtNum(limit, m.digits)}`;
    }
  }
}
