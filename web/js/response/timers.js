// Response timers of an alert, against the dispatched platform's arrival target.
// Pure: an alert and the time in, rows out; the controls render them every second.

/** Seconds → "m:ss" (or "h:mm:ss"). */
export function clock(seconds) {
  const s = Math.max(0, Math.floor(seconds));
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const ss = String(s % 60).padStart(2, "0");
  return h ? `${h}:${String(m).padStart(2, "0")}:${ss}` : `${m}:${ss}`;
}

/**
 * The timers to show for `alert` at `now` (epoch seconds):
 * [{key, label, seconds, target (s or null), over (bool), running (bool)}].
 */
export function responseTimers(alert, now) {
  const rows = [];
  if (alert.state === "open") {
    rows.push({
      key: "ack",
      label: "Unacknowledged",
      seconds: now - alert.raised_at,
      target: null,
      over: alert.overdue_at != null,
      running: true,
    });
  }
  if (alert.dispatched_at != null) {
    const target = (alert.tier_minutes ?? 0) * 60 || null;
    const end = alert.arrived_at ?? (alert.state === "resolved" ? alert.resolved_at : null);
    const seconds = (end ?? now) - alert.dispatched_at;
    rows.push({
      key: "arrival",
      label: end == null ? "En route" : "Arrived after",
      seconds,
      target,
      over: target != null && seconds > target,
      running: end == null,
    });
  }
  if (alert.state !== "resolved") {
    rows.push({
      key: "open",
      label: "Open for",
      seconds: now - alert.raised_at,
      target: null,
      over: false,
      running: true,
    });
  }
  return rows;
}
