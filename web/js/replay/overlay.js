// The density heat overlay of a past moment, drawn from a stored reading's coarse grid.

import { densityColor } from "../panel.js";

/** Draws `reading`'s grid and the site's region over the part of `canvas` the video shows. */
export function drawOverlay(canvas, video, reading, roi) {
  const width = canvas.clientWidth;
  const height = canvas.clientHeight;
  if (canvas.width !== width || canvas.height !== height) {
    canvas.width = width;
    canvas.height = height;
  }
  const ctx = canvas.getContext("2d");
  ctx.clearRect(0, 0, width, height);
  if (!reading || !video.videoWidth) return;
  // The video is letterboxed (object-fit: contain): find the drawn frame inside the box.
  const scale = Math.min(width / video.videoWidth, height / video.videoHeight);
  const fw = video.videoWidth * scale;
  const fh = video.videoHeight * scale;
  const ox = (width - fw) / 2;
  const oy = (height - fh) / 2;
  const rows = reading.grid.length;
  const cols = rows ? reading.grid[0].length : 0;
  for (let r = 0; r < rows; r += 1) {
    for (let c = 0; c < cols; c += 1) {
      const color = densityColor(reading.grid[r][c]);
      if (!color) continue;
      ctx.fillStyle = color;
      ctx.fillRect(ox + (c * fw) / cols, oy + (r * fh) / rows, fw / cols + 0.5, fh / rows + 0.5);
    }
  }
  if (roi?.length) {
    const sx = fw / reading.frame_width;
    const sy = fh / reading.frame_height;
    ctx.strokeStyle = "rgba(255,255,255,0.9)";
    ctx.lineWidth = 2;
    ctx.beginPath();
    roi.forEach(([x, y], i) => (i ? ctx.lineTo(ox + x * sx, oy + y * sy) : ctx.moveTo(ox + x * sx, oy + y * sy)));
    ctx.closePath();
    ctx.stroke();
  }
}
