// Webhooks page (supervisors and admins): each endpoint's health and queue, a test
// message, and the delivery log with a retry for what failed.

import { request } from "../api.js";
import { el, fmtTime } from "../util.js";
import { requireRole, show } from "./common.js";

const $ = (id) => document.getElementById(id);
const REFRESH_MS = 5000;
// What each table last showed: a refresh that changes nothing leaves the rows alone, so a
// click on a button is never lost to a rebuild under the pointer.
const shown = { webhooks: "", deliveries: "" };

function replaceIfChanged(id, data, rows) {
  const signature = JSON.stringify(data);
  if (shown[id] === signature) return;
  shown[id] = signature;
  $(id).replaceChildren(...rows());
}

function health(hook) {
  if (hook.failures_in_row > 0) {
    const retry = hook.paused_until ? `, next try ${fmtTime(hook.paused_until)}` : "";
    return { text: `Not answering: ${hook.failures_in_row} in a row${retry}. ${hook.last_error}`, bad: true };
  }
  if (hook.last_error) return { text: `Last refusal: ${hook.last_error}`, bad: true };
  return { text: "OK", bad: false };
}

function toldOf(hook) {
  const parts = [hook.events.join(", ")];
  if (hook.sites.length) parts.push(`sites: ${hook.sites.join(", ")}`);
  if (hook.levels.length) parts.push(`levels: ${hook.levels.join(", ")}`);
  return parts.join(" · ");
}

async function sendTest(name, button) {
  button.disabled = true;
  try {
    const sent = await request("POST", `/api/notifications/webhooks/${encodeURIComponent(name)}/test`);
    if (sent.state === "delivered") show(`Test message delivered to ${name} (HTTP ${sent.status_code}).`, true);
    else show(`Test message to ${name} failed: ${sent.error}`);
  } catch (err) {
    show(err.message);
  } finally {
    button.disabled = false;
    refresh();
  }
}

async function retry(delivery, button) {
  button.disabled = true;
  try {
    await request("POST", `/api/notifications/deliveries/${delivery.id}/retry`);
    show(`Queued again for ${delivery.webhook}.`, true);
  } catch (err) {
    show(err.message);
  }
  refresh();
}

function webhookRow(hook) {
  const state = health(hook);
  const test = el("button", { type: "button", "data-testid": "webhook-test", text: "Send test" });
  test.addEventListener("click", () => sendTest(hook.name, test));
  return el(
    "tr",
    { "data-testid": "webhook-row", "data-name": hook.name },
    el("td", { text: hook.name }),
    el("td", { class: "detail", text: `${hook.url} · ${hook.format}${hook.signed ? ", signed" : ""}` }),
    el("td", { text: toldOf(hook) }),
    el("td", { "data-testid": "webhook-queue", text: `${hook.pending} pending · ${hook.failed} failed · ${hook.delivered} delivered` }),
    el("td", { text: hook.last_delivered_at ? fmtTime(hook.last_delivered_at) : "never" }),
    el("td", { "data-testid": "webhook-health", class: state.bad ? "bad" : "", text: state.text }),
    el("td", {}, test),
  );
}

function deliveryRow(delivery) {
  const answer = delivery.error || (delivery.status_code ? `HTTP ${delivery.status_code}` : "");
  const action = el("td");
  if (delivery.state === "failed") {
    const button = el("button", { type: "button", "data-testid": "delivery-retry", text: "Retry" });
    button.addEventListener("click", () => retry(delivery, button));
    action.append(button);
  }
  return el(
    "tr",
    { "data-testid": "delivery-row", "data-state": delivery.state, "data-kind": delivery.kind },
    el("td", { text: fmtTime(delivery.at) }),
    el("td", { text: delivery.webhook }),
    el(
      "td",
      { title: delivery.event_id },
      delivery.body.summary ?? delivery.kind,
      // What the receiver got (or will get), for whoever integrates it.
      el("details", { class: "delivery-body" }, el("summary", { text: "Body" }), el("pre", { "data-testid": "delivery-body", text: JSON.stringify(delivery.body, null, 2) })),
    ),
    el("td", { class: delivery.state === "failed" ? "bad" : "", text: delivery.state }),
    el("td", { text: String(delivery.attempts) }),
    el("td", { class: "detail", text: answer }),
    action,
  );
}

async function refresh() {
  const params = new URLSearchParams({ limit: "200" });
  if ($("f-webhook").value) params.set("webhook", $("f-webhook").value);
  if ($("f-state").value) params.set("state", $("f-state").value);
  try {
    const [hooks, deliveries] = await Promise.all([
      request("GET", "/api/notifications/webhooks"),
      request("GET", `/api/notifications/deliveries?${params}`),
    ]);
    const select = $("f-webhook");
    for (const hook of hooks) {
      if (![...select.options].some((o) => o.value === hook.name)) select.append(el("option", { value: hook.name, text: hook.name }));
    }
    replaceIfChanged("webhooks", hooks, () =>
      hooks.length
        ? hooks.map(webhookRow)
        : [el("tr", {}, el("td", { colspan: "7", text: "No webhooks are configured (config section notify.webhooks)." }))],
    );
    replaceIfChanged("deliveries", deliveries, () =>
      deliveries.length
        ? deliveries.map(deliveryRow)
        : [el("tr", {}, el("td", { colspan: "7", "data-testid": "deliveries-empty", text: "Nothing sent in the log's span that matches." }))],
    );
  } catch (err) {
    show(err.message);
  }
}

for (const id of ["f-webhook", "f-state"]) $(id).addEventListener("change", refresh);

requireRole("supervisor", "Only supervisors and admins may see this page.")
  .then(() => {
    refresh();
    setInterval(refresh, REFRESH_MS);
  })
  .catch((err) => console.warn(err.message));
