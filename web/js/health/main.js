// The camera-health page: health.html[?hours=N]. For each site, how much of the last hours
// its picture was poor or missing, worst first, with the stretches worth a replay.

import { ApiError, request } from "../api.js";
import { serverNow } from "../server_clock.js";
import { signInPage } from "../auth.js";
import { fmtTime } from "../util.js";
import { SpanPicker, hoursFromQuery, spanLabel } from "./span.js";
import { renderTable } from "./table.js";

const $ = (id) => document.getElementById(id);
const BINS = 48;

let picker;
let loading = null; // the AbortController of the report being fetched

function showError(err) {
  const box = $("health-error");
  box.textContent = err?.message || String(err);
  box.hidden = false;
}

/** Fetches the report for the picked span and shows it; a newer load cancels an older one. */
async function load() {
  loading?.abort();
  const controller = new AbortController();
  loading = controller;
  const hours = picker.hours;
  const until = serverNow();
  const since = until - hours * 3600;
  const table = $("health-table");
  table.dataset.state = "loading";
  $("health-status").textContent = "Loading…";
  try {
    const query = `since=${since.toFixed(3)}&until=${until.toFixed(3)}&bins=${BINS}`;
    const report = await request("GET", `/api/camera-health?${query}`, { signal: controller.signal });
    if (loading !== controller) return;
    renderTable(table, report, hours, spanLabel(hours));
    $("strip-head").textContent = spanLabel(hours);
    $("health-range").textContent = `${fmtTime(report.since)} – ${fmtTime(report.until)}`;
    // The outages of the very span on screen, for a maintenance or SLA report.
    $("outages-csv").href = `/api/camera-health/outages.csv?since=${report.since}&until=${report.until}`;
    $("outages-csv").hidden = false;
    $("health-status").textContent = `Updated ${fmtTime(until)}`;
    $("health-error").hidden = true;
  } catch (err) {
    if (err.name === "AbortError" || loading !== controller) return;
    table.dataset.state = "error";
    $("health-status").textContent = "";
    // A lost session is answered by the sign-in form, which loads again after.
    if (!(err instanceof ApiError && err.status === 401)) showError(err);
  }
}

async function main() {
  await signInPage({ hint: "Sign in to see camera health.", onResumed: load });
  picker = new SpanPicker($("span-picker"), hoursFromQuery(location.search), load);
  $("refresh").addEventListener("click", load);
  await load();
  document.body.dataset.ready = "true";
}

main().catch(showError);
