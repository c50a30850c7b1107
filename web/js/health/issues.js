// Picture issues in the words the live panel, site list and replay use (pictureWarning()).

import { pictureWarning } from "../util.js";

/** What a site's latest picture is now: {text, state, severity, issues}. */
export function pictureNow(site) {
  const issues = site.picture_now;
  if (issues == null) {
    const off = site.status === "online";
    return { text: off ? "picture check off" : "", state: off ? "unassessed" : "", severity: "", issues: "" };
  }
  const warning = pictureWarning({ issues });
  if (!warning) return { text: "picture good", state: "good", severity: "", issues: "" };
  return { text: warning.text, state: "poor", severity: warning.severity, issues: issues.join(" ") };
}
