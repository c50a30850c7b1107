// The limits the site's picture is judged by, set while watching the measures above: a
// camera that is grainy by design (a dim underpass) or a stream that is blocky but still
// counts well gets limits of its own instead of a warning nobody can act on. The next frame
// is judged by what is saved.

import { request } from "../api.js";
import { MEASURES as FIELDS } from "./picture.js";

// The inputs carry the server's inclusive bounds as min/max; FIELDS' `moreThan` the
// exclusive ones.

export class PictureLimitsEditor {
  /** `form` holds #pl-enabled, a #pl-KEY number input per measure, #pl-save and
   * #pl-status; `onSaved(site)` gets the site as the API returns it. */
  constructor(form, siteId, { onSaved }) {
    this.form = form;
    this.siteId = siteId;
    this.onSaved = onSaved;
    this.shown = undefined;
    this.limits = null; // as the server last sent them
    this.$ = (id) => form.querySelector(`#${id}`);
    form.addEventListener("submit", (ev) => {
      ev.preventDefault();
      this.save();
    });
  }

  /** Fills the form from the site's `setup.picture_limits` (defaults before it is known). */
  show(site) {
    const limits = site.setup?.picture_limits ?? null;
    // Every other save on the page hands back the site too: refilling with the same limits
    // would throw away what is being typed here.
    const key = JSON.stringify(limits);
    if (key === this.shown) return;
    this.shown = key;
    this.limits = limits;
    this.$("pl-enabled").checked = limits?.enabled ?? true;
    for (const f of FIELDS) {
      const input = this.$(`pl-${f.key}`);
      input.value = String(limits?.[f.key] ?? f.fallback);
      input.removeAttribute("aria-invalid");
    }
  }

  status(text, kind = "") {
    const s = this.$("pl-status");
    s.textContent = text;
    s.dataset.state = kind;
  }

  /** The first field out of the server's bounds, named as the form labels it, or null. */
  problem() {
    for (const f of FIELDS) {
      const input = this.$(`pl-${f.key}`);
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
    const button = this.$("pl-save");
    for (const f of FIELDS) this.$(`pl-${f.key}`).removeAttribute("aria-invalid");
    const problem = this.problem();
    if (problem) {
      problem.input.setAttribute("aria-invalid", "true");
      this.status(problem.text, "error");
      return;
    }
    // The body is the whole section: the limits are sent even when assessment is turned
    // off (kept for when it is turned back on), and the window the form does not show is
    // sent back as it was.
    const body = { enabled: this.$("pl-enabled").checked };
    if (this.limits?.window_frames != null) body.window_frames = this.limits.window_frames;
    for (const f of FIELDS) body[f.body] = Number(this.$(`pl-${f.key}`).value);
    this.status("Saving…");
    button.disabled = true;
    try {
      const site = await request("PUT", `/api/sites/${encodeURIComponent(this.siteId)}/picture-limits`, { body });
      this.show(site);
      this.status(
        site.setup?.picture_limits?.enabled
          ? "Picture limits saved: the next frame is judged by them."
          : "Picture limits saved: the picture is no longer assessed.",
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
