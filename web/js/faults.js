// Camera faults on the live page: which sites' counts cannot be trusted right now, and
// since when. The map and the panel show a site's state; this list makes sure a camera that
// went dark at 3 a.m. is not noticed only when someone clicks on it.

import { el, fmtDuration, fmtTime, fromLocalInput, pictureWarning, readingStale } from "./util.js";
import { serverNow } from "./server_clock.js";

const SEVERITY_ORDER = { bad: 0, warn: 1 };
// Opening a stream takes a few seconds; one still opening after this is a fault.
export const STARTING_FAULT_S = 30;

/** The fault of one site now, or null: {kind, severity, since, text, title}.
 * kind: "offline" (the camera or stream failed), "starting" (still opening it after
 * STARTING_FAULT_S), "stalled" (online, but no new reading: a stream that stopped without
 * failing) or "picture" (analysed, with a poor picture). */
export function cameraFault(site, now = serverNow()) {
  if (site.status === "offline") {
    return {
      kind: "offline",
      severity: "bad",
      since: site.status_since ?? null,
      text: "camera offline",
      title: site.status_reason || "The camera or its stream failed",
    };
  }
  if (site.status === "starting" && site.status_since != null && now - site.status_since > STARTING_FAULT_S) {
    return {
      kind: "starting",
      severity: "warn",
      since: site.status_since,
      text: "not connected yet",
      title: site.status_reason || "The camera has not answered since the site started",
    };
  }
  const reading = site.latest;
  if (site.status === "online" && readingStale(reading, now)) {
    return {
      kind: "stalled",
      severity: "bad",
      since: reading.analysed_at,
      text: "no new picture",
      title: "The stream is up but nothing has been analysed since; the numbers shown are old",
    };
  }
  const warning = pictureWarning(reading?.image_quality);
  if (!warning) return null;
  return {
    kind: "picture",
    severity: warning.severity,
    since: site.picture_since ?? reading.captured_at,
    text: warning.text,
    title: warning.title,
  };
}

/** Whether `ack` names this very episode of `fault` (same kind, same since): a fault that
 * began again is not acknowledged. */
function namesEpisode(fault, ack) {
  return Boolean(ack) && ack.kind === fault.kind && ack.since === fault.since;
}

/** The acknowledgement in force for `fault`: the site's latest, if it names this very
 * episode and the time the camera was expected back (if any) has not passed. */
export function faultAck(fault, ack, now = serverNow()) {
  if (!namesEpisode(fault, ack)) return null;
  return ack.expected_back == null || now < ack.expected_back ? ack : null;
}

/** The acknowledgement of `fault` that has lapsed: the camera was expected back by now and
 * the fault is still there, so the repair has slipped and the fault is nobody's again. */
export function overdueAck(fault, ack, now = serverNow()) {
  if (!namesEpisode(fault, ack) || ack.expected_back == null) return null;
  return now >= ack.expected_back ? ack : null;
}

/** Every site's fault now: those nobody has taken in hand first (the bad ones first, then the
 * oldest), then the acknowledged ones. `acks`: site id → its latest acknowledgement. Each
 * entry: {site, fault, ack (in force, or null), overdue (lapsed, or null)}. */
export function cameraFaults(sites, now = serverNow(), acks = new Map()) {
  return sites
    .map((site) => ({ site, fault: cameraFault(site, now) }))
    .filter((entry) => entry.fault)
    .map((entry) => {
      const latest = acks.get(entry.site.id);
      return { ...entry, ack: faultAck(entry.fault, latest, now), overdue: overdueAck(entry.fault, latest, now) };
    })
    .sort(
      (a, b) =>
        Number(Boolean(a.ack)) - Number(Boolean(b.ack)) ||
        SEVERITY_ORDER[a.fault.severity] - SEVERITY_ORDER[b.fault.severity] ||
        (a.fault.since ?? Infinity) - (b.fault.since ?? Infinity),
    );
}

