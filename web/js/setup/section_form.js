// A form over one of a site's YAML sections (picture limits, crowd motion): an on/off box
// and a few bounded numbers, filled from the site as the server sends it and saved whole
// with PUT, so what the form does not show is sent back as it was. The next frame is
// judged by what is saved.

import { request } from "../api.js";

export class SectionForm {
  /** `form` holds #PREFIX-enabled, a #PREFIX-KEY number input per field (its min/max the
   * server's inclusive bounds), #PREFIX-save and #PREFIX-status.
   * fields: [{key, label, body?, moreThan?, fallback?}]: `key` names the value in the
   *   site's section and the input, `body` in the request (default `key`), `moreThan` an
   *   exclusive lower bound, `fallback` the value shown before the section is known;
   * read(site): the section as the site carries it, or null;
   * kept(section): what of it the request carries besides the form's own values;
   * path: the site URL's suffix the section is PUT to;
   * saved(site): what the status says once saved;
   * onSaved(site): gets the site as the API returns it. */
  constructor(form, siteId, { prefix, fields, read, kept, path, saved, onSaved }) {
    Object.assign(this, { form, siteId, prefix, fields, read, kept, path, saved, onSaved });
    this.shown = undefined;
    this.section = null; // as the server last sent it
    form.addEventListener("submit", (ev) => {
      ev.preventDefault();
      this.save();
    });
  }

  $(name) {
    return this.form.querySelector(`#${this.prefix}-${name}`);
  }

  show(site) {
    const section = this.read(site);
    // Every other save on the page hands back the site too: refilling with the same values
    // would throw away what is being typed here.
    const key = JSON.stringify(section);
    if (key === this.shown) return;
    this.shown = key;
    this.section = section;
    this.$("enabled").checked = section?.enabled ?? true;
    for (const f of this.fields) {
      const input = this.$(f.key);
      input.value = String(section?.[f.key] ?? f.fallback ?? "");
      input.removeAttribute("aria-invalid");
    }
  }

  status(text, kind = "") {
    const s = this.$("status");
    s.textContent = text;
    s.dataset.state = kind;
  }

  /** The first field out of the server's bounds, named as the form labels it, or null. */
  problem() {
    for (const f of this.fields) {
      const input = this.$(f.key);
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

  /** The section as the form would save it, or null (the status saying why) when a field
   * is out of bounds. */
  proposed() {
    for (const f of this.fields) this.$(f.key).removeAttribute("aria-invalid");
    const problem = this.problem();
    if (problem) {
      problem.input.setAttribute("aria-invalid", "true");
      this.status(problem.text, "error");
      return null;
    }
    // The values are sent even when the section is turned off: kept for when it is back on.
    const body = { ...this.kept(this.section), enabled: this.$("enabled").checked };
    for (const f of this.fields) body[f.body ?? f.key] = Number(this.$(f.key).value);
    return body;
  }

  async save() {
    const button = this.$("save");
    const body = this.proposed();
    if (!body) return;
    this.status("Saving…");
    button.disabled = true;
    try {
      const site = await request("PUT", `/api/sites/${encodeURIComponent(this.siteId)}/${this.path}`, { body });
      this.show(site);
      this.status(this.saved(site), "saved");
      this.onSaved(site);
    } catch (err) {
      this.status(err.message, "error");
    } finally {
      button.disabled = false;
    }
  }
}
