// Shares of a span, as the camera-health page shows them.

/** `part` seconds of a `span` as a percentage with one decimal ("22.2%"); "<0.1%" for a trace. */
export function fmtShare(part, span) {
  const pct = span > 0 ? (100 * part) / span : 0;
  if (pct > 0 && pct < 0.05) return "<0.1%";
  return `${pct.toFixed(1)}%`;
}
