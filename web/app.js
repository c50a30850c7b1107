// Crowd Monitor live page: wires the map, site list, alert feed, site panel and chart to
// the websocket (live updates) and the REST API (configuration, history, actions).

import {
  ApiError,
  acknowledgeAlert,
  getAlerts,
  getConfig,
  getMe,
  getReadings,
  onUnauthorized,
  request,
} from "./js/api.js";
import { LoginDialog, bindLogout, roleAtLeast } from "./js/auth.js";
import { SiteChart, WINDOW_S } from "./js/chart.js";
import { AlertFeed } from "./js/feed.js";
import { SiteMap, renderLegend } from "./js/map.js";
import { SitePanel } from "./js/panel.js";
import { renderFaults, renderWebhookFaults } from "./js/faults.js";
import { liveTrend, showTrend } from "./js/trend.js";
import { liveMotion, motionText } from "./js/motion.js";
import { urgencyOrder } from "./js/urgency.js";
import { LiveSocket } from "./js/ws.js";
import { renderServerClock } from "./js/clock_view.js";
import { serverNow } from "./js/server_clock.js";
import {
  OFFLINE_COLOR,
  cap,
  el,
  fmtNum,
  fmtTime,
  levelColor,
  pictureIssues,
  pictureWarning,
  readingStale,
  turbulenceAlertOn,
} from "./js/util.js";
import { OverdueAlarm } from "./js/response/alarm.js";
import { ResponseControls } from "./js/response/controls.js";
import { addPlatformLayer, getPlatforms } from "./js/response/platforms.js";

const $ = (id) => document.getElementById(id);

const state = {
  user: null, // {name, role}
  accounts: true, // false when the server has no /api/auth
  sites: new Map(), // id → SitePublic (+ alerting, turbulence_alert: see markAlerts)
  webhooks: new Map(), // name → WebhookHealthPublic
  faultAcks: new Map(), // site id → its latest FaultAckPublic
  selected: null,
  historyToken: 0,
};

let map;
let chart;
let panel;
let feed;
let socket;

// ---------------------------------------------------------------- who is logged in

let loginDialog;

function setUser(user) {
  state.user = user ?? null;
  $("current-user").hidden = !user;
  $("user-name").textContent = user?.name ?? "";
  $("user-role").textContent = user?.role ?? "";
  $("admin-links").hidden = !(user && roleAtLeast(user.role, "admin"));
  $("webhooks-link").hidden = !(user && roleAtLeast(user.role, "supervisor"));
  $("report-link").hidden = !(user && roleAtLeast(user.role, "operator"));
  showFaults(); // who may acknowledge camera faults has changed
  feed?.refreshAll();
}

function canAcknowledge() {
  if (!state.accounts) return true;
  return Boolean(state.user && roleAtLeast(state.user.role, "operator"));
}

/** The server answered 401: the session is gone. Ask for a login, then carry on. */
function handleUnauthorized() {
  if (loginDialog.open) return;
  const hadUser = state.user != null;
  setUser(null);
  socket?.stop();
  loginDialog
    .ask(hadUser ? "Your session has ended. Sign in again." : "Sign in to see the live map.")
    .then((session) => {
      setUser(session.user);
      if (!socket) return; // still starting up: main() goes on by itself
      socket.start();
      loadAlertHistory();
      const site = state.selected && state.sites.get(state.selected);
      if (site) loadHistory(site);
    });
}

/** The logged-in user, after asking for a login if there is none. */
async function ensureUser() {
  for (let attempt = 0; ; attempt += 1) {
    try {
      return (await getMe()).user;
    } catch (err) {
      if (err instanceof ApiError && err.status === 401) return (await loginDialog.ask()).user;
      if (err instanceof ApiError && err.status === 404) {
        state.accounts = false; // a server without accounts: everyone may act
        return null;
      }
      setConnection("reconnecting", `server: ${err.message}`);
      await new Promise((r) => setTimeout(r, Math.min(10000, 1000 * 2 ** attempt)));
    }
  }
}

bindLogout($("logout-button"));

// ---------------------------------------------------------------- connection indicator

const LABELS = { connecting: "Connecting…", live: "Live", reconnecting: "Reconnecting", offline: "Offline" };

function setConnection(stateName, detail) {
  const node = $("connection-status");
  node.dataset.state = stateName;
  const text = stateName === "reconnecting" && detail ? `Reconnecting · ${detail}` : LABELS[stateName] ?? stateName;
  node.querySelector(".label").textContent = text;
  node.title = stateName === "live" ? "Receiving live updates" : "Live updates interrupted; data may be stale";
  document.body.classList.toggle("disconnected", stateName === "reconnecting" || stateName === "offline");
}

