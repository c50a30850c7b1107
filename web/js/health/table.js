// The camera-health table: one row per site, the worst picture first.

import { healthRow } from "./row.js";

/** How much of the span a site's camera gave no usable picture (poor, offline or none), 0–1.
 * The monitor's own downtime is every site's alike, so it does not rank them. */
export function badShare(site, span) {
  const t = site.times;
  return span > 0 ? (t.poor_s + t.offline_s + t.dark_s) / span : 0;
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
