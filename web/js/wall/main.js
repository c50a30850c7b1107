// The camera wall (wall.html): every site's live frame with its density heat, count and
// level, the sites that need eyes first at the top. Made for a command center's big screen,
// where the live map shows one site at a time. A tile opens that site on the live map.

import { signInPage } from "../auth.js";
import {
  alertColor,
  alertRank,
  el,
  fmtAge,
  fmtNum,
  levelColor,
  readingStale,
  textOn,
  turbulenceAlertOn,
} from "../util.js";
import { LiveSocket } from "../ws.js";
import { renderServerClock } from "../clock_view.js";
import { orderKey, urgencyOrder } from "../urgency.js";
import { liveMotion, motionText } from "../motion.js";

const $ = (id) => document.getElementById(id);
// How often a visible tile may fetch a newer frame: a wall of twenty cameras at 1 Hz is
// about a megabyte a second of JPEG, for frames a person glances at.
const REFRESH_MS = 2000;
const LABELS = { connecting: "Connecting…", live: "Live", reconnecting: "Reconnecting", offline: "Offline" };

const sites = new Map(); // id → SitePublic, kept current by the feed
const openAlerts = new Map(); // alert id → its AlertPublic, while not resolved
const tiles = new Map(); // site id → {root, image, ..., visible, loading, shownSeq}
let shownOrder = "";
let observer;

function showError(err) {
  const box = $("wall-error");
  box.textContent = err?.message || String(err);
  box.hidden = false;
}

function setConnection(stateName, detail) {
  const node = $("connection-status");
  node.dataset.state = stateName;
  node.textContent = stateName === "reconnecting" && detail ? `Reconnecting · ${detail}` : LABELS[stateName] ?? stateName;
}

/** The site's most severe alert not yet resolved (by the peak level it reached), or null. */
function worstOpenAlert(site) {
  let worst = null;
  for (const alert of openAlerts.values()) {
    if (alert.site_id !== site.id) continue;
    const severity = (a) => alertRank(site, a, a.peak_level);
    if (!worst || severity(alert) > severity(worst)) {
      worst = alert;
    }
  }
  return worst;
}

function makeTile(site) {
  const image = el("img", { alt: `${site.name_en}: latest frame`, "data-testid": `wall-image-${site.id}` });
  image.hidden = true; // until it has a frame: no broken-image icon on a dead camera
  const name = el("span", { class: "wall-name", text: site.name_en });
  const count = el("span", { class: "wall-count", "data-testid": `wall-count-${site.id}` });
  const density = el("span", { class: "wall-density", "data-testid": `wall-density-${site.id}` });
  const level = el("span", { class: "wall-level", "data-testid": `wall-level-${site.id}` });
  const reason = el("span", { class: "wall-reason", "data-testid": `wall-reason-${site.id}` });
  const age = el("span", { class: "wall-age", "data-testid": `wall-age-${site.id}` });
  const turbulence = el("span", { class: "wall-turbulence", "data-testid": `wall-turbulent-${site.id}`, hidden: true, text: "≋ turbulent" });
  const root = el(
    "a",
    { class: "wall-tile", href: `/#${encodeURIComponent(site.id)}`, "data-testid": `wall-tile-${site.id}`, "data-site-id": site.id, title: `Open ${site.name_en} on the live map` },
    image,
    reason,
    age,
    turbulence,
    el("span", { class: "wall-caption" }, name, count, density, level),
  );
  const tile = { root, image, name, count, density, level, reason, age, turbulence, visible: false, loading: false, shownSeq: null };
  observer.observe(root);
  return tile;
}

function renderTile(site) {
  const tile = tiles.get(site.id);
  const r = site.latest;
  const color = levelColor(site.thresholds, site.level);
  const root = tile.root;
  root.dataset.status = site.status;
  root.dataset.level = site.level ?? "normal";
  // Framed while an alert is open, in the colour of the worst level it reached: the crowd
  // may be back to normal while nobody has dealt with the alert yet.
  const open = worstOpenAlert(site);
  root.dataset.alerting = String(Boolean(open));
  root.style.setProperty("--tile-level", open ? alertColor(site, open, open.peak_level) : color);
  tile.name.textContent = site.name_en;
  const people = r ? Math.round(r.count) : null;
  tile.count.textContent = people == null ? "–" : `${people} ${people === 1 ? "person" : "people"}`;
  tile.density.textContent = r ? `peak ${fmtNum(r.peak_density, 1)}/m²` : "";
  tile.level.textContent = site.level ?? "normal";
  tile.level.style.background = color;
  tile.level.style.color = textOn(color);
  tile.level.hidden = site.status === "offline"; // no level without a picture
  let reason = "";
  if (site.status === "offline") reason = `Camera offline${site.status_reason ? `: ${site.status_reason}` : ""}`;
  else if (site.status === "starting") reason = "Connecting to the camera…";
  else if (readingStale(r)) reason = "No new picture";
  tile.reason.textContent = reason;
  tile.reason.hidden = !reason;
  tile.age.textContent = r && readingStale(r) ? fmtAge(r.analysed_at) : "";
  const motion = liveMotion(site, r);
  tile.turbulence.hidden = !motion?.turbulent;
  tile.turbulence.title = motion?.turbulent ? motionText(motion).title : "";
}

