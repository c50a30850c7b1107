// The alert feed: newest first, open alerts highlighted in their level colour, each with
// an Acknowledge button. Items are keyed by alert id and updated in place, so a note being
// typed survives live updates.

import { TURBULENCE_METRIC, alertColor, cap, el, fmtMetric, fmtTime, textOn } from "./util.js";

const MAX_ITEMS = 200;

export class AlertFeed {
  constructor(listEl, emptyEl, countEl, { site, onAck, onSelectSite, canAck = () => true, decorate, onChange }) {
    this.canAck = canAck;
    this.decorate = decorate; // (node, alert) → adds the response controls (js/response)
    this.onChange = onChange; // (feed) → after any change (the overdue alarm)
    this.listEl = listEl;
    this.emptyEl = emptyEl;
    this.countEl = countEl;
    this.site = site; // id → SitePublic | undefined
    this.onAck = onAck; // (alertId, note) → Promise<AlertPublic|void>
    this.onSelectSite = onSelectSite;
    this.alerts = new Map(); // id → {alert, event, node}
    this.told = new Map(); // alert id → Map(webhook → AlertToldPublic): who was told
  }

  /** Replaces what every alert's webhooks said (a snapshot). */
  setTold(told) {
    this.told.clear();
    for (const t of told) this.addTold(t, false);
    this.refreshAll();
  }

  /** One webhook took (or failed to take) a step of an alert. */
  addTold(told, render = true) {
    if (!this.told.has(told.alert_id)) this.told.set(told.alert_id, new Map());
    this.told.get(told.alert_id).set(told.webhook, told);
    const entry = this.alerts.get(told.alert_id);
    if (render && entry) this.render(entry);
  }

  /** Replaces every alert (snapshot with rebuild). */
  setAll(alerts) {
    this.alerts.clear();
    this.listEl.replaceChildren();
    for (const alert of alerts) this.upsert(alert, null);
    this.updateCounts();
  }

  allAlerts() {
    return [...this.alerts.values()].map((e) => e.alert);
  }

  openAlerts() {
    return [...this.alerts.values()].map((e) => e.alert).filter((a) => a.state === "open");
  }

  /** Adds or updates an alert; older versions (by updated_at) than the one shown are ignored. */
  upsert(alert, event) {
    let entry = this.alerts.get(alert.id);
    if (entry && alert.updated_at < entry.alert.updated_at) return false;
    if (!entry) {
      entry = { alert, event, node: this.createNode(alert) };
      this.alerts.set(alert.id, entry);
      this.insertSorted(entry);
      this.trim();
    }
    entry.alert = alert;
    if (event) entry.event = event;
    this.render(entry);
    this.updateCounts();
    return true;
  }

  /** Re-renders every alert (the logged-in user changed). */
  refreshAll() {
    for (const entry of this.alerts.values()) this.render(entry);
  }

  /** Re-renders the alerts of one site (its names or level colours changed). */
  refreshSite(siteId) {
    for (const entry of this.alerts.values()) {
      if (entry.alert.site_id === siteId) this.render(entry);
    }
  }

  insertSorted(entry) {
    const t = entry.alert.raised_at;
    for (const child of this.listEl.children) {
      if (Number(child.dataset.raisedAt) < t) {
        this.listEl.insertBefore(entry.node, child);
        return;
      }
    }
    this.listEl.append(entry.node);
  }

  trim() {
    if (this.alerts.size <= MAX_ITEMS) return;
    const closed = [...this.alerts.values()]
      .filter((e) => e.alert.state === "resolved")
      .sort((a, b) => a.alert.raised_at - b.alert.raised_at);
    while (this.alerts.size > MAX_ITEMS && closed.length) {
      const oldest = closed.shift();
      oldest.node.remove();
      this.alerts.delete(oldest.alert.id);
    }
  }

  updateCounts() {
    this.onChange?.(this);
    const open = this.openAlerts().length;
    this.countEl.textContent = String(open);
    this.countEl.classList.toggle("zero", open === 0);
    this.emptyEl.hidden = this.alerts.size > 0;
  }

  createNode(alert) {
    const id = alert.id;
    const note = el("input", {
      type: "text",
      class: "ack-note",
      maxLength: 500,
      placeholder: "Note (optional)",
      "data-testid": `ack-note-${id}`,
      "aria-label": "Acknowledgement note",
    });
    const button = el("button", {
      type: "button",
      class: "ack-button",
      "data-testid": `ack-button-${id}`,
      text: "Acknowledge",
    });
    const error = el("p", { class: "alert-error", "data-testid": `ack-error-${id}`, role: "alert" });
    error.hidden = true;
    const form = el("form", { class: "alert-ack" }, note, button);
    form.addEventListener("submit", (ev) => ev.preventDefault());
    note.addEventListener("keydown", (ev) => {
      if (ev.key === "Enter") {
        ev.preventDefault();
        button.click();
      }
    });
    button.addEventListener("click", async (ev) => {
      ev.stopPropagation();
      if (button.disabled) return;
      button.disabled = true;
      button.textContent = "Acknowledging…";
      error.hidden = true;
      try {
        await this.onAck(id, note.value.trim());
      } catch (err) {
        error.textContent = err?.message || String(err);
        error.hidden = false;
      } finally {
        button.disabled = false;
        button.textContent = "Acknowledge";
      }
    });
    const node = el(
      "li",
      { class: "alert-item", "data-testid": `alert-item-${id}`, "data-alert-id": id },
      el(
        "div",
        { class: "alert-top" },
        el("span", { class: "level-chip" }),
        el("span", { class: "alert-state", "data-testid": `alert-state-${id}` }),
        el("time", { class: "alert-time" }),
      ),
      el("div", { class: "alert-site" }, el("span", { class: "en" }), el("span", { class: "zh", lang: "zh-CN" })),
      el("div", { class: "alert-value" }),
      el("p", { class: "alert-detail" }),
      form,
      error,
    );
    node.addEventListener("click", (ev) => {
      if (ev.target.closest(".alert-ack")) return;
      this.onSelectSite(this.alerts.get(id)?.alert.site_id);
    });
    node._parts = {
      chip: node.querySelector(".level-chip"),
      en: node.querySelector(".alert-site .en"),
      zh: node.querySelector(".alert-site .zh"),
      time: node.querySelector(".alert-time"),
      value: node.querySelector(".alert-value"),
      state: node.querySelector(".alert-state"),
      detail: node.querySelector(".alert-detail"),
      form,
      error,
      button,
      note,
    };
    return node;
  }

