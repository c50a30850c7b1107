// The video source: what the site reads now (credentials masked by the server) and a field
// to point it at another file, camera URL, device index or sample. Only what the API
// returns is shown, so a typed password never comes back on the page.

import { request } from "../api.js";

export class SourceEditor {
  /** `form` holds #source-current, #source-input and #source-status; `onSaved(site)` gets
   * the site as the API returns it. */
  constructor(form, siteId, { onSaved }) {
    this.form = form;
    this.siteId = siteId;
    this.onSaved = onSaved;
    this.$ = (id) => form.querySelector(`#${id}`);
    form.addEventListener("submit", (ev) => {
      ev.preventDefault();
      this.save();
    });
  }

  /** Shows the site's current (masked) source. */
  show(site) {
    const current = this.$("source-current");
    current.textContent = site.setup?.source ?? "–";
  }

  status(text, kind = "") {
    const s = this.$("source-status");
    s.textContent = text;
    s.dataset.state = kind;
  }

  async save() {
    const input = this.$("source-input");
    const button = this.$("source-save");
    const source = input.value.trim();
    this.status("Saving…");
    input.removeAttribute("aria-invalid");
    button.disabled = true;
    try {
      const site = await request("PUT", `/api/sites/${encodeURIComponent(this.siteId)}/source`, {
        body: { source },
      });
      input.value = ""; // it may hold a password: keep only the masked form the API returns
      this.show(site);
      this.status(`Source changed: now reading ${site.setup?.source ?? "the new source"}.`, "saved");
      this.onSaved(site);
    } catch (err) {
      input.setAttribute("aria-invalid", "true");
      this.status(err.message, "error");
    } finally {
      button.disabled = false;
    }
  }
}
