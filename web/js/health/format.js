// Durations and shares of a span, as the camera-health page shows them.

/** Seconds as an operator reads them: "5 s", "7 min 30 s", "20 min", "1 h 20 min", "2 d 4 h". */
export function fmtDuration(seconds) {
  const s = Math.max(0, Number(seconds) || 0);
  if (s < 59.5) return `${Math.round(s)} s`;
  if (s < 600) {
    const whole = Math.round(s);
    const rest = whole % 60;
    return rest ? `${Math.floor(whole / 60)} min ${rest} s` : `${whole / 60} min`;
  }
  const minutes = Math.round(s / 60);
  if (minutes < 60) return `${minutes} min`;
  if (minutes < 24 * 60) {
    const m = minutes % 60;
    return m ? `${Math.floor(minutes / 60)} h ${m} min` : `${minutes / 60} h`;
  }
  const hours = Math.round(s / 3600);
  const h = hours % 24;
  return h ? `${Math.floor(hours / 24)} d ${h} h` : `${hours / 24} d`;
}

/** `part` seconds of a `span` as a percentage with one decimal ("22.2%"); "<0.1%" for a trace. */
export function fmtShare(part, span) {
  const pct = span > 0 ? (100 * part) / span : 0;
  if (pct > 0 && pct < 0.05) return "<0.1%";
  return `${pct.toFixed(1)}%`;
}
