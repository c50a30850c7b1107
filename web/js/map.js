// The Leaflet map: one circle marker per site, coloured by its alert level.

import { liveTrend, trendText } from "./trend.js";
import { liveMotion } from "./motion.js";
import {
  NORMAL_COLOR,
  OFFLINE_COLOR,
  TURBULENT_COLOR,
  cap,
  el,
  levelColor,
  levelRank,
  pictureIssues,
  pictureWarning,
} from "./util.js";

const L = window.L;

function markerStyle(site, selected) {
  const offline = site.status === "offline";
  const starting = site.status === "starting";
  const levelIndex = levelRank(site.thresholds, site.level) + 1;
  // A turbulence alert rings the marker in solid red whatever its density level: the fill
  // still says how full the crowd is, the ring that it is being pushed about.
  const turbulenceAlert = Boolean(site.turbulence_alert);
  return {
    radius: 10 + Math.min(levelIndex, 4) * 2,
    color: turbulenceAlert ? TURBULENT_COLOR : selected ? "#ffffff" : offline ? "#cbd5e1" : "#0b0f14",
    weight: turbulenceAlert ? (selected ? 5 : 4) : selected ? 3 : 2,
    opacity: 1,
    dashArray: offline ? "4 3" : null,
    fillColor: offline ? OFFLINE_COLOR : site.level_color || NORMAL_COLOR,
    fillOpacity: offline ? 0.45 : starting ? 0.5 : 0.9,
  };
}

/** A calibrated site's counted ground on the map, filled with its level's colour, the more
 * opaque the denser its crowd (mean persons/m², in steps of 0.5 so a flickering count does
 * not restyle it on every reading). Null for a site without a ground calibration. */
export function footprintStyle(site) {
  if (!(site.setup?.roi_lat_lon?.length >= 3)) return null;
  const offline = site.status === "offline";
  const density = offline ? 0 : Math.round((site.latest?.mean_density ?? 0) * 2) / 2;
  return {
    density,
    style: {
      color: offline ? OFFLINE_COLOR : site.level_color || NORMAL_COLOR,
      weight: 1,
      dashArray: offline ? "4 3" : null,
      fillColor: offline ? OFFLINE_COLOR : site.level_color || NORMAL_COLOR,
      // 2/m² is busy, 4/m² congested, 5/m² and more dangerous: opaque by 5.
      fillOpacity: 0.12 + 0.6 * Math.min(density / 5, 1),
    },
  };
}

/** The trend for the marker's tooltip: the next level's time when one is projected, else
 * just the direction, so that the tooltip is not rebuilt with every change of the rate. */
export function markerTrend(site) {
  const shown = trendText(liveTrend(site, site.latest), site.thresholds?.metric);
  if (!shown) return "";
  return `${shown.arrow} ${shown.urgency ? shown.text : site.latest.trend.direction}`;
}

/** Whether the site's crowd is turbulent now (see liveMotion). */
function turbulent(site) {
  return Boolean(liveMotion(site, site.latest)?.turbulent);
}

function tooltipHtml(site) {
  const trend = markerTrend(site);
  const picture = pictureWarning(site.latest?.image_quality);
  // Through el(), which skips the nulls: append() would print them as "null".
  return el(
    "div",
    { class: "site-tip" },
    el("strong", { text: site.name_en }),
    site.name_zh ? el("span", { class: "zh", lang: "zh-CN", text: ` ${site.name_zh}` }) : null,
    el("br"),
    el("span", { text: `Status: ${cap(site.status)}` }),
    site.status === "offline" || site.status_reason
      ? el("span", { class: "reason", text: ` — ${site.status_reason || "no reason given"}` })
      : null,
    el("br"),
    el("span", { text: `Level: ${cap(site.level)}` }),
    trend ? el("span", { class: "trend", text: ` · ${trend}` }) : null,
    site.turbulence_alert || turbulent(site) ? el("br") : null,
    site.turbulence_alert
      ? el("strong", { class: "turbulence", text: turbulent(site) ? "≋ Turbulence alert: turbulent now" : "≋ Turbulence alert" })
      : turbulent(site)
        ? el("strong", { class: "turbulence", text: "≋ Crowd turbulence" })
        : null,
    site.location_approximate ? el("br") : null,
    site.location_approximate ? el("em", { text: "Location approximate" }) : null,
    picture ? el("br") : null,
    picture ? el("span", { class: "picture", "data-severity": picture.severity, text: picture.text }) : null,
  );
}

