// How a site's crowd moves (a live reading's `motion`), in the operator's words: the panel's
// motion line and the site list's turbulence flag.

import { fmtNum, liveReading } from "./util.js";
import { serverNow } from "./server_clock.js";

/** The motion of a site's `reading` while it still says how the crowd moves: none for an
 * offline site, nor once the reading is stale. */
export function liveMotion(site, reading, now = serverNow()) {
  return liveReading(site, reading, now)?.motion ?? null;
}

/** "0.0042/s²": pressures are small numbers, read at a glance to two significant digits. */
export function fmtPressure(pressure) {
  if (pressure <= 0) return "0/s²";
  const digits = pressure >= 1 ? 1 : Math.min(4, 1 - Math.floor(Math.log10(pressure)));
  return `${fmtNum(pressure, digits)}/s²`;
}

/** {text, title, turbulent} for `motion`, or null without one. */
export function motionText(motion) {
  if (!motion) return null;
  const speed = `${fmtNum(motion.speed_m_s, 1)} m/s`;
  const pressure = fmtPressure(motion.pressure);
  if (motion.turbulent) {
    return {
      text: `Crowd turbulence: pressure ${pressure} · moving ${speed}`,
      title:
        `Crowd pressure ${pressure} (density × the variance of its people's velocities) is at ` +
        "or above this site's limit: a dense crowd pushed in different directions, the step " +
        "before a crush. Look at the frame now.",
      turbulent: true,
    };
  }
  return {
    text: `Moving ${speed} · pressure ${pressure}`,
    title:
      `The people in the region move at ${speed} on average. Crowd pressure ${pressure} ` +
      "(density × the variance of its people's velocities, in the densest 3 m squares): it " +
      "rises when a dense crowd is pushed in different directions.",
    turbulent: false,
  };
}

/** Fills `node` with `motion`'s words; false (and nothing written) without a motion. */
export function showMotion(node, motion) {
  const words = motionText(motion);
  if (!words) return false;
  node.textContent = words.text;
  node.title = words.title;
  node.dataset.turbulent = String(words.turbulent);
  return true;
}
