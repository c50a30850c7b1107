// Which response platform to send: the nearest first, and not one already out at another
// alert. A dispatcher under pressure should not have to work out distances from a list in
// config order, nor send the team that is already holding a crossing elsewhere.

const EARTH_RADIUS_M = 6_371_000;
const rad = (deg) => (deg * Math.PI) / 180;

/** Great-circle metres between two [lat, lon] points. */
export function distanceM([lat1, lon1], [lat2, lon2]) {
  const dLat = rad(lat2 - lat1);
  const dLon = rad(lon2 - lon1);
  const h = Math.sin(dLat / 2) ** 2 + Math.cos(rad(lat1)) * Math.cos(rad(lat2)) * Math.sin(dLon / 2) ** 2;
  return 2 * EARTH_RADIUS_M * Math.asin(Math.min(1, Math.sqrt(h)));
}

/** "350 m", "1.2 km" */
export function fmtDistance(m) {
  return m < 1000 ? `${Math.round(m / 10) * 10} m` : `${(m / 1000).toFixed(1)} km`;
}

/**
 * The platforms to offer for `alert`, nearest to its site first (config order when the
 * site's place is unknown): [{platform, distanceM, busyWith}], where busyWith is the
 * other alert the platform is dispatched to (not yet resolved), or null.
 */
export function platformChoices(platforms, alert, site, alerts) {
  const busy = new Map();
  for (const other of alerts) {
    const out = other.state === "dispatched" || other.state === "arrived";
    if (out && other.platform_id && other.id !== alert.id) busy.set(other.platform_id, other);
  }
  const here = site?.lat != null && site?.lon != null ? [site.lat, site.lon] : null;
  return platforms
    .map((platform, index) => ({
      platform,
      index,
      distanceM: here ? distanceM(here, [platform.lat, platform.lon]) : null,
      busyWith: busy.get(platform.id) ?? null,
    }))
    .sort((a, b) => (a.distanceM ?? 0) - (b.distanceM ?? 0) || a.index - b.index)
    .map(({ index, ...choice }) => choice);
}

/** The choice to preselect: the nearest free platform, else the nearest. */
export function suggested(choices) {
  return (choices.find((c) => !c.busyWith) ?? choices[0])?.platform.id ?? null;
}
