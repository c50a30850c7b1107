// One site's row of the camera-health table.

import { PICTURE_ISSUE_CODES, cap, el, fmtDuration, fmtTime, pictureIssueLabel } from "../util.js";
import { serverNow } from "../server_clock.js";
import { fmtShare } from "./format.js";
import { pictureNow } from "./issues.js";
import { renderStrip } from "./strip.js";


const setupUrl = (id) => `/setup.html?site=${encodeURIComponent(id)}`;
const replayUrl = (id, at) => `/replay.html?site=${encodeURIComponent(id)}&at=${at}`;

function nowCell(site) {
  const picture = pictureNow(site);
  return el(
    "td",
    { class: "now", "data-testid": `health-now-${site.site_id}` },
    el("span", {
      class: "status",
      "data-status": site.status,
      "data-testid": `health-status-${site.site_id}`,
      title: site.status_reason || null,
      text: cap(site.status),
    }),
    el("span", {
      class: "picture-now",
      "data-testid": `health-picture-now-${site.site_id}`,
      "data-state": picture.state,
      "data-issues": picture.issues,
      "data-severity": picture.severity,
      text: picture.text,
    }),
    el("span", {
      class: "picture-at",
      "data-testid": `health-picture-at-${site.site_id}`,
      text: staleSince(site) ? `as of ${fmtTime(site.picture_at)}` : "",
    }),
  );
}

// The latest reading no longer vouches for the picture: the camera stopped sending.
const staleSince = (site) => site.picture_at != null && serverNow() - site.picture_at > site.hold_s;

function issueList(site) {
  const known = PICTURE_ISSUE_CODES;
  const codes = [...known, ...Object.keys(site.issue_s).filter((c) => !known.includes(c))];
  const items = codes
    .filter((code) => site.issue_s[code] > 0)
    .map((code) =>
      el("li", {
        "data-issue": code,
        "data-testid": `health-issue-${site.site_id}-${code}`,
        text: `${pictureIssueLabel(code)} ${fmtDuration(site.issue_s[code])}`,
      }),
    );
  return items.length ? el("ul", { class: "issues" }, ...items) : null;
}

function shareCell(site, kind, seconds, span, extra = null) {
  return el(
    "td",
    { class: `share-cell ${kind}`, "data-testid": `health-${kind}-${site.site_id}`, "data-seconds": seconds },
    el("b", { class: "share", "data-testid": `health-${kind}-share-${site.site_id}`, text: fmtShare(seconds, span) }),
    " ",
    el("span", { class: "duration", "data-testid": `health-${kind}-time-${site.site_id}`, text: fmtDuration(seconds) }),
    extra,
  );
}

// The replay of an outage starts this long before it, on the camera's last pictures.
const OUTAGE_LEAD_S = 10;

const plural = (n, word) => `${n} ${word}${n === 1 ? "" : "s"}`;

function outageNote(site) {
  if (!site.outage_count) return null;
  const latest = site.outages[site.outages.length - 1];
  const why = latest.reasons.length ? `; latest: ${latest.reasons[latest.reasons.length - 1]}` : "";
  const lines = site.outages.map(
    (o) =>
      `${fmtTime(o.start)} for ${fmtDuration(o.end - o.start)}${o.open_ended ? " (still offline)" : ""}` +
      (o.reasons.length ? `: ${o.reasons.join("; ")}` : ""),
  );
  return el(
    "span",
    {
      class: "outages",
      "data-testid": `health-outages-${site.site_id}`,
      "data-count": String(site.outage_count),
      title: `Latest outages:\n${lines.join("\n")}`,
    },
    `${plural(site.outage_count, "outage")}, longest ${fmtDuration(site.longest_outage.end - site.longest_outage.start)}${why} `,
    // The last footage before the latest one: what the camera saw as it went.
    el("a", {
      class: "link-button",
      href: replayUrl(site.site_id, Math.floor(latest.start - OUTAGE_LEAD_S)),
      "data-testid": `health-outage-replay-${site.site_id}`,
      text: "Replay",
    }),
  );
}

function stoppedNote(site) {
  if (!(site.times.stopped_s > 0)) return null;
  return el("span", {
    class: "stopped",
    "data-testid": `health-stopped-${site.site_id}`,
    "data-seconds": String(site.times.stopped_s),
    title: "The monitor itself was not running: no site was analysed",
    text: `+ monitor stopped ${fmtDuration(site.times.stopped_s)}`,
  });
}

function longestCell(site) {
  const cell = el("td", { class: "longest", "data-testid": `health-longest-${site.site_id}` });
  const longest = site.longest;
  if (!longest) {
    cell.append(el("span", { class: "none", text: "none" }));
    return cell;
  }
  cell.dataset.start = String(longest.start);
  cell.append(
    el("time", { dateTime: new Date(longest.start * 1000).toISOString(), text: fmtTime(longest.start) }),
    " ",
    el("span", { class: "duration", text: fmtDuration(longest.end - longest.start) }),
    " ",
    el("span", { class: "issue-words", text: longest.issues.map(pictureIssueLabel).join(", ") }),
    " ",
    el("a", {
      class: "link-button",
      href: replayUrl(site.site_id, longest.start),
      "data-testid": `health-replay-${site.site_id}`,
      text: "Replay",
    }),
  );
  return cell;
}

function latestTitle(site) {
  if (!site.latest.length) return null;
  const lines = site.latest.map(
    (s) => `${fmtTime(s.start)} for ${fmtDuration(s.end - s.start)}: ${s.issues.map(pictureIssueLabel).join(", ")}`,
  );
  return `Latest poor stretches:\n${lines.join("\n")}`;
}

/** The row of `site` (one of the report's sites) over a span `span` seconds long. */
export function healthRow(site, span, spanWords) {
  const id = site.site_id;
  return el(
    "tr",
    { "data-testid": `health-row-${id}`, "data-site-id": id },
    el("th", { scope: "row" }, el("a", { href: setupUrl(id), "data-testid": `health-site-${id}`, text: site.name_en })),
    nowCell(site),
    el("td", { class: "strip-cell" }, renderStrip(site, span, spanWords)),
    shareCell(site, "poor", site.times.poor_s, span, issueList(site)),
    shareCell(site, "offline", site.times.offline_s, span, outageNote(site)),
    shareCell(site, "dark", site.times.dark_s, span, stoppedNote(site)),
    longestCell(site),
    el("td", {
      class: "stretches",
      "data-testid": `health-stretches-${id}`,
      title: latestTitle(site),
      text: String(site.stretch_count),
    }),
  );
}
