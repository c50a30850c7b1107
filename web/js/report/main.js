// The response report: report.html[?hours=N]. For the alerts raised in the span, how fast
// operators acknowledged them and whether each platform arrived within its tier.

import { ApiError, request } from "../api.js";
import { serverNow } from "../server_clock.js";
import { signInPage } from "../auth.js";
import { SpanPicker, hoursFromQuery } from "../health/span.js";
import { el, fmtDuration, fmtTime } from "../util.js";

const $ = (id) => document.getElementById(id);

let picker;
let loading = null;

/** "20 s / 1 min 40 s / 2 min" (median / p90 / longest), or "–" when nothing was measured. */
export function fmtDurations(d, withMax = true) {
  if (!d || d.count === 0) return "–";
  const parts = [fmtDuration(d.median_s), fmtDuration(d.p90_s)];
  if (withMax) parts.push(fmtDuration(d.max_s));
  return parts.join(" / ");
}

function levels(byLevel) {
  const entries = Object.entries(byLevel);
  return entries.length ? entries.map(([level, n]) => `${level} ${n}`).join(", ") : "–";
}

function inTier(site) {
  if (!site.dispatched) return "–";
  const late = site.late ? ` (${site.late} late)` : "";
  return `${site.within_tier} of ${site.dispatched}${late}`;
}

function siteRow(site, isTotal) {
  return el(
    "tr",
    { "data-testid": isTotal ? "report-total" : "report-site", "data-site-id": site.site_id, class: isTotal ? "total" : "" },
    el("td", { text: site.site_name || site.site_id }),
    el("td", { "data-testid": "report-alerts", text: String(site.alerts) }),
    el("td", { text: levels(site.by_peak_level) }),
    el("td", { "data-testid": "report-acknowledge", text: fmtDurations(site.acknowledge) }),
    el("td", { class: site.overdue ? "bad" : "", text: String(site.overdue) }),
    el("td", { class: site.waiting_now ? "bad" : "", text: String(site.waiting_now) }),
    el("td", { text: fmtDurations(site.dispatch, false) }),
    el("td", { "data-testid": "report-in-tier", class: site.late ? "bad" : "", text: inTier(site) }),
    el("td", { text: fmtDurations(site.crowd, false) }),
    el("td", { text: String(site.still_open) }),
  );
}

function tierRow(tier) {
  return el(
    "tr",
    { "data-testid": "report-tier", "data-tier": tier.tier_minutes },
    el("td", { text: `${tier.tier_minutes} min` }),
    el("td", { text: String(tier.dispatched) }),
    el("td", { text: String(tier.within) }),
    el("td", { class: tier.late ? "bad" : "", text: String(tier.late) }),
    el("td", { text: String(tier.on_the_way) }),
    el("td", { text: String(tier.not_arrived) }),
    el("td", { text: fmtDurations(tier.arrival) }),
  );
}

function lateRow(late, names) {
  const overshoot = late.took_s - late.tier_minutes * 60;
  const took = `${fmtDuration(late.took_s)} (${fmtDuration(overshoot)} over)${late.arrived ? "" : ", not there yet"}`;
  const replay = `/replay.html?site=${encodeURIComponent(late.site_id)}&at=${late.dispatched_at}`;
  return el(
    "tr",
    { "data-testid": "report-late-row", "data-alert-id": late.alert_id },
    el("td", { text: fmtTime(late.dispatched_at) }),
    el("td", { text: names.get(late.site_id) || late.site_id }),
    el("td", { text: late.platform }),
    el("td", { text: `${late.tier_minutes} min` }),
    el("td", { class: "bad", text: took }),
    el("td", {}, el("a", { class: "link-button", href: replay, text: "Replay" })),
  );
}

function render(report) {
  const names = new Map(report.sites.map((s) => [s.site_id, s.site_name]));
  $("report-sites").replaceChildren(siteRow(report.total, true), ...report.sites.map((s) => siteRow(s, false)));
  $("report-tiers").replaceChildren(...report.tiers.map(tierRow));
  $("report-tiers-empty").hidden = report.tiers.length > 0;
  $("report-late").replaceChildren(...report.late.map((late) => lateRow(late, names)));
  $("report-late-empty").hidden = report.late.length > 0;
  $("report-range").textContent = `Alerts raised ${fmtTime(report.since)} – ${fmtTime(report.until)}`;
  $("alerts-csv").href = `/api/reports/response/alerts.csv?since=${report.since}&until=${report.until}`;
  $("alerts-csv").hidden = false;
}

async function load() {
  loading?.abort();
  const controller = new AbortController();
  loading = controller;
  const until = serverNow();
  const since = until - picker.hours * 3600;
  const table = $("report-sites-table");
  table.dataset.state = "loading";
  $("report-status").textContent = "Loading…";
  try {
    const query = `since=${since.toFixed(3)}&until=${until.toFixed(3)}`;
    const report = await request("GET", `/api/reports/response?${query}`, { signal: controller.signal });
    if (loading !== controller) return;
    render(report);
    table.dataset.state = "ready";
    $("report-status").textContent = `Updated ${fmtTime(until)}`;
    $("report-error").hidden = true;
  } catch (err) {
    if (err.name === "AbortError" || loading !== controller) return;
    table.dataset.state = "error";
    $("report-status").textContent = "";
    if (!(err instanceof ApiError && err.status === 401)) {
      $("report-error").textContent = err.message;
      $("report-error").hidden = false;
    }
  }
}

async function main() {
  await signInPage({ hint: "Sign in to see the response report.", onResumed: load });
  picker = new SpanPicker($("span-picker"), hoursFromQuery(location.search), load);
  $("refresh").addEventListener("click", load);
  await load();
}

main().catch((err) => {
  $("report-error").textContent = err.message;
  $("report-error").hidden = false;
});