// ---------------------------------------------------------------- sites

function normalise(site) {
  site.level_color = levelColor(site.thresholds, site.level, site.level_color);
  markAlerts(site);
  return site;
}

/** Marks what the site's alerts say: `alerting` while one waits for an acknowledgement (the
 * pulse), `turbulence_alert` while a turbulence alert's crowd has not calmed (the ring).
 * True when either changed. */
function markAlerts(site) {
  const mine = feed ? feed.allAlerts().filter((a) => a.site_id === site.id) : [];
  const alerting = mine.some((a) => a.state === "open");
  const turbulenceAlert = turbulenceAlertOn(site, mine);
  const changed = alerting !== Boolean(site.alerting) || turbulenceAlert !== Boolean(site.turbulence_alert);
  site.alerting = alerting;
  site.turbulence_alert = turbulenceAlert;
  return changed;
}

function siteRow(site) {
  const row = el(
    "li",
    { class: "site-row", "data-testid": `site-row-${site.id}`, "data-site-id": site.id },
    el(
      "button",
      { type: "button", class: "site-button", onclick: () => select(site.id) },
      el("i", { class: "dot" }),
      el("span", { class: "names" }, el("span", { class: "en" }), el("span", { class: "zh", lang: "zh-CN" })),
      el(
        "span",
        { class: "nums" },
        el("span", { class: "level" }),
        el(
          "span",
          { class: "count-line" },
          el("span", {
            class: "picture-flag",
            role: "img",
            "data-testid": `site-picture-${site.id}`,
            "data-issues": "",
            hidden: true,
            text: "⚠",
          }),
          el("span", { class: "count", "data-testid": `site-count-${site.id}`, "data-stale": "false" }),
        ),
        el("span", { class: "trend", "data-testid": `site-trend-${site.id}`, "data-direction": "", "data-urgency": "" }),
        el("span", { class: "turbulence", "data-testid": `site-turbulent-${site.id}`, hidden: true, text: "≋ turbulent" }),
      ),
    ),
  );
  return row;
}

function renderSiteRow(site) {
  let row = document.querySelector(`#site-list [data-site-id="${CSS.escape(site.id)}"]`);
  if (!row) {
    row = siteRow(site);
    $("site-list").append(row);
  }
  const offline = site.status === "offline";
  const color = offline ? OFFLINE_COLOR : site.level_color;
  row.dataset.level = site.level;
  row.dataset.status = site.status;
  row.classList.toggle("selected", site.id === state.selected);
  row.classList.toggle("offline", offline);
  row.classList.toggle("alerting", Boolean(site.alerting));
  row.style.setProperty("--lvl", color);
  row.querySelector(".en").textContent = site.name_en;
  row.querySelector(".zh").textContent = site.name_zh || "";
  row.querySelector(".level").textContent = offline ? "Offline" : site.status === "starting" ? "Starting" : cap(site.level);
  row.title = [`${site.name_en} ${site.name_zh || ""}`.trim(), offline && site.status_reason ? `Offline: ${site.status_reason}` : ""]
    .filter(Boolean)
    .join("\n");
  renderSiteCount(site, row);
}

function renderSiteCount(site, row) {
  row ??= document.querySelector(`#site-list [data-site-id="${CSS.escape(site.id)}"]`);
  if (!row) return;
  const r = site.latest;
  row.querySelector(".count").textContent = r ? `${fmtNum(r.count, 0)} ppl · ${fmtNum(r.peak_density, 1)}/m²` : "–";
  const warning = pictureWarning(r?.image_quality);
  const flag = row.querySelector(".picture-flag");
  flag.hidden = !warning;
  flag.dataset.issues = warning ? warning.issues.join(" ") : "";
  flag.dataset.severity = warning?.severity ?? "";
  // The flag is a lone symbol: its words go to the title (mouse) and the label (screen readers).
  flag.title = warning ? `${warning.text}\n${warning.title}` : "";
  if (warning) flag.setAttribute("aria-label", warning.text);
  else flag.removeAttribute("aria-label");
  renderSiteTrend(site, row);
}

/** The row's trend badge and turbulence flag: empty without them, and for an offline site. An offline site's
 * count, or one whose reading is stale, is the last one seen: dimmed, and its title says when. */
