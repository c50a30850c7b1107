// When a site's crowd counts as turbulent: crowd pressure is the literature's measure, and
// its limit (0.02/s², Helbing et al. 2007) a starting point that a site's own camera and
// crowd may call for changing.

import { request } from "../api.js";
import { TURBULENT_COLOR, fmtTime } from "../util.js";
import { SectionForm } from "./section_form.js";
import { drawPreviewChart } from "./preview_chart.js";

const PREVIEW_WINDOW_S = 3600;

const FIELDS = [
  { key: "pressure_limit", label: "Turbulent from", moreThan: 0 },
  { key: "pressure_min_density", label: "Only where at least" },
  { key: "alert_hold_s", label: "Turbulence alert after" },
];

/** The crowd-motion form (#ml-...); `onSaved(site)` gets the site as the API returns it. */
export function motionLimitsEditor(form, siteId, { onSaved }) {
  const editor = new SectionForm(form, siteId, {
    prefix: "ml",
    fields: FIELDS,
    read: (site) => site.setup?.motion ?? null,
    kept: (motion) => ({ ...(motion ?? {}) }), // the whole section: gaps, window, flow width
    path: "motion",
    saved: (site) =>
      site.setup?.motion?.enabled
        ? "Motion settings saved: the next frame is measured by them."
        : "Motion settings saved: the crowd's motion is no longer measured.",
    onSaved,
  });
  const chart = { drawn: null }; // the last preview's, replaced by the next
  form.querySelector("#ml-preview").addEventListener("click", () => previewTurbulence(editor, siteId, chart));
  return editor;
}

/** What-if: the turbulence alerts the form's values would have raised over the last hour of
 * stored crowd pressures, beside those the saved ones would have. */
async function previewTurbulence(editor, siteId, chart) {
  const motion = editor.proposed();
  const out = editor.$("preview-result");
  const box = editor.$("chart");
  if (!motion) {
    out.hidden = true;
    box.hidden = true;
    return;
  }
  const button = editor.$("preview");
  button.disabled = true;
  try {
    const body = { motion, window_s: PREVIEW_WINDOW_S };
    const result = await request("POST", `/api/sites/${encodeURIComponent(siteId)}/motion/preview`, { body });
    out.textContent = previewWords(result);
    out.dataset.proposed = String(result.proposed.raised);
    out.dataset.current = String(result.current.raised);
    out.hidden = false;
    box.hidden = result.values.length === 0;
    if (!box.hidden) {
      const shown = { label: result.metric, values: result.values, lines: limitLines(motion) };
      chart.drawn = drawPreviewChart(box, chart.drawn, shown);
    }
  } catch (err) {
    editor.status(err.message, "error");
    out.hidden = true;
    box.hidden = true;
  } finally {
    button.disabled = false;
  }
}

/** The proposed limit a turbulence alert is raised at and the pressure it clears below. */
function limitLines(motion) {
  return [
    { label: "turbulent from", value: motion.pressure_limit, color: TURBULENT_COLOR },
    { label: "calm below", value: motion.pressure_limit * motion.alert_clear_ratio, color: "#9aa7b8" },
  ];
}

function alertsWords(n) {
  return n === 1 ? "1 turbulence alert" : `${n} turbulence alerts`;
}

function previewWords(result) {
  const readings = result.values.length;
  if (readings === 0) return "No crowd pressure was measured in the last hour: nothing to replay.";
  const proposed = result.proposed;
  const first = proposed.alerts[0];
  const when = first ? `, the first at ${fmtTime(first.raised_at)}` : "";
  return (
    `Over the last hour (${readings} readings with a pressure) these values would have raised ` +
    `${alertsWords(proposed.raised)}${when}; the saved ones ${alertsWords(result.current.raised)}.`
  );
}