/** A fault's age (" · 3 min") and tooltip (its title, then since when). */
function faultTimes(fault, now) {
  if (fault.since == null) return { since: "", title: fault.title };
  return { since: ` · ${fmtDuration(now - fault.since)}`, title: `${fault.title}\nSince ${fmtTime(fault.since)}` };
}

/** Epoch seconds of a datetime-local input's value (the operator's own clock), or null
 * when it is empty. */
export function expectedBackOf(value) {
  const at = fromLocalInput(value);
  return Number.isFinite(at) ? at : null;
}

/** An "Ack" button, and the row it opens under the fault: a note, when the camera is
 * expected back (optional) and OK, which call onAck(site id, fault, note, expected back). */
function ackControls(site, fault, onAck) {
  const open = el("button", { type: "button", class: "fault-ack-open link-button", "data-testid": `fault-ack-${site.id}`, text: "Ack", title: "Take this fault in hand: every page shows it as handled" });
  const note = el("input", { class: "fault-ack-note", "data-testid": `fault-ack-note-${site.id}`, maxlength: "500", placeholder: "Note: ticket, who is on it", hidden: true });
  const back = el("input", {
    type: "datetime-local",
    class: "fault-ack-back",
    "data-testid": `fault-ack-back-${site.id}`,
    "aria-label": "Expected back by",
    title: "Expected back by (optional): a booked repair. The acknowledgement lapses then, so a repair that slips is noticed",
  });
  const save = el("button", { type: "button", class: "fault-ack-save", "data-testid": `fault-ack-save-${site.id}`, text: "OK", hidden: true });
  const error = el("span", { class: "fault-ack-error", "data-testid": `fault-ack-error-${site.id}`, role: "alert" });
  const row = el("div", { class: "fault-ack-row", hidden: true }, note, back, save, error);
  open.addEventListener("click", () => {
    open.hidden = true;
    row.hidden = false;
    note.hidden = false;
    save.hidden = false;
    note.focus();
  });
  const send = () => {
    save.disabled = true;
    onAck(site.id, fault, note.value.trim(), expectedBackOf(back.value))
      .catch((err) => {
        error.textContent = err.message;
      })
      .finally(() => {
        save.disabled = false;
      });
  };
  save.addEventListener("click", send);
  note.addEventListener("keydown", (ev) => {
    if (ev.key === "Enter") send();
  });
  return [open, row];
}

/** "✓ li 14:02: ticket 4711 · back by 2026-12-03 10:00:00" */
function ackText(ack) {
  const note = ack.note ? `: ${ack.note}` : "";
  const back = ack.expected_back == null ? "" : ` · back by ${fmtTime(ack.expected_back)}`;
  return `✓ ${ack.by} ${fmtTime(ack.at)}${note}${back}`;
}

function faultItem({ site, fault, ack, overdue }, now, onSelect, onAck) {
  const { since: lasting, title } = faultTimes(fault, now);
  const item = el(
    "li",
    {
      class: ack ? "fault acknowledged" : "fault",
      "data-testid": `fault-${site.id}`,
      "data-site-id": site.id,
      "data-kind": fault.kind,
      "data-severity": fault.severity,
      "data-since": fault.since == null ? "" : String(fault.since),
      "data-acknowledged": ack ? "true" : "false",
      title,
    },
    el("button", { type: "button", class: "fault-site link-button", text: site.name_en }),
    el("span", { class: "fault-text", text: fault.text }),
    el("span", { class: "fault-since", "data-testid": `fault-since-${site.id}`, text: lasting }),
  );
  item.querySelector(".fault-site").addEventListener("click", () => onSelect(site.id));
  if (ack) {
    item.append(el("div", { class: "fault-ack", "data-testid": `fault-acked-${site.id}`, text: ackText(ack) }));
    return item;
  }
  if (overdue) {
    const note = overdue.note ? ` (${overdue.note})` : "";
    const text = `Overdue: ${overdue.by} expected it back by ${fmtTime(overdue.expected_back)}${note}`;
    item.dataset.overdue = "true";
    item.append(el("div", { class: "fault-overdue", "data-testid": `fault-overdue-${site.id}`, text }));
  }
  if (onAck && fault.since != null) item.append(...ackControls(site, fault, onAck));
  return item;
}

