// The site setup page: setup.html?site=ID. Region and exclusions drawn on the snapshot,
// ground calibration from points on the snapshot and the map, threshold editor.

import { ApiError, getMe, onUnauthorized, request, snapshotUrl } from "../api.js";
import { LoginDialog, roleAtLeast } from "../auth.js";
import { CountCheck } from "./count_check.js";
import { GroundMap } from "./ground_map.js";
import { PictureReading } from "./picture.js";
import { pictureLimitsEditor } from "./picture_limits.js";
import { motionLimitsEditor } from "./motion_limits.js";
import { SourceEditor } from "./source.js";
import { ThresholdEditor } from "./thresholds.js";
import { polygonProblem } from "./validate.js";
import { SnapshotView } from "./view.js";
import { SetupViewReference } from "./view_reference.js";

const $ = (id) => document.getElementById(id);
const POLL_MS = 1500;
const HINTS = {
  region: "Drag a corner to move it, click a small dot on an edge to add a corner, double-click a corner to remove it.",
  exclude: "Areas not counted inside the region (a fountain, a lane with cars). Draw one, then save.",
  calibrate:
    "Click a point on the snapshot (a kerb corner, a crossing stripe), then the same point on the map. " +
    "Four or more points, spread out, no three on a line.",
};

const state = { site: null, pairs: [], fitted: null };
let view;
let groundMap;
let editor;
let sourceEditor;
let picture;
let limitsEditor;
let motionEditor;
let countCheck;
let setupView;

function showError(err) {
  const box = $("setup-error");
  box.textContent = err?.message || String(err);
  box.hidden = false;
}

function status(text, kind = "") {
  const s = $("view-status");
  s.textContent = text;
  s.dataset.state = kind;
}

const api = (path) => `/api/sites/${encodeURIComponent(state.site.id)}${path}`;

async function signIn(dialog) {
  try {
    return await getMe();
  } catch (err) {
    if (!(err instanceof ApiError) || err.status !== 401) throw err;
    await dialog.ask("Sign in as a supervisor to set sites up.");
    return getMe();
  }
}

function showSite(site) {
  state.site = site;
  $("setup").dataset.siteId = site.id;
  $("site-name").textContent = `${site.name_en} ${site.name_zh ?? ""}`.trim();
  const setup = site.setup;
  const badge = $("calibration-badge");
  badge.textContent = setup?.calibrated
    ? `Calibrated · fit error ${setup.calibration_error_m?.toFixed(2)} m`
    : `Uncalibrated · ${setup?.area_m2 ?? "?"} m² spread evenly`;
  badge.dataset.calibrated = String(Boolean(setup?.calibrated));
  groundMap?.setView(setup?.field_of_view ?? [], setup?.roi_lat_lon ?? []);
  sourceEditor?.show(site);
  limitsEditor?.show(site);
  motionEditor?.show(site);
  countCheck?.showScale(site);
  // A saved region or calibration makes the live view the set-up view.
  setupView?.load().catch((err) => setupView.status(err.message, "error"));
  showReading(site);
}

function showReading(site) {
  const r = site.latest;
  const box = $("live-reading");
  $("live-level").textContent = site.level;
  $("live-level").style.color = site.level_color;
  $("live-count").textContent = r ? r.count.toFixed(1) : "–";
  $("live-mean").textContent = r ? r.mean_density.toFixed(3) : "–";
  $("live-peak").textContent = r ? r.peak_density.toFixed(3) : "–";
  box.dataset.analysedAt = r ? String(r.analysed_at) : "";
  box.dataset.level = site.level;
  box.dataset.count = r ? String(r.count) : "";
  picture?.show(r, site.setup?.picture_limits);
  setupView?.showShift(r);
}

async function poll() {
  try {
    const site = await request("GET", api(""));
    state.site = { ...state.site, ...site };
    showReading(site);
  } catch {
    /* the next poll tries again */
  } finally {
    setTimeout(poll, POLL_MS);
  }
}

async function loadSnapshot() {
  for (;;) {
    try {
      await view.load(`${snapshotUrl(state.site.id)}&t=${Date.now()}`);
      return;
    } catch {
      await new Promise((r) => setTimeout(r, 1000));
    }
  }
}

function setMode(mode) {
  for (const tab of document.querySelectorAll(".modes [data-mode]")) {
    tab.setAttribute("aria-selected", String(tab.dataset.mode === mode));
  }
  for (const panel of document.querySelectorAll("[data-panel]")) panel.hidden = panel.dataset.panel !== mode;
  $("mode-hint").textContent = HINTS[mode];
  $("setup").dataset.mode = mode;
  view.setMode(mode);
  $("region-finish").hidden = true;
  $("exclude-finish").hidden = true;
}

