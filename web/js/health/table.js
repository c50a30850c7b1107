// The camera-health table: one row per site, the worst picture first.

import { healthRow } from "./row.js";

/** How much of the span a site had no usable picture (poor or none), 0–1. */
export function badShare(site, span) {
  return span > 0 ? (site.times.poor_s + site.times.dark_s) / span : 0;
}

/** The report's sites, worst first; equal ones keep the report's order (sort is stable). */
export function worstFirst(sites, span) {
  return sites
    .map((site, index) => ({ site, index, bad: badShare(site, span) }))
    .sort((a, b) => b.bad - a.bad || a.index - b.index)
    .map((entry) => entry.site);
}

/** Fills `table` (its tbody) from a report covering the last `hours`, called `spanWords`. */
export function renderTable(table, report, hours, spanWords) {
  const span = report.until - report.since;
  const rows = worstFirst(report.sites, span).map((site) => healthRow(site, span, spanWords));
  table.tBodies[0].replaceChildren(...rows);
  Object.assign(table.dataset, {
    hours: String(hours),
    since: String(report.since),
    until: String(report.until),
    state: "ready",
  });
}
