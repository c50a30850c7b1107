// When a site's crowd counts as turbulent: crowd pressure is the literature's measure, and
// its limit (0.02/s², Helbing et al. 2007) a starting point that a site's own camera and
// crowd may call for changing.

import { SectionForm } from "./section_form.js";

const FIELDS = [
  { key: "pressure_limit", label: "Turbulent from", moreThan: 0 },
  { key: "pressure_min_density", label: "Only where at least" },
  { key: "alert_hold_s", label: "Turbulence alert after" },
];

/** The crowd-motion form (#ml-...); `onSaved(site)` gets the site as the API returns it. */
export function motionLimitsEditor(form, siteId, { onSaved }) {
  return new SectionForm(form, siteId, {
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
}
