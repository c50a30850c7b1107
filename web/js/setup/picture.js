// The picture behind the live count, for the installer at the camera: a soft focus, a
// starved bitrate, a covered lens or night grain is cheapest to fix now. The line says it as
// the live page does (one shared wording); the measures below it show how far a refocus or a
// bitrate change has moved the picture, before and after it crosses a limit.

import { fmtNum, pictureWarning } from "../util.js";

// The usual range of a good picture (monitor/config/quality.py). The site's own limits are
// not sent to the page, so these are a guide rather than the lines the site is judged by.
// `flagged`: the side of the range where the site's limit lies, the one worth marking.
const MEASURES = [
  { key: "noise", digits: 1, hint: "grainy when high" },
  { key: "detail", digits: 2, good: [0.7, 1.1], flagged: "below" },
  { key: "blocking", digits: 2, good: [1.0, 1.5], flagged: "above" },
  { key: "spread", digits: 1, hint: "blank near 0" },
];

function rangeOf(value, good) {
  if (value == null || !good) return "";
  if (value < good[0]) return "below";
  return value > good[1] ? "above" : "within";
}

export class PictureReading {
  /** `root` holds #picture-state (the status line) and #picture-measures with a
   * #picture-KEY value and #picture-KEY-range hint per measure. */
  constructor(root) {
    this.$ = (id) => root.querySelector(`#${id}`);
    for (const m of MEASURES) {
      const value = this.$(`picture-${m.key}`);
      value.dataset.flagged = m.flagged ?? "";
      this.$(`picture-${m.key}-range`).textContent = m.good
        ? `good about ${fmtNum(m.good[0], 1)}–${fmtNum(m.good[1], 1)}`
        : m.hint;
    }
  }

  /** Shows the picture behind `reading` (a site's `latest`; null before the first). */
  show(reading) {
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
      const v = quality?.[m.key];
      node.textContent = fmtNum(v, m.digits);
      node.dataset.value = v == null ? "" : String(v);
      node.dataset.range = rangeOf(v, m.good);
    }
  }
}
