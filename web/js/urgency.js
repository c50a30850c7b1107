// What needs eyes first: the camera wall's order, and the live page's site list when the
// operator asks for it. Sites at an alert level (a turbulent crowd first, then the most
// severe density level, then the most people), then sites whose camera is not giving a
// picture, then the rest by name. Re-sorted only when a level or status changes (orderKey),
// so tiles and rows do not jump with every count.

import { levelRank, turbulenceRank } from "./util.js";

/** How severe a site is now: a turbulence alert on ranks above its density levels
 * (util.alertRank), else its density level's rank (util.levelRank). */
function rank(site, turbulent) {
  if (turbulent(site)) return turbulenceRank(site);
  return levelRank(site.thresholds, site.level);
}

const GROUP = { alerting: 0, down: 1, fine: 2 };

function group(site, turbulent) {
  if (rank(site, turbulent) >= 0) return GROUP.alerting;
  return site.status === "online" ? GROUP.fine : GROUP.down;
}

/** Among alerting sites, the fuller first; the others keep their places by name. */
function people(site, turbulent) {
  return group(site, turbulent) === GROUP.alerting ? site.latest?.count ?? 0 : 0;
}

const NONE = () => false;

/** `sites` most urgent first (a new array); `turbulent(site)`: whether a turbulence alert of
 * the site's is on (its crowd not yet calm again). */
export function urgencyOrder(sites, turbulent = NONE) {
  return [...sites].sort(
    (a, b) =>
      group(a, turbulent) - group(b, turbulent) ||
      rank(b, turbulent) - rank(a, turbulent) ||
      people(b, turbulent) - people(a, turbulent) ||
      a.name_en.localeCompare(b.name_en),
  );
}

/** What the order depends on: re-sort when this changes. */
export function orderKey(site, turbulent = NONE) {
  return `${group(site, turbulent)}:${rank(site, turbulent)}`;
}
