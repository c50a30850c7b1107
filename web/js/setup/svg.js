// SVG drawn in image pixels (the overlays' viewBox is the frame), shared by the setup
// page's editors.

const SVG = "http://www.w3.org/2000/svg";

export function svg(tag, attrs = {}) {
  const node = document.createElementNS(SVG, tag);
  for (const [k, v] of Object.entries(attrs)) node.setAttribute(k, String(v));
  return node;
}

/** Image pixels to a tenth: what a click is worth on a frame. */
export const round = (v) => Math.round(v * 10) / 10;

export const pointsAttr = (points) => points.map(([x, y]) => `${x},${y}`).join(" ");