  render({ alert, event, node }) {
    const p = node._parts;
    const site = this.site(alert.site_id);
    // An alert whose crowd has cleared (or that is resolved) is back at normal: show the
    // highest level it reached instead.
    const shown =
      alert.state === "resolved" || !alert.level || alert.level === "normal" ? alert.peak_level : alert.level;
    const color = alertColor(site, alert, shown, "#d97706");
    node.dataset.state = alert.state;
    node.dataset.level = alert.level;
    node.dataset.metric = alert.metric;
    node.dataset.siteId = alert.site_id;
    node.dataset.raisedAt = String(alert.raised_at);
    node.style.setProperty("--lvl", color);
    node.classList.toggle("open", alert.state === "open");
    // acknowledged, dispatched, arrived: someone is on it, not closed yet
    node.classList.toggle("active", alert.state !== "open" && alert.state !== "resolved");
    node.classList.toggle("resolved", alert.state === "resolved");
    node.classList.toggle("overdue", alert.state === "open" && alert.overdue_at != null);

    p.chip.textContent = cap(shown);
    p.chip.style.background = color;
    p.chip.style.color = textOn(color);
    p.en.textContent = site?.name_en ?? alert.site_id;
    p.zh.textContent = site?.name_zh ?? "";
    p.time.textContent = fmtTime(alert.raised_at);
    p.time.dateTime = new Date(alert.raised_at * 1000).toISOString();
    p.time.title = "Raised";
    const peakNote = alert.peak_level !== shown ? ` · peak level ${cap(alert.peak_level)}` : "";
    p.value.textContent = `Peak ${fmtMetric(alert.metric, alert.peak_value)}${peakNote}`;
    p.value.title = "Highest value while the alert was open";
    p.state.textContent = alert.state === "open" && alert.overdue_at != null ? "Open · overdue" : cap(alert.state);
    p.state.dataset.state = alert.state;

    const lines = [];
    if (event && (event.kind === "escalated" || event.kind === "deescalated")) {
      lines.push(`${cap(event.kind)} to ${cap(event.level)} at ${fmtTime(event.at)}`);
    }
    if (alert.overdue_at != null && alert.acknowledged_at == null) {
      lines.push(`Not acknowledged in time (since ${fmtTime(alert.overdue_at)})`);
    }
    if (alert.acknowledged_at != null) {
      const by = alert.acknowledged_by ? ` by ${alert.acknowledged_by}` : "";
      const note = alert.acknowledge_note ? ` — “${alert.acknowledge_note}”` : "";
      lines.push(`Acknowledged${by} at ${fmtTime(alert.acknowledged_at)}${note}`);
    }
    if (alert.dispatched_at != null) {
      const what = alert.platform_name || alert.platform_id || "a unit";
      const by = alert.dispatched_by ? ` by ${alert.dispatched_by}` : "";
      lines.push(`Dispatched ${what}${by} at ${fmtTime(alert.dispatched_at)}`);
    }
    if (alert.arrived_at != null) lines.push(`On site at ${fmtTime(alert.arrived_at)}`);
    if (alert.cleared_at != null && alert.resolved_at == null) {
      const calm = alert.metric === TURBULENCE_METRIC ? "Crowd calm again" : "Crowd back to normal";
      lines.push(`${calm} at ${fmtTime(alert.cleared_at)}`);
    }
    if (alert.resolved_at != null) {
      const by = alert.resolved_by ? ` by ${alert.resolved_by}` : "";
      const outcome = alert.outcome ? ` — “${alert.outcome}”` : "";
      lines.push(`Resolved${by} at ${fmtTime(alert.resolved_at)}${outcome}`);
    }
    for (const told of this.told.get(alert.id)?.values() ?? []) {
      lines.push(
        told.state === "delivered"
          ? `Told ${told.webhook} (${told.kind}) at ${fmtTime(told.at)}`
          : `Could not tell ${told.webhook} (${told.kind}): ${told.error}`,
      );
    }
    p.detail.textContent = lines.join("\n");
    p.detail.hidden = lines.length === 0;

    const open = alert.state === "open";
    p.form.hidden = !open;
    // The server has the last word (403 shown inline); this only says so beforehand.
    const allowed = this.canAck();
    p.button.classList.toggle("not-allowed", !allowed);
    p.button.title = allowed ? "" : "Your role may not acknowledge alerts";
    if (!open) p.error.hidden = true;
    this.decorate?.(node, alert);
  }
}
