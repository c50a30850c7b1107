// The header clock of the live pages: the server's time, and a word for IT when this
// computer's own clock is off (web/js/server_clock.js says why the pages keep the server's).

import { serverClock, serverNow } from "./server_clock.js";
import { clockNote } from "./util.js";

/** Shows the server's time now in `node` (HH:MM:SS); call it every second. */
export function renderServerClock(node) {
  node.textContent = new Date(serverNow() * 1000).toLocaleTimeString("en-GB", { hour12: false });
  const note = serverClock.synced() ? clockNote(serverClock.offset()) : "";
  node.title = note || "Server time";
  node.classList.toggle("skewed", Boolean(note));
  node.dataset.skewed = note ? "true" : "false";
}