function renderSiteTrend(site, row) {
  showTrend(row.querySelector(".trend"), liveTrend(site, site.latest), site.thresholds?.metric, "short");
  const motion = liveMotion(site, site.latest);
  const turbulence = row.querySelector(".turbulence");
  // The alert outlasts the moment: it stays until the crowd is calm again (markAlerts), the
  // live flag only while the crowd is measured turbulent.
  const live = Boolean(motion?.turbulent);
  turbulence.hidden = !live && !site.turbulence_alert;
  turbulence.dataset.alert = String(Boolean(site.turbulence_alert));
  turbulence.textContent = site.turbulence_alert ? "≋ turbulence alert" : "≋ turbulent";
  turbulence.title = [site.turbulence_alert ? "A turbulence alert is open: see the alert feed" : "", live ? motionText(motion).title : ""]
    .filter(Boolean)
    .join("\n");
  const r = site.latest;
  const count = row.querySelector(".count");
  const stale = Boolean(r) && (site.status === "offline" || readingStale(r));
  if (count.dataset.stale !== String(stale)) count.dataset.stale = String(stale);
  const title = stale ? `Last reading at ${fmtTime(r.captured_at)}` : "";
  if (count.title !== title) count.title = title;
}

function renderSites() {
  const sites = [...state.sites.values()];
  $("site-list").replaceChildren();
  for (const site of sites) renderSiteRow(site);
  arrangeSiteList();
  $("site-count").textContent = String(sites.length);
  renderLegend($("map-legend"), sites);
  showFaults();
}

function refreshSite(site) {
  map.updateSite(site);
  renderSiteRow(site);
  showFaults();
  arrangeSiteList();
}

// ---------------------------------------------------------------- site list order

const ORDER_KEY = "crowd-monitor.site-order";
const ORDERS = ["setup", "urgency"]; // as the config lists them; most urgent first (urgency.js)

function siteOrder() {
  const chosen = localStorage.getItem(ORDER_KEY);
  return ORDERS.includes(chosen) ? chosen : "setup";
}

/** Puts the site list's rows in the operator's order. Called when a level, status or alert
 * changes (not with every count, so rows do not jump while being read); moves rows only when
 * the order changed. */
function arrangeSiteList() {
  const list = $("site-list");
  const sites = [...state.sites.values()];
  const order = siteOrder();
  const ordered = order === "urgency" ? urgencyOrder(sites, (site) => Boolean(site.turbulence_alert)) : sites;
  list.dataset.order = order;
  const rows = ordered.map((site) => list.querySelector(`[data-site-id="${CSS.escape(site.id)}"]`)).filter(Boolean);
  const now = [...list.children];
  if (rows.length === now.length && rows.every((row, i) => row === now[i])) return;
  list.append(...rows);
}

function bindSiteOrder() {
  const picker = $("site-order");
  picker.value = siteOrder();
  picker.addEventListener("change", () => {
    localStorage.setItem(ORDER_KEY, picker.value);
    arrangeSiteList();
  });
}

function updateAlerting(siteId) {
  const site = state.sites.get(siteId);
  if (!site) return;
  if (markAlerts(site)) refreshSite(site);
}

// ---------------------------------------------------------------- selection

function select(siteId, { reloadHistory = false } = {}) {
  const site = siteId ? state.sites.get(siteId) : null;
  const id = site ? site.id : null;
  const changed = id !== state.selected;
  state.selected = id;
  map.select(id, state.sites);
  for (const row of document.querySelectorAll("#site-list .site-row")) {
    row.classList.toggle("selected", row.dataset.siteId === id);
  }
  const hash = id ? `#${encodeURIComponent(id)}` : " ";
  if (location.hash !== hash) history.replaceState(null, "", hash === " " ? location.pathname : hash);
  if (!changed && !reloadHistory) return;
  panel.show(site);
  if (!site) return;
  chart.reset(site.thresholds, []);
  loadHistory(site);
}

async function loadHistory(site) {
  const token = ++state.historyToken;
  const msg = $("chart-msg");
  msg.hidden = true;
  try {
    const readings = await getReadings(site.id, serverNow() - WINDOW_S);
    if (token !== state.historyToken) return;
    chart.append(...readings);
  } catch (err) {
    if (token !== state.historyToken) return;
    msg.textContent = `History unavailable: ${err.message}`;
    msg.hidden = false;
  }
}

/** Recent alerts of any state, so the feed also shows what was handled before the page
 * opened. Live events already applied win (upsert keeps the newest by updated_at). */
async function loadAlertHistory() {
  try {
    const alerts = await getAlerts(50);
    for (const alert of alerts) {
      feed.upsert(alert, null);
      updateAlerting(alert.site_id);
    }
  } catch (err) {
    console.warn("alert history unavailable:", err.message);
  }
}

