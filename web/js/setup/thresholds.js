// The threshold editor: levels and schedules as a form, checked as they are typed, the
// last hour of readings drawn against the proposed levels with the alerts they would have
// raised (a what-if on the server), and saving, which applies at once.

import { ApiError, request } from "../api.js";
import { DAYS, thresholdProblems } from "./validate.js";
import { drawPreviewChart } from "./preview_chart.js";

const PREVIEW_DELAY_MS = 400;

function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (k === "text") node.textContent = v;
    else if (v === true) node.setAttribute(k, "");
    else if (v !== false && v != null) node.setAttribute(k, String(v));
  }
  node.append(...children.filter(Boolean));
  return node;
}

const num = (input) => (input.value.trim() === "" ? NaN : Number(input.value));
const pad = (n) => String(n).padStart(2, "0");
const hhmm = (epoch) => {
  const d = new Date(epoch * 1000);
  return `${pad(d.getHours())}:${pad(d.getMinutes())}`;
};

/** A table of levels whose inputs carry `data-path` (e.g. "levels.1.exit"). */
function levelsEditor(levels, prefix, onInput) {
  const body = el("tbody");
  const table = el(
    "table",
    { class: "levels", "data-testid": `${prefix.replaceAll(".", "-")}-table` },
    el("thead", {}, el("tr", {}, ...["Level", "Colour", "Enter at", "Exit below", ""].map((t) => el("th", { text: t })))),
    body,
  );
  const addRow = (level) => {
    const i = body.children.length;
    const row = el(
      "tr",
      { "data-level-row": "" },
      el("td", {}, el("input", { "data-field": "name", value: level.name, "aria-label": "Level name", "data-testid": `${prefix}-name-${i}` })),
      el("td", {}, el("input", { "data-field": "color", type: "color", value: level.color, "aria-label": "Colour" })),
      el("td", {}, el("input", { "data-field": "enter", type: "number", step: "any", value: level.enter, "aria-label": "Enter at", "data-testid": `${prefix}-enter-${i}` })),
      el("td", {}, el("input", { "data-field": "exit", type: "number", step: "any", value: level.exit, "aria-label": "Exit below", "data-testid": `${prefix}-exit-${i}` })),
      el("td", {}, el("button", { type: "button", class: "remove", text: "Remove", "data-testid": `${prefix}-remove-${i}` })),
    );
    row.querySelector(".remove").addEventListener("click", () => {
      row.remove();
      renumber();
      onInput();
    });
    body.append(row);
    renumber();
  };
  const renumber = () => {
    [...body.children].forEach((row, i) => {
      for (const input of row.querySelectorAll("input")) input.dataset.path = `${prefix}.${i}.${input.dataset.field}`;
    });
  };
  levels.forEach(addRow);
  const read = () =>
    [...body.children].map((row) => {
      const get = (f) => row.querySelector(`[data-field="${f}"]`);
      return { name: get("name").value.trim(), color: get("color").value, enter: num(get("enter")), exit: num(get("exit")) };
    });
  const add = () => {
    const current = read();
    const top = current[current.length - 1];
    const enter = top && Number.isFinite(top.enter) ? top.enter + 1 : 2;
    addRow({ name: `level${current.length + 1}`, color: "#e03131", enter, exit: enter - 0.5 });
    onInput();
  };
  return { table, read, add };
}

export class ThresholdEditor {
  constructor(form, siteId, { onSaved }) {
    this.form = form;
    this.siteId = siteId;
    this.onSaved = onSaved;
    this.$ = (id) => form.querySelector(`#${id}`);
    this.timer = null;
    this.chart = null;
    this.previewSeq = 0;
    form.addEventListener("input", () => this.changed());
    form.addEventListener("change", () => this.changed());
    form.addEventListener("submit", (ev) => {
      ev.preventDefault();
      this.save();
    });
    this.$("th-add-level").addEventListener("click", () => this.levels.add());
    this.$("th-add-schedule").addEventListener("click", () => {
      this.addSchedule({ name: `schedule${this.schedules.length + 1}`, days: [...DAYS], start: "18:00", end: "24:00", levels: null });
      this.changed();
    });
  }

