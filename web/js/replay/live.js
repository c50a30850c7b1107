// Replay on the live page, added without touching its modules: a "Replay" link on every
// alert in the feed (opening the replay at the moment it was raised), and a banner naming
// the sites whose recording is paused (disk full, write errors).

import { el } from "../util.js";

const BANNER_POLL_MS = 10_000;

function addReplayLink(item) {
  if (!(item instanceof HTMLElement) || !item.dataset.alertId || item.querySelector(".alert-replay-link")) return;
  const top = item.querySelector(".alert-top");
  const { siteId, raisedAt } = item.dataset;
  if (!top || !siteId || !raisedAt) return;
  const link = el("a", {
    class: "alert-replay-link",
    href: `/replay.html?site=${encodeURIComponent(siteId)}&at=${raisedAt}`,
    target: "_blank",
    rel: "noopener",
    text: "Replay",
    "data-testid": `alert-replay-${item.dataset.alertId}`,
    title: "Replay the video and analysis of this alert",
    // The live page's stylesheet is not ours to change: styled here.
    style: "margin-left:auto;color:#38bdf8;font-size:12px",
  });
  link.addEventListener("click", (ev) => ev.stopPropagation());
  top.append(link);
}

function watchFeed(feed) {
  for (const item of feed.children) addReplayLink(item);
  // Items get their site and time when first rendered, just after being inserted.
  new MutationObserver(() => {
    for (const item of feed.children) addReplayLink(item);
  }).observe(feed, { childList: true, subtree: true, attributes: true, attributeFilter: ["data-raised-at"] });
}

async function refreshBanner(banner) {
  let sites;
  try {
    // Plain fetch: a 401 here must not start a second login; the page handles sessions.
    const res = await fetch("/api/sites", { credentials: "same-origin" });
    if (!res.ok) return;
    sites = await res.json();
  } catch {
    return; // offline: the page says so itself
  }
  const paused = sites.filter((s) => s.recording?.status === "paused");
  banner.hidden = paused.length === 0;
  banner.textContent = paused.length
    ? `Recording paused at ${paused.map((s) => `${s.name_en} (${s.recording.reason})`).join("; ")}. Analysis and alerts go on.`
    : "";
}

function start() {
  const feed = document.getElementById("alert-feed");
  if (feed) watchFeed(feed);
  const banner = el("div", {
    class: "recording-banner",
    role: "status",
    "data-testid": "recording-banner",
    style: "background:#7c2d12;color:#fff;padding:4px 12px;font-size:13px;flex:none",
  });
  banner.hidden = true;
  document.body.prepend(banner);
  refreshBanner(banner);
  setInterval(() => refreshBanner(banner), BANNER_POLL_MS);
}

start();
