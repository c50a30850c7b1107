// The set-up view: the frame the site's region and calibration were drawn on, which the
// server holds its camera to. Shown beside the live snapshot above, so an installer sees at
// a glance whether the camera still looks where it was set up, and after re-aiming it on
// purpose (and checking the region) makes the live view the new yardstick.

import { ApiError, request } from "../api.js";
import { fmtNum, fmtTime } from "../util.js";

export class SetupViewReference {
  /** `root` holds #vr-image, #vr-taken, #vr-shift, #vr-take and #vr-status. */
  constructor(root, siteId, { canChange }) {
    this.$ = (id) => root.querySelector(`#${id}`);
    this.path = `/api/sites/${encodeURIComponent(siteId)}/view-reference`;
    this.reference = undefined; // null: none yet
    const take = this.$("vr-take");
    take.disabled = !canChange;
    take.title = canChange ? "" : "Needs the supervisor role";
    take.addEventListener("click", () => this.take());
  }

  async load() {
    try {
      this.showReference(await request("GET", this.path));
    } catch (err) {
      if (!(err instanceof ApiError) || err.status !== 404) throw err;
      this.showReference(null);
    }
  }

  async take() {
    this.status("Taking the live view…");
    try {
      this.showReference(await request("PUT", this.path));
      this.status("The live view is the set-up view now: the camera is held to it.", "ok");
    } catch (err) {
      this.status(err.message, "error");
    }
  }

  showReference(reference) {
    this.reference = reference;
    const image = this.$("vr-image");
    const caption = this.$("vr-taken");
    if (!reference) {
      image.hidden = true;
      image.removeAttribute("src");
      caption.textContent = "No set-up view yet: the site's first good frame becomes it.";
      caption.dataset.takenBy = "";
      return;
    }
    // A new view has a new time, so the browser cannot show the old picture from its cache.
    image.src = `${this.path}.jpg?t=${reference.taken_at}`;
    image.hidden = false;
    const who = reference.taken_by === "system" ? "the first frame the site showed" : `taken by ${reference.taken_by}`;
    caption.textContent = `${fmtTime(reference.captured_at)}, ${who}`;
    caption.dataset.takenBy = reference.taken_by;
  }

  /** Where the live view stands against it: `reading` is the site's latest (or null). */
  showShift(reading) {
    const quality = reading?.image_quality ?? null;
    const line = this.$("vr-shift");
    let [state, text] = ["", ""];
    if (quality?.issues?.includes("view_moved")) {
      state = "moved";
      text =
        quality.view_shift == null
          ? "The live view is not recognised: the camera looks somewhere else. Re-aim it, or set the region up again."
          : `The camera has moved: ${fmtNum(quality.view_shift * 100, 1)}% of the frame's width off its set-up view. ` +
            "Re-aim it, or set the region up again.";
    } else if (quality?.view_shift != null) {
      state = "held";
      text = `On its set-up view (${fmtNum(quality.view_shift * 100, 1)}% of the frame's width off).`;
    } else if (this.reference && !this.reference.checkable) {
      state = "bare";
      text =
        "This set-up view is too bare or too dark to hold the camera to: make the live view the " +
        "set-up view when its kerbs and facades show.";
    }
    line.dataset.state = state;
    if (line.textContent !== text) line.textContent = text;
  }

  status(text, kind = "") {
    const s = this.$("vr-status");
    s.textContent = text;
    s.dataset.state = kind;
  }
}