function renderExclusions() {
  const items = view.exclude.map((poly, i) => {
    const li = document.createElement("li");
    li.dataset.testid = `exclude-item-${i}`;
    li.textContent = `Exclusion ${i + 1} (${poly.length} corners) `;
    const remove = document.createElement("button");
    remove.type = "button";
    remove.textContent = "Remove";
    remove.dataset.testid = `exclude-remove-${i}`;
    remove.addEventListener("click", () => view.removeExclusion(i));
    li.append(remove);
    return li;
  });
  $("exclude-list").replaceChildren(...items);
}

async function saveRegion(what) {
  const problem = polygonProblem(view.roi, "region") ?? view.exclude.map((p) => polygonProblem(p, "exclusion")).find(Boolean);
  if (problem) {
    status(problem, "error");
    return;
  }
  const body = { roi: view.roi, exclude: view.exclude };
  const area = $("region-area").value.trim();
  if (area !== "") body.area_m2 = Number(area);
  status("Saving…");
  try {
    const site = await request("PUT", api("/region"), { body });
    showSite(site);
    view.setShapes(site.roi, site.setup?.exclude ?? []);
    $("region-area").value = "";
    const counted = site.setup?.region_area_m2;
    status(`${what} saved${counted ? ` · ${counted.toFixed(1)} m² counted` : ""}. It applies from the next frame.`, "saved");
    if (state.fitted) fit(); // redraw the grid over the new region
  } catch (err) {
    status(err.message, "error");
  }
}

// -- calibration ------------------------------------------------------------------------------

function renderPairs() {
  view.setPairs(state.pairs);
  groundMap.setPairs(state.pairs);
  const rows = state.pairs.map((pair, i) => {
    const tr = document.createElement("tr");
    tr.dataset.testid = `calib-pair-${i}`;
    const residual = state.fitted?.residuals_m?.[i];
    const cells = [
      String(i + 1),
      pair.image.map((v) => v.toFixed(0)).join(", "),
      pair.lat_lon ? pair.lat_lon.map((v) => v.toFixed(6)).join(", ") : "click the map…",
      residual == null ? "" : residual.toFixed(2),
    ];
    for (const text of cells) {
      const td = document.createElement("td");
      td.textContent = text;
      tr.append(td);
    }
    const td = document.createElement("td");
    const remove = document.createElement("button");
    remove.type = "button";
    remove.textContent = "Remove";
    remove.addEventListener("click", () => {
      state.pairs.splice(i, 1);
      pairsChanged();
    });
    td.append(remove);
    tr.append(td);
    return tr;
  });
  $("calib-pairs").replaceChildren(...rows);
  const complete = state.pairs.filter((p) => p.lat_lon).length;
  $("calib-fit").disabled = complete < 4 || complete !== state.pairs.length;
  $("calib-apply").disabled = !state.fitted;
}

function pairsChanged() {
  state.fitted = null;
  $("fit-result").textContent = "";
  view.setGrid([]);
  renderPairs();
}

function onImagePoint(p) {
  const last = state.pairs[state.pairs.length - 1];
  if (last && !last.lat_lon) last.image = p; // clicked again before the map: move it
  else state.pairs.push({ image: p, lat_lon: null });
  status(`Point ${state.pairs.length}: now click the same point on the map.`);
  pairsChanged();
}

function onMapPoint(latLon) {
  if ($("setup").dataset.mode !== "calibrate") return;
  const last = state.pairs[state.pairs.length - 1];
  if (!last || last.lat_lon) {
    status("Click the point on the snapshot first, then on the map.", "error");
    return;
  }
  last.lat_lon = latLon;
  status(`Point ${state.pairs.length} placed.`);
  pairsChanged();
}

const pointsBody = () => state.pairs.map((p) => ({ image: p.image, lat_lon: p.lat_lon }));

async function fit() {
  try {
    const result = await request("POST", api("/calibration/fit"), { body: { points: pointsBody() } });
    state.fitted = result;
    view.setGrid(result.grid);
    groundMap.setView(result.field_of_view, result.roi_lat_lon);
    const r = $("fit-result");
    r.textContent =
      `Fit error ${result.fit_error_m.toFixed(2)} m · region ${result.region_area_m2.toFixed(1)} m² · ` +
      `grid ${result.grid_spacing_m} m`;
    r.dataset.fitErrorM = String(result.fit_error_m);
    status("Check the grid lies flat on the ground, then apply.");
    renderPairs();
  } catch (err) {
    state.fitted = null;
    view.setGrid([]);
    $("fit-result").textContent = "";
    status(err.message, "error");
    renderPairs();
  }
}

async function applyCalibration() {
  try {
    const site = await request("PUT", api("/calibration"), { body: { points: pointsBody() } });
    showSite(site);
    status("Calibration applied: every cell now counts its true ground area.", "saved");
  } catch (err) {
    status(err.message, "error");
  }
}

async function removeCalibration() {
  try {
    const site = await request("DELETE", api("/calibration"));
    showSite(site);
    state.pairs = [];
    pairsChanged();
    status(`Calibration removed: ${site.setup?.area_m2} m² spread over the region.`, "saved");
  } catch (err) {
    status(err.message, "error");
  }
}