/** Fills the faults card: `list` gets one item per fault, `count` the number nobody has
 * taken in hand, `empty` shows when there are none. `acks`: site id → latest
 * acknowledgement; `onAck(siteId, fault, note, expectedBack)` (a promise), or null for who
 * may not. */
export function renderFaults({ list, count, empty }, sites, onSelect, now = serverNow(), { acks = new Map(), onAck = null } = {}) {
  const faults = cameraFaults(sites, now, acks);
  // Called every second: the items are rebuilt only when the faults change (a button
  // replaced under the pointer would swallow a click, a note being typed would be lost);
  // otherwise only their ages move on. The tooltip is left out of the signature: a poor
  // picture's carries the measures of the latest reading, which change with every one.
  const signature = JSON.stringify([
    Boolean(onAck),
    faults.map(({ site, fault, ack, overdue }) => [
      site.id,
      site.name_en,
      fault.kind,
      fault.severity,
      fault.text,
      fault.since,
      ack && [ack.by, ack.at, ack.note, ack.expected_back],
      overdue && [overdue.by, overdue.at, overdue.expected_back],
    ]),
  ]);
  if (list.dataset.signature !== signature) {
    list.dataset.signature = signature;
    list.replaceChildren(...faults.map((entry) => faultItem(entry, now, onSelect, onAck)));
  } else {
    for (const entry of faults) {
      const item = list.querySelector(`[data-site-id="${CSS.escape(entry.site.id)}"]`);
      const { since, title } = faultTimes(entry.fault, now);
      if (item.title !== title) item.title = title;
      item.querySelector(".fault-since").textContent = since;
    }
  }
  const open = faults.filter((entry) => !entry.ack).length;
  count.textContent = String(open);
  count.classList.toggle("zero", open === 0);
  count.title = faults.length > open ? `${faults.length - open} more in hand` : "";
  empty.hidden = faults.length > 0;
}

const WEBHOOK_PROBLEMS = {
  not_answering: {
    text: "not answering: alerts wait",
    title: "The receiver does not answer; its alerts and outages are queued and retried",
  },
  refusing: {
    text: "refused an alert",
    title: "The receiver refused the last event (a wrong address or signature?); see the Webhooks page",
  },
};

/** Webhooks with a problem, oldest first: {name, text, title, since}. */
export function webhookFaults(webhooks) {
  return webhooks
    .filter((hook) => hook.problem)
    .map((hook) => ({
      name: hook.name,
      problem: hook.problem,
      since: hook.since,
      ...(WEBHOOK_PROBLEMS[hook.problem] ?? { text: hook.problem, title: "" }),
    }))
    .sort((a, b) => (a.since ?? Infinity) - (b.since ?? Infinity));
}

/** The webhooks that are not taking events, under the camera faults: an alert that never
 * reaches the dispatch desk is a fault the command center must hear of. */
export function renderWebhookFaults(list, webhooks, now = serverNow()) {
  const faults = webhookFaults(webhooks);
  const signature = JSON.stringify(faults.map((f) => [f.name, f.problem, f.since]));
  if (list.dataset.signature !== signature) {
    list.dataset.signature = signature;
    list.replaceChildren(
      ...faults.map((fault) =>
        el(
          "li",
          { class: "fault", "data-testid": `webhook-fault-${fault.name}`, "data-problem": fault.problem, "data-severity": "bad", title: fault.title },
          el("a", { class: "fault-site link-button", href: "/notifications.html", text: `Webhook ${fault.name}` }),
          el("span", { class: "fault-text", text: ` ${fault.text}` }),
          el("span", { class: "fault-since", text: "" }),
        ),
      ),
    );
  }
  faults.forEach((fault, i) => {
    const since = list.children[i]?.querySelector(".fault-since");
    if (since) since.textContent = fault.since == null ? "" : ` · ${fmtDuration(now - fault.since)}`;
  });
  list.hidden = faults.length === 0;
}