// ---------------------------------------------------------------- live messages

function onSnapshot(payload, { rebuild }) {
  const previous = state.sites;
  state.sites = new Map();
  for (const site of payload.sites ?? []) {
    // The snapshot is the current state; when resuming, the replayed events that follow
    // it are older and may briefly move a site back before the newest one lands.
    state.sites.set(site.id, { ...site });
  }
  if (rebuild) {
    feed.setAll(payload.open_alerts ?? []);
    loadAlertHistory();
  } else {
    for (const alert of payload.open_alerts ?? []) feed.upsert(alert, null);
  }
  feed.setTold(payload.told ?? []);
  for (const site of state.sites.values()) normalise(site);
  state.webhooks = new Map((payload.webhooks ?? []).map((hook) => [hook.name, hook]));
  state.faultAcks = new Map((payload.fault_acks ?? []).map((ack) => [ack.site_id, ack]));

  map.setSites([...state.sites.values()]);
  renderSites();
  for (const alert of payload.open_alerts ?? []) feed.refreshSite(alert.site_id);

  let wanted = state.selected;
  if (wanted == null && previous.size === 0) wanted = decodeURIComponent(location.hash.slice(1)) || null;
  if (wanted && state.sites.has(wanted)) {
    if (rebuild || wanted !== state.selected) select(wanted, { reloadHistory: true });
    else {
      panel.updateSite(state.sites.get(wanted));
      map.select(wanted, state.sites);
    }
  } else if (state.selected) {
    select(null);
  }
}

const handlers = {
  reading(msg) {
    const site = state.sites.get(msg.site_id);
    if (!site) return;
    const r = msg.payload;
    const issuesBefore = pictureIssues(site);
    site.latest = r;
    const issuesNow = pictureIssues(site);
    if (issuesNow !== issuesBefore) {
      site.picture_since = issuesNow ? r.captured_at : null;
      showFaults();
    }
    const levelChanged = site.level !== r.level;
    if (levelChanged) {
      site.level = r.level;
      site.level_color = levelColor(site.thresholds, r.level, site.level_color);
      refreshSite(site);
      if (site.id === state.selected) panel.updateSite(site);
    } else {
      renderSiteCount(site);
      // The marker's tooltip (a poor picture, the trend) and the ground footprint's shade
      // (the density, in steps) are redrawn only when they change: updateSite compares.
      map.updateSite(site);
    }
    if (site.id === state.selected) {
      panel.applyReading(site, r);
      chart.append(r);
    }
  },

  alert(msg) {
    const { alert, event } = msg.payload;
    feed.upsert(alert, event);
    updateAlerting(alert.site_id);
  },

  site_status(msg) {
    const site = state.sites.get(msg.site_id);
    if (!site) return;
    const p = msg.payload;
    const changed = site.status !== p.status || site.status_reason !== (p.reason ?? "");
    // As the server counts it: a new reason for the same status is not a new one.
    if (site.status !== p.status) site.status_since = msg.ts;
    site.status = p.status;
    site.status_reason = p.reason ?? "";
    if (changed) {
      refreshSite(site);
      if (site.id === state.selected) panel.updateSite(site);
    }
    if (site.id === state.selected) panel.setDropped(p.dropped_frames ?? 0);
  },

  site_config(msg) {
    // A site's setup changed (source, region, calibration): take its new public state.
    const updated = msg.payload.site;
    const old = state.sites.get(updated.id);
    if (!old) return;
    const site = normalise({ ...updated, latest: updated.latest ?? old.latest });
    state.sites.set(site.id, site);
    map.updateSite(site);
    renderSiteRow(site);
    renderLegend($("map-legend"), [...state.sites.values()]); // new levels, motion on or off
    feed.refreshSite(site.id);
    if (site.id === state.selected) {
      panel.updateSite(site);
      chart.setThresholds(site.thresholds);
    }
  },

  thresholds(msg) {
    const site = state.sites.get(msg.site_id);
    if (!site) return;
    site.thresholds = msg.payload.thresholds;
    site.level_color = levelColor(site.thresholds, site.level, site.level_color);
    refreshSite(site);
    renderLegend($("map-legend"), [...state.sites.values()]);
    feed.refreshSite(site.id);
    if (site.id === state.selected) {
      panel.updateSite(site);
      chart.setThresholds(site.thresholds);
    }
  },
};

handlers.alert_told = (msg) => feed.addTold(msg.payload.told);

handlers.fault_ack = (msg) => {
  state.faultAcks.set(msg.payload.ack.site_id, msg.payload.ack);
  showFaults();
};