export class SiteMap {
  constructor(container, config, { onSelect }) {
    this.onSelect = onSelect;
    this.markers = new Map(); // site id → {circle, label, footprint, key}
    this.selected = null;
    this.map = L.map(container, {
      center: config.center ?? [28.1941, 112.9723],
      zoom: config.zoom ?? 14,
      zoomControl: true,
      attributionControl: true,
      preferCanvas: false,
    });
    this.map.attributionControl.setPrefix(false);
    if (config.tile_url) {
      L.tileLayer(config.tile_url, {
        attribution: config.tile_attribution || "",
        maxZoom: 19,
      }).addTo(this.map);
    } else {
      container.classList.add("no-tiles");
      if (config.tile_attribution) this.map.attributionControl.addAttribution(config.tile_attribution);
    }
    L.control.scale({ imperial: false }).addTo(this.map);
    this.fitted = false;
  }

  /** Replaces every marker (snapshot). */
  setSites(sites) {
    for (const { circle, label, footprint } of this.markers.values()) {
      circle.remove();
      label.remove();
      footprint?.remove();
    }
    this.markers.clear();
    for (const site of sites) this.addSite(site);
    if (!this.fitted && sites.length) {
      this.fitted = true;
      const bounds = L.latLngBounds(sites.map((s) => [s.lat, s.lon]));
      if (!this.map.getBounds().contains(bounds)) {
        this.map.fitBounds(bounds, { padding: [60, 60], maxZoom: this.map.getZoom() });
      }
    }
  }

  addSite(site) {
    const circle = L.circleMarker([site.lat, site.lon], {
      ...markerStyle(site, site.id === this.selected),
      className: `site-marker site-marker-${site.id}`,
      bubblingMouseEvents: false,
    });
    circle.bindTooltip(tooltipHtml(site), {
      direction: "top",
      offset: [0, -10],
      className: "site-tooltip",
    });
    circle.on("click", () => this.onSelect(site.id));
    circle.addTo(this.map);
    const label = L.marker([site.lat, site.lon], {
      icon: L.divIcon({
        className: "site-label",
        html: "",
        iconSize: null,
        iconAnchor: [-16, 10],
      }),
      keyboard: false,
      riseOnHover: true,
    });
    label.on("click", () => this.onSelect(site.id));
    label.addTo(this.map);
    const entry = { circle, label, footprint: null, key: "" };
    this.markers.set(site.id, entry);
    this.applySite(site, entry, true);
  }

  /** Restyles a site's marker when its level, status or selection changed. */
  updateSite(site) {
    const entry = this.markers.get(site.id);
    if (!entry) {
      this.addSite(site);
      return;
    }
    this.applySite(site, entry, false);
  }

