// Count check: the site's count against people counted by hand on its own frames. Take a
// sample of the live frame, click every head on it, save; with a few samples, Fit shows the
// count_scale they call for and the error before and after, and Apply sets it.
//
// The heads are drawn in image pixels (the SVG's viewBox is the frame), like the snapshot
// editor's shapes.

import { request } from "../api.js";
import { el, fmtNum, fmtTime, fromLocalInput, toLocalInput } from "../util.js";
import { pointsAttr, round, svg } from "./svg.js";


export class CountCheck {
  /** `root` holds the section's elements (by id); `onApplied(site)` gets the site as the
   * API returns it after a new scale. `canChange`: a supervisor (others only look). */
  constructor(root, siteId, { onApplied, canChange }) {
    this.root = root;
    this.siteId = siteId;
    this.onApplied = onApplied;
    this.canChange = canChange;
    this.samples = [];
    this.current = null; // the sample on screen
    this.heads = []; // its heads as being edited
    this.fit = null;
    this.$ = (id) => root.querySelector(`#${id}`);
    this.$("count-take").addEventListener("click", () => this.take());
    this.$("count-take-at").addEventListener("click", () => this.takeAt());
    this.$("count-save").addEventListener("click", () => this.saveHeads());
    this.$("count-clear").addEventListener("click", () => {
      this.heads = [];
      this.render();
    });
    this.$("count-fit").addEventListener("click", () => this.fitScale());
    this.$("count-apply").addEventListener("click", () => this.apply());
    this.$("count-overlay").addEventListener("click", (ev) => this.click(ev));
    for (const id of ["count-take", "count-take-at", "count-save", "count-clear", "count-fit"]) {
      this.$(id).disabled = !canChange;
    }
  }

  api(path) {
    return `/api/sites/${encodeURIComponent(this.siteId)}${path}`;
  }

  status(text, kind = "") {
    const s = this.$("count-status");
    s.textContent = text;
    s.dataset.state = kind;
  }

  /** Shows the scale in force (from the site's setup). */
  showScale(site) {
    this.$("count-scale-now").textContent = fmtNum(site.setup?.count_scale ?? 1, 3);
  }

  async load() {
    this.samples = await request("GET", this.api("/count-samples"));
    this.renderList();
    const last = this.samples.at(-1);
    if (last) await this.select(last.id);
  }

  /** Fills the recorded moment to take (from the replay page's link). */
  setMoment(t) {
    if (Number.isFinite(t)) this.$("count-at").value = toLocalInput(t);
  }

  takeAt() {
    const at = fromLocalInput(this.$("count-at").value);
    if (!Number.isFinite(at)) {
      this.status("Give the recorded moment to take, to the second.", "error");
      return;
    }
    return this.take(at);
  }

  async take(at = null) {
    this.status(at == null ? "Taking the live frame…" : "Counting the recorded frame…");
    try {
      const query = at == null ? "" : `?at=${at.toFixed(3)}`;
      const sample = await request("POST", this.api(`/count-samples${query}`));
      this.samples.push(sample);
      this.renderList();
      await this.select(sample.id);
      this.status(`Sample taken: the model counted ${fmtNum(sample.model_count, 1)}. Click every head you see.`);
    } catch (err) {
      this.status(err.message, "error");
    }
  }

  async select(sampleId) {
    const sample = this.samples.find((s) => s.id === sampleId);
    if (!sample) return;
    this.current = sample;
    this.heads = (sample.heads ?? []).map((p) => [...p]);
    const image = this.$("count-image");
    await new Promise((resolve, reject) => {
      image.onload = resolve;
      image.onerror = () => reject(new Error("the sample's picture could not be loaded"));
      image.src = sample.image_url;
    }).catch((err) => this.status(err.message, "error"));
    this.$("count-overlay").setAttribute("viewBox", `0 0 ${sample.width} ${sample.height}`);
    this.$("count-editor").hidden = false;
    this.root.dataset.sampleId = String(sample.id);
    this.renderList();
    this.render();
  }

  click(ev) {
    if (!this.current || !this.canChange) return;
    const overlay = this.$("count-overlay");
    const point = overlay.createSVGPoint();
    point.x = ev.clientX;
    point.y = ev.clientY;
    const p = point.matrixTransform(overlay.getScreenCTM().inverse());
    const { width, height } = this.current;
    this.heads.push([round(Math.min(Math.max(p.x, 0), width)), round(Math.min(Math.max(p.y, 0), height))]);
    this.render();
  }

  async saveHeads() {
    if (!this.current) return;
    this.status("Saving…");
    try {
      const counted = await request("PUT", `/api/count-samples/${this.current.id}/heads`, { body: { heads: this.heads } });
      this.samples = this.samples.map((s) => (s.id === counted.id ? counted : s));
      this.current = counted;
      this.renderList();
      this.render();
      this.status(
        `Saved: ${counted.true_count} of the ${counted.heads.length} heads are inside the region; ` +
          `the site counts ${fmtNum(counted.counted_now, 1)} there.`,
        "saved",
      );
    } catch (err) {
      this.status(err.message, "error");
    }
  }

