// Response platforms on the map: a marker per platform, labelled with its arrival tier.

import { request } from "../api.js";

export const TIER_COLORS = { 1: "#2563eb", 3: "#7c3aed", 5: "#0f766e" };

// Platforms stand at the crossings they guard: drawn under the sites' markers (Leaflet's
// overlay pane is 400), so one never hides a site's level, ring or alert pulse.
const PANE = "platforms";
const PANE_Z_INDEX = "350";

export async function getPlatforms() {
  const data = await request("GET", "/api/platforms");
  return Array.isArray(data) ? data : [];
}

/** Adds the platforms to a Leaflet map; returns the layer group. */
export function addPlatformLayer(leafletMap, platforms) {
  if (!leafletMap.getPane(PANE)) leafletMap.createPane(PANE).style.zIndex = PANE_Z_INDEX;
  const layer = L.layerGroup();
  for (const p of platforms) {
    const color = TIER_COLORS[p.tier_minutes] ?? "#334155";
    const marker = L.marker([p.lat, p.lon], {
      pane: PANE,
      icon: L.divIcon({
        className: "platform-marker",
        html:
          `<span class="platform-pin" data-testid="platform-marker-${encodeURIComponent(p.id)}" ` +
          `data-tier="${p.tier_minutes}" style="--tier:${color}">${p.tier_minutes}′</span>`,
        iconSize: [26, 26],
        iconAnchor: [13, 13],
      }),
      keyboard: false,
      title: `${p.name} · ${p.tier_minutes} min`,
    });
    marker.bindTooltip(`${p.name}<br>arrival target ${p.tier_minutes} min`, { direction: "top" });
    layer.addLayer(marker);
  }
  layer.addTo(leafletMap);
  return layer;
}