function renderSummary() {
  const all = [...sites.values()];
  const withAlerts = all.filter((s) => worstOpenAlert(s)).length;
  const down = all.filter((s) => s.status !== "online").length;
  $("wall-summary").textContent = `${all.length} sites · ${withAlerts} with open alerts · ${down} without a picture`;
}

/** Puts the tiles in wall order when what the order depends on has changed. */
function arrange(force = false) {
  const turbulent = (site) => turbulenceAlertOn(site, openAlerts.values());
  const ordered = urgencyOrder([...sites.values()], turbulent);
  const key = ordered.map((s) => `${s.id}=${orderKey(s, turbulent)}`).join(",");
  if (!force && key === shownOrder) return;
  shownOrder = key;
  $("wall").replaceChildren(...ordered.map((s) => tiles.get(s.id).root));
}

function refreshImages() {
  for (const [id, tile] of tiles) {
    const seq = sites.get(id)?.latest?.seq;
    if (!tile.visible || tile.loading || seq == null || seq === tile.shownSeq) continue;
    tile.loading = true;
    // Loaded aside, then swapped in: the tile never flashes empty.
    const next = new Image();
    next.onload = () => {
      tile.image.src = next.src;
      tile.image.hidden = false;
      tile.shownSeq = seq;
      tile.root.dataset.seq = String(seq);
      tile.loading = false;
    };
    next.onerror = () => {
      tile.loading = false;
    };
    next.src = `/api/sites/${encodeURIComponent(id)}/snapshot.jpg?overlay=true&seq=${seq}`;
  }
}

function onSnapshot(payload) {
  sites.clear();
  openAlerts.clear();
  for (const site of payload.sites) sites.set(site.id, site);
  for (const alert of payload.open_alerts ?? []) openAlerts.set(alert.id, alert);
  for (const [id, tile] of tiles) {
    if (!sites.has(id)) {
      observer.unobserve(tile.root);
      tiles.delete(id);
    }
  }
  for (const site of sites.values()) {
    if (!tiles.has(site.id)) tiles.set(site.id, makeTile(site));
    renderTile(site);
  }
  arrange(true);
  renderSummary();
  refreshImages();
  document.body.dataset.ready = "true";
}

const handlers = {
  reading(msg) {
    const site = sites.get(msg.site_id);
    if (!site) return;
    site.latest = msg.payload;
    site.level = msg.payload.level;
    renderTile(site);
    arrange();
  },
  site_status(msg) {
    const site = sites.get(msg.site_id);
    if (!site) return;
    site.status = msg.payload.status;
    site.status_reason = msg.payload.reason ?? "";
    renderTile(site);
    arrange();
    renderSummary();
  },
  alert(msg) {
    const { alert } = msg.payload;
    if (alert.state === "resolved") openAlerts.delete(alert.id);
    else openAlerts.set(alert.id, alert);
    const site = sites.get(alert.site_id);
    if (site) renderTile(site);
    arrange(); // a turbulence alert raised or calm again moves its site
    renderSummary();
  },
  site_config(msg) {
    const updated = msg.payload.site;
    const old = sites.get(updated.id);
    if (!old) return;
    const site = { ...updated, latest: updated.latest ?? old.latest };
    sites.set(site.id, site);
    renderTile(site);
    arrange();
  },
  thresholds(msg) {
    const site = sites.get(msg.site_id);
    if (!site) return;
    site.thresholds = msg.payload.thresholds;
    renderTile(site);
    arrange();
  },
};

async function main() {
  await signInPage({ hint: "Sign in to watch the cameras." });
  observer = new IntersectionObserver((entries) => {
    for (const entry of entries) {
      const tile = tiles.get(entry.target.dataset.siteId);
      if (tile) tile.visible = entry.isIntersecting;
    }
    refreshImages();
  });
  const socket = new LiveSocket({
    onSnapshot,
    onEvent: (msg) => handlers[msg.type]?.(msg),
    onState: setConnection,
  });
  socket.start();
  const clock = () => renderServerClock($("clock"));
  clock();
  setInterval(clock, 1000);
  setInterval(() => {
    refreshImages();
    // Ages and "no new picture" move on without events.
    for (const site of sites.values()) renderTile(site);
  }, REFRESH_MS);
}

main().catch(showError);