  /** Fills the form from a site's thresholds (as /api/sites returns them). */
  load(thresholds) {
    this.$("th-metric").value = thresholds.metric;
    this.$("th-min-duration").value = thresholds.min_duration_s;
    this.$("th-cooldown").value = thresholds.cooldown_s;
    this.levels = levelsEditor(thresholds.levels, "levels", () => this.changed());
    this.$("th-levels").replaceChildren(this.levels.table);
    this.$("th-schedules").replaceChildren();
    this.schedules = [];
    for (const schedule of thresholds.schedules ?? []) this.addSchedule(schedule);
    this.changed();
  }

  addSchedule(schedule) {
    const i = this.schedules.length;
    const prefix = `schedules.${i}`;
    const days = el("fieldset", { class: "days", "data-path": `${prefix}.days` }, el("legend", { text: "Days" }));
    for (const day of DAYS) {
      days.append(el("label", {}, el("input", { type: "checkbox", value: day, checked: schedule.days.includes(day) }), day));
    }
    const own = el("input", { type: "checkbox", checked: schedule.levels != null, "data-testid": `schedule-own-levels-${i}` });
    const levels = levelsEditor(schedule.levels ?? this.levels.read(), `${prefix}.levels`, () => this.changed());
    const levelsBox = el("div", { class: "schedule-levels" }, levels.table);
    const addLevel = el("button", { type: "button", text: "Add level" });
    addLevel.addEventListener("click", () => levels.add());
    levelsBox.append(addLevel);
    levelsBox.hidden = !own.checked;
    own.addEventListener("change", () => {
      levelsBox.hidden = !own.checked;
    });
    const opt = (v) => (v == null ? "" : v);
    const card = el(
      "div",
      { class: "schedule", "data-testid": `schedule-${i}` },
      el("div", { class: "row" },
        el("label", {}, "Name ", el("input", { "data-path": `${prefix}.name`, "data-k": "name", value: schedule.name, "data-testid": `schedule-name-${i}` })),
        el("label", {}, "From ", el("input", { "data-path": `${prefix}.start`, "data-k": "start", value: schedule.start, placeholder: "HH:MM", size: 5, "data-testid": `schedule-start-${i}` })),
        el("label", {}, "to ", el("input", { "data-path": `${prefix}.end`, "data-k": "end", value: schedule.end, placeholder: "24:00", size: 5, "data-testid": `schedule-end-${i}` })),
        el("label", {}, "Min. duration (s) ", el("input", { type: "number", step: "any", "data-path": `${prefix}.min_duration_s`, "data-k": "min_duration_s", value: opt(schedule.min_duration_s), placeholder: "same" })),
        el("label", {}, "Cooldown (s) ", el("input", { type: "number", step: "any", "data-path": `${prefix}.cooldown_s`, "data-k": "cooldown_s", value: opt(schedule.cooldown_s), placeholder: "same" })),
      ),
      days,
      el("label", {}, own, " Own levels in this window"),
      levelsBox,
    );
    const remove = el("button", { type: "button", class: "remove", text: "Remove schedule" });
    remove.addEventListener("click", () => {
      card.remove();
      this.schedules = this.schedules.filter((s) => s.card !== card);
      this.changed();
    });
    card.append(remove);
    this.$("th-schedules").append(card);
    this.schedules.push({
      card,
      read: () => {
        const get = (k) => card.querySelector(`[data-k="${k}"]`);
        const optional = (k) => (get(k).value.trim() === "" ? null : num(get(k)));
        return {
          name: get("name").value.trim(),
          days: [...days.querySelectorAll("input:checked")].map((c) => c.value),
          start: get("start").value.trim(),
          end: get("end").value.trim(),
          min_duration_s: optional("min_duration_s"),
          cooldown_s: optional("cooldown_s"),
          levels: own.checked ? levels.read() : null,
        };
      },
    });
  }

