// The what-if panel: candidate thresholds replayed over the recorded readings of a range.

import { request } from "../api.js";
import { el } from "../util.js";
import { fmtClock, fromLocalInput } from "./timeline.js";

/** The thresholds of a site in the shape the config (and the what-if API) takes. */
export function thresholdsBody(site) {
  const t = site.thresholds;
  return {
    metric: t.metric,
    min_duration_s: t.min_duration_s,
    cooldown_s: t.cooldown_s,
    levels: t.levels.map(({ name, color, enter, exit }) => ({ name, color, enter, exit })),
  };
}

const minutes = (s) => `${(s / 60).toFixed(1)} min`;
const signed = (m) => {
  if (m == null) return "–";
  if (Math.abs(m) < 0.05) return "at the same time";
  return m > 0 ? `${m.toFixed(1)} min earlier` : `${(-m).toFixed(1)} min later`;
};

// How long before its first alert the site's live trend projected that alert's level.
const warned = (summary) => {
  const first = summary.alerts[0];
  if (!first) return "–";
  return first.warned_s == null ? "not warned" : `${minutes(first.warned_s)} ahead`;
};

function render(result) {
  const row = (label, a, b) => el("tr", {}, el("th", { text: label }), el("td", { text: a }), el("td", { text: b }));
  const summary = el(
    "table",
    { "data-testid": "whatif-summary" },
    el("tr", {}, el("th"), el("th", { text: "Candidate" }), el("th", { text: "In force" })),
    row("Alerts raised", String(result.candidate.raised), String(result.in_force.raised)),
    row("Time above normal", minutes(result.candidate.alert_seconds), minutes(result.in_force.alert_seconds)),
    row(
      "First alert",
      result.first_alert.candidate_raised_at ? fmtClock(result.first_alert.candidate_raised_at) : "none",
      result.first_alert.in_force_raised_at ? fmtClock(result.first_alert.in_force_raised_at) : "none",
    ),
    row("Trend warned of it", warned(result.candidate), warned(result.in_force)),
  );
  const pairs = el(
    "table",
    { "data-testid": "whatif-pairs" },
    el("tr", {}, el("th", { text: "Candidate raised" }), el("th", { text: "In force raised" }), el("th", { text: "Difference" })),
    ...result.pairs.map((p) =>
      el(
        "tr",
        {},
        el("td", { text: p.candidate_raised_at ? fmtClock(p.candidate_raised_at) : "—" }),
        el("td", { text: p.in_force_raised_at ? fmtClock(p.in_force_raised_at) : "—" }),
        el("td", { text: signed(p.minutes_earlier) }),
      ),
    ),
  );
  return [
    el("p", { text: `${result.readings} readings replayed; first alert ${signed(result.first_alert.minutes_earlier)}.` }),
    summary,
    pairs,
  ];
}

export function setUpWhatIf({ form, site, from, to, thresholds, status, result }, sites) {
  site.addEventListener("change", () => {
    const chosen = sites().find((s) => s.id === site.value);
    if (chosen) thresholds.value = JSON.stringify(thresholdsBody(chosen), null, 2);
  });
  form.addEventListener("submit", async (ev) => {
    ev.preventDefault();
    status.removeAttribute("data-error");
    let candidate;
    try {
      candidate = JSON.parse(thresholds.value);
    } catch (err) {
      status.dataset.error = "";
      status.textContent = `The thresholds are not valid JSON: ${err.message}`;
      return;
    }
    status.textContent = "Replaying…";
    try {
      const body = {
        site_id: site.value,
        since: fromLocalInput(from.value),
        until: fromLocalInput(to.value),
        thresholds: candidate,
      };
      const answer = await request("POST", "/api/whatif", { body });
      status.textContent = "";
      result.replaceChildren(...render(answer));
    } catch (err) {
      status.dataset.error = "";
      status.textContent = err?.message || String(err);
    }
  });
}
