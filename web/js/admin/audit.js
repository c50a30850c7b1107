// Audit log page (admins): filter the log, download the same rows as CSV.

import { request } from "../api.js";
import { el, fmtTime } from "../util.js";
import { requireAdmin, show } from "./common.js";

const $ = (id) => document.getElementById(id);

function epoch(input) {
  return input.value ? String(new Date(input.value).getTime() / 1000) : null;
}

function query() {
  const params = new URLSearchParams();
  for (const [key, value] of [
    ["actor", $("f-actor").value.trim()],
    ["action", $("f-action").value.trim()],
    ["target", $("f-target").value.trim()],
    ["since", epoch($("f-since"))],
    ["until", epoch($("f-until"))],
    ["limit", $("f-limit").value],
  ]) {
    if (value) params.set(key, value);
  }
  return params.toString();
}

async function load() {
  const q = query();
  $("csv").href = `/api/audit.csv${q ? `?${q}` : ""}`;
  try {
    const entries = await request("GET", `/api/audit${q ? `?${q}` : ""}`);
    show("");
    $("entries").replaceChildren(
      ...entries.map((e) =>
        el(
          "tr",
          { "data-testid": "audit-row", "data-action": e.action, "data-actor": e.actor },
          el("td", { text: fmtTime(e.at) }),
          el("td", { text: e.actor }),
          el("td", { text: e.action }),
          el("td", { text: e.target }),
          el("td", { class: "detail", text: Object.keys(e.detail).length ? JSON.stringify(e.detail) : "" }),
          el("td", { text: e.ip }),
        ),
      ),
    );
  } catch (err) {
    show(err.message);
  }
}

$("filters").addEventListener("submit", (ev) => {
  ev.preventDefault();
  load();
});

requireAdmin().then(load).catch((err) => console.warn(err.message));
