// The span the report covers: the last N hours, picked with a row of buttons (and ?hours=N).

import { el } from "../util.js";

export const SPANS_H = [6, 24, 168];
export const DEFAULT_HOURS = 24;

/** "Last 6 h", "Last 24 h", "Last 7 days". */
export function spanLabel(hours) {
  return hours >= 48 && hours % 24 === 0 ? `Last ${hours / 24} days` : `Last ${hours} h`;
}

/** The hours asked for in the page's query (?hours=N); the default when absent or not a number. */
export function hoursFromQuery(search) {
  const hours = Number(new URLSearchParams(search).get("hours"));
  return Number.isFinite(hours) && hours > 0 ? hours : DEFAULT_HOURS;
}

export class SpanPicker {
  /** Buttons for the usual spans (and `hours`, when it is not one of them); `onPick(hours)`. */
  constructor(root, hours, onPick) {
    this.root = root;
    this.hours = hours;
    const choices = SPANS_H.includes(hours) ? SPANS_H : [...SPANS_H, hours].sort((a, b) => a - b);
    this.buttons = choices.map((h) =>
      el("button", {
        type: "button",
        class: "span-button",
        "data-testid": `health-span-${h}`,
        "data-hours": h,
        text: spanLabel(h),
        onclick: () => this.pick(h, onPick),
      }),
    );
    root.replaceChildren(...this.buttons);
    this.mark();
  }

  pick(hours, onPick) {
    this.hours = hours;
    this.mark();
    const query = new URLSearchParams(location.search);
    query.set("hours", String(hours));
    history.replaceState(null, "", `?${query}`);
    onPick(hours);
  }

  mark() {
    for (const b of this.buttons) b.setAttribute("aria-pressed", String(Number(b.dataset.hours) === this.hours));
  }
}