handlers.webhook_status = (msg) => {
  const hook = msg.payload.webhook;
  state.webhooks.set(hook.name, hook);
  showFaults();
};

function onEvent(msg) {
  const handler = handlers[msg.type];
  if (handler) handler(msg);
}

// ---------------------------------------------------------------- acknowledge

async function acknowledge(alertId, note) {
  let res;
  try {
    res = await acknowledgeAlert(alertId, note);
  } catch (err) {
    if (err instanceof ApiError && err.status === 0) throw new Error("The server cannot be reached; try again.");
    if (err instanceof ApiError && err.status === 401) throw new Error("Sign in again, then acknowledge.");
    throw err;
  }
  const alert = res?.alert ?? res;
  if (alert?.id) {
    feed.upsert(alert, res?.event ?? null);
    updateAlerting(alert.site_id);
  }
}

// ---------------------------------------------------------------- start

function tick() {
  // The server's time: the one every reading, alert and fault on the page is stamped with.
  renderServerClock($("clock"));
  panel?.tick();
  showFaults();
  // A stream can stall without failing: its last trend and turbulence go once the reading is
  // stale, from the list and the marker (which restyles only when something shown changed).
  for (const site of state.sites.values()) {
    const row = document.querySelector(`#site-list [data-site-id="${CSS.escape(site.id)}"]`);
    if (row) renderSiteTrend(site, row);
    map?.updateSite(site);
  }
}

const faultsView = () => ({ list: $("fault-list"), count: $("fault-count"), empty: $("faults-empty") });

async function acknowledgeFault(siteId, fault, note, expectedBack) {
  const ack = await request("POST", `/api/sites/${encodeURIComponent(siteId)}/fault-ack`, {
    body: { kind: fault.kind, since: fault.since, note, expected_back: expectedBack },
  });
  state.faultAcks.set(ack.site_id, ack);
  showFaults();
}

function canAcknowledgeFaults() {
  return Boolean(state.user && roleAtLeast(state.user.role, "operator"));
}

function showFaults() {
  renderFaults(faultsView(), [...state.sites.values()], (id) => select(id), serverNow(), {
    acks: state.faultAcks,
    onAck: canAcknowledgeFaults() ? acknowledgeFault : null,
  });
  renderWebhookFaults($("webhook-fault-list"), [...state.webhooks.values()]);
}

async function loadConfig() {
  for (let attempt = 0; ; attempt += 1) {
    try {
      return await getConfig();
    } catch (err) {
      setConnection("reconnecting", `config: ${err.message}`);
      await new Promise((r) => setTimeout(r, Math.min(10000, 1000 * 2 ** attempt)));
    }
  }
}

async function main() {
  tick();
  setInterval(tick, 1000);
  loginDialog = LoginDialog.mount();
  onUnauthorized(handleUnauthorized);
  setUser(await ensureUser());
  const config = await loadConfig();
  map = new SiteMap($("map"), config, { onSelect: (id) => select(id) });
  chart = new SiteChart($("chart"));
  panel = new SitePanel($("site-panel"), chart);
  const alarm = new OverdueAlarm($("alarm-banner"));
  const response = new ResponseControls({
    platforms: [],
    canRespond: canAcknowledge, // acknowledging and the rest of the response: operators
    onChange: (payload) => {
      const alert = payload?.alert;
      if (alert?.id) {
        feed.upsert(alert, payload.event ?? null);
        updateAlerting(alert.site_id);
      }
    },
    site: (id) => state.sites.get(id),
    alerts: () => feed?.allAlerts() ?? [],
  });
  getPlatforms()
    .then((platforms) => {
      response.setPlatforms(platforms);
      feed.refreshAll();
      addPlatformLayer(map.map, platforms);
    })
    .catch((err) => console.warn("platforms:", err.message));
  feed = new AlertFeed($("alert-feed"), $("feed-empty"), $("open-alert-count"), {
    decorate: (node, alert) => response.decorate(node, alert),
    onChange: (f) => alarm.update(f.allAlerts()),
    site: (id) => state.sites.get(id),
    onAck: acknowledge,
    onSelectSite: (id) => select(id),
    canAck: canAcknowledge,
  });
  socket = new LiveSocket({
    onSnapshot,
    onEvent,
    onState: setConnection,
    // A closed feed may mean an ended session: asking /me brings up the login on a 401.
    onClose: () => getMe().catch(() => {}),
  });
  bindSiteOrder();
  socket.start();
  window.addEventListener("resize", () => map.invalidate());
  // For tests and debugging in the console.
  window.crowdMonitor = { state, socket, select, chart, feed };
}

main();
