// The map beside the snapshot: where calibration points are clicked, and where the
// camera's field of view and region are drawn once the site is calibrated.

const L = window.L;

export class GroundMap {
  constructor(container, config, site, { onMapPoint }) {
    this.map = L.map(container, { center: [site.lat, site.lon], zoom: 19, maxZoom: 22 });
    if (config.tile_url) {
      L.tileLayer(config.tile_url, {
        attribution: config.tile_attribution || "",
        maxZoom: 22,
        maxNativeZoom: 19,
      }).addTo(this.map);
    }
    L.control.scale({ imperial: false }).addTo(this.map);
    this.site = L.circleMarker([site.lat, site.lon], {
      radius: 5,
      color: "#38bdf8",
      weight: 2,
      fillOpacity: 0.6,
    })
      .bindTooltip("Site location: ground metres are measured from here")
      .addTo(this.map);
    this.fov = L.polygon([], { color: "#38bdf8", weight: 1, dashArray: "4 3", fillOpacity: 0.08 }).addTo(this.map);
    this.roi = L.polygon([], { color: "#a3e635", weight: 2, fillOpacity: 0.15 }).addTo(this.map);
    this.points = L.layerGroup().addTo(this.map);
    this.map.on("click", (ev) => onMapPoint([round7(ev.latlng.lat), round7(ev.latlng.lng)]));
    this.fovCount = 0;
    container.dataset.fovPoints = "0";
  }

  /** Draws the view and region ([lat, lon] lists; empty hides them). */
  setView(fieldOfView, roiLatLon) {
    this.fov.setLatLngs(fieldOfView);
    this.roi.setLatLngs(roiLatLon);
    this.map.getContainer().dataset.fovPoints = String(fieldOfView.length);
    if (fieldOfView.length) this.map.fitBounds(this.fov.getBounds(), { maxZoom: 20, padding: [20, 20] });
  }

  setPairs(pairs) {
    this.points.clearLayers();
    pairs.forEach((pair, i) => {
      if (!pair.lat_lon) return;
      L.circleMarker(pair.lat_lon, { radius: 6, color: "#f59e0b", weight: 2, fillOpacity: 0.7 })
        .bindTooltip(String(i + 1), { permanent: true, direction: "right", className: "pair-label" })
        .addTo(this.points);
    });
  }

  invalidate() {
    this.map.invalidateSize();
  }
}

const round7 = (v) => Math.round(v * 1e7) / 1e7;
