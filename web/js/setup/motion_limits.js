// When a site's crowd counts as turbulent: crowd pressure is the literature's measure, and
// its limit (0.02/s², Helbing et al. 2007) a starting point that a site's own camera and
// crowd may call for changing. The next frame is measured by what is saved.

import { request } from "../api.js";

// The inputs carry the server's bounds (min/max); `moreThan` is an exclusive lower bound.
const FIELDS = [
  { key: "pressure_limit", label: "Turbulent from", moreThan: 0 },
  { key: "pressure_min_density", label: "Only where at least" },
];

export class MotionLimitsEditor {
  /** `form` holds #ml-enabled, #ml-pressure_limit, #ml-pressure_min_density, #ml-save and
   * #ml-status; `onSaved(site)` gets the site as the API returns it. */
  constructor(form, siteId, { onSaved }) {
    this.form = form;
    this.siteId = siteId;
    this.onSaved = onSaved;
    this.shown = undefined;
    this.settings = null; // as the server last sent them
    this.$ = (id) => form.querySelector(`#${id}`);
    form.addEventListener("submit", (ev) => {
      ev.preventDefault();
      this.save();
    });
  }

  /** Fills the form from the site's `setup.motion`. */
  show(site) {
    const settings = site.setup?.motion ?? null;
    // Other saves on the page hand back the site too: refilling with the same settings would
    // throw away what is being typed here.
    const key = JSON.stringify(settings);
    if (key === this.shown) return;
    this.shown = key;
    this.settings = settings;
    this.$("ml-enabled").checked = settings?.enabled ?? true;
    for (const f of FIELDS) {
      const input = this.$(`ml-${f.key}`);
      input.value = settings ? String(settings[f.key]) : "";
      input.removeAttribute("aria-invalid");
    }
  }

  status(text, kind = "") {
    const s = this.$("ml-status");
    s.textContent = text;
    s.dataset.state = kind;
  }

  problem() {
    for (const f of FIELDS) {
      const input = this.$(`ml-${f.key}`);
      const value = input.value.trim() === "" ? NaN : Number(input.value);
      const [min, max] = [Number(input.min), Number(input.max)];
      const floor = f.moreThan == null ? `at least ${min}` : `more than ${f.moreThan}`;
      const low = f.moreThan == null ? value < min : value <= f.moreThan;
      if (!Number.isFinite(value) || low || value > max) {
        return { input, text: `${f.label}: must be a number ${floor} and at most ${max}.` };
      }
    }
    return null;
  }

  async save() {
    const button = this.$("ml-save");
    for (const f of FIELDS) this.$(`ml-${f.key}`).removeAttribute("aria-invalid");
    const problem = this.problem();
    if (problem) {
      problem.input.setAttribute("aria-invalid", "true");
      this.status(problem.text, "error");
      return;
    }
    // The whole section: what the form does not show is sent back as it was.
    const body = { ...(this.settings ?? {}), enabled: this.$("ml-enabled").checked };
    for (const f of FIELDS) body[f.key] = Number(this.$(`ml-${f.key}`).value);
    this.status("Saving…");
    button.disabled = true;
    try {
      const site = await request("PUT", `/api/sites/${encodeURIComponent(this.siteId)}/motion`, { body });
      this.show(site);
      this.status(
        site.setup?.motion?.enabled
          ? "Motion settings saved: the next frame is measured by them."
          : "Motion settings saved: the crowd's motion is no longer measured.",
        "saved",
      );
      this.onSaved(site);
    } catch (err) {
      this.status(err.message, "error");
    } finally {
      button.disabled = false;
    }
  }
}