  async remove(sampleId) {
    try {
      await request("DELETE", `/api/count-samples/${sampleId}`);
      this.samples = this.samples.filter((s) => s.id !== sampleId);
      if (this.current?.id === sampleId) {
        this.current = null;
        this.$("count-editor").hidden = true;
      }
      this.renderList();
      this.status("Sample deleted.");
    } catch (err) {
      this.status(err.message, "error");
    }
  }

  async fitScale() {
    try {
      this.fit = await request("POST", this.api("/count-scale/fit"));
      this.renderFit();
      this.status("");
    } catch (err) {
      this.fit = null;
      this.renderFit();
      this.status(err.message, "error");
    }
  }

  async apply() {
    if (!this.fit) return;
    try {
      const site = await request("PUT", this.api("/count-scale"), { body: { count_scale: this.fit.count_scale } });
      this.showScale(site);
      this.onApplied(site);
      // The samples' counts at the new scale (their heads and raw counts do not change).
      this.samples = await request("GET", this.api("/count-samples"));
      this.current = this.samples.find((s) => s.id === this.current?.id) ?? null;
      this.renderList();
      this.render();
      this.status(`Count scale ${fmtNum(this.fit.count_scale, 3)} applied: the next frame is counted with it.`, "saved");
      this.fit = null;
      this.renderFit();
    } catch (err) {
      this.status(err.message, "error");
    }
  }

  renderList() {
    const items = this.samples.map((s) => {
      const counted = s.true_count == null ? "not counted yet" : `${s.true_count} counted by hand`;
      const pick = el("button", {
        type: "button",
        class: "link-button",
        "data-testid": `count-sample-${s.id}`,
        text: `${fmtTime(s.captured_at)} · site counts ${fmtNum(s.counted_now, 1)} · ${counted}`,
      });
      pick.addEventListener("click", () => this.select(s.id));
      const item = el("li", { "data-selected": String(s.id === this.current?.id), "data-counted": String(s.true_count != null) }, pick);
      if (this.canChange) {
        const del = el("button", { type: "button", class: "link-button", "data-testid": `count-sample-delete-${s.id}`, text: "×", title: "Delete this sample" });
        del.addEventListener("click", () => this.remove(s.id));
        item.append(del);
      }
      return item;
    });
    this.$("count-samples").replaceChildren(...items);
    this.$("count-none").hidden = this.samples.length > 0;
  }

  render() {
    const overlay = this.$("count-overlay");
    const sample = this.current;
    overlay.replaceChildren();
    if (!sample) return;
    overlay.append(svg("polygon", { class: "roi", points: pointsAttr(sample.roi) }));
    for (const area of sample.exclude) overlay.append(svg("polygon", { class: "exclude", points: pointsAttr(area) }));
    const shown = overlay.getBoundingClientRect().width || sample.width;
    const r = (5 * sample.width) / shown;
    this.heads.forEach(([x, y], i) => {
      const head = svg("circle", { class: "head", cx: x, cy: y, r, "data-testid": "count-head" });
      head.addEventListener("click", (ev) => {
        ev.stopPropagation(); // a click on a mark takes it away instead of adding one
        if (!this.canChange) return;
        this.heads.splice(i, 1);
        this.render();
      });
      overlay.append(head);
    });
    const saved = JSON.stringify(sample.heads ?? []) === JSON.stringify(this.heads);
    this.$("count-marked").textContent = `${this.heads.length} marked${saved ? "" : " (not saved)"}`;
    this.$("count-model").textContent = fmtNum(sample.counted_now, 1);
  }

  renderFit() {
    const box = this.$("count-fit-result");
    const apply = this.$("count-apply");
    const fit = this.fit;
    box.hidden = !fit;
    apply.disabled = !fit || !this.canChange;
    if (!fit) return;
    const heldOut = fit.mae_held_out == null ? "needs 3 samples" : fmtNum(fit.mae_held_out, 2);
    const rows = [
      ["Samples counted", `${fit.samples}${fit.uncounted ? ` (${fit.uncounted} not counted, left out)` : ""}`],
      ["Count scale", `${fmtNum(fit.current_scale, 3)} now → ${fmtNum(fit.count_scale, 3)} fitted`],
      ["Mean error, scale now", fmtNum(fit.mae_now, 2)],
      ["Mean error, fitted", fmtNum(fit.mae_fitted, 2)],
      ["Mean error, held out", heldOut],
    ];
    box.replaceChildren(
      ...rows.map(([k, v]) => el("div", {}, el("dt", { text: k }), el("dd", { text: v, "data-testid": `count-fit-${k.toLowerCase().replaceAll(/[^a-z]+/g, "-")}` }))),
    );
    box.dataset.scale = String(fit.count_scale);
  }
}