  /** The form as the API's thresholds body. */
  read() {
    return {
      metric: this.$("th-metric").value,
      min_duration_s: num(this.$("th-min-duration")),
      cooldown_s: num(this.$("th-cooldown")),
      levels: this.levels.read(),
      schedules: this.schedules.map((s) => s.read()),
    };
  }

  changed() {
    const body = this.read();
    const problems = thresholdProblems(body);
    this.showProblems(problems);
    this.$("th-save").disabled = problems.length > 0;
    this.$("th-status").textContent = "";
    clearTimeout(this.timer);
    if (!problems.length) this.timer = setTimeout(() => this.preview(body), PREVIEW_DELAY_MS);
  }

  showProblems(problems, serverMessage) {
    for (const input of this.form.querySelectorAll("[aria-invalid]")) input.removeAttribute("aria-invalid");
    for (const p of problems) {
      const input = this.form.querySelector(`[data-path="${p.path}"]`);
      input?.setAttribute("aria-invalid", "true");
    }
    const items = problems.map((p) => el("li", { text: p.message }));
    if (serverMessage) items.push(el("li", { class: "server", text: serverMessage }));
    this.$("th-problems").replaceChildren(...items);
    this.form.dataset.valid = String(!problems.length && !serverMessage);
  }

  async preview(body) {
    const seq = ++this.previewSeq;
    const whatif = this.$("th-whatif");
    whatif.dataset.state = "loading";
    try {
      const result = await request("POST", `/api/sites/${encodeURIComponent(this.siteId)}/thresholds/preview`, {
        body: { thresholds: body, window_s: 3600 },
      });
      if (seq !== this.previewSeq) return;
      this.draw(result, body);
      this.describe(result);
      whatif.dataset.state = "ready";
    } catch (err) {
      if (seq !== this.previewSeq) return;
      whatif.dataset.state = "error";
      if (err instanceof ApiError && err.status === 422) this.showProblems([], err.message);
      else whatif.textContent = `Preview unavailable: ${err.message}`;
    }
  }

  describe(result) {
    const whatif = this.$("th-whatif");
    const { proposed, current } = result;
    whatif.dataset.proposed = String(proposed.raised);
    whatif.dataset.current = String(current.raised);
    const list = proposed.alerts
      .map((a) => `${a.peak_level} ${hhmm(a.raised_at)}–${a.cleared_at ? hhmm(a.cleared_at) : "still on"}`)
      .join(", ");
    const n = (k) => `${k} alert${k === 1 ? "" : "s"}`;
    whatif.textContent =
      `Over ${result.values.length} readings, these levels would have raised ${n(proposed.raised)}` +
      `${list ? ` (${list})` : ""}; the current ones raised ${n(current.raised)}.`;
  }

  draw(result, body) {
    const box = this.$("th-chart");
    const lines = body.levels.map((l) => ({ label: l.name, value: l.enter, color: l.color }));
    this.chart = drawPreviewChart(box, this.chart, { label: result.metric, values: result.values, lines });
    box.dataset.levels = body.levels.map((l) => l.enter).join(",");
  }

  async save() {
    const body = this.read();
    if (thresholdProblems(body).length) return;
    const status = this.$("th-status");
    status.textContent = "Saving…";
    try {
      const saved = await request("PUT", `/api/sites/${encodeURIComponent(this.siteId)}/thresholds`, { body });
      status.textContent = `Saved at ${new Date().toLocaleTimeString()}: they apply from the next reading.`;
      status.dataset.state = "saved";
      this.onSaved(saved);
    } catch (err) {
      status.textContent = "";
      status.dataset.state = "error";
      this.showProblems([], err.message);
    }
  }
}