async function loadCalibration(site) {
  state.pairs = (site.setup?.calibration ?? []).map((p) => ({ image: p.image, lat_lon: p.lat_lon }));
  renderPairs();
  if (state.pairs.length >= 4) await fit(); // draw the grid of the calibration in force
}

// -- boot -------------------------------------------------------------------------------------

function wire() {
  for (const tab of document.querySelectorAll(".modes [data-mode]")) {
    tab.addEventListener("click", () => setMode(tab.dataset.mode));
  }
  $("region-redraw").addEventListener("click", () => {
    view.startDraft("roi");
    $("region-finish").hidden = false;
    status("Click the region's corners on the snapshot, then Finish.");
  });
  $("region-finish").addEventListener("click", () => {
    const points = view.finishDraft();
    $("region-finish").hidden = true;
    const problem = polygonProblem(points ?? [], "region");
    status(problem ?? "Region drawn: save it to apply.", problem ? "error" : "");
  });
  $("region-reset").addEventListener("click", () => {
    view.setShapes(state.site.roi, state.site.setup?.exclude ?? []);
    renderExclusions();
  });
  $("region-save").addEventListener("click", () => saveRegion("Region"));
  $("exclude-add").addEventListener("click", () => {
    view.startDraft("exclude");
    $("exclude-finish").hidden = false;
    status("Click the exclusion's corners on the snapshot, then Finish.");
  });
  $("exclude-finish").addEventListener("click", () => {
    const points = view.finishDraft();
    $("exclude-finish").hidden = true;
    const problem = polygonProblem(points ?? [], "exclusion");
    status(problem ?? "Exclusion drawn: save to apply.", problem ? "error" : "");
  });
  $("exclude-save").addEventListener("click", () => saveRegion("Exclusions"));
  $("calib-fit").addEventListener("click", fit);
  $("calib-apply").addEventListener("click", applyCalibration);
  $("calib-remove").addEventListener("click", removeCalibration);
  $("calib-clear-points").addEventListener("click", () => {
    state.pairs = [];
    pairsChanged();
  });
  $("site-select").addEventListener("change", (ev) => {
    location.search = `?site=${encodeURIComponent(ev.target.value)}`;
  });
}

async function main() {
  const dialog = LoginDialog.mount();
  onUnauthorized(() => dialog.ask("Your session ended: sign in again."));
  const me = await signIn(dialog);
  $("user-name").textContent = me.user.name;
  $("user-role").textContent = me.user.role;
  $("current-user").hidden = false;
  if (!roleAtLeast(me.user.role, "supervisor")) {
    showError(`Setting sites up needs the supervisor role; you are ${me.user.role}.`);
  }
  const [config, sites] = await Promise.all([request("GET", "/api/config"), request("GET", "/api/sites")]);
  if (!sites.length) throw new Error("No sites are configured.");
  const wanted = new URLSearchParams(location.search).get("site");
  const site = sites.find((s) => s.id === wanted) ?? sites[0];
  $("site-select").replaceChildren(...sites.map((s) => new Option(s.name_en, s.id, false, s.id === site.id)));

  view = new SnapshotView(
    { image: $("snapshot"), overlay: $("overlay"), wait: $("snapshot-wait") },
    { onImagePoint, onChange: renderExclusions },
  );
  groundMap = new GroundMap($("setup-map"), config, site, { onMapPoint });
  editor = new ThresholdEditor($("thresholds-form"), site.id, {
    onSaved: (thresholds) => {
      state.site.thresholds = thresholds;
    },
  });
  sourceEditor = new SourceEditor($("source-form"), site.id, { onSaved: showSite });
  picture = new PictureReading($("picture-reading"));
  limitsEditor = pictureLimitsEditor($("picture-limits-form"), site.id, { onSaved: showSite });
  motionEditor = motionLimitsEditor($("motion-limits-form"), site.id, { onSaved: showSite });
  setupView = new SetupViewReference($("view-reference"), site.id, {
    canChange: roleAtLeast(me.user.role, "supervisor"),
  });
  countCheck = new CountCheck($("count-check"), site.id, {
    onApplied: showSite,
    canChange: roleAtLeast(me.user.role, "supervisor"),
  });
  wire();
  showSite(site);
  setMode("region");
  editor.load(site.thresholds);
  await loadSnapshot();
  view.setShapes(site.roi, site.setup?.exclude ?? []);
  renderExclusions();
  groundMap.invalidate();
  await loadCalibration(site);
  await countCheck.load().catch((err) => countCheck.status(err.message, "error"));
  // From the replay page's "Count check this moment".
  const countAt = new URLSearchParams(location.search).get("count_at");
  if (countAt) countCheck.setMoment(Number(countAt));
  document.body.dataset.ready = "true";
  setTimeout(poll, POLL_MS);
}

main().catch(showError);
