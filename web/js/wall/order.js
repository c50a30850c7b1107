// The wall's order: what needs eyes first. Sites at an alert level (the most severe first,
// then the most people), then sites whose camera is not giving a picture, then the rest by
// name. Re-sorted only when a level or status changes, so tiles do not jump with every count.

/** How severe a site's level is: -1 for normal, else its index among the site's levels. */
export function levelRank(site) {
  if (!site.level || site.level === "normal") return -1;
  return site.thresholds?.levels?.findIndex((l) => l.name === site.level) ?? -1;
}

const GROUP = { alerting: 0, down: 1, fine: 2 };

function group(site) {
  if (levelRank(site) >= 0) return GROUP.alerting;
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
      levelRank(b) - levelRank(a) ||
      people(b) - people(a) ||
      a.name_en.localeCompare(b.name_en),
  );
}

/** What the order depends on: the wall re-sorts when this changes. */
export function orderKey(site) {
  return `${group(site)}:${levelRank(site)}`;
}
