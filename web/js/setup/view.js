// The snapshot with its editable overlay: region polygon, exclusion polygons, calibration
// points and the fitted ground grid. Everything is drawn in image pixels: the SVG's
// viewBox is the frame, so no coordinate ever needs scaling by hand.

import { pointsAttr, round, svg } from "./svg.js";

export class SnapshotView {
  constructor({ image, overlay, wait }, { onImagePoint, onChange }) {
    this.image = image;
    this.overlay = overlay;
    this.wait = wait;
    this.onImagePoint = onImagePoint; // (x, y) in calibrate mode
    this.onChange = onChange; // region or exclusions edited
    this.size = null; // [width, height] of the frame
    this.mode = "region";
    this.roi = [];
    this.exclude = [];
    this.draft = null; // points of a polygon being drawn: {target: "roi" | "exclude"}
    this.pairs = []; // calibration points: {image: [x, y], lat_lon, pending}
    this.grid = [];
    this.drag = null;
    overlay.addEventListener("click", (ev) => this.click(ev));
    overlay.addEventListener("pointermove", (ev) => this.move(ev));
    overlay.addEventListener("pointerup", () => this.endDrag());
    overlay.addEventListener("pointercancel", () => this.endDrag());
  }

  /** Loads a frame; resolves once its size is known. */
  async load(url) {
    await new Promise((resolve, reject) => {
      this.image.onload = resolve;
      this.image.onerror = () => reject(new Error("no frame yet"));
      this.image.src = url;
    });
    this.size = [this.image.naturalWidth, this.image.naturalHeight];
    this.overlay.setAttribute("viewBox", `0 0 ${this.size[0]} ${this.size[1]}`);
    this.wait.hidden = true;
    this.render();
  }

  setMode(mode) {
    this.mode = mode;
    this.draft = null;
    this.render();
  }

  setShapes(roi, exclude) {
    this.roi = roi.map((p) => [...p]);
    this.exclude = exclude.map((poly) => poly.map((p) => [...p]));
    this.draft = null;
    this.render();
  }

  startDraft(target) {
    this.draft = { target, points: [] };
    this.render();
  }

  /** Closes the polygon being drawn; returns its points (not yet checked). */
  finishDraft() {
    const draft = this.draft;
    this.draft = null;
    if (!draft) return null;
    if (draft.points.length >= 3) {
      if (draft.target === "roi") this.roi = draft.points;
      else this.exclude.push(draft.points);
      this.onChange();
    }
    this.render();
    return draft.points;
  }

  removeExclusion(index) {
    this.exclude.splice(index, 1);
    this.onChange();
    this.render();
  }

  setPairs(pairs) {
    this.pairs = pairs;
    this.render();
  }

  setGrid(lines) {
    this.grid = lines;
    this.render();
  }

  toImage(ev) {
    const point = this.overlay.createSVGPoint();
    point.x = ev.clientX;
    point.y = ev.clientY;
    const p = point.matrixTransform(this.overlay.getScreenCTM().inverse());
    const [w, h] = this.size;
    return [round(Math.min(Math.max(p.x, 0), w)), round(Math.min(Math.max(p.y, 0), h))];
  }

  click(ev) {
    if (!this.size || this.drag?.moved) return;
    const p = this.toImage(ev);
    if (this.draft) {
      this.draft.points.push(p);
      this.render();
    } else if (this.mode === "calibrate") {
      this.onImagePoint(p);
    }
  }

  startDrag(ev, polygon, index) {
    ev.stopPropagation();
    ev.preventDefault();
    this.overlay.setPointerCapture(ev.pointerId);
    this.drag = { polygon, index, moved: false };
  }

  move(ev) {
    if (!this.drag) return;
    this.drag.polygon[this.drag.index] = this.toImage(ev);
    this.drag.moved = true;
    this.render();
  }

  endDrag() {
    if (!this.drag) return;
    const moved = this.drag.moved;
    // The click that ends a drag must not also add a point: clear on the next tick.
    setTimeout(() => {
      this.drag = null;
    });
    if (moved) this.onChange();
  }

  insertVertex(polygon, index, point) {
    polygon.splice(index, 0, point);
    this.onChange();
    this.render();
  }

  removeVertex(polygon, index) {
    if (polygon.length <= 3) return;
    polygon.splice(index, 1);
    this.onChange();
    this.render();
  }

  render() {
    const o = this.overlay;
    o.replaceChildren();
    if (!this.size) return;
    const grid = svg("g", { class: "grid", "data-testid": "ground-grid" });
    for (const line of this.grid) grid.append(svg("polyline", { points: pointsAttr(line) }));
    o.append(grid);

    const editing = this.mode === "region" || this.mode === "exclude";
    o.append(
      svg("polygon", { class: "roi", points: pointsAttr(this.roi), "data-testid": "roi-polygon" }),
    );
    this.exclude.forEach((poly, i) =>
      o.append(svg("polygon", { class: "exclude", points: pointsAttr(poly), "data-testid": `exclude-polygon-${i}` })),
    );
    if (editing && !this.draft) {
      const targets = this.mode === "region" ? [this.roi] : this.exclude;
      targets.forEach((poly) => this.handles(o, poly));
    }
    if (this.draft) {
      const pts = this.draft.points;
      o.append(svg("polyline", { class: "draft", points: pointsAttr(pts), "data-testid": "draft-polygon" }));
      for (const [x, y] of pts) o.append(svg("circle", { class: "draft-point", cx: x, cy: y, r: this.r(4) }));
    }
    if (this.mode === "calibrate") {
      this.pairs.forEach((pair, i) => {
        const [x, y] = pair.image;
        const g = svg("g", { class: pair.lat_lon ? "pair" : "pair pending", "data-testid": `calib-image-point-${i}` });
        g.append(svg("circle", { cx: x, cy: y, r: this.r(6) }));
        const label = svg("text", { x: x + this.r(8), y: y - this.r(8), "font-size": this.r(14) });
        label.textContent = String(i + 1);
        g.append(label);
        o.append(g);
      });
    }
  }

  /** Vertex handles (drag; double-click removes) and edge midpoints (click adds). */
  handles(o, poly) {
    poly.forEach(([x, y], i) => {
      const [nx, ny] = poly[(i + 1) % poly.length];
      const mid = svg("circle", { class: "mid", cx: (x + nx) / 2, cy: (y + ny) / 2, r: this.r(4) });
      mid.addEventListener("click", (ev) => {
        ev.stopPropagation();
        this.insertVertex(poly, i + 1, [round((x + nx) / 2), round((y + ny) / 2)]);
      });
      o.append(mid);
    });
    poly.forEach(([x, y], i) => {
      const handle = svg("circle", { class: "vertex", cx: x, cy: y, r: this.r(6), "data-testid": "vertex" });
      handle.addEventListener("pointerdown", (ev) => this.startDrag(ev, poly, i));
      handle.addEventListener("dblclick", (ev) => {
        ev.stopPropagation();
        this.removeVertex(poly, i);
      });
      handle.addEventListener("click", (ev) => ev.stopPropagation());
      o.append(handle);
    });
  }

  /** A size in screen pixels, as image pixels: handles stay the same size on screen. */
  r(px) {
    const shown = this.overlay.getBoundingClientRect().width || this.size[0];
    return (px * this.size[0]) / shown;
  }
}
