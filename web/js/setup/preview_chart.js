// The what-if previews' chart (thresholds and crowd motion): the replayed values over time
// and the lines they were judged against, so a supervisor sees how close the crowd came.

const uPlot = window.uPlot;
const AXIS = { stroke: "#9aa7b8", grid: { stroke: "#263345" } };

/**
 * Draws `values` ([[epoch s, value], ...]) into `box` with a dashed line at each of `lines`
 * ({label, value, color}); destroys `previous` (the chart drawn there before) and returns the
 * new one. The box says what it shows in data-points and data-lines, for tests and tools.
 */
export function drawPreviewChart(box, previous, { label, values, lines }) {
  const xs = values.map(([t]) => t);
  const ys = values.map(([, v]) => v);
  const data = [xs, ys, ...lines.map((line) => xs.map(() => line.value))];
  const opts = {
    width: Math.max(320, box.clientWidth || 600),
    height: 180,
    legend: { show: false },
    scales: { x: { time: true } },
    axes: [AXIS, AXIS],
    series: [
      {},
      { label, stroke: "#38bdf8", width: 1.5 },
      ...lines.map((line) => ({ label: line.label, stroke: line.color, width: 1, dash: [6, 4] })),
    ],
  };
  previous?.destroy();
  const chart = new uPlot(opts, data, box);
  box.dataset.points = String(xs.length);
  box.dataset.lines = lines.map((line) => line.value).join(",");
  return chart;
}