  applySite(site, entry, force) {
    const selected = site.id === this.selected;
    const footprint = footprintStyle(site);
    const key = [
      site.level, site.level_color, site.status, site.status_reason, selected, site.alerting, site.turbulence_alert,
      site.lat, site.lon, site.name_en, site.name_zh, pictureIssues(site), markerTrend(site),
      turbulent(site),
      JSON.stringify(site.setup?.roi_lat_lon ?? []), footprint?.density,
    ].join("|");
    if (!force && key === entry.key) return;
    this.applyFootprint(site, entry, footprint);
    const at = entry.circle.getLatLng();
    if (at.lat !== site.lat || at.lng !== site.lon) {
      entry.circle.setLatLng([site.lat, site.lon]);
      entry.label.setLatLng([site.lat, site.lon]);
    }
    entry.key = key;
    entry.circle.setStyle(markerStyle(site, selected));
    entry.circle.setTooltipContent(tooltipHtml(site));
    const path = entry.circle.getElement();
    if (path) {
      path.setAttribute("data-testid", `site-marker-${site.id}`);
      path.setAttribute("data-level", site.level);
      path.setAttribute("data-status", site.status);
      path.setAttribute("data-color", site.status === "offline" ? OFFLINE_COLOR : site.level_color);
      path.setAttribute("data-picture-issues", pictureIssues(site));
      path.classList.toggle("offline", site.status === "offline");
      path.classList.toggle("alerting", Boolean(site.alerting));
      path.classList.toggle("turbulent", turbulent(site));
      path.setAttribute("data-turbulent", String(turbulent(site)));
      path.classList.toggle("turbulence-alert", Boolean(site.turbulence_alert));
      path.setAttribute("data-turbulence-alert", String(Boolean(site.turbulence_alert)));
      path.classList.toggle("selected", selected);
    }
    if (selected) entry.circle.bringToFront();
    const labelEl = entry.label.getElement();
    const html =
      `<span class="en"></span><span class="zh" lang="zh-CN"></span>`;
    if (labelEl) {
      if (!labelEl.firstChild) labelEl.innerHTML = html;
      labelEl.querySelector(".en").textContent = site.name_en + (site.location_approximate ? " ≈" : "");
      labelEl.querySelector(".zh").textContent = site.name_zh || "";
      labelEl.classList.toggle("offline", site.status === "offline");
      labelEl.classList.toggle("selected", selected);
      labelEl.setAttribute("data-testid", `site-label-${site.id}`);
    }
  }

  applyFootprint(site, entry, footprint) {
    if (!footprint) {
      entry.footprint?.remove();
      entry.footprint = null;
      return;
    }
    if (!entry.footprint) {
      entry.footprint = L.polygon(site.setup.roi_lat_lon, { ...footprint.style, bubblingMouseEvents: false });
      entry.footprint.on("click", () => this.onSelect(site.id));
      entry.footprint.addTo(this.map);
      entry.footprint.bringToBack();
    } else {
      entry.footprint.setLatLngs(site.setup.roi_lat_lon);
      entry.footprint.setStyle(footprint.style);
    }
    const path = entry.footprint.getElement();
    if (path) {
      path.setAttribute("data-testid", `site-footprint-${site.id}`);
      path.setAttribute("data-density", String(footprint.density));
      path.setAttribute("data-color", footprint.style.fillColor);
    }
  }

  select(siteId, sites) {
    const previous = this.selected;
    this.selected = siteId;
    for (const id of [previous, siteId]) {
      const site = id && sites.get(id);
      if (site) this.updateSite(site);
    }
    const site = siteId && sites.get(siteId);
    if (site && !this.map.getBounds().pad(-0.1).contains([site.lat, site.lon])) {
      this.map.panTo([site.lat, site.lon]);
    }
  }

  invalidate() {
    this.map.invalidateSize();
  }
}

/** The legend: normal, every level used by some site (first colour wins), offline, and the
 * two turbulence rings once some site measures its crowd's motion. */
export function renderLegend(container, sites) {
  const seen = new Map([["normal", NORMAL_COLOR]]);
  for (const site of sites) {
    for (const level of site.thresholds?.levels ?? []) {
      if (!seen.has(level.name)) seen.set(level.name, level.color);
    }
  }
  container.replaceChildren(
    ...[...seen].map(([name, color]) =>
      el("span", { class: "legend-item" }, el("i", { style: `background:${color}` }), cap(name)),
    ),
    el("span", { class: "legend-item" }, el("i", { class: "offline" }), "Offline"),
    ...(sites.some((s) => s.setup?.motion?.enabled)
      ? [
          el("span", { class: "legend-item" }, el("i", { class: "turbulent" }), "Turbulent"),
          el("span", { class: "legend-item" }, el("i", { class: "turbulence-alert" }), "Turbulence alert"),
        ]
      : []),
  );
}
