// The wall's order: what needs eyes first. Sites at an alert level (the most severe first,
// then the most people), then sites whose camera is not giving a picture, then the rest by
// name. Re-sorted only when a level or status changes, so tiles do not jump with every count.

import { levelRank } from "../util.js";

/** How severe a site's level is now (util.levelRank). */
const rank = (site) => levelRank(site.thresholds, site.level);

const GROUP = { alerting: 0, down: 1, fine: 2 };

function group(site) {
  if (rank(site) >= 0) return GROUP.alerting;
  return site.status === "online" ? GROUP.fine : GROUP.down;
}

/** Among alerting sites, the fuller first; the others keep their places by name. */
function people(site) {
  return group(site) === GROUP.alerting ? site.latest?.count ?? 0 : 0;
}

/** `sites` in wall order (a new array). */
export function wallOrder(sites) {
  return [...sites].sort(
    (a, b) =>
      group(a) - group(b) ||
      rank(b) - rank(a) ||
      people(b) - people(a) ||
      a.name_en.localeCompare(b.name_en),
  );
}

/** What the order depends on: the wall re-sorts when this changes. */
export function orderKey(site) {
  return `${group(site)}:${rank(site)}`;
}
