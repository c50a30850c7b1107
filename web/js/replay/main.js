// The replay page: replay.html?site=ID[,ID...]&at=EPOCH[&window=SECONDS]. Every site shown
// plays on one shared clock, starting at `at`.

import { ApiError, getMe, onUnauthorized, request } from "../api.js";
import { serverNow } from "../server_clock.js";
import { LoginDialog, roleAtLeast } from "../auth.js";
import { SharedClock } from "./clock.js";
import { setUpExport } from "./export.js";
import { Lane } from "./lane.js";
import { fmtClock, frameStep, fromLocalInput, segmentAt, toLocalInput } from "./timeline.js";
import { setUpWhatIf, thresholdsBody } from "./whatif.js";

const $ = (id) => document.getElementById(id);
const DEFAULT_WINDOW_S = 600; // shown on each side of the moment asked for
const LATEST_LOOKBACK_S = 30; // "Latest" starts this far back: what just happened
const OPEN_LOOKBACK_S = 120; // without `at`, the page opens this far back

const params = new URLSearchParams(location.search);
const askedAt = Number(params.get("at")) || null;
// Without `at`, a first guess by this computer's clock: main() takes the server's once it
// has answered (a workstation clock minutes off would open on footage not yet recorded).
const startAt = askedAt ?? Date.now() / 1000 - OPEN_LOOKBACK_S;
const halfWindow = Math.min(Math.max(Number(params.get("window")) || DEFAULT_WINDOW_S, 30), 3 * 3600);
const clock = new SharedClock(startAt);
const lanes = [];
let allSites = [];
let range = [startAt - halfWindow, startAt + halfWindow];

function showError(err) {
  const box = $("replay-error");
  box.textContent = err?.message || String(err);
  box.hidden = false;
}

function renderClock() {
  const c = $("clock");
  c.textContent = fmtClock(clock.t);
  c.dataset.t = clock.t.toFixed(3);
  $("play").textContent = clock.playing ? "❚❚ Pause" : "▶ Play";
}

async function addLane(siteId) {
  if (lanes.some((l) => l.site.id === siteId)) return;
  const site = allSites.find((s) => s.id === siteId);
  if (!site) {
    showError(new Error(`No site '${siteId}'.`));
    return;
  }
  const lane = new Lane(site, clock, { onRemove: removeLane });
  lanes.push(lane);
  $("lanes").append(lane.root);
  refreshSiteChoices();
  try {
    await lane.load(...range);
  } catch (err) {
    showError(err);
  }
}

function removeLane(lane) {
  lanes.splice(lanes.indexOf(lane), 1);
  lane.destroy();
  refreshSiteChoices();
}

function refreshSiteChoices() {
  const shown = new Set(lanes.map((l) => l.site.id));
  const options = allSites.filter((s) => !shown.has(s.id)).map((s) => new Option(s.name_en, s.id));
  $("add-site-select").replaceChildren(...options);
  const current = $("whatif-site").value;
  $("whatif-site").replaceChildren(...lanes.map((l) => new Option(l.site.name_en, l.site.id)));
  if (current && shown.has(current)) $("whatif-site").value = current;
  else $("whatif-site").dispatchEvent(new Event("change"));
}

async function jumpTo(t) {
  clock.pause();
  range = [t - halfWindow, t + halfWindow];
  clock.seek(t); // shown at once; each lane follows again once its span is loaded
  setRangeInputs();
  await Promise.all(lanes.map((l) => l.load(...range).catch(showError)));
}

function setRangeInputs() {
  for (const id of ["export-from", "whatif-from"]) $(id).value = toLocalInput(range[0]);
  for (const id of ["export-to", "whatif-to"]) $(id).value = toLocalInput(range[1]);
  $("goto-time").value = toLocalInput(clock.t);
}

function stepFrames(direction) {
  clock.pause();
  const segment = lanes.map((l) => segmentAt(l.segments, clock.t)).find(Boolean);
  clock.seek(clock.t + direction * frameStep(segment));
}

function wireControls() {
  clock.onChange((_, seeking) => {
    renderClock();
    for (const lane of lanes) lane.sync(seeking);
  });
  clock.source = () => {
    for (const lane of lanes) {
      const t = lane.playingTime();
      if (t != null) return t;
    }
    return null;
  };
  $("play").addEventListener("click", () => (clock.playing ? clock.pause() : clock.play()));
  $("latest").addEventListener("click", () => jumpTo(serverNow() - LATEST_LOOKBACK_S));
  $("count-this").addEventListener("click", () => {
    const site = lanes[0]?.site;
    if (!site) return;
    const query = `site=${encodeURIComponent(site.id)}&count_at=${clock.t.toFixed(3)}`;
    window.open(`/setup.html?${query}#count-check`, "_blank", "noopener");
  });
  $("step-back").addEventListener("click", () => stepFrames(-1));
  $("step-forward").addEventListener("click", () => stepFrames(1));
  $("speed").addEventListener("change", (ev) => clock.setSpeed(Number(ev.target.value)));
  $("goto").addEventListener("submit", (ev) => {
    ev.preventDefault();
    const t = fromLocalInput($("goto-time").value);
    if (Number.isFinite(t)) jumpTo(t);
  });
  $("add-site").addEventListener("submit", (ev) => {
    ev.preventDefault();
    if ($("add-site-select").value) addLane($("add-site-select").value);
  });
  document.addEventListener("keydown", (ev) => {
    if (ev.target.closest("input, textarea, select")) return;
    if (ev.key === " ") {
      ev.preventDefault();
      $("play").click();
    } else if (ev.key === ",") stepFrames(-1);
    else if (ev.key === ".") stepFrames(1);
  });
  setUpExport(
    {
      form: $("export-form"),
      from: $("export-from"),
      to: $("export-to"),
      blur: $("export-blur"),
      status: $("export-status"),
      button: $("export-button"),
    },
    () => lanes.map((l) => l.site.id),
  );
  setUpWhatIf(
    {
      form: $("whatif-form"),
      site: $("whatif-site"),
      from: $("whatif-from"),
      to: $("whatif-to"),
      thresholds: $("whatif-thresholds"),
      status: $("whatif-status"),
      result: $("whatif-result"),
    },
    () => allSites,
  );
}

async function signedIn(loginDialog) {
  try {
    return await getMe();
  } catch (err) {
    if (err instanceof ApiError && err.status === 401) return loginDialog.ask("Sign in to replay recordings.");
    throw err;
  }
}

async function main() {
  const loginDialog = LoginDialog.mount();
  onUnauthorized(() => loginDialog.ask("Your session ended. Sign in again to go on."));
  const me = await signedIn(loginDialog);
  if (askedAt == null) {
    const t = serverNow() - OPEN_LOOKBACK_S;
    range = [t - halfWindow, t + halfWindow];
    clock.seek(t);
  }
  $("count-this").hidden = !roleAtLeast(me.user.role, "supervisor");
  allSites = await request("GET", "/api/sites");
  wireControls();
  setRangeInputs();
  renderClock();
  const wanted = (params.get("site") ?? "").split(",").filter(Boolean);
  for (const id of wanted.length ? wanted : allSites.slice(0, 1).map((s) => s.id)) await addLane(id);
  const first = allSites.find((s) => s.id === $("whatif-site").value);
  if (first) $("whatif-thresholds").value = JSON.stringify(thresholdsBody(first), null, 2);
  document.body.dataset.ready = "true";
}

main().catch(showError);
