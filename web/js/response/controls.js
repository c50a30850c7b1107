// The response to an alert in the feed: dispatch a platform, confirm arrival, resolve with
// an outcome; and running timers against the platform's 1, 3 or 5 minute target.
// Acknowledging stays with the feed's own form.

import { request } from "../api.js";
import { serverNow } from "../server_clock.js";
import { el } from "../util.js";
import { fmtDistance, platformChoices, suggested } from "./choose.js";
import { clock, responseTimers } from "./timers.js";

const step = (alertId, name, body) =>
  request("POST", `/api/alerts/${encodeURIComponent(alertId)}/${name}`, { body });

export class ResponseControls {
  /**
   * platforms: [{id, name, tier_minutes, lat, lon}]; canRespond(): whether the user may
   * act; onChange(payload): the server's answer ({alert, event}), to show at once;
   * site(id): a site ({lat, lon, name_en}); alerts(): every alert the feed holds, to tell
   * which platforms are out.
   */
  constructor({ platforms, canRespond, onChange, site = () => null, alerts = () => [] }) {
    this.platforms = platforms;
    this.canRespond = canRespond;
    this.onChange = onChange;
    this.site = site;
    this.alerts = alerts;
    this.nodes = new Map(); // alert id → {box, alert}
    this.timer = setInterval(() => this.tick(), 1000);
  }

  setPlatforms(platforms) {
    this.platforms = platforms;
    for (const entry of this.nodes.values()) {
      entry.box.remove();
    }
    this.nodes.clear();
  }

  /** Adds or updates the controls inside an alert item of the feed. */
  decorate(node, alert) {
    let entry = this.nodes.get(alert.id);
    if (!entry || !node.contains(entry.box)) {
      entry = { box: this.build(alert.id), alert };
      this.nodes.set(alert.id, entry);
      node.append(entry.box);
    }
    entry.alert = alert;
    this.render(entry);
  }

  build(id) {
    const platform = el("select", { class: "dispatch-platform", "data-testid": `dispatch-platform-${id}` });
    const dispatch = el("button", { type: "button", "data-testid": `dispatch-button-${id}`, text: "Dispatch" });
    const arrive = el("button", { type: "button", "data-testid": `arrive-button-${id}`, text: "Officers arrived" });
    const outcome = el("input", {
      type: "text",
      maxLength: 1000,
      placeholder: "Outcome",
      "data-testid": `resolve-outcome-${id}`,
      "aria-label": "Outcome",
    });
    const resolve = el("button", { type: "button", "data-testid": `resolve-button-${id}`, text: "Resolve" });
    const error = el("p", { class: "alert-error", role: "alert", "data-testid": `response-error-${id}` });
    error.hidden = true;
    const timers = el("div", { class: "response-timers", "data-testid": `response-timers-${id}` });
    const box = el(
      "div",
      { class: "alert-response", "data-testid": `response-${id}` },
      timers,
      el("div", { class: "response-row dispatch-row" }, platform, dispatch),
      el("div", { class: "response-row arrive-row" }, arrive),
      el("div", { class: "response-row resolve-row" }, outcome, resolve),
      error,
    );
    // Clicks here must not select the site behind the item.
    box.addEventListener("click", (ev) => ev.stopPropagation());
    const act = async (button, name, body) => {
      if (button.disabled) return;
      button.disabled = true;
      error.hidden = true;
      try {
        this.onChange(await step(id, name, body()));
      } catch (err) {
        error.textContent = err?.message || String(err);
        error.hidden = false;
      } finally {
        button.disabled = false;
      }
    };
    dispatch.addEventListener("click", () => act(dispatch, "dispatch", () => ({ platform_id: platform.value })));
    arrive.addEventListener("click", () => act(arrive, "arrive", () => ({})));
    resolve.addEventListener("click", () =>
      act(resolve, "resolve", () => ({ outcome: outcome.value.trim() })),
    );
    box._parts = { platform, dispatch, arrive, outcome, resolve, error, timers };
    return box;
  }

  render({ box, alert }) {
    const p = box._parts;
    const may = this.canRespond();
    const state = alert.state;
    box.dataset.state = state;
    box.hidden = state === "resolved" && alert.dispatched_at == null;
    this.renderChoices(p.platform, alert);
    const rows = {
      ".dispatch-row": may && (state === "acknowledged" || state === "dispatched") && this.platforms.length > 0,
      ".arrive-row": may && state === "dispatched",
      ".resolve-row": may && state !== "open" && state !== "resolved",
    };
    for (const [selector, shown] of Object.entries(rows)) box.querySelector(selector).hidden = !shown;
    p.dispatch.textContent = state === "dispatched" ? "Re-dispatch" : "Dispatch";
    p.resolve.title = alert.cleared_at == null ? "The crowd is still above normal" : "";
    if (state === "resolved") p.error.hidden = true;
    this.renderTimers(box, alert);
  }

  /** The platforms, nearest first, busy ones marked; rebuilt only when that changes, and
   * a platform the dispatcher picked stays picked. */
  renderChoices(select, alert) {
    const choices = platformChoices(this.platforms, alert, this.site(alert.site_id), this.alerts());
    const label = ({ platform, distanceM, busyWith }) => {
      const parts = [platform.name, `${platform.tier_minutes} min`];
      if (distanceM != null) parts.push(fmtDistance(distanceM));
      if (busyWith) parts.push(`busy at ${this.site(busyWith.site_id)?.name_en ?? busyWith.site_id}`);
      return parts.join(" · ");
    };
    const signature = JSON.stringify(choices.map((c) => [c.platform.id, label(c)]));
    if (select.dataset.signature === signature) return;
    select.dataset.signature = signature;
    const picked = select.dataset.picked;
    select.replaceChildren(
      ...choices.map((c) => el("option", { value: c.platform.id, text: label(c), "data-busy": c.busyWith ? "true" : "false" })),
    );
    select.value = picked && choices.some((c) => c.platform.id === picked) ? picked : suggested(choices) ?? "";
    if (!select.dataset.listening) {
      select.dataset.listening = "true";
      select.addEventListener("change", () => {
        select.dataset.picked = select.value;
      });
    }
  }

  renderTimers(box, alert) {
    const rows = responseTimers(alert, serverNow());
    const id = alert.id;
    box._parts.timers.replaceChildren(
      ...rows.map((r) =>
        el(
          "span",
          {
            class: `timer${r.over ? " over" : ""}${r.running ? " running" : ""}`,
            "data-testid": `timer-${r.key}-${id}`,
            "data-over": r.over ? "true" : "false",
            "data-running": r.running ? "true" : "false",
          },
          `${r.label} ${clock(r.seconds)}${r.target ? ` / ${clock(r.target)}` : ""}`,
        ),
      ),
    );
  }

  tick() {
    for (const [id, entry] of this.nodes) {
      if (!entry.box.isConnected) {
        this.nodes.delete(id);
        continue;
      }
      this.renderTimers(entry.box, entry.alert);
      // Another alert's dispatch makes a platform busy here too.
      this.renderChoices(entry.box._parts.platform, entry.alert);
    }
  }
}
